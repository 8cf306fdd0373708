"""The Vietnamese 404 page of the built site, served as a web server serves it
for an address the site does not have (GitHub Pages, nginx ``error_page``):
the body of ``404.html`` with status 404, at any depth."""

from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path

import pytest

from browser_support import AXE, PHONE, QuietHandler, Site, new_context
from test_site import STATUS, _axe

pytestmark = pytest.mark.browser


class NotFoundHandler(QuietHandler):
    """Serves the site; a missing file gets ``404.html`` with status 404."""

    def send_error(self, code, message=None, explain=None):  # noqa: D102
        page = Path(self.directory) / "404.html"
        if code != 404 or not page.is_file():
            return super().send_error(code, message, explain)
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def server(site: Site):
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(NotFoundHandler, directory=str(site.root)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield Site(site.root, site.catalog, f"http://127.0.0.1:{httpd.server_address[1]}/")
    httpd.shutdown()
    httpd.server_close()


def _open_missing(browser, server: Site, viewport=None):
    context, requests = new_context(browser, server, viewport or {"width": 1280, "height": 800})
    page = context.new_page()
    failed: list[str] = []
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 and "/khong-co/" not in r.url else None)
    response = page.goto(f"{server.base_url}khong-co/trang/nay/")
    return context, requests, page, response, failed


def test_a_missing_address_gets_the_vietnamese_404_page_with_its_styles(browser, server: Site):
    context, requests, page, response, failed = _open_missing(browser, server)
    assert response.status == 404
    assert page.evaluate("document.documentElement.lang") == "vi"
    assert page.locator("article h1").inner_text() == "Không tìm thấy trang"
    assert page.title().startswith("Không tìm thấy trang")
    assert "không có trên trang web này" in page.locator("article").inner_text()
    assert failed == []   # styles and scripts load from the site root, three folders deep
    page.get_by_role("link", name="Về trang chủ").click()
    page.wait_for_url(server.base_url)
    assert page.locator("h1").count() >= 1
    context.close()
    assert requests.foreign == []


def test_the_404_page_searches_the_catalog(browser, server: Site):
    context, requests, page, _, _ = _open_missing(browser, server)
    page.locator("#tthc-notfound-q").fill("cap ho chieu")
    page.locator("#tthc-notfound-q").press("Enter")
    page.wait_for_url("**/?q=cap+ho+chieu")
    page.wait_for_function("s => /kết quả/.test(document.querySelector(s).textContent)", arg=STATUS, timeout=20_000)
    assert page.locator(".tthc-search__results > li").count() > 0
    context.close()
    assert requests.foreign == []


@pytest.mark.skipif(not AXE.exists(), reason="run `npm ci` for axe-core")
def test_the_404_page_has_no_serious_accessibility_violation_on_a_phone(browser, server: Site):
    context, requests, page, _, _ = _open_missing(browser, server, PHONE)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    assert _axe(page) == []
    context.close()
