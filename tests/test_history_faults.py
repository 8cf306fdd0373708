"""History that cannot vanish or lie (issue 8, item 4): unreadable repositories are errors,
identity by code across catalog moves, merges credited to their authors, odd commit headers."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from generator.errors import RepositoryUnreadable
from generator.history import read_history
from gitrepo import GitRepo, record
from tthc_cli import tthc


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    repo = GitRepo(tmp_path / "repo")
    repo.write("bo-a", record("1.000001"))
    repo.commit("Thêm", "2026-06-10T09:00:00+07:00")
    return repo


def _object_file(repo: GitRepo, sha: str) -> Path:
    return repo.root / ".git" / "objects" / sha[:2] / sha[2:]


@pytest.mark.parametrize("damage", ["missing-blob", "corrupt-blob", "missing-tree"])
def test_an_unreadable_repository_is_an_error_with_a_hint(repo: GitRepo, damage: str) -> None:
    if damage == "missing-tree":
        sha = repo.git("rev-parse", "HEAD:catalog/procedures")
    else:
        sha = repo.git("rev-parse", "HEAD:catalog/procedures/bo-a/1.000001.yaml")
    target = _object_file(repo, sha)
    target.chmod(0o644)
    if damage == "corrupt-blob":
        target.write_bytes(b"not a zlib stream")
    else:
        target.unlink()
    with pytest.raises(RepositoryUnreadable, match="git fsck"):
        read_history(repo.root)
    for command in (("history", "1.000001"), ("diff", "HEAD"), ("check-change", "--base", "HEAD")):
        result = tthc(*command, cwd=repo.root)
        assert result.returncode == 1 and "cannot be read" in result.stderr and "git fsck" in result.stderr, command
        assert "Traceback" not in result.stderr


def _build_history(catalog_dir: Path, allow_shallow: bool | None = None):
    """The history as the build reads it (generator.site, the pipeline the plugin runs)."""
    from generator.site import read_catalog_history

    return read_catalog_history(catalog_dir, allow_shallow, None)[0]


def test_the_build_stops_on_an_unreadable_repository_and_on_a_shallow_clone(repo: GitRepo, tmp_path: Path) -> None:
    """The build's history stage (generator.site.read_catalog_history), with and without its caches."""
    from generator.cache import PageCache
    from generator.errors import ShallowHistory

    assert _build_history(repo.root / "catalog").of("1.000001")
    repo.write("bo-a", record("1.000001", dossier_sets=1))
    repo.commit("Sửa", "2026-06-11T09:00:00+07:00")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{repo.root}", str(clone)], check=True)
    with pytest.raises(ShallowHistory, match="fetch-depth: 0"):
        _build_history(clone / "catalog")
    assert _build_history(clone / "catalog", allow_shallow=True).incomplete
    blob = repo.git("rev-parse", "HEAD:catalog/procedures/bo-a/1.000001.yaml")
    _object_file(repo, blob).unlink()
    with pytest.raises(RepositoryUnreadable):
        _build_history(repo.root / "catalog")
    from generator.cache import PageCache
    from generator.site import read_catalog_history

    with pytest.raises(RepositoryUnreadable):  # with the build's caches: a new HEAD never uses a kept history
        read_catalog_history(repo.root / "catalog", None, {}, PageCache(tmp_path / "cache"))


def test_moving_the_whole_catalog_folder_keeps_every_history(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "repo")
    old = repo.root / "data" / "procedures" / "bo-a" / "1.000001.yaml"
    old.parent.mkdir(parents=True)
    import yaml

    old.write_text(yaml.safe_dump(record("1.000001"), allow_unicode=True), encoding="utf-8")
    first = repo.commit("Thêm", "2026-06-10T09:00:00+07:00")
    repo.git("mv", "data", "catalog")
    repo.commit("Đổi tên thư mục danh mục", "2026-06-20T09:00:00+07:00")
    history = read_history(repo.root)
    revs = history.of("1.000001")
    assert [r.commit for r in revs][0] == first and [r.change for r in revs] == ["added", "modified"]
    assert revs[1].previous_path == "data/procedures/bo-a/1.000001.yaml"
    assert history.created("1.000001").date() == date(2026, 6, 10)


def test_a_catalog_at_the_repository_root_has_history(tmp_path: Path) -> None:
    import yaml

    repo = GitRepo(tmp_path / "repo")
    target = repo.root / "procedures" / "bo-a" / "1.000001.yaml"
    target.parent.mkdir(parents=True)
    target.write_text(yaml.safe_dump(record("1.000001"), allow_unicode=True), encoding="utf-8")
    repo.commit("Thêm", "2026-06-10T09:00:00+07:00")
    assert [r.change for r in read_history(repo.root, catalog_subdir=".").of("1.000001")] == ["added"]
    assert _build_history(repo.root).of("1.000001")  # before: the catalog's parent is outside git, so no history


