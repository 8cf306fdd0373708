"""Deterministic, human-readable YAML for catalog files.

* keys in the order of the JSON Schema's ``properties`` (so every file reads alike);
* UTF-8, Unicode NFC, ``\\n`` line ends, 2-space indentation, no anchors;
* a string is written plain only when it starts with a letter and YAML 1.1 would
  read it back as the same string; codes (``"1.000178"``), numbers-as-text,
  dates, ``no``/``on``, ``13:30`` and the like are always double-quoted;
* text with line breaks is a literal block (``|``).

Same input, same bytes.

An existing file is updated, not rewritten (:func:`file_bytes`): when the
record it holds (as the strict loader :mod:`generator.load` reads it) is the
record to write, its bytes are kept as they are; otherwise it is edited with
ruamel.yaml's round trip (:func:`round_trip_yaml`, the writer ``tthc new``
uses too), so comments, the ``# yaml-language-server`` line, quoting and the
order of the fields left untouched survive.
"""

from __future__ import annotations

import io
import json
import re
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schemas"

_PLAIN_START = re.compile(r"^[^\W\d_]", re.UNICODE)


class _Dumper(yaml.SafeDumper):
    """SafeDumper that never emits aliases and chooses the string style itself."""

    def ignore_aliases(self, data: Any) -> bool:  # noqa: D401
        return True


