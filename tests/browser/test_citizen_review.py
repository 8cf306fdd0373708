"""What a citizen searching on a phone found wanting, in headless Chromium on the built site.

* a name holding the abbreviation as typed ("BHXH") ranks at least as high as names
  that spell it out ("bảo hiểm xã hội");
* typed diacritics exclude: "hộ chiếu" lists no page that holds only "hỗ"/"hồ"
  (typed without diacritics, everything folds as before);
* "Có trong trang" lists no stop words ("của", "và", "cho", "làm", ...);
* long procedure pages link their cases at the top, at 360 px and 1280 px
  (screenshots in ``test-artifacts/`` to look at).

Expected results are computed from the catalog the site was built from and from the
page's own words file (``pagefind/tthc-words/``), never from the search's output.
"""

from __future__ import annotations

import re
import unicodedata

import pytest

from generator.model import LEVEL_LABELS
from generator.search_terms import load_terms

from browser_support import AXE, DESKTOP, PHONE, Site, new_context
from test_site import RESULT, STATUS, _axe, open_search

pytestmark = pytest.mark.browser

TONES = re.compile("[\u0300\u0301\u0303\u0309\u0323]")


def canon(word: str) -> str:
    """A lower-case word with its tone at the end (old and new tone placement alike)."""
    d = unicodedata.normalize("NFD", word.lower())
    return TONES.sub("", d) + "".join(TONES.findall(d))


def words_of(text: str) -> set[str]:
    return {canon(w) for w in re.findall(r"[^\W_]+", unicodedata.normalize("NFC", text))}


def all_results(page) -> list[dict]:
    """Every result of the search shown, pressing "Xem thêm kết quả" until there is no more."""
    more = page.locator(".tthc-search__more")
    for _ in range(30):
        if not more.is_visible():
            break
        count = page.locator(RESULT).count()
        more.click()
        page.wait_for_function("([s, n]) => document.querySelectorAll(s).length > n || "
                               "document.querySelector('.tthc-search__more').hidden", arg=[RESULT, count])
    return page.eval_on_selector_all(RESULT, """items => items.map(li => ({
        title: li.querySelector('h3').textContent, href: li.querySelector('a').getAttribute('href')}))""")


def code_of(hit: dict) -> str:
    return re.search(r"/thu-tuc/([0-9]\.[0-9]{6})/", hit["href"]).group(1)


def page_words(site: Site, code: str) -> set[str]:
    """The words a procedure's page gives the search, as written: its name, facts and words file."""
    procedure = site.catalog.procedure(code)
    agency = site.catalog.agency(procedure.agency)
    sector = site.catalog.sector(procedure.sector)
    text = (site.root / "pagefind" / "tthc-words" / "thu-tuc" / f"{code}.txt").read_text(encoding="utf-8")
    levels = [LEVEL_LABELS[level] for level in procedure.levels]
    return words_of(" ".join([procedure.name, code, agency.name if agency else "", sector.name if sector else "", *levels, text]))


# ---- 1. the abbreviation as typed

def _holds(text: str, phrase: str) -> bool:
    """``phrase`` stands in ``text`` as whole words (lower case, tone placement aside)."""
    split = lambda t: " ".join(canon(w) for w in re.findall(r"[^\W_]+", unicodedata.normalize("NFC", t)))
    return f" {split(phrase)} " in f" {split(text)} "


@pytest.mark.parametrize("typed, long", [("BHXH", "bảo hiểm xã hội"), ("bhyt", "bảo hiểm y tế"),
                                         ("tncn", "thu nhập cá nhân"), ("gtgt", "giá trị gia tăng")])
def test_a_name_holding_the_typed_abbreviation_ranks_at_least_as_high_as_its_long_form(page, site: Site, typed, long):
    literal = {p.code for p in site.catalog.procedures if canon(typed) in words_of(p.name)}
    if not literal:
        pytest.skip(f"no name writes {typed!r} in this catalog")
    hits = open_search(page, site, typed)
    codes = [code_of(h) for h in hits]
    spelled = [i for i, h in enumerate(hits) if _holds(h["title"], long) and codes[i] not in literal]
    held = [i for i, c in enumerate(codes) if c in literal]
    assert held, f"{typed!r}: no name holding it among {codes}"
    assert not spelled or max(held) < min(spelled), [h["title"] for h in hits]


# ---- 2. typed diacritics exclude; without diacritics everything folds

@pytest.mark.parametrize("query", ["hộ chiếu", "cấp hộ chiếu", "hộ tịch"])   # no table entry: searched as typed
def test_typed_diacritics_are_not_folded_away(page, site: Site, query: str):
    wanted = [canon(w) for w in query.split()]
    if not any(all(w in words_of(p.name) for w in wanted) for p in site.catalog.procedures):
        pytest.skip(f"no name holds {query!r}")
    open_search(page, site, query)
    hits = all_results(page)
    assert hits and "gần đúng" not in page.locator(STATUS).text_content()   # every word held: no word left out
    for hit in hits:
        held = page_words(site, code_of(hit))
        assert all(w in held for w in wanted), f"{query!r}: {hit['title']!r} does not hold every word as typed"
    assert not re.match(r"Ít nhất", page.locator(STATUS).text_content())   # every result checked once all are shown
    assert int(re.match(r"([\d.]+) kết quả", page.locator(STATUS).text_content()).group(1).replace(".", "")) == len(hits)


