"""Semantic diff of procedure records: what changed, field by field.

:func:`diff_procedures` compares two plain records (the dicts the loader
returns) and gives a :class:`ProcedureDiff`: changes by data path with
Vietnamese labels taken from the ``title`` of each property in
``generator/schemas/procedure.schema.json``, and derived effects (see
:mod:`generator.diff.effects`). :func:`diff_catalogs` does it for two
snapshots of the catalog; :mod:`generator.diff.format` prints the result as
text, Markdown or JSON.

How values are compared (issue 4): every string is normalised (Unicode
NFC, runs of whitespace collapsed, ends stripped) and mappings compare
without order, so an edit of only formatting, key order, quoting or Unicode
form is "no semantic change". List items are matched by key:

=================  ======================================================
``documents``      ``id``, else the normalised name (case folded,
                   punctuation and whitespace ignored: :func:`name_key`)
``methods``        ``channel``
``legal_basis``    ``number``
``results``        ``code``, else the name
``cases``          ``code``, else the name
``fees``           ``description``
``simplifications``/``amendments``   ``date`` + ``decision``
``activities``     ``name``
``steps`` and lists of text   in order: insertions and removals found with
                   :mod:`difflib` on the normalised text
=================  ======================================================

A matched item whose position changed relative to the others is a move
(``kind="moved"``), reported once, not as a removal plus an addition.
"""

from __future__ import annotations

import difflib
import functools
import json
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from collections.abc import Iterable, Mapping
from typing import Any

from generator.diagnostics import format_path
from generator.model import CHANNEL_LABELS

#: Top-level fields whose change must be recorded by a new simplification
#: or amendment entry (``tthc check-change``).
SUBSTANTIVE = ("kind", "internal_scope", "levels", "agencies", "subjects", "steps", "methods", "documents",
               "dossier_sets", "cases", "requirements", "results", "legal_basis", "status", "replaced_by", "replaces")

#: Top-level fields that need no decision but a reviewer's look (``tthc check-change`` warns, the
#: Markdown diff lists them above the details): the name (a typo correction is allowed, an
#: impersonation is not), the publishing decision, and the compliance cost inputs, which feed the
#: savings of simplification reports (Circular 02/2017/TT-VPCP Art. 27(3)).
REVIEWED = ("name", "publication", "compliance_cost")

#: Keys that match list items, tried in order (see the module docstring).
LIST_KEYS: dict[str, tuple[str, ...]] = {
    "documents": ("id", "name"),
    "methods": ("channel",),
    "legal_basis": ("number",),
    "results": ("code", "name"),
    "cases": ("code", "name"),
    "fees": ("description",),
    "simplifications": ("date+decision",),
    "amendments": ("date+decision",),
    "activities": ("name",),
}

SEP = " › "


@dataclass(frozen=True)
class Change:
    """One change between two records.

    Attributes:
        kind: ``"added"``, ``"removed"``, ``"changed"`` or ``"moved"``.
        path: data path in the new record (the old one for removals), e.g.
            ``documents[2].copies``, as ``tthc validate`` writes paths.
        label: the same path in Vietnamese, e.g.
            ``Thành phần hồ sơ › Bản sao CCCD › Bản sao``.
        old: the old value (``None`` for an addition), normalised.
        new: the new value (``None`` for a removal), normalised.
        old_index: 1-based position before (moves and list items), else ``None``.
        new_index: 1-based position after (moves and list items), else ``None``.
    """

    kind: str
    path: str
    label: str
    old: Any = None
    new: Any = None
    old_index: int | None = None
    new_index: int | None = None

    @property
    def key(self) -> str:
        """The last key name of the path (``copies`` for ``documents[1].copies``)."""
        names = re.findall(r"[A-Za-z_]+", self.path)
        return names[-1] if names else ""

    @property
    def field(self) -> str:
        """The top-level field changed, e.g. ``documents``."""
        return re.split(r"[.\[]", self.path, maxsplit=1)[0]

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "path": self.path, "label": self.label, "old": self.old, "new": self.new,
                "old_index": self.old_index, "new_index": self.new_index}


