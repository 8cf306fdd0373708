"""Deterministic workbook bytes: one helper shared by the open-data XLSX and the agency template."""

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
