"""The history page of a mini catalog with four revisions, in headless Chromium: the compare form
(assets/javascripts/tthc-compare.js) runs under the site's CSP and leads to the page comparing the
two revisions chosen, with no request leaving the origin."""

from __future__ import annotations

import functools
import http.server
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from gitrepo import GitRepo

REPO = Path(__file__).resolve().parents[1]
MINI = REPO / "tests" / "fixtures" / "mini_catalog"
CHROMIUM = Path("/usr/bin/chromium")

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed")]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    repo = GitRepo(tmp_path_factory.mktemp("history-browser") / "repo")
    shutil.copytree(MINI, repo.root / "catalog")
    shas = [repo.commit("Danh mục ban đầu", "2026-06-10T09:00:00+07:00")]
    path = repo.root / "catalog" / "procedures" / "bo-xay-dung" / "1.000001.yaml"
    for old, new, day in (("{value: 10, unit: working_days}", "{value: 5, unit: working_days}", "01"),
                          ("Có quyền sử dụng đất hợp pháp", "Có quyền sử dụng đất hợp pháp theo Luật Đất đai", "05"),
                          ("amount_vnd: 75000", "amount_vnd: 50000", "09")):
        path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
        shas.append(repo.commit(f"Thay đổi ngày {day}/07", f"2026-07-{day}T09:00:00+07:00"))
    out = repo.root.parent / "site"
    result = subprocess.run([sys.executable, "-m", "generator.cli", "build", "--catalog", str(repo.root / "catalog"),
                             "--site-dir", str(out), "--no-search"], cwd=REPO, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(out))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/", [sha[:10] for sha in shas]
    server.shutdown()


@pytest.fixture(scope="module")
def browser():
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield chromium
        chromium.close()


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
