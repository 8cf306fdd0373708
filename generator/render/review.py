"""What a reviewer reads on history, revision and compare pages.

- :func:`word_diff`: two versions of a text as one line of HTML, deleted words
  in ``<del>``, inserted words in ``<ins>`` (marked by markup, not only by
  colour), long unchanged runs cut to a few words around each change;
- :func:`covered_by_effects`: whether a field change only repeats a derived
  effect (:mod:`generator.diff.effects`), so the page says it once;
- :func:`review_lines`: the field changes of a diff, effects left out,
  each with its word-level HTML.

Every value is escaped here (:func:`markupsafe.escape`) before markup is added.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

from markupsafe import Markup, escape

from generator.diff import SEP, Change, Effect
from generator.diff.format import change_text, value_text

#: Unchanged words kept on each side of a change; a longer unchanged run becomes ``…``.
CONTEXT_WORDS = 6

_INDEXED = r"\[\d+\]"
#: Field paths whose change a derived effect of the given kind already states
#: (the effect is computed from exactly these values, see ``compute_effects``).
_COVERED: dict[str, tuple[tuple[str, ...], re.Pattern[str]]] = {
    "status": (("changed", "added", "removed"), re.compile(r"status|replaced_by")),
    "channel_added": (("added",), re.compile(rf"methods{_INDEXED}")),
    "channel_removed": (("removed",), re.compile(rf"methods{_INDEXED}")),
    "processing_time": (("changed", "added", "removed"),
                        re.compile(rf"(methods|cases){_INDEXED}\.processing_time(\.(value|unit))?")),
    "fee": (("changed", "added", "removed"), re.compile(rf"methods{_INDEXED}\.fees{_INDEXED}\.amount_vnd")),
    "document_added": (("added",), re.compile(rf"(cases{_INDEXED}\.)?documents{_INDEXED}")),
    "document_removed": (("removed",), re.compile(rf"(cases{_INDEXED}\.)?documents{_INDEXED}")),
    "originals": (("changed", "added", "removed"), re.compile(rf"(cases{_INDEXED}\.)?documents{_INDEXED}\.originals")),
    "copies": (("changed", "added", "removed"), re.compile(rf"(cases{_INDEXED}\.)?documents{_INDEXED}\.copies")),
    "dossier_sets": (("changed",), re.compile(r"dossier_sets")),
}

#: Effects about one channel or case (their subject is its label, as in the change's label).
_BY_SUBJECT = ("processing_time", "fee")


@dataclass(frozen=True)
class ReviewLine:
    """One field change as shown to a reviewer.

    Attributes:
        kind: ``added``, ``removed``, ``changed`` or ``moved`` (of :class:`~generator.diff.Change`).
        text: the plain sentence (``change_text``), e.g. for feeds and the terminal.
        html: the same change as safe HTML; for ``changed`` the label then a word-level
            difference of the two values (:func:`word_diff`).
    """

    kind: str
    text: str
    html: Markup


#: Shown after a change whose two sides look the same (they differ only in invisible characters).
INVISIBLE_HINT = ' <span class="tthc-muted">(chỉ khác ký tự vô hình)</span>'


def _visible(text: str) -> str:
    """``text`` without format and control characters (zero-width spaces, joiners...), NFC, spaces collapsed."""
    kept = "".join(ch for ch in unicodedata.normalize("NFC", text) if unicodedata.category(ch) not in ("Cf", "Cc"))
    return " ".join(kept.split())


def _tokens(text: str) -> list[str]:
    """Words and the spaces after them (joined back they give ``text``)."""
    return re.findall(r"\S+\s*|\s+", text)


def word_diff(old: str, new: str, context: int = CONTEXT_WORDS) -> Markup:
    """``old`` → ``new`` as HTML: removed words in ``<del>``, added words in ``<ins>``.

    Words are compared with :class:`difflib.SequenceMatcher` (whitespace ignored
    when comparing; autojunk off, so repeated words are not skipped). An unchanged run longer
    than ``2 * context`` words keeps ``context`` words at each side of a change and
    shows ``…`` for the rest. Equal texts give the (shortened) text without marks.

    Returns:
        Safe markup; every character of ``old`` and ``new`` is escaped.
    """
    a, b = _tokens(old), _tokens(new)
    matcher = difflib.SequenceMatcher(None, [t.strip() for t in a], [t.strip() for t in b], autojunk=False)
    opcodes = matcher.get_opcodes()
    parts: list[str] = []
    for index, (op, i1, i2, j1, j2) in enumerate(opcodes):
        if op == "equal":
            parts.append(_context(b[j1:j2], index == 0, index == len(opcodes) - 1, context))
            continue
        removed, added = "".join(a[i1:i2]), "".join(b[j1:j2])
        hint = INVISIBLE_HINT if removed.strip() and _visible(removed) == _visible(added) else ""
        if removed.strip():
            parts.append(f"<del>{escape(removed.rstrip())}</del>" + (" " if added.strip() or removed != removed.rstrip() else ""))
        if added.strip():
            parts.append(f"<ins>{escape(added.rstrip())}</ins>" + hint + (" " if added != added.rstrip() else ""))
    return Markup("".join(parts).strip())


def _context(words: list[str], first: bool, last: bool, context: int) -> str:
    """An unchanged run, escaped, cut to ``context`` words next to each change."""
    if first and last:  # no change at all
        head, tail = words[:2 * context], []
    elif first:
        head, tail = [], words[-context:]
    elif last:
        head, tail = words[:context], []
    else:
        head, tail = words[:context], words[-context:]
    if len(head) + len(tail) + 2 >= len(words):  # cutting fewer than three words saves nothing
        return str(escape("".join(words)))
    before = str(escape("".join(head).rstrip())) + "…" if head else "… "
    if head and tail:
        before += " "
    return before + str(escape("".join(tail)))


def covered_by_effects(change: Change, effects: Iterable[Effect]) -> bool:
    """True when ``change`` only repeats one of ``effects`` (shown first, once).

    A change is covered when an effect of a kind computed from that very field is
    present: e.g. ``methods[0].processing_time.value`` by a ``processing_time`` effect,
    ``documents[2]`` added by ``document_added``, ``documents[1].copies`` by ``copies``.
    Time limits and fees count only for the channel or case the effect names.
    A change to a note, a description or a step is never covered: no effect says it.
    """
    for effect in effects:
        rule = _COVERED.get(effect.kind)
        if not (rule and change.kind in rule[0] and rule[1].fullmatch(change.path)):
            continue
        if effect.kind in _BY_SUBJECT and effect.subject and f"{SEP}{effect.subject}{SEP}" not in f"{SEP}{change.label}{SEP}":
            continue  # the effect is about another channel or case
        return True
    return False


def review_line(change: Change) -> ReviewLine:
    """One change with its HTML: ``label: <del>old</del> <ins>new</ins>`` for a changed value."""
    text = change_text(change)
    if change.kind != "changed":
        return ReviewLine(change.kind, text, Markup(escape(text)))
    before = value_text(change.old, limit=10**9, key=change.key)
    after = value_text(change.new, limit=10**9, key=change.key)
    html = Markup(f'<span class="tthc-change__label">{escape(_label_without_value(change.label, before, after))}:</span> ')
    html += word_diff(before, after)
    return ReviewLine(change.kind, text, html)


def _label_without_value(label: str, before: str, after: str) -> str:
    """The label without its last part when that part is the text itself (an item of a list of
    texts is labelled by its text: ``Yêu cầu, điều kiện thực hiện › Có quyền…``), which the
    difference shows anyway."""
    parent, sep, last = label.rpartition(SEP)
    stem = last.rstrip("…").strip()
    if sep and stem and (before.startswith(stem) or after.startswith(stem)):
        return parent
    return label


def review_lines(changes: Sequence[Change], effects: Sequence[Effect], skip: Any = None) -> list[ReviewLine]:
    """The field changes not already said by ``effects``, in schema order.

    Args:
        changes: the diff's changes.
        effects: the diff's effects (shown before the changes).
        skip: optional ``change -> bool`` for changes shown elsewhere (new entries).
    """
    return [review_line(c) for c in changes
            if not covered_by_effects(c, effects) and not (skip is not None and skip(c))]
