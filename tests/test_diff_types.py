"""Diff and effects on records of the wrong shape (issue 8, item 2): a plain field change, never a crash.

Every value of a real record (and of the mini catalog's record, which has cases, fees and
compliance cost fields) is replaced, one at a time, by values of other types, on either side.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import pytest

from generator.diff import diff_procedures
from generator.diff.effects import compute_effects
from generator.diff.format import render, value_text
from generator.diff import CatalogDiff
from generator.load import load_bytes

ROOT = Path(__file__).resolve().parents[1]
RECORDS = [
    ROOT / "tests" / "fixtures" / "mini_catalog" / "procedures" / "bo-xay-dung" / "1.000001.yaml",
    ROOT / "catalog" / "procedures" / "bo-cong-an" / "3.000353.yaml",
]
#: Values of every type the loader can give, including ones no schema allows there.
WRONG = ["abc", "", 0, -1, 2.5, True, None, [], {}, ["x"], [1, 2], [{"name": 3}], {"value": "x", "unit": 5},
         [{"channel": ["a"], "fees": "x", "processing_time": 3}], {"kinds": {"a": 1}, "decision": "1/QĐ", "summary": "s"}]


def _paths(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield path
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _paths(child, path + (key,))
    elif isinstance(value, list):
        for index, child in enumerate(value[:3]):
            yield from _paths(child, path + (index,))


def _replaced(record: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    copy = dict(record) if isinstance(record, dict) else list(record)
    copy[path[0]] = _replaced(record[path[0]], path[1:], new)
    return copy


@pytest.mark.parametrize("source", RECORDS, ids=lambda p: p.stem)
def test_diff_of_wrong_typed_records_never_crashes(source: Path) -> None:
    if not source.exists():
        pytest.skip("record not in this checkout")
    record = load_bytes(source.read_bytes(), str(source), "procedure").data
    tried = 0
    for path in _paths(record):
        if path in ((), ("code",)):
            continue
        for wrong in WRONG:
            bad = _replaced(record, path, wrong)
            for old, new in ((record, bad), (bad, record)):
                diff = diff_procedures(old, new)
                compute_effects(old, new)
                for change in diff.changes:
                    value_text(change.old), value_text(change.new)
                tried += 1
            if tried % 40 == 0:  # the formats too, now and then (they are slower)
                for fmt in ("text", "markdown", "json"):
                    render(CatalogDiff((diff,)), fmt, "a", "b")
    assert tried > 500


def test_a_wrong_typed_field_is_a_plain_field_change() -> None:
    record = load_bytes(RECORDS[0].read_bytes(), "x", "procedure").data
    diff = diff_procedures(record, {**record, "documents": "abc", "methods": 5})
    assert {c.path for c in diff.changes} >= {"documents", "methods"}
    assert [c.kind for c in diff.changes if c.path == "documents"] == ["changed"]
