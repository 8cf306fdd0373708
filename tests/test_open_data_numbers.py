"""Numbers in the open-data files are written as the record has them.

pandas turns a column of whole numbers with a missing value into floats, and its CSV writer then
writes ``12.0`` for the ``12`` a record says (methods.csv's ``processing_time_value``: most methods
have a time limit, some only a note). A whole number stays whole, a real ``1.5`` stays ``1.5``, a
missing value stays an empty cell, in every CSV column and in the workbook.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import zipfile
from pathlib import Path

import pytest

from generator.catalog import read_catalog
from generator.export import export_catalog

REPO = Path(__file__).resolve().parents[1]
MINI = REPO / "tests" / "fixtures" / "mini_catalog"
REAL = REPO / "catalog"
CSV_FILES = ("catalog.csv", "documents.csv", "methods.csv")
#: A whole number written as a float: ``12.0``, ``-3.00``.
WHOLE_AS_FLOAT = re.compile(r"-?\d+\.0+")


def _rows(files: dict[str, bytes], name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(files[name].decode("utf-8-sig"), newline="")))


def _floats_written_for_whole_numbers(files: dict[str, bytes]) -> list[tuple[str, int, str, str]]:
    """``(file, row, column, cell)`` of every CSV cell and every workbook number written like ``12.0``."""
    found = [(name, number, column, cell)
             for name in CSV_FILES for number, row in enumerate(_rows(files, name), start=2)
             for column, cell in row.items() if WHOLE_AS_FLOAT.fullmatch(cell)]
    book = zipfile.ZipFile(io.BytesIO(files["catalog.xlsx"]))
    for part in sorted(n for n in book.namelist() if n.startswith("xl/worksheets/sheet")):
        for cell, value in re.findall(r'<c r="([A-Z]+\d+)" t="n"><v>([^<]*)</v>', book.read(part).decode("utf-8")):
            if WHOLE_AS_FLOAT.fullmatch(value):
                found.append((part, 0, cell, value))
    return found


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> dict[str, bytes]:
    """The mini catalog's open data, with one time limit of half a day and one given only as a note."""
    root = tmp_path_factory.mktemp("numbers") / "catalog"
    shutil.copytree(MINI, root)
    folder = root / "procedures" / "bo-xay-dung"
    for code, old, new in (("1.000002", "{value: 7, unit: working_days}", '{note: "Theo thỏa thuận"}'),
                           ("1.000003", "{value: 5, unit: working_days}", "{value: 0.5, unit: days}")):
        path = folder / f"{code}.yaml"
        text = path.read_text(encoding="utf-8")
        assert old in text, code
        path.write_text(text.replace(old, new), encoding="utf-8")
    catalog, _ = read_catalog(root)
    return export_catalog(catalog)


@pytest.fixture(scope="module")
def real() -> dict[str, bytes]:
    catalog, _ = read_catalog(REAL)
    return export_catalog(catalog)


def test_time_limits_are_written_as_the_record_has_them(small):
    methods = {(r["code"], r["channel"]): r for r in _rows(small, "methods.csv")}
    assert methods["1.000001", "in_person"]["processing_time_value"] == "15"
    assert methods["1.000003", "in_person"]["processing_time_value"] == "0.5"
    missing = methods["1.000002", "postal"]
    assert (missing["processing_time_value"], missing["processing_time_unit"], missing["processing_time_note"]) == ("", "", "Theo thỏa thuận")
    procedures = {r["code"]: r for r in _rows(small, "catalog.csv")}
    assert (procedures["1.000001"]["time_in_person"], procedures["1.000003"]["time_in_person"]) == ("15", "0.5")


def test_no_whole_number_is_written_as_a_float(small):
    assert _floats_written_for_whole_numbers(small) == []


def test_real_catalog_writes_no_whole_number_as_a_float(real):
    assert _floats_written_for_whole_numbers(real) == []
    methods = {(r["code"], r["channel"]): r for r in _rows(real, "methods.csv")}
    # catalog/procedures/bo-cong-an/2.000511.yaml: "processing_time: {value: 12, unit: months}"
    assert (methods["2.000511", "in_person"]["processing_time_value"], methods["2.000511", "in_person"]["processing_time_unit"]) == ("12", "months")
    # catalog/procedures/bo-cong-an/1.013097.yaml: 1.5 working days on each channel
    assert methods["1.013097", "online"]["processing_time_value"] == "1.5"
    # and methods without a time limit (only a note, or none) are empty cells, not "nan"
    values = [r["processing_time_value"] for r in methods.values()]
    assert "" in values and "nan" not in values