@dataclass(frozen=True)
class Effect:
    """A derived effect of a change, in plain Vietnamese.

    Attributes:
        kind: ``status``, ``processing_time``, ``fee``, ``channel_added``,
            ``channel_removed``, ``document_added``, ``document_removed``,
            ``originals``, ``copies``, ``steps``, ``dossier_sets`` or
            ``compliance_cost``.
        text: the sentence shown, e.g. ``"Thời hạn giải quyết (Trực tuyến): 10 → 5 ngày làm việc"``.
        before: the number before, when the effect is numeric.
        after: the number after.
        unit: the unit of ``before``/``after`` (``working_days``, ``VND``,
            ``VND/year``, ``documents``, ``steps``...).
        subject: what the effect is about (channel, document name...).
    """

    kind: str
    text: str
    before: float | None = None
    after: float | None = None
    unit: str | None = None
    subject: str | None = None

    @property
    def saved_percent(self) -> float | None:
        """Share cut, in percent of ``before`` (positive = reduction)."""
        if self.before in (None, 0) or self.after is None:
            return None
        return round((self.before - self.after) / self.before * 100, 1)

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "text": self.text, "before": self.before, "after": self.after,
                "unit": self.unit, "subject": self.subject, "saved_percent": self.saved_percent}


@dataclass(frozen=True)
class ProcedureDiff:
    """What changed in one procedure between two versions.

    Attributes:
        code: the procedure code (new side, else old).
        name: its name (new side, else old).
        status: ``added`` (new procedure), ``deleted`` (file removed),
            ``abolished`` / ``replaced`` (status changed to that),
            ``changed`` (some semantic change), ``moved`` (file moved to
            another agency folder, content otherwise unchanged),
            ``unchanged`` (no semantic change: formatting, key order or
            Unicode form only).
        changes: field changes in schema order.
        effects: derived effects.
        new_simplifications: ``simplifications`` entries present only in the
            new version (plain dicts).
        new_amendments: ``amendments`` entries present only in the new version.
        old_path / new_path: files (catalog diffs), else ``None``.
        replaced_by: the replacement's code when ``status == "replaced"``.
        record: the new record of an ``added`` procedure (normalised), else ``None``:
            what a reviewer reads of a procedure that has no "before".
    """

    code: str
    name: str
    status: str
    changes: tuple[Change, ...] = ()
    effects: tuple[Any, ...] = ()
    new_simplifications: tuple[dict[str, Any], ...] = ()
    new_amendments: tuple[dict[str, Any], ...] = ()
    old_path: str | None = None
    new_path: str | None = None
    replaced_by: str | None = None
    record: Mapping[str, Any] | None = field(default=None, compare=False, repr=False)

    @property
    def semantic(self) -> bool:
        """True when anything but formatting changed."""
        return bool(self.changes) or self.status in ("added", "deleted", "moved")

    @property
    def moved(self) -> bool:
        """True when the file changed folder (publishing agency)."""
        return bool(self.old_path and self.new_path and self.old_path != self.new_path)

    @property
    def substantive_fields(self) -> tuple[str, ...]:
        """Substantive top-level fields changed (see :data:`SUBSTANTIVE`), in that order."""
        touched = {c.field for c in self.changes}
        return tuple(f for f in SUBSTANTIVE if f in touched)

    @property
    def reviewed_fields(self) -> tuple[str, ...]:
        """Fields of :data:`REVIEWED` changed, in that order (only for a procedure on both sides)."""
        if self.status in ("added", "deleted"):
            return ()
        touched = {c.field for c in self.changes}
        return tuple(f for f in REVIEWED if f in touched)

    @property
    def decisions(self) -> tuple[str, ...]:
        """Decisions named by the new simplification and amendment entries."""
        out = [str(e.get("decision")) for e in (*self.new_simplifications, *self.new_amendments)
               if isinstance(e, Mapping) and e.get("decision")]
        return tuple(dict.fromkeys(out))

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code, "name": self.name, "status": self.status,
            "old_path": self.old_path, "new_path": self.new_path, "replaced_by": self.replaced_by,
            "decisions": list(self.decisions),
            "substantive_fields": list(self.substantive_fields),
            "new_simplifications": list(self.new_simplifications),
            "new_amendments": list(self.new_amendments),
            "changes": [c.as_dict() for c in self.changes],
            "effects": [e.as_dict() for e in self.effects],
        }


