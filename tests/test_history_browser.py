"""The history page of a mini catalog with four revisions, in headless Chromium: the compare form
(assets/javascripts/tthc-compare.js) runs under the site's CSP and leads to the page comparing the
two revisions chosen, with no request leaving the origin."""

from __future__ import annotations

from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed")]


@pytest.fixture(scope="module")
def site(mini_site):
    """The mini site of tests/conftest.py (built once per session): its address and revision shas."""
    return mini_site.url, mini_site.shas


@pytest.mark.parametrize("older, newer, target", [
    (0, 2, "thu-tuc/1.000001/so-sanh/{0}-{2}/"),
    (1, 2, "thu-tuc/1.000001/phien-ban/{2}/#so-voi-truoc"),
    (0, 3, "thu-tuc/1.000001/phien-ban/{0}/#so-sanh"),
])
def test_compare_form_leads_to_the_comparison_of_the_chosen_revisions(browser, site, older, newer, target):
    base, shas = site
    page = browser.new_page(viewport={"width": 360, "height": 800})
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: problems.append(f"script error: {e}"))
    page.on("response", lambda r: problems.append(f"{r.status}: {r.url}") if r.status >= 400 and "/pagefind/" not in r.url else None)
    foreign: list[str] = []
    page.on("request", lambda r: foreign.append(r.url) if not r.url.startswith(base) and not r.url.startswith("data:") else None)
    page.goto(base + "thu-tuc/1.000001/lich-su/")
    assert page.is_visible("form.tthc-compare-form")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.select_option("select[name=old]", shas[older])
    page.select_option("select[name=new]", shas[newer])
    page.click("form.tthc-compare-form button")
    page.wait_for_url(base + target.format(*shas))
    assert page.locator("ins").count() + page.locator(".tthc-effects li").count() > 0
    assert foreign == [] and problems == []
    page.close()


def test_compare_form_refuses_the_same_revision_twice(browser, site):
    base, shas = site
    page = browser.new_page()
    page.goto(base + "thu-tuc/1.000001/lich-su/")
    page.select_option("select[name=old]", shas[1])
    page.select_option("select[name=new]", shas[1])
    page.click("form.tthc-compare-form button")
    assert page.text_content(".tthc-compare-form__message") == "Hãy chọn hai phiên bản khác nhau."
    assert page.url == base + "thu-tuc/1.000001/lich-su/"
    page.close()