def test_a_change_merged_from_a_branch_is_credited_to_its_author_and_dated_when_merged(repo: GitRepo) -> None:
    repo.git("checkout", "-q", "-b", "feature")
    repo.write("bo-a", record("1.000001", dossier_sets=2))
    side = repo.commit("Sửa số bộ hồ sơ", "2026-06-12T09:00:00+07:00", author="Tác Giả")
    repo.git("checkout", "-q", "main")
    repo.write("bo-a", record("1.000002"))
    repo.commit("Thêm 1.000002", "2026-06-13T09:00:00+07:00", author="Người Khác")
    env = {"GIT_AUTHOR_DATE": "2026-06-15T09:00:00+07:00", "GIT_COMMITTER_DATE": "2026-06-15T09:00:00+07:00",
           "GIT_AUTHOR_NAME": "Người Gộp"}
    repo.git("merge", "-q", "--no-ff", "-m", "Merge branch 'feature'", "feature", env=env)
    merge = repo.git("rev-parse", "HEAD")
    rev = read_history(repo.root).of("1.000001")[-1]
    assert rev.commit == merge and rev.date.date() == date(2026, 6, 15)
    assert rev.author == "Tác Giả" and rev.subject == "Sửa số bộ hồ sơ" and rev.credited == side
    assert rev.authored.date() == date(2026, 6, 12)
    other = read_history(repo.root).of("1.000002")[-1]
    assert other.author == "Người Khác"


def _merge(repo: GitRepo, branch: str, merger: str, when: str) -> str:
    env = {"GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when, "GIT_AUTHOR_NAME": merger, "GIT_COMMITTER_NAME": merger}
    repo.git("merge", "-q", "--no-ff", "-m", f"Merge branch '{branch}'", branch, env=env)
    return repo.git("rev-parse", "HEAD")


def test_a_change_merged_through_a_merge_of_branches_is_credited_to_the_commit_that_made_it(repo: GitRepo) -> None:
    """feature <- topic (merged into feature by its lead) <- main: the author is the topic's committer, not a merger."""
    repo.git("checkout", "-q", "-b", "feature")
    repo.write("bo-a", record("1.000002"))
    repo.commit("Thêm 1.000002", "2026-06-11T09:00:00+07:00", author="Người Thêm")
    repo.git("checkout", "-q", "-b", "topic")
    repo.write("bo-a", record("1.000001", dossier_sets=3))
    made = repo.commit("Sửa số bộ hồ sơ", "2026-06-12T09:00:00+07:00", author="Tác Giả")
    repo.git("checkout", "-q", "feature")
    _merge(repo, "topic", "Trưởng Nhóm", "2026-06-13T09:00:00+07:00")  # a merge commit newer than the change
    repo.git("checkout", "-q", "main")
    landed = _merge(repo, "feature", "Người Gộp", "2026-06-15T09:00:00+07:00")
    history = read_history(repo.root)
    rev = history.of("1.000001")[-1]
    assert rev.commit == landed and rev.date.date() == date(2026, 6, 15)
    assert (rev.author, rev.subject, rev.credited) == ("Tác Giả", "Sửa số bộ hồ sơ", made)
    assert history.of("1.000002")[-1].author == "Người Thêm"
    shown = tthc("history", "1.000001", cwd=repo.root)
    assert "Tác Giả" in shown.stdout and "Trưởng Nhóm" not in shown.stdout and "Người Gộp" not in shown.stdout


@pytest.mark.parametrize(("committer", "expected"), [
    ("1781049600 +9959", date(2026, 6, 10)),        # an offset git accepts and no date library does
    ("1781049600 -9959", date(2026, 6, 10)),
    ("1781049600 -5", date(2026, 6, 10)),           # a one-digit offset
    ("99999999999999 +0700", None),                 # a year no datetime holds: unknown, with a warning
    ("0 +0000", None),                              # 01/01/1970: no commit of git is that old
    ("1000000000 +0700", None),                     # 2001, before git existed
    ("+0700", None),                                # no timestamp at all (git gives none)
])
def test_commit_headers_git_accepts_never_crash(repo: GitRepo, committer: str, expected: date | None) -> None:
    tree = repo.git("rev-parse", "HEAD^{tree}")
    parent = repo.git("rev-parse", "HEAD")
    body = (f"tree {tree}\nparent {parent}\nauthor Tên \x01lạ <a@b> 1781049600 +9959\ncommitter X <x@y> {committer}\n\n"
            "Tiêu đề có ký tự điều khiển \x07 và \ufffe\n").encode("utf-8")
    repo.write("bo-a", record("1.000001", dossier_sets=4))
    repo.git("add", "-A")
    tree = repo.git("write-tree")
    body = body.replace(repo.git("rev-parse", "HEAD^{tree}").encode(), tree.encode())
    sha = repo.git("hash-object", "-t", "commit", "-w", "--stdin", input=body)
    repo.git("update-ref", "refs/heads/main", sha)
    history = read_history(repo.root)
    rev = history.of("1.000001")[-1]
    assert rev.commit == sha and "\x07" not in rev.message and "\ufffe" not in rev.message and "\x01" not in rev.author
    dated = [w for w in history.warnings if w.code == "history-date"]
    if expected is not None:
        assert rev.date.date() == expected and not rev.undated and not dated
        assert history.last_changed("1.000001") == rev.date
    else:  # never a wrong date: unknown everywhere, with one warning in the diagnostic shape
        assert rev.undated and rev.date_unknown and history.last_changed("1.000001") is None
        (warning,) = dated
        assert warning.file == sha[:10] and warning.severity == "warning" and "shown as unknown" in warning.message
        assert all(r.commit != sha for _, r in history.latest(limit=10))  # in no feed
    result = tthc("history", "1.000001", cwd=repo.root)
    assert result.returncode == 0 and "Traceback" not in result.stderr
    assert ("Không rõ ngày" in result.stdout) == (expected is None) and "01/01/1970" not in result.stdout
    data = json.loads(tthc("history", "1.000001", "--format", "json", cwd=repo.root).stdout)
    assert (data["revisions"][0]["date"] is None) == (expected is None)
    assert [w["code"] for w in data["warnings"]] == (["history-date"] if expected is None else [])


def test_feeds_stay_well_formed_xml_with_control_characters_in_commits(tmp_path: Path) -> None:
    from xml.etree import ElementTree

    from generator.catalog import read_catalog
    from generator.render.history import render_feeds

    mini = Path(__file__).resolve().parent / "fixtures" / "mini_catalog"
    repo = GitRepo(tmp_path / "repo")
    shutil.copytree(mini, repo.root / "catalog")
    repo.commit("Danh mục", "2026-06-10T09:00:00+07:00")
    path = repo.root / "catalog" / "procedures" / "bo-xay-dung" / "1.000001.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("{value: 10, unit: working_days}",
                                                             "{value: 5, unit: working_days}", 1), encoding="utf-8")
    repo.commit("Giảm\x1b[31m thời hạn \x0c\ufffe", "2026-06-11T09:00:00+07:00", author="A\x02B")
    catalog, _ = read_catalog(repo.root / "catalog")
    for text in render_feeds(catalog, read_history(repo.root)).values():
        ElementTree.fromstring(text.encode("utf-8"))


