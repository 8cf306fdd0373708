"""Strict YAML loading: bytes in, plain data plus the position of every node out.

The schema, never YAML 1.1 guessing, decides each value's type
(issue "The catalog on real data", point 2):

* a plain scalar becomes an integer, number or boolean only where the schema
  asks for one (``true``/``false`` only; ``013`` is 13 where an integer is
  wanted, never octal, with a ``leading-zero`` warning); everywhere else the original text is kept, so
  ``code: 1.001230`` stays ``"1.001230"`` (with a warning to quote it);
* ``no``, ``on``, ``13:30`` and ``2021-02-29`` stay text; dates are judged by
  the validator, which reports an impossible date as a normal error;
* duplicate keys at any depth, anchors, aliases, merge keys (``<<``),
  explicit tags and a second document are errors;
* a UTF-8 BOM is accepted; a tab in indentation is an error with its line and
  column; bytes that are not UTF-8 are an error with the byte offset;
* an error found while parsing (a YAML syntax error, a tab, an anchor or tag) names the
  field path read from the text's indentation (:func:`text_path`), empty where it does not tell;
* text is normalised to Unicode NFC, with a warning when the file was not;
* a control character (C0 and C1, except tab and line feed, also when
  written as an escape such as ``"\\x07"``), a noncharacter (U+FDD0..U+FDEF,
  U+FFFE, U+FFFF and their like in every plane) or a lone surrogate in a
  value is an error (``control-character``): no HTML, XML or spreadsheet can
  carry it; a bidirectional control (U+061C, U+200E, U+200F,
  U+202A..U+202E, U+2066..U+2069), a zero-width character (U+200B..U+200D,
  U+2060, U+FEFF) or a soft hyphen (U+00AD) is a warning
  (``invisible-character``): it is invisible and can make text read
  differently from what it says (CVE-2021-42574, "Trojan Source"). Both
  name the character and its position in the value;
* text that has no letter only Vietnamese Unicode has (ă, đ, ơ, ư, or a
  vowel with a tone mark from U+1EA0..U+1EF9) but reads like Vietnamese
  typed in a legacy 8-bit encoding and shown as Latin-1 is a warning
  (``mojibake``) naming the likely encoding: TCVN3 (ABC), where symbols and
  capitals stand inside words (``Thñ tôc hµnh chÝnh``), or VNI, where marks
  follow their vowel as separate letters (``Thuû tuïc haønh chính``). None
  of the 1,523 real records sets it off;
* limits, so that any input is read in bounded time and memory: at most
  :data:`MAX_BYTES` bytes, :data:`MAX_DEPTH` levels of nesting and
  :data:`MAX_NODES` nodes; aliases are refused before anything is expanded
  (a "billion laughs" file costs no more than its size); a number must be
  finite and at most :data:`MAX_NUMBER` in size (2^53, the largest integer
  JSON readers and spreadsheets keep exactly), so ``1e400`` or a 20-digit
  amount is an error here, never ``Infinity`` or an overflow later.

This is the one reader of catalog YAML: ``validate``, the build, ``diff``,
``check-change`` and every past revision read by ``history`` go through
:func:`load_bytes`.

Nothing here raises on bad input: every problem becomes a
:class:`~generator.diagnostics.Diagnostic` in :attr:`LoadedFile.diagnostics`
and ``data`` is ``None`` when the file could not be read at all.
"""

from __future__ import annotations

import functools
import json
import re
import unicodedata
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from generator.diagnostics import Diagnostic, format_path
from generator.i18n import N_, _

#: The kinds of catalog file and their schema file names.
SCHEMA_FILES = {
    "procedure": "procedure.schema.json",
    "agencies": "agencies.schema.json",
    "sectors": "sectors.schema.json",
    "plan": "plan.schema.json",
    "cost-basis": "cost-basis.schema.json",
    "coverage": "coverage.schema.json",
    "search-terms": "search-terms.schema.json",
}

DataPath = tuple[str | int, ...]

#: libyaml's C parser when PyYAML was built with it (it is on PyPI wheels); same events and marks.
_PARSER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

#: Largest file read (bytes); the largest real record is 93 kB.
MAX_BYTES = 512_000
#: Deepest nesting of mappings and lists; real records nest at most 6 levels.
MAX_DEPTH = 32
#: Most YAML nodes (scalars, mappings, lists) in one file.
MAX_NODES = 50_000
#: Largest magnitude of a number (2**53): exact in JSON, JavaScript and spreadsheets.
MAX_NUMBER = 2**53

_INT = re.compile(r"^[-+]?[0-9]+$")
#: An integer or decimal literal with a leading zero before another digit (``0001``, ``-05``, ``01.5``).
_LEADING_ZERO = re.compile(r"^[-+]?0[0-9]")
_FLOAT = re.compile(r"^[-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?$")
_NULLS = {"", "~", "null", "Null", "NULL"}
_BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
# What YAML 1.1 tools (PyYAML's default loader, many editors) would not read as text.
_YAML11_NON_TEXT = re.compile(
    r"^(?:[-+]?(?:0b[01_]+|0x[0-9a-fA-F_]+|[0-9][0-9_]*(?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?|\.[0-9_]+)"
    r"|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?"
    r"|y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$"
)


@functools.cache
def load_schema(kind: str) -> dict[str, Any]:
    """The JSON Schema (Draft 2020-12) of a catalog file kind.

    Args:
        kind: one of ``procedure``, ``agencies``, ``sectors``, ``plan``, ``cost-basis``, ``coverage``.

    Raises:
        KeyError: for an unknown kind.
    """
    text = resources.files("generator.schemas").joinpath(SCHEMA_FILES[kind]).read_text(encoding="utf-8")
    return json.loads(text)


class Node:
    """A node of the YAML tree: ``kind`` is ``scalar``, ``mapping`` or ``sequence``.

    ``line`` and ``column`` are 1-based. A mapping's ``items`` are (key node,
    value node) pairs in file order; a sequence's ``items`` are nodes.
    (A plain class with slots: a catalog of 10,000 records makes a million of them.)
    """

    __slots__ = ("kind", "line", "column", "value", "style", "items")

    def __init__(self, kind: str, line: int, column: int, value: str = "", style: str | None = None) -> None:
        self.kind = kind
        self.line = line
        self.column = column
        self.value = value
        self.style = style
        self.items: list[Any] = []


