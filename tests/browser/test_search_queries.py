"""Search the way citizens type, in headless Chromium on the built site.

Each query below is written as people ask (abbreviations, everyday words,
no diacritics, typos) and names the procedure, by code, that must come first
or among the first three; they come from reading the bundled catalog's
names (``catalog/procedures``), not from the search's output. Each entry of
``generator/search_terms.yaml`` is tested the same way with its own example.
On another catalog (the mini fixture) the queries whose procedure is absent
are skipped. The first and top-3 hit rates are printed at the end of the
module (``pytest -rA`` or ``-s`` shows them).
"""

from __future__ import annotations

import re

import pytest

from generator.search_terms import load_terms

from browser_support import Site
from test_site import open_search

pytestmark = pytest.mark.browser

#: (query as typed, code that must be found, within the first N results).
QUERIES = [
    # everyday words and the issue's own example
    ("làm hộ chiếu", "1.001471", 1),
    ("làm lại hộ chiếu", "1.001471", 3),  # no "cấp lại hộ chiếu": "làm lại" also searches "cấp"
    ("lam ho chieu", "1.001471", 1),
    ("mất hộ chiếu", "1.010386", 3),
    ("nhập hộ khẩu", "1.004222", 1),
    ("cắt hộ khẩu", "1.003197", 1),
    ("sổ đỏ", "1.012753", 1),
    ("so do", "1.012753", 1),
    ("làm lại cà vẹt xe", "1.013080", 3),
    ("photo công chứng", "2.000815", 3),
    ("nghỉ sinh", "2.000693", 3),
    ("bao tu", "1.000656", 3),
    ("xin visa", "1.001194", 3),
    ("xin gpxd nhà cấp 4", "1.013225", 3),
    # abbreviations
    ("gplx", "3.000346", 1),
    ("đổi bằng lái xe", "3.000347", 1),
    ("cap lai bang lai", "3.000348", 1),
    ("bằng lái quốc tế", "3.000353", 1),
    ("làm cccd", "2.000200", 3),
    ("cấp đổi cccd", "2.001195", 3),
    ("cccd cho tre duoi 14 tuoi", "1.012549", 3),
    ("cấp gcn qsdđ", "1.012753", 3),
    ("rút bhxh 1 lần", "1.001613", 1),
    ("cap lai the bhyt", "1.001294", 3),
    ("khai thue tncn", "2.002235", 3),
    ("thay doi dkkd", "1.014565", 3),
    ("đăng ký hkd", "1.001612", 3),   # or a change of one: "Đăng ký thay đổi nội dung đăng ký hộ kinh doanh"
    ("thành lập dntn", "2.001610", 3),
    ("xin lltp", "3.000333", 3),
    ("vneid", "1.011410", 3),
    ("định danh điện tử mức 2", "3.000228", 1),
    # no diacritics, other spellings
    ("dang ky thuong tru", "1.004222", 1),
    ("đăng kí tạm trú", "1.004194", 1),
    ("dang ky ket hon luu dong", "1.000593", 1),
    ("gia han tam tru nguoi nuoc ngoai", "1.001146", 3),
    ("chung thuc chu ki", "2.000884", 3),
    ("lam ly lich tu phap", "3.000333", 3),
    ("huong che do thai san", "2.000693", 1),
    ("khai le phi truoc ba nha dat", "1.007277", 1),
    ("khoa can cuoc dien tu", "3.000271", 3),
    ("dang ky xe lan dau", "1.013067", 3),
    ("sang ten xe", "1.013076", 1),
    # tried afresh after the table was written (not tuned for)
    ("ket hon voi nguoi nuoc ngoai", "1.000094", 3),
    ("đăng ký con dấu", "2.001403", 1),
    ("xin giấy phép kinh doanh vận tải", "1.000703", 1),
    ("luong huu", "2.000605", 3),
    ("xin cấp lại sổ bhxh", "1.002759", 1),
    ("hoàn thuế tncn", "2.002233", 3),   # first since names holding the abbreviation score as if spelled out
    pytest.param("công chứng hợp đồng mua bán nhà", "2.001035", 3, marks=pytest.mark.xfail(strict=True, reason=(
        "known miss: a notary's contract (công chứng) is no administrative procedure; the catalog's nearest is "
        "'Chứng thực giao dịch liên quan đến ... nhà ở', whose name shares no word with the query but 'nhà'"))),
    # written after the citizen-on-a-phone review, from the catalog's names, before searching
    ("khai bao tam vang", "1.003677", 1),
    ("tạm vắng", "1.003677", 1),
    ("the abtc", "1.000811", 3),
    pytest.param("mất thẻ abtc", "1.001458", 3, marks=pytest.mark.xfail(strict=True, reason=(
        "known miss (4th): 'Cấp lại thẻ ABTC' first (mất -> cấp lại), then 'Trình báo mất thẻ ABTC' of the other two levels"))),
    ("xin visa dien tu", "1.002757", 3),
    ("gia hạn tạm trú", "1.002755", 1),
    ("khai bao tam tru cho nguoi nuoc ngoai", "1.000253", 3),
    ("the thuong tru nguoi nuoc ngoai", "1.001010", 3),
    ("xoa tam tru", "1.010028", 1),
    ("chứng thực chữ kí", "2.000884", 3),
    ("chung thuc ban sao", "2.000815", 1),
    ("ban sao giay khai sinh", "2.000635", 1),
    ("đăng ký khai tử", "1.000656", 1),
    ("khai tu luu dong", "1.000419", 1),
    ("đăng ký lại kết hôn", "2.000513", 1),
    ("ket hon o bien gioi", "1.000094", 3),
    ("nhận cha mẹ con", "1.000080", 3),
    ("giám hộ", "3.000323", 3),
    ("đăng ký thuế lần đầu", "2.002225", 1),
    ("hoàn thuế gtgt", "1.008567", 3),
    ("chấm dứt hộ kinh doanh", "1.001266", 1),
    ("tam ngung kinh doanh ho kinh doanh", "1.001570", 3),
    ("cap lai giay chung nhan dkkd ho kinh doanh", "2.000575", 3),
    ("doi cavet xe", "1.013079", 3),
    ("thu hoi bien so xe", "1.013065", 3),
    ("gplx quoc te", "3.000353", 1),
    ("đổi bằng lái quân sự", "3.000349", 3),
    ("dang ky tam vangg", "1.003677", 1),
    ("ly lich tu phapp", "3.000333", 3),
    ("cap giay phep xay dungg cap 4", "1.013225", 3),
    ("giay chung nhan co so du dieu kien attp", "2.001827", 1),
    ("bảo hiểm thất nghiệp", "1.001601", 3),
    pytest.param("cap ho chieu cho tre em", "1.001471", 3, marks=pytest.mark.xfail(strict=True, reason=(
        "known miss: the page of 1.001471 gives the search no 'trẻ em' (its words are about the dossier)"))),
    pytest.param("gia hạn giấy phép xây dựng", "1.013227", 3, marks=pytest.mark.xfail(strict=True, reason=(
        "known miss (4th): three other 'Gia hạn giấy phép xây dựng ...' names come first; the query does not say which works"))),
    # one-letter typos in words of five letters or more
    ("cap ho chieuu", "1.001471", 1),
    ("dang ky thuongg tru", "1.004222", 1),
    ("thanh lap ho kinh doanhh", "1.001612", 1),
    ("cap lai the can cuocc", "2.001194", 3),
    ("nhap quoc tichh", "2.002039", 3),
    ("dang ky khai tu luu dnog", "1.000419", 1),
]

