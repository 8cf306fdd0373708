"""Draft-07 copies of the JSON Schemas, for editors.

tthc's schemas (``generator/schemas/*.schema.json``) are JSON Schema 2020-12,
which ``tthc validate`` uses. VS Code's YAML extension (Red Hat's
yaml-language-server) validates with draft-07 only: its README says "the
schema support is shipped with JSON Schema Draft 7", and newer drafts are an
open request (redhat-developer/yaml-language-server#856); a 2020-12 keyword
such as ``$defs`` or ``dependentRequired`` is silently ignored there. So the
editors' schema lines (:mod:`generator.schema_ref`) name a draft-07 copy of
each schema, made by :func:`to_draft7` and kept in
``generator/schemas/draft-07/`` (``python -m generator.schema_draft7``
rewrites them; ``tests/test_schema_draft7.py`` fails while they differ and
checks that both drafts give the same verdict on every real record and every
test case). The site publishes them at ``/schemas/draft-07/<name>``.

The conversion (2020-12 -> draft-07), by keyword:

* ``$schema`` -> ``http://json-schema.org/draft-07/schema#``; a ``urn:`` ``$id`` gets ``:draft-07`` appended;
* ``$defs`` -> ``definitions``, and ``#/$defs/...`` references -> ``#/definitions/...``;
* ``$ref`` with other keywords beside it -> ``allOf: [{$ref}]`` with them (draft-07 ignores a ``$ref``'s
  siblings, 2020-12 applies them);
* ``dependentRequired`` and ``dependentSchemas`` -> ``dependencies``;
* ``prefixItems`` -> ``items`` as a list, and the ``items`` beside it -> ``additionalItems``.

Keywords draft-07 cannot express (``unevaluatedProperties``, ``$dynamicRef``...) raise :class:`ValueError`:
the schema must then be written without them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from generator.resources import schemas_dir

DRAFT7 = "http://json-schema.org/draft-07/schema#"
#: The folder of the draft-07 copies, inside generator/schemas/ and under the site's /schemas/.
DRAFT7_DIR = "draft-07"
_UNSUPPORTED = {"unevaluatedProperties", "unevaluatedItems", "$dynamicRef", "$dynamicAnchor", "$recursiveRef",
                "$recursiveAnchor", "$anchor", "minContains", "maxContains", "$vocabulary"}
#: Keywords whose value is a map of names to schemas (the names are data, not keywords).
_SCHEMA_MAPS = {"properties", "patternProperties", "$defs", "definitions", "dependentSchemas"}


def to_draft7(schema: Any) -> Any:
    """The draft-07 equivalent of a JSON Schema 2020-12 document (or subschema), as a new object.

    Args:
        schema: the parsed 2020-12 schema.

    Returns:
        The draft-07 schema, validating the same instances the same way.

    Raises:
        ValueError: the schema uses a keyword draft-07 has no equivalent for.
    """
    if isinstance(schema, list):
        return [to_draft7(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    unsupported = _UNSUPPORTED & schema.keys()
    if unsupported:
        raise ValueError(f"draft-07 has no equivalent of {', '.join(sorted(unsupported))}")
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key == "$schema":
            out[key] = DRAFT7
        elif key == "$id":
            out[key] = f"{value}:{DRAFT7_DIR}" if isinstance(value, str) and value.startswith("urn:") else value
        elif key == "$ref":
            out[key] = value.replace("#/$defs/", "#/definitions/") if isinstance(value, str) else value
        elif key in _SCHEMA_MAPS:
            target = {"$defs": "definitions", "dependentSchemas": "dependencies"}.get(key, key)
            out.setdefault(target, {}).update({name: to_draft7(sub) for name, sub in value.items()})
        elif key == "dependentRequired":
            out.setdefault("dependencies", {}).update({name: list(needed) for name, needed in value.items()})
        elif key == "prefixItems":
            out["items"] = to_draft7(value)
            if "items" in schema:
                out["additionalItems"] = to_draft7(schema["items"])
        elif key == "items" and "prefixItems" in schema:
            continue  # became additionalItems above
        else:
            out[key] = to_draft7(value)
    if "$ref" in out and len(out) > 1:  # draft-07 ignores everything beside a $ref
        ref = out.pop("$ref")
        out["allOf"] = [{"$ref": ref}, *out.get("allOf", [])]
    return out


def draft7_dir() -> Path:
    """Where the draft-07 copies are kept: ``generator/schemas/draft-07/``."""
    return schemas_dir() / DRAFT7_DIR


def draft7_text(source: Path) -> str:
    """The draft-07 copy of the schema file ``source``, as written in :func:`draft7_dir` (2-space JSON, UTF-8)."""
    schema = to_draft7(json.loads(source.read_text(encoding="utf-8")))
    return json.dumps(schema, ensure_ascii=False, indent=2) + "\n"


def write_draft7_schemas() -> list[Path]:
    """Rewrite ``generator/schemas/draft-07/*.schema.json`` from the 2020-12 schemas; the files that changed."""
    written = []
    for source in sorted(schemas_dir().glob("*.schema.json")):
        target = draft7_dir() / source.name
        text = draft7_text(source)
        if not target.is_file() or target.read_text(encoding="utf-8") != text:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8", newline="\n")
            written.append(target)
    return written


if __name__ == "__main__":  # python -m generator.schema_draft7
    for path in write_draft7_schemas():
        print(f"wrote {path}")