@dataclass
class LoadedFile:
    """One catalog file after strict loading.

    Attributes:
        display: the file name used in diagnostics.
        kind: the file kind (see :data:`SCHEMA_FILES`).
        data: the plain data (dicts, lists, str, int, float, bool, None), or
            ``None`` when the file could not be parsed.
        positions: data path -> (line, column) of the value.
        key_positions: data path -> (line, column) of the mapping key.
        diagnostics: problems found while loading, in file order.
        source: the file's bytes, kept only by :meth:`without_positions`.
    """

    display: str
    kind: str
    data: Any = None
    positions: dict[DataPath, tuple[int, int]] = field(default_factory=dict)
    key_positions: dict[DataPath, tuple[int, int]] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    source: bytes | None = field(default=None, repr=False, compare=False)

    def without_positions(self, raw: bytes) -> LoadedFile:
        """This file made light to send to another process: the two position tables (most of
        its size) are left out and made again from ``raw``, the bytes it was loaded from, by
        :meth:`position` when a diagnostic first needs one (the same tables: loading is
        deterministic). Until then :attr:`positions` and :attr:`key_positions` are empty."""
        return LoadedFile(self.display, self.kind, self.data, {}, {}, self.diagnostics, raw)

    def position(self, path: DataPath, key: bool = False) -> tuple[int, int]:
        """Line and column of ``path``, or of its nearest known ancestor (1, 1 at worst)."""
        if self.source is not None:
            again = load_bytes(self.source, self.display, self.kind)
            self.positions, self.key_positions, self.source = again.positions, again.key_positions, None
        table = self.key_positions if key else self.positions
        probe = tuple(path)
        while probe:
            if probe in table:
                return table[probe]
            if key and probe in self.positions:
                return self.positions[probe]
            probe = probe[:-1]
        return self.positions.get((), (1, 1))

    def diagnostic(self, severity: str, code: str, path: DataPath, message: str, hint: str = "", key: bool = False) -> Diagnostic:
        """Make a diagnostic positioned at ``path`` in this file."""
        line, column = self.position(path, key=key)
        return Diagnostic(self.display, line, column, severity, code, format_path(path), message, hint)  # type: ignore[arg-type]


def load_file(path: Path, kind: str, display: str | None = None, light: bool = False) -> LoadedFile:
    """Read and strictly load one catalog file.

    Args:
        path: the file to read.
        kind: its kind (``procedure``, ``agencies``, ``sectors``, ``plan``).
        display: the name to use in diagnostics (default: ``str(path)``).
        light: return it :meth:`~LoadedFile.without_positions` (to send to another process).

    Returns:
        The :class:`LoadedFile`; an unreadable file gives a diagnostic, not an exception.
    """
    display = display or path.as_posix()
    try:
        if path.exists() and not path.is_file():  # a FIFO or device would block reading, a folder has no text
            loaded = LoadedFile(display, kind)
            loaded.diagnostics.append(Diagnostic(display, 0, 0, "error", "missing-file", "", _("not a regular file (a folder, pipe or device)"),
                                                 _("replace it with the YAML file itself")))
            return loaded
        raw = path.read_bytes()
    except OSError as err:
        loaded = LoadedFile(display, kind)
        loaded.diagnostics.append(Diagnostic(display, 0, 0, "error", "missing-file", "", _("cannot read the file: {reason}").format(reason=err.strerror), _("check the path")))
        return loaded
    if not light:
        return load_bytes(raw, display, kind)
    loaded = load_bytes(raw, display, kind, positions=False)
    return loaded.without_positions(raw) if loaded.data is not None else load_bytes(raw, display, kind)


def load_bytes(raw: bytes, display: str, kind: str, positions: bool = True, blocks: dict | None = None) -> LoadedFile:
    """Strictly load the bytes of one catalog file (from disk or from a git blob).

    Args:
        raw: the file content.
        display: the file name used in diagnostics.
        kind: the file kind, which selects the schema that types the values.
        positions: fill :attr:`LoadedFile.positions` and ``key_positions`` (``False`` leaves
            them empty, for :func:`load_file`'s ``light``; data and diagnostics are the same).
        blocks: a :data:`Blocks` table shared by the versions of a file (``generator.history``
            reads ten versions of each): each top-level block of the text is parsed once per
            table (:func:`_parse_blocks`). Data and diagnostics are the same as without it.

    Returns:
        The :class:`LoadedFile` with data, positions and loading diagnostics.
    """
    loaded = LoadedFile(display, kind)
    if len(raw) > MAX_BYTES:
        loaded.diagnostics.append(Diagnostic(display, 0, 0, "error", "too-large", "",
                                             _("the file is {size} bytes; a catalog file holds at most {limit}").format(
                                                 size=f"{len(raw):,}", limit=f"{MAX_BYTES:,}"),
                                             _("split the text or remove what does not belong to the record")))
        return loaded
    text = _decode(raw, loaded)
    if text is None:
        return loaded
    if not _check_tabs(text, loaded):
        return loaded
    if blocks is not None and not positions:
        data = _load_blocks(text, display, kind, blocks)
        if data is not None:
            loaded.data = data
            return loaded
    root = _parse(text, loaded)
    if root is None:
        return loaded
    try:
        schema = load_schema(kind)
        data = _convert(root, _plan(schema, schema), (), loaded, positions)
    except RecursionError:
        loaded.diagnostics.append(Diagnostic(loaded.display, root.line, root.column, "error", "syntax", "",
                                             _("the data is nested too deeply to be a catalog record"), _("flatten the structure")))
        return loaded
    if data is None:
        loaded.diagnostics.append(Diagnostic(loaded.display, root.line, root.column, "error", "empty-file", "",
                                             _("the file holds no record (only an empty or null document)"),
                                             _empty_hint(loaded.kind)))
        return loaded
    loaded.data = data
    return loaded


# ---------------------------------------------------------------------------
# Bytes to text


#: Starts of binary files a contributor may save under a .yaml name: zip (and docx/xlsx), PDF, old Office, PNG, JPEG.
_BINARY_MAGIC = (b"PK\x03\x04", b"%PDF", b"\xd0\xcf\x11\xe0", b"\x89PNG", b"\xff\xd8\xff")

def _empty_hint(kind: str) -> str:
    """What to do about a file without data. A procedure's file is never deleted (``tthc check-change`` refuses
    ``file-deleted``): one that no longer applies keeps its record, with ``status: abolished``."""
    if kind == "procedure":
        return _("write the procedure's record (code, name, …); a procedure that no longer applies keeps its record, "
                 "with status: abolished")
    return _("write the file's entries (see the same file in the bundled catalog)")


