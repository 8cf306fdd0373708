"""``benchmarks/synthetic_history.py`` makes a catalog repository that
validates, passes the change gate commit by commit and builds, through the
real ``tthc`` entry point (click's CliRunner, in process)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from generator.cli import main

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from synthetic_history import generate  # noqa: E402

PROCEDURES, REVISIONS = 20, 3


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=True).stdout


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate(PROCEDURES, REVISIONS, tmp_path_factory.mktemp("synthetic") / "repo")


def test_every_procedure_has_r_revisions_with_increasing_dates(repo: Path) -> None:
    files = sorted((repo / "catalog" / "procedures").glob("*/*.yaml"))
    assert len(files) == PROCEDURES
    assert git(repo, "status", "--porcelain") == ""  # checked out, nothing missing
    dates = [int(t) for t in git(repo, "log", "--reverse", "--format=%ct").split()]
    assert dates == sorted(dates) and len(set(dates)) == len(dates)
    for path in files:
        record = yaml.safe_load(path.read_text(encoding="utf-8"))
        entries = record.get("simplifications", []) + record.get("amendments", [])
        # R - 1 edits, each recording its decision (a moved file is followed by --follow)
        assert len(entries) == REVISIONS - 1, path
        assert all("2026-01-05" <= e["date"] <= "2026-11-27" and e["date"] > record["publication"]["date"] for e in entries)
        log = git(repo, "log", "--follow", "--format=%H", "--", str(path.relative_to(repo)))
        assert len(log.split()) == REVISIONS, path


def test_same_arguments_give_the_same_commits(repo: Path, tmp_path: Path) -> None:
    again = generate(PROCEDURES, REVISIONS, tmp_path / "again")
    assert git(again, "rev-parse", "HEAD") == git(repo, "rev-parse", "HEAD")


def test_validates_and_every_commit_passes_the_gate(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo)
    runner = CliRunner()
    result = runner.invoke(main, ["validate"])
    assert result.exit_code == 0, result.output
    assert f"ok: 0 error(s), 0 warning(s) in {PROCEDURES + 2} file(s)" in result.output
    commits = git(repo, "rev-list", "--reverse", "HEAD").split()
    assert len(commits) > REVISIONS
    for base, head in zip(commits, commits[1:]):
        result = runner.invoke(main, ["check-change", "--base", base, "--head", head])
        assert result.exit_code == 0, f"{head}: {result.output}"
        assert "0 error(s), 0 warning(s)" in result.output


def test_builds_with_a_history_page_per_procedure(repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo)
    site = tmp_path / "site"
    result = CliRunner().invoke(main, ["build", "--no-search", "--site-dir", str(site)])
    assert result.exit_code == 0, result.output
    for path in (repo / "catalog" / "procedures").glob("*/*.yaml"):
        code = path.stem
        history = (site / "thu-tuc" / code / "lich-su" / "index.html").read_text(encoding="utf-8")
        record = yaml.safe_load(path.read_text(encoding="utf-8"))
        for entry in record.get("simplifications", []) + record.get("amendments", []):
            assert entry["decision"] in history, (code, entry["decision"])