TERMS = load_terms()


def _query(entry) -> str:
    return entry.values[0] if hasattr(entry, "marks") else entry[0]


_ranks: list[tuple[str, int | None]] = []


def _codes(hits: list[dict]) -> list[str]:
    return [m.group(1) for hit in hits if (m := re.search(r"/thu-tuc/([0-9]\.[0-9]{6})/", hit["href"]))]


def _check(page, site: Site, query: str, code: str, within: int, counted: bool = False) -> None:
    if site.catalog.procedure(code) is None:
        pytest.skip(f"{code} is not in this catalog")
    codes = _codes(open_search(page, site, query))
    rank = codes.index(code) + 1 if code in codes else None
    if counted:
        _ranks.append((query, rank))   # before the assertion: misses count too
    assert rank is not None and rank <= within, f"{query!r}: {code} at {rank}; first results {codes[:5]}"


@pytest.fixture(scope="module", autouse=True)
def hit_rate():
    yield
    if _ranks:
        first = sum(1 for _, rank in _ranks if rank == 1)
        top3 = sum(1 for _, rank in _ranks if rank is not None and rank <= 3)
        misses = [f"{query!r} at {rank}" for query, rank in _ranks if rank != 1]
        print(f"\nsearch hit rate over {len(_ranks)} citizen queries: first {first}/{len(_ranks)}, top-3 {top3}/{len(_ranks)}; not first: {', '.join(misses) or 'none'}")


def test_there_are_thirty_citizen_queries_or_more():
    assert len(QUERIES) >= 30 and len({_query(e) for e in QUERIES}) == len(QUERIES)


@pytest.mark.parametrize("query, code, within", QUERIES, ids=[_query(e) for e in QUERIES])
def test_a_citizen_query_finds_its_procedure(page, site: Site, query: str, code: str, within: int):
    _check(page, site, query, code, within, counted=True)


@pytest.mark.parametrize("term", TERMS.terms, ids=[t.asked[0] for t in TERMS.terms])
def test_each_search_term_finds_its_example_in_the_first_three(page, site: Site, term):
    _check(page, site, term.example_query, term.example_code, 3)