def _decode(raw: bytes, loaded: LoadedFile) -> str | None:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        loaded.diagnostics.append(Diagnostic(loaded.display, 1, 1, "error", "encoding", "",
                                             _("the file is UTF-16, not UTF-8"), _("re-save the file as UTF-8")))
        return None
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        before = raw[: err.start]
        line = before.count(b"\n") + 1
        column = err.start - (before.rfind(b"\n") + 1) + 1
        if b"\x00" in raw[:4096] or raw.startswith(_BINARY_MAGIC):
            what = _("the file is not text: it holds binary data (a Word, PDF, image or zip file, for example)")
            hint = _("replace it with the procedure's record written as YAML text, saved as UTF-8")
        else:
            what = _("the file is not UTF-8: byte 0x{byte} at offset {offset} cannot be read (it may be saved as Windows-1258 or "
                     "another legacy encoding)").format(byte=f"{raw[err.start]:02X}", offset=err.start)
            hint = _("re-save the file as UTF-8")
        loaded.diagnostics.append(Diagnostic(loaded.display, line, column, "error", "encoding", "", what, hint))
        return None
    if not text.strip():
        loaded.diagnostics.append(Diagnostic(loaded.display, 1, 1, "error", "empty-file", "", _("the file is empty"),
                                             _empty_hint(loaded.kind)))
        return None
    if unicodedata.is_normalized("NFC", text):
        return text
    normal = unicodedata.normalize("NFC", text)
    if normal != text:
        line, column = _first_non_nfc(text)
        loaded.diagnostics.append(Diagnostic(
            loaded.display, line, column, "warning", "not-nfc", "",
            _("the text is not in Unicode NFC (decomposed accents); tthc reads it as NFC"),
            _("re-save the file with composed (NFC) Vietnamese characters"),
        ))
    return normal


def _first_non_nfc(text: str) -> tuple[int, int]:
    for number, line in enumerate(text.split("\n"), start=1):
        if unicodedata.normalize("NFC", line) != line:
            for index, char in enumerate(line):
                if unicodedata.combining(char):
                    return number, max(index, 1)
            return number, 1
    return 1, 1


def _check_tabs(text: str, loaded: LoadedFile) -> bool:
    if "\t" not in text:
        return True
    found = []
    for number, line in enumerate(_LINE_BREAK.split(text), start=1):
        indent = len(line) - len(line.lstrip(" \t"))
        if "\t" in line[:indent] and line.strip() and not line.lstrip(" \t").startswith("#"):
            found.append((number, line.index("\t") + 1, len(line) + 1))
    # the path of each line's field (its end: the key on it counts), when tabs 2, 4 and 8 wide give the same
    paths = text_paths(text, [(number, end) for number, _column, end in found], (2, 4, 8))
    for (number, column, _end), path in zip(found, paths):
        loaded.diagnostics.append(Diagnostic(
            loaded.display, number, column, "error", "tab-indent", path,
            _("a tab is used for indentation; YAML allows only spaces there"),
            _("replace the tab with spaces"),
        ))
    return not found


# ---------------------------------------------------------------------------
# Text to node tree (events, so anchors, tags and documents can be refused)


_SCALAR_EVENT, _MAPPING_START, _SEQUENCE_START = yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent
_MAPPING_END, _SEQUENCE_END = yaml.MappingEndEvent, yaml.SequenceEndEvent


def _parse(text: str, loaded: LoadedFile) -> Node | None:
    # One pass over the parser's events (libyaml's when present). A mapping's items are collected
    # flat (key, value, key, value...) and paired when the mapping ends.
    stack: list[Node] = []
    root: Node | None = None
    documents = 0
    nodes = 0
    ok = True

    def problem(event: Any, code: str, message: str, hint: str) -> None:
        nonlocal ok
        ok = False
        line, column = event.start_mark.line + 1, event.start_mark.column + 1
        loaded.diagnostics.append(Diagnostic(loaded.display, line, column, "error", code, text_path(text, line, column), message, hint))

    parser = content = None
    try:
        parser = _PARSER(text)
        while (event := parser.get_event()) is not None:
            cls = event.__class__
            if cls is _MAPPING_END or cls is _SEQUENCE_END:
                if documents > 1:
                    continue
                node = stack.pop()
                if cls is _MAPPING_END:
                    flat = node.items
                    node.items = list(zip(flat[0::2], flat[1::2]))
                continue
            content = event  # the last event other than an end: still a quoted value when the lists and mappings around it end
            is_scalar = cls is _SCALAR_EVENT
            if not is_scalar and cls is not _MAPPING_START and cls is not _SEQUENCE_START:
                if cls is yaml.DocumentStartEvent:
                    documents += 1
                    if documents == 2:
                        problem(event, "multi-document", _("a second YAML document starts here; a catalog file holds one record"),
                                _("remove the '---' and what follows, or move it to its own file"))
                elif cls is yaml.AliasEvent and documents <= 1:
                    problem(event, "anchor", _("alias *{name} is not allowed").format(name=event.anchor),
                            _("write the value out in full"))
                    alias = Node("scalar", event.start_mark.line + 1, event.start_mark.column + 1, "")
                    if stack:
                        stack[-1].items.append(alias)
                    else:
                        root = alias
                continue  # stream and document boundaries
            if documents > 1:
                continue
            if event.anchor is not None:
                problem(event, "anchor", _("anchor &{name} is not allowed").format(name=event.anchor),
                        _("remove the anchor and write values out in full"))
            tag = event.tag
            if tag is not None and not (event.implicit[1] if is_scalar and tag == "!" else not is_scalar and event.implicit):
                problem(event, "tag", _("explicit tag {tag} is not allowed").format(tag=tag.replace("tag:yaml.org,2002:", "!!")),
                        _("remove the tag; the schema decides the type"))
            mark = event.start_mark
            line, column = mark.line + 1, mark.column + 1
            nodes += 1
            if nodes > MAX_NODES:
                loaded.diagnostics.append(Diagnostic(loaded.display, line, column, "error", "too-large", "",
                                                     _("the file holds more than {limit} values; a catalog record is far smaller").format(
                                                         limit=f"{MAX_NODES:,}"),
                                                     _("split the text or remove what does not belong to the record")))
                return None
            if is_scalar:
                node = Node("scalar", line, column, event.value, event.style or None)
            else:
                if len(stack) >= MAX_DEPTH:
                    loaded.diagnostics.append(Diagnostic(loaded.display, line, column, "error", "syntax", text_path(text, line, column),
                                                         _("the data is nested more than {limit} levels deep, too deep to be a catalog "
                                                           "record").format(limit=MAX_DEPTH),
                                                         _("flatten the structure")))
                    return None
                node = Node("mapping" if cls is _MAPPING_START else "sequence", line, column)
            if stack:
                stack[-1].items.append(node)
            else:
                root = node
            if not is_scalar:
                stack.append(node)
    except yaml.reader.ReaderError as err:
        # libyaml (CSafeLoader) gives the position as a byte offset into the UTF-8 text, PyYAML as
        # a character index: find the character in ``text`` itself, so line and column count characters.
        found = yaml.reader.Reader.NON_PRINTABLE.search(text)
        position = found.start() if found else min(err.position, len(text))
        before = _LINE_BREAK.split(text[:position])  # lines as YAML counts them (CRLF, CR...)
        line, column = len(before), len(before[-1]) + 1
        loaded.diagnostics.append(Diagnostic(
            loaded.display, line, column, "error", "syntax", text_path(text, line, column),
            _("the file contains the control character U+{code}, which YAML does not allow").format(
                code=f"{ord(found.group()) if found else err.character:04X}"),
            _("delete the invisible character (retype the text around it)"),
        ))
        return None
    except yaml.MarkedYAMLError as err:
        line, column, what, hint = _syntax_error(err, content, text)
        loaded.diagnostics.append(Diagnostic(
            loaded.display, line, column, "error", "syntax", text_path(text, line, column), _("YAML syntax error: {problem}").format(problem=what), hint))
        return None
    finally:
        if parser is not None:
            parser.dispose()
    if not ok or root is None:
        if root is None and ok:
            loaded.diagnostics.append(Diagnostic(loaded.display, 1, 1, "error", "empty-file", "", _("the file holds no record (only comments or blank lines)"),
                                                 _empty_hint(loaded.kind)))
        return None
    return root