def test_a_submodule_where_a_procedure_file_was_is_no_revision_and_no_crash(repo: GitRepo) -> None:
    head = repo.git("rev-parse", "HEAD")
    repo.git("rm", "-q", "--cached", "catalog/procedures/bo-a/1.000001.yaml")
    repo.git("update-index", "--add", "--cacheinfo", f"160000,{head},catalog/procedures/bo-a/1.000001.yaml")
    repo.git("update-index", "--add", "--cacheinfo", f"160000,{head},catalog/procedures/bo-a/1.000002.yaml")
    repo.git("commit", "-q", "-m", "Submodule thay tệp")
    revs = read_history(repo.root).of("1.000001")
    assert [r.change for r in revs] == ["added", "deleted"]
    assert read_history(repo.root).of("1.000002") == ()


def test_a_partial_clone_missing_blobs_is_an_error_and_fetches_nothing(repo: GitRepo, tmp_path: Path) -> None:
    repo.git("config", "uploadpack.allowFilter", "true")
    repo.write("bo-a", record("1.000001", dossier_sets=2))
    repo.commit("Sửa", "2026-06-11T09:00:00+07:00")
    clone = tmp_path / "partial"
    subprocess.run(["git", "clone", "-q", "--filter=blob:none", "--no-checkout", f"file://{repo.root}", str(clone)],
                   check=True, capture_output=True)
    missing = subprocess.run(["git", "-C", str(clone), "rev-list", "--objects", "--missing=print", "HEAD"],
                             capture_output=True, text=True, check=True).stdout.count("\n?")
    with pytest.raises(RepositoryUnreadable, match="git fsck"):
        read_history(clone)
    after = subprocess.run(["git", "-C", str(clone), "rev-list", "--objects", "--missing=print", "HEAD"],
                           capture_output=True, text=True, check=True).stdout.count("\n?")
    assert after == missing > 0  # nothing was fetched behind the user's back


def test_the_build_logs_history_warnings_as_diagnostic_lines(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parent.parent
    repo = GitRepo(tmp_path / "project")
    shutil.copytree(root / "tests" / "fixtures" / "mini_catalog", repo.root / "catalog")
    shutil.copytree(root / "site_templates", repo.root / "site_templates")  # mkdocs.yml's docs_dir is in it
    shutil.copy(root / "mkdocs.yml", repo.root / "mkdocs.yml")
    repo.commit("Danh mục", "1970-01-01T00:00:00+00:00")  # a broken date: shown as unknown, never as 01/01/1970
    sha = repo.git("rev-parse", "--short=10", "HEAD")
    result = subprocess.run([sys.executable, "-m", "generator.cli", "build", "--no-search", "--site-dir", "site"],
                            cwd=repo.root, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    assert f"tthc: {sha}:0:0: warning[history-date] commit {sha} has an impossible committer date" in result.stderr
    page = (repo.root / "site" / "thu-tuc" / "1.000001" / "lich-su" / "index.html").read_text(encoding="utf-8")
    assert "Không rõ ngày" in page and "01/01/1970" not in page
