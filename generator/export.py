"""Open-data exports of the catalog: JSON, CSV, XLSX and the JSON Schemas.

Files (published under ``/du-lieu-mo/`` and ``/schemas/`` on the site):

* ``catalog.json``: ``{"agencies": [...], "sectors": [...], "procedures": [...]}``,
  each procedure with the keys of ``procedure.schema.json`` plus ``agency``
  (the publishing agency's id); empty values left out; sorted by code.
* ``catalog.csv``: one row per procedure (see :data:`PROCEDURE_COLUMNS`).
* ``documents.csv``: one row per dossier component (thành phần hồ sơ),
  keyed by ``code`` (and ``case_code`` for a case's own documents).
* ``methods.csv``: one row per channel (cách thức thực hiện), keyed by
  ``code``; time limit value and unit (``working_days``...), fees in VND.

* ``catalog.xlsx``: the three tables as sheets.

Numbers are written alike in every file: a whole number without ``.0`` (``12``), also when the record
writes it as a float (``12.0`` or ``1.2e1``, which the schema's ``number`` accepts: :func:`open_number`), a
real one as it is (``1.5`` working days), a missing one as an empty cell.

A CSV text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return gets a leading ``'`` (OWASP "CSV injection"), so no spreadsheet runs it as a
formula; in the XLSX such text is a text cell. CSV is UTF-8 without BOM, ``\\n`` line ends. Output is byte-identical for the
same catalog (the XLSX's zip timestamps and document dates are fixed).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import io
import json
from pathlib import Path
from typing import Any

import pandas as pd

from generator.workbook import FORMULA_START, fixed_zip, neutralise, sheet_rows  # noqa: F401 - neutralise: the open-data CSV rule, re-exported
from generator.model import (
    CHANNEL_LABELS, INTERNAL_SCOPE_LABELS, KIND_LABELS, LEVEL_LABELS, STATUS_LABELS, UNIT_LABELS, Catalog, Document,
    Procedure,
)

SCHEMAS_DIR = Path(__file__).resolve().parent / "schemas"
#: A fixed timestamp for the XLSX's parts (the zip format starts in 1980).

PROCEDURE_COLUMNS = (
    "code", "name", "kind", "kind_label", "internal_scope", "internal_scope_label", "agency", "agency_name",
    "sector", "sector_name", "levels", "levels_label", "status", "status_label", "replaced_by", "online",
    "time_in_person", "time_in_person_unit", "time_online", "time_online_unit", "time_postal", "time_postal_unit",
    "fees", "documents", "steps", "publication_decision", "publication_date", "url",
)
DOCUMENT_COLUMNS = ("code", "case_code", "position", "id", "name", "originals", "copies", "form", "required")
METHOD_COLUMNS = (
    "code", "channel", "channel_label", "processing_time_value", "processing_time_unit",
    "processing_time_unit_label", "processing_time_note", "fees_vnd", "fees", "description",
)


def open_number(value: Any) -> Any:
    """``value`` as the open-data files write it: a float holding a whole number as that integer
    (``7.0`` and ``1e1`` as ``7`` and ``10``), so that JSON, CSV and XLSX, and the page, show one number;
    a real fraction (``1.5``), NaN, infinities and anything not a float as they are."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _plain(value: Any) -> Any:
    """``value`` (a model object) as plain data without empty values: None, empty strings,
    lists and dicts are dropped, recursively; tuples become lists; numbers as :func:`open_number`. The same as pruning
    ``dataclasses.asdict(value)``, in one walk and without asdict's deep copies (the model is
    immutable): at 10,000 procedures about 2 s of CPU instead of 13 s."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = {name: getattr(value, name) for name in _field_names(type(value))}
    if isinstance(value, dict):
        pruned = {k: _plain(v) for k, v in value.items()}
        return {k: v for k, v in pruned.items() if v not in (None, "", [], {}, ())}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return open_number(value)


@functools.cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls))


def procedure_record(procedure: Procedure) -> dict[str, Any]:
    """The procedure as a plain record (schema keys plus ``agency``)."""
    data = _plain(procedure)
    data.pop("path", None)
    return data


def _tables(catalog: Catalog) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The three tables of the CSV files and the workbook's sheets: procedures, documents, methods.
    Every cell of every table goes through :func:`open_number` here, once for all files."""
    rows, documents, methods = [], [], []
    for p in catalog.procedures:
        # time limit: the number (or the portal's note when there is none), its unit in the next column
        times = {m.channel: _time_value(m.processing_time) for m in p.methods}
        units = {m.channel: UNIT_LABELS.get(m.processing_time.unit or "", m.processing_time.unit or "")
                 for m in p.methods if m.processing_time and m.processing_time.value is not None}
        fees = [f"{f.description}" for m in p.methods for f in m.fees]
        agency, sector = catalog.agency(p.agency), catalog.sector(p.sector)
        rows.append({
            "code": p.code, "name": p.name, "kind": p.kind, "kind_label": KIND_LABELS.get(p.kind, ""),
            "internal_scope": p.internal_scope or "",
            "internal_scope_label": INTERNAL_SCOPE_LABELS.get(p.internal_scope or "", ""),
            "agency": p.agency, "agency_name": agency.name if agency else "",
            "sector": p.sector, "sector_name": sector.name if sector else "",
            "levels": ";".join(p.levels), "levels_label": ";".join(LEVEL_LABELS.get(l, l) for l in p.levels),
            "status": p.status, "status_label": STATUS_LABELS.get(p.status, ""), "replaced_by": p.replaced_by or "",
            "online": p.online,
            **{f"time_{channel}": times.get(channel, "") for channel in ("in_person", "online", "postal")},
            **{f"time_{channel}_unit": units.get(channel, "") for channel in ("in_person", "online", "postal")},
            "fees": " | ".join(dict.fromkeys(fees)),
            "documents": len(p.documents), "steps": len(p.steps),
            "publication_decision": p.publication.decision, "publication_date": p.publication.date or "",
            "url": p.url,
        })
        documents += _document_rows(p.code, "", p.documents)
        for case in p.cases:
            documents += _document_rows(p.code, case.code or case.name, case.documents)
        for m in p.methods:
            amounts = [f.amount_vnd for f in m.fees]
            methods.append({
                "code": p.code, "channel": m.channel, "channel_label": CHANNEL_LABELS.get(m.channel, m.channel),
                "processing_time_value": m.processing_time.value if m.processing_time else None,
                "processing_time_unit": (m.processing_time.unit or "") if m.processing_time else "",
                "processing_time_unit_label": UNIT_LABELS.get(m.processing_time.unit or "", "") if m.processing_time else "",
                "processing_time_note": (m.processing_time.note or "") if m.processing_time else "",
                "fees_vnd": sum(amounts) if amounts and all(a is not None for a in amounts) else None,
                "fees": " | ".join(f.description for f in m.fees), "description": m.description or "",
            })
    rows, documents, methods = ([{k: open_number(v) for k, v in row.items()} for row in table]
                                for table in (rows, documents, methods))
    return (
        pd.DataFrame(rows, columns=list(PROCEDURE_COLUMNS)),
        pd.DataFrame(documents, columns=list(DOCUMENT_COLUMNS)).astype({"originals": "Int64", "copies": "Int64"}),
        # object, not pandas' inference: a time limit is a whole number or a real one (1.5 working days), and the
        # float column pandas makes of whole numbers with gaps would write ``12.0`` for a record's ``12``
        pd.DataFrame(methods, columns=list(METHOD_COLUMNS), dtype=object).astype({"fees_vnd": "Int64"}),
    )