#: The loaded top-level blocks of a file's versions, by their text (:func:`_load_blocks`): ``text ->
#: (data of its keys, node count)``, or ``(None, 0)`` for a block that does not load cleanly alone.
Blocks = dict

#: A line where a top-level key starts a block: a letter, ``_`` or a quote at its start.
_BLOCK_START = re.compile(r"^(?=[A-Za-z_\"'])", re.M)
#: Lines whose start is YAML's stream syntax or a value at column 0 (documents, directives, explicit
#: keys, tags, anchors, aliases, flow or block scalars): such a text is loaded whole.
_STREAM_SYNTAX = re.compile(r"^(?:---|\.\.\.|[%?!&*{\[|>@`])", re.M)


def _load_blocks(text: str, display: str, kind: str, blocks: Blocks) -> dict[str, Any] | None:
    """The data of ``text`` made from its top-level blocks, each loaded once per ``blocks`` table,
    or None when it is to be loaded whole (any problem, so that every diagnostic comes from a whole load).

    The versions of one file differ in a few fields: the other blocks are the same text, loaded
    once (their data is shared by the versions: records are read-only). A block starts at a line
    beginning with a key (:data:`_BLOCK_START`), so a value spread over lines (an indented block
    scalar or list, a list at column 0 under its key) stays in its key's block; a value that
    continues at column 0 (a quote or a bracket left open on the key's line) leaves its block unable
    to load alone, and the text is loaded whole, as is one with :data:`_STREAM_SYNTAX`. Each block
    is a mapping typed by the schema as the file's root is; a key in two blocks, or more nodes in
    all than a file may hold (the blocks' count, each with its own root, is never less than the
    whole text's), sends the text to a whole load, which reports it.
    """
    if _STREAM_SYNTAX.search(text):
        return None
    starts = [match.start() for match in _BLOCK_START.finditer(text)]
    if not starts:
        return None
    starts[0] = 0  # (comments or blank lines before the first key belong to its block)
    data: dict[str, Any] = {}
    nodes = 0
    for start, end in zip(starts, starts[1:] + [len(text)]):
        part = text[start:end]
        hit = blocks.get(part)
        if hit is None:
            hit = blocks[part] = _load_list_block(part, display, kind, blocks) or _load_part(part, display, kind)
        values, count = hit
        if values is None or not data.keys().isdisjoint(values):
            return None
        data.update(values)
        nodes += count
        if nodes > MAX_NODES:
            return None
    return data


#: The first line of a block that is a list under its key (``steps:``, then ``- title: …`` lines).
_LIST_HEAD = re.compile(r"([a-z_][a-z0-9_]*):[ ]*\n-(?=[ \n])")
#: A line of such a block that is neither an item's start (a dash, then a space or the line's end),
#: nor indented, nor a comment, nor blank: the block is loaded whole.
_NOT_IN_LIST = re.compile(r"^(?:[^ #\n-]|-(?![ \n]))", re.M)
_ITEM_START = re.compile(r"^-(?=[ \n])", re.M)


def _load_list_block(part: str, display: str, kind: str, blocks: Blocks) -> tuple[dict[str, Any] | None, int] | None:
    """A block of :func:`_load_blocks` that is a list under its key, its items at column 0
    (:data:`_LIST_HEAD`, :data:`_NOT_IN_LIST`), loaded item by item, each item once per ``blocks``
    table (a revision edits one step or document of a list): ``(data, node count)``; ``(None, 0)``
    when an item does not load cleanly alone; None for a block of another form (loaded whole)."""
    head = _LIST_HEAD.match(part)
    if head is None:
        return None
    body = part[head.end(1):].split("\n", 1)[1]
    if _NOT_IN_LIST.search(body):
        return None
    key = head.group(1)
    schema = load_schema(kind)
    plan = _plan(schema, schema).child(key).item()
    starts = [m.start() for m in _ITEM_START.finditer(body)]
    values, nodes = [], 2  # (the block's mapping and its key)
    for start, end in zip(starts, starts[1:] + [len(body)]):
        item = ("item", key, body[start:end])
        hit = blocks.get(item)
        if hit is None:
            hit = blocks[item] = _load_part(item[2], display, kind, plan)
        value, count = hit
        if count == 0:
            return None, 0
        values.append(value)
        nodes += count
        if nodes > MAX_NODES:
            return None, 0
    return {key: values}, nodes


def _load_part(text: str, display: str, kind: str, plan: _Plan | None = None) -> tuple[Any, int]:
    """One block (``plan`` None: a mapping typed as the file's root) or one list item (``plan``: the
    list's item plan; the text is ``- …``) of :func:`_load_blocks`: ``(its data, node count)``, or
    ``(None, 0)`` when it does not load cleanly alone."""
    scratch = LoadedFile(display, kind)
    node = _parse(text, scratch)
    if node is None or scratch.diagnostics or node.kind != ("mapping" if plan is None else "sequence"):
        return None, 0
    if plan is None:
        schema = load_schema(kind)
        plan, value = _plan(schema, schema), node
    elif len(node.items) == 1:
        value = node.items[0]
    else:
        return None, 0
    try:
        data = _convert(value, plan, (), scratch, False)
    except RecursionError:
        return None, 0
    return (data, _node_count(node)) if not scratch.diagnostics else (None, 0)


