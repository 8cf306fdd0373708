"""Procedure page layout for people on phones: the card, the on-page contents,
documents per case under "Thành phần hồ sơ", clean headings, short fees."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from generator.catalog import read_catalog
from generator.model import Case, Document, Fee, Method
from generator.render import render_pages
from generator.render.procedures import clean_heading, fee_lines, short_text

MINI = Path(__file__).parent / "fixtures" / "mini_catalog"
# the real fee text of 3.000353 (catalog/procedures/bo-cong-an/3.000353.yaml)
LONG_FEE = ("Miễn phí (- Nộp trực tiếp: 135.000 đồng/lần.  - Trường hợp tổ chức, cá nhân nộp hồ sơ theo hình thức "
            "trực tuyến: Kể từ ngày 01/12/2023 đến hết ngày 31/12/2025, áp dụng mức thu lệ phí là 115.000 đồng/lần cấp.)")


@pytest.fixture(scope="module")
def catalog():
    catalog, _ = read_catalog(MINI)
    return catalog


def _render(catalog, code, **changes):
    procedure = dataclasses.replace(catalog.procedure(code), **changes)
    others = tuple(p for p in catalog.procedures if p.code != code) + (procedure,)
    changed = dataclasses.replace(catalog, procedures=tuple(sorted(others, key=lambda p: p.code)))
    return {page.url: page for page in render_pages(changed)}[f"thu-tuc/{code}/"].html


@pytest.mark.parametrize(("raw", "shown"), [
    ("* Hồ sơ đăng ký tạm trú gồm:", "Hồ sơ đăng ký tạm trú gồm"),
    ("-Trường hợp cấp lại do thẻ hết thời hạn sử dụng:", "Trường hợp cấp lại do thẻ hết thời hạn sử dụng"),
    ("+ Trường hợp 2 :", "Trường hợp 2"),
    ("• Nhà ở nông thôn", "Nhà ở nông thôn"),
    ("Nhà ở nông thôn", "Nhà ở nông thôn"),
    ("Giấy tờ số 3-A", "Giấy tờ số 3-A"),
    (":", ""),
])
def test_headings_lose_leading_bullets_and_trailing_colon(raw, shown):
    assert clean_heading(raw) == shown


def test_short_fee_is_the_first_clause_cut_at_a_word():
    text, more = short_text(LONG_FEE)
    assert more and text == "Miễn phí (- Nộp trực tiếp: 135.000 đồng/lần. …)"
    long = "x " * 30 + "Một câu dài không có dấu chấm nào cả mà cứ tiếp tục mãi mãi"
    text, more = short_text(long)
    assert more and text.endswith("…") and len(text) <= 91
    assert long.startswith(text[:-1]) and long[len(text) - 1] == " "  # cut between two words
    assert short_text("Không thu phí") == ("Không thu phí", False)


def test_card_fee_shows_amount_when_known_else_the_short_text(catalog):
    procedure = catalog.procedure("1.000001")  # 75.000 đồng on both channels, text says more
    assert fee_lines(procedure) == [fee_lines(procedure)[0]] and fee_lines(procedure)[0].text == "75.000 đồng"
    assert fee_lines(procedure)[0].more
    unknown = dataclasses.replace(procedure, methods=(Method("online", fees=(Fee(LONG_FEE),)),
                                                      Method("in_person", fees=(Fee("- 10.000 đồng", 10000),))))
    lines = fee_lines(unknown)
    # The text (a rate, "mức thu") is shown shortened, without the stray "(-".
    assert [(l.channel, l.text) for l in lines] == [
        ("Trực tuyến", "Miễn phí (Nộp trực tiếp: 135.000 đồng/lần. …)"), ("Trực tiếp", "10.000 đồng")]
    html = _render(catalog, "1.000001", methods=unknown.methods)
    card = html.split('<section class="tthc-card"', 1)[1].split("</section>", 1)[0]
    assert "đến hết ngày 31/12/2025" not in card and '<a href="#cach-thuc" class="tthc-more"' in card
    assert "đến hết ngày 31/12/2025" in html  # the full text stays in the methods section


def test_card_fee_never_reads_0_dong_and_says_phi_or_le_phi(catalog):
    procedure = catalog.procedure("1.000001")
    fees = dataclasses.replace(procedure, methods=(
        Method("online", fees=(Fee("Miễn phí", 0),)),
        Method("postal", fees=(Fee("Mức lệ phí cụ thể do Hội đồng nhân dân tỉnh quyết định.", kind="charge"),)),
        Method("in_person", fees=(Fee("a) Cung cấp dịch vụ tại cảng hàng không quốc tế: 30.000.000 đồng; b) khác"),)),
    ))
    assert [(l.channel, l.text) for l in fee_lines(fees)] == [
        ("Trực tuyến", "Miễn phí"),
        ("Dịch vụ bưu chính", "Lệ phí: Mức lệ phí cụ thể do Hội đồng nhân dân tỉnh quyết định."),
        ("Trực tiếp", "Có, xem chi tiết"),
    ]
    html = _render(catalog, "1.000001", methods=fees.methods)
    card = html.split('<section class="tthc-card"', 1)[1].split("</section>", 1)[0]
    assert "0 đồng" not in card
    assert "<strong>Miễn phí</strong>" in html and "Lệ phí: Mức lệ phí cụ thể" in html


def test_imported_lists_show_one_marker_and_no_tofu(catalog):
    from generator.model import Document, Step

    procedure = catalog.procedure("1.000001")
    html = _render(catalog, "1.000001",
                   steps=(Step("- Nộp hồ sơ tại bộ phận một cửa."), Step("1. Người khai hải quan khai tờ khai")),
                   documents=(Document("a", "- Đơn đề nghị \uf0fc kèm ảnh", 1, 0),
                              Document("b", "1. Bản chính hoặc bản sao Giấy khai sinh", 1, 1, original_or_copy=True)),
                   requirements=("- Có năng lực hành vi", "+ Đủ 18 tuổi"))
    assert "\uf0fc" not in html
    assert not re.search(r"<li>\s*(?:<p>)?\s*<(?:ul|ol)>", html)  # "1. •" / "• •"
    assert not re.search(r'tthc-doc-name">\s*<(?:ul|ol)>', html)
    assert "Đơn đề nghị • kèm ảnh" in html and "1. Bản chính hoặc bản sao" in html
    assert "(nộp bản chính hoặc bản sao, một trong hai)" in html and ">hoặc 1</td>" in html
    assert procedure.documents  # the fixture's own documents are replaced above


def test_cases_show_their_own_time_limits_and_notes(catalog):
    from generator.model import Case, Document, ProcessingTime

    case = Case("Đối với cấp lại do bị mất", processing_time=ProcessingTime(3, "working_days"),
                methods=(Method("online", ProcessingTime(3, "working_days"), (Fee("Miễn phí", 0),)),),
                documents=(Document("d", "Tờ khai", 1, 0),), notes=("Lưu ý: nộp bản chụp.",))
    html = _render(catalog, "1.000001", methods=(Method("online"),), cases=(case,),
                   document_notes=("Ví dụ: giấy tờ chứng minh chỗ ở.",))
    assert "Trực tuyến: theo từng trường hợp" in html
    assert "<strong>Trực tuyến</strong>: 3 ngày làm việc; miễn phí" in html
    assert "Lưu ý: nộp bản chụp." in html and "Ví dụ: giấy tờ chứng minh chỗ ở." in html
    assert "Lưu ý về thành phần hồ sơ" in html


def test_card_counts_documents_and_says_where_to_submit(catalog):
    html = _render(catalog, "1.000001", receiving_address="Bộ phận một cửa UBND cấp xã")
    card = html.split('<section class="tthc-card"', 1)[1].split("</section>", 1)[0]
    total = len(catalog.procedure("1.000001").documents) + 1
    assert f'<a href="#thanh-phan-ho-so" data-pagefind-ignore>{total} giấy tờ, theo 1 trường hợp</a>' in card
    assert "Nơi nộp hồ sơ</dt><dd>Bộ phận một cửa UBND cấp xã</dd>" in card


def test_on_page_contents_follow_the_card_and_link_every_section(catalog):
    html = _render(catalog, "1.000001")
    nav = html.split('<nav class="tthc-onpage"', 1)[1].split("</nav>", 1)[0]
    assert html.index('<nav class="tthc-onpage"') > html.index("</section>")  # right below the card
    anchors = re.findall(r'href="#([^"]+)"', nav)
    assert anchors[:4] == ["mo-ta", "trinh-tu", "cach-thuc", "thanh-phan-ho-so"]
    for anchor in anchors:
        assert f'id="{anchor}"' in html, anchor
    assert not any(a.startswith("truong-hop") for a in anchors)   # one case or none: no list of cases


def test_a_page_with_cases_links_each_case_at_the_top(catalog):
    long_name = ("- Trường hợp đã có số định danh cá nhân, người được ủy quyền thực hiện thủ tục đăng ký kinh doanh "
                 "kê khai các thông tin theo mẫu; trường hợp khác nộp bản sao")
    cases = (Case(name="* Hồ sơ đăng ký tạm trú gồm:", documents=(Document("a", "Tờ khai CT01", 1),)),
             Case(name=long_name, documents=(Document("b", "Ảnh 3x4", 2),)),
             Case(name=":", documents=(Document("c", "Tờ khai", 1),)))
    html = _render(catalog, "1.000001", cases=cases)
    nav = html.split('<nav class="tthc-onpage tthc-onpage--cases"', 1)[1].split("</nav>", 1)[0]
    assert html.index('<section class="tthc-card"') < html.index('<nav class="tthc-onpage') < html.index('<h2 id="thanh-phan-ho-so">')
    assert 'aria-labelledby="tren-trang-nay"' in html.split('<nav class="tthc-onpage', 1)[1].split(">", 1)[0]
    assert '<details class="tthc-onpage__case-list" open><summary class="tthc-onpage__cases-title" id="cac-truong-hop">Hồ sơ theo 3 trường hợp</summary>' in nav
    assert '<a href="#cac-truong-hop" data-pagefind-ignore>' in html.split('<section class="tthc-card"', 1)[1].split("</section>", 1)[0]
    links = re.findall(r'<li><a href="#(truong-hop-\d+)">([^<]*)</a></li>', nav)
    assert [a for a, _ in links] == ["truong-hop-1", "truong-hop-2", "truong-hop-3"]
    for anchor, _ in links:
        assert f'<h3 id="{anchor}">' in html
    labels = [label for _, label in links]
    assert labels[0] == "Hồ sơ đăng ký tạm trú gồm"
    assert labels[1].startswith("Trường hợp đã có số định danh cá nhân") and labels[1].endswith("…") and len(labels[1]) <= 82
    assert labels[2] == "Trường hợp 3"      # a case without a name is numbered
    many = tuple(Case(name=f"Trường hợp {n}", documents=(Document(f"d{n}", "Tờ khai", 1),)) for n in range(1, 9))
    folded = _render(catalog, "1.000001", cases=many)
    assert '<details class="tthc-onpage__case-list"><summary' in folded   # eight cases: folded under their heading
    assert len(re.findall(r'<li><a href="#truong-hop-\d+">', folded)) == 8


def test_case_documents_are_under_thanh_phan_ho_so_right_after_methods(catalog):
    cases = (Case(name="* Hồ sơ đăng ký tạm trú gồm:", documents=(Document("a", "Tờ khai CT01", 1),)),
             Case(name="-Trường hợp cấp lại:", code="1.000001.02", documents=(Document("b", "Ảnh 3x4", 2),)),
             Case(name=":", documents=(Document("c", "Tờ khai", 1),)))
    html = _render(catalog, "1.000001", cases=cases)
    section = html.split('<h2 id="thanh-phan-ho-so">', 1)[1].split("</section>", 1)[0]
    assert '<h3 id="truong-hop-1">Hồ sơ đăng ký tạm trú gồm</h3>' in section
    assert '<h3 id="truong-hop-2">Trường hợp cấp lại</h3>' in section
    assert '<h3 id="truong-hop-3">Trường hợp 3</h3>' in section  # a name of punctuation only gets a number
    assert "Tờ khai CT01" in section and "Ảnh 3x4" in section
    assert html.index('id="cach-thuc"') < html.index('id="thanh-phan-ho-so"') < html.index('id="can-cu-phap-ly"')
    assert 'id="truong-hop"' not in html and "* Hồ sơ" not in html
    # tables are named by their heading, no caption repeating it
    assert "<caption>Thành phần hồ sơ" not in html and 'aria-labelledby="truong-hop-2"' in section


def test_agency_group_heading_differs_from_its_roles(catalog):
    html = _render(catalog, "1.000001")
    section = html.split('<section aria-labelledby="co-quan-thuc-hien"', 1)[1].split("</section>", 1)[0]
    assert '<h2 id="co-quan-thuc-hien">Cơ quan giải quyết</h2>' in section
    assert section.count("Cơ quan thực hiện") <= 1


def test_methods_and_documents_cells_carry_labels_for_stacked_phone_layout(catalog):
    html = _render(catalog, "1.000001")
    assert 'class="tthc-table tthc-table--stack"' in html
    assert 'data-label="Thời hạn giải quyết"' in html and 'data-label="Phí, lệ phí"' in html
    assert 'data-label="Bản chính"' in html and 'data-label="Bản sao"' in html