def _represent_str(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    text = unicodedata.normalize("NFC", text)
    if "\n" in text:
        return dumper.represent_scalar("tag:yaml.org,2002:str", text, style="|")
    style = None
    resolved = dumper.resolve(yaml.ScalarNode, text, (True, False))
    if not _PLAIN_START.match(text) or resolved != "tag:yaml.org,2002:str":
        style = '"'
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_Dumper.add_representer(str, _represent_str)


@lru_cache(maxsize=None)
def load_schema(kind: str) -> dict[str, Any]:
    """The JSON Schema of a file kind (``procedure``, ``agencies``, ``sectors``, ``plan``)."""
    return json.loads((SCHEMA_DIR / f"{kind}.schema.json").read_text(encoding="utf-8"))


def _resolve(node: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        ref = node["$ref"]
        assert ref.startswith("#/$defs/"), ref
        node = root["$defs"][ref.split("/")[-1]]
    return node


def order_keys(value: Any, node: dict[str, Any], root: dict[str, Any]) -> Any:
    """Copy of ``value`` with every mapping's keys in the schema's property order.

    Keys the schema does not list follow, sorted (they will fail validation anyway).
    """
    node = _resolve(node, root)
    if isinstance(value, dict):
        props = node.get("properties", {})
        keys = [k for k in props if k in value] + sorted(k for k in value if k not in props)
        return {k: order_keys(value[k], props.get(k, {}), root) for k in keys}
    if isinstance(value, list):
        items = node.get("items", {})
        return [order_keys(v, items, root) for v in value]
    return value


def dump_yaml(data: Any, kind: str) -> str:
    """YAML text of ``data`` (a dict of file kind ``kind``), keys in schema order."""
    schema = load_schema(kind)
    ordered = order_keys(data, schema, schema)
    return yaml.dump(ordered, Dumper=_Dumper, allow_unicode=True, sort_keys=False,
                     default_flow_style=False, width=1_000_000, indent=2, line_break="\n")


def write_yaml(path: Path, data: Any, kind: str) -> None:
    """Write ``data`` to ``path`` as UTF-8 YAML (parents created), the editor's schema line first
    (``# yaml-language-server: $schema=...``, as ``tthc new`` writes it: generator.schema_ref)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(yaml_bytes(path, data, kind))


def round_trip_yaml(sequence: int = 4, offset: int = 2) -> Any:
    """The ruamel.yaml round-trip writer of catalog files (``tthc new``, updates of existing files).

    Args:
        sequence, offset: ruamel's list indentation (``4, 2``: ``  - item`` under its key, as
            ``tthc new`` writes; ``2, 0``: ``- item`` at the key's column, as :func:`dump_yaml` writes).

    Returns:
        A ``ruamel.yaml.YAML`` (round trip, quotes kept, 2-space mappings, no line folding).
    """
    from ruamel.yaml import YAML

    writer = YAML()
    writer.preserve_quotes = True
    writer.indent(mapping=2, sequence=sequence, offset=offset)
    writer.width = 1_000_000
    return writer


def file_bytes(path: Path, data: Any, kind: str) -> bytes:
    """The bytes to write ``data`` to ``path`` with: a new file's, or the existing file kept or updated.

    * ``path`` absent, or not loadable without errors: :func:`yaml_bytes`;
    * its record (strict loader) equals ``data`` as :func:`yaml_bytes` would be read back:
      the file's own bytes, unchanged;
    * otherwise the file edited in place (:func:`update_bytes`): changed values replaced,
      removed keys deleted, new keys inserted in the schema's order, everything else as it
      was (the editor's schema line put first when the file has none). When that edit does not read back (strict loader) as exactly ``data``,
      :func:`yaml_bytes` (the file's comments are then lost, never its data).
    """
    from generator.load import load_bytes

    fresh = yaml_bytes(path, data, kind)
    if not path.is_file():
        return fresh
    raw = path.read_bytes()
    old = load_bytes(raw, path.as_posix(), kind, positions=False)
    new = load_bytes(fresh, path.as_posix(), kind, positions=False)
    if any(d.severity == "error" for d in old.diagnostics + new.diagnostics):
        return fresh
    if old.data == new.data:
        return raw
    updated = update_bytes(raw, new.data, kind)
    if updated is None:
        return fresh
    if not updated.startswith(b"# yaml-language-server:"):  # the importer's files all carry the editor's schema line
        from generator.schema_ref import schema_modeline

        updated = schema_modeline(path, kind).encode("utf-8") + updated
    check = load_bytes(updated, path.as_posix(), kind, positions=False)
    if any(d.severity == "error" for d in check.diagnostics) or check.data != new.data:
        return fresh
    return updated


def update_bytes(raw: bytes, data: dict[str, Any], kind: str) -> bytes | None:
    """``raw`` (a YAML mapping) edited to hold ``data``, with ruamel.yaml's round trip; None if it cannot be.

    The list indentation of the file is kept (``- item`` at its key's column or two further).
    """
    from ruamel.yaml.error import YAMLError

    text = raw.decode("utf-8-sig")
    indented = re.search(r"^( *)[^\s#-][^\n]*:\n\1  - ", text, re.MULTILINE)
    flush = re.search(r"^( *)[^\s#-][^\n]*:\n\1- ", text, re.MULTILINE)
    writer = round_trip_yaml(4, 2) if indented and not (flush and flush.start() < indented.start()) else round_trip_yaml(2, 0)
    try:
        doc = writer.load(text)
    except YAMLError:
        return None
    if not isinstance(doc, dict):
        return None
    schema = load_schema(kind)
    _merge_into(doc, order_keys(data, schema, schema))
    out = io.StringIO()
    writer.dump(doc, out)
    return out.getvalue().encode("utf-8")


def _plain(value: Any) -> Any:
    """A ruamel node as plain dicts, lists, str and numbers (to compare with a record's values)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, str):
        return str(value)
    return value


def _styled(value: Any) -> Any:
    """``value`` as ruamel nodes, strings quoted or blocked as :func:`dump_yaml` writes them."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString, LiteralScalarString

    if isinstance(value, dict):
        return CommentedMap((k, _styled(v)) for k, v in value.items())
    if isinstance(value, list):
        return CommentedSeq(_styled(v) for v in value)
    if isinstance(value, str):
        text = unicodedata.normalize("NFC", value)
        if "\n" in text:
            return LiteralScalarString(text)
        resolved = yaml.resolver.Resolver().resolve(yaml.ScalarNode, text, (True, False))
        if not _PLAIN_START.match(text) or resolved != "tag:yaml.org,2002:str":
            return DoubleQuotedScalarString(text)
        return text
    return value


def _merged(old: Any, new: Any) -> Any:
    """What to put where ``old`` (a ruamel node) was so that it holds ``new``: ``old`` itself when it can."""
    if isinstance(old, dict) and isinstance(new, dict):
        _merge_into(old, new)
        return old
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        for index, item in enumerate(new):
            merged = _merged(old[index], item)
            if merged is not old[index]:
                old[index] = merged
        return old
    if type(_plain(old)) is type(new) and _plain(old) == new:
        return old
    return _styled(new)


def _merge_into(node: dict[str, Any], new: dict[str, Any]) -> None:
    """Edit the ruamel mapping ``node`` to hold ``new`` (keys in ``new``'s order where they are added)."""
    for key in [k for k in node if k not in new]:
        del node[key]
    keys = list(new)
    for index, key in enumerate(keys):
        if key in node:
            merged = _merged(node[key], new[key])
            if merged is not node[key]:
                node[key] = merged
            continue
        before = [k for k in keys[:index] if k in node]
        position = list(node).index(before[-1]) + 1 if before else 0
        node.insert(position, key, _styled(new[key]))  # type: ignore[attr-defined]


def write_checked(path: Path, raw: bytes) -> None:
    """Write bytes made by :func:`yaml_bytes` (and validated) to ``path``, parents created."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(raw)


def yaml_bytes(path: Path, data: Any, kind: str) -> bytes:
    """The exact bytes :func:`write_yaml` writes to ``path`` (so they can be validated first)."""
    from generator.schema_ref import schema_modeline

    return (schema_modeline(path, kind) + dump_yaml(data, kind)).encode("utf-8")


def append_entries(path: Path, key: str, entries: list[dict[str, Any]], kind: str) -> str:
    """Add ``entries`` at the end of the list ``key`` of the existing file ``path``, keeping its bytes.

    The file's text (comments, quoting, order) is left as it is; the new
    entries are written after it, indented as its first list item, and the
    result is read back with the strict loader (``generator.load``) before
    anything is written: it must hold exactly the old entries followed by
    the new ones.

    Returns:
        ``""`` when written, else why not (the file is then left untouched):
        it does not load, its list is not the last thing in it, or it is not
        a block list.
    """
    from generator.load import load_bytes

    raw = path.read_bytes()
    loaded = load_bytes(raw, path.as_posix(), kind)
    errors = [d for d in loaded.diagnostics if d.severity == "error"]
    if errors:
        return f"cannot be read ({errors[0].format()})"
    old = loaded.data.get(key) if isinstance(loaded.data, dict) else None
    if not isinstance(old, list):
        return f"has no list '{key}:' to add to"
    indent = 0
    if old:
        line, column = loaded.positions.get((key, 0), (1, 3))
        indent = max(column - 3, 0)  # the column of '- ' before the first item's first key
    schema = load_schema(kind)
    items = dump_yaml({key: entries}, kind).split("\n", 1)[1]
    added = "".join(" " * indent + line if line else line for line in items.splitlines(keepends=True))
    text = raw.decode("utf-8-sig")
    result = (text if text.endswith("\n") else text + "\n") + added
    check = load_bytes(result.encode("utf-8"), path.as_posix(), kind)
    expected = order_keys({key: old + entries}, schema, schema)
    if [d for d in check.diagnostics if d.severity == "error"] or check.data != {**loaded.data, **expected}:
        return f"its list '{key}:' is not a block list at the end of the file"
    path.write_bytes(result.encode("utf-8"))
    return ""