def _node_count(root: Node) -> int:
    """The nodes of the tree under ``root``, itself included (as :func:`_parse` counts them)."""
    count, todo = 0, [root]
    while todo:
        node = todo.pop()
        count += 1
        if node.kind == "mapping":
            for key, value in node.items:
                todo.append(key)
                todo.append(value)
        elif node.kind == "sequence":
            todo.extend(node.items)
    return count


def _syntax_error(err: yaml.MarkedYAMLError, last: Any, text: str) -> tuple[int, int, str, str]:
    """Where a YAML syntax error is to be fixed, and what to say: ``(line, column, message, hint)``, 1-based.

    PyYAML and libyaml mark where they noticed the problem (``problem_mark``). For something opened
    and never closed that is far from the mistake, so these are reported where it was opened, with
    where it was noticed in the message:

    * a quote never closed (``context_mark`` of "while scanning a quoted scalar", noticed at the end
      of the file or at a ``---``), or closed only by the quote of a later value, after which the
      text cannot be read (the quoted value just read spans lines and ends where the problem is);
    * a ``[`` or ``{`` not closed on its line ("while parsing a flow sequence/mapping", noticed on
      a later line; on the same line the problem mark is the missing ``,`` itself);
    * a line standing where a key belongs without a ``:`` ("while scanning a simple key", noticed
      on the next line).

    Every other error is reported where it was noticed, in PyYAML's English words (an error's
    ``context_mark`` there is the start of the enclosing mapping or the like, no better a place).
    """
    context, problem, started, noticed = err.context or "", err.problem or "", err.context_mark, err.problem_mark
    if noticed is not None and started is not None:
        line, column, end = started.line + 1, started.column + 1, noticed.line + 1
        if context == "while scanning a quoted scalar" and ("end of stream" in problem or "document" in problem):
            quote = text[started.index] if text[started.index:started.index + 1] in ("'", '"') else '"'
            where = (_("up to the '---' on line {line}").format(line=end) if "document" in problem
                     else _("up to the end of the file"))
            return line, column, _("a quote {quote} opened on line {line} is never closed: YAML looked for the closing {quote} "
                                   "{where}").format(quote=quote, line=line, where=where), _quote_hint(quote, line)
        if context in ("while parsing a flow sequence", "while parsing a flow mapping") and end > line:
            if context.endswith("sequence"):
                return line, column, _(
                    "the list opened with '[' on line {line} is never closed: YAML reached line {end}, column {end_column} without "
                    "finding ',' or ']'").format(line=line, end=end, end_column=noticed.column + 1), _(
                    "close the list with ']' on line {line} (levels: [province, commune]), and put ',' between its items").format(
                    line=line)
            return line, column, _(
                "the group of fields opened with '{{' on line {line} is never closed: YAML reached line {end}, column {end_column} "
                "without finding ',' or '}}'").format(line=line, end=end, end_column=noticed.column + 1), _(
                "close it with '}}' on line {line} (processing_time: {{value: 15, unit: working_days}}), and put ',' between its "
                "fields").format(line=line)
        if context == "while scanning a simple key":
            return line, column, _("line {line} stands where a key is expected, but no ':' follows it").format(line=line), _(
                "write 'key: value', with a space after ':'; if the line goes on with the text of the line above, indent it "
                "further than that line's key, or put the whole text in quotes")
    if (noticed is not None and isinstance(err, yaml.parser.ParserError) and isinstance(last, yaml.ScalarEvent)
            and last.style in ("'", '"') and last.start_mark.line < last.end_mark.line == noticed.line):
        quote, line = last.style, last.start_mark.line + 1
        return line, last.start_mark.column + 1, _(
            "a quote {quote} opened on line {line} is not closed on that line: YAML took the {quote} on line {end} as its end, and "
            "cannot read what follows it there").format(quote=quote, line=line, end=noticed.line + 1), _quote_hint(quote, line)
    mark = noticed or started
    what = problem or _("the YAML cannot be read")  # PyYAML's own words stay English
    if context:
        where = _(" on line {line}").format(line=started.line + 1) if started and mark and started.line != mark.line else ""
        what = f"{what} ({context}{where})"
    return (mark.line + 1 if mark else 1), (mark.column + 1 if mark else 1), what, _(
        "check indentation and quoting on this line and the one before; quote text that contains ': ' or starts with a special "
        "character")


def _quote_hint(quote: str, line: int) -> str:
    """What to do about a quote opened on ``line`` and not closed there."""
    return _("close the value with {quote} where it ends on line {line}, or remove the opening {quote}; write a {quote} inside the "
             "value as {escaped}").format(quote=quote, line=line, escaped='\\"' if quote == '"' else "''")


# ---------------------------------------------------------------------------
# The field path at a position, read from the text (for errors found before there is a tree)


#: What YAML (PyYAML and libyaml alike) counts as one line break, so that line numbers here are its marks' and a
#: Windows (CRLF) file's ``\r`` is not read as text at each line's end (YAML 1.1, 5.4 Line Break Characters).
_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
#: A block mapping key at the start of what remains of a line: quoted, or plain up to ``: `` (catalog keys are words).
_TEXT_KEY = re.compile(r"""("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^\s#'"\[\]{},&*!|>%@`?:-][^#]*?|-[^\s#][^#]*?)[ ]*:(?=[ ]|$)""")
#: Anchors and tags that may stand before a value (``key: &a value``, ``key: !!str value``).
_VALUE_PROPERTIES = re.compile(r"(?:[&!]\S*[ ]+)+")


class _Level:
    """One open level of :func:`text_path`: a key (``part`` a str) or a list item (an int) at
    ``column`` (0-based); ``below`` when its value goes on over the next lines."""

    __slots__ = ("column", "part", "below")

    def __init__(self, column: int, part: str | int) -> None:
        self.column, self.part, self.below = column, part, True


def _closing_quote(text: str, quote: str) -> int:
    """The index in ``text`` just after the ``quote`` that ends a quoted value begun before it, or -1."""
    index = 0
    while index < len(text):
        char = text[index]
        if char == "\\" and quote == '"':
            index += 2
        elif char == quote and quote == "'" and text[index + 1:index + 2] == "'":
            index += 2
        elif char == quote:
            return index + 1
        else:
            index += 1
    return -1


