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

:func:`index_site` therefore gives Pagefind, for each page, a short page of
its own (in a temporary folder that mirrors the site, so URLs are the
site's; the site's files are not changed), in which each word stands once:

* the title (``<h1>``, in full and as written, ranking weight 7);
* the facts, ASCII-folded (:func:`fold`): code, agency, sector and levels
  (the ``code`` meta and the ``agency``/``sector``/``level`` filter values);
  a word with ``đ`` also stands as Pagefind keys it, marks stripped but
  ``đ`` kept (``đất`` → ``đat dat``), so a query typed with ``đ`` finds it;
* a bag, folded the same way, of the other searchable words of the page, each once
  and not already in the title or facts: subjects and documents first
  (:data:`FIRST_SECTIONS`), then description, keywords and steps in page
  order, cut at :data:`BAG_WORDS` words; words without a letter (step
  numbers, amounts) are left out;
* hidden, the folded form of each title word with ``đ``/``Đ`` (``Đăng`` →
  ``Dang``), once, at the title's weight.

Why, measured with Pagefind 1.5 (``benchmarks/run.py``): Pagefind keys its
word index by the folded word and stores the words as written as *variants*
of that key, and it cuts the sorted keys into chunks of about 20,000
positions counting only the positions of the key itself, not of its
variants. A query loads the chunk of each of its words. With all text as
written, almost every Vietnamese word is a variant, so chunks grew to
hundreds of kB at 10,000 procedures (a first search downloaded 559 kB).
With facts and bag folded, chunks are bounded again (about 20 kB each), and
only title words remain variants: typing the exact diacritics still ranks
the titles that have them first, ``giay phep`` finds ``giấy phép`` (the
title's variants and the bag's folded words), and ``dang ky`` finds
``Đăng ký`` (Pagefind does not fold ``đ``, U+0111, which has no Unicode
decomposition; the hidden folded title words and the folded bag do). The
results list shows metadata (title, code, agency, sector), never Pagefind's
excerpts, so the folded text is never shown. The bag's words as written
(:attr:`SearchRecord.words`) go to a small file per page beside the index
(:data:`WORDS_DIR`), which the results fetch only for a result whose name
lacks a query word, to list the words it matched elsewhere. Not as Pagefind
metadata: Pagefind indexes metadata values too, and the words as written,
variants of the folded keys, made the index chunks a query loads 40 %
larger (measured: 45 -> 64 kB for "giay phep"). Kind and status are filters only; the summary
card's other values (time limits, fees, decision) and the status banner are
not indexed.

What a first search downloads is kept small at 50,000 procedures by
:func:`compact_bundle`, which puts Pagefind's pages in word-count order
under short names (the metadata every search loads gzips to about 1.3 bytes
a page) and drops the fragments' unused text: 257 kB at 50,000 procedures,
170 kB at 10,000 (``benchmarks/search_bench.py``).

How people ask (abbreviations, everyday words, i/y spellings, typos) is
handled at query time in the browser, not by indexing extra words:
:func:`write_terms` puts the table ``generator/search_terms.yaml`` and the
index's :func:`vocabulary` into the bundle as :data:`TERMS_JSON` (about 8 kB
for the bundled catalog), see :mod:`generator.search_terms`.

Typical use (from the build, after MkDocs wrote ``site/``)::

    stats = index_site(Path("site"))
    print(stats.pages, stats.bundle_bytes)
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import itertools
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unicodedata
from dataclasses import dataclass
from html import escape as escape_html
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, Callable

import cbor2

from generator.errors import BuildError
from generator.i18n import _

#: Folder of the search bundle inside the site (``site/pagefind/``).
BUNDLE_DIR = "pagefind"

#: The search terms and vocabulary the site's search loads with its first
#: search (:func:`generator.search_terms.client_data`), inside the bundle.
TERMS_JSON = "tthc-terms.json"

#: Folder, inside the bundle, of the words files: ``<page path>.txt`` (e.g.
#: ``thu-tuc/1.001471.txt`` for ``thu-tuc/1.001471/index.html``), each the
#: page's :attr:`SearchRecord.words`, space-separated, UTF-8.
WORDS_DIR = "tthc-words"

#: Shortest vocabulary word: a typo of a word of
#: :data:`generator.search_terms.TYPO_MIN_LETTERS` letters may drop one.
VOCABULARY_MIN_LETTERS = 4

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

#: Words of the bag (see the module docstring), after the title and facts.
#: A query loads, per word, an index chunk of every page that has the word,
#: so a long bag makes a first search download more at 10,000 procedures;
#: 60 distinct words hold a procedure's subjects, keywords, step titles and
#: main document names.
BAG_WORDS = 60

#: Filters whose values are also indexed as words (the facts line); kind and
#: status are filters only.
FACT_FILTERS = ("agency", "sector", "level")

