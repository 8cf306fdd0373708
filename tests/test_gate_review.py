"""A fresh hostile review of the gate (issue 8, second round): each gap pinned by a test that failed before the fix.

Every check-change and diff test runs on a real git repository in ``tmp_path``
through the real entry point (in process, tests/tthc_cli.py).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gitrepo import GitRepo
from tthc_cli import gate, tthc

FILE = Path("catalog/procedures/bo-xay-dung/1.000001.yaml")


def _gate(repo: GitRepo, *args: str) -> tuple[int, list[dict]]:
    return gate(repo.root, *args)


def _edit(repo: GitRepo, old: str, new: str) -> None:
    path = repo.root / FILE
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# --- name, publication and compliance cost: no decision needed, but never silent -----------------------

@pytest.mark.parametrize("old, new, rule, shown, in_comment", [
    ("name: Cấp giấy phép xây dựng mới", "name: Cấp giấy phép khai thác khoáng sản", "name-changed",
     ["Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ", "Cấp giấy phép khai thác khoáng sản đối với nhà ở riêng lẻ"],
     "→ Cấp giấy phép khai thác khoáng sản"),
    ("decision: 497/QĐ-BXD", "decision: 999/QĐ-BXD", "publication-changed", ["publication.decision", "497/QĐ-BXD", "999/QĐ-BXD"],
     "497/QĐ-BXD → 999/QĐ-BXD"),
    ("hours: 8}", "hours: 80}", "cost-inputs-changed", ["compliance_cost.activities[0].hours", "8 → 80", "02/2017/TT-VPCP"],
     "Số giờ: 8 → 80"),
    ("submissions_per_year: 1200", "submissions_per_year: 120000", "cost-inputs-changed", ["1200 → 120000"], "1.200 → 120.000"),
])
def test_reviewed_fields_warn_with_old_and_new_values(mini: GitRepo, old: str, new: str, rule: str, shown: list[str],
                                                      in_comment: str) -> None:
    _edit(mini, old, new)
    code, found = _gate(mini)
    assert code == 0, found  # a warning: a typo correction of the name needs no decision
    (d,) = found
    assert (d["code"], d["severity"], d["file"]) == (rule, "warning", FILE.as_posix())
    assert d["line"] > 0
    text = d["message"] + " " + d["hint"]
    for piece in shown:
        assert piece in text, text
    # Vietnamese through the catalogs
    vi = tthc("check-change", "--base", "main", "--format", "json", cwd=mini.root, env={"LANGUAGE": "vi"}).stdout
    assert "kiểm tra" in json.loads(vi)[0]["hint"]
    # and the pull-request comment shows it outside the folded details
    markdown = tthc("diff", "main", "--format", "markdown", cwd=mini.root).stdout
    visible = markdown.split("<details>")[0]
    assert "Cần người duyệt kiểm tra" in visible and "1.000001" in visible
    assert in_comment in visible


def test_a_cost_change_with_a_decision_still_asks_for_its_source(mini: GitRepo) -> None:
    _edit(mini, "fees_vnd: 0", "fees_vnd: 5000000")
    _edit(mini, "source:\n", "  - stage: implemented\n    date: 2026-06-01\n    decision: 99/QĐ-BXD\n"
                              "    kinds: [cut_time]\n    summary: Sửa số liệu.\nsource:\n")
    code, found = _gate(mini)
    assert code == 0, found
    assert [d["code"] for d in found] == ["cost-inputs-changed"]


# --- git replace refs and grafts: git shows another commit in place of the recorded one ----------------

def _replace_last_commit_with_a_harmless_one(repo: GitRepo) -> None:
    fake = repo.git("commit-tree", repo.git("rev-parse", "HEAD~1^{tree}"), "-p", "HEAD~1", "-m", "Đính chính nhỏ")
    repo.git("replace", repo.git("rev-parse", "HEAD"), fake)


def test_a_replace_ref_cannot_hide_a_change_from_history_or_the_gate(mini: GitRepo) -> None:
    _edit(mini, "value: 15, unit", "value: 45, unit")
    mini.commit("Tăng thời hạn", "2026-06-11T09:00:00+07:00")
    _replace_last_commit_with_a_harmless_one(mini)
    assert mini.git("log", "-1", "--format=%s") == "Đính chính nhỏ"  # what git itself now shows
    history = tthc("history", "1.000001", cwd=mini.root)
    assert history.returncode == 0, history.stderr
    assert "Tăng thời hạn" in history.stdout and "15 → 45" in history.stdout
    result = tthc("check-change", "--base", "HEAD~1", "--head", "HEAD", "--format", "json", cwd=mini.root)
    assert result.returncode == 1 and [d["code"] for d in json.loads(result.stdout)] == ["change-unrecorded"]


def test_a_graft_cannot_rewrite_the_parents_history_reads(mini: GitRepo) -> None:
    _edit(mini, "value: 15, unit", "value: 45, unit")
    mini.commit("Tăng thời hạn", "2026-06-11T09:00:00+07:00")
    head = mini.git("rev-parse", "HEAD")
    (mini.root / ".git" / "info").mkdir(exist_ok=True)
    (mini.root / ".git" / "info" / "grafts").write_text(head + "\n", encoding="utf-8")  # HEAD as a root commit
    history = tthc("history", "1.000001", cwd=mini.root)
    assert history.returncode == 0, history.stderr
    assert "15 → 45" in history.stdout and "Danh mục ban đầu" in history.stdout


# --- a commit message that claims a data correction -------------------------------------------------------

def test_a_commit_claiming_a_data_correction_beside_a_recorded_change_is_shown_to_the_reviewer(mini: GitRepo) -> None:
    """One commit raises a fee under the data-correction trailer, the next records an unrelated time cut:
    the gate passed (a new entry records the change) and history calls the fee rise a data correction,
    announced nowhere. The gate now names the commit."""
    mini.git("checkout", "-q", "-b", "pr")
    _edit(mini, "amount_vnd: 75000", "amount_vnd: 5000000")
    mini.commit("Sửa số liệu lệ phí\n\nLoại thay đổi: đính chính dữ liệu", "2026-06-11T09:00:00+07:00")
    _edit(mini, "{value: 10, unit: working_days}", "{value: 8, unit: working_days}")
    _edit(mini, "source:\n", "  - stage: implemented\n    date: 2026-06-01\n    decision: 99/QĐ-BXD\n"
                              "    kinds: [cut_time]\n    summary: Giảm thời hạn trực tuyến.\nsource:\n")
    mini.commit("Giảm thời hạn theo 99/QĐ-BXD", "2026-06-12T09:00:00+07:00")
    correction = mini.git("rev-parse", "HEAD~1")[:10]
    code, found = _gate(mini, "--head", "pr")
    assert code == 0, found
    assert sorted(x["code"] for x in found) == ["change-beyond-entry", "data-correction-claimed"]
    (d,) = [x for x in found if x["code"] == "data-correction-claimed"]
    assert (d["severity"], d["file"]) == ("warning", FILE.as_posix())
    assert correction in d["message"] and "methods" in d["message"] and "source.url" in d["hint"]
    # the same from the working tree, and nothing for a commit without the claim
    assert "data-correction-claimed" in [x["code"] for x in _gate(mini)[1]]
    mini.git("commit", "-q", "--amend", "-m", "Giảm thời hạn theo 99/QĐ-BXD")
    mini.git("rebase", "-q", "--exec", "git commit -q --amend -m 'Sửa lệ phí'", "main")
    assert [x["code"] for x in _gate(mini, "--head", "pr")[1]] == ["change-beyond-entry"]


# --- an "evil merge": a change slipped in while merging ----------------------------------------------------

def test_a_change_made_while_merging_is_credited_to_the_merger_not_the_branch_author(mini: GitRepo) -> None:
    """The branch adds a keyword; the merge commit also raises a fee that neither parent has. Before:
    history credited the fee rise to the branch author, with the branch commit's subject."""
    mini.git("checkout", "-q", "-b", "pr")
    _edit(mini, "keywords: giấy phép xây dựng, nhà ở", "keywords: giấy phép xây dựng, nhà ở, cấp phép")
    mini.commit("Thêm từ khóa", "2026-06-11T09:00:00+07:00", author="Người Đóng Góp")
    mini.git("checkout", "-q", "main")
    env = {"GIT_AUTHOR_NAME": "Người Gộp", "GIT_COMMITTER_NAME": "Người Gộp",
           "GIT_AUTHOR_DATE": "2026-06-12T09:00:00+07:00", "GIT_COMMITTER_DATE": "2026-06-12T09:00:00+07:00"}
    mini.git("merge", "-q", "--no-ff", "--no-commit", "pr", env=env)
    _edit(mini, "amount_vnd: 75000", "amount_vnd: 9000000")
    mini.git("add", "-A")
    mini.git("commit", "-q", "-m", "Merge pull request #1", env=env)
    from generator.history import read_history

    rev = read_history(mini.root).of("1.000001")[-1]
    assert (rev.author, rev.subject, rev.credited) == ("Người Gộp", "Merge pull request #1", None)


