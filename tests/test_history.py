"""generator.history: revisions of every procedure from small real git repositories."""

from __future__ import annotations

import subprocess
import unicodedata
from datetime import date
from pathlib import Path

import pytest

import generator.git as git_module
from generator.history import read_history
from gitrepo import GitRepo, record
from tthc_cli import tthc


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    return GitRepo(tmp_path / "repo")


def test_move_between_agency_folders_keeps_history(repo: GitRepo) -> None:
    repo.write("bo-a", record("1.000001"))
    first = repo.commit("Thêm 1.000001", "2026-06-10T09:00:00+07:00")
    repo.path("bo-a", "1.000001").rename(repo.path("bo-a", "1.000001"))  # no-op keeps the file
    target = repo.path("bo-b", "1.000001")
    target.parent.mkdir(parents=True)
    repo.path("bo-a", "1.000001").rename(target)
    moved = repo.commit("Chuyển sang bộ B", "2026-06-11T09:00:00+07:00")

    history = read_history(repo.root)
    revs = history.of("1.000001")
    assert [r.commit for r in revs] == [first, moved]
    assert [r.change for r in revs] == ["added", "moved"]
    assert revs[1].previous_path == "catalog/procedures/bo-a/1.000001.yaml"
    assert revs[1].path == "catalog/procedures/bo-b/1.000001.yaml"
    assert revs[1].agency == "bo-b"
    assert history.created("1.000001").date() == date(2026, 6, 10)
    assert history.last_changed("1.000001").date() == date(2026, 6, 11)


def test_replacement_with_near_identical_text_starts_its_own_history(repo: GitRepo) -> None:
    repo.write("bo-a", record("1.000001", "Cấp phép khai thác nước"))
    repo.commit("Thêm 1.000001", "2026-06-10T09:00:00+07:00")
    repo.write("bo-a", record("1.000001", "Cấp phép khai thác nước", status="replaced", replaced_by="1.000002"))
    repo.write("bo-a", record("1.000002", "Cấp phép khai thác nước."))  # one character differs
    repo.commit("Thay thế 1.000001 bởi 1.000002", "2026-07-01T09:00:00+07:00")

    history = read_history(repo.root)
    assert len(history.of("1.000001")) == 2
    assert history.of("1.000001")[-1].record["status"] == "replaced"
    new = history.of("1.000002")
    assert len(new) == 1 and new[0].change == "added"
    assert history.created("1.000002").date() == date(2026, 7, 1)


def test_merge_commits_date_changes_when_they_landed(repo: GitRepo) -> None:
    repo.write("bo-a", record("1.000001"))
    repo.commit("Thêm", "2026-06-01T09:00:00+07:00")
    repo.git("checkout", "-q", "-b", "feature")
    repo.write("bo-a", record("1.000001", dossier_sets=2))
    feature = repo.commit("Sửa số bộ hồ sơ (nhánh)", "2026-06-02T09:00:00+07:00")
    repo.git("checkout", "-q", "main")
    repo.write("bo-a", record("1.000002"))
    repo.commit("Thêm 1.000002 trên main", "2026-06-03T09:00:00+07:00")
    env = {"GIT_AUTHOR_DATE": "2026-06-05T09:00:00+07:00", "GIT_COMMITTER_DATE": "2026-06-05T09:00:00+07:00"}
    repo.git("merge", "-q", "--no-ff", "--no-commit", "feature", env=env)
    # a change made in the merge commit itself (e.g. while resolving) counts too
    repo.write("bo-a", record("1.000001", dossier_sets=3))
    repo.git("add", "-A")
    repo.git("commit", "-q", "-m", "Merge feature", env=env)
    merge = repo.git("rev-parse", "HEAD")

    revs = read_history(repo.root).of("1.000001")
    assert feature not in [r.commit for r in revs]  # first-parent: the branch commit is not on main's chain
    assert revs[-1].commit == merge
    assert revs[-1].record["dossier_sets"] == 3
    assert revs[-1].date.date() == date(2026, 6, 5)


@pytest.mark.parametrize(
    ("committed", "expected"),
    [
        ("2026-01-01T23:30:00-05:00", "2026-01-02T11:30:00+07:00"),  # New York, evening
        ("2026-01-01T17:30:00+00:00", "2026-01-02T00:30:00+07:00"),  # UTC, just after midnight in Hà Nội
        ("2026-01-02T00:10:00+09:00", "2026-01-01T22:10:00+07:00"),  # Tokyo, after midnight there, not here
        ("2026-01-01T23:59:00+07:00", "2026-01-01T23:59:00+07:00"),
    ],
)
def test_dates_are_shown_in_ho_chi_minh_time(repo: GitRepo, committed: str, expected: str) -> None:
    repo.write("bo-a", record("1.000001"))
    repo.commit("Thêm", committed)
    rev = read_history(repo.root).of("1.000001")[0]
    assert rev.date.isoformat() == expected
    assert str(rev.date.tzinfo) == "Asia/Ho_Chi_Minh"


def test_author_in_latin1_with_encoding_header_is_decoded(repo: GitRepo) -> None:
    repo.write("bo-a", record("1.000001"))
    repo.git("add", "-A")
    env = {"GIT_AUTHOR_DATE": "2026-06-10T09:00:00+07:00", "GIT_COMMITTER_DATE": "2026-06-10T09:00:00+07:00"}
    tree = repo.git("write-tree")
    raw = (f"tree {tree}\n"
           "author Jos\xe9 M\xfcller <j@example.vn> 1781056800 +0700\n"
           "committer Jos\xe9 M\xfcller <j@example.vn> 1781056800 +0700\n"
           "encoding ISO-8859-1\n\nS\xf6a \xf0\xe9\n").encode("latin-1")
    sha = repo.git("hash-object", "-t", "commit", "-w", "--stdin", input=raw, env=env)
    repo.git("update-ref", "refs/heads/main", sha)
    rev = read_history(repo.root).of("1.000001")[0]
    assert rev.author == "José Müller"


