"""What a fresh reviewer of `tthc diff`, `check-change` and `history` found (issue 4 review), through the entry point."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from gitrepo import GitRepo, record
from test_diff import build_golden_repo

REPO_ROOT = Path(__file__).resolve().parents[1]


def tthc(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full = dict(os.environ, PYTHONPATH=str(REPO_ROOT), **(env or {}))
    return subprocess.run([sys.executable, "-m", "generator.cli", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120, env=full)


@pytest.fixture(scope="module")
def golden(tmp_path_factory: pytest.TempPathFactory) -> GitRepo:
    repo = GitRepo(tmp_path_factory.mktemp("review") / "repo")
    build_golden_repo(repo)
    return repo


# --- 1. usage errors -------------------------------------------------------------

@pytest.mark.parametrize("second", ["/etc", "nosuchref", "catalog/nonexistent", "../"])
def test_diff_second_argument_neither_ref_nor_catalog_path_is_a_usage_error(golden: GitRepo, second: str) -> None:
    result = tthc("diff", "main", second, cwd=golden.root)
    assert result.returncode == 2, result.stdout
    assert "Traceback" not in result.stderr and result.stdout == ""
    (line,) = result.stderr.strip().splitlines()
    assert repr(second) in line and "neither a git commit nor" in line


def test_diff_path_inside_the_catalog_still_works(golden: GitRepo) -> None:
    result = tthc("diff", "main~1", "main", "catalog/procedures/bo-khac", cwd=golden.root)
    assert result.returncode == 0 and "1.000006" in result.stdout and "1.000001" not in result.stdout


@pytest.mark.parametrize("args", [("diff", "main"), ("history", "1.000001"), ("check-change", "--base", "main")])
def test_outside_a_repository_every_command_is_a_usage_error(tmp_path: Path, args: tuple[str, ...]) -> None:
    result = tthc(*args, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == "tthc: error: not a git repository: run inside the catalog's repository"


def test_unknown_ref_in_a_shallow_clone_hints_at_unshallow(golden: GitRepo, tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{golden.root}", str(clone)], check=True)
    for args in (("diff", "HEAD~1"), ("check-change", "--base", "HEAD~1")):
        result = tthc(*args, cwd=clone)
        assert result.returncode == 2 and "git fetch --unshallow" in result.stderr, result.stderr


# --- 2. unreadable files are never "deleted" or "added" --------------------------------

def test_yaml_syntax_error_gives_loader_diagnostics_not_a_deletion(golden: GitRepo) -> None:
    path = golden.path("bo-khac", "1.000006")
    before = path.read_bytes()
    try:
        path.write_text('code: "1.000006"\nname: [Thủ tục\n', encoding="utf-8")
        for args in (("diff", "main"), ("check-change", "--base", "main")):
            result = tthc(*args, cwd=golden.root)
            out = result.stdout + result.stderr
            assert result.returncode == 1, out
            assert "catalog/procedures/bo-khac/1.000006.yaml:3:1: error[syntax]" in out
            assert "file-deleted" not in out and "Xóa tệp" not in out and "Traceback" not in out
    finally:
        path.write_bytes(before)


def test_two_files_one_unparsable_is_not_an_addition(tmp_path: Path) -> None:
    bad, ok = tmp_path / "bad.yaml", tmp_path / "ok.yaml"
    bad.write_text("code: '1.000001'\n  name: x\n", encoding="utf-8")
    ok.write_text('code: "1.000001"\nname: A\n', encoding="utf-8")
    result = tthc("diff", str(bad), str(ok), cwd=tmp_path)
    assert result.returncode == 1
    assert "bad.yaml:2:" in result.stderr and "error[syntax]" in result.stderr
    assert "Thêm mới" not in result.stdout