@dataclass(frozen=True)
class CatalogDiff:
    """The diff of two catalog snapshots: one :class:`ProcedureDiff` per code touched, sorted by code.

    ``code_changes`` lists ``(path, old_code, new_code)`` for files whose code
    changed in place (never allowed).
    """

    procedures: tuple[ProcedureDiff, ...] = ()
    code_changes: tuple[tuple[str, str, str], ...] = field(default=())
    #: Schema errors of changed files on the head side (``tthc diff``): such a record is compared
    #: as written, but its values are not what the schema allows, so its effects may mislead.
    invalid: tuple[Any, ...] = field(default=())

    def count(self, status: str) -> int:
        return sum(1 for p in self.procedures if p.status == status)


# --- normalisation -----------------------------------------------------------



#: The types of the normal forms that :func:`normalize` leaves out of a mapping when empty.
_EMPTY_DROPPED = (str, list, dict)


def normalize(value: Any, memo: dict | None = None) -> Any:
    """The comparison form of a value: NFC strings with whitespace collapsed, recursively.

    ``None`` values and empty strings in mappings are dropped (an empty key
    and a missing key mean the same); ``True``/``False`` stay booleans.
    With ``memo``, the result for each mapping and list is kept there by
    identity (with the object itself, so its id is not reused) and given
    again for the same object (see :func:`_normalized`).
    """
    if isinstance(value, str):  # (str.split() splits where \s+ matches)
        return " ".join(unicodedata.normalize("NFC", value).split())
    kind = type(value)  # (the loader's plain types before the Mapping check: an ABC check costs more)
    if kind is int or kind is bool or value is None:
        return value
    if kind is dict or kind is list or isinstance(value, (Mapping, list, tuple)):
        hit = memo.get(id(value)) if memo is not None else None
        if hit is not None and hit[0] is value:
            return hit[1]
        if kind is dict or (kind is not list and isinstance(value, Mapping)):
            out: Any = {}
            for k, v in value.items():
                nv = normalize(v, memo)
                if nv is None or (not nv and type(nv) in _EMPTY_DROPPED):
                    continue
                out[str(k)] = nv
        else:
            out = [normalize(v, memo) for v in value]
        if memo is not None:
            memo[id(value)] = (value, out)
        return out
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _fold(text: Any) -> str:
    return normalize(str(text)).casefold() if text is not None else ""


_NOT_WORD = re.compile(r"[\W_]+")


def name_key(text: Any) -> str:
    """The matching form of a name: NFC, case folded, punctuation and whitespace removed.

    ``"Bản sao CCCD."`` and ``"Bản sao  CCCD"`` match; letters with Vietnamese
    diacritics are kept (``Đơn`` and ``Don`` differ).
    """
    return _NOT_WORD.sub("", _fold(text))


def cut_words(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters at a word boundary, with ``…``."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if text[limit - 1] != " " and " " in cut:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:") + "…"




# --- schema labels -----------------------------------------------------------

@lru_cache(maxsize=1)
def _schema() -> dict[str, Any]:
    text = resources.files("generator").joinpath("schemas/procedure.schema.json").read_text(encoding="utf-8")
    return json.loads(text)


def _resolve(node: dict[str, Any] | None) -> dict[str, Any]:
    if not node:
        return {}
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        target = dict(_schema()["$defs"][ref.split("/")[-1]])
        target.update({k: v for k, v in node.items() if k != "$ref"})
        return target
    return node


def _child(node: dict[str, Any], key: str | int) -> dict[str, Any]:
    node = _resolve(node)
    if isinstance(key, int):
        return _resolve(node.get("items"))
    return _resolve(node.get("properties", {}).get(key))


def field_label(key: str, node: dict[str, Any] | None = None) -> str:
    """The Vietnamese title of ``key`` under ``node`` (the record's root by default)."""
    child = _child(node if node is not None else _schema(), key)
    return child.get("title") or key


@lru_cache(maxsize=1)
def _all_labels() -> dict[str, str]:
    labels: dict[str, str] = {}

    def walk(node: dict[str, Any]) -> None:
        node = _resolve(node)
        if isinstance(node.get("items"), dict):
            walk(node["items"])
        for key, prop in (node.get("properties") or {}).items():
            labels.setdefault(key, _resolve(prop).get("title") or key)
            walk(prop)

    walk(_schema())
    return labels


def key_label(key: str, parent: str = "") -> str:
    """The Vietnamese title of ``key`` inside the field ``parent`` (any field of that name).

    ``key_label("title", "legal_basis")`` is ``Trích yếu``; ``key_label("title", "steps")``
    is ``Tên bước``; without ``parent``, the first title found for ``key``.
    """
    node = _nodes().get(parent)
    if node is not None:
        if node.get("items"):
            node = _resolve(node["items"])
        title = _resolve((node.get("properties") or {}).get(key)).get("title")
        if title:
            return title
    return _all_labels().get(key, key)