#: Classes of elements whose text is not indexed, only their filter and meta
#: values: the procedure summary card and the status banner.
VALUES_ONLY_CLASSES = frozenset({"tthc-card", "tthc-banner"})

#: ``aria-labelledby`` of the sections whose words enter the bag first, in
#: this order (subjects "Đối tượng thực hiện", then the documents of the
#: dossier "Thành phần hồ sơ"); the rest follows in page order.
FIRST_SECTIONS = ("doi-tuong", "thanh-phan-ho-so")

#: Punctuation stripped from both ends of a word (Pagefind ignores it too).
_PUNCTUATION = ".,;:!?()[]{}\"'“”‘’«»…–—-/*"


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


def strip_marks(text: str) -> str:
    """Return ``text`` without tones and vowel marks, keeping ``đ``/``Đ``
    (which has no Unicode decomposition): the form Pagefind keys its index
    by and folds a query to (``"Đất đai"`` → ``"Đat đai"``).

    Args:
        text: any Unicode text.

    Returns:
        The text with combining marks removed after NFD decomposition.
    """
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))


def fold(text: str) -> str:
    """Return ``text`` without Vietnamese diacritics, ``đ``/``Đ`` as ``d``/``D``.

    Args:
        text: any Unicode text.

    Returns:
        The text with combining marks removed after NFD decomposition, and
        ``đ``→``d``, ``Đ``→``D`` (e.g. ``"Đăng ký"`` → ``"Dang ky"``).
    """
    return strip_marks(text.replace("đ", "d").replace("Đ", "D"))


#: Pagefind's default ranking weight of text inside h1..h6 (body text: 1).
_HEADING_WEIGHTS = {"h1": 7.0, "h2": 6.0, "h3": 5.0, "h4": 4.0, "h5": 3.0, "h6": 2.0}


@dataclass(frozen=True)
class SearchRecord:
    """What one page gives the index.

    Attributes:
        parts: the indexed text pieces, each with its ranking weight: the
            title (weight 7, in full, as written), then the facts line and
            the bag (weight 1, folded) of the module docstring; no word
            stands twice outside the title (compared folded, in lower case).
        tags: ``(kind, name, value)`` for each ``data-pagefind-filter`` or
            ``data-pagefind-meta`` element (kind ``"filter"`` or ``"meta"``).
        words: the bag's words as written (diacritics kept, edge
            punctuation stripped), in the bag's order: written to the
            page's words file (:data:`WORDS_DIR`), never to the index, so
            the results can show the words a query matched as people write
            them.
    """

    parts: tuple[tuple[str, float], ...]
    tags: tuple[tuple[str, str, str], ...]
    words: str = ""


class _SearchableText(HTMLParser):
    """Reads a page as Pagefind would: the text inside ``data-pagefind-body``
    (outside ``data-pagefind-ignore``, scripts, styles, the labels of
    :data:`BOILERPLATE_TAGS` and the elements of :data:`VALUES_ONLY_CLASSES`),
    as ``(text, weight, rank)`` pieces (``rank``: index in
    :data:`FIRST_SECTIONS` of the section it is in, else its length), and the
    filter and meta values."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        # (tag, in_body, ignored, muted, weight, rank, capture): muted text
        # is not indexed but its filter/meta values are; capture collects the
        # text of a filter/meta element: [kind, name, pieces] or None.
        self.stack: list[tuple[str, bool, bool, bool, float, int, list | None]] = []
        self.parts: list[tuple[str, float, int]] = []
        self.tags: list[tuple[str, str, str]] = []
        self.has_body = False

    def _state(self) -> tuple[bool, bool, bool, float, int]:
        return self.stack[-1][1:6] if self.stack else (False, False, False, 1.0, len(FIRST_SECTIONS))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        in_body, ignored, muted, weight, rank = self._state()
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
        classes = set((named.get("class") or "").split())
        ignored = ignored or "data-pagefind-ignore" in named or tag in _SKIP_TAGS
        muted = muted or tag in BOILERPLATE_TAGS or bool(classes & VALUES_ONLY_CLASSES)
        weight = _HEADING_WEIGHTS.get(tag, weight)
        try:
            weight = float(named.get("data-pagefind-weight") or weight)
        except ValueError:
            pass
        if named.get("aria-labelledby") in FIRST_SECTIONS:
            rank = FIRST_SECTIONS.index(named["aria-labelledby"])
        self.stack.append((tag, in_body, ignored, muted, weight, rank, capture))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                for entry in reversed(self.stack[i:]):
                    if entry[6] is not None:
                        kind, name, pieces = entry[6]
                        value = " ".join(" ".join(pieces).split())
                        if value:
                            self.tags.append((kind, name, value))
                del self.stack[i:]
                return

    def handle_data(self, data: str) -> None:
        stack = self.stack
        if not stack:
            return
        top = stack[-1]
        if top[6] is not None or any(entry[6] is not None for entry in stack):
            for entry in stack:
                if entry[6] is not None:
                    entry[6][2].append(data)
        if top[1] and not top[2] and not top[3] and not data.isspace():
            self.parts.append((data, top[4], top[5]))


@functools.lru_cache(maxsize=1 << 17)
def _word_key(word: str) -> str:
    """The form two words are the same in: stripped of edge punctuation,
    folded (:func:`fold`), lower case. Kept for the last 131,072 words: a
    catalog's pages say the same words again and again."""
    return fold(word.strip(_PUNCTUATION)).lower()


