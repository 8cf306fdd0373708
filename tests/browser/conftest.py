"""Browser tests: build the real site once, serve it on 127.0.0.1, drive Chromium.

The site is built once per session with the real entry point (``tthc
build``) from the catalog in ``catalog/`` (the real catalog of published
procedures); when that is empty (a checkout without data), from
``tests/fixtures/mini_catalog/``; ``TTHC_BROWSER_SITE=DIR`` reuses a site
already built from that catalog instead. It is served by ``http.server`` in a
thread. Chromium is Debian's (``/usr/bin/chromium``): no browser is ever
downloaded. Every request a page makes is recorded, and any request that
leaves the site's origin is blocked and fails the test.
"""

from __future__ import annotations

import functools
import os
import subprocess
import sys
import threading
import http.server
from pathlib import Path

import pytest

from browser_support import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, DESKTOP, PHONE, REPO, Site, QuietHandler, catalog_dir, new_context

@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    """Build the site once (``tthc build``) and serve it on 127.0.0.1."""
    from generator.catalog import read_catalog

    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} not found: install Debian's chromium (apt-get install chromium)")
    catalog_root = catalog_dir()
    if os.environ.get("TTHC_BROWSER_SITE"):
        # a site already built from this catalog (e.g. by `tthc build --site-dir DIR`): reused, not rebuilt
        out = Path(os.environ["TTHC_BROWSER_SITE"]).resolve()
    else:
        out = tmp_path_factory.mktemp("site") / "site"
        result = subprocess.run(
            [sys.executable, "-m", "generator.cli", "build", "--catalog", str(catalog_root), "--site-dir", str(out)],
            cwd=REPO, capture_output=True, text=True,
        )
        assert result.returncode == 0, f"tthc build failed:\n{result.stdout}\n{result.stderr}"
    assert (out / "pagefind" / "pagefind.js").is_file(), "the build wrote no Pagefind bundle"
    catalog, _ = read_catalog(catalog_root)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(out)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield Site(out, catalog, f"http://127.0.0.1:{server.server_address[1]}/")
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium through Playwright (never a downloaded browser).

    Module-scoped: Playwright's sync API keeps an event loop running in this
    thread while it is open, which other modules' code must not inherit.
    """
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, site: Site):
    """A desktop page; after the test, no request may have left the origin."""
    context, requests = new_context(browser, site, DESKTOP)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("response", lambda r: errors.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)
    page.requests = requests
    page.errors = errors
    yield page
    context.close()
    assert requests.foreign == [], f"requests left the site's origin: {requests.foreign}"
    assert errors == [], f"script errors on the page: {errors}"


@pytest.fixture
def phone(browser, site: Site):
    """A 360 px wide page, with the same origin check."""
    context, requests = new_context(browser, site, PHONE)
    page = context.new_page()
    yield page
    context.close()
    assert requests.foreign == [], f"requests left the site's origin: {requests.foreign}"


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """``test-artifacts/`` (gitignored): screenshots to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
