"""Deterministic workbook bytes, and safe CSV cells: helpers shared by the open-data files and the agency template.

openpyxl writes a workbook's parts (content types, styles, sheet views, frozen panes...);
:func:`sheet_rows` writes the rows of a large sheet itself, about ten times faster than
openpyxl's cell-by-cell XML writer (at 10,000 procedures the open-data workbook has a million
cells), and :func:`fixed_zip` puts them into openpyxl's sheet. The rows are the XML openpyxl
writes for the same values (Office Open XML, ECMA-376 Part 1, §18.3.1.73 ``row`` and
§18.3.1.4 ``c``): text as an inline string (never a formula), numbers with 16 significant
digits, yes/no as a boolean cell. :data:`FORMULA_START` and :func:`neutralise` keep CSV text
cells from running as formulas.
"""

from __future__ import annotations

import io
import re
import zipfile
from html import escape
from typing import Any, Iterable, Sequence

#: The timestamp every zip entry gets (the earliest a zip can hold).
FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
#: Characters XML 1.0 cannot hold (so no cell can), and CR, which XML readers turn into LF.
_UNWRITABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\r]")


def _letters(count: int) -> list[str]:
    from openpyxl.utils import get_column_letter

    return [get_column_letter(index) for index in range(1, count + 1)]


def sheet_rows(rows: Iterable[Sequence[Any]], first: int = 1) -> bytes:
    """The ``<row>`` elements of ``rows``, numbered from ``first``, as UTF-8 XML.

    Args:
        rows: each a sequence of cell values: ``str`` (an inline string, whatever it starts
            with, so ``=1+1`` is text), ``bool``, ``int`` or ``float`` (a number; NaN and
            infinities are not numbers and raise), or ``None`` (no cell).
        first: the number of the first row (2 below a header row).

    Raises:
        ValueError: a text holds a character no XML can carry (a control character or CR),
            or a number is not finite.
        TypeError: a value of another type.
    """
    out: list[str] = []
    letters: list[str] = []
    for number, row in enumerate(rows, start=first):
        if len(row) > len(letters):
            letters = _letters(len(row))
        out.append(f'<row r="{number}">')
        for letter, value in zip(letters, row):
            if value is None:
                continue
            if isinstance(value, str):
                if not value:
                    out.append(f'<c r="{letter}{number}" t="inlineStr" />')
                    continue
                if _UNWRITABLE.search(value):
                    raise ValueError(f"cell {letter}{number}: the text holds a control character, which a spreadsheet cell cannot keep")
                space = ' xml:space="preserve"' if value.strip() != value else ""
                out.append(f'<c r="{letter}{number}" t="inlineStr"><is><t{space}>{escape(value, quote=False)}</t></is></c>')
            elif isinstance(value, bool):
                out.append(f'<c r="{letter}{number}" t="b"><v>{value:d}</v></c>')
            elif isinstance(value, (int, float)):
                if value != value or value in (float("inf"), float("-inf")):
                    raise ValueError(f"cell {letter}{number}: {value} is not a number a spreadsheet can hold")
                out.append(f'<c r="{letter}{number}" t="n"><v>{"%.16g" % value}</v></c>')
            else:
                raise TypeError(f"cell {letter}{number}: cannot write a {type(value).__name__}")
        out.append("</row>")
    return "".join(out).encode("utf-8")


def fixed_zip(data: bytes, rows: dict[str, bytes] | None = None) -> bytes:
    """The XLSX (zip) ``data`` with fixed entry timestamps and ``modified`` date, sorted by name,
    so that the bytes depend on the content only (openpyxl stamps the clock on save).

    Args:
        data: the workbook openpyxl saved.
        rows: part name (``xl/worksheets/sheet1.xml``) -> rows (:func:`sheet_rows`) to add at
            the end of that sheet's data.

    Raises:
        ValueError: a part of ``rows`` is not a sheet of the workbook.
    """
    rows = dict(rows or {})
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in sorted(source.infolist(), key=lambda i: i.filename):
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2000-01-01T00:00:00Z", content)
            if info.filename in rows:
                head, end, tail = content.rpartition(b"</sheetData>")
                if not end:
                    raise ValueError(f"{info.filename} has no <sheetData> to add rows to")
                content = b"".join((head, rows.pop(info.filename), end, tail))
            entry = zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(entry, content)
    if rows:
        raise ValueError(f"the workbook has no part {', '.join(sorted(rows))}")
    return out.getvalue()


#: What a text cell may start with that a spreadsheet (Excel, LibreOffice, Google Sheets) reads as a
#: formula when it opens a CSV file (OWASP, "CSV Injection"): = + - @, and tab and CR before them.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

#: The neutralising prefix: a leading ``'`` makes a spreadsheet show the rest as text.
NEUTRALISER = "'"


def neutralise(value: object) -> object:
    """``value`` with a leading ``'`` when it is text a spreadsheet would read as a formula; other values as they are."""
    return NEUTRALISER + value if isinstance(value, str) and value.startswith(FORMULA_START) else value


def escape_cell(value: object) -> object:
    """A text value for a CSV file that is read back (the agency template): :func:`neutralise`d, and
    also given a ``'`` when it starts with ``'`` itself, so :func:`unescape_cell` gives it back exactly.

    ``=1+2`` -> ``'=1+2``; ``'abc`` -> ``''abc``; ``abc`` -> ``abc``; numbers and ``None`` unchanged.
    """
    if isinstance(value, str) and value.startswith(NEUTRALISER):
        return NEUTRALISER + value
    return neutralise(value)


def unescape_cell(text: str) -> str:
    """The value of a template CSV cell: one leading ``'`` removed (the inverse of :func:`escape_cell`).

    A cell typed by hand that should start with ``'`` is written with two (``''``).
    """
    return text[len(NEUTRALISER):] if text.startswith(NEUTRALISER) else text
