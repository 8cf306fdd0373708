"""Search terms: how citizens ask, mapped to the catalog's wording (issue 11, point 4).

The table is data, ``generator/search_terms.yaml`` (shipped in the package),
read with the project's strict loader (:mod:`generator.load`) and checked
against ``schemas/search-terms.schema.json``. The build writes it, with a
vocabulary of the index's folded words, into the search bundle as
``pagefind/tthc-terms.json`` (:func:`client_data`), which the site's search
(``assets/javascripts/tthc-search.js``) loads with the first search and uses
at query time:

* each query is also searched with every ``asked`` phrase it holds replaced
  by each of its ``means`` (``cccd`` → ``thẻ căn cước``; ``làm hộ chiếu`` →
  ``cấp hộ chiếu``, ``đăng ký hộ chiếu``); fillers are left out;
* a word of five letters or more that is no word of the index, nor the start
  of one, is replaced by the index words one edit away (a letter added,
  dropped, changed, or two letters swapped), most frequent first;
* ``actions`` order the results (a name beginning with what the query asks
  for first; names beginning with an ``about`` action after the others);
* ``stop_words`` ("của", "và", "cho", ...) are never listed among the words a
  result matched outside its name ("Có trong trang"); they are still searched.

Expanding at query time, not indexing the synonyms as extra words of each
page, keeps the index as it was: Pagefind's index chunks grow with every
word a page gives (``generator/search.py``), while the table and vocabulary
are one small file read once (8.4 kB, 2.8 kB gzipped, for the bundled
catalog; the vocabulary grows with the catalog's distinct words, not its size).

Typical use::

    terms = load_terms()
    data = client_data(terms, ["thuong", "chieu"])
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema

from generator.diagnostics import Diagnostic, format_path
from generator.errors import BuildError
from generator.i18n import _
from generator.load import load_bytes, load_schema

#: The bundled table, inside the ``generator`` package.
TERMS_FILE = "search_terms.yaml"

#: Kind of the table for :func:`generator.load.load_bytes` (its schema).
KIND = "search-terms"

#: Words shorter than this are never corrected as typos (issue 11: "a
#: one-letter typo in words of five letters or more").
TYPO_MIN_LETTERS = 5


@dataclass(frozen=True)
class Term:
    """One entry of the table.

    Attributes:
        asked: what people type, in lower case (NFC).
        means: the catalog's wording it stands for, in lower case; empty for
            fillers (the words are left out of the query).
        kind: ``abbreviation``, ``colloquial``, ``spelling`` or ``filler``.
        both_ways: the catalog's names use both forms, so each finds the other.
        example_query: a query as a citizen types it.
        example_code: the code of a real procedure that query must find.
        line: line of the entry in the table (for messages).
    """

    asked: tuple[str, ...]
    means: tuple[str, ...]
    kind: str
    both_ways: bool
    example_query: str
    example_code: str
    line: int


@dataclass(frozen=True)
class SearchTerms:
    """The table: its terms, the action words of names, and the stop words
    (never listed as why a result matched, "Có trong trang")."""

    terms: tuple[Term, ...]
    asked_for: tuple[str, ...]
    about: tuple[str, ...]
    stop_words: tuple[str, ...] = ()


def _bundled() -> tuple[bytes, str]:
    resource = resources.files("generator").joinpath(TERMS_FILE)
    return resource.read_bytes(), f"generator/{TERMS_FILE}"


def load_terms(path: Path | None = None) -> SearchTerms:
    """Read and check the search-terms table.

    Args:
        path: a table file; default the bundled ``generator/search_terms.yaml``.

    Returns:
        The :class:`SearchTerms`, every phrase in lower case.

    Raises:
        BuildError: the file cannot be read, is not strict YAML, or does not
            follow ``search-terms.schema.json``; the message gives each
            problem as ``file:line:column: error[code] path: message``.
    """
    if path is None:
        raw, display = _bundled()
    else:
        display = path.as_posix()
        try:
            raw = path.read_bytes()
        except OSError as err:
            raise BuildError(_("{file}: cannot read the search terms: {reason}").format(file=display, reason=err.strerror)) from None
    loaded = load_bytes(raw, display, KIND)
    problems = [d for d in loaded.diagnostics if d.severity == "error"]
    if loaded.data is not None and not problems:
        validator = jsonschema.Draft202012Validator(load_schema(KIND))
        for error in sorted(validator.iter_errors(loaded.data), key=lambda e: list(map(str, e.absolute_path))):
            path_ = tuple(error.absolute_path)
            line, column = loaded.position(path_)
            problems.append(Diagnostic(display, line, column, "error", "schema", format_path(path_), error.message,
                                       _("see generator/schemas/search-terms.schema.json")))
    if problems or loaded.data is None:
        raise BuildError("the search terms are invalid:\n" + "\n".join(p.format() for p in problems))
    data = loaded.data
    terms = []
    for index, entry in enumerate(data["terms"]):
        terms.append(Term(
            asked=tuple(a.lower() for a in entry["asked"]),
            means=tuple(m.lower() for m in entry["means"]),
            kind=entry["kind"],
            both_ways=bool(entry.get("both_ways", False)),
            example_query=entry["example"]["query"],
            example_code=entry["example"]["code"],
            line=loaded.position(("terms", index))[0],
        ))
    actions = data["actions"]
    return SearchTerms(tuple(terms), tuple(a.lower() for a in actions["asked_for"]), tuple(a.lower() for a in actions["about"]),
                       tuple(w.lower() for w in data.get("stop_words", ())))


def _folded_words(text: str) -> str:
    from generator.search import fold

    return " ".join(re.findall(r"[^\W_]+", fold(text.lower())))


def client_data(terms: SearchTerms, vocabulary: list[str], names: list[str] | tuple[str, ...] = ()) -> dict[str, Any]:
    """The JSON the site's search loads (``pagefind/tthc-terms.json``).

    Args:
        terms: the table.
        vocabulary: folded lower-case words of the index (letters only, of
            ``TYPO_MIN_LETTERS - 1`` letters or more), most frequent first.
        names: the indexed procedure names, as written.

    Returns:
        ``{"version": 1, "terms": [{"asked": [...], "means": [...], "keep":
        [bool, ...], "both": bool}], "actions": {"asked_for": [...], "about":
        [...]}, "stop_words": [...], "typo_min": 5, "words": "w1 w2 ..."}``; ``keep[i]``: the query
        as typed is searched too when it holds ``asked[i]``, because those
        words stand in some name ("làm" in "... nhận trẻ em làm con nuôi"),
        or the entry goes both ways; otherwise the typed words would only
        find unrelated pages ("sổ đỏ": "số", "đỏ"). Phrases of plain ASCII
        letters (``cccd``, ``vat``) are never kept: a name holding them
        folded ("vật") holds another word.
    """
    folded_names = " ".join(f" {_folded_words(name)} " for name in names)
    return {
        "version": 1,
        "terms": [
            {"asked": list(t.asked), "means": list(t.means), "both": t.both_ways,
             "keep": [t.both_ways or (t.kind != "filler" and not a.isascii() and f" {_folded_words(a)} " in folded_names)
                      for a in t.asked]}
            for t in terms.terms
        ],
        "actions": {"asked_for": list(terms.asked_for), "about": list(terms.about)},
        "stop_words": list(terms.stop_words),
        "typo_min": TYPO_MIN_LETTERS,
        "words": " ".join(vocabulary),
    }
