"""generator.search: what goes into the Pagefind index, and the bundle it writes."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.errors import BuildError
from generator.search import (
    SUMMARY_WORDS,
    UNUSED_FILES,
    SearchRecord,
    fold,
    folded_d_words,
    index_site,
    searchable_text,
    staged_page,
)

PAGE = """<!doctype html><html lang="vi"><head><title>x</title><script>var đ = 1;</script></head>
<body><nav>Đường dẫn Trang chủ</nav>
<article data-pagefind-body>
  <h1>Đăng ký kết hôn</h1>
  <dl><dt>Mã thủ tục</dt><dd><code data-pagefind-meta="code">1.000894</code></dd></dl>
  <p>Nộp tại Ủy ban nhân dân cấp xã; lệ phí 0 đồng.</p>
  <section data-pagefind-ignore><h2>Căn cứ pháp lý</h2><p>Luật Hộ tịch đã được sửa đổi</p></section>
  <img src="a.png" alt=""><br>
  <p data-pagefind-weight="3">Đối tượng: công dân</p>
</article>
<footer>Điều khoản</footer></body></html>"""


def test_fold_removes_tones_marks_and_d_stroke():
    assert fold("Đăng ký giấy phép đường thủy") == "Dang ky giay phep duong thuy"
    assert fold("Ủy ban nhân dân") == "Uy ban nhan dan"


def test_the_record_keeps_only_the_body_minus_ignored_parts_and_labels():
    record = searchable_text(PAGE)
    text = " ".join(t for t, _ in record.parts)
    assert "Đăng ký kết hôn" in text and "1.000894" in text and "Đối tượng" in text
    for outside in ("Đường dẫn", "Điều khoản", "Căn cứ pháp lý", "sửa đổi", "var đ", "Mã thủ tục"):
        assert outside not in text
    assert record.tags == (("meta", "code", "1.000894"),)


def test_filters_and_meta_are_read_in_both_forms():
    html = (
        '<div data-pagefind-body><h1>A</h1><a data-pagefind-filter="agency">Bộ  Xây\ndựng</a>'
        '<span data-pagefind-filter="level:Cấp tỉnh"></span><img data-pagefind-meta="image[src]" src="x.png"></div>'
    )
    assert searchable_text(html).tags == (("filter", "agency", "Bộ Xây dựng"), ("filter", "level", "Cấp tỉnh"))


def test_long_text_is_cut_to_a_summary_but_the_title_is_not():
    long = " ".join(f"từ{i}" for i in range(SUMMARY_WORDS + 30))
    record = searchable_text(f"<main data-pagefind-body><h1>{long}</h1><p>{long}</p></main>")
    title, body = record.parts
    assert title[0] == long and title[1] == 7.0
    assert body[0].split()[:-1] == long.split()[:SUMMARY_WORDS] and body[0].endswith("…")


def test_folded_words_keep_the_weight_of_where_they_stand():
    groups = folded_d_words(searchable_text(PAGE).parts)
    assert groups[7.0] == ["Dang"]          # h1
    assert groups[1.0] == ["dong"]          # body text: "đồng" ("đã" is in an ignored section)
    assert groups[3.0] == ["Doi"]           # explicit data-pagefind-weight


def test_a_page_without_body_is_not_indexed():
    assert searchable_text("<html><body><h1>Đăng ký</h1></body></html>") is None


def test_staged_page_escapes_everything():
    record = SearchRecord(parts=(("Tên <b>&\"</b>", 7.0), ("đồng <i>", 1.0)), tags=(("filter", "agency", 'A"<x>'),))
    page = staged_page(record)
    assert "<h1>Tên &lt;b&gt;&amp;&quot;&lt;/b&gt;</h1>" in page
    assert 'data-pagefind-filter="agency:A&quot;&lt;x&gt;"' in page
    assert '<p data-pagefind-weight="1" hidden>dong</p>' in page
    assert "<b>" not in page and "<i>" not in page


def _site(root: Path) -> Path:
    (root / "thu-tuc" / "1.000894").mkdir(parents=True)
    (root / "thu-tuc" / "1.000894" / "index.html").write_text(PAGE, encoding="utf-8")
    (root / "index.html").write_text("<html><body><h1>Trang chủ</h1></body></html>", encoding="utf-8")
    return root


def test_index_site_writes_the_bundle_of_body_pages_only(tmp_path: Path):
    site = _site(tmp_path / "site")
    before = (site / "thu-tuc" / "1.000894" / "index.html").read_bytes()
    stats = index_site(site)
    assert stats.pages == 1
    assert stats.folded_words == 3
    bundle = site / "pagefind"
    assert (bundle / "pagefind.js").is_file() and (bundle / "pagefind-entry.json").is_file()
    assert list(bundle.glob("wasm.*.pagefind")) and list((bundle / "fragment").glob("*.pf_fragment"))
    assert not any((bundle / name).exists() for name in UNUSED_FILES)
    assert stats.bundle_bytes == sum(p.stat().st_size for p in bundle.rglob("*") if p.is_file())
    assert (site / "thu-tuc" / "1.000894" / "index.html").read_bytes() == before


def test_index_site_replaces_an_old_bundle(tmp_path: Path):
    site = _site(tmp_path / "site")
    (site / "pagefind").mkdir()
    (site / "pagefind" / "stale.pf_index").write_text("old")
    index_site(site)
    assert not (site / "pagefind" / "stale.pf_index").exists()


def test_index_site_of_a_missing_folder_is_a_build_error(tmp_path: Path):
    with pytest.raises(BuildError, match="no such folder"):
        index_site(tmp_path / "nowhere")


def test_index_site_works_inside_a_running_event_loop(tmp_path: Path):
    import asyncio

    async def inside() -> int:
        return index_site(_site(tmp_path / "site")).pages

    assert asyncio.run(inside()) == 1
