"""generator.search: what goes into the Pagefind index, and the bundle it writes."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.errors import BuildError
from generator.search import (
    UNUSED_FILES,
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


def test_searchable_text_keeps_only_the_body_minus_ignored_parts():
    bodies, parts = searchable_text(PAGE)
    assert len(bodies) == 1 and bodies[0].startswith("<article data-pagefind-body>")
    assert bodies[0].endswith("</article>")
    text = " ".join(t for t, _ in parts)
    assert "Đăng ký kết hôn" in text and "1.000894" in text and "Đối tượng" in text
    for outside in ("Đường dẫn", "Điều khoản", "Căn cứ pháp lý", "sửa đổi", "var đ"):
        assert outside not in text


def test_folded_words_keep_the_weight_of_where_they_stand():
    _, parts = searchable_text(PAGE)
    groups = folded_d_words(parts)
    assert groups[7.0] == ["Dang"]          # h1
    assert groups[1.0] == ["dong"]          # body text: "đồng" (not "đã", ignored)
    assert groups[3.0] == ["Doi"]           # explicit data-pagefind-weight
    assert "da" not in sum(groups.values(), [])


def test_a_page_without_body_is_not_indexed():
    bodies, parts = searchable_text("<html><body><h1>Đăng ký</h1></body></html>")
    assert bodies == [] and parts == []


def test_staged_page_escapes_folded_words_and_spaces_blocks():
    page = staged_page(["<div data-pagefind-body><dt>Mã</dt><dd>1.000178</dd></div>"], {1.0: ["a<b>&"]})
    assert "a&lt;b&gt;&amp;" in page
    assert "Mã </dt>  <dd> 1.000178" in page
    assert '<div data-pagefind-body data-pagefind-weight="1" hidden>' in page


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