@functools.lru_cache(maxsize=1 << 17)
def _indexed_forms(word: str) -> tuple[str, ...]:
    """What :func:`_new_words` gives for a ``word`` stripped of edge punctuation (kept as :func:`_word_key`)."""
    if "đ" in word or "Đ" in word:
        return strip_marks(word), fold(word)
    return (fold(word),)


def _new_words(text: str, seen: set[str], letters_only: bool = False, written: list[str] | None = None) -> list[str]:
    """The folded words of ``text`` whose key is not in ``seen`` (which they
    are added to), edge punctuation stripped; with ``letters_only``, words
    without a letter (step numbers, amounts) are dropped. A word with
    ``đ`` is given twice: with its marks stripped but ``đ`` kept (what a
    query typed with ``đ`` looks up) and folded (``đất`` → ``đat dat``).
    Each word kept is also appended, as written, to ``written`` if given."""
    out = []
    for word in text.split():
        key = _word_key(word)
        if not key or key in seen or (letters_only and not any(c.isalpha() for c in key)):
            continue
        seen.add(key)
        word = word.strip(_PUNCTUATION)
        if written is not None:
            written.append(word)
        out += _indexed_forms(word)
    return out


_IGNORED_START = re.compile(r"<(section|nav|aside|details|div|ul|ol|p)\b[^>]*\sdata-pagefind-ignore(?=[\s>=/])[^>]*>")


def without_ignored(html: str) -> str:
    """``html`` without the elements marked ``data-pagefind-ignore`` (their text, filters and
    metadata are not indexed), so the parser reads only what counts. An element's end is
    found by counting the nested elements of its tag; ``html`` is a page of the site's own
    templates (well formed). Unmatched markup is left as it is."""
    out = []
    position = 0
    while True:
        match = _IGNORED_START.search(html, position)
        if match is None:
            out.append(html[position:])
            return "".join(out)
        tag = match[1]
        opening = re.compile(rf"<{tag}\b|</{tag}\s*>")
        depth, cursor = 1, match.end()
        while depth:
            inner = opening.search(html, cursor)
            if inner is None:  # not well formed: keep the rest as it is
                out.append(html[position:])
                return "".join(out)
            depth += -1 if inner[0].startswith("</") else 1
            cursor = inner.end()
        out.append(html[position:match.start()])
        position = cursor


_TAG = re.compile(
    r"<(?:(?P<end>/)?(?P<tag>[a-zA-Z][a-zA-Z0-9-]*)"
    r"(?P<attrs>(?:\s+[^\s\"'=/>]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s\"'=<>`]+))?)*)\s*(?P<close>/)?>"
    r"|(?P<skip>!--.*?-->|![a-zA-Z][^>]*>))", re.S)
_ATTR = re.compile(r"([^\s\"'=/>]+)(?:\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s\"'=<>`]+)))?")
#: Where the raw text of a script or style element ends.
_RAW_TEXT_END = {tag: re.compile(rf"</{tag}\s*>", re.I) for tag in ("script", "style")}


def _feed_fast(parser: HTMLParser, html: str) -> bool:
    """Give ``parser`` the tags and text of ``html`` as ``HTMLParser.feed`` + ``close`` would
    (``convert_charrefs``: text unescaped, split at tags and comments; names lower case;
    attribute values unescaped, ``None`` without ``=``; script and style content raw), with one
    regular expression instead of the standard library's character-by-character state machine
    (4 times faster on the site's pages, where records are made for every procedure).

    Returns:
        False, having given the parser nothing, when ``html`` holds markup this reader does not
        read exactly as ``HTMLParser`` (a ``<`` that starts no tag, an unclosed comment, a
        processing instruction, end-tag attributes): the caller then feeds it to the parser.
    """
    from html import unescape

    events: list[tuple[str, Any, Any]] = []
    position, length = 0, len(html)
    while position < length:
        start = html.find("<", position)
        if start < 0:
            start = length
        if start > position:
            text = html[position:start]
            events.append(("data", unescape(text) if "&" in text else text, None))
        if start >= length:
            break
        match = _TAG.match(html, start)
        if match is None:
            return False
        position = match.end()
        if match.group("skip") is not None:
            continue
        tag = match.group("tag").lower()
        if match.group("end"):
            if match.group("attrs").strip() or match.group("close"):
                return False
            events.append(("end", tag, None))
            continue
        attrs = []
        for attr in _ATTR.finditer(match.group("attrs")):
            name, double, single, bare = attr.groups()
            value = double if double is not None else single if single is not None else bare
            attrs.append((name.lower(), None if value is None else unescape(value) if "&" in value else value))
        events.append(("startend" if match.group("close") else "start", tag, attrs))
        if tag in _RAW_TEXT_END and not match.group("close"):
            close = _RAW_TEXT_END[tag].search(html, position)
            if close is None:
                return False
            if close.start() > position:
                events.append(("data", html[position:close.start()], None))
            events.append(("end", tag, None))
            position = close.end()
    for kind, first, second in events:
        if kind == "data":
            parser.handle_data(first)
        elif kind == "end":
            parser.handle_endtag(first)
        elif kind == "start":
            parser.handle_starttag(first, second)
        else:
            parser.handle_startendtag(first, second)
    return True