@pytest.mark.parametrize("typed, said", [
    # the query rewritten: what was searched, then what was typed, as typed
    ("GPLX", "kết quả cho “giấy phép lái xe” (từ “GPLX”)"),
    ("thủ tục đăng ký thường trú như thế nào", "kết quả cho “đăng ký thường trú” (từ “thủ tục đăng ký thường trú như thế nào”)"),
    ("cấp hộ chiếuu", "kết quả cho “cấp hộ chiếu” (từ “cấp hộ chiếuu”)"),   # the typo put right as the names write it
    # the query as typed searched too (the names use both forms): "hoặc"
    ("BHXH", "kết quả cho “BHXH” hoặc “bảo hiểm xã hội”"),
])
def test_the_status_line_says_in_plain_vietnamese_what_was_searched(page, site: Site, typed: str, said: str):
    if site.catalog.procedure("3.000346") is None:
        pytest.skip("not the bundled catalog")
    open_search(page, site, typed)
    text = page.locator(".tthc-search__status").text_content()
    assert re.fullmatch(r"(Ít nhất )?[\d.]+ " + re.escape(said), text), text


def test_a_plain_query_gets_a_plain_count(page, site: Site):
    hits = open_search(page, site, "giay phep")
    assert re.fullmatch(r"[\d.]+ kết quả", page.locator(".tthc-search__status").text_content()) and hits


def test_results_mark_the_matched_words_with_their_diacritics(page, site: Site):
    if site.catalog.procedure("1.001471") is None:
        pytest.skip("no 1.001471 in this catalog")
    open_search(page, site, "cap ho chieu")
    first = page.locator(".tthc-search__results > li").first
    assert first.locator("h3 mark").all_text_contents()[:3] == ["Cấp", "hộ", "chiếu"]


def test_words_matched_outside_the_name_are_shown_as_written(page, site: Site):
    """'to khai' is not in the name "Đăng ký thường trú", only in its documents ("Tờ khai ...")."""
    if site.catalog.procedure("1.004222") is None:
        pytest.skip("no 1.004222 in this catalog")
    open_search(page, site, "dang ky thuong tru to khai")
    why = page.locator(".tthc-search__results > li").first.locator(".tthc-search__why")
    why.wait_for()
    marks = why.locator("mark").all_text_contents()
    assert "khai" in marks, why.text_content()
    html = page.request.get(f"{site.base_url}thu-tuc/1.004222/").text()
    assert all(mark in html for mark in marks)  # each word as the page writes it, diacritics kept


@pytest.mark.parametrize("query", ["ho chieu", "làm hộ chiếu"])   # one search; several merged (cấp/đăng ký/làm)
def test_filter_counts_follow_the_query(page, site: Site, query: str):
    """Once the filter panel is open, each agency shows how many results of the current query it has."""
    if not any("hộ chiếu" in p.name.lower() for p in site.catalog.procedures):
        pytest.skip("no passport procedure in this catalog")
    page.goto(site.base_url)
    page.locator("#tthc-search-q").click()
    page.locator(".tthc-search__filters summary").click()
    page.wait_for_function("() => document.querySelectorAll('select[data-tthc-filter=agency] option').length > 1")
    page.locator("#tthc-search-q").fill(query)
    # wait until the counts are those of the query: they add up to its number of results
    page.wait_for_function("""() => {
        const m = /^([\\d.]+) kết quả/.exec(document.querySelector('.tthc-search__status').textContent);
        const counts = [...document.querySelectorAll('select[data-tthc-filter=agency] option')].filter(o => o.value)
            .map(o => Number((/\\(([\\d.]+)\\)$/.exec(o.textContent) || [0, 'NaN'])[1].replace(/\\./g, '')));
        return m && counts.reduce((a, b) => a + b, 0) === Number(m[1].replace(/\\./g, ''));
    }""", timeout=20_000)
    options = page.eval_on_selector_all("select[data-tthc-filter=agency] option", "os => os.map(o => [o.value, o.textContent])")
    counts = {value: int(re.search(r"\(([\d.]+)\)$", text).group(1).replace(".", "")) for value, text in options if value}
    assert 0 < sum(counts.values()) < len(site.catalog.procedures)
    busiest = max(counts, key=counts.get)
    page.locator("select[data-tthc-filter=agency]").select_option(value=busiest)
    page.wait_for_function(
        "n => document.querySelector('.tthc-search__status').textContent.startsWith(n + ' kết quả')",
        arg=f"{counts[busiest]:,}".replace(",", "."),
    )


@pytest.mark.parametrize("query", ["thuê", "thuế"])
def test_exact_diacritics_come_first_where_only_the_tone_differs(page, site: Site, query: str):
    """"thuê" (rent) and "thuế" (tax) fold alike; the name holding the word as typed comes first."""
    if not any(re.search(rf"\b{query}\b", p.name.lower()) for p in site.catalog.procedures):
        pytest.skip(f"no name with {query!r}")
    hits = open_search(page, site, query)
    assert re.search(rf"\b{query}\b", hits[0]["title"].lower()), [h["title"] for h in hits[:3]]


@pytest.mark.parametrize("query, code", [("Đổi giấy phép lái xe", "3.000347"), ("cấp giấy phép lái xe", "3.000346")])
def test_a_whole_title_comes_before_longer_titles_holding_it(page, site: Site, query: str, code: str):
    if site.catalog.procedure(code) is None:
        pytest.skip(f"{code} is not in this catalog")
    assert _codes(open_search(page, site, query))[0] == code
