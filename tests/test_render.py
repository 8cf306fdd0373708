"""Render stage on the mini catalog: pages, labels, escaping, URLs, collation, exports."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import pytest

from generator.catalog import read_catalog
from generator.errors import BuildError
from generator.export import export_catalog
from generator.model import Catalog
from generator.render import render_pages, schema_labels
from generator.render.collation import sort_key, sorted_vi
from generator.render.jsonld import script_json
from generator.render.markdown import render_markdown

MINI = Path(__file__).parent / "fixtures" / "mini_catalog"
HOSTILE_NAME = 'Thẩm định đề án "Nhà ở xã hội" <giai đoạn 2> & báo cáo > 5 năm'


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    catalog, _ = read_catalog(MINI)
    return catalog


@pytest.fixture(scope="module")
def pages(catalog):
    return {page.url: page for page in render_pages(catalog)}


# --- collation -----------------------------------------------------------------

def test_collation_follows_the_vietnamese_alphabet():
    words = ["Ư", "ơ", "Đăng", "ô", "dân", "â", "ă", "a", "u", "o", "e", "ê", "đ", "d", "b", "y"]
    assert sorted_vi(words) == ["a", "ă", "â", "b", "d", "dân", "đ", "Đăng", "e", "ê", "o", "ô", "ơ", "u", "Ư", "y"]


def test_tones_break_ties_in_order_ngang_huyen_hoi_nga_sac_nang():
    assert sorted_vi(["mạ", "má", "mã", "mả", "mà", "ma"]) == ["ma", "mà", "mả", "mã", "má", "mạ"]
    # letters decide before tones: "mạc" < "mai" although ạ has the heaviest tone
    assert sorted_vi(["mai", "mạc"]) == ["mạc", "mai"]


def test_collation_is_independent_of_normalisation_and_locale():
    import unicodedata

    nfd = unicodedata.normalize("NFD", "Đầu tư")
    assert sort_key(nfd)[:3] == sort_key("Đầu tư")[:3]
    assert sorted_vi(["Đầu tư", "Dân tộc", "An toàn thực phẩm", "Ăn uống"]) == ["An toàn thực phẩm", "Ăn uống", "Dân tộc", "Đầu tư"]


# --- markdown subset -------------------------------------------------------------

@pytest.mark.parametrize("text, absent", [
    ("<script>alert(1)</script>", "<script"),
    ("[x](javascript:alert(1))", 'href="javascript'),
    ("[x](data:text/html;base64,PHNjcmlwdD4=)", 'href="data:'),
    ("<img src=x onerror=alert(1)>", "<img"),
    ("![i](https://example.org/i.png)", "<img"),
    ('<a href="https://x" onclick="alert(1)">x</a>', "<a "),
])
def test_markdown_subset_drops_html_and_unsafe_links(text, absent):
    assert absent not in render_markdown(text)


def test_markdown_subset_keeps_lists_emphasis_and_http_links():
    html = render_markdown("**Chú ý** [văn bản](https://vanban.chinhphu.vn/)\n\n- một\n- hai")
    assert "<strong>Chú ý</strong>" in html
    assert '<a href="https://vanban.chinhphu.vn/"' in html
    assert "<li>một</li>" in html


# --- pages -------------------------------------------------------------------------

def test_every_procedure_and_index_has_its_page(catalog, pages):
    for procedure in catalog.procedures:
        assert f"thu-tuc/{procedure.code}/" in pages
    for agency in catalog.agencies:
        assert f"co-quan/{agency.id}/" in pages
    for sector in catalog.sectors:
        assert f"linh-vuc/{sector.id}/" in pages
    for url in ("", "co-quan/", "linh-vuc/", "cap/", "cap/bo/", "cap/tinh/", "cap/xa/", "loai/tthc/", "loai/noi-bo/", "du-lieu-mo/", "tien-do/", "quyet-dinh/"):
        assert url in pages
    assert {p.url for p in pages.values() if p.in_nav} == {"", "co-quan/", "linh-vuc/", "cap/", "loai/", "tien-do/", "du-lieu-mo/",
                                                            "dong-gop/"}


def test_procedure_page_shows_fields_under_their_schema_labels(pages):
    html = pages["thu-tuc/1.000001/"].html
    labels = schema_labels()
    assert "<strong>nhà ở riêng lẻ</strong>" in html and "giấy phép xây dựng, nhà ở" in html
    for key in ("description", "keywords", "formality_type", "steps", "methods", "documents", "legal_basis", "results", "requirements", "related",
                "subjects", "documents.originals", "documents.copies", "documents.form", "methods.processing_time"):
        assert labels[key] in html, key
    assert labels["steps"] == "Trình tự thực hiện"
    # summary card: code, kind, agency, levels, time per channel, fees, online, status
    card = html.split('<section class="tthc-card"', 1)[1].split("</section>", 1)[0]
    for text in ("1.000001", "TTHC", "Bộ Xây dựng", "Cấp tỉnh", "Cấp xã", "Trực tiếp: 15 ngày làm việc",
                 "Trực tuyến: 10 ngày làm việc", "75.000 đồng", "Có", "Còn hiệu lực", "497/QĐ-BXD"):
        assert text in card, text
    # steps are a numbered list, documents and methods are tables with headers
    assert '<ol class="tthc-steps">' in html and html.count("<li><strong>Nộp hồ sơ</strong>") == 1
    assert '<th scope="col">Bản chính</th>' in html and '<th scope="row">Trực tiếp</th>' in html
    assert "Mẫu số 01 Phụ lục II Nghị định 175/2024/NĐ-CP" in html
    # related procedures linked by code
    assert '<a href="../../thu-tuc/1.000002/"><code>1.000002</code>' in html
    assert "data-pagefind-body" in html and 'data-pagefind-filter="agency"' in html


def test_internal_procedure_shows_its_group(pages):
    html = pages["thu-tuc/5.000010/"].html
    assert "TTHC nội bộ" in html
    assert "Nhóm TTHC nội bộ: TTHC nội bộ giữa các cơ quan hành chính nhà nước" in html


def test_abolished_and_replaced_keep_their_page_with_a_banner(pages):
    abolished = pages["thu-tuc/1.000002/"].html
    assert 'class="tthc-banner tthc-banner--abolished"' in abolished and "Đã bãi bỏ" in abolished
    replaced = pages["thu-tuc/1.000003/"].html
    assert 'class="tthc-banner tthc-banner--replaced"' in replaced
    assert '<a href="../../thu-tuc/2.000003/">Gia hạn, điều chỉnh giấy phép xây dựng' in replaced
    # and the replacement names what it replaces
    assert "Thay thế cho:" in pages["thu-tuc/2.000003/"].html


def test_hostile_text_is_escaped_everywhere(pages):
    page = pages["thu-tuc/5.000010/"]
    assert page.title == HOSTILE_NAME  # plain text: the plugin escapes it for <title> and nav
    html = str(page.html)
    assert "Thẩm định đề án &#34;Nhà ở xã hội&#34; &lt;giai đoạn 2&gt; &amp; báo cáo &gt; 5 năm" in html
    assert "<script>alert" not in html and "<img" not in html and "<b>" not in html
    assert 'href="javascript:' not in html and 'href="data:' not in html
    # exactly one script element, the JSON-LD, and nothing inside it can close it
    scripts = re.findall(r"<script[^>]*>(.*?)</script>", html, re.S)
    assert len(scripts) == 1
    data = json.loads(scripts[0])
    assert data["@type"] == "GovernmentService" and data["name"] == HOSTILE_NAME and data["identifier"] == "5.000010"
    # index pages list the name escaped too
    assert "&lt;giai đoạn 2&gt;" in pages["co-quan/bo-xay-dung/"].html


def test_script_json_cannot_break_out():
    text = script_json({"name": "</script><script>alert(1)</script>\u2028"})
    assert "</" not in text and "<" not in text and "\u2028" not in text
    assert json.loads(text)["name"].startswith("</script>")


def test_index_pages_have_counts_and_vietnamese_order(pages):
    sectors = pages["linh-vuc/"].html
    names = re.findall(r'<th scope="row"><a href="[^"]+">([^<]+)</a>', sectors)
    assert names == ["An toàn thực phẩm", "Dân tộc", "Đầu tư", "Hoạt động xây dựng", "Nhà ở và công sở", "Thi đua – Khen thưởng"]
    agency = pages["co-quan/ubnd-tinh-an-giang/"].html
    assert "4 thủ tục: 3 TTHC, 1 TTHC nội bộ" in agency
    listed = re.findall(r'class="tthc-list__name" href="[^"]+">([^<]+)</a>', agency)
    assert sorted_vi(listed) == ["Dân tộc thiểu số hỗ trợ", "Đăng ký khai thác ăn uống", "Đầu tư dự án khu dân cư",
                                 "Xét tặng danh hiệu thi đua trong nội bộ sở"]
    # grouped by sector, groups in collation order
    groups = re.findall(r'<h2 id="sector-[^"]+">([^<]+) <span', agency)
    assert groups == sorted_vi(groups) and groups[0] == "An toàn thực phẩm"


def test_unknown_related_code_fails_naming_it(catalog):
    broken = dataclasses.replace(catalog.procedures[0], related=("9.999999",))
    bad = Catalog(procedures=(broken,) + catalog.procedures[1:], agencies=catalog.agencies, sectors=catalog.sectors)
    with pytest.raises(BuildError, match=r"related procedure 9\.999999 is not in the catalog"):
        render_pages(bad)


def test_two_inputs_mapping_to_one_url_fail_naming_both(catalog):
    first = catalog.procedures[0]
    twin = dataclasses.replace(first, agency="ubnd-tinh-an-giang", path="procedures/ubnd-tinh-an-giang/1.000001.yaml")
    bad = Catalog(procedures=catalog.procedures + (twin,), agencies=catalog.agencies, sectors=catalog.sectors)
    with pytest.raises(BuildError) as err:
        render_pages(bad)
    message = str(err.value)
    assert "/thu-tuc/1.000001/" in message
    assert "procedures/bo-xay-dung/1.000001.yaml" in message and "procedures/ubnd-tinh-an-giang/1.000001.yaml" in message


def test_duplicate_agency_id_fails_naming_both(catalog):
    bad = Catalog(procedures=catalog.procedures, agencies=catalog.agencies + (catalog.agencies[0],), sectors=catalog.sectors)
    with pytest.raises(BuildError, match="co-quan/bo-xay-dung/"):
        render_pages(bad)


def test_rendering_is_deterministic(catalog):
    first = [(p.url, str(p.html)) for p in render_pages(catalog)]
    second = [(p.url, str(p.html)) for p in render_pages(catalog)]
    assert first == second


# --- exports -------------------------------------------------------------------------

def test_exports_are_keyed_by_code_and_byte_identical(catalog):
    files = export_catalog(catalog)
    assert set(files) == {"catalog.json", "catalog.csv", "documents.csv", "methods.csv", "catalog.xlsx"}
    assert files == export_catalog(catalog)
    data = json.loads(files["catalog.json"])
    assert [p["code"] for p in data["procedures"]] == sorted(p.code for p in catalog.procedures)
    assert data["procedures"][0]["methods"][0]["processing_time"] == {"value": 15, "unit": "working_days"}
    for name in ("catalog.csv", "documents.csv", "methods.csv"):  # UTF-8 with BOM: Excel reads Vietnamese
        assert files[name].startswith(b"\xef\xbb\xbfcode,"), name
    rows = files["catalog.csv"].decode("utf-8-sig").splitlines()
    assert rows[0].startswith("code,name,kind,kind_label") and len(rows) == len(catalog.procedures) + 1
    # every time limit has its unit next to it; machine codes keep a Vietnamese label column
    assert "time_in_person,time_in_person_unit,time_online,time_online_unit" in rows[0]
    assert ",in_force,Còn hiệu lực,,True,15,ngày làm việc,10,ngày làm việc,,," in rows[1]
    assert "1.000001,in_person,Trực tiếp,15,working_days,ngày làm việc,,75000," in files["methods.csv"].decode("utf-8-sig")
    assert "1.000001,,1,don-de-nghi,Đơn đề nghị cấp giấy phép xây dựng,1,0," in files["documents.csv"].decode("utf-8-sig")
    assert files["catalog.xlsx"][:2] == b"PK"


def test_long_index_lists_continue_on_numbered_pages(catalog, monkeypatch):
    from generator.render import indexes

    monkeypatch.setattr(indexes, "PAGE_SIZE", 3)
    monkeypatch.setattr(indexes.paginate, "__defaults__", (3,))
    pages = {p.url: p for p in render_pages(catalog)}
    # 7 external procedures over pages of 3, whole sector groups kept together where they fit
    assert {"loai/tthc/", "loai/tthc/trang-2/", "loai/tthc/trang-3/"} <= set(pages)
    listed = [re.findall(r'href="../../../thu-tuc/([^/]+)/"', str(pages[u].html)) for u in ("loai/tthc/trang-2/", "loai/tthc/trang-3/")]
    first = re.findall(r'class="tthc-list__name" href="../../thu-tuc/([^/]+)/"', str(pages["loai/tthc/"].html))
    codes = first + [c for page in listed for c in page if c]
    assert sorted(set(codes)) == sorted(p.code for p in catalog.procedures if p.kind == "external")
    assert all(len(re.findall('class="tthc-list__item"', str(pages[u].html))) <= 3 for u in pages if u.startswith("loai/tthc/"))
    assert '<span class="tthc-pager__current" aria-current="page">2</span>' in pages["loai/tthc/trang-2/"].html


def test_paginate_keeps_groups_whole_when_they_fit_and_splits_long_ones():
    from generator.render.indexes import Group, paginate

    def group(name, n):
        return Group(anchor=name, title=name, entries=tuple(range(n)), total=n)

    pages = paginate([group("a", 2), group("b", 2), group("c", 7)], size=3)
    shape = [[(g.title, len(g.entries), g.continued) for g in page] for page in pages]
    assert shape == [[("a", 2, False)], [("b", 2, False), ("c", 1, False)], [("c", 3, True)], [("c", 3, True)]]
    assert paginate([], size=3) == [[]]


def test_open_data_page_gives_sizes_encoding_source_and_terms(catalog):
    from generator.render.indexes import file_size_label

    files = export_catalog(catalog)
    sizes = {name: len(content) for name, content in files.items()}
    page = {p.url: p for p in render_pages(catalog, file_sizes=sizes)}["du-lieu-mo/"]
    html = str(page.html)
    for name, size in sizes.items():
        row = html.split(f'<a href="{name}" download>', 1)[1].split("</tr>", 1)[0]
        assert f'data-label="Dung lượng">{file_size_label(size)}</td>' in row, name
    assert "BOM" in html and "Cổng Dịch vụ công quốc gia" in html
    assert "không công bố điều kiện sử dụng lại" in html and "CC BY" not in html and "giấy phép mở" not in html
    assert file_size_label(900) == "900 byte" and file_size_label(2 * 1024 * 1024 + 300 * 1024) == "2,3 MB"


def test_markdown_images_become_their_alt_text() -> None:
    from generator.render.markdown import render_markdown

    html = str(render_markdown("Xem ![sơ đồ](https://evil.example/x.png) tại đây"))
    assert html == "<p>Xem sơ đồ tại đây</p>"