def test_a_clean_merge_with_a_change_on_the_branch_stays_credited_to_the_author(mini: GitRepo) -> None:
    """The same file changed on both sides and git merged it alone: the branch's author is credited."""
    mini.git("checkout", "-q", "-b", "pr")
    _edit(mini, "keywords: giấy phép xây dựng, nhà ở", "keywords: giấy phép xây dựng, nhà ở, cấp phép")
    made = mini.commit("Thêm từ khóa", "2026-06-11T09:00:00+07:00", author="Người Đóng Góp")
    mini.git("checkout", "-q", "main")
    _edit(mini, "retrieved: 2026-06-10", "retrieved: 2026-06-11")
    mini.commit("Cập nhật ngày lấy dữ liệu", "2026-06-11T10:00:00+07:00", author="Người Khác")
    env = {"GIT_AUTHOR_NAME": "Người Gộp", "GIT_COMMITTER_NAME": "Người Gộp",
           "GIT_AUTHOR_DATE": "2026-06-12T09:00:00+07:00", "GIT_COMMITTER_DATE": "2026-06-12T09:00:00+07:00"}
    mini.git("merge", "-q", "--no-ff", "-m", "Merge pull request #2", "pr", env=env)
    from generator.history import read_history

    rev = read_history(mini.root).of("1.000001")[-1]
    assert (rev.author, rev.credited) == ("Người Đóng Góp", made)