def _time_value(time: Any) -> str:
    """``15`` for 15 working days (unit in its own column; ``15.0`` too, :func:`open_number`), the note
    when there is no number."""
    if time is None:
        return ""
    if time.value is None:
        return time.note or ""
    return str(open_number(time.value))


def _document_rows(code: str, case_code: str, docs: tuple[Document, ...]) -> list[dict[str, Any]]:
    return [
        {"code": code, "case_code": case_code, "position": i, "id": d.id, "name": d.name,
         "originals": d.originals, "copies": d.copies, "form": d.form or "",
         "required": "" if d.required is None else d.required}
        for i, d in enumerate(docs, start=1)
    ]


_FORMULA_START = FORMULA_START


def _csv(frame: pd.DataFrame) -> bytes:
    """CSV with a UTF-8 byte-order mark, so that Excel reads it as UTF-8 (Vietnamese intact);
    text cells that would start a formula are neutralised (:func:`neutralise`). A column of Python
    values (``object``) keeps them as they are: ``Series.map`` would make floats of whole numbers
    beside a missing one (``12.0``)."""
    safe = frame.copy()
    for column in safe.columns:
        if not pd.api.types.is_numeric_dtype(safe[column]):
            safe[column] = pd.Series([neutralise(value) for value in safe[column]], index=safe.index, dtype=object)
    return safe.to_csv(index=False, lineterminator="\n").encode("utf-8-sig")


