"""Search: a Pagefind index of the built site (DESIGN.md §5 "Search").

The site's pages carry Pagefind's attributes, written by the templates:

* ``data-pagefind-body`` on the part of a procedure page that people search
  (name, code, agency, sector, subjects, a summary of steps and documents).
  Pages without it (home, index pages, dashboards) are not indexed at all,
  and navigation, header and footer are never indexed.
* ``data-pagefind-filter="agency"``, ``"sector"``, ``"level"``, ``"kind"``,
  ``"status"``: the filter values (Vietnamese labels, as shown).
* ``data-pagefind-ignore`` on anything inside the body that is boilerplate.

Pagefind (PyPI ``pagefind[bin]``; the binary ships with the package and is
never downloaded) folds Vietnamese tones and vowel marks since 1.5: ``giay
phep`` finds ``giấy phép`` and exact diacritics rank first. It does not fold
``đ`` to ``d`` (``đ``, U+0111, has no Unicode decomposition), so ``dang ky``
would miss ``Đăng ký``. :func:`index_site` therefore indexes, for each page,
a trimmed copy in a temporary folder (its ``data-pagefind-body`` elements
only) with a hidden block holding the ASCII-folded form of every
searchable word that contains ``đ``/``Đ`` (``Đăng`` → ``Dang``), with the
ranking weight of the text it came from (a title word keeps its title
weight). A query typed with ``đ`` matches the original words exactly and
ranks them first. The files on disk are not changed.

Typical use (from the build, after MkDocs wrote ``site/``)::

    stats = index_site(Path("site"))
    print(stats.pages, stats.bundle_bytes)
"""

from __future__ import annotations

import asyncio
import re
import shutil
import tempfile
import time
import unicodedata
from dataclasses import dataclass
from html import escape as escape_html
from html.parser import HTMLParser
from pathlib import Path

from generator.errors import BuildError

#: Folder of the search bundle inside the site (``site/pagefind/``).
BUNDLE_DIR = "pagefind"

#: Language of the single index (ISO 639-1): the whole site is Vietnamese.
LANGUAGE = "vi"

#: Files of Pagefind's own UIs, unused (the site has its own search UI):
#: removed from the bundle after writing.
UNUSED_FILES = (
    "pagefind-ui.js", "pagefind-ui.css", "pagefind-modular-ui.js", "pagefind-modular-ui.css",
    "pagefind-component-ui.js", "pagefind-component-ui.css", "pagefind-highlight.js",
)

#: The filters the templates declare, in the order the search UI shows them.
FILTERS = ("agency", "sector", "level", "kind", "status")

_VOID_TAGS = frozenset(
    "area base br col embed hr img input link meta param source track wbr".split()
)
_SKIP_TAGS = frozenset({"script", "style", "template", "noscript"})
_BLOCK_TAG = re.compile(
    r"(</?(?:address|article|aside|blockquote|br|caption|dd|details|div|dl|dt|figcaption|figure|footer|h[1-6]"
    r"|header|hr|li|main|nav|ol|p|pre|section|summary|table|tbody|td|tfoot|th|thead|tr|ul)\b[^>]*>)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class SearchStats:
    """What one indexing run did.

    Attributes:
        pages: number of pages added to the index (those with
            ``data-pagefind-body``).
        folded_words: number of distinct ``đ`` words added in folded form,
            summed over pages.
        bundle_files: number of files in ``site/pagefind/``.
        bundle_bytes: total size of ``site/pagefind/`` in bytes.
        seconds: wall-clock time of the run, in seconds.
    """

    pages: int
    folded_words: int
    bundle_files: int
    bundle_bytes: int
    seconds: float


def fold(text: str) -> str:
    """Return ``text`` without Vietnamese diacritics, ``đ``/``Đ`` as ``d``/``D``.

    Args:
        text: any Unicode text.

    Returns:
        The text with combining marks removed after NFD decomposition, and
        ``đ``→``d``, ``Đ``→``D`` (e.g. ``"Đăng ký"`` → ``"Dang ky"``).
    """
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))


