"""The built site in headless Chromium: search, filters, a procedure page,
accessibility (axe-core), 360 px phones, and no request off the origin.

Expected results are computed from the catalog the site was built from, so
the same tests hold on the real catalog and on the mini fixture.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import parse_qs, quote, urlsplit

import pytest

from generator.search import fold

from browser_support import AXE, DESKTOP, PHONE, Site, new_context

pytestmark = pytest.mark.browser

STATUS = ".tthc-search__status"
RESULT = ".tthc-search__results > li"


def folded(text: str) -> str:
    return re.sub(r"\s+", " ", fold(text).lower())


def open_search(page, site: Site, query: str, wait_results: bool = True) -> list[dict]:
    """Type ``query`` into the header search box of the home page; return the hits shown."""
    page.goto(site.base_url)
    page.locator("#tthc-search-q").click()
    page.locator("#tthc-search-q").fill(query)
    return read_results(page, wait_results)


def read_results(page, wait_results: bool = True) -> list[dict]:
    page.wait_for_function(
        "s => /kết quả|Không tìm thấy/.test(document.querySelector(s).textContent)", arg=STATUS, timeout=20_000
    )
    if wait_results:
        page.wait_for_selector(RESULT, timeout=20_000)
    return page.eval_on_selector_all(
        RESULT,
        """items => items.map(li => ({
            title: li.querySelector('h3').textContent,
            href: li.querySelector('a').getAttribute('href'),
            facts: li.querySelector('.tthc-search__facts').textContent,
        }))""",
    )


def result_count(page) -> int:
    text = page.locator(STATUS).text_content()
    match = re.match(r"([\d.]+) kết quả", text)
    return int(match.group(1).replace(".", "")) if match else 0


def names_matching(site: Site, query: str) -> set[str]:
    return {p.name for p in site.catalog.procedures if folded(query) in folded(p.name)}


@pytest.mark.parametrize("query", ["giay phep", "dang ky"])
def test_search_without_diacritics_finds_procedures_named_with_them(page, site: Site, query: str):
    expected = names_matching(site, query)
    if not expected:
        pytest.skip(f"no procedure named with {query!r} in this catalog")
    hits = open_search(page, site, query)
    assert folded(query) in folded(hits[0]["title"]), hits[:3]
    top = [hit["title"] for hit in hits[:10]]
    named = [title for title in top if title in expected]
    assert len(named) >= min(5, len(expected)), f"{query!r}: top results {top}"
    assert result_count(page) >= len(expected)


@pytest.mark.parametrize("query", ["đăng ký", "giấy phép"])
def test_exact_diacritics_rank_first(page, site: Site, query: str):
    if not any(query in p.name.lower() for p in site.catalog.procedures):
        pytest.skip(f"no procedure named with {query!r}")
    hits = open_search(page, site, query)
    assert query in hits[0]["title"].lower(), hits[:3]


def test_dang_ky_finds_words_spelled_with_d_stroke(page, site: Site):
    """đ has no Unicode decomposition: the folded copy in the index carries it."""
    expected = {p.name for p in site.catalog.procedures if "đăng ký" in p.name.lower()}
    if not expected:
        pytest.skip("no 'Đăng ký' procedure")
    hits = open_search(page, site, "dang ky")
    assert any(hit["title"] in expected for hit in hits), [h["title"] for h in hits]


def test_a_code_finds_its_procedure(page, site: Site):
    codes = [c for c in ("1.000178", "5.002544") if site.catalog.procedure(c)] or [site.catalog.procedures[0].code]
    for code in codes:
        hits = open_search(page, site, code)
        assert hits[0]["href"].rstrip("/").endswith(f"/thu-tuc/{code}"), (code, hits[:3])
        assert code in hits[0]["facts"]


def test_filter_by_agency_lists_exactly_its_procedures(page, site: Site):
    by_agency: dict[str, int] = {}
    for procedure in site.catalog.procedures:
        by_agency[procedure.agency] = by_agency.get(procedure.agency, 0) + 1
    agency_id = min(by_agency, key=lambda a: (by_agency[a] < 2, by_agency[a], a))
    name = site.catalog.agency(agency_id).name
    page.goto(site.base_url)
    page.locator("#tthc-search-q").click()
    details = page.locator(".tthc-search__filters")
    if not details.evaluate("d => d.open"):
        details.locator("summary").click()
    select = page.locator("select[data-tthc-filter=agency]")
    page.wait_for_function("() => document.querySelectorAll('select[data-tthc-filter=agency] option').length > 1")
    value = select.evaluate("(s, name) => [...s.options].find(o => o.value === name)?.value", name)
    assert value == name, f"agency {name!r} is not offered as a filter"
    select.select_option(value=name)
    hits = read_results(page)
    assert result_count(page) == by_agency[agency_id]
    assert all(name in hit["facts"] for hit in hits), hits
    # the filter is kept in the URL: a reload (or a shared link) shows the same results
    assert parse_qs(urlsplit(page.url).query).get("agency") == [name]
    page.reload()
    read_results(page)
    assert result_count(page) == by_agency[agency_id]


def test_open_a_procedure_from_the_results(page, site: Site):
    procedure = site.catalog.procedures[len(site.catalog.procedures) // 2]
    open_search(page, site, procedure.code)
    page.locator(RESULT).first.locator("a").click()
    page.wait_for_url(re.compile(rf"/thu-tuc/{re.escape(procedure.code)}/"))
    heading = page.locator("article h1").first.text_content().strip()
    assert unicodedata.normalize("NFC", heading) == procedure.name


def test_search_results_are_escaped(page, site: Site):
    """A name with markup characters shows as text in the results."""
    tricky = [p for p in site.catalog.procedures if re.search(r"[<>&\"]", p.name)]
    if not tricky:
        pytest.skip("no procedure name with < > & or quotes in this catalog")
    procedure = tricky[0]
    hits = open_search(page, site, procedure.code)
    assert hits[0]["title"] == procedure.name


def test_search_on_a_360px_phone(phone, site: Site):
    phone.goto(site.base_url)
    phone.locator("label.md-header__button[for=__search]").click()
    phone.locator("#tthc-search-q").fill("giay phep")
    hits = read_results(phone, wait_results=False)
    box = phone.locator(".md-search__output").bounding_box()
    assert box and box["width"] <= PHONE["width"] + 1
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    if hits:
        assert phone.locator(RESULT).first.is_visible()


def _axe(page) -> list[dict]:
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ['violations']});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
        }"""
    )
    return [v for v in result if v["impact"] in ("serious", "critical")]