def _xlsx(sheets: dict[str, pd.DataFrame]) -> bytes:
    """The sheets as one XLSX workbook, each with its header row frozen.

    openpyxl (write-only) makes the workbook and the header rows; the data rows are written
    by :func:`generator.workbook.sheet_rows` (a million cells at 10,000 procedures). Text is
    always written as text: a value such as ``"=HYPERLINK(...)"`` or ``"#N/A"`` never becomes
    a formula or an error value, and is kept whole. Missing values (``None``, ``NA``, NaN)
    are empty cells. Timestamps inside the file are fixed, so the bytes depend on the data
    only.
    """
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    rows: dict[str, bytes] = {}
    for index, (name, frame) in enumerate(sheets.items(), start=1):
        sheet = book.create_sheet(title=name)
        sheet.freeze_panes = "A2"
        sheet.append(list(frame.columns))
        rows[f"xl/worksheets/sheet{index}.xml"] = sheet_rows(zip(*(_cells(frame[column]) for column in frame.columns)), first=2)
    fixed = dt.datetime(2000, 1, 1)
    book.properties.created = fixed
    book.properties.modified = fixed
    buffer = io.BytesIO()
    book.save(buffer)
    return fixed_zip(buffer.getvalue(), rows)


def _cells(column: pd.Series) -> list[Any]:
    """The column's values as Python values for :func:`sheet_rows` (missing ones as ``None``)."""
    values = column.tolist()
    if pd.api.types.is_bool_dtype(column.dtype) or pd.api.types.is_integer_dtype(column.dtype) and not column.hasnans:
        return values
    return [None if value is None or value is pd.NA or (isinstance(value, float) and value != value) else value
            for value in values]


def export_catalog(catalog: Catalog) -> dict[str, bytes]:
    """Every open-data file of ``catalog``.

    Returns:
        ``file name -> bytes`` for ``catalog.json``, ``catalog.csv``,
        ``documents.csv``, ``methods.csv`` and ``catalog.xlsx``.
    """
    data = {
        "agencies": [_plain(a) for a in catalog.agencies],
        "sectors": [_plain(s) for s in catalog.sectors],
        "procedures": [procedure_record(p) for p in sorted(catalog.procedures, key=lambda p: p.code)],
    }
    procedures, documents, methods = _tables(catalog)
    return {
        "catalog.json": json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8"),
        "catalog.csv": _csv(procedures),
        "documents.csv": _csv(documents),
        "methods.csv": _csv(methods),
        "catalog.xlsx": _xlsx({"thu_tuc": procedures, "thanh_phan_ho_so": documents, "cach_thuc": methods}),
    }


def schema_files() -> dict[str, Path]:
    """``file name -> path`` of the JSON Schemas published at ``/schemas/``."""
    return {path.name: path for path in sorted(SCHEMAS_DIR.glob("*.schema.json"))}


def write_exports(catalog: Catalog, out_dir: Path) -> list[Path]:
    """Write :func:`export_catalog`'s files and the schemas into ``out_dir``.

    Returns:
        The paths written, sorted.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, content in export_catalog(catalog).items():
        (out_dir / name).write_bytes(content)
        written.append(out_dir / name)
    for name, path in schema_files().items():
        (out_dir / name).write_bytes(path.read_bytes())
        written.append(out_dir / name)
    return sorted(written)