#: Pagefind's default ranking weight of text inside h1..h6 (body text: 1).
_HEADING_WEIGHTS = {"h1": 7.0, "h2": 6.0, "h3": 5.0, "h4": 4.0, "h5": 3.0, "h6": 2.0}


class _SearchableText(HTMLParser):
    """Collects what Pagefind would index: the source spans of the outermost
    ``data-pagefind-body`` elements, and their text (outside
    ``data-pagefind-ignore``, scripts and styles) with its ranking weight,
    from ``data-pagefind-weight`` or the heading level."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.html = html
        self.line_starts = [0]
        for i, char in enumerate(html):
            if char == "\n":
                self.line_starts.append(i + 1)
        # (tag, in_body, ignored, weight, span start offset or -1)
        self.stack: list[tuple[str, bool, bool, float, int]] = []
        self.parts: list[tuple[str, float]] = []
        self.spans: list[tuple[int, int]] = []

    def _offset(self) -> int:
        line, column = self.getpos()
        return self.line_starts[line - 1] + column

    def _state(self) -> tuple[bool, bool, float]:
        return self.stack[-1][1:4] if self.stack else (False, False, 1.0)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _VOID_TAGS:
            return
        named = dict(attrs)
        in_body, ignored, weight = self._state()
        opens = -1
        if "data-pagefind-body" in named and not in_body:
            in_body, opens = True, self._offset()
        ignored = ignored or "data-pagefind-ignore" in named or tag in _SKIP_TAGS
        weight = _HEADING_WEIGHTS.get(tag, weight)
        try:
            weight = float(named.get("data-pagefind-weight") or weight)
        except ValueError:
            pass
        self.stack.append((tag, in_body, ignored, weight, opens))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        pass

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                opened = [entry[4] for entry in self.stack[i:] if entry[4] >= 0]
                if opened:
                    end = self.html.find(">", self._offset())
                    self.spans.append((opened[0], len(self.html) if end < 0 else end + 1))
                del self.stack[i:]
                return

    def handle_data(self, data: str) -> None:
        in_body, ignored, weight = self._state()
        if in_body and not ignored and data.strip():
            self.parts.append((data, weight))

    def close(self) -> None:
        super().close()
        opened = [entry[4] for entry in self.stack if entry[4] >= 0]
        if opened:  # an unclosed body element runs to the end of the file
            self.spans.append((opened[0], len(self.html)))


def searchable_text(html: str) -> tuple[list[str], list[tuple[str, float]]]:
    """Return the ``data-pagefind-body`` elements of a page and their indexed text.

    Args:
        html: one page's HTML.

    Returns:
        ``(bodies, parts)``: the source HTML of each outermost
        ``data-pagefind-body`` element (empty when the page has none), and
        the text pieces Pagefind indexes from them (minus
        ``data-pagefind-ignore`` parts, scripts and styles), each with the
        ranking weight Pagefind gives it (h1: 7 ... body text: 1).
    """
    parser = _SearchableText(html)
    parser.feed(html)
    parser.close()
    return [html[start:end] for start, end in parser.spans], parser.parts


def folded_d_words(parts: list[tuple[str, float]]) -> dict[float, list[str]]:
    """Return the ASCII-folded form of each word containing ``đ``/``Đ``,
    grouped by ranking weight, in first-seen order, without repeats.

    Args:
        parts: ``(text, weight)`` pieces from :func:`searchable_text`.

    Returns:
        e.g. ``{7.0: ["Dang"], 1.0: ["dong", "Dang"]}`` for an ``h1``
        "Đăng ký" and a paragraph "... đồng ... Đăng".
    """
    groups: dict[float, dict[str, None]] = {}
    for text, weight in parts:
        for word in text.split():
            if "đ" in word or "Đ" in word:
                folded = fold(word.strip(".,;:!?()[]{}\"'“”‘’«»…"))
                if folded:
                    groups.setdefault(weight, {}).setdefault(folded, None)
    return {weight: list(words) for weight, words in groups.items()}


def staged_page(bodies: list[str], groups: dict[float, list[str]]) -> str:
    """Return the page Pagefind indexes: the body elements and folded words.

    The page's chrome (navigation, header, footer, scripts) is left out, so
    Pagefind reads only what people search for. Each group of folded words
    becomes ``<div data-pagefind-body data-pagefind-weight=W hidden>``, so a
    folded title word ranks like the title word itself.

    Args:
        bodies: source HTML of the page's ``data-pagefind-body`` elements.
        groups: folded words by weight, from :func:`folded_d_words`.

    Returns:
        A small HTML document, written only to a temporary folder.
    """
    folded = "".join(
        f'<div data-pagefind-body data-pagefind-weight="{weight:g}" hidden>'
        f"{escape_html(' '.join(words))}</div>"
        for weight, words in sorted(groups.items(), reverse=True)
    )
    # Block boundaries get a space, so "<dt>Mã</dt><dd>1.000178</dd>" is
    # indexed as two words, not "Mã1.000178".
    spaced = _BLOCK_TAG.sub(r" \1 ", "".join(bodies))
    return (
        f'<!DOCTYPE html><html lang="{LANGUAGE}"><head><meta charset="utf-8"></head>'
        f"<body>{spaced}{folded}</body></html>\n"
    )


def _bundle_size(bundle: Path) -> tuple[int, int]:
    files = [p for p in bundle.rglob("*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


async def _index(staging: Path, bundle: Path) -> int:
    from pagefind.index import PagefindIndex

    # One AddDir request: the Python API answers each request after a 0.1 s
    # poll, so adding 10,000 pages one by one would take over 15 minutes.
    config = {"force_language": LANGUAGE, "output_path": str(bundle)}
    async with PagefindIndex(config=config) as index:  # writes the bundle on exit
        result = await index.add_directory(str(staging))
    return int(result["page_count"])


def index_site(site_dir: Path) -> SearchStats:
    """Build the Pagefind search bundle of a built site into ``site_dir/pagefind/``.

    Only pages with ``data-pagefind-body`` are indexed, and only those
    elements of them; each also gets the folded form of its ``đ`` words
    (see the module docstring). The pages are staged in a temporary folder
    that mirrors the site, so result URLs are the site's; the site's own
    files are not changed. An old bundle is replaced.

    Args:
        site_dir: the folder MkDocs wrote (``site/``), holding ``*.html``.

    Returns:
        :class:`SearchStats` of the run.

    Raises:
        BuildError: ``site_dir`` is missing, or Pagefind failed (its
            message is included).
    """
    start = time.perf_counter()
    if not site_dir.is_dir():
        raise BuildError(f"cannot index {site_dir}: no such folder; build the site first")
    bundle = (site_dir / BUNDLE_DIR).resolve()
    folded = 0
    with tempfile.TemporaryDirectory(prefix="tthc-search-") as tmp:
        staging = Path(tmp)
        for path in sorted(site_dir.rglob("*.html")):
            if bundle in path.resolve().parents:
                continue
            html = path.read_text(encoding="utf-8", errors="replace")
            if "data-pagefind-body" not in html:
                continue
            bodies, parts = searchable_text(html)
            if not bodies:
                continue
            groups = folded_d_words(parts)
            folded += sum(len(words) for words in groups.values())
            target = staging / path.relative_to(site_dir)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(staged_page(bodies, groups), encoding="utf-8")
        if bundle.exists():
            shutil.rmtree(bundle)
        try:
            pages = asyncio.run(_index(staging, bundle))
        except Exception as err:  # the Pagefind service reports any failure as a plain exception
            raise BuildError(f"search index: Pagefind failed: {err}") from err
    for name in UNUSED_FILES:
        (bundle / name).unlink(missing_ok=True)
    files, size = _bundle_size(bundle)
    return SearchStats(pages, folded, files, size, time.perf_counter() - start)
