"""The site's layout, rendered once and reused for thousands of pages.

Material renders its whole layout (header, search dialog, the navigation
of every index page, the table of contents, footer, scripts) for every page
MkDocs builds, although for a page that is not in the navigation only a few
strings of it differ: the title (``<title>`` and the header), the meta
description, the canonical link, the table of contents and the body. So the
plugin has MkDocs + Material render a few *layout pages* (one per URL depth,
with and without a table of contents; :func:`layout_pages`) whose title,
description, body and one table-of-contents entry are placeholders, and
:class:`Layouts` builds every other page from them by string substitution:
the same bytes Material would have written (a test builds a site both ways
and compares them), at a small fraction of the cost.

Relative links in the layout (``../../assets/…``) depend only on the depth
of the page's URL, which is why there is one layout per depth. Pages in the
navigation (the home page and the index pages) still go through MkDocs,
which marks their navigation entry as active.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from markupsafe import escape

from generator.errors import BuildError

#: URL folder of the layout pages; removed from the site after the build.
LAYOUT_DIR = "tthc-khung"
#: Placeholders (ASCII, not words of any language, never produced by escaping).
TITLE = "TTHCKHUNGTIEUDE"
DESCRIPTION = "TTHCKHUNGMOTA"
#: The layout page's body: an ``<h1>``, because Material adds the page title as an ``<h1>``
#: to a body without one (every page built from a layout has its own).
BODY = "<h1>TTHCKHUNGNOIDUNG</h1>"
TOC_ANCHOR = "tthckhungmucluc"
TOC_LABEL = "TTHCKHUNGMUCLUC"
#: The second entry of a layout's table of contents: what stands between two entries.
TOC_ANCHOR_2 = "tthckhungmucluchai"
TOC_LABEL_2 = "TTHCKHUNGMUCLUCHAI"
#: Deepest URL a layout is made for (``thu-tuc/<code>/phien-ban/<sha>/`` is 4).
MAX_DEPTH = 6

_TOC_ITEM_START = '<li class="md-nav__item">'
_BLANK_RUN = re.compile(r"[ \t\r\f]*\n\s*")


def compact(html: str) -> str:
    """``html`` with each run of white space that holds a line break reduced to one line break.

    Material's templates leave long blank runs (a third of a layout's bytes);
    a browser renders any run of white space as one space, a line break too,
    so the page looks the same. Text with ``<pre>`` or ``<textarea>``, where
    white space is kept, is returned unchanged.
    """
    if "<pre" in html or "<textarea" in html:
        return html
    return _BLANK_RUN.sub("\n", html)


def compact_page(output: str, content: str) -> str:
    """A page Material wrote, :func:`compact` around its ``content`` (the body is left as it is)."""
    start = output.find(content) if content else -1
    if start < 0:
        return output
    end = start + len(content)
    return compact(output[:start]) + content + compact(output[end:])


def url_depth(url: str) -> int:
    """Number of folders in a directory URL: ``""`` -> 0, ``thu-tuc/1.000178/`` -> 2."""
    return url.count("/")


def layout_url(depth: int, toc: bool) -> str:
    """URL of the layout page for pages ``depth`` folders deep (with a table of contents or not)."""
    if not 1 <= depth <= MAX_DEPTH:
        raise BuildError(f"no layout for pages {depth} folders deep (1 to {MAX_DEPTH})")
    folders = [LAYOUT_DIR, "muc-luc" if toc else "khong-muc-luc"] + [f"{i}" for i in range(2, depth)]
    return "/".join(folders[:depth]) + "/"


def layout_keys() -> list[tuple[int, bool]]:
    """Every ``(depth, toc)`` a layout page is made for (depth 2 and deeper: depth 1 would
    not have room for the two folder names, and generated standalone pages are all deeper)."""
    return [(depth, toc) for depth in range(2, MAX_DEPTH + 1) for toc in (False, True)]


@dataclass(frozen=True)
class LayoutPage:
    """A layout page for MkDocs to render: its URL, and a table of contents when ``toc``."""

    depth: int
    toc: bool

    @property
    def url(self) -> str:
        return layout_url(self.depth, self.toc)


def layout_pages() -> list[LayoutPage]:
    """The layout pages the plugin adds to MkDocs' files (see the module docstring)."""
    return [LayoutPage(depth, toc) for depth, toc in layout_keys()]


