// Runs the `script:` of an actions/github-script step as that action does (an async function of
// github, context, core and require), against a recording stand-in for GitHub's REST API.
// Usage: node github_script.cjs SCRIPT_FILE STATE_JSON, in the folder the step runs in.
// STATE_JSON: {"comments": [...existing issue comments...], "context": {...}}.
// Prints {"calls": [[method, params], ...]} as JSON. Used by tests/test_catalog_template.py.
const { readFileSync } = require("node:fs");

const script = readFileSync(process.argv[2], "utf8");
const state = JSON.parse(readFileSync(process.argv[3], "utf8"));
const calls = [];
const record = (name) => async (params) => { calls.push([name, params]); return { data: {} }; };
const github = {
  rest: {
    issues: {
      listComments: "issues.listComments",
      createComment: record("issues.createComment"),
      updateComment: record("issues.updateComment"),
    },
  },
  paginate: async (method, params) => { calls.push(["paginate " + method, params]); return state.comments; },
};
const core = { setFailed: (m) => { calls.push(["core.setFailed", m]); } };
const AsyncFunction = Object.getPrototypeOf(async function () {}).constructor;
new AsyncFunction("require", "github", "context", "core", script)(require, github, state.context, core)
  .then(() => process.stdout.write(JSON.stringify({ calls })))
  .catch((err) => { process.stderr.write(String(err.stack || err)); process.exit(1); });