def _flow_depth(text: str, depth: int = 0) -> int:
    """``depth`` plus the ``[`` and ``{`` that ``text`` leaves open (quoted text and comments skipped)."""
    index = 0
    while index < len(text):
        char = text[index]
        if char in "\"'":
            end = _closing_quote(text[index + 1:], char)
            if end < 0:
                return depth
            index += end + 1
            continue
        if char == "#" and (index == 0 or text[index - 1] == " "):
            break
        depth += 1 if char in "[{" else -1 if char in "]}" else 0
        if depth <= 0:
            return 0
        index += 1
    return depth


def text_path(text: str, line: int, column: int, tab_widths: tuple[int, ...] = (8,)) -> str:
    """The data path (``steps[1].title``) of the field at ``line``, ``column`` (1-based) of a
    block-style YAML ``text``, read from its indentation alone: for the errors found while parsing,
    before there is a tree to take the path from (:func:`_parse`, :func:`_check_tabs`).

    The lines above the position give the open levels: a ``key:`` opens one at its column, a ``- ``
    opens the next item of its list (counted from 0), and a level ends at a line indented as far or
    less. On the position's own line, a ``- `` or a key before the column counts. A key of an
    earlier line counts only when its value is below it (a nested block, a ``|``/``>`` text, a
    quote or a ``[``/``{`` left open): a line indented under a one-line value is not in that field,
    whatever YAML made of it. Inside a quote, text block or flow collection the path ends at the
    field that holds it.

    An approximation that says nothing rather than guess: ``""`` at the start of a top-level line,
    on a document or directive line (``---``, ``%``), after an explicit key (``? ``), and when the
    tab widths in ``tab_widths`` (a tab in the indentation is expanded to each) give different paths.
    Checked against the loader's own paths of every value of real records (tests/test_load.py).
    :func:`text_paths` gives the paths of many positions in one pass over the text.

    Returns:
        The path in :func:`~generator.diagnostics.format_path` form, or ``""``; never raises.
    """
    return text_paths(text, [(line, column)], tab_widths)[0]


def text_paths(text: str, positions: list[tuple[int, int]], tab_widths: tuple[int, ...] = (8,)) -> list[str]:
    """:func:`text_path` of each of ``positions`` (line, column; 1-based), read in one pass over the text per tab width."""
    found = [_text_paths(text, positions, width) for width in tab_widths]
    return [paths[0] if len(set(paths)) == 1 else "" for paths in zip(*found)]


#: What a line leaves open for the next ones (:func:`_text_line`): None, ``("block", column)``, ``("quote", '"')``,
#: ``("flow", depth)`` (the value of the innermost level goes on), or ``("unknown", None)`` (nothing more can be told).
_Spread = tuple[str, Any] | None


def _text_paths(text: str, positions: list[tuple[int, int]], tab_width: int) -> list[str]:
    lines = _LINE_BREAK.split(text)
    wanted: dict[int, list[int]] = {}
    for index, (line, _column) in enumerate(positions):
        if 1 <= line <= len(lines):
            wanted.setdefault(line, []).append(index)
    out = [""] * len(positions)
    stack: list[_Level] = []
    spread: _Spread = None
    for number, raw in enumerate(lines[:max(wanted, default=0)], start=1):
        for index in wanted.get(number, ()):
            out[index] = _text_line(raw, list(stack), spread, positions[index][1], tab_width)[0] or ""
        spread = _text_line(raw, stack, spread, None, tab_width)[1]
    return out


def _text_line(raw: str, stack: list[_Level], spread: _Spread, column: int | None, tab_width: int) -> tuple[str | None, _Spread]:
    """One line of :func:`_text_paths`: with ``column`` (1-based), the path there (``stack`` is the open levels of the lines
    above, a copy that this changes); without, ``stack`` made that of the lines up to this one. Returns ``(path or None,
    what the line leaves open)``."""
    here = column is not None
    lead = len(raw) - len(raw.lstrip(" \t"))
    source = raw[:lead].expandtabs(tab_width) + raw[lead:]
    limit = max(column - 1 + len(source) - len(raw), 0) if column is not None else len(source)
    rest = source.lstrip(" ")
    indent = len(source) - len(rest)

    def path() -> str:
        return format_path(level.part for level in stack)

    def close(at: int) -> str:
        """The path at column ``at`` of this line, before anything on it counts."""
        while stack and stack[-1].column >= at:
            stack.pop()
        if stack and not stack[-1].below:
            stack.pop()
        return path()

    if spread is not None:
        kind, state = spread
        if kind == "unknown":
            return "", spread
        if kind == "block" and (not rest or indent > state):
            return (path() if here else None), spread
        if kind == "quote":
            end = _closing_quote(source, state)
            if here:
                return (path() if not 0 <= end <= limit else None), spread
            return None, (spread if end < 0 else None)  # (what follows the closing quote on its line is not looked at)
        if kind == "flow":
            if here:
                return path(), spread
            depth = _flow_depth(source, state)
            return None, (("flow", depth) if depth > 0 else None)
        spread = None
    if not rest or rest.startswith("#"):
        return (close(limit) if here else None), spread
    if indent == 0 and rest.startswith(("---", "...", "%")):
        if not here:
            stack.clear()
        return ("" if here else None), spread
    if rest == "?" or rest.startswith("? "):
        return "", ("unknown", None)
    if here and limit <= indent:
        return close(limit), spread
    if stack and not stack[-1].below and indent > stack[-1].column:
        return (close(indent) if here else None), spread  # the next line of a one-line value
    position, holder, own_line = indent, None, False
    while (rest == "-" or rest.startswith("- ")) and position < limit:
        index = 0
        while stack and stack[-1].column >= position:
            if stack[-1].column == position:
                if isinstance(stack[-1].part, int):
                    index = stack.pop().part + 1  # type: ignore[operator]
                break  # (a key at the dash's column holds a list written without indentation)
            stack.pop()
        holder = _Level(position, index)
        stack.append(holder)
        after = rest[1:]
        rest = after.lstrip(" ")
        position += 1 + len(after) - len(rest)
    match = _TEXT_KEY.match(rest) if position < limit else None
    if match is not None:
        while stack and stack[-1].column >= position:
            stack.pop()
        key = match.group(1)
        if len(key) > 1 and key[0] in "\"'" and key[-1] == key[0]:
            key = key[1:-1].replace("''", "'") if key[0] == "'" else key[1:-1]
        holder = _Level(position, key)
        stack.append(holder)
        rest = rest[match.end():]
    elif holder is None:
        if here:
            return close(indent), spread
        if not stack:
            return None, spread
        holder, own_line = stack[-1], True  # a value on the lines below its key
    if here:
        return path(), spread
    value = rest.lstrip(" ")
    value = value[m.end():] if (m := _VALUE_PROPERTIES.match(value)) else value
    if not value or value.startswith("#"):
        return None, spread  # (holder.below: its value is on the lines below)
    if value[0] in "|>":
        spread = ("block", holder.column)
    elif value[0] in "\"'":
        spread = ("quote", value[0]) if _closing_quote(value[1:], value[0]) < 0 else None
    elif value[0] in "[{":
        depth = _flow_depth(value)
        spread = ("flow", depth) if depth > 0 else None
    holder.below = spread is not None or own_line
    return None, spread