@lru_cache(maxsize=1)
def _nodes() -> dict[str, dict[str, Any]]:
    """Field name -> its resolved schema node (first occurrence)."""
    nodes: dict[str, dict[str, Any]] = {}

    def walk(node: dict[str, Any]) -> None:
        node = _resolve(node)
        if isinstance(node.get("items"), dict):
            walk(node["items"])
        for key, prop in (node.get("properties") or {}).items():
            nodes.setdefault(key, _resolve(prop))
            walk(prop)

    walk(_schema())
    return nodes


def _key_order(node: dict[str, Any], keys: Iterable[str]) -> list[str]:
    declared = list(_resolve(node).get("properties", {}))
    return sorted(keys, key=lambda k: (declared.index(k) if k in declared else len(declared), k))


# --- list matching -----------------------------------------------------------

def _item_key(item: Any, key: str) -> Any:
    if not isinstance(item, Mapping):
        return None
    if key == "date+decision":
        d, n = item.get("date"), item.get("decision")
        return (_fold(d), _fold(n)) if d and n else None
    value = item.get(key)
    if value in (None, ""):
        return None
    return name_key(value) if key in ("name", "description") else _fold(value)


def match_items(old: list[Any], new: list[Any], keys: tuple[str, ...]) -> tuple[list[tuple[int, int]], list[int], list[int]]:
    """Match list items by ``keys`` tried in order.

    Returns:
        ``(pairs, removed, added)``: pairs of 0-based ``(old, new)`` indexes
        sorted by new index, old indexes left unmatched, new indexes left
        unmatched.
    """
    pairs: list[tuple[int, int]] = []
    free_old, free_new = list(range(len(old))), list(range(len(new)))
    for key in keys:
        by_key: dict[Any, list[int]] = {}
        for i in free_old:
            k = _item_key(old[i], key)
            if k is not None:
                by_key.setdefault(k, []).append(i)
        still_new = []
        for j in free_new:
            k = _item_key(new[j], key)
            if k is not None and by_key.get(k):
                i = by_key[k].pop(0)
                pairs.append((i, j))
                free_old.remove(i)
            else:
                still_new.append(j)
        free_new = still_new
    pairs.sort(key=lambda p: p[1])
    return pairs, free_old, free_new


def _moved(pairs: list[tuple[int, int]]) -> set[tuple[int, int]]:
    """Pairs outside the longest run kept in order (longest increasing subsequence of old indexes)."""
    seq = [i for i, _ in pairs]
    if len(seq) < 2:
        return set()
    best: list[list[int]] = []
    for pos, value in enumerate(seq):
        chain = max((c for c in best if seq[c[-1]] < value), key=len, default=[])
        best.append(chain + [pos])
    keep = set(max(best, key=len))
    return {pairs[p] for p in range(len(pairs)) if p not in keep}


#: What one item of a list is called, to tell items with the same label apart by position.
ITEM_NOUNS = {"cases": "Trường hợp", "documents": "Giấy tờ", "results": "Kết quả", "fees": "Phí, lệ phí",
              "legal_basis": "Văn bản", "requirements": "Yêu cầu", "steps": "Bước"}


def _labels(field_name: str, items: list[Any]) -> list[str]:
    """The label of each item; labels shared by several items get their position: ``Trường hợp 2: X``."""
    labels = [_item_label(field_name, item, i) for i, item in enumerate(items)]
    seen: dict[str, int] = {}
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
    noun = ITEM_NOUNS.get(field_name, "Mục")
    return [f"{noun} {i + 1}: {label}" if seen[label] > 1 else label for i, label in enumerate(labels)]


def _item_label(field_name: str, item: Any, index: int) -> str:
    if not isinstance(item, Mapping):
        return cut_words(str(item), 60)
    if field_name == "methods":
        return CHANNEL_LABELS.get(str(item.get("channel")), str(item.get("channel")))
    if field_name == "steps":
        title = str(item.get("title") or "")
        if title.casefold().startswith("bước"):
            return title
        return f"Bước {index + 1}" + (f" ({title})" if title else "")
    if field_name in ("simplifications", "amendments"):
        return f"{item.get('decision')} ngày {item.get('date')}"
    for key in ("name", "number", "description", "code", "id"):
        if item.get(key):
            return cut_words(str(item[key]), 80)
    return f"mục {index + 1}"


