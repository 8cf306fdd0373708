"""generator.search: what goes into the Pagefind index, and the bundle it writes."""

from __future__ import annotations

import gzip
import json
import re
import shutil
from pathlib import Path

import pytest

from generator.errors import BuildError
from generator.search import (
    BAG_WORDS,
    UNUSED_FILES,
    SearchRecord,
    _index,
    _read_cbor_file,
    compact_bundle,
    fold,
    folded_d_words,
    index_site,
    searchable_text,
    staged_page,
    strip_marks,
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


def test_strip_marks_keeps_d_stroke_as_pagefind_does():
    assert strip_marks("Đất đai giấy phép") == "Đat đai giay phep"


def test_fold_removes_tones_marks_and_d_stroke():
    assert fold("Đăng ký giấy phép đường thủy") == "Dang ky giay phep duong thuy"
    assert fold("Ủy ban nhân dân") == "Uy ban nhan dan"


def test_the_record_keeps_only_the_body_minus_ignored_parts_and_labels():
    record = searchable_text(PAGE)
    text = " ".join(t for t, _ in record.parts)
    assert "Đăng ký kết hôn" in text and "1.000894" in text and "Đoi Doi tuong" in text   # the bag is folded
    for outside in ("Đường dẫn", "Điều khoản", "Căn cứ pháp lý", "sửa đổi", "var đ", "Mã thủ tục"):
        assert fold(outside) not in fold(text)
    assert record.tags == (("meta", "code", "1.000894"),)


def test_filters_and_meta_are_read_in_both_forms():
    html = (
        '<div data-pagefind-body><h1>A</h1><a data-pagefind-filter="agency">Bộ  Xây\ndựng</a>'
        '<span data-pagefind-filter="level:Cấp tỉnh"></span><img data-pagefind-meta="image[src]" src="x.png"></div>'
    )
    assert searchable_text(html).tags == (("filter", "agency", "Bộ Xây dựng"), ("filter", "level", "Cấp tỉnh"))


def test_the_bag_holds_each_word_once_without_title_words_or_numbers():
    long = " ".join(f"từ{i}" for i in range(40))
    record = searchable_text(f"<main data-pagefind-body><h1>{long} từ0</h1><p>Từ1, TỪ41 từ41 (từ42) 12 34/2020 từ0</p></main>")
    title, bag = record.parts
    assert title == (f"{long} từ0", 7.0)   # the title is kept in full
    assert bag == ("TU41 tu42", 1.0)   # folded


def test_the_bag_stops_at_bag_words():
    long = " ".join(f"từ{i}" for i in range(BAG_WORDS + 30))
    record = searchable_text(f"<main data-pagefind-body><h1>Tên</h1><p>{long}</p></main>")
    assert record.parts[1][0].split() == fold(long).split()[:BAG_WORDS]


PROCEDURE = """<article data-pagefind-body><h1>Cấp giấy phép xây dựng</h1>
<div class="tthc-banner tthc-banner--abolished" role="note"><p>Đã bãi bỏ. Trang được giữ lại.</p></div>
<section class="tthc-card"><dl>
  <div><dt>Mã thủ tục</dt><dd><code data-pagefind-meta="code">1.000178</code></dd></div>
  <div><dt>Loại</dt><dd><a data-pagefind-filter="kind">TTHC được công bố</a></dd></div>
  <div><dt>Cơ quan</dt><dd><a data-pagefind-filter="agency">Bộ Xây dựng</a></dd></div>
  <div><dt>Lĩnh vực</dt><dd><a data-pagefind-filter="sector">Hoạt động xây dựng</a></dd></div>
  <div><dt>Cấp</dt><dd><a data-pagefind-filter="level">Cấp tỉnh</a>, <a data-pagefind-filter="level">Cấp xã</a></dd></div>
  <div><dt>Thời hạn</dt><dd>Trực tiếp: 15 ngày làm việc</dd></div>
  <div><dt>Tình trạng</dt><dd><span data-pagefind-filter="status">Đã bãi bỏ</span></dd></div>
</dl></section>
<section aria-labelledby="trinh-tu"><h2 id="trinh-tu">Trình tự</h2><ol><li><strong>Bước 1: Nộp hồ sơ</strong> tại bộ phận một cửa</li></ol></section>
<section aria-labelledby="doi-tuong"><h2 id="doi-tuong">Đối tượng</h2><ul><li>Chủ đầu tư</li></ul></section>
</article>"""


def test_a_procedure_gives_title_facts_then_subjects_first_in_the_bag():
    record = searchable_text(PROCEDURE)
    assert record.parts == (
        ("Cấp giấy phép xây dựng", 7.0),
        ("1.000178 Bo Hoat đong dong tinh xa", 1.0),   # folded; "Cấp", "Xây", "dựng" already stand in the title
        ("Chu đau dau tu Buoc Nop ho so tai phan mot cua", 1.0),  # "bộ" stands in the facts
    )
    assert ("filter", "status", "Đã bãi bỏ") in record.tags and ("filter", "kind", "TTHC được công bố") in record.tags


def test_card_values_banner_kind_and_status_are_not_indexed_as_words():
    text = " ".join(t for t, _ in searchable_text(PROCEDURE).parts)
    for left_out in ("Trực tiếp", "ngày làm việc", "bãi bỏ", "giữ lại", "TTHC", "công bố", "Mã thủ tục"):
        assert left_out not in text


def test_a_folded_word_stands_once_and_not_when_already_there():
    parts = (("Đăng ký đăng", 7.0), ("dong đồng Đăng", 1.0))
    assert folded_d_words(parts) == {7.0: ["Dang"]}


def test_folded_words_keep_the_weight_of_where_they_stand():
    assert folded_d_words((("Đăng ký", 7.0), ("đồng Đăng Đối", 1.0))) == {7.0: ["Dang"], 1.0: ["dong", "Doi"]}
    assert folded_d_words(searchable_text(PAGE).parts) == {7.0: ["Dang"]}   # the rest is folded already


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
    assert stats.folded_words == 1
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


def test_records_from_rendered_bodies_equal_records_from_whole_pages_on_the_real_catalog(monkeypatch):
    """The render stage reads each procedure's record from the body it just rendered, without the
    parts marked data-pagefind-ignore (generator.search.without_ignored); on every real procedure
    that gives the record of the whole page as Material wraps it, read element by element."""
    import generator.search as search
    from generator.catalog import read_catalog
    from generator.render.procedures import ProcedureRenderer

    catalog, _ = read_catalog(Path(__file__).resolve().parents[1] / "catalog")
    renderer = ProcedureRenderer(catalog)
    layout_head = '<html><body><header data-pagefind-ignore><nav>Trang chủ <a data-pagefind-filter="agency">x</a></nav></header><main>'
    pruned = {p.code: search.searchable_text(str(renderer.page(p).html)) for p in catalog.procedures}
    monkeypatch.setattr(search, "without_ignored", lambda html: html)
    whole = {p.code: search.searchable_text(f"{layout_head}{renderer.page(p).html}</main></body></html>")
             for p in catalog.procedures}
    assert len(pruned) == len(catalog.procedures) > 1000
    assert all(record is not None for record in pruned.values())
    assert [code for code in pruned if pruned[code] != whole[code]] == []


def _events(html: str, fast: bool) -> list[tuple]:
    """The handler calls the search reader makes for ``html``: by the fast reader (None when it
    declines) or by the standard library's parser."""
    from html.parser import HTMLParser

    from generator.search import _feed_fast

    class Recorder(HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.calls: list[tuple] = []

        def handle_starttag(self, tag, attrs):
            self.calls.append(("start", tag, attrs))

        def handle_startendtag(self, tag, attrs):
            self.calls.append(("startend", tag, attrs))

        def handle_endtag(self, tag):
            self.calls.append(("end", tag))

        def handle_data(self, data):
            self.calls.append(("data", data))

    recorder = Recorder()
    if fast:
        return recorder.calls if _feed_fast(recorder, html) else None
    recorder.feed(html)
    recorder.close()
    return recorder.calls


def test_the_fast_reader_reads_pages_as_the_standard_parser_does_or_declines():
    """generator.search._feed_fast must give the handlers exactly what HTMLParser gives them: on every
    page of the real catalog's procedures (as the render stage renders them) and on markup that is
    read differently by naive readers; what it cannot read exactly it leaves to HTMLParser."""
    from generator.catalog import read_catalog
    from generator.render.procedures import ProcedureRenderer
    from generator.search import without_ignored

    tricky = [
        '<DIV Class="A&amp;B" hidden data-x=\'1\' data-y=2>a &amp; b &#39;c&#x27; &nbsp;d<BR/>e</DIV>',
        '<p>x<!-- a <b>comment</b> -->y</p><!DOCTYPE html><script>if (a < b && c) {"</p>"}</script>z',
        '<style>p > a {color: red}</style><input value="a > b" disabled><img src=x.png alt="">',
        '<p title="multi\nline">t</p   >\n\t  <span>&lt;not a tag&gt;</span>',
    ]
    for html in tricky:
        assert _events(html, fast=True) == _events(html, fast=False), html
    for declined in ("a < b", "<p>x</p><!-- never closed", "<?xml version='1.0'?><p>x</p>", "</p class=x>"):
        assert _events(declined, fast=True) is None, declined
    catalog, _ = read_catalog(Path(__file__).resolve().parents[1] / "catalog")
    renderer = ProcedureRenderer(catalog)
    differing = [p.code for p in catalog.procedures
                 if _events(html := without_ignored(str(renderer.page(p).html)), fast=True) != _events(html, fast=False)]
    assert differing == []


def test_without_ignored_cuts_nested_elements_and_keeps_unmatched_markup():
    from generator.search import without_ignored

    html = ('<p>a</p><section data-pagefind-ignore><section>b</section><p>c</p></section><p>d</p>'
            '<div class="x" data-pagefind-ignore>e<div>f</div></div>g')
    assert without_ignored(html) == "<p>a</p><p>d</p>g"
    broken = "<p>a</p><nav data-pagefind-ignore><nav>b</nav>"
    assert without_ignored(broken) == broken
    assert without_ignored('<p data-pagefind-ignore-not>x</p>') == '<p data-pagefind-ignore-not>x</p>'
def _fragments(bundle: Path) -> dict[str, dict]:
    """Each fragment file's JSON, by page name (``vi_…``), read as Pagefind's JS reads it."""
    out = {}
    for path in (bundle / "fragment").glob("*.pf_fragment"):
        raw = gzip.decompress(path.read_bytes())
        assert raw.startswith(b"pagefind_dcd")
        out[path.stem] = json.loads(raw[len(b"pagefind_dcd"):])
    return out


def _index_by_url(bundle: Path) -> dict:
    """What a bundle tells Pagefind's search, with pages named by URL instead of number:
    each page's word count, each word's pages with their locations (and each variant's),
    each filter value's pages, the index chunks' word ranges; read with the decoder
    :func:`compact_bundle` uses, which checks that each file encodes back to its bytes."""
    entry = json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))["languages"]["vi"]
    meta = _read_cbor_file(bundle / f"pagefind.{entry['hash']}.pf_meta")
    urls = [_fragments(bundle)[name]["url"] for name, _ in meta[1]]

    def pages(entries: list) -> set:
        number, out = 0, set()
        for step, locations, meta_locations in entries:
            number += step
            out.add((urls[number], json.dumps(locations), json.dumps(meta_locations)))
        return out

    words = {}
    for _low, _high, name in meta[2]:
        for word, entries, variants in _read_cbor_file(bundle / "index" / f"{name}.pf_index")[0]:
            words[word] = (pages(entries), {variant: pages(v) for variant, v in variants})
    filters = {}
    for _name, name in meta[3]:
        filter_name, values = _read_cbor_file(bundle / "filter" / f"{name}.pf_filter")
        filters[filter_name] = {value: sorted(urls[n] for n in numbers) for value, numbers in values}
    return {"word counts": {url: count for url, (_, count) in zip(urls, meta[1])},
            "chunks": [chunk[:2] for chunk in meta[2]], "words": words, "filters": filters, "rest": meta[4:]}


