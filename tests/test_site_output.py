"""Valid means buildable (issue 8, items 5 and 7): feeds, sitemap, JSON and CSV stay well-formed and safe
for hostile but valid text; the site is world-readable; leftovers of killed builds go; one build at a time."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import time
from pathlib import Path
from xml.etree import ElementTree

import pytest

from gitrepo import GitRepo

ROOT = Path(__file__).resolve().parents[1]
MINI = ROOT / "tests" / "fixtures" / "mini_catalog"
#: Valid text that breaks naive XML, JSON, HTML or spreadsheets.
HOSTILE = "=HYPERLINK(\"http://x\") <b>&amp;</b> ]]> \"' \u2028 \u05d0\u05d1 \U0001f468\u200d\U0001f469 e\u0301 ¥"


def tthc(*args: str, cwd: Path = ROOT, env: dict | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "generator.cli", *args], cwd=cwd, capture_output=True, text=True,
                          env=env, timeout=600)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The mini catalog with hostile names and a commit with control characters, built with a site URL,
    beside leftovers of two killed builds."""
    tmp = tmp_path_factory.mktemp("hostile")
    repo = GitRepo(tmp / "repo")
    shutil.copytree(MINI, repo.root / "catalog")
    repo.commit("Danh mục", "2026-06-10T09:00:00+07:00")
    path = repo.root / "catalog" / "procedures" / "bo-xay-dung" / "1.000001.yaml"
    text = path.read_text(encoding="utf-8")
    name = next(line for line in text.splitlines() if line.startswith("name: "))
    text = text.replace(name, "name: " + json.dumps(HOSTILE, ensure_ascii=False), 1)
    path.write_text(text.replace("{value: 10, unit: working_days}", "{value: 5, unit: working_days}", 1), encoding="utf-8")
    repo.commit("Sửa \x1b[1m<tên>\x0c & ]]>", "2026-06-11T09:00:00+07:00", author="A\x02 <b>")
    site = tmp / "out" / "site"
    for leftover in (".site-building-abc123", ".site-old-def456"):
        (site.parent / leftover / "thu-tuc").mkdir(parents=True)
        (site.parent / leftover / "thu-tuc" / "index.html").write_text("old", encoding="utf-8")
    env = dict(os.environ, TTHC_SITE_URL="https://tthc.example.vn/")
    old_umask = os.umask(0o077)  # even a strict umask gives a world-readable site
    try:
        result = tthc("build", "--catalog", str(repo.root / "catalog"), "--site-dir", str(site), "--no-search", env=env)
    finally:
        os.umask(old_umask)
    assert result.returncode == 0, result.stderr
    return site


def test_feeds_and_sitemap_parse_as_xml(built: Path) -> None:
    feeds = sorted((built / "feeds").glob("*.xml"))
    assert feeds
    for feed in [*feeds, built / "sitemap.xml"]:
        ElementTree.fromstring(feed.read_bytes())
    assert "HYPERLINK" in (built / "feeds" / "all.xml").read_text(encoding="utf-8")


def test_json_and_json_ld_parse_without_non_finite_numbers(built: Path) -> None:
    def refuse(constant: str) -> None:
        raise AssertionError(f"{constant} in JSON")

    files = list(built.rglob("*.json"))
    assert files
    for path in files:
        json.loads(path.read_text(encoding="utf-8"), parse_constant=refuse)
    pages = list(built.rglob("index.html"))
    blocks = 0
    for page in pages:
        for block in re.findall(r'<script type="application/ld\+json">(.*?)</script>', page.read_text(encoding="utf-8"), re.S):
            json.loads(block, parse_constant=refuse)
            blocks += 1
    assert blocks


def test_csv_cells_never_start_a_formula(built: Path) -> None:
    tables = list(built.rglob("*.csv"))
    assert tables
    seen = False
    for table in tables:
        for row in csv.reader(io.StringIO(table.read_text(encoding="utf-8-sig"))):
            for cell in row:
                assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), (table.name, cell)
                seen = seen or cell.startswith("'=HYPERLINK")
    assert seen


def test_site_is_world_readable(built: Path) -> None:
    for path in [built, *built.rglob("*")]:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o755 if path.is_dir() else 0o644), (path, oct(mode))


def test_leftovers_of_killed_builds_are_removed(built: Path) -> None:
    def names() -> list[str]:
        return sorted(p.name for p in built.parent.iterdir() if p.name.startswith(".site-"))

    deadline = time.monotonic() + 30  # removed by a background process
    while names() != [".site-cache", ".site-lock"] and time.monotonic() < deadline:
        time.sleep(0.05)
    assert names() == [".site-cache", ".site-lock"]