# ---------------------------------------------------------------------------
# Node tree to plain data, typed by the schema


def _resolve(schema: dict[str, Any] | None, root: dict[str, Any]) -> dict[str, Any] | None:
    while schema is not None and "$ref" in schema:
        ref = schema["$ref"]
        target: Any = root
        for part in ref.lstrip("#/").split("/"):
            target = target[part]
        merged = {k: v for k, v in schema.items() if k != "$ref"}
        schema = {**target, **merged}
    return schema


def _expected_types(schema: dict[str, Any] | None) -> set[str]:
    if not schema:
        return set()
    kinds = schema.get("type")
    if isinstance(kinds, str):
        return {kinds}
    if isinstance(kinds, list):
        return set(kinds)
    values = schema.get("enum", []) + ([schema["const"]] if "const" in schema else [])
    out: set[str] = set()
    for value in values:
        out.add({bool: "boolean", int: "integer", float: "number", str: "string"}.get(type(value), "string"))
    return out


class _Plan:
    """One schema node prepared for loading: resolved once per process, not once per value.

    ``schema`` is the resolved schema (``None`` when the schema says nothing about the value);
    ``expected`` the JSON types it allows (:func:`_expected_types`); ``enum`` whether it lists values.
    """

    __slots__ = ("schema", "root", "expected", "enum", "properties", "children", "items")

    def __init__(self, schema: dict[str, Any] | None, root: dict[str, Any]) -> None:
        self.schema = schema
        self.root = root
        self.expected = _expected_types(schema)
        self.enum = "enum" in (schema or {})
        self.properties: dict[str, Any] = (schema or {}).get("properties", {})
        self.children: dict[str, _Plan] = {}
        self.items: _Plan | None = None

    def child(self, key: str) -> _Plan:
        """The plan of the value under ``key`` of a mapping."""
        plan = self.children.get(key)
        if plan is None:
            plan = self.children[key] = _plan(self.properties.get(key), self.root)
        return plan

    def item(self) -> _Plan:
        """The plan of an item of a list."""
        if self.items is None:
            self.items = _plan((self.schema or {}).get("items"), self.root)
        return self.items


_PLANS: dict[int, tuple[dict[str, Any] | None, _Plan]] = {}


def _plan(schema: dict[str, Any] | None, root: dict[str, Any]) -> _Plan:
    """The :class:`_Plan` of ``schema`` (unresolved, part of ``root``), made once."""
    key = id(schema)
    found = _PLANS.get(key)
    if found is not None and found[0] is schema and found[1].root is root:
        return found[1]
    plan = _Plan(_resolve(schema, root), root)
    _PLANS[key] = (schema, plan)  # holding ``schema`` keeps its id from being reused
    return plan


def _convert(node: Node, plan: _Plan, path: DataPath, loaded: LoadedFile, track: bool) -> Any:
    if track:
        loaded.positions[path] = (node.line, node.column)
    kind = node.kind
    if kind == "mapping":
        out: dict[str, Any] = {}
        seen: dict[str, int] = {}
        for key_node, value_node in node.items:
            if key_node.kind != "scalar":
                loaded.diagnostics.append(Diagnostic(loaded.display, key_node.line, key_node.column, "error", "syntax", format_path(path), _("a key must be plain text"),
                                                     _("write the key as a simple word")))
                continue
            key = key_node.value
            if key == "<<" and key_node.style is None:
                loaded.diagnostics.append(Diagnostic(loaded.display, key_node.line, key_node.column, "error", "anchor", format_path(path), _("merge key '<<' is not allowed"),
                                                     _("write the keys out in full")))
                continue
            child = path + (key,)
            if key in seen:
                loaded.diagnostics.append(Diagnostic(
                    loaded.display, key_node.line, key_node.column, "error", "duplicate-key", format_path(child),
                    _("key '{key}' appears twice: first on line {first}, again on line {again}").format(
                        key=key, first=seen[key], again=key_node.line),
                    _("keep one '{key}' and delete the other").format(key=key),
                ))
                continue
            seen[key] = key_node.line
            if track:
                loaded.key_positions[child] = (key_node.line, key_node.column)
            out[key] = _convert(value_node, plan.child(key), child, loaded, track)
        return out
    if kind == "sequence":
        items = plan.item()
        return [_convert(item, items, path + (index,), loaded, track) for index, item in enumerate(node.items)]
    return _scalar(node, plan, path, loaded)


_FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufdd0-\ufdef\ud800-\udfff]|[\ufffe\uffff]"
                        "|[\U0001fffe\U0001ffff\U0002fffe\U0002ffff\U0003fffe\U0003ffff\U0004fffe\U0004ffff"
                        "\U0005fffe\U0005ffff\U0006fffe\U0006ffff\U0007fffe\U0007ffff\U0008fffe\U0008ffff"
                        "\U0009fffe\U0009ffff\U000afffe\U000affff\U000bfffe\U000bffff\U000cfffe\U000cffff"
                        "\U000dfffe\U000dffff\U000efffe\U000effff\U000ffffe\U000fffff\U0010fffe\U0010ffff]")
_INVISIBLE = re.compile("[\u00ad\u061c\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]")


def _check_text(node: Node, text: str, path: DataPath, loaded: LoadedFile) -> None:
    """Report control characters, noncharacters and invisible characters in one text value."""
    for pattern, severity, code, what, hint in (
        (_FORBIDDEN, "error", "control-character", N_("a control character or noncharacter"),
         N_("delete the invisible character (retype the text around it)")),
        (_INVISIBLE, "warning", "invisible-character", N_("an invisible (bidirectional, zero-width or soft hyphen) character"),
         N_("delete it unless it is really needed: it is not shown and can make the text read differently")),
    ):
        match = pattern.search(text)
        if match is None:
            continue
        char = match.group()
        line, column = node.line, node.column
        if node.style is None and "\n" not in text[: match.start()]:
            column += match.start()  # a plain scalar is written as read
        count = len(pattern.findall(text))
        more = _(" (and {count} more)").format(count=count - 1) if count > 1 else ""
        name = f" ({unicodedata.name(char).lower()})" if unicodedata.name(char, "") else ""
        loaded.diagnostics.append(Diagnostic(
            loaded.display, line, column, severity, code, format_path(path),  # type: ignore[arg-type]
            _("the text holds {what}, U+{code}{name}, at character {index} of the value{more}").format(
                what=_(what), code=f"{ord(char):04X}", name=name, index=match.start() + 1, more=more), _(hint)))