# --- a narrow simplification entry recording more than it says ---------------------------------------------

_CUT_TIME = ("  - stage: implemented\n    date: 2026-06-01\n    decision: 99/QĐ-BXD\n"
             "    kinds: [cut_time]\n    summary: Giảm thời hạn trực tuyến.\nsource:\n")


def test_a_fee_raised_under_a_time_cut_entry_is_shown_to_the_reviewer(mini: GitRepo) -> None:
    _edit(mini, "{value: 10, unit: working_days}", "{value: 8, unit: working_days}")
    _edit(mini, "amount_vnd: 75000", "amount_vnd: 5000000")
    _edit(mini, "source:\n", _CUT_TIME)
    code, found = _gate(mini)
    assert code == 0
    (d,) = found
    assert d["code"] == "change-beyond-entry" and d["severity"] == "warning"
    assert "methods[0].fees[0].amount_vnd: 75000 → 5000000" in d["message"] and "cut_time" in d["message"]


def test_a_time_cut_under_a_time_cut_entry_passes_quietly(mini: GitRepo) -> None:
    _edit(mini, "{value: 10, unit: working_days}", "{value: 8, unit: working_days}")
    _edit(mini, "source:\n", _CUT_TIME)
    assert _gate(mini) == (0, [])


# --- a change buried among reformatted files in the PR comment ---------------------------------------------

def test_a_rename_among_a_thousand_reformatted_files_stays_in_the_first_65000_characters(tmp_path: Path) -> None:
    """GitHub cuts a comment at 65,536 characters (the template keeps 65,000). Before: one table row and
    one details block per formatting-only file, so a rename of the last code sank below the cut."""
    from generator.diff import diff_catalogs
    from generator.diff.format import to_markdown
    from gitrepo import record

    old = {f"catalog/procedures/bo-a/1.{i:06d}.yaml": record(f"1.{i:06d}", f"Thủ tục thử nghiệm số {i} có tên dài") for i in range(1, 1201)}
    new = {path: dict(rec) for path, rec in old.items()}  # the same records: only their files' formatting changed
    last = "catalog/procedures/bo-a/1.001200.yaml"
    new[last] = dict(old[last], name="Cấp giấy phép khai thác khoáng sản")
    comment = to_markdown(diff_catalogs(old, new), "main", "pr")[:65000]
    assert "Cấp giấy phép khai thác khoáng sản" in comment and "Cần người duyệt kiểm tra" in comment
