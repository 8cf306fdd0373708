"""Deterministic, human-readable YAML for catalog files.

* keys in the order of the JSON Schema's ``properties`` (so every file reads alike);
* UTF-8, Unicode NFC, ``\\n`` line ends, 2-space indentation, no anchors;
* a string is written plain only when it starts with a letter and YAML 1.1 would
  read it back as the same string; codes (``"1.000178"``), numbers-as-text,
  dates, ``no``/``on``, ``13:30`` and the like are always double-quoted;
* text with line breaks is a literal block (``|``).

Same input, same bytes.
"""

from __future__ import annotations

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