@dataclass(frozen=True)
class Layout:
    """One rendered layout split around its placeholders.

    Attributes:
        url: the layout page's own URL (replaced by the page's in the canonical link).
        head: the HTML before the table of contents' entries (or before the body when there is none).
        toc_item: one entry of the table of contents, with :data:`TOC_ANCHOR` and :data:`TOC_LABEL` in it; "" without.
        toc_separator: what Material writes between two entries.
        middle: the HTML between the entries and the body.
        tail: the HTML after the body.
    """

    url: str
    head: str
    toc_item: str
    toc_separator: str
    middle: str
    tail: str

    @classmethod
    def parse(cls, html: str, url: str, toc: bool) -> "Layout":
        """Split the HTML Material wrote for a layout page.

        Raises:
            BuildError: a placeholder is missing or repeated (the theme's templates
                changed in a way this module does not know; the message names it).
        """
        if html.count(BODY) != 1:
            raise BuildError(f"layout page /{url}: the page body placeholder appears {html.count(BODY)} times, "
                             "expected once (do the theme overrides print page.content?)")
        before, tail = html.split(BODY)
        if not toc:
            return cls(url, before, "", "", "", tail)
        first, second = before.find(f'"#{TOC_ANCHOR}"'), before.find(f'"#{TOC_ANCHOR_2}"')
        start = before.rfind(_TOC_ITEM_START, 0, first)
        end = before.find("</li>", first) + len("</li>")
        second_start = before.rfind(_TOC_ITEM_START, 0, second)
        second_end = before.find("</li>", second) + len("</li>")
        if min(first, second, start, second_start) < 0 or not start < end <= second_start < second_end:
            raise BuildError(f"layout page /{url}: cannot find its table of contents entries")
        return cls(url, before[:start], before[start:end], before[end:second_start], before[second_end:], tail)

    def render(self, title: str, description: str | None, body: str, url: str,
               toc: tuple[tuple[str, str], ...] = ()) -> str:
        """The page at ``url``, as Material would have written it.

        Args:
            title: plain-text title (escaped here, as the plugin escapes it for MkDocs).
            description: plain-text meta description, or None.
            body: the page body (safe HTML).
            url: the page's directory URL.
            toc: ``(anchor, plain-text label)`` entries.
        """
        head = self.head
        description_html = str(escape(description)) if description else ""
        head = head.replace(TITLE, str(escape(title))).replace(DESCRIPTION, description_html)
        head = head.replace(self.url, url)
        items = self.toc_separator.join(self.toc_item.replace(TOC_ANCHOR, anchor).replace(TOC_LABEL, str(escape(label)))
                        for anchor, label in toc)
        middle = self.middle.replace(TITLE, str(escape(title))).replace(self.url, url) if self.middle else ""
        if "<h1" not in body:
            raise BuildError(f"/{url}: a page built from the layout needs its own <h1> (Material would add one)")
        return f"{head}{items}{middle}{body}{self.tail}"


class Layouts:
    """The layouts of a build, by ``(depth, toc)``; :meth:`render` builds a page.

    Filled from the HTML of the layout pages (:meth:`add`), in the MkDocs
    ``on_post_page`` event.
    """

    def __init__(self) -> None:
        self._by_key: dict[tuple[int, bool], Layout] = {}

    def add(self, page: LayoutPage, html: str) -> None:
        self._by_key[(page.depth, page.toc)] = Layout.parse(html, page.url, page.toc)

    def __len__(self) -> int:
        return len(self._by_key)

    def digest(self) -> str:
        """A digest of every layout (the incremental cache's key includes it, :mod:`generator.cache`)."""
        import hashlib

        digest = hashlib.sha256()
        for key in sorted(self._by_key):
            layout = self._by_key[key]
            for part in (repr(key), layout.url, layout.head, layout.toc_item, layout.toc_separator, layout.middle,
                         layout.tail):
                digest.update(part.encode("utf-8", "surrogatepass") + b"\0")
        return digest.hexdigest()

    def render(self, page) -> str:
        """The full HTML of a :class:`~generator.render.GeneratedPage`.

        Raises:
            BuildError: no layout for the page's depth.
        """
        key = (url_depth(page.url), bool(page.toc))
        layout = self._by_key.get(key)
        if layout is None:
            raise BuildError(f"no layout for /{page.url} ({key[0]} folders deep): pages that deep are not supported")
        return layout.render(page.title, page.description, str(page.html), page.url, page.toc)