def test_author_in_undeclared_bytes_is_replaced_not_fatal(repo: GitRepo) -> None:
    repo.write("bo-a", record("1.000001"))
    repo.git("add", "-A")
    tree = repo.git("write-tree")
    raw = (b"tree " + tree.encode() + b"\n"
           b"author Nguy\xe3n \xff <n@example.vn> 1781056800 +0700\n"
           b"committer Nguy\xe3n <n@example.vn> 1781056800 +0700\n\nTh\xeam\n")
    sha = repo.git("hash-object", "-t", "commit", "-w", "--stdin", "--literally", input=raw)
    repo.git("update-ref", "refs/heads/main", sha)
    rev = read_history(repo.root).of("1.000001")[0]
    assert "\ufffd" in rev.author and rev.author.startswith("Nguy")
    assert rev.message.startswith("Th")


def test_decomposed_author_name_becomes_nfc(repo: GitRepo) -> None:
    repo.write("bo-a", record("1.000001"))
    decomposed = unicodedata.normalize("NFD", "Nguyễn Thị Hồng")
    repo.commit("Thêm", author=decomposed)
    rev = read_history(repo.root).of("1.000001")[0]
    assert rev.author == "Nguyễn Thị Hồng" and unicodedata.is_normalized("NFC", rev.author)


def test_deleted_file_is_a_deleted_revision(repo: GitRepo) -> None:
    repo.write("bo-a", record("1.000001"))
    repo.commit("Thêm")
    repo.path("bo-a", "1.000001").unlink()
    repo.commit("Xóa", "2026-06-11T09:00:00+07:00")
    revs = read_history(repo.root).of("1.000001")
    assert [r.change for r in revs] == ["added", "deleted"]
    assert revs[-1].record is None


def test_shallow_clone_is_marked_incomplete_and_never_dated_as_created(repo: GitRepo, tmp_path: Path) -> None:
    repo.write("bo-a", record("1.000001"))
    repo.commit("Thêm", "2026-01-10T09:00:00+07:00")
    repo.write("bo-a", record("1.000001", dossier_sets=1))
    repo.commit("Sửa", "2026-06-10T09:00:00+07:00")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{repo.root}", str(clone)], check=True)

    from generator.errors import ShallowHistory

    with pytest.raises(ShallowHistory, match=r"git fetch --unshallow.*fetch-depth: 0.*--allow-shallow"):
        read_history(clone)  # by default a shallow clone stops history: its dates would lie
    history = read_history(clone, allow_shallow=True)
    assert history.incomplete
    (warning,) = [w for w in history.warnings if w.code == "history-shallow"]
    assert warning.severity == "warning" and "git fetch --unshallow" in warning.hint
    revs = history.of("1.000001")
    assert len(revs) == 1 and revs[0].boundary
    assert history.created("1.000001") is None
    assert history.last_changed("1.000001") is None
    assert history.latest() == []

    full = read_history(repo.root)
    assert not full.incomplete and full.created("1.000001").date() == date(2026, 1, 10)


def test_git_processes_do_not_grow_with_files_or_commits(repo: GitRepo) -> None:
    def processes() -> int:
        before = git_module.processes_started
        read_history(repo.root)
        return git_module.processes_started - before

    repo.write("bo-a", record("1.000001"))
    repo.commit("1")
    small = processes()
    for i in range(2, 12):
        repo.write("bo-a", record(f"1.{i:06d}"))
        repo.write("bo-b", record(f"2.{i:06d}"))
        repo.commit(f"commit {i}", f"2026-06-{i:02d}T09:00:00+07:00")
    assert processes() == small == 3


def test_empty_repository_has_empty_history(repo: GitRepo) -> None:
    history = read_history(repo.root)
    assert history.revisions == {} and history.head is None


def test_not_a_repository_is_a_git_error(tmp_path: Path) -> None:
    from generator.errors import GitError

    with pytest.raises(GitError, match="not in a git repository"):
        read_history(tmp_path)


def test_history_cli_lists_revisions_newest_first(repo: GitRepo) -> None:
    import json

    repo.write("bo-a", record("1.000001", methods=[{"channel": "online", "processing_time": {"value": 10, "unit": "working_days"}}]))
    repo.commit("Thêm", "2026-06-10T09:00:00+07:00")
    repo.write("bo-a", record("1.000001", methods=[{"channel": "online", "processing_time": {"value": 5, "unit": "working_days"}}],
                              simplifications=[{"stage": "implemented", "date": "2026-07-01", "decision": "12/QĐ-BTN", "kinds": ["cut_time"],
                                                "summary": "Giảm thời hạn"}]))
    repo.commit("Giảm thời hạn theo 12/QĐ-BTN", "2026-07-02T09:00:00+07:00")
    result = tthc("history", "1.000001", "--format", "json", cwd=repo.root)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert [r["kind"] for r in data["revisions"]] == ["simplification", "created"]
    assert [r["kind_label"] for r in data["revisions"]] == ["Đơn giản hóa", "Đưa vào danh mục"]
    assert data["revisions"][0]["decisions"] == ["12/QĐ-BTN"]
    assert "Thời hạn giải quyết (Trực tuyến): 10 → 5 ngày làm việc" in data["revisions"][0]["effects"]
    text = tthc("history", "1.000001", cwd=repo.root).stdout
    assert text.index("02/07/2026") < text.index("10/06/2026")
    missing = tthc("history", "9.999999", cwd=repo.root)
    assert missing.returncode == 2 and "Traceback" not in missing.stderr