def _plain(item: Any) -> str:
    if isinstance(item, Mapping):
        return " ".join(str(v) for _, v in sorted(item.items()))
    return str(item)


def _seq_text(item: Any) -> str:
    if isinstance(item, Mapping):
        return json.dumps(item, ensure_ascii=False, sort_keys=True)
    return json.dumps(item, ensure_ascii=False)


# --- the recursive diff ------------------------------------------------------

class _Differ:
    def __init__(self) -> None:
        self.changes: list[Change] = []

    def value(self, old: Any, new: Any, parts: list[str | int], labels: list[str], node: dict[str, Any]) -> None:
        if old is new or old == new:
            return
        if isinstance(old, Mapping) and isinstance(new, Mapping):
            for key in _key_order(node, set(old) | set(new)):
                child = _child(node, key)
                label = child.get("title") or key
                self.member(old.get(key), new.get(key), parts + [key], labels + [label], child)
            return
        if isinstance(old, list) and isinstance(new, list):
            self.list(old, new, parts, labels, node)
            return
        self.changes.append(Change("changed", format_path(parts), SEP.join(labels), old, new))

    def member(self, old: Any, new: Any, parts: list[str | int], labels: list[str], node: dict[str, Any]) -> None:
        if old is new or old == new:
            return
        if old is None:
            self.changes.append(Change("added", format_path(parts), SEP.join(labels), None, new))
        elif new is None:
            self.changes.append(Change("removed", format_path(parts), SEP.join(labels), old, None))
        else:
            self.value(old, new, parts, labels, node)

    def list(self, old: list[Any], new: list[Any], parts: list[str | int], labels: list[str], node: dict[str, Any]) -> None:
        name = next((p for p in reversed(parts) if isinstance(p, str)), "")
        item_node = _child(node, 0)
        keys = LIST_KEYS.get(name)
        if keys and all(isinstance(x, Mapping) for x in old + new):
            pairs, removed, added = match_items(old, new, keys)
            self._keyed(name, old, new, pairs, removed, added, parts, labels, item_node)
        else:
            self._sequence(name, old, new, parts, labels, item_node)

    def _keyed(self, name: str, old: list[Any], new: list[Any], pairs: list[tuple[int, int]], removed: list[int],
               added: list[int], parts: list[str | int], labels: list[str], item_node: dict[str, Any]) -> None:
        ol, nl = _labels(name, old), _labels(name, new)
        moved = _moved(pairs)
        events: list[tuple[int, int, Change | None, tuple[int, int] | None]] = []
        for i in removed:
            events.append((i, 0, Change("removed", format_path(parts + [i]), SEP.join(labels + [ol[i]]),
                                        old[i], None, old_index=i + 1), None))
        for i, j in pairs:
            events.append((j, 1, None, (i, j)))
        for j in added:
            events.append((j, 2, Change("added", format_path(parts + [j]), SEP.join(labels + [nl[j]]),
                                        None, new[j], new_index=j + 1), None))
        for _, _, change, pair in sorted(events, key=lambda e: (e[0], e[1])):
            if change is not None:
                self.changes.append(change)
                continue
            i, j = pair  # type: ignore[misc]
            item_labels = labels + [nl[j]]
            if (i, j) in moved and i != j:  # same position: only its neighbours changed
                self.changes.append(Change("moved", format_path(parts + [j]), SEP.join(item_labels), None, None,
                                           old_index=i + 1, new_index=j + 1))
            self.value(old[i], new[j], parts + [j], item_labels, item_node)

    def _sequence(self, name: str, old: list[Any], new: list[Any], parts: list[str | int], labels: list[str],
                  item_node: dict[str, Any]) -> None:
        ol, nl = _labels(name, old), _labels(name, new)
        a, b = [_seq_text(x) for x in old], [_seq_text(x) for x in new]
        blocks = [(list(range(i1, i2)), list(range(j1, j2)))
                  for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
                  if op != "equal"]
        # 1. the same text removed in one place and inserted in another is a move
        moves: list[tuple[int, int]] = []
        free_new = [j for _, news in blocks for j in news]
        for olds, _ in blocks:
            for i in olds:
                j = next((j for j in free_new if b[j] == a[i]), None)
                if j is not None:
                    free_new.remove(j)
                    moves.append((i, j))
        moved_old, moved_new = {i for i, _ in moves}, {j for _, j in moves}
        # 2. within each block, pair the most similar items (edited in place)
        removed: list[int] = []
        added: list[int] = []
        pairs: list[tuple[int, int]] = []
        for olds, news in blocks:
            olds = [i for i in olds if i not in moved_old]
            news = [j for j in news if j not in moved_new]
            if len(olds) == len(news) == 1 and isinstance(old[olds[0]], Mapping) and isinstance(new[news[0]], Mapping):
                pairs.append((olds[0], news[0]))
                continue
            for i in olds:
                j = _most_similar(_plain(old[i]), [(j, _plain(new[j])) for j in news])
                if j is not None:
                    pairs.append((i, j))
                    news.remove(j)
                else:
                    removed.append(i)
            added += news
        events: list[tuple[int, int, Change | None, tuple[int, int] | None]] = []
        for i in removed:
            events.append((i, 0, Change("removed", format_path(parts + [i]), SEP.join(labels + [ol[i]]),
                                        old[i], None, old_index=i + 1), None))
        for i, j in [(i, j) for i, j in moves if i != j]:  # same position: only its neighbours changed
            events.append((j, 1, Change("moved", format_path(parts + [j]), SEP.join(labels + [nl[j]]),
                                        None, None, old_index=i + 1, new_index=j + 1), None))
        for i, j in pairs:
            events.append((j, 1, None, (i, j)))
        for j in added:
            events.append((j, 2, Change("added", format_path(parts + [j]), SEP.join(labels + [nl[j]]),
                                        None, new[j], new_index=j + 1), None))
        for _, _, change, pair in sorted(events, key=lambda e: (e[0], e[1])):
            if change is not None:
                self.changes.append(change)
                continue
            i, j = pair  # type: ignore[misc]
            if isinstance(old[i], Mapping) and isinstance(new[j], Mapping):
                self.value(old[i], new[j], parts + [j], labels + [nl[j]], item_node)
            else:
                self.changes.append(Change("changed", format_path(parts + [j]), SEP.join(labels + [nl[j]]),
                                           old[i], new[j], old_index=i + 1, new_index=j + 1))


