"""The draft-07 copies of the JSON Schemas (generator/schema_draft7.py), what editors validate with.

VS Code's YAML extension supports JSON Schema draft-07 only, so the schema lines name draft-07 copies of the
2020-12 schemas ``tthc validate`` uses. They must give the same verdicts: every real catalog file and every
test case (tests/cases/{valid,invalid,warning}) is validated with jsonschema's Draft202012Validator against
the source schema and with its Draft7Validator against the copy, and the two must agree file by file, on the
same data paths.
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from generator.load import load_file
from generator.resources import schemas_dir
from generator.schema_draft7 import DRAFT7, draft7_dir, draft7_text, to_draft7
from generator.validate import load_catalog_files

ROOT = Path(__file__).resolve().parents[1]
CASES = ROOT / "tests" / "cases"
SOURCES = sorted(schemas_dir().glob("*.schema.json"))
NEWER_KEYWORDS = {"$defs", "dependentRequired", "dependentSchemas", "prefixItems", "unevaluatedProperties",
                  "unevaluatedItems", "$dynamicRef", "$dynamicAnchor"}
KIND_OF = {"procedure": "procedure", "agencies": "agencies", "sectors": "sectors", "plan": "plan",
           "cost-basis": "cost-basis", "coverage": "coverage", "search-terms": "search-terms"}


def _validators(kind: str) -> tuple[jsonschema.protocols.Validator, jsonschema.protocols.Validator]:
    name = f"{kind}.schema.json"
    source = json.loads((schemas_dir() / name).read_text(encoding="utf-8"))
    copy = json.loads((draft7_dir() / name).read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(source), jsonschema.Draft7Validator(copy)


def _verdict(validator: jsonschema.protocols.Validator, data: object) -> set[str]:
    """The data paths of the errors (empty: valid); the keyword may differ (dependentRequired is dependencies)."""
    return {"/".join(map(str, e.absolute_path)) for e in validator.iter_errors(data)}


def _keywords(node: object) -> set[str]:
    if isinstance(node, dict):
        found = set(node)
        for key, value in node.items():
            if key in ("properties", "definitions", "$defs"):
                found |= set().union(*(_keywords(v) for v in value.values())) if value else set()
            else:
                found |= _keywords(value)
        return found
    if isinstance(node, list):
        return set().union(*(_keywords(v) for v in node)) if node else set()
    return set()


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.name)
def test_the_committed_copy_is_the_conversion_of_the_source_and_a_valid_draft_07_schema(source: Path) -> None:
    copy = draft7_dir() / source.name
    assert copy.read_text(encoding="utf-8") == draft7_text(source), "run: python -m generator.schema_draft7"
    schema = json.loads(copy.read_text(encoding="utf-8"))
    assert schema["$schema"] == DRAFT7
    jsonschema.Draft7Validator.check_schema(schema)
    assert _keywords(schema) & NEWER_KEYWORDS == set()


def test_both_drafts_agree_on_every_real_catalog_file() -> None:
    files = load_catalog_files(ROOT / "catalog")
    checked = 0
    for loaded in files.all():
        if loaded.data is None:
            continue
        newer, draft7 = _validators(loaded.kind)
        assert _verdict(newer, loaded.data) == _verdict(draft7, loaded.data) == set(), loaded.display
        checked += 1
    search_terms = load_file(ROOT / "generator" / "search_terms.yaml", "search-terms")
    newer, draft7 = _validators("search-terms")
    assert _verdict(newer, search_terms.data) == _verdict(draft7, search_terms.data) == set()
    assert checked > 1500


def test_both_drafts_give_the_same_verdict_on_every_test_case() -> None:
    newer, draft7 = _validators("procedure")
    invalid = 0
    for path in sorted(CASES.glob("*/*.yaml")):
        data = load_file(path, "procedure").data
        if data is None:  # refused by the loader (syntax, encoding...): no schema sees it
            continue
        verdict = _verdict(newer, data)
        assert verdict == _verdict(draft7, data), path.name
        invalid += bool(verdict)
        if path.parent.name == "valid":
            assert verdict == set(), path.name
    assert invalid >= 15  # the schema's own rules are exercised, not only the rules beyond it


def test_the_conversion_keyword_by_keyword() -> None:
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema", "$id": "urn:tthc:schema:x",
        "$defs": {"text": {"type": "string", "minLength": 1}},
        "type": "object",
        "properties": {
            "name": {"$ref": "#/$defs/text", "title": "Tên", "maxLength": 3},
            "pair": {"type": "array", "prefixItems": [{"type": "integer"}, {"$ref": "#/$defs/text"}], "items": False},
            "$defs": {"type": "string"},  # a field named like a keyword stays a field
        },
        "dependentRequired": {"value": ["unit"]},
    }
    draft7 = to_draft7(schema)
    assert draft7["$schema"] == DRAFT7 and draft7["$id"] == "urn:tthc:schema:x:draft-07"
    assert draft7["definitions"] == {"text": {"type": "string", "minLength": 1}} and "$defs" not in draft7
    assert draft7["properties"]["name"] == {"allOf": [{"$ref": "#/definitions/text"}], "title": "Tên", "maxLength": 3}
    assert draft7["properties"]["pair"] == {"type": "array", "items": [{"type": "integer"}, {"$ref": "#/definitions/text"}],
                                            "additionalItems": False}
    assert draft7["properties"]["$defs"] == {"type": "string"} and draft7["dependencies"] == {"value": ["unit"]}
    newer, older = jsonschema.Draft202012Validator(schema), jsonschema.Draft7Validator(draft7)
    for instance in ({"name": "abcd"}, {"name": ""}, {"pair": [1, "a"]}, {"pair": [1, "a", 2]}, {"pair": ["a"]},
                     {"value": 1}, {"value": 1, "unit": "d"}, {"name": "ab"}):
        assert newer.is_valid(instance) == older.is_valid(instance), instance
    with pytest.raises(ValueError, match="unevaluatedProperties"):
        to_draft7({"type": "object", "unevaluatedProperties": False})
