"""Numbers in the open-data files are written as the record has them.

pandas turns a column of whole numbers with a missing value into floats, and its CSV writer then
writes ``12.0`` for the ``12`` a record says (methods.csv's ``processing_time_value``: most methods
have a time limit, some only a note). A whole number stays whole, a real ``1.5`` stays ``1.5``, a
missing value stays an empty cell, in every CSV column and in the workbook.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import zipfile
from pathlib import Path

import pytest

from click.testing import CliRunner

from generator.catalog import read_catalog
from generator.cli import main
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


def _floats_in_json(files: dict[str, bytes]) -> list[float]:
    """Every whole number that catalog.json writes as a float (``7.0``)."""
    found: list[float] = []
    json.loads(files["catalog.json"], parse_float=lambda text: found.append(float(text)) or float(text))
    return [value for value in found if value.is_integer()]


def _float_catalog(root: Path) -> Path:
    """The mini catalog where 1.000001's 10 days are ``1e1`` (on a channel and in a case), 1.000002's 7 days
    ``7.0``, and 2.000101's 20 days a real 1.5: the schema's ``number`` accepts each."""
    shutil.copytree(MINI, root)
    for path, old, new in (("bo-xay-dung/1.000001.yaml", "{value: 10, unit", "{value: 1e1, unit"),
                           ("bo-xay-dung/1.000002.yaml", "{value: 7, unit", "{value: 7.0, unit"),
                           ("ubnd-tinh-an-giang/2.000101.yaml", "{value: 20, unit", "{value: 1.5, unit")):
        file = root / "procedures" / path
        text = file.read_text(encoding="utf-8")
        assert old in text, path
        file.write_text(text.replace(old, new), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def floats(tmp_path_factory) -> dict[str, bytes]:
    catalog, report = read_catalog(_float_catalog(tmp_path_factory.mktemp("floats") / "catalog"))
    assert report.ok(), report.errors
    assert isinstance(catalog.procedure("1.000002").methods[0].processing_time.value, float)  # as the record has it
    return export_catalog(catalog)


def _agree(files: dict[str, bytes]) -> dict[tuple[str, str], str]:
    """``(code, channel) -> time limit`` as methods.csv writes it, after checking that catalog.csv,
    catalog.json and the workbook's methods sheet say the same."""
    from openpyxl import load_workbook

    methods = {(r["code"], r["channel"]): r["processing_time_value"] for r in _rows(files, "methods.csv")}
    procedures = {r["code"]: r for r in _rows(files, "catalog.csv")}
    records = {p["code"]: p for p in json.loads(files["catalog.json"])["procedures"]}
    sheet = load_workbook(io.BytesIO(files["catalog.xlsx"]), read_only=True)["cach_thuc"]
    header, *cells = list(sheet.values)
    column = header.index("processing_time_value")
    book = {(row[0], row[1]): "" if row[column] is None else str(row[column]) for row in cells}
    assert book == methods
    for (code, channel), value in methods.items():
        if value:
            assert procedures[code][f"time_{channel}"] == value, (code, channel)
            shown = [m["processing_time"]["value"] for m in records[code]["methods"] if m["channel"] == channel]
            assert [json.dumps(v) for v in shown] == [value], (code, channel)
    return methods


def test_a_whole_number_written_as_a_float_is_the_integer_in_every_file(floats):
    methods = _agree(floats)
    assert (methods["1.000001", "online"], methods["1.000002", "postal"]) == ("10", "7")
    assert methods["2.000101", "online"] == "1.5"   # a real fraction stays
    assert _floats_written_for_whole_numbers(floats) == []
    assert _floats_in_json(floats) == []
    case = json.loads(floats["catalog.json"])["procedures"][0]["cases"][0]
    assert case["processing_time"]["value"] == 10 and b'"value":10.0' not in floats["catalog.json"]


def test_tthc_export_writes_the_integers_too(tmp_path):
    root = _float_catalog(tmp_path / "catalog")
    result = CliRunner().invoke(main, ["export", "--catalog", str(root), "--output", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    files = {name: (tmp_path / "out" / name).read_bytes()
             for name in ("catalog.json", *CSV_FILES, "catalog.xlsx")}
    assert _agree(files)["1.000002", "postal"] == "7"
    assert _floats_written_for_whole_numbers(files) == [] and _floats_in_json(files) == []


def test_real_catalog_json_writes_no_whole_number_as_a_float(real):
    assert _floats_in_json(real) == []
    methods = _agree(real)
    assert methods["1.013097", "online"] == "1.5"