#: Above this many characters, :func:`_most_similar` compares words, not characters.
LONG_TEXT = 2_000


def _most_similar(text: str, candidates: list[tuple[int, str]], threshold: float = 0.5) -> int | None:
    """:func:`_most_similar_of`, remembered for the last 8,192 questions: a procedure's history
    pages compare each revision with the next and with the current version, so the same
    items are paired again (522 pairings, 160 different, for 150 procedures × 10 revisions)."""
    return _most_similar_of(text, tuple(candidates), threshold)


@functools.lru_cache(maxsize=8192)
def _most_similar_of(text: str, candidates: tuple[tuple[int, str], ...], threshold: float = 0.5) -> int | None:
    """The index ``j`` of the candidate most similar to ``text`` by difflib's ratio
    (``SequenceMatcher(None, text, candidate)``; ties go to the first candidate), or
    ``None`` when no ratio reaches ``threshold``.

    The same answer as computing every ratio, but a candidate whose upper bounds
    (``real_quick_ratio``, then ``quick_ratio``) cannot beat the best so far is skipped:
    long lists re-split in one commit (hundreds of legal-basis rows) made this pairing
    quadratic in items and in text length. Texts longer than :data:`LONG_TEXT` characters
    (on either side) are compared word by word, not character by character: difflib's
    character matching is quadratic in length (1.4 s for one pair of 11,000-character
    items of the real catalog).
    """
    best_ratio, best_j = threshold, None
    matcher = difflib.SequenceMatcher(None, autojunk=False)
    long = len(text) > LONG_TEXT or any(len(candidate) > LONG_TEXT for _, candidate in candidates)
    if long:
        text_words = text.split()
        candidates = [(j, candidate.split()) for j, candidate in candidates]  # type: ignore[misc]
    matcher.set_seq1(text_words if long else text)

    def loses(bound: float) -> bool:
        return bound < best_ratio if best_j is None else bound <= best_ratio

    for j, candidate in candidates:
        matcher.set_seq2(candidate)
        if loses(matcher.real_quick_ratio()) or loses(matcher.quick_ratio()):
            continue
        ratio = matcher.ratio()
        if not loses(ratio):
            best_ratio, best_j = ratio, j
    return best_j


