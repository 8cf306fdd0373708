"""History pages, revision pages and Atom feeds of a mini catalog kept in a small git repository."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from generator.catalog import read_catalog
from generator.history import read_history
from generator.render import render_pages
from generator.render.history import latest_changes, recent_changes, render_feeds
from gitrepo import GitRepo

ROOT = Path(__file__).resolve().parents[1]
MINI = ROOT / "tests" / "fixtures" / "mini_catalog"
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory):
    repo = GitRepo(tmp_path_factory.mktemp("pages") / "repo")
    shutil.copytree(MINI, repo.root / "catalog")
    repo.commit("Danh mục ban đầu", "2026-06-10T09:00:00+07:00", author="Nguyễn Văn A")
    path = repo.root / "catalog" / "procedures" / "bo-xay-dung" / "1.000001.yaml"
    text = path.read_text(encoding="utf-8")
    assert "{value: 10, unit: working_days}" in text
    text = text.replace("{value: 10, unit: working_days}", "{value: 5, unit: working_days}", 1)
    text += ("amendments:\n  - date: \"2026-07-01\"\n    decision: 99/QĐ-BXD\n"
             "    summary: \"Giảm thời hạn trực tuyến <script>alert(1)</script>\"\n")
    path.write_text(text, encoding="utf-8")
    sha = repo.commit("Giảm thời hạn theo 99/QĐ-BXD", "2026-07-02T08:00:00+07:00", author="Trần & Lê")
    catalog, report = read_catalog(repo.root / "catalog")
    assert not report.errors, [d.format() for d in report.errors]
    history = read_history(repo.root)
    pages = {page.url: page for page in render_pages(catalog, history)}
    return catalog, history, pages, sha


def test_history_page_lists_revisions_newest_first_with_decision_and_effects(site) -> None:
    _, _, pages, _ = site
    html = str(pages["thu-tuc/1.000001/lich-su/"].html)
    assert html.index("02/07/2026") < html.index("10/06/2026")
    assert "99/QĐ-BXD" in html
    assert "Thời hạn giải quyết (Trực tuyến): 10 → 5 ngày làm việc" in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "Trần &amp; Lê" in html  # author names are escaped (git itself strips < and >)


def test_revision_pages_are_stable_and_marked_when_past(site) -> None:
    _, history, pages, sha = site
    first, second = history.of("1.000001")
    old = str(pages[f"thu-tuc/1.000001/phien-ban/{first.short}/"].html)
    assert "Đây không phải phiên bản hiện hành" in old
    assert "So sánh với phiên bản hiện hành" in old and "10 → 5 ngày làm việc" in old
    current = str(pages[f"thu-tuc/1.000001/phien-ban/{sha[:10]}/"].html)
    assert "Đây là phiên bản hiện hành" in current
    # a procedure never changed has one revision page and a history page
    assert f"thu-tuc/1.000002/phien-ban/{history.of('1.000002')[0].short}/" in pages


def test_recent_and_latest_changes(site) -> None:
    _, history, _, sha = site
    recent = recent_changes(history, "1.000001")
    assert [rc.revision.commit for rc in recent][0] == sha and len(recent) == 2
    latest = latest_changes(history, limit=3)
    assert latest[0].code == "1.000001" and latest[0].decisions == ("99/QĐ-BXD",)


def test_atom_feeds_are_valid_and_per_agency(site) -> None:
    catalog, history, _, _ = site
    feeds = render_feeds(catalog, history, site_url="https://tthc.example.vn/")
    assert "feeds/all.xml" in feeds and "feeds/bo-xay-dung.xml" in feeds
    root = ET.fromstring(feeds["feeds/all.xml"].encode("utf-8"))
    entries = root.findall(f"{ATOM}entry")
    assert entries[0].find(f"{ATOM}updated").text == "2026-07-02T08:00:00+07:00"
    content = entries[0].find(f"{ATOM}content").text
    assert "10 → 5 ngày làm việc" in content and "&lt;script&gt;" in content and "<script>" not in content
    assert entries[0].find(f"{ATOM}link").get("href").startswith("https://tthc.example.vn/thu-tuc/1.000001/lich-su/")
    agency = ET.fromstring(feeds["feeds/ubnd-tinh-an-giang.xml"].encode("utf-8"))
    codes = {e.find(f"{ATOM}title").text.split()[0] for e in agency.findall(f"{ATOM}entry")}
    assert codes and all(code.startswith(("2.", "6.")) for code in codes)
    assert render_feeds(catalog, history) == render_feeds(catalog, history)  # deterministic


def test_corrections_without_a_decision_stay_off_the_feeds(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "repo")
    shutil.copytree(MINI, repo.root / "catalog")
    repo.commit("Danh mục ban đầu", "2026-06-10T09:00:00+07:00")
    path = repo.root / "catalog" / "procedures" / "bo-xay-dung" / "1.000002.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("name: ", "name: Hiệu đính ", 1), encoding="utf-8")
    repo.commit("Sửa lỗi chính tả", "2026-07-01T09:00:00+07:00")
    catalog, _ = read_catalog(repo.root / "catalog")
    history = read_history(repo.root)
    assert "1.000002" not in {rc.code for rc in latest_changes(history, limit=None) if rc.previous is not None}
    assert "Sửa lỗi chính tả" not in render_feeds(catalog, history)["feeds/all.xml"]
    page = {p.url: p for p in render_pages(catalog, history)}["thu-tuc/1.000002/lich-su/"]
    assert "Hiệu đính dữ liệu" in str(page.html) and "Sửa lỗi chính tả" in str(page.html)
