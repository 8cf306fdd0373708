"""Gaps a hostile review of the gate found (issue 8), each pinned by a test that failed before the fix.

Every check-change test runs on a real git repository in ``tmp_path`` through
the real entry point (in process, tests/tthc_cli.py).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from gitrepo import GitRepo, record
from tthc_cli import tthc

ROOT = Path(__file__).resolve().parents[1]
MINI = ROOT / "tests" / "fixtures" / "mini_catalog"


def _gate(repo: GitRepo, *args: str) -> tuple[int, list[dict]]:
    result = tthc("check-change", "--base", "main", "--format", "json", *args, cwd=repo.root)
    assert "Traceback" not in result.stderr, result.stderr
    return result.returncode, json.loads(result.stdout)


@pytest.fixture
def mini(tmp_path: Path) -> GitRepo:
    repo = GitRepo(tmp_path / "repo")
    shutil.copytree(MINI, repo.root / "catalog")
    repo.commit("Danh mục ban đầu", "2026-06-10T09:00:00+07:00")
    return repo


# --- 1. an old entry rewritten never records a new change -----------------------------------------------

def _cut_time(repo: GitRepo, new_entry: str = "") -> Path:
    path = repo.root / "catalog" / "procedures" / "bo-xay-dung" / "1.000001.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("decision: 1085/QĐ-TTg", "decision: 2000/QĐ-TTg")  # the old entry's decision rewritten
    text = text.replace("{value: 10, unit: working_days}", "{value: 9, unit: working_days}", 1)
    text = text.replace("source:\n", new_entry + "source:\n")
    path.write_text(text, encoding="utf-8")
    return path


def test_rewriting_an_old_entrys_decision_does_not_record_a_time_cut(mini: GitRepo) -> None:
    _cut_time(mini)
    code, found = _gate(mini)
    assert code == 1
    assert {(d["code"], d["severity"]) for d in found} == {("change-unrecorded", "error"), ("history-edited", "warning")}
    # the diff agrees: the revision records no new decision
    diff = json.loads(tthc("diff", "main", "--format", "json", cwd=mini.root).stdout)
    (p,) = diff["procedures"]
    assert p["new_simplifications"] == []


def test_a_new_entry_beside_an_edited_one_records_the_change(mini: GitRepo) -> None:
    _cut_time(mini, "  - stage: implemented\n    date: 2026-06-01\n    decision: 99/QĐ-BXD\n"
                    "    kinds: [cut_time]\n    summary: Giảm thời hạn trực tuyến từ 10 xuống 9 ngày làm việc.\n")
    code, found = _gate(mini)
    assert code == 0, found
    assert [d["code"] for d in found] == ["history-edited"]
    diff = json.loads(tthc("diff", "main", "--format", "json", cwd=mini.root).stdout)
    assert [e["decision"] for e in diff["procedures"][0]["new_simplifications"]] == ["99/QĐ-BXD"]