def searchable_text(html: str) -> SearchRecord | None:
    """Read the short record Pagefind indexes for one page (module docstring).

    Args:
        html: one page's HTML (or its body, as the render stage gives it).

    Returns:
        The page's :class:`SearchRecord`, or None when it has no
        ``data-pagefind-body`` (the page is not indexed).
    """
    parser = _SearchableText()
    text = without_ignored(html)
    if not _feed_fast(parser, text):
        parser.feed(text)
        parser.close()
    if not parser.has_body:
        return None
    title_weight = _HEADING_WEIGHTS["h1"]
    titles = [" ".join(text.split()) for text, weight, _ in parser.parts if weight >= title_weight]
    seen = {_word_key(word) for title in titles for word in title.split()}
    facts = [value for kind, name, value in parser.tags if kind == "meta" and name == "code"]
    facts += [value for name in FACT_FILTERS for kind, tag, value in parser.tags if kind == "filter" and tag == name]
    fact_words = _new_words(" ".join(facts), seen)
    rest = [(text, rank) for text, weight, rank in parser.parts if weight < title_weight]
    bag: list[str] = []
    written: list[str] = []
    for text, _rank in sorted(rest, key=lambda piece: piece[1]):  # stable: first sections, then page order
        bag += _new_words(text, seen, letters_only=True, written=written)
        if len(bag) >= BAG_WORDS:
            break
    bag = bag[:BAG_WORDS]
    written = written[:len(set(map(_word_key, bag)))]   # a đ word stands twice in the bag, once here
    parts = [(title, title_weight) for title in titles if title]
    parts += [(" ".join(words), 1.0) for words in (fact_words, bag) if words]
    return SearchRecord(tuple(parts), tuple(parser.tags), " ".join(written))


def folded_d_words(parts: tuple[tuple[str, float], ...] | list[tuple[str, float]]) -> dict[float, list[str]]:
    """Return the ASCII-folded form of each word containing ``đ``/``Đ``, once,
    under the ranking weight of the first part it stands in, in first-seen
    order; a folded form that already stands in ``parts`` is left out. (Only
    title words have ``đ`` in a record: the facts and bag are folded.)

    Args:
        parts: ``(text, weight)`` pieces of a :class:`SearchRecord`.

    Returns:
        e.g. ``{7.0: ["Dang"], 1.0: ["dong"]}`` for an ``h1`` "Đăng ký" and
        a paragraph "... đồng ... Đăng".
    """
    seen = {word.strip(_PUNCTUATION).lower() for text, _ in parts for word in text.split()}
    groups: dict[float, list[str]] = {}
    for text, weight in parts:
        for word in text.split():
            if "đ" in word or "Đ" in word:
                folded = fold(word.strip(_PUNCTUATION))
                if folded and folded.lower() not in seen:
                    seen.add(folded.lower())
                    groups.setdefault(weight, []).append(folded)
    return groups


