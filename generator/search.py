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
would miss ``Đăng ký``.

:func:`index_site` therefore gives Pagefind, for each page, a small page
of its own (in a temporary folder that mirrors the site, so URLs are the
site's; the site's files are not changed): the title, the text of the
body cut to a summary (:data:`SUMMARY_WORDS` words per piece; labels and
section headings left out as boilerplate), the filter and meta values,
and, hidden, the ASCII-folded form of every word with ``đ``/``Đ``
(``Đăng`` → ``Dang``) with the ranking weight of the text it came from (a
title word keeps its title weight). A query typed with ``đ`` matches the
original words exactly and ranks them first.

Typical use (from the build, after MkDocs wrote ``site/``)::

    stats = index_site(Path("site"))
    print(stats.pages, stats.bundle_bytes)
"""

from __future__ import annotations

import asyncio
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

#: Labels and section headings: the same words on every procedure page, so
#: boilerplate for search (Mã thủ tục, Trình tự thực hiện, table headers).
BOILERPLATE_TAGS = frozenset({"dt", "th", "caption", "h2", "h3", "h4", "h5", "h6", "legend"})

#: Each indexed text piece other than the title is cut to this many words:
#: a summary of steps and documents, not their full text. Pagefind loads,
#: per query word, an index chunk holding every position of the word on
#: every page, so long texts would make a first search download megabytes
#: at 10,000 procedures.
SUMMARY_WORDS = 16


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


@dataclass(frozen=True)
class SearchRecord:
    """What one page gives the index.

    Attributes:
        parts: the indexed text pieces, in page order, each with its ranking
            weight (Pagefind's: h1 7, body text 1, or ``data-pagefind-weight``)
            and cut to :data:`SUMMARY_WORDS` words, except the title.
        tags: ``(kind, name, value)`` for each ``data-pagefind-filter`` or
            ``data-pagefind-meta`` element (kind ``"filter"`` or ``"meta"``).
    """

    parts: tuple[tuple[str, float], ...]
    tags: tuple[tuple[str, str, str], ...]


class _SearchableText(HTMLParser):
    """Reads a page as Pagefind would, keeping a summary: the text inside
    ``data-pagefind-body`` (outside ``data-pagefind-ignore``, scripts, styles
    and the labels of :data:`BOILERPLATE_TAGS`), with its ranking weight, and
    the filter and meta values."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        # (tag, in_body, ignored, weight, capture) where capture collects the
        # text of a filter/meta element: [kind, name, text pieces] or None.
        self.stack: list[tuple[str, bool, bool, float, list | None]] = []
        self.parts: list[tuple[str, float]] = []
        self.tags: list[tuple[str, str, str]] = []
        self.has_body = False

    def _state(self) -> tuple[bool, bool, float]:
        return self.stack[-1][1:4] if self.stack else (False, False, 1.0)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        in_body, ignored, weight = self._state()
        if "data-pagefind-body" in named:
            in_body = self.has_body = True
        capture = None
        if in_body and not ignored:
            for kind in ("filter", "meta"):
                spec = named.get(f"data-pagefind-{kind}")
                if not spec:
                    continue
                name, _, value = spec.partition(":")
                if value:
                    self.tags.append((kind, name.strip(), value.strip()))
                elif "[" not in name and tag not in _VOID_TAGS:
                    capture = [kind, name.strip(), []]
        if tag in _VOID_TAGS:
            return
        ignored = ignored or "data-pagefind-ignore" in named or tag in _SKIP_TAGS or tag in BOILERPLATE_TAGS
        weight = _HEADING_WEIGHTS.get(tag, weight)
        try:
            weight = float(named.get("data-pagefind-weight") or weight)
        except ValueError:
            pass
        self.stack.append((tag, in_body, ignored, weight, capture))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                for entry in reversed(self.stack[i:]):
                    if entry[4] is not None:
                        kind, name, pieces = entry[4]
                        value = " ".join(" ".join(pieces).split())
                        if value:
                            self.tags.append((kind, name, value))
                del self.stack[i:]
                return

    def handle_data(self, data: str) -> None:
        for entry in self.stack:
            if entry[4] is not None:
                entry[4][2].append(data)
        in_body, ignored, weight = self._state()
        if in_body and not ignored and data.strip():
            self.parts.append((data, weight))


def _summary(text: str, weight: float) -> str:
    words = text.split()
    if weight >= _HEADING_WEIGHTS["h1"] or len(words) <= SUMMARY_WORDS:
        return " ".join(words)
    return " ".join(words[:SUMMARY_WORDS]) + " …"


def searchable_text(html: str) -> SearchRecord | None:
    """Read the summary Pagefind indexes from one page.

    Args:
        html: one page's HTML.

    Returns:
        The page's :class:`SearchRecord`, or None when it has no
        ``data-pagefind-body`` (the page is not indexed).
    """
    parser = _SearchableText()
    parser.feed(html)
    parser.close()
    if not parser.has_body:
        return None
    parts = tuple((_summary(text, weight), weight) for text, weight in parser.parts)
    return SearchRecord(tuple((t, w) for t, w in parts if t), tuple(parser.tags))


def folded_d_words(parts: tuple[tuple[str, float], ...] | list[tuple[str, float]]) -> dict[float, list[str]]:
    """Return the ASCII-folded form of each word containing ``đ``/``Đ``,
    grouped by ranking weight, in first-seen order, without repeats.

    Args:
        parts: ``(text, weight)`` pieces of a :class:`SearchRecord`.

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


def staged_page(record: SearchRecord) -> str:
    """Return the small page Pagefind indexes for one site page.

    It holds the title as ``<h1>``, each other text piece as a paragraph with
    its weight, the filter and meta values as ``data-pagefind-filter="name:value"``
    (so they are not indexed twice), and, hidden, the folded ``đ`` words with
    the weight of the text they came from. Everything is escaped.

    Args:
        record: the page's :class:`SearchRecord`.

    Returns:
        An HTML document, written only to a temporary folder.
    """
    out = ['<!DOCTYPE html><html lang="', LANGUAGE, '"><head><meta charset="utf-8"></head><body>']
    for text, weight in record.parts:
        if weight == _HEADING_WEIGHTS["h1"]:
            out.append(f"<h1>{escape_html(text)}</h1>")
        elif weight == 1.0:
            out.append(f"<p>{escape_html(text)}</p>")
        else:
            out.append(f'<p data-pagefind-weight="{weight:g}">{escape_html(text)}</p>')
    for kind, name, value in record.tags:
        out.append(f'<span data-pagefind-{kind}="{escape_html(name)}:{escape_html(value)}"></span>')
    for weight, words in sorted(folded_d_words(record.parts).items(), reverse=True):
        out.append(f'<p data-pagefind-weight="{weight:g}" hidden>{escape_html(" ".join(words))}</p>')
    out.append("</body></html>\n")
    return "".join(out)


def _run(coroutine):
    """``asyncio.run`` it, in a worker thread if this thread already runs a
    loop (``mkdocs serve``, notebooks, Playwright's sync API)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


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

    Only pages with ``data-pagefind-body`` are indexed, each as the summary
    record of :func:`staged_page` (see the module docstring), in sorted path
    order. The site's own files are not changed. An old bundle is replaced.

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
            record = searchable_text(html)
            if record is None:
                continue
            folded += sum(len(words) for words in folded_d_words(record.parts).values())
            target = staging / path.relative_to(site_dir)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(staged_page(record), encoding="utf-8")
        if bundle.exists():
            shutil.rmtree(bundle)
        try:
            pages = _run(_index(staging, bundle))
        except Exception as err:  # the Pagefind service reports any failure as a plain exception
            raise BuildError(f"search index: Pagefind failed: {err}") from err
    for name in UNUSED_FILES:
        (bundle / name).unlink(missing_ok=True)
    files, size = _bundle_size(bundle)
    return SearchStats(pages, folded, files, size, time.perf_counter() - start)