_VIETNAMESE_ONLY = re.compile("[\u1ea0-\u1ef9\u0102\u0103\u0110\u0111\u01a0\u01a1\u01af\u01b0]")
_TCVN3 = re.compile("[µ¸¶·¹¨»¾¼½ÆÇËÌÎÑÒÓÖ×ÝØÜÞßåæçëîïö÷øûüþª«¬®¡¢£¤¥¦§]|(?<=[a-zđ])[À-Þ](?=[a-z])")
#: VNI (VNI-Windows) writes a toned or hatted vowel as two bytes, the vowel then a mark byte
#: (``á`` = ``aù``, ``ầ`` = ``aà``, ``â`` = ``aâ``, ``ă`` = ``aê``, ``ờ`` = ``ôø``, ``ư`` = ``ö``) and
#: ``đ`` as ``ñ`` before a vowel: these pairs, shown as Latin-1, are its signature.
_VNI = re.compile("[aAeEiIoOuUyYôÔöÖ][øùûõïëáàãäåæéèúü]|[aAeEoO][âêÂÊ]|ö[ôø]"
                  "|(?<![A-Za-z])[ñÑ](?=[aeiouyAEIOUY])")


def _mojibake(text: str) -> str | None:
    """The legacy encoding ``text`` looks written in (``"TCVN3 (ABC)"`` or ``"VNI"``), else ``None``.

    Both encodings shown as Latin-1 give letters such as ``ù``, ``ø``, ``ö``. VNI's are
    pairs (a vowel and its mark, :data:`_VNI`); TCVN3 (TCVN 5712:1993) has one byte per
    letter (``ủ`` = ``ñ``, ``à`` = ``µ``). A TCVN3-looking character inside a VNI pair
    counts for VNI only, so VNI text is never named TCVN3.
    """
    if len(text) < 6 or _VIETNAMESE_ONLY.search(text):
        return None
    covered = {i for m in _VNI.finditer(text) for i in range(m.start(), m.end())}
    vni = len(_VNI.findall(text))
    tcvn3 = sum(1 for m in _TCVN3.finditer(text) if m.start() not in covered)
    if max(tcvn3, vni) < 2:
        return None
    return "VNI" if vni >= tcvn3 else "TCVN3 (ABC)"


def _check_encoding(node: Node, text: str, path: DataPath, loaded: LoadedFile) -> None:
    encoding = _mojibake(text)
    if encoding is not None:
        sample = text if len(text) <= 40 else text[:39] + "…"
        loaded.diagnostics.append(Diagnostic(
            loaded.display, node.line, node.column, "warning", "mojibake", format_path(path),
            _('the text "{sample}" looks like Vietnamese typed in the {encoding} encoding and shown as Latin-1').format(
                sample=sample, encoding=encoding),
            _("convert it from {encoding} to Unicode (e.g. with UniKey's converter) and paste it again").format(encoding=encoding)))


def _scalar(node: Node, plan: _Plan, path: DataPath, loaded: LoadedFile) -> Any:
    text = node.value
    # Every character either pattern finds is unprintable (categories Cc, Cf, Cs, Cn), so
    # printable text, most values, needs no search (tests/test_load.py checks this).
    if not text.isprintable() and (_FORBIDDEN.search(text) or _INVISIBLE.search(text)):
        _check_text(node, text, path, loaded)
    if len(text) >= 6 and not text.isascii():
        _check_encoding(node, text, path, loaded)
    if node.style is not None:  # quoted or block scalar: always text
        return text
    if text in _NULLS:
        return None
    expected = plan.expected
    if "boolean" in expected and text in _BOOLS:
        return _BOOLS[text]
    if ("integer" in expected and _INT.match(text)) or ("number" in expected and _FLOAT.match(text)):
        return _number(node, text, path, loaded)
    if "string" in expected and not plan.enum and _YAML11_NON_TEXT.match(text):
        loaded.diagnostics.append(Diagnostic(
            loaded.display, node.line, node.column, "warning", "unquoted-number", format_path(path),
            _('{text} is written without quotes; other YAML tools would read it as a number or yes/no, not as the text "{text}"').format(
                text=text),
            _('quote the value: {line}').format(line=f'{path[-1]}: "{text}"' if path and isinstance(path[-1], str) else f'- "{text}"'),
        ))
    return text


def _number(node: Node, text: str, path: DataPath, loaded: LoadedFile) -> Any:
    """``text`` (an integer or decimal literal) as a number, or, when it is not finite or
    larger than :data:`MAX_NUMBER`, the text itself with a ``number-range`` error."""
    digits = text.lstrip("+-").split(".")[0].split("e")[0].split("E")[0].lstrip("0")
    number: float | int | None = None
    if len(digits) <= 20:  # never hand Python a huge literal (int() refuses > 4300 digits)
        number = int(text) if _INT.match(text) else float(text)
    if number is None or number != number or abs(number) > MAX_NUMBER:
        loaded.diagnostics.append(Diagnostic(
            loaded.display, node.line, node.column, "error", "number-range", format_path(path),
            _("the number {number} is too large (at most {limit})").format(
                number=text if len(text) <= 30 else text[:27] + "...", limit=f"{MAX_NUMBER:,}"),
            _("write the real value; amounts are in whole đồng, time limits in days or hours")))
        return text
    if _LEADING_ZERO.match(text):  # YAML 1.1 (PyYAML, Excel add-ins...) reads 0-prefixed digits as octal
        octal = int(text, 8) if re.fullmatch(r"[-+]?[0-7]+", text) else None
        other = (_("other YAML tools read it as the octal number {octal}").format(octal=octal)
                 if octal is not None and octal != number
                 else _("a leading zero is how other YAML tools write an octal number"))
        loaded.diagnostics.append(Diagnostic(
            loaded.display, node.line, node.column, "warning", "leading-zero", format_path(path),
            _("the number {text} is written with leading zeros; tthc reads it as {number}, {other}").format(
                text=text, number=number, other=other),
            _("write {number}").format(number=number)))
    return number
