"""The strict gate (issue 8, item 3): check-change and diff read head files as validate does,
say when they compared nothing, and ``tthc diff --exit-code`` exits 1 on differences."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gitrepo import GitRepo, record
from tthc_cli import tthc

FREE = [{"channel": "online", "fees": [{"description": "Lệ phí", "amount_vnd": 0}]}]


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    repo = GitRepo(tmp_path / "repo")
    repo.write("bo-a", record("1.000001", methods=FREE))
    repo.commit("Danh mục", "2026-06-10T09:00:00+07:00")
    return repo


def _bad_merge(repo: GitRepo) -> Path:
    """A merge that left ``methods`` twice: the first free, the second with a fee of 4.000.000 đồng."""
    path = repo.path("bo-a", "1.000001")
    path.write_text(path.read_text(encoding="utf-8")
                    + "methods:\n- channel: online\n  fees:\n  - description: Lệ phí\n    amount_vnd: 4000000\n",
                    encoding="utf-8")
    return path


def test_a_duplicated_key_in_a_head_file_fails_the_gate_at_its_position(repo: GitRepo) -> None:
    path = _bad_merge(repo)
    lines = path.read_text(encoding="utf-8").splitlines()
    line = len(lines) - lines[::-1].index("methods:")  # the second one
    result = tthc("check-change", "--base", "main", cwd=repo.root)
    assert result.returncode == 1, result.stdout
    assert f"catalog/procedures/bo-a/1.000001.yaml:{line}:1: error[duplicate-key] methods" in result.stdout
    diff = tthc("diff", "main", cwd=repo.root)
    assert diff.returncode == 1 and "Traceback" not in diff.stderr
    assert f"1.000001.yaml:{line}:1: error[duplicate-key]" in diff.stderr
    assert "Không có thay đổi về nội dung" not in diff.stdout


@pytest.mark.parametrize("bad", ["documents: abc\n", "steps: 5\n", "simplifications: 7\n", "methods: {a: 1}\n"])
def test_a_wrong_typed_head_file_is_reported_never_a_traceback(repo: GitRepo, bad: str) -> None:
    path = repo.path("bo-a", "1.000001")
    text = path.read_text(encoding="utf-8")
    key = bad.split(":")[0]
    if key == "methods":
        text = text[: text.index("methods:")]
    path.write_text(text + bad, encoding="utf-8")
    result = tthc("check-change", "--base", "main", "--format", "json", cwd=repo.root)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    found = json.loads(result.stdout)
    assert any(d["code"].startswith("schema") and d["path"].startswith(key) and d["line"] > 0 for d in found)
    diff = tthc("diff", "main", cwd=repo.root)
    assert diff.returncode == 0 and "Traceback" not in diff.stderr and "1.000001" in diff.stdout


def test_a_run_that_compared_nothing_says_so_with_a_hint(repo: GitRepo) -> None:
    path = repo.path("bo-a", "1.000001")
    path.write_text(path.read_text(encoding="utf-8").replace("amount_vnd: 0", "amount_vnd: 50000"), encoding="utf-8")
    repo.commit("Thu lệ phí", "2026-07-01T09:00:00+07:00")
    result = tthc("check-change", "--base", "HEAD", cwd=repo.root)  # the usual mistake after committing
    assert result.returncode == 0
    assert "compared nothing" in result.stderr and "--base HEAD compares HEAD with itself" in result.stderr
    assert "--base origin/main" in result.stderr
    diff = tthc("diff", "HEAD", cwd=repo.root)
    assert "compared nothing" in diff.stderr
    real = tthc("check-change", "--base", "HEAD~1", cwd=repo.root)
    assert real.returncode == 1 and "compared nothing" not in real.stderr


def test_diff_exit_code_is_one_when_a_procedure_differs(repo: GitRepo) -> None:
    assert tthc("diff", "main", "--exit-code", cwd=repo.root).returncode == 0
    path = repo.path("bo-a", "1.000001")
    path.write_text(path.read_text(encoding="utf-8") + "\n\n", encoding="utf-8")  # formatting only
    assert tthc("diff", "main", "--exit-code", cwd=repo.root).returncode == 0
    path.write_text(path.read_text(encoding="utf-8").replace("amount_vnd: 0", "amount_vnd: 50000"), encoding="utf-8")
    changed = tthc("diff", "main", "--exit-code", cwd=repo.root)
    assert changed.returncode == 1 and "50.000" in changed.stdout
    assert tthc("diff", "main", cwd=repo.root).returncode == 0  # without the flag, differences are not an error