def test_compact_bundle_keeps_what_every_query_finds_and_drops_the_text(tmp_path: Path):
    staging = tmp_path / "staging"
    for n in range(40):
        page = staging / "thu-tuc" / f"1.{n:06d}" / "index.html"
        page.parent.mkdir(parents=True)
        words = " ".join(f"tu{i}" for i in range(n % 7 + 1))
        page.write_text(staged_page(SearchRecord(((f"Thủ tục số {n} giấy phép", 7.0), (f"giay {words}", 1.0)),
                                                 (("filter", "agency", f"Bộ {n % 3}"), ("filter", "level", "Cấp xã"),
                                                  ("meta", "code", f"1.{n:06d}")))),
                        encoding="utf-8")
    bundle = tmp_path / "pagefind"
    _index(staging, bundle)
    before = _index_by_url(bundle)
    before_fragments = {f["url"]: f for f in _fragments(bundle).values()}
    assert len(before["word counts"]) == 40 and len(set(before["word counts"].values())) == 7

    assert compact_bundle(bundle) is True

    after = _index_by_url(bundle)
    assert after == before
    entry = json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))["languages"]["vi"]
    names = [name for name, _ in _read_cbor_file(bundle / f"pagefind.{entry['hash']}.pf_meta")[1]]
    assert names == [f"vi_{k & 15:x}{k >> 4:x}" for k in range(40)]          # lowest digit first
    counts = [after["word counts"][_fragments(bundle)[name]["url"]] for name in names]
    assert counts == sorted(counts)                                           # pages in word-count order
    after_fragments = _fragments(bundle)
    assert set(after_fragments) == set(names)
    for fragment in after_fragments.values():
        assert fragment["content"] == ""
        assert {**fragment, "content": before_fragments[fragment["url"]]["content"]} == before_fragments[fragment["url"]]
    assert len(list(bundle.glob("*.pf_meta"))) == 1
    assert not list(bundle.glob("*.compact"))


def test_compact_bundle_leaves_a_bundle_of_another_layout_alone(tmp_path: Path):
    site = _site(tmp_path / "site")
    index_site(site)
    bundle = site / "pagefind"
    meta = next(bundle.glob("*.pf_meta"))
    meta.write_bytes(gzip.compress(b"other format"))
    files = {p: p.read_bytes() for p in bundle.rglob("*") if p.is_file()}
    assert compact_bundle(bundle) is False
    assert {p: p.read_bytes() for p in bundle.rglob("*") if p.is_file()} == files
    shutil.rmtree(bundle / "fragment")
    assert compact_bundle(bundle) is False
