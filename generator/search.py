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
would miss ``Đăng ký``. :func:`index_site` therefore adds to each indexed
page, in memory only, a hidden block holding the ASCII-folded form of every
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

#: The filters the templates declare, in the order the search UI shows them.
FILTERS = ("agency", "sector", "level", "kind", "status")

_VOID_TAGS = frozenset(
    "area base br col embed hr img input link meta param source track wbr".split()
)
_SKIP_TAGS = frozenset({"script", "style", "template", "noscript"})


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
    """Collects the text Pagefind would index, with its ranking weight: inside
    ``data-pagefind-body``, outside ``data-pagefind-ignore``, scripts and
    styles; weight from ``data-pagefind-weight`` or the heading level."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool, bool, float]] = []  # (tag, in_body, ignored, weight)
        self.parts: list[tuple[str, float]] = []
        self.has_body = False

    def _state(self) -> tuple[bool, bool, float]:
        return self.stack[-1][1:] if self.stack else (False, False, 1.0)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _VOID_TAGS:
            return
        named = dict(attrs)
        in_body, ignored, weight = self._state()
        if "data-pagefind-body" in named:
            in_body = self.has_body = True
        ignored = ignored or "data-pagefind-ignore" in named or tag in _SKIP_TAGS
        weight = _HEADING_WEIGHTS.get(tag, weight)
        try:
            weight = float(named.get("data-pagefind-weight") or weight)
        except ValueError:
            pass
        self.stack.append((tag, in_body, ignored, weight))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        pass

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                return

    def handle_data(self, data: str) -> None:
        in_body, ignored, weight = self._state()
        if in_body and not ignored and data.strip():
            self.parts.append((data, weight))


def searchable_text(html: str) -> tuple[bool, list[tuple[str, float]]]:
    """Return whether ``html`` has a ``data-pagefind-body`` and its indexed text.

    Args:
        html: one page's HTML.

    Returns:
        ``(has_body, parts)``: the text pieces of all ``data-pagefind-body``
        elements (minus ``data-pagefind-ignore`` parts, scripts and styles),
        each with the ranking weight Pagefind gives it (h1: 7 ... body: 1).
    """
    parser = _SearchableText()
    parser.feed(html)
    parser.close()
    return parser.has_body, parser.parts


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


def with_folded_words(html: str, groups: dict[float, list[str]]) -> str:
    """Return ``html`` with hidden, indexed blocks of folded words before ``</body>``.

    Each group becomes ``<div data-pagefind-body data-pagefind-weight=W hidden>``,
    so a folded title word ranks like the title word itself.

    Args:
        html: one page's HTML (returned unchanged when ``groups`` is empty).
        groups: folded words by weight, from :func:`folded_d_words`.

    Returns:
        The HTML to give Pagefind; never written to disk.
    """
    if not groups:
        return html
    block = "".join(
        f'<div data-pagefind-body data-pagefind-weight="{weight:g}" hidden>'
        f"{escape_html(' '.join(words))}</div>"
        for weight, words in sorted(groups.items(), reverse=True)
    )
    cut = html.lower().rfind("</body>")
    return html[:cut] + block + html[cut:] if cut >= 0 else html + block


def _bundle_size(bundle: Path) -> tuple[int, int]:
    files = [p for p in bundle.rglob("*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


async def _index(site_dir: Path, pages: list[tuple[str, str]]) -> None:
    from pagefind.index import PagefindIndex

    config = {"force_language": LANGUAGE, "output_path": str(site_dir / BUNDLE_DIR)}
    async with PagefindIndex(config=config) as index:  # writes the bundle on exit
        for url, html in pages:
            await index.add_html_file(content=html, url=url)


def _page_url(site_dir: Path, path: Path) -> str:
    rel = path.relative_to(site_dir).as_posix()
    return "/" + (rel[: -len("index.html")] if rel.endswith("index.html") else rel)


def index_site(site_dir: Path) -> SearchStats:
    """Build the Pagefind search bundle of a built site into ``site_dir/pagefind/``.

    Only pages with ``data-pagefind-body`` are indexed (in sorted path order,
    so the bundle is the same for the same site). Each gets, in memory, the
    folded form of its ``đ`` words (see the module docstring). An old bundle
    is replaced.

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
    bundle = site_dir / BUNDLE_DIR
    pages: list[tuple[str, str]] = []
    folded = 0
    for path in sorted(site_dir.rglob("*.html")):
        if bundle in path.parents:
            continue
        html = path.read_text(encoding="utf-8", errors="replace")
        if "data-pagefind-body" not in html:
            continue
        has_body, parts = searchable_text(html)
        if not has_body:
            continue
        groups = folded_d_words(parts)
        folded += sum(len(words) for words in groups.values())
        pages.append((_page_url(site_dir, path), with_folded_words(html, groups)))
    if bundle.exists():
        import shutil

        shutil.rmtree(bundle)
    try:
        asyncio.run(_index(site_dir, pages))
    except Exception as err:  # the Pagefind service reports any failure as a plain exception
        raise BuildError(f"search index: Pagefind failed: {err}") from err
    files, size = _bundle_size(bundle)
    return SearchStats(len(pages), folded, files, size, time.perf_counter() - start)