def _entries(record: Mapping[str, Any], key: str) -> list[dict[str, Any]]:
    """The mapping entries of the list ``record[key]`` (nothing when it is not a list)."""
    value = record.get(key)
    return [e for e in value if isinstance(e, Mapping)] if isinstance(value, list) else []


def _new_entries(old: Mapping[str, Any], new: Mapping[str, Any], key: str, memo: dict | None = None) -> tuple[dict[str, Any], ...]:
    """The entries of ``new[key]`` that record a new decision: not on the ``old`` side, and not an old entry rewritten.

    An entry's identity is its decision and stage. A head entry whose identity
    is not on the base side is new, except that each base entry whose identity
    is gone from the head side (its decision or stage was rewritten, or it was
    removed) accounts for the most similar such head entry: that one is the old
    entry edited (``history-edited``), never a record of a new change. An entry
    without a decision records nothing (Decree 63/2010/NĐ-CP Art. 15 as amended
    by Decree 92/2017/NĐ-CP: a change is made by a decision).

    With ``memo`` (:func:`diff_procedures`'), each entry's JSON is made once per memo: the
    entries of a history's normal forms are shared, and each is on one side of many comparisons.
    """
    def dump(entry: Mapping[str, Any]) -> str:
        hit = memo.get(("json", id(entry))) if memo is not None else None
        if hit is not None and hit[0] is entry:
            return hit[1]
        text = json.dumps(entry, sort_keys=True, ensure_ascii=False, default=str)
        if memo is not None:
            memo[("json", id(entry))] = (entry, text)  # (the entry is kept, so its id is not reused)
        return text

    def ident(entry: Mapping[str, Any]) -> Any:
        decision, stage = entry.get("decision"), entry.get("stage")
        if (decision is None or type(decision) is str) and (stage is None or type(stage) is str):
            return decision, stage  # (equal exactly when their JSON is)
        return json.dumps([decision, stage], sort_keys=True, ensure_ascii=False, default=str)

    if old.get(key) is new.get(key):  # one list (unchanged revisions share their normal forms): nothing is new
        return ()
    before, after = _entries(old, key), _entries(new, key)
    before_dumps, before_ids, after_ids = {dump(e) for e in before}, {ident(e) for e in before}, {ident(e) for e in after}
    unseen = [(j, e) for j, e in enumerate(after) if dump(e) not in before_dumps and ident(e) not in before_ids]
    for i, gone in enumerate(before):
        if not unseen:
            break
        if ident(gone) in after_ids:
            continue
        best = max(unseen, key=lambda je: (sum(1 for k, v in gone.items() if je[1].get(k) == v), -abs(je[0] - i)))
        unseen.remove(best)
    return tuple(e for _, e in unseen if isinstance(e.get("decision"), str) and e["decision"].strip())


def _normalized(record: Mapping[str, Any], memo: dict | None) -> Any:
    """:func:`normalize` of ``record`` through ``memo`` (one per procedure).

    The revisions of a history share their unchanged subtrees (``generator.history._Shared``),
    so with one memo per procedure each subtree is normalised once, and the normal forms of
    two revisions share their unchanged parts too: the recursive diff then finds equal
    subtrees by identity instead of comparing them value by value.
    """
    return normalize(record, memo)


