"""Deterministic workbook bytes, and safe CSV cells: helpers shared by the open-data files and the agency template."""

from __future__ import annotations

import io
import re
import zipfile

#: The timestamp every zip entry gets (the earliest a zip can hold).
FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def fixed_zip(data: bytes) -> bytes:
    """The XLSX (zip) ``data`` with fixed entry timestamps and ``modified`` date, sorted by name,
    so that the bytes depend on the content only (openpyxl stamps the clock on save)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in sorted(source.infolist(), key=lambda i: i.filename):
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2000-01-01T00:00:00Z", content)
            entry = zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(entry, content)
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