def staged_page(record: SearchRecord, folded: dict[float, list[str]] | None = None) -> str:
    """Return the small page Pagefind indexes for one site page.

    It holds the title as ``<h1>``, each other text piece as a paragraph with
    its weight, the filter and meta values as ``data-pagefind-filter="name:value"``
    (so they are not indexed twice), and, hidden, the folded ``đ`` words with
    the weight of the text they came from. Everything is escaped.

    Args:
        record: the page's :class:`SearchRecord`.
        folded: its :func:`folded_d_words`, when already made.

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
    for weight, words in sorted((folded if folded is not None else folded_d_words(record.parts)).items(), reverse=True):
        out.append(f'<p data-pagefind-weight="{weight:g}" hidden>{escape_html(" ".join(words))}</p>')
    out.append("</body></html>\n")
    return "".join(out)


def _bundle_size(bundle: Path) -> tuple[int, int]:
    files = [p for p in bundle.rglob("*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


def _index(staging: Path, bundle: Path, meanwhile: Callable[[], Any] = lambda: None) -> int:
    """Run the Pagefind binary of ``pagefind[bin]`` on ``staging``, and ``meanwhile()`` in this
    process while it runs (the build's own search files: Pagefind works on its own); the page count.

    The command line, not Pagefind's Python API: the API's service answers
    "files written" before its writes are flushed and is then terminated,
    which on a loaded machine left ``pagefind-entry.json`` and the WASM file
    empty (seen at 10,000 pages); the binary exits once everything is written.
    Its output goes to a temporary file, not a pipe that nobody would read meanwhile.

    Raises:
        BuildError: Pagefind failed or wrote no bundle (its output is included).
    """
    cmd = [sys.executable, "-m", "pagefind", "--site", str(staging), "--output-path", str(bundle),
           "--force-language", LANGUAGE]
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
        try:
            meanwhile()
        finally:
            returncode = process.wait()
        log.seek(0)
        output = log.read().decode("utf-8", "replace").strip()
    match = re.search(r"Indexed (\d+) pages?", output)
    entry = bundle / "pagefind-entry.json"
    if returncode != 0 or not match or not entry.is_file() or entry.stat().st_size == 0:
        tail = "\n".join(output.splitlines()[-10:])
        raise BuildError(_("search index: Pagefind failed (exit code {code}): {output}").format(code=returncode, output=tail))
    return int(match.group(1))


#: What Pagefind 1.x puts before the CBOR of its metadata, index and filter
#: files and the JSON of a fragment, inside their gzip (pagefind's
#: ``fossick``/``output`` modules).
_SIGNATURE = b"pagefind_dcd"


class _Unexpected(Exception):
    """The bundle is not laid out as :func:`compact_bundle` expects."""


#: The gzip level of the index chunks (:func:`_renumbered_chunk`). Level 9 took 0.4 s per MB of
#: their CBOR, most of the compaction (17 s at 50,000 procedures), for 3% fewer bytes than 6, which
#: takes 0.06 s per MB; a query downloads one or two chunks. The metadata (every first search),
#: filters and fragments are small, and stay at 9.
INDEX_GZIP_LEVEL = 6


def _gzip(data: bytes, level: int = 9) -> bytes:
    return gzip.compress(data, compresslevel=level, mtime=0)


def _read_cbor_file(path: Path, check: bool = True) -> object:
    """A Pagefind CBOR file (gzip, signature, CBOR), decoded (``cbor2``).

    Args:
        path: the file.
        check: whether the CBOR must encode back to the same bytes (so :func:`_cbor_file_bytes`
            writes what Pagefind wrote: no other kind of item, no other encoding than
            minicbor's shortest form); :func:`compact_bundle` checks the metadata, the filter
            files and the first index chunk (the index chunks are many, and alike).

    Raises:
        _Unexpected: no signature, not CBOR, or (``check``) not encoding back to its bytes.
        OSError: the file cannot be read.
    """
    raw = gzip.decompress(path.read_bytes())
    if not raw.startswith(_SIGNATURE):
        raise _Unexpected(f"{path.name}: no signature")
    try:
        item = cbor2.loads(raw[len(_SIGNATURE):])
        same = not check or cbor2.dumps(item) == raw[len(_SIGNATURE):]
    except (cbor2.CBORError, ValueError, TypeError) as err:
        raise _Unexpected(f"{path.name}: {err}") from None
    if not same:
        raise _Unexpected(f"{path.name}: not the CBOR this module writes")
    return item


def _cbor_file_bytes(item: object, level: int = 9) -> bytes:
    return _gzip(_SIGNATURE + cbor2.dumps(item), level)


def _page_name(lang: str, k: int, digits: int) -> str:
    """Page ``k``'s new name: ``<lang>_`` and ``k``'s ``digits`` hexadecimal digits, lowest first
    (``vi_5a00`` for 165 of 4 digits): consecutive names differ in their first digit only, which gzip
    codes as one literal and one repeat of the entry before."""
    return f"{lang}_" + "".join("0123456789abcdef"[(k >> (4 * i)) & 15] for i in range(digits))


def _chunk_name(lang: str, data: bytes) -> str:
    """The name of a rewritten index or filter file: ``<lang>_`` and 7 hex digits of its SHA-256,
    as Pagefind names them (a new content gets a new name, so no cache serves the old one)."""
    return f"{lang}_{hashlib.sha256(data).hexdigest()[:7]}"


def _renumbered_words(chunk: object, new_of_old: list[int]) -> list:
    """An index chunk with page numbers renumbered: ``[[[word, pages, variants], ...]]``, where
    ``pages`` is ``[[page number step, locations, meta locations], ...]`` in page order (the first
    step from 0) and ``variants`` is ``[[word as written, pages], ...]``. Locations are kept."""
    if not isinstance(chunk, list) or len(chunk) != 1 or not isinstance(chunk[0], list):
        raise _Unexpected("index chunk layout")

    def renumber(pages: object) -> list:
        if not isinstance(pages, list) or not all(isinstance(e, list) and len(e) == 3 for e in pages):
            raise _Unexpected("page list")
        try:
            numbers = [new_of_old[n] for n in itertools.accumulate(e[0] for e in pages)]
        except (IndexError, TypeError):
            raise _Unexpected("page number out of range") from None
        if pages and min(e[0] for e in pages) < 0:
            raise _Unexpected("page numbers out of order")
        out, previous = [], 0
        for i in sorted(range(len(pages)), key=numbers.__getitem__):
            out.append([numbers[i] - previous, pages[i][1], pages[i][2]])
            previous = numbers[i]
        return out

    words = []
    for word in chunk[0]:
        if not isinstance(word, list) or len(word) != 3 or not isinstance(word[0], str) or not isinstance(word[2], list):
            raise _Unexpected("word entry")
        variants = []
        for variant in word[2]:
            if not isinstance(variant, list) or len(variant) != 2 or not isinstance(variant[0], str):
                raise _Unexpected("variant entry")
            variants.append([variant[0], renumber(variant[1])])
        words.append([word[0], renumber(word[1]), variants])
    return [words]


def _renumbered_chunk(job: tuple[Path, bool, list[int], str, Path]) -> str:
    """Rewrite one index chunk (``path``, checked to encode back to its bytes when ``check``) with
    the page numbers ``new_of_old`` into the folder ``staged``, named by its new content; its
    new name. Run on every core by :func:`compact_bundle` (the chunks are most of its time).

    Raises:
        _Unexpected, OSError, ValueError: as :func:`_read_cbor_file` and writing do."""
    path, check, new_of_old, lang, staged = job
    data = _cbor_file_bytes(_renumbered_words(_read_cbor_file(path, check=check), new_of_old), INDEX_GZIP_LEVEL)
    name = _chunk_name(lang, data)
    (staged / f"{name}.pf_index").write_bytes(data)
    return name


def _renumbered_filter(data: object, new_of_old: list[int]) -> list:
    """A filter file with page numbers renumbered: ``[name, [[value, [page number, ...]], ...]]``,
    each value's pages in ascending order."""
    if not isinstance(data, list) or len(data) != 2 or not isinstance(data[0], str) or not isinstance(data[1], list):
        raise _Unexpected("filter layout")
    values = []
    for value in data[1]:
        if (not isinstance(value, list) or len(value) != 2 or not isinstance(value[1], list)
                or not all(isinstance(n, int) and 0 <= n < len(new_of_old) for n in value[1])):
            raise _Unexpected("filter value")
        values.append([value[0], sorted(new_of_old[n] for n in value[1])])
    return [data[0], values]


def _fragment_without_text(data: bytes) -> bytes:
    raw = gzip.decompress(data)
    if not raw.startswith(_SIGNATURE):
        raise _Unexpected("fragment without signature")
    fragment = json.loads(raw[len(_SIGNATURE):])
    fragment["content"] = ""
    return _gzip(_SIGNATURE + json.dumps(fragment, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))


def compact_bundle(bundle: Path) -> bool:
    """Make what a first search downloads smaller, results unchanged.

    Pagefind's metadata file, which every search loads first, lists each
    indexed page, in the order of its fragment's hash, as ``[name, word
    count]``, the name being that hash (``vi_be905ba``: random, so gzip
    cannot shrink it) and word counts in random order: about 6 bytes a
    page, 300 kB at 50,000 pages (``benchmarks/run.py``). Here the pages are
    put in the order of their word count (pages of one count in Pagefind's
    order) and page ``k`` is named by ``k``'s hexadecimal digits, lowest
    first (:func:`_page_name`): consecutive entries then differ in one or
    two bytes and gzip codes a page in about 1.3 bytes (155 → 63 kB at
    50,000, measured by ``benchmarks/search_bench.py``). The page numbers in
    the index chunks and filter files follow the new order (those files are
    renamed by their new content, :func:`_chunk_name`), the fragment files
    the new names. And each fragment (the result's data, loaded for each
    result read) loses its ``content``, the folded text Pagefind makes
    excerpts from, which the site never shows (results show metadata only;
    see the module docstring): about 525 → 200 bytes gzipped (the site's
    search reads the fragments of the first 40 results of a query, to rank
    by name).

    Each page keeps its word count, each word the same pages with the same
    locations and weights, each filter value the same pages: Pagefind's
    score of a page (BM25 of the weights, the word count, the average word
    count, the number of pages holding the word; pagefind_core_search
    ``search_term``) is the same, so a query finds the same pages with the
    same scores, in the same order but among pages of equal score, which
    Pagefind orders by page number (an order it draws from the fragments'
    hashes, and which the search UI's re-ranking ties also follow).

    The layout read is Pagefind 1.x's (``pagefind-entry.json`` with one
    language, CBOR metadata, index and filter files, JSON fragments, each
    gzipped after a ``pagefind_dcd`` signature, no sort files); the
    metadata, filter files and first index chunk must decode and encode
    back to the same bytes (:func:`_read_cbor_file`). A bundle laid out
    otherwise is left as Pagefind wrote it.

    Cost: about 1 s of CPU per 1,000 pages beyond the fragments' rewrite
    (decoding and encoding the index chunks, ``cbor2``).

    Args:
        bundle: the Pagefind bundle folder (``site/pagefind``).

    Returns:
        True when the bundle was compacted, False when its layout was not
        the expected one (nothing changed).

    Raises:
        OSError: a file could not be written (the bundle may then be half
            written: the build fails, and a failed build publishes nothing).
    """
    entry_path = bundle / "pagefind-entry.json"
    staged = {folder: bundle / f"{folder}.compact" for folder in ("fragment", "index", "filter")}
    try:
        entry = json.loads(entry_path.read_text(encoding="utf-8"))
        [(lang, info)] = entry["languages"].items()
        meta_path = bundle / f"pagefind.{info['hash']}.pf_meta"
        meta = _read_cbor_file(meta_path)
        if not (isinstance(meta, list) and len(meta) >= 5 and isinstance(meta[0], str) and meta[0].startswith("1.")
                and all(isinstance(part, list) for part in meta[1:5]) and not meta[4]):
            raise _Unexpected("not Pagefind 1.x metadata without sorts")
        pages, chunks, filters = meta[1], meta[2], meta[3]
        if not all(isinstance(p, list) and len(p) == 2 and isinstance(p[0], str) and isinstance(p[1], int) for p in pages):
            raise _Unexpected("page list")
        names = [p[0] for p in pages]
        if (len(set(names)) != len(names)
                or any(not (bundle / "fragment" / f"{n}.pf_fragment").is_file() for n in names)):
            raise _Unexpected("fragments do not match the page list")
        if not (all(isinstance(c, list) and len(c) == 3 and isinstance(c[2], str) for c in chunks)
                and all(isinstance(f, list) and len(f) == 2 and isinstance(f[1], str) for f in filters)):
            raise _Unexpected("chunk or filter list")
        order = sorted(range(len(pages)), key=lambda k: (pages[k][1], k))
        new_of_old = [0] * len(pages)
        for new, old in enumerate(order):
            new_of_old[old] = new
        digits = max(1, len(f"{len(pages) - 1:x}"))
        for folder in staged.values():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
        from generator.parallel import ordered_map

        new_chunks = [[low, high, new_name] for (low, high, _name), new_name in zip(chunks, ordered_map(
            _renumbered_chunk, [(bundle / "index" / f"{name}.pf_index", k == 0, new_of_old, lang, staged["index"])
                                for k, (_low, _high, name) in enumerate(chunks)], serial_below=16))]
        new_filters = []
        for filter_name, name in filters:
            data = _cbor_file_bytes(_renumbered_filter(_read_cbor_file(bundle / "filter" / f"{name}.pf_filter"), new_of_old))
            new_name = _chunk_name(lang, data)
            (staged["filter"] / f"{new_name}.pf_filter").write_bytes(data)
            new_filters.append([filter_name, new_name])
        for new, old in enumerate(order):
            (staged["fragment"] / f"{_page_name(lang, new, digits)}.pf_fragment").write_bytes(
                _fragment_without_text((bundle / "fragment" / f"{names[old]}.pf_fragment").read_bytes()))
    except (OSError, ValueError, KeyError, TypeError, _Unexpected):
        for folder in staged.values():
            shutil.rmtree(folder, ignore_errors=True)
        return False
    new_meta = [meta[0], [[_page_name(lang, new, digits), pages[old][1]] for new, old in enumerate(order)],
                new_chunks, new_filters, *meta[4:]]
    meta_bytes = _cbor_file_bytes(new_meta)
    for folder, staging in staged.items():   # a bundle without filters has no filter folder
        if (bundle / folder).is_dir():
            shutil.rmtree(bundle / folder)
            staging.rename(bundle / folder)
        else:
            staging.rmdir()
    info["hash"] = f"{lang}_{hashlib.sha256(meta_bytes).hexdigest()[:10]}"
    meta_path.unlink()
    (bundle / f"pagefind.{info['hash']}.pf_meta").write_bytes(meta_bytes)
    entry_path.write_text(json.dumps(entry, separators=(",", ":")), encoding="utf-8")
    return True


def vocabulary(records: list[SearchRecord]) -> list[str]:
    """The index's words for typo tolerance: folded, lower case, letters only,
    of :data:`VOCABULARY_MIN_LETTERS` letters or more, most frequent first
    (the number of pages holding the word; ties alphabetical).

    Args:
        records: the pages' :class:`SearchRecord`.

    Returns:
        e.g. ``["thuong", "chieu", ...]``; about 500 words for the bundled
        catalog (Vietnamese syllables are short).
    """
    pages: dict[str, int] = {}
    for record in records:
        keys = {_word_key(word) for text, _ in record.parts for word in text.split()}
        for key in keys:
            if len(key) >= VOCABULARY_MIN_LETTERS and key.isascii() and key.isalpha():
                pages[key] = pages.get(key, 0) + 1
    return sorted(pages, key=lambda word: (-pages[word], word))


def write_terms(bundle: Path, records: list[SearchRecord]) -> Path:
    """Write :data:`TERMS_JSON` (the search terms of ``generator/search_terms.yaml``
    and the :func:`vocabulary` of ``records``) into the bundle folder.

    Raises:
        BuildError: the search-terms table is invalid.
    """
    from generator.search_terms import client_data, load_terms

    target = bundle / TERMS_JSON
    names = [text for record in records for text, weight in record.parts if weight == _HEADING_WEIGHTS["h1"]]
    data = client_data(load_terms(), vocabulary(records), names)
    target.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    return target


def words_path(page: Path) -> Path:
    """The words file of a site page, relative to :data:`WORDS_DIR`.

    Args:
        page: the page's path relative to the site (``thu-tuc/1.001471/index.html``).

    Returns:
        ``thu-tuc/1.001471.txt`` (a page ``a/b.html`` gives ``a/b.txt``).
    """
    stem = (page.parent if page.name == "index.html" else page.with_suffix("")).as_posix()
    return Path(f"{'index' if stem in ('', '.') else stem}.txt")


def index_site(site_dir: Path) -> SearchStats:
    """Build the Pagefind search bundle of a built site into ``site_dir/pagefind/``.

    Only pages with ``data-pagefind-body`` are indexed, each as the summary
    record of :func:`staged_page` (see the module docstring), in sorted path
    order, then compacted (:func:`compact_bundle`). The site's own files are
    not changed. An old bundle is replaced. (The build gives :func:`index_records`
    the records the render stage made instead: the same records, without reading
    the pages back.)

    Args:
        site_dir: the folder MkDocs wrote (``site/``), holding ``*.html``.

    Returns:
        :class:`SearchStats` of the run.

    Raises:
        BuildError: ``site_dir`` is missing, or Pagefind failed (its
            message is included).
    """
    if not site_dir.is_dir():
        raise BuildError(_("cannot index {site}: no such folder; build the site first").format(site=site_dir))
    bundle = (site_dir / BUNDLE_DIR).resolve()
    records: dict[str, SearchRecord] = {}
    for path in sorted(site_dir.rglob("*.html")):
        if bundle in path.resolve().parents:
            continue
        html = path.read_text(encoding="utf-8", errors="replace")
        if "data-pagefind-body" not in html:
            continue
        record = searchable_text(html)
        if record is not None:
            records[path.relative_to(site_dir).as_posix()] = record
    return index_records(site_dir, records)


def index_records(site_dir: Path, records: dict[str, SearchRecord]) -> SearchStats:
    """Build the Pagefind bundle into ``site_dir/pagefind/`` from search records.

    Args:
        site_dir: the site folder.
        records: each searchable page's :class:`SearchRecord`, by its file path in the
            site (``thu-tuc/1.000178/index.html``); indexed in sorted path order.

    Returns:
        :class:`SearchStats` of the run.

    Raises:
        BuildError: ``site_dir`` is missing, or Pagefind failed (its message is included).
    """
    start = time.perf_counter()
    if not site_dir.is_dir():
        raise BuildError(_("cannot index {site}: no such folder; build the site first").format(site=site_dir))
    bundle = (site_dir / BUNDLE_DIR).resolve()
    folded = 0
    ordered: list[SearchRecord] = []
    words: dict[Path, str] = {}
    with tempfile.TemporaryDirectory(prefix="tthc-search-") as tmp:
        staging = Path(tmp)
        for relative in sorted(records, key=lambda r: Path(r).parts):  # the order of sorted(rglob())
            record = records[relative]
            ordered.append(record)
            words[words_path(Path(relative))] = record.words
            groups = folded_d_words(record.parts)
            folded += sum(len(words) for words in groups.values())
            target = staging / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(staged_page(record, groups), encoding="utf-8")
        if bundle.exists():
            shutil.rmtree(bundle)
        ours = bundle.with_name(f".{bundle.name}-own")  # the terms and words files, moved in after Pagefind

        def own_files() -> None:
            shutil.rmtree(ours, ignore_errors=True)
            ours.mkdir()
            write_terms(ours, ordered)
            for relative, text in words.items():
                target = ours / WORDS_DIR / relative
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(text, encoding="utf-8")

        try:
            pages = _index(staging, bundle, own_files)
            for name in UNUSED_FILES:
                (bundle / name).unlink(missing_ok=True)
            compact_bundle(bundle)
            for item in sorted(ours.iterdir()):
                item.rename(bundle / item.name)
        finally:
            shutil.rmtree(ours, ignore_errors=True)
    files, size = _bundle_size(bundle)
    return SearchStats(pages, folded, files, size, time.perf_counter() - start)