def test_hộ_chiếu_lists_no_hỗ_trợ_page_but_ho_chieu_still_folds(page, site: Site):
    """1.013433 "Cấp Giấy phép mua công cụ hỗ trợ" holds "hỗ" and "chiếu" (đối chiếu), not "hộ"."""
    if site.catalog.procedure("1.013433") is None or site.catalog.procedure("1.001471") is None:
        pytest.skip("not the bundled catalog")
    assert canon("hộ") not in page_words(site, "1.013433") and canon("hỗ") in page_words(site, "1.013433")
    open_search(page, site, "hộ chiếu")
    exact = [code_of(h) for h in all_results(page)]
    assert exact[0] == "1.001471" and "1.013433" not in exact
    assert not any("hỗ trợ" in h["title"].lower() and canon("hộ") not in page_words(site, code_of(h))
                   for h in all_results(page))
    open_search(page, site, "ho chieu")
    folded = [code_of(h) for h in all_results(page)]
    assert folded[0] == "1.001471" and "1.013433" in folded   # typed without diacritics: "ho" is also "hỗ"


@pytest.mark.parametrize("query, code", [
    ("xăng dầu hoá chất", "1.000014"),   # old tone placement ("hoá") for the names' "hóa"
    ("cấp hộ chiếuu", "1.001471"),       # a typo in a word typed with diacritics is still put right
])
def test_tone_placement_and_typos_still_match(page, site: Site, query: str, code: str):
    if site.catalog.procedure(code) is None:
        pytest.skip(f"{code} is not in this catalog")
    assert code_of(open_search(page, site, query)[0]) == code


# ---- 3. no stop words among the words matched

@pytest.mark.parametrize("query", ["làm hộ chiếu", "giấy tờ của người nước ngoài", "dang ky thuong tru cua to khai",
                                   "đăng ký khai sinh cho con", "cấp giấy phép và gia hạn"])
def test_matched_words_leave_out_stop_words(page, site: Site, query: str):
    stop = {canon(w) for w in load_terms().stop_words}
    assert {canon(w) for w in ("của", "và", "các", "cho", "làm")} <= stop
    open_search(page, site, query)
    page.wait_for_load_state("networkidle")
    shown = page.locator(".tthc-search__why mark").all_text_contents()
    assert not [w for w in shown if canon(w) in stop], shown


def test_matched_words_are_still_shown(page, site: Site):
    if site.catalog.procedure("1.004222") is None:
        pytest.skip("no 1.004222 in this catalog")
    open_search(page, site, "dang ky thuong tru cua to khai")
    why = page.locator(RESULT).locator(".tthc-search__why").first
    why.wait_for()
    assert "khai" in why.locator("mark").all_text_contents()


# ---- 5. the cases of a long page, linked at the top

def _longest(site: Site):
    return max(site.catalog.procedures, key=lambda p: (len(p.cases), p.code))


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_a_long_page_links_its_cases_at_the_top(browser, site: Site, artifacts, viewport: str):
    procedure = _longest(site)
    if len(procedure.cases) < 2:
        pytest.skip("no procedure with two cases or more in this catalog")
    size = PHONE if viewport == "phone" else DESKTOP
    context, requests = new_context(browser, site, size)
    page = context.new_page()
    page.goto(f"{site.base_url}thu-tuc/{procedure.code}/")
    nav = page.locator("nav.tthc-onpage")
    cases = nav.locator("ol.tthc-onpage__cases > li > a")
    assert cases.count() == len(procedure.cases)
    summary = nav.locator("summary", has_text=f"Hồ sơ theo {len(procedure.cases)} trường hợp")
    assert summary.is_visible()
    if len(procedure.cases) > 6:          # a long list is folded: the top of the page stays short
        assert not cases.first.is_visible()
        page.screenshot(path=str(artifacts / f"{viewport}-cases-folded.png"))
        summary.click()
    assert cases.first.is_visible()
    # at the top: right below the summary card, above the page's first section
    card = page.locator(".tthc-card").bounding_box()
    box = nav.bounding_box()
    assert card["y"] < box["y"] < page.locator("#thanh-phan-ho-so").bounding_box()["y"]
    assert page.evaluate("document.documentElement.scrollWidth") <= size["width"]
    for i in range(cases.count()):
        link = cases.nth(i).bounding_box()
        assert link["x"] >= 0 and link["x"] + link["width"] <= size["width"] + 0.5
        assert link["height"] >= 24     # a finger-sized target (WCAG 2.5.8)
    # the sections: pills on a phone; on a wide screen Material's own table of contents lists them
    assert nav.locator(".tthc-onpage__sections").is_visible() == (viewport == "phone")
    nav.screenshot(path=str(artifacts / f"{viewport}-cases-top.png"))
    if AXE.exists():
        page.mouse.move(0, size["height"] - 1)   # no link left under the pointer (Material's hover colour)
        assert _axe(page) == []
    last = cases.nth(cases.count() - 1)
    last.click()
    anchor = f"truong-hop-{len(procedure.cases)}"
    assert page.evaluate("location.hash") == f"#{anchor}"
    assert page.locator(f"h3#{anchor}").bounding_box()["y"] < size["height"]   # scrolled to the case
    page.screenshot(path=str(artifacts / f"{viewport}-cases-jump.png"))
    context.close()
    assert requests.foreign == []


def test_a_page_with_one_case_or_none_lists_no_cases(page, site: Site):
    procedure = next((p for p in site.catalog.procedures if len(p.cases) < 2), None)
    page.goto(f"{site.base_url}thu-tuc/{procedure.code}/")
    assert page.locator("ol.tthc-onpage__cases").count() == 0
