"""History pages and feeds after the fresh reviewer's findings (issue 4 review)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generator.catalog import read_catalog
from generator.history import read_history
from generator.render import render_pages
from generator.render.history import latest_changes, render_feeds, revision_changes
from gitrepo import GitRepo

ROOT = Path(__file__).resolve().parents[1]
MINI = ROOT / "tests" / "fixtures" / "mini_catalog"
PATH = ("procedures", "bo-xay-dung", "1.000001.yaml")


def mini_repo(tmp_path: Path) -> tuple[GitRepo, Path]:
    repo = GitRepo(tmp_path / "repo")
    shutil.copytree(MINI, repo.root / "catalog")
    repo.commit("Danh mục ban đầu", "2026-06-10T09:00:00+07:00")
    return repo, repo.root.joinpath("catalog", *PATH)


def test_unrecorded_substantive_change_is_labelled_and_in_the_feeds(tmp_path: Path) -> None:
    repo, path = mini_repo(tmp_path)
    path.write_text(path.read_text(encoding="utf-8").replace("{value: 10, unit: working_days}",
                                                             "{value: 5, unit: working_days}", 1), encoding="utf-8")
    repo.commit("Cập nhật thời hạn", "2026-07-01T09:00:00+07:00")
    catalog, _ = read_catalog(repo.root / "catalog")
    history = read_history(repo.root)
    (newest, *_) = revision_changes(history, "1.000001")
    assert newest.kind == "unrecorded" and newest.kind_label == "Thay đổi chưa ghi quyết định"
    assert newest in latest_changes(history, limit=None)
    feed = render_feeds(catalog, history)["feeds/all.xml"]
    assert "Thay đổi chưa ghi quyết định" in feed and "Cập nhật thời hạn" in feed
    page = {p.url: p for p in render_pages(catalog, history)}["thu-tuc/1.000001/lich-su/"]
    assert "Thay đổi chưa ghi quyết định" in str(page.html) and "Hiệu đính dữ liệu" not in str(page.html)


@pytest.mark.parametrize("message", [
    "tái nhập thủ tục từ Cổng DVC quốc gia với bộ nhập đã sửa",
    "Sửa lỗi tách thời hạn khi nhập\n\nThời hạn đọc sai từ nguồn.\n\nLoại thay đổi: đính chính dữ liệu",
])
def test_a_declared_data_correction_is_shown_as_such_and_not_announced(tmp_path: Path, message: str) -> None:
    repo, path = mini_repo(tmp_path)
    path.write_text(path.read_text(encoding="utf-8").replace("{value: 10, unit: working_days}",
                                                             "{value: 5, unit: working_days}", 1), encoding="utf-8")
    repo.commit(message, "2026-07-01T09:00:00+07:00")
    catalog, _ = read_catalog(repo.root / "catalog")
    history = read_history(repo.root)
    (newest, *_) = revision_changes(history, "1.000001")
    assert newest.kind == "data_correction" and "Đính chính dữ liệu nhập" in newest.kind_label
    assert newest not in latest_changes(history, limit=None)
    assert "Thời hạn giải quyết" in " ".join(e.text for e in newest.diff.effects)  # what changed is still shown


def test_decision_summary_is_shown_once_on_the_history_page(tmp_path: Path) -> None:
    repo, path = mini_repo(tmp_path)
    path.write_text(path.read_text(encoding="utf-8").replace("{value: 10, unit: working_days}", "{value: 5, unit: working_days}", 1)
                    + 'amendments:\n  - date: "2026-07-01"\n    decision: 99/QĐ-BXD\n    summary: "Giảm thời hạn trực tuyến còn 5 ngày"\n',
                    encoding="utf-8")
    repo.commit("Theo 99/QĐ-BXD", "2026-07-02T09:00:00+07:00")
    catalog, _ = read_catalog(repo.root / "catalog")
    page = {p.url: p for p in render_pages(catalog, read_history(repo.root))}["thu-tuc/1.000001/lich-su/"]
    assert str(page.html).count("Giảm thời hạn trực tuyến còn 5 ngày") == 1


def test_shallow_boundary_is_not_shown_as_a_change_by_its_commit(tmp_path: Path) -> None:
    repo, path = mini_repo(tmp_path)
    other = repo.root / "catalog" / "agencies.yaml"
    other.write_text(other.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    repo.commit("Sửa agencies.yaml, không liên quan", "2026-07-02T09:00:00+07:00", author="Người Khác")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{repo.root}", str(clone)], check=True)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    run = [sys.executable, "-m", "generator.cli", "history", "1.000001"]
    refused = subprocess.run(run, cwd=clone, capture_output=True, text=True, env=env)
    assert refused.returncode == 1 and "git fetch --unshallow" in refused.stderr and "fetch-depth: 0" in refused.stderr
    assert "Traceback" not in refused.stderr
    run.append("--allow-shallow")
    text = subprocess.run(run, cwd=clone, capture_output=True, text=True, env=env)
    assert text.returncode == 0, text.stderr
    assert "không liên quan" not in text.stdout and "Người Khác" not in text.stdout
    assert "ranh giới bản sao nông" in text.stdout and "git fetch --unshallow" in text.stdout
    assert "shallow clone" not in text.stdout  # Vietnamese surface: no English sentence
    data = json.loads(subprocess.run([*run, "--format", "json"], cwd=clone, capture_output=True, text=True, env=env).stdout)
    (rev,) = data["revisions"]
    assert rev["kind"] == "boundary" and rev["author"] is None and rev["subject"] is None
    assert [w["code"] for w in data["warnings"]] == ["history-shallow"]  # the tthc validate --format json shape
    assert all("shallow clone" in w["message"] and "git fetch --unshallow" in w["hint"] for w in data["warnings"])
    catalog, _ = read_catalog(clone / "catalog")
    pages = {p.url: str(p.html) for p in render_pages(catalog, read_history(clone, allow_shallow=True))}
    page = pages["thu-tuc/1.000001/lich-su/"]
    assert "không liên quan" not in page and "Người Khác" not in page and "ranh giới bản sao nông" in page
    assert "02/07/2026" not in page and "Không rõ ngày" in page  # the boundary commit's date is not the version's
    revision = next(html for url, html in pages.items() if url.startswith("thu-tuc/1.000001/phien-ban/"))
    assert "không liên quan" not in revision and "ranh giới bản sao nông" in revision


def test_procedure_page_shows_the_effects_of_each_simplification(tmp_path: Path) -> None:
    repo, path = mini_repo(tmp_path)
    text = path.read_text(encoding="utf-8").replace("{value: 10, unit: working_days}", "{value: 5, unit: working_days}", 1)
    text = text.replace("source:\n", '  - stage: implemented\n    date: 2026-07-01\n    decision: 98/QĐ-BXD\n    kinds: [cut_time]\n'
                                      '    summary: Giảm thời hạn\nsource:\n', 1)
    path.write_text(text, encoding="utf-8")
    repo.commit("Đơn giản hóa theo 98/QĐ-BXD", "2026-07-02T09:00:00+07:00")
    catalog, report = read_catalog(repo.root / "catalog")
    assert not report.errors, [d.format() for d in report.errors]
    pages = {p.url: str(p.html) for p in render_pages(catalog, read_history(repo.root))}
    page = next(html for url, html in pages.items() if url.startswith("thu-tuc/1.000001/") and "lich-su" not in url
                and "phien-ban" not in url)
    section = page[page.index('id="don-gian-hoa"'):]
    section = section[:section.index("</section>")]
    assert "98/QĐ-BXD" in section and "10 → 5 ngày làm việc" in section


# --- 11. no pretended site address ----------------------------------------------------------

def test_feeds_without_a_site_url_use_relative_links_and_urn_ids(tmp_path: Path) -> None:
    import xml.etree.ElementTree as ET

    atom = "{http://www.w3.org/2005/Atom}"
    repo, path = mini_repo(tmp_path)
    path.write_text(path.read_text(encoding="utf-8").replace("{value: 10, unit: working_days}", "{value: 5, unit: working_days}", 1),
                    encoding="utf-8")
    repo.commit("Cập nhật", "2026-07-01T09:00:00+07:00")
    catalog, _ = read_catalog(repo.root / "catalog")
    history = read_history(repo.root)
    feeds = render_feeds(catalog, history)
    for name, xml in feeds.items():
        assert "http://" not in xml.replace("http://www.w3.org/2005/Atom", "") and "https://" not in xml, name
        root = ET.fromstring(xml.encode("utf-8"))
        assert root.find(f"{atom}id").text.startswith("urn:uuid:")
        entries = root.findall(f"{atom}entry")
        assert entries and all(e.find(f"{atom}id").text.startswith("urn:uuid:") for e in entries)
        assert all(e.find(f"{atom}link").get("href").startswith("../thu-tuc/") for e in entries)
    assert render_feeds(catalog, history) == feeds  # ids stable
    with_url = render_feeds(catalog, history, site_url="https://tthc.example.vn")["feeds/all.xml"]
    root = ET.fromstring(with_url.encode("utf-8"))
    assert root.find(f"{atom}entry/{atom}link").get("href").startswith("https://tthc.example.vn/thu-tuc/")


def test_default_build_has_no_canonical_link_to_a_dev_address(tmp_path: Path) -> None:
    from generator.build import build_site

    env = {k: v for k, v in os.environ.items() if k != "TTHC_SITE_URL"}
    old = os.environ.copy()
    os.environ.clear()
    os.environ.update(env)
    try:
        build_site(MINI, tmp_path / "site", config_file=ROOT / "mkdocs.yml", search=False, history=False)
    finally:
        os.environ.clear()
        os.environ.update(old)
    html = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert 'rel="canonical"' not in html
    for page in (tmp_path / "site").rglob("*.html"):
        assert "127.0.0.1" not in page.read_text(encoding="utf-8"), page


def test_history_of_a_move_names_both_agencies(tmp_path: Path) -> None:
    from gitrepo import repo_with_a_move

    repo = repo_with_a_move(tmp_path / "repo")
    repo.commit("Chuyển", "2026-06-11T09:00:00+07:00")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    out = subprocess.run([sys.executable, "-m", "generator.cli", "history", "1.000001"], cwd=repo.root,
                         capture_output=True, text=True, env=env).stdout
    assert "Chuyển cơ quan công bố" in out and "• Cơ quan công bố: Bộ Thử nghiệm A → Bộ Thử nghiệm B" in out
    assert "định dạng" not in out


# --- reading history and compare pages (issue 11, item 3) --------------------------------

@pytest.fixture(scope="module")
def four_revisions(tmp_path_factory: pytest.TempPathFactory):
    """The mini catalog with four revisions of 1.000001: time limit and a copy count cut with a
    step reworded; a requirement reworded (with markup in it); the fee changed."""
    repo, path = mini_repo(tmp_path_factory.mktemp("review"))
    text = path.read_text(encoding="utf-8")
    text = text.replace("{value: 10, unit: working_days}", "{value: 5, unit: working_days}", 1)
    text = text.replace("    copies: 2\n", "    copies: 1\n", 1)
    text = text.replace("Chủ đầu tư nộp hồ sơ tại bộ phận một cửa.",
                        "Chủ đầu tư nộp hồ sơ trực tuyến hoặc tại bộ phận một cửa.", 1)
    path.write_text(text, encoding="utf-8")
    repo.commit("Giảm thời hạn trực tuyến", "2026-07-01T09:00:00+07:00")
    text = text.replace('"Có quyền sử dụng đất hợp pháp"', '"Có quyền sử dụng đất hợp pháp <b>theo</b> Luật Đất đai"', 1)
    path.write_text(text, encoding="utf-8")
    repo.commit("Sửa điều kiện", "2026-07-05T09:00:00+07:00")
    text = text.replace("amount_vnd: 75000", "amount_vnd: 50000")
    path.write_text(text, encoding="utf-8")
    repo.commit("Giảm lệ phí", "2026-07-09T09:00:00+07:00")
    catalog, report = read_catalog(repo.root / "catalog")
    assert not report.errors, [d.format() for d in report.errors]
    history = read_history(repo.root)
    pages = {p.url: str(p.html) for p in render_pages(catalog, history)}
    return history, pages


def _entry(html: str, short: str) -> str:
    start = html.index(f'id="r-{short}"')
    end = html.find('<li class="tthc-revision', start)
    return html[start:end if end != -1 else len(html)]


def test_history_entry_shows_effects_first_then_only_the_other_field_changes(four_revisions) -> None:
    history, pages = four_revisions
    _, second, *_ = history.of("1.000001")
    entry = _entry(pages["thu-tuc/1.000001/lich-su/"], second.short)
    effect = "Thời hạn giải quyết (Trực tuyến): 10 → 5 ngày làm việc"
    assert effect in entry and "Bản sao «Bản vẽ thiết kế»: 2 → 1" in entry
    changes = entry[entry.index('class="tthc-changes"'):]
    assert entry.index(effect) < entry.index('class="tthc-changes"')
    assert "Các thay đổi khác (1)" in entry  # the step; the time limit and the copies are said once, as effects
    assert "Thời hạn giải quyết" not in changes and "Bản sao" not in changes
    assert "<ins>trực tuyến hoặc</ins>" in changes


def test_changed_text_is_a_word_level_difference_with_markup_and_escaped(four_revisions) -> None:
    history, pages = four_revisions
    third = history.of("1.000001")[2]
    entry = _entry(pages["thu-tuc/1.000001/lich-su/"], third.short)
    assert "<ins>&lt;b&gt;theo&lt;/b&gt; Luật Đất đai</ins>" in entry
    assert "<b>" not in entry
    assert '<span class="tthc-change__label">Yêu cầu, điều kiện thực hiện:</span> Có quyền sử dụng đất hợp pháp <ins>' in entry


def test_word_diff_marks_deletions_and_insertions_and_keeps_little_around_them() -> None:
    from generator.render.review import word_diff

    assert str(word_diff("Thời hạn 10 ngày", "Thời hạn 5 ngày")) == "Thời hạn <del>10</del> <ins>5</ins> ngày"
    long_old = " ".join(f"từ{i}" for i in range(40))  # long unchanged runs: cut to 3 words
    long_new = long_old.replace("từ20", "chữ & <mới>")
    html = str(word_diff(long_old, long_new, context=3))
    assert html == "… từ17 từ18 từ19 <del>từ20</del> <ins>chữ &amp; &lt;mới&gt;</ins> từ21 từ22 từ23…"
    assert str(word_diff("", "mới")) == "<ins>mới</ins>" and str(word_diff("cũ", "")) == "<del>cũ</del>"


def test_current_revision_has_a_neutral_badge_and_past_ones_the_warning(four_revisions) -> None:
    history, pages = four_revisions
    first, *_, newest = history.of("1.000001")
    page = pages["thu-tuc/1.000001/lich-su/"]
    assert '<span class="tthc-badge">Phiên bản hiện hành</span>' in _entry(page, newest.short)
    assert page.count('class="tthc-badge"') == 1
    current = pages[f"thu-tuc/1.000001/phien-ban/{newest.short}/"]
    assert "tthc-banner--info" in current and "tthc-banner--warning" not in current and "tthc-badge" in current
    past = pages[f"thu-tuc/1.000001/phien-ban/{first.short}/"]
    assert "tthc-banner--warning" in past and "tthc-badge" not in past


def test_any_two_revisions_are_comparable_from_the_history_page(four_revisions) -> None:
    history, pages = four_revisions
    r1, r2, r3, r4 = history.of("1.000001")
    page = pages["thu-tuc/1.000001/lich-su/"]
    assert '<script src="../../../assets/javascripts/tthc-compare.js" defer></script>' in page
    assert "<script>" not in page  # no inline script (CSP script-src 'self')
    raw = page.split('data-pages="', 1)[1].split('"', 1)[0]
    targets = json.loads(raw.replace("&#34;", '"').replace("&quot;", '"'))
    assert len(targets) == 6  # every pair of four revisions
    assert targets[f"{r1.short}..{r4.short}"] == f"../../../thu-tuc/1.000001/phien-ban/{r1.short}/#so-sanh"
    assert targets[f"{r2.short}..{r3.short}"] == f"../../../thu-tuc/1.000001/phien-ban/{r3.short}/#so-voi-truoc"
    assert targets[f"{r1.short}..{r3.short}"] == f"../../../thu-tuc/1.000001/so-sanh/{r1.short}-{r3.short}/"
    for target in targets.values():  # every target is a page of the site, with the section it names
        url, _, anchor = target.removeprefix("../../../").partition("#")
        assert url in pages and (not anchor or f'id="{anchor}"' in pages[url])
    compared = pages[f"thu-tuc/1.000001/so-sanh/{r1.short}-{r3.short}/"]
    assert "Thời hạn giải quyết (Trực tuyến): 10 → 5 ngày làm việc" in compared
    assert "<ins>&lt;b&gt;theo&lt;/b&gt; Luật Đất đai</ins>" in compared and "<ins>trực tuyến hoặc</ins>" in compared
    assert "75.000 → 50.000" not in compared  # the fee changed only in r4
    assert not any(url.startswith("thu-tuc/1.000002/so-sanh/") for url in pages)  # one revision: nothing to compare


def test_compare_script_is_shipped_with_the_site_templates() -> None:
    script = ROOT / "site_templates" / "overrides" / "assets" / "javascripts" / "tthc-compare.js"
    text = script.read_text(encoding="utf-8")
    assert "data-pages" in text and "fetch(" not in text and "XMLHttpRequest" not in text  # no request off the page


def test_an_effect_covers_only_the_changes_of_its_own_channel() -> None:
    from generator.diff import Change, Effect
    from generator.render.review import covered_by_effects

    effect = Effect("processing_time", "Thời hạn giải quyết (Trực tuyến): 10 → 5 ngày làm việc", 10, 5, "working_days", "Trực tuyến")
    online = Change("changed", "methods[1].processing_time.value", "Cách thức thực hiện › Trực tuyến › Thời hạn giải quyết › Giá trị", 10, 5)
    in_person = Change("changed", "methods[0].processing_time.value", "Cách thức thực hiện › Trực tiếp › Thời hạn giải quyết › Giá trị", 15, 12)
    note = Change("changed", "methods[1].processing_time.note", "Cách thức thực hiện › Trực tuyến › Thời hạn giải quyết › Ghi chú", "a", "b")
    assert covered_by_effects(online, [effect])
    assert not covered_by_effects(in_person, [effect]) and not covered_by_effects(note, [effect])


def test_a_fee_change_is_said_once_as_its_effect(four_revisions) -> None:
    history, pages = four_revisions
    entry = _entry(pages["thu-tuc/1.000001/lich-su/"], history.of("1.000001")[3].short)
    assert "Phí, lệ phí (Trực tuyến): 75.000 → 50.000 đồng" in entry and "tthc-changes" not in entry


def test_a_change_of_invisible_characters_only_says_so() -> None:
    from generator.render.review import word_diff

    html = str(word_diff("người yêu cầu đăng \u200bký hộ tịch", "người yêu cầu đăng ký hộ tịch"))
    assert "<del>\u200bký</del> <ins>ký</ins>" in html and "chỉ khác ký tự vô hình" in html
    assert "vô hình" not in str(word_diff("đăng ký", "đăng kí"))


def test_revision_page_shows_the_new_entry_in_the_change_from_the_previous_version(tmp_path: Path) -> None:
    repo, path = mini_repo(tmp_path)
    path.write_text(path.read_text(encoding="utf-8")
                    + 'amendments:\n  - date: "2026-07-01"\n    decision: 99/QĐ-BXD\n    summary: "Bổ sung căn cứ"\n', encoding="utf-8")
    sha = repo.commit("Theo 99/QĐ-BXD", "2026-07-02T09:00:00+07:00")
    catalog, _ = read_catalog(repo.root / "catalog")
    page = str({p.url: p for p in render_pages(catalog, read_history(repo.root))}[f"thu-tuc/1.000001/phien-ban/{sha[:10]}/"].html)
    section = page[page.index('id="so-voi-truoc"'):]
    assert "Sửa đổi, bổ sung" in section and "99/QĐ-BXD" in section and "Bổ sung căn cứ" in section
    assert "Không có thay đổi về nội dung" not in section


def test_compare_pages_are_capped_to_the_newest_revisions() -> None:
    from types import SimpleNamespace

    from generator.render.history import COMPARE_PAIRS_NEWEST, compare_targets

    revs = [SimpleNamespace(commit=f"{i:040d}", short=f"{i:010d}", path="p") for i in range(10, 0, -1)]  # newest first
    shown = [SimpleNamespace(revision=r, previous=(revs[i + 1] if i + 1 < len(revs) else None)) for i, r in enumerate(revs)]
    targets, extra = compare_targets("1.000001", shown, revs[0].commit)
    assert all(shown.index(o) < COMPARE_PAIRS_NEWEST and shown.index(n) < COMPARE_PAIRS_NEWEST for o, n in extra)
    assert len(extra) == 6 * 5 // 2 - (2 * 6 - 3)  # any two of the newest six
    assert len(targets) == len(extra) + 9 + 8  # + every revision vs the current one + every adjacent pair
