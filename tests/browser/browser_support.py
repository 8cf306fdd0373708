"""What the browser tests share: paths, Chromium's flags, the served site, request recording."""

from __future__ import annotations

import http.server
import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM = Path(os.environ.get("TTHC_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}


def catalog_dir() -> Path:
    """The catalog the browser tests build: the real one when present
    (``TTHC_BROWSER_CATALOG=DIR`` picks another, e.g. the mini fixture)."""
    if os.environ.get("TTHC_BROWSER_CATALOG"):
        return (REPO / os.environ["TTHC_BROWSER_CATALOG"]).resolve()
    real = REPO / "catalog"
    if any((real / "procedures").glob("*/*.yaml")):
        return real
    return REPO / "tests" / "fixtures" / "mini_catalog"


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@dataclass
class Site:
    """The built site, served: its folder, catalog and base URL."""

    root: Path
    catalog: object
    base_url: str

    @property
    def origin(self) -> str:
        parts = urlsplit(self.base_url)
        return f"{parts.scheme}://{parts.netloc}"


@dataclass
class Requests:
    """Every request of a browser context; those off the origin are blocked."""

    origin: str
    seen: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)

    def handle(self, route) -> None:
        url = route.request.url
        self.seen.append(url)
        if url.startswith(("data:", "blob:")) or url.startswith(self.origin + "/"):
            route.continue_()
        else:
            self.foreign.append(url)
            route.abort()


def new_context(browser, site: Site, viewport: dict):
    requests = Requests(site.origin)
    context = browser.new_context(viewport=viewport, locale="vi-VN", service_workers="block")
    context.route("**/*", requests.handle)
    return context, requests