def diff_procedures(old: Mapping[str, Any] | None, new: Mapping[str, Any] | None, *, cost_basis: Any = None,
                    memo: dict | None = None) -> ProcedureDiff:
    """Compare two versions of one procedure.

    Args:
        old: the record before (``None`` when the procedure is new).
        new: the record after (``None`` when its file was deleted).
        cost_basis: the catalog's :class:`~generator.model.CostBasis`, for the compliance-cost effect.
        memo: a dict that keeps the normalised form of records that are never modified
            (the revisions of a history, each compared several times); None: no memo.

    Returns:
        A :class:`ProcedureDiff`. ``status`` is ``added``/``deleted`` for a
        missing side; ``abolished``/``replaced`` when ``status`` changed to
        that; ``changed`` when anything else changed; ``unchanged`` when the
        records are equal once normalised (formatting, key order or Unicode
        form only).

    Raises:
        ValueError: both sides are ``None``.
    """
    from generator.diff.effects import compute_effects

    if old is None and new is None:
        raise ValueError("diff_procedures needs at least one record")
    a, b = _normalized(old or {}, memo), _normalized(new or {}, memo)
    side = b or a
    code, name = str(side.get("code", "")), str(side.get("name", ""))
    replaced_by = b.get("replaced_by") if b.get("status") == "replaced" else None
    if old is None or new is None:
        return ProcedureDiff(code=code, name=name, status="added" if old is None else "deleted",
                             effects=tuple(compute_effects(a if old is not None else None, b if new is not None else None, cost_basis)),
                             new_simplifications=tuple(_entries(b, "simplifications")),
                             new_amendments=tuple(_entries(b, "amendments")), replaced_by=replaced_by,
                             record=b if old is None else None)
    differ = _Differ()
    differ.value(a, b, [], [], _schema())
    changes = tuple(differ.changes)
    if not changes:
        status = "unchanged"
    elif b.get("status") != a.get("status") and b.get("status") in ("abolished", "replaced"):
        status = str(b["status"])
    else:
        status = "changed"
    return ProcedureDiff(
        code=code, name=name, status=status, changes=changes, effects=tuple(compute_effects(a, b, cost_basis)),
        new_simplifications=_new_entries(a, b, "simplifications", memo), new_amendments=_new_entries(a, b, "amendments", memo),
        replaced_by=replaced_by,
    )


def agency_effect(old_path: str, new_path: str, names: Mapping[str, str] | None = None) -> Effect:
    """``Cơ quan công bố: Bộ A → Bộ B`` for a file moved between agency folders.

    ``names`` maps agency ids (folder names) to names (``agencies.yaml``);
    an id without a name is shown as the id.
    """
    old_id, new_id = old_path.split("/")[-2], new_path.split("/")[-2]
    names = names or {}
    return Effect("agency", f"Cơ quan công bố: {names.get(old_id, old_id)} → {names.get(new_id, new_id)}",
                  subject=new_id)


def diff_catalogs(old: Mapping[str, Mapping[str, Any] | None], new: Mapping[str, Mapping[str, Any] | None],
                  agency_names: Mapping[str, str] | None = None, cost_basis: Any = None) -> CatalogDiff:
    """Compare two snapshots of the catalog's procedure files.

    Args:
        old: ``path -> record`` before; files whose bytes did not change may
            be left out of both sides by the caller (they cannot differ).
        new: ``path -> record`` after.
        agency_names: agency id -> name, for the effect of a move between
            agency folders (ids are shown where a name is missing).
        cost_basis: the catalog's :class:`~generator.model.CostBasis`, for the compliance-cost effect.

    Returns:
        A :class:`CatalogDiff` keyed by code: a file moved to another folder
        with the same code is one procedure (``old_path != new_path``);
        every file given is kept, so a formatting-only edit (key order,
        quoting, Unicode form) is listed with status ``unchanged`` (callers
        leave out files whose bytes are identical).
    """
    def by_code(side: Mapping[str, Mapping[str, Any] | None]) -> dict[str, tuple[str, Mapping[str, Any]]]:
        out: dict[str, tuple[str, Mapping[str, Any]]] = {}
        for path in sorted(side):
            record = side[path]
            if isinstance(record, Mapping) and isinstance(record.get("code"), str):
                out.setdefault(record["code"], (path, record))
        return out

    before, after = by_code(old), by_code(new)
    code_changes = []
    for path in sorted(set(old) & set(new)):
        oc = (old[path] or {}).get("code") if isinstance(old[path], Mapping) else None
        nc = (new[path] or {}).get("code") if isinstance(new[path], Mapping) else None
        if oc and nc and oc != nc:
            code_changes.append((path, str(oc), str(nc)))
    out = []
    for code in sorted(set(before) | set(after)):
        old_path, old_rec = before.get(code, (None, None))
        new_path, new_rec = after.get(code, (None, None))
        diff = diff_procedures(old_rec, new_rec, cost_basis=cost_basis)
        fields: dict[str, Any] = {**diff.__dict__, "old_path": old_path, "new_path": new_path}
        if old_path and new_path and old_path.split("/")[:-1] != new_path.split("/")[:-1] and old_path.count("/") >= 1:
            fields["effects"] = (agency_effect(old_path, new_path, agency_names), *diff.effects)
            if diff.status == "unchanged":
                fields["status"] = "moved"
        out.append(ProcedureDiff(**fields))
    return CatalogDiff(tuple(out), tuple(code_changes))