def test_a_second_build_at_the_same_time_is_refused_and_the_site_kept(built: Path) -> None:
    import fcntl

    before = (built / "index.html").read_bytes()
    held = os.open(built.with_name(".site-lock"), os.O_RDONLY)
    try:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)  # as a running build holds it
        result = tthc("build", "--catalog", str(MINI), "--site-dir", str(built), "--no-search")
        beside = tthc("build", "--catalog", str(MINI), "--site-dir", str(built.with_name("other-site")),
                      "--no-search", "--no-cache")
    finally:
        os.close(held)
        shutil.rmtree(built.with_name("other-site"), ignore_errors=True)
        shutil.rmtree(built.with_name(".other-site-lock"), ignore_errors=True)
    assert result.returncode == 1 and "another build" in result.stderr and "Traceback" not in result.stderr
    assert (built / "index.html").read_bytes() == before
    assert beside.returncode == 0, beside.stderr  # another site in the same folder is not blocked


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_folder_is_a_clear_error(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        result = tthc("build", "--catalog", str(MINI), "--site-dir", str(folder / "site"), "--no-search")
    finally:
        folder.chmod(0o755)
    assert result.returncode == 1 and "cannot write" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("where", ["tempfile.mkdtemp", "generator.build._publishable"])
def test_a_full_disk_is_a_clear_error_and_the_previous_site_stays(built: Path, monkeypatch: pytest.MonkeyPatch,
                                                                  where: str) -> None:
    import errno

    from generator.build import build_site
    from generator.errors import BuildError

    def full(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    before = sorted(p.relative_to(built).as_posix() for p in built.rglob("*"))
    monkeypatch.setattr(where, full)
    with pytest.raises(BuildError, match="No space left on device.*previous site is left as it was"):
        build_site(MINI, built, config_file=ROOT / "mkdocs.yml", search=False)
    assert sorted(p.relative_to(built).as_posix() for p in built.rglob("*")) == before
    deadline = time.monotonic() + 30  # what an earlier build left is removed by a background process
    while [p for p in built.parent.iterdir() if p.name.startswith((".site-building-", ".site-old-"))] and \
            time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [p for p in built.parent.iterdir() if p.name.startswith((".site-building-", ".site-old-"))]


def test_the_new_site_replaces_the_old_in_one_exchange(tmp_path: Path) -> None:
    from generator.build import _swap

    site, staging = tmp_path / "site", tmp_path / ".site-building-x"
    site.mkdir()
    (site / "index.html").write_text("old", encoding="utf-8")
    staging.mkdir()
    (staging / "index.html").write_text("new", encoding="utf-8")
    old = _swap(staging, site)
    assert (site / "index.html").read_text(encoding="utf-8") == "new"
    assert (old / "index.html").read_text(encoding="utf-8") == "old"  # kept by the caller as the spare, or removed
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["site", old.name])


def test_a_build_removes_no_folder_of_another_site_beside_it(tmp_path: Path) -> None:
    """Two sites in one folder, ``site`` and ``site-old``: a build of ``site`` removes its own
    leftovers only. ``site-old``'s spare, cache and lock (``.site-old-spare``…) matched the
    ``.site-old-*`` of ``site``'s leftovers and were removed, while a build of ``site-old`` might be
    moving folders out of that spare into its new site."""
    out = tmp_path / "out"
    for name in ("site-old", "site-old", "site"):
        result = tthc("build", "--catalog", str(MINI), "--site-dir", str(out / name), "--no-search")
        assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in out.iterdir() if p.name.startswith(".site-old-")) == [
        ".site-old-cache", ".site-old-lock", ".site-old-spare"]
    assert (out / ".site-old-spare" / "thu-tuc" / "1.000001" / "index.html").is_file()


def test_the_home_page_title_is_the_site_name_once_and_other_pages_add_it(built: Path) -> None:
    site = "Danh mục thủ tục hành chính"

    def title(path: str) -> str:
        return re.search(r"<title>(.*?)</title>", (built / path / "index.html").read_text(encoding="utf-8"), re.S)[1]

    assert title(".") == site
    assert title("du-lieu-mo") == f"Dữ liệu mở - {site}"
    assert title("thu-tuc/1.000002").endswith(f" - {site}") and title("thu-tuc/1.000002") != site
    assert title("linh-vuc").endswith(f" - {site}")