@pytest.mark.skipif(not AXE.exists(), reason="run `npm ci` for axe-core")
@pytest.mark.parametrize("where", ["home", "procedure", "index", "search"])
def test_no_serious_accessibility_violations(page, site: Site, where: str):
    if where == "home":
        page.goto(site.base_url)
    elif where == "procedure":
        page.goto(f"{site.base_url}thu-tuc/{site.catalog.procedures[0].code}/")
    elif where == "index":
        page.goto(f"{site.base_url}co-quan/")
    else:
        page.goto(f"{site.base_url}?q={quote('giay phep')}")
        read_results(page, wait_results=False)
    assert page.locator("h1").count() >= 1
    violations = _axe(page)
    assert violations == [], violations


@pytest.mark.skipif(not AXE.exists(), reason="run `npm ci` for axe-core")
@pytest.mark.parametrize("where", ["", "thu-tuc/1.004194/", "linh-vuc/"])
def test_no_serious_accessibility_violations_on_a_phone(phone, site: Site, where: str):
    code = where.split("/")[1] if where.startswith("thu-tuc/") else None
    if code and site.catalog.procedure(code) is None:
        where = f"thu-tuc/{site.catalog.procedures[0].code}/"
    phone.goto(f"{site.base_url}{where}")
    violations = _axe(phone)
    assert violations == [], violations


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_screenshots(browser, site: Site, artifacts, viewport: str):
    """Home, a search and a procedure page, saved for people to look at."""
    context, requests = new_context(browser, site, DESKTOP if viewport == "desktop" else PHONE)
    page = context.new_page()
    page.goto(site.base_url)
    page.screenshot(path=str(artifacts / f"{viewport}-home.png"), full_page=False)
    page.goto(f"{site.base_url}?q={quote('dang ky')}")
    read_results(page, wait_results=False)
    page.screenshot(path=str(artifacts / f"{viewport}-search.png"))
    code = next((c for c in ("1.000178",) if site.catalog.procedure(c)), site.catalog.procedures[0].code)
    page.goto(f"{site.base_url}thu-tuc/{code}/")
    page.screenshot(path=str(artifacts / f"{viewport}-procedure.png"), full_page=True)
    context.close()
    assert requests.foreign == []
    for name in ("home", "search", "procedure"):
        assert (artifacts / f"{viewport}-{name}.png").stat().st_size > 5_000


@pytest.mark.parametrize("query, first", [
    ("dang ky tam tru", "Đăng ký tạm trú"),
    ("đăng ký tạm trú", "Đăng ký tạm trú"),
    ("thuong tru", "Đăng ký thường trú"),
    ("khai tu", "Thủ tục đăng ký khai tử"),
])
def test_a_title_holding_the_whole_query_ranks_first(page, site: Site, query: str, first: str):
    if first not in {p.name for p in site.catalog.procedures}:
        pytest.skip(f"{first!r} is not in this catalog")
    hits = open_search(page, site, query)
    assert unicodedata.normalize("NFC", hits[0]["title"]) == first, [h["title"] for h in hits[:5]]
