"""The open-data workbook (``catalog.xlsx``): its rows are written by ``generator.workbook.sheet_rows``.

The rows must be the XML openpyxl itself writes for the same values, and the workbook must read
back, in openpyxl and pandas, as the tables it was made from.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell

from generator import export
from generator.catalog import read_catalog
from generator.workbook import sheet_rows

REAL = Path(__file__).resolve().parents[1] / "catalog"

SAMPLE_ROWS = [
    ["1.000001", "Cấp giấy phép xây dựng", "", None, 15, 0, -3, 1.5, 15.0, 2**53, True, False],
    ["  leading space", "trailing space ", "a & b < c > d", "dòng 1\ndòng 2", "\ttab", "=1+1", "+84 24", "-5 ngày", "@x",
     "'quoted", "\u00a0nbsp", 1e-7],
    [None, None, "x"],
]


def _openpyxl_rows(rows: list[list]) -> bytes:
    """What openpyxl's write-only writer puts in ``<sheetData>`` (text that looks like a formula as text, as export did)."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("s")
    for row in rows:
        cells = []
        for value in row:
            if isinstance(value, str) and value.startswith(("=", "+", "-", "@", "\t", "\r")):
                cell = WriteOnlyCell(sheet, value=None)
                cell._value, cell.data_type = value, "s"
                value = cell
            cells.append(value)
        sheet.append(cells)
    buffer = io.BytesIO()
    book.save(buffer)
    xml = zipfile.ZipFile(buffer).read("xl/worksheets/sheet1.xml")
    return re.search(rb"<sheetData>(.*)</sheetData>", xml, re.S).group(1)


def test_sheet_rows_are_the_xml_openpyxl_writes() -> None:
    assert sheet_rows(SAMPLE_ROWS, first=1) == _openpyxl_rows(SAMPLE_ROWS)


def test_sheet_rows_number_from_first_and_refuse_what_no_cell_can_hold() -> None:
    assert sheet_rows([["a"]], first=2) == b'<row r="2"><c r="A2" t="inlineStr"><is><t>a</t></is></c></row>'
    with pytest.raises(ValueError, match="control character"):
        sheet_rows([["a\x07b"]])
    with pytest.raises(ValueError, match="not a number"):
        sheet_rows([[float("nan")]])
    with pytest.raises(TypeError, match="date"):
        sheet_rows([[dt.date(2025, 1, 1)]])


def test_text_stays_text_whole_and_missing_values_are_empty_cells() -> None:
    long_text = "ư" * 40_000
    frame = pd.DataFrame({
        "text": ["=HYPERLINK(\"http://x\")", "#N/A", "-5 ngày", long_text],
        "count": pd.array([1, None, 3, 4], dtype="Int64"),
        "value": [1.5, float("nan"), 2.0, 0.0],
        "flag": [True, False, True, False],
    })
    book = load_workbook(io.BytesIO(export._xlsx({"s": frame})))
    sheet = book["s"]
    assert sheet.freeze_panes == "A2"
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("text", "count", "value", "flag")
    assert rows[1:] == [("=HYPERLINK(\"http://x\")", 1, 1.5, True), ("#N/A", None, None, False), ("-5 ngày", 3, 2, True),
                        (long_text, 4, 0, False)]
    assert all(row[0].data_type == "s" for row in sheet.iter_rows(min_row=2))


def test_real_catalog_workbook_reads_back_as_its_tables() -> None:
    catalog, _ = read_catalog(REAL, today=dt.date(2026, 11, 29))
    tables = dict(zip(("thu_tuc", "thanh_phan_ho_so", "cach_thuc"), export._tables(catalog)))
    data = export.export_catalog(catalog)["catalog.xlsx"]
    assert data == export.export_catalog(catalog)["catalog.xlsx"]
    read = pd.read_excel(io.BytesIO(data), sheet_name=None, dtype=object, keep_default_na=False, na_values=[])
    assert list(read) == list(tables)
    for name, frame in tables.items():
        back = read[name]
        assert list(back.columns) == list(frame.columns) and len(back) == len(frame) > 0, name
        for column in frame.columns:
            wanted = ["" if v is None else v for v in export._cells(frame[column])]
            got = ["" if v is None else v for v in back[column].tolist()]
            assert got == wanted, (name, column)
