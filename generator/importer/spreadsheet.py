"""``tthc import FILE.xlsx | FILE.csv...``: the agency template and the portal's list exports.

Two kinds of workbook, told apart by their sheets:

* **the agency template** (layout in :mod:`generator.spreadsheet`): a sheet
  ``thu_tuc`` with one row per procedure and child sheets keyed by mã thủ tục.
  CSV files are sheets of the template named by their stem (``thu_tuc.csv``,
  ``cach_thuc.csv``...); the CSV files of one folder form one workbook.
  Every procedure is rebuilt field by field, checked against
  ``procedure.schema.json`` and written by :mod:`generator.importer.writer`
  (so the bytes are those of any other import); ``co_quan`` / ``linh_vuc``
  rows are added to ``agencies.yaml`` / ``sectors.yaml``.
* **the portal's list export** ("DANH SÁCH THỦ TỤC HÀNH CHÍNH",
  ``dvcqg-chatbot-tthc/lists/*.xlsx``): a title row, a header row
  ``Mã số | Tên | Cơ quan ban hành | Cơ quan thực hiện | Lĩnh vực``, then one
  row per procedure. That is all it holds: no publishing decision, level,
  status, documents or methods, which a record requires. So no procedure is
  written from it: each row already in the catalog is checked (its name and
  sector), and each row that is not gets a ``list-incomplete`` warning
  naming what is missing; where the list's name or sector disagrees with
  the catalog, a ``list-differs`` warning says so (the catalog is not changed).
  Nothing is invented.

Every problem is a :class:`~generator.diagnostics.Diagnostic` whose file is the
workbook (or the CSV file), line the row, column the column number, path the
cell (``thu_tuc!C12``) and message the field (``documents[0].copies: ...``).
For a CSV file the row is the CSV record's number, counted like a sheet's
rows (a cell with line breaks makes it differ from the file's line).
A layout problem (missing required column, unknown or repeated column, no
``thu_tuc`` sheet) refuses the whole workbook; a problem in a row refuses
only its procedure. An existing file is replaced only with ``overwrite``.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import io
import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from generator.diagnostics import Diagnostic, format_path
from generator.i18n import N_, _
from generator.importer.record import ImportedRecord
from generator.importer.writer import file_bytes, write_checked
from generator.load import DataPath, LoadedFile, load_file
from generator.workbook import unescape_cell
from generator.model import (
    CHANNEL_LABELS, FEE_KIND_LABELS, FORMALITY_TYPE_LABELS, ONLINE_SERVICE_LABELS, INTERNAL_SCOPE_LABELS, KIND_LABELS, LEVEL_LABELS, REVIEW_OUTCOME_LABELS,
    SIMPLIFICATION_KIND_LABELS, STAGE_LABELS, STATUS_LABELS, UNIT_LABELS,
)
from generator.spreadsheet import (
    AGENCY_KEY, CODE_KEY, INSTRUCTIONS_SHEET, ROOT_SHEET, STT_KEY, Column, Sheet, sheet, sheets,
)

SPREADSHEET_SUFFIXES = (".xlsx", ".csv")

_ABSENT = object()
_INT = re.compile(r"^[-+]?[0-9]+$")
_FLOAT = re.compile(r"^[-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?$")
_TRUE, _FALSE = {"true", "có", "co", "x"}, {"false", "không", "khong"}
#: Vietnamese labels accepted for allowed values (``Trực tiếp`` -> ``in_person``), by casefolded label.
_LABELS: dict[str, str] = {
    label.casefold(): value
    for table in (CHANNEL_LABELS, UNIT_LABELS, LEVEL_LABELS, KIND_LABELS, STATUS_LABELS, STAGE_LABELS,
                  REVIEW_OUTCOME_LABELS, SIMPLIFICATION_KIND_LABELS, INTERNAL_SCOPE_LABELS, FORMALITY_TYPE_LABELS,
                  FEE_KIND_LABELS, ONLINE_SERVICE_LABELS)
    for value, label in table.items()
} | {  # the way agencies write the postal channel besides the portal's label
    "qua bưu chính": "postal", "bưu chính": "postal", "qua dịch vụ bưu chính": "postal",
}

_LIST_DIFFERS_HINT = N_("check the procedure's page on the national portal and correct whichever is wrong; "
                        "the catalog is not changed")

#: The portal list's header labels and what each is.
LIST_COLUMNS = {"Mã số": "code", "Tên": "name", "Cơ quan ban hành": "publisher", "Cơ quan thực hiện": "executing",
                "Lĩnh vực": "sector"}


@dataclass
class RawSheet:
    """The cell values of one sheet, rows from row 1, and the file named in diagnostics."""

    name: str
    file: str
    rows: list[tuple[Any, ...]]


@dataclass
class SpreadsheetImport:
    """What reading (and writing) one or more workbooks did.

    Attributes:
        records: The procedures read without errors (written or not).
        refused: ``(file, code)`` of procedures not written because of errors.
        written: Files written. skipped: files left as they were (exist; no ``overwrite``).
        unchanged: files of ``overwrite`` left as they were because they already hold the record.
        diagnostics: Every problem found, in workbook order.
        list_rows: Rows read from portal list exports; ``list_in_catalog`` of them already in the catalog.
        notes: ``(file, text)``: what each portal list gave.
    """

    records: list[ImportedRecord] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)
    skipped: list[Path] = field(default_factory=list)
    unchanged: list[Path] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    list_rows: int = 0
    list_in_catalog: int = 0
    notes: list[tuple[str, str]] = field(default_factory=list)


def cell_name(row: int, column: int) -> str:
    """``C12`` for row 12, column 3 (``12:12`` for the whole row when column is 0)."""
    from openpyxl.utils import get_column_letter

    return f"{get_column_letter(column)}{row}" if column else f"{row}:{row}"


def _diag(file: str, sheet_name: str, row: int, column: int, severity: str, code: str, message: str, hint: str,
          field_path: str = "") -> Diagnostic:
    where = f"{sheet_name}!{cell_name(row, column)}" if row else sheet_name
    return Diagnostic(file, row, column, severity, code, where,  # type: ignore[arg-type]
                      f"{field_path}: {message}" if field_path else message, hint)


# ---------------------------------------------------------------------------
# Reading files


def read_xlsx(path: Path, display: str) -> tuple[list[RawSheet], list[Diagnostic]]:
    """The sheets of an XLSX workbook (cached values of formulas), or a diagnostic when it cannot be read."""
    import zipfile

    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (OSError, zipfile.BadZipFile, KeyError, ValueError) as err:
        return [], [Diagnostic(display, 0, 0, "error", "not-a-template", "",
                               _("cannot read the workbook: {reason}").format(reason=err),
                               _("save the file as an Excel workbook (.xlsx) and import it again"))]
    try:
        sheets_read = []
        for ws in book.worksheets:
            if hasattr(ws, "reset_dimensions"):  # read-only mode trusts the file's stated size, which some tools get wrong
                ws.reset_dimensions()
            sheets_read.append(RawSheet(ws.title, display, [tuple(r) for r in ws.iter_rows(values_only=True)]))
        return sheets_read, []
    finally:
        book.close()


def read_csv(path: Path, display: str) -> tuple[RawSheet | None, list[Diagnostic]]:
    """One CSV file as the template sheet named by its stem (UTF-8, with or without BOM).

    A cell starting with ``'`` loses that one ``'`` (the prefix ``tthc export --format csv`` puts before
    text a spreadsheet would run as a formula, or that starts with ``'``); a value typed by hand that
    starts with ``'`` is written ``''``.
    """
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as err:
        return None, [Diagnostic(display, 0, 0, "error", "missing-file", "",
                                 _("cannot read the file: {reason}").format(reason=err.strerror), _("check the path"))]
    except UnicodeDecodeError as err:
        return None, [Diagnostic(display, 0, 0, "error", "encoding", "",
                                 _("the file is not UTF-8 (byte {offset})").format(offset=err.start),
                                 _("save the CSV as 'CSV UTF-8 (Comma delimited)' and import it again"))]
    # a leading ' is the template's neutralising prefix (generator.workbook.escape_cell): exactly one is removed
    rows = [tuple(unescape_cell(v) if v != "" else None for v in row) for row in csv.reader(io.StringIO(text, newline=""))]
    return RawSheet(path.stem, display, rows), []


# ---------------------------------------------------------------------------
# Cells


def _decode(raw: Any, column: Column) -> tuple[Any, tuple[str, str, str] | None]:
    """The field value of a cell, or ``_ABSENT``; and ``(rule, message, hint)`` when it cannot be read.

    A value of the wrong type is returned as it is: the schema check then
    reports it with the same message as in YAML.
    """
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return _ABSENT, None
    if isinstance(raw, str):
        raw = unicodedata.normalize("NFC", raw)
    title = column.title
    if column.kind == "key":
        if column.key in (CODE_KEY, AGENCY_KEY):
            if isinstance(raw, (int, float)) and not isinstance(raw, bool):
                return raw, ("unquoted-number", _("expected text ({title}), got the number {value}: the spreadsheet "
                                                   "turned what was typed into a number").format(title=title, value=raw),
                             _("format the column as Text and type the code again, e.g. 1.000178"))
            return str(raw).strip(), None
        if isinstance(raw, int) and not isinstance(raw, bool) or isinstance(raw, float) and raw.is_integer():
            return int(raw), None
        if isinstance(raw, str) and _INT.match(raw.strip()):
            return int(raw.strip()), None
        return raw, ("schema-type", _("expected a whole number ({title}), got {value!r}").format(title=title, value=raw),
                     _("number the rows 1, 2, 3... within each procedure"))
    if column.kind == "text":
        if isinstance(raw, (dt.datetime, dt.date)):
            if column.date:
                return raw.strftime("%Y-%m-%d"), None
            return raw, ("schema-type", _("expected text ({title}), got a date").format(title=title),
                         _("format the cell as Text and type the value again"))
        if isinstance(raw, float) or (isinstance(raw, int) and not isinstance(raw, bool) and column.path[-1:] == ("code",)):
            return raw, ("unquoted-number", _("expected text ({title}), got the number {value}: the spreadsheet "
                                               "turned what was typed into a number").format(title=title, value=raw),
                         _("format the column as Text and type the value again"))
        if isinstance(raw, int) and not isinstance(raw, bool):
            return str(raw), None
        if isinstance(raw, str) and column.enum and raw.strip() not in column.enum:
            value = _LABELS.get(raw.strip().casefold())
            return (value if value in column.enum else raw), None
        return raw, None
    if column.kind == "integer":
        if isinstance(raw, float) and raw.is_integer():
            return int(raw), None
        if isinstance(raw, str) and _INT.match(raw.strip()):
            return int(raw.strip()), None
        return raw, None
    if column.kind == "number":
        if isinstance(raw, str) and _INT.match(raw.strip()):
            return int(raw.strip()), None
        if isinstance(raw, str) and _FLOAT.match(raw.strip()):
            return float(raw.strip()), None
        return raw, None
    if column.kind == "boolean":
        if isinstance(raw, str) and raw.strip().casefold() in _TRUE | _FALSE:
            return raw.strip().casefold() in _TRUE, None
        return raw, None
    # list of text: a JSON array, or one item per line
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        raw = str(raw)
    if not isinstance(raw, str):
        return raw, None
    if raw.lstrip().startswith("["):
        try:
            value = json.loads(raw)
        except ValueError:
            value = None
        if isinstance(value, list):
            return value, None
    items = [line.rstrip("\r") for line in raw.split("\n")]
    items = [item for item in items if item.strip()]
    if column.enum:
        items = [item if item.strip() in column.enum else _LABELS.get(item.strip().casefold(), item) for item in items]
        items = [item.strip() if item.strip() in column.enum else item for item in items]
    return items, None


def _set(obj: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    for key in path[:-1]:
        obj = obj.setdefault(key, {})
    obj[path[-1]] = value


# ---------------------------------------------------------------------------
# The template


@dataclass
class _Row:
    """One data row of a sheet: its number, its row keys and its object (or text item)."""

    number: int
    keys: dict[str, tuple[Any, int]]
    value: Any
    cells: dict[tuple[str, ...], int]


@dataclass
class _Layout:
    spec: Sheet
    raw: RawSheet
    columns: dict[int, Column]
    header_row: int

    def column_of(self, key: str) -> int:
        """The column number of ``key`` (or of the first column below it), 0 when the sheet has none."""
        for index, column in self.columns.items():
            if column.key == key:
                return index
        for index, column in self.columns.items():
            if column.key.startswith(key + "."):
                return index
        return 0


def _norm_title(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def _layout(raw: RawSheet, spec: Sheet) -> tuple[_Layout | None, list[Diagnostic]]:
    """Map the sheet's columns to template columns (by row-2 key, else by row-1 label)."""
    out: list[Diagnostic] = []
    by_key = {c.key: c for c in spec.columns}
    by_title = {_norm_title(c.title): c for c in spec.columns}
    row1 = raw.rows[0] if raw.rows else ()
    row2 = raw.rows[1] if len(raw.rows) > 1 else ()
    two_rows = any(isinstance(v, str) and v.strip() in by_key for v in row2)
    header, header_row = (row2, 2) if two_rows else (row1, 1)
    columns: dict[int, Column] = {}
    for index, value in enumerate(header, start=1):
        if value is None or not str(value).strip():
            continue
        text = str(value).strip()
        column = by_key.get(text) if two_rows else by_title.get(_norm_title(text)) or by_key.get(text)
        if column is None:
            names = list(by_key) if two_rows else [c.title for c in spec.columns]
            close = difflib.get_close_matches(text, names, n=1)
            hint = (_("rename it '{name}' if that is the column meant, or delete it").format(name=close[0]) if close else
                    _("use the template's columns: {names}").format(names=", ".join(by_key)))
            out.append(_diag(raw.file, raw.name, header_row, index, "error", "schema-unknown-key",
                             _("unknown column '{column}' in sheet {sheet}").format(column=text, sheet=raw.name), hint))
            continue
        if column in columns.values():
            out.append(_diag(raw.file, raw.name, header_row, index, "error", "schema-unknown-key",
                             _("column '{key}' ({title}) appears twice in sheet {sheet}").format(
                                 key=column.key, title=column.title, sheet=raw.name),
                             _("keep one of the two columns and delete the other")))
            continue
        columns[index] = column
    for column in spec.columns:
        if column.required and column not in columns.values():
            out.append(_diag(raw.file, raw.name, header_row, 0, "error", "column-missing",
                             _("sheet {sheet} has no column '{key}' ({title}), which every row needs").format(
                                 sheet=raw.name, key=column.key, title=column.title),
                             _("add the column: '{title}' in row 1 and '{key}' in row 2 "
                               "(the template written by `tthc export --format xlsx` has it)").format(
                                 title=column.title, key=column.key)))
    return (None if out else _Layout(spec, raw, columns, header_row)), out


def _rows(layout: _Layout) -> tuple[list[_Row], list[Diagnostic]]:
    raw, spec = layout.raw, layout.spec
    out: list[Diagnostic] = []
    rows: list[_Row] = []
    data = raw.rows[layout.header_row:]
    filled = {i for i, values in enumerate(data) if any(v is not None and str(v).strip() for v in values)}
    last = max(filled, default=-1)
    for offset, values in enumerate(data[:last + 1]):
        number = layout.header_row + 1 + offset
        if offset not in filled:
            out.append(_diag(raw.file, raw.name, number, 0, "warning", "empty-row",
                             _("row {row} of sheet {sheet} is empty").format(row=number, sheet=raw.name),
                             _("delete the empty row; it is skipped")))
            continue
        keys: dict[str, tuple[Any, int]] = {}
        obj: dict[str, Any] = {}
        item: Any = _ABSENT
        cells: dict[tuple[str, ...], int] = {}
        for index, column in layout.columns.items():
            value, problem = _decode(values[index - 1] if index - 1 < len(values) else None, column)
            if problem:
                rule, message, hint = problem
                out.append(_diag(raw.file, raw.name, number, index, "error", rule, message, hint, column.key))
                continue
            if value is _ABSENT:
                continue
            if column.kind == "key":
                keys[column.key] = (value, index)
            elif spec.scalar:
                item = value
                cells[()] = index
            else:
                _set(obj, column.path, value)
                cells[column.path] = index
        rows.append(_Row(number, keys, item if spec.scalar else obj, cells))
    return rows, out


class _SheetRecord(LoadedFile):
    """A record rebuilt from rows: schema diagnostics are placed at the cell of their field."""

    locate: Callable[[DataPath], tuple[str, str, int, int]]

    def diagnostic(self, severity: str, code: str, path: DataPath, message: str, hint: str = "", key: bool = False) -> Diagnostic:
        file, sheet_name, row, column = self.locate(tuple(path))
        return _diag(file, sheet_name, row, column, severity, code, message, hint, format_path(path))


@dataclass
class _Place:
    """Where a record's object came from: the layout and row (for its cells) and its data path."""

    layout: _Layout
    row: _Row
    path: DataPath


@dataclass
class TemplateContent:
    """What a template workbook holds.

    Attributes:
        procedures: ``(publishing agency id, record, (file, sheet, row, #agency column, sector column))`` for every procedure without errors, in row order.
        refused: Codes of procedures with errors.
        agencies, sectors: The ``co_quan`` and ``linh_vuc`` entries.
        diagnostics: Every problem found.
        layout_ok: ``False`` when a layout problem refuses the whole workbook.
        placed: by code, each procedure of ``procedures`` as a loaded file whose
            diagnostics name the sheet and cell of their field.
    """

    procedures: list[tuple[str, dict[str, Any], tuple[str, str, int, int, int]]] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    agencies: list[dict[str, Any]] = field(default_factory=list)
    sectors: list[dict[str, Any]] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    layout_ok: bool = True
    placed: dict[str, LoadedFile] = field(default_factory=dict)


def read_template(raw_sheets: list[RawSheet]) -> TemplateContent:
    """Rebuild the records of a template workbook (see the module docstring).

    Args:
        raw_sheets: The workbook's sheets (from :func:`read_xlsx` or :func:`read_csv`).

    Returns:
        The :class:`TemplateContent`; nothing is raised for bad input.
    """
    result = TemplateContent()
    diags = result.diagnostics
    layouts: dict[str, _Layout] = {}
    for raw in raw_sheets:
        spec = sheet(raw.name)
        if raw.name == INSTRUCTIONS_SHEET:
            continue
        if spec is None:
            close = difflib.get_close_matches(raw.name, [s.name for s in sheets()], n=1)
            diags.append(_diag(raw.file, raw.name, 0, 0, "warning", "sheet-unknown",
                               _("sheet '{sheet}' is not part of the template and is not read").format(sheet=raw.name),
                               _("rename it '{name}' if that is the sheet meant, or move its rows there").format(name=close[0])
                               if close else _("the template's sheets are: {names}").format(
                                   names=", ".join(s.name for s in sheets()))))
            continue
        layout, problems = _layout(raw, spec)
        diags.extend(problems)
        if layout is not None:
            layouts[raw.name] = layout
        else:
            result.layout_ok = False
    if ROOT_SHEET not in layouts and result.layout_ok:
        file = raw_sheets[0].file if raw_sheets else ""
        diags.append(Diagnostic(file, 0, 0, "error", "not-a-template", "",
                                _("the workbook has no sheet {sheet}").format(sheet=ROOT_SHEET),
                                _("start from the template written by `tthc export --format xlsx` (one row per procedure "
                                  "in sheet thu_tuc)")))
        result.layout_ok = False
    if not result.layout_ok:
        return result

    bad: set[str] = set()
    records: dict[str, dict[str, Any]] = {}
    places: dict[str, dict[DataPath, _Place]] = {}
    agency_of: dict[str, tuple[str, tuple[str, str, int, int, int]]] = {}
    numbered: dict[tuple[str, str, int], tuple[dict[str, Any], DataPath]] = {}
    for spec in sheets():
        layout = layouts.get(spec.name)
        if layout is None or spec.kind != "procedure":
            continue
        rows, problems = _rows(layout)
        diags.extend(problems)
        raw = layout.raw
        for row in rows:
            row_failed = any(d.line == row.number and d.severity == "error" for d in problems)
            if row_failed:
                code_value = (row.value.get("code") if spec.parent is None else row.keys.get(CODE_KEY, ("",))[0])
                bad.add(str(code_value or ""))
            if spec.parent is None:
                code = row.value.get("code")
                if (not isinstance(code, str) or not code) and row_failed:
                    continue  # the cell's error is reported already
                if not isinstance(code, str) or not code:
                    diags.append(_diag(raw.file, raw.name, row.number, layout.column_of("code"), "error", "schema-required",
                                       _("row {row} of sheet {sheet} has no procedure code (Mã thủ tục)").format(
                                           row=row.number, sheet=raw.name),
                                       _("write the code, e.g. 1.000178, or delete the row"), "code"))
                    continue
                if code in records:
                    first = places[code][()].row.number
                    diags.append(_diag(raw.file, raw.name, row.number, layout.column_of("code"), "error", "code-unique",
                                       _("code {code} is already used by row {first} of sheet {sheet}").format(
                                           code=code, first=first, sheet=raw.name),
                                       _("a code identifies one procedure: keep one row, or correct the code"), "code"))
                    bad.add(code)
                    continue
                records[code] = row.value
                places[code] = {(): _Place(layout, row, ())}
                agency, column = row.keys.get(AGENCY_KEY, ("", layout.column_of(AGENCY_KEY)))
                agency_of[code] = (str(agency), (raw.file, raw.name, row.number, column, layout.column_of("sector")))
                continue
            code_key = row.keys.get(CODE_KEY)
            code = str(code_key[0]) if code_key else ""
            if not code and row_failed:
                continue  # the cell's error is reported already
            if not code or code not in records:
                column = code_key[1] if code_key else layout.column_of(CODE_KEY)
                what = (_("row {row} of sheet {sheet} belongs to procedure {code}, which has no row in sheet {root}")
                        if code else _("row {row} of sheet {sheet} belongs to no procedure (Mã thủ tục is empty)"))
                diags.append(_diag(raw.file, raw.name, row.number, column, "error", "orphan-row",
                                   what.format(row=row.number, sheet=raw.name, code=code, root=ROOT_SHEET),
                                   _("add the procedure to sheet thu_tuc, or correct the code in this row"), CODE_KEY))
                if code:
                    bad.add(code)
                continue
            owner, owner_path = records[code], ()
            if spec.parent != ROOT_SHEET:
                parent_key = f"#{spec.parent}"
                stt, column = row.keys.get(parent_key, (None, layout.column_of(parent_key)))
                found = numbered.get((spec.parent or "", code, stt)) if isinstance(stt, int) else None
                if found is None:
                    diags.append(_diag(raw.file, raw.name, row.number, column, "error", "orphan-row",
                                       _("row {row} of sheet {sheet} belongs to STT {stt} of sheet {parent} for procedure "
                                         "{code}, which is not there").format(row=row.number, sheet=raw.name, stt=stt,
                                                                             parent=spec.parent, code=code),
                                       _("number the rows of sheet {parent} (column #stt) and give that number here").format(
                                           parent=spec.parent), parent_key))
                    bad.add(code)
                    continue
                owner, owner_path = found
            container: Any = owner
            for key in spec.path[:-1]:
                container = container.setdefault(key, {})
            items = container.setdefault(spec.path[-1], [])
            path = owner_path + spec.path + (len(items),)
            items.append(row.value)
            places[code][path] = _Place(layout, row, path)
            if spec.numbered:
                stt, column = row.keys.get(STT_KEY, (None, layout.column_of(STT_KEY)))
                if (spec.name, code, stt) in numbered:
                    diags.append(_diag(raw.file, raw.name, row.number, column, "error", "code-unique",
                                       _("STT {stt} is used twice for procedure {code} in sheet {sheet}").format(
                                           stt=stt, code=code, sheet=spec.name),
                                       _("number the rows of each procedure 1, 2, 3..."), STT_KEY))
                    bad.add(code)
                numbered[(spec.name, code, stt)] = (row.value, path)

    for code, record in records.items():
        errors_before = sum(d.severity == "error" for d in diags)
        diags.extend(_check_record(code, record, places[code]))
        if sum(d.severity == "error" for d in diags) > errors_before:
            bad.add(code)
        if code in bad:
            result.refused.append(code)
        else:
            agency, cell = agency_of[code]
            result.procedures.append((agency, record, cell))
            result.placed[code] = _placed(record, places[code])

    for name, kind in (("co_quan", "agencies"), ("linh_vuc", "sectors")):
        layout = layouts.get(name)
        if layout is None:
            continue
        rows, problems = _rows(layout)
        diags.extend(problems)
        entries = [row.value for row in rows]
        place = {(kind, i): _Place(layout, row, (kind, i)) for i, row in enumerate(rows)}
        loaded = _SheetRecord(layout.raw.file, kind, {kind: entries})
        loaded.locate = _locator(place, layout)
        from generator.validate import schema_diagnostics

        problems = schema_diagnostics(loaded)
        diags.extend(problems)
        if not any(d.severity == "error" for d in problems):
            (result.agencies if kind == "agencies" else result.sectors).extend(entries)
    return result


def _locator(places: dict[DataPath, _Place], fallback: _Layout) -> Callable[[DataPath], tuple[str, str, int, int]]:
    """Where the field at a data path was written: file, sheet, row and column."""

    def locate(path: DataPath) -> tuple[str, str, int, int]:
        probe = tuple(path)
        while probe and probe not in places:
            probe = probe[:-1]
        place = places.get(probe)
        if place is None:
            return fallback.raw.file, fallback.raw.name, 0, 0
        rest = [p for p in path[len(probe):] if isinstance(p, str)]
        column = 0
        for size in range(len(rest), 0, -1):
            column = place.layout.column_of(".".join(rest[:size]))
            if column:
                break
        if not column and place.layout.spec.scalar:
            column = place.row.cells.get((), 0)
        return place.layout.raw.file, place.layout.raw.name, place.row.number, column

    return locate


def _placed(record: dict[str, Any], places: dict[DataPath, _Place]) -> _SheetRecord:
    """``record`` as a loaded file whose diagnostics are placed at the cells its fields came from."""
    loaded = _SheetRecord(places[()].layout.raw.file, "procedure", record)
    loaded.locate = _locator(places, places[()].layout)
    return loaded


def _check_record(code: str, record: dict[str, Any], places: dict[DataPath, _Place]) -> list[Diagnostic]:
    """Schema diagnostics of one rebuilt record, and its document ids (unique within each list of documents)."""
    from generator.validate import schema_diagnostics

    loaded = _placed(record, places)
    out = schema_diagnostics(loaded)
    lists = [(("documents",), record.get("documents"))]
    lists += [(("cases", c, "documents"), case.get("documents")) for c, case in enumerate(record.get("cases") or [])
              if isinstance(case, dict)]
    for base, documents in lists:  # ids are unique within each list, as tthc validate checks them
        seen: dict[str, DataPath] = {}
        for index, document in enumerate(documents if isinstance(documents, list) else []):
            ident = document.get("id") if isinstance(document, dict) else None
            if not isinstance(ident, str):
                continue
            if ident in seen:
                out.append(loaded.diagnostic("error", "document-id-unique", base + (index, "id"),
                                             _("document id '{id}' is already used by {other} of procedure {code}").format(
                                                 id=ident, other=format_path(seen[ident]), code=code),
                                             _("give each document of the procedure its own id")))
            else:
                seen[ident] = base + (index,)
    return out


# ---------------------------------------------------------------------------
# The portal's list export


def find_list_header(raw: RawSheet) -> int:
    """The 1-based row of the portal list's header (``Mã số | Tên | ...``), 0 when the sheet is not such a list."""
    for number, values in enumerate(raw.rows[:10], start=1):
        cells = [str(v).strip() for v in values if v is not None]
        if cells[:2] == ["Mã số", "Tên"]:
            return number
    return 0


def read_portal_list(raw: RawSheet, header: int) -> tuple[list[dict[str, Any]], list[Diagnostic]]:
    """The rows of a portal list export: ``{row, code, name, publisher, executing (list), sector}`` (empty fields left out)."""
    names = [str(v).strip() if v is not None else "" for v in raw.rows[header - 1]]
    index = {LIST_COLUMNS[n]: i for i, n in enumerate(names) if n in LIST_COLUMNS}
    out: list[dict[str, Any]] = []
    diags: list[Diagnostic] = []
    for number, values in enumerate(raw.rows[header:], start=header + 1):
        row: dict[str, Any] = {"row": number}
        for key, i in index.items():
            value = values[i] if i < len(values) else None
            text = " ".join(unicodedata.normalize("NFC", str(value)).split()) if key != "executing" and value is not None else value
            if key == "executing" and isinstance(value, str):
                text = [" ".join(line.split()) for line in unicodedata.normalize("NFC", value).split("\n") if line.strip()]
            if text:
                row[key] = text
        if len(row) == 1:
            continue
        if "code" not in row:
            diags.append(_diag(raw.file, raw.name, number, index.get("code", -1) + 1, "warning", "schema-required",
                               _("row {row} of the portal's list {sheet} has no code (Mã số)").format(row=number, sheet=raw.name),
                               _("the row is skipped; add the code from the national portal if the row is wanted")))
            continue
        out.append(row)
    return out, diags


def _same(a: str, b: str) -> bool:
    return " ".join(a.casefold().split()) == " ".join(b.casefold().split())


def _import_list(raw: RawSheet, header: int, existing: dict[str, Path], sectors: list[dict[str, Any]],
                 report: SpreadsheetImport) -> None:
    """Check a portal list against the catalog: name and sector of the procedures it has, what the others lack."""
    rows, problems = read_portal_list(raw, header)
    report.diagnostics.extend(problems)
    report.list_rows += len(rows)
    known = sum(row["code"] in existing for row in rows)
    report.list_in_catalog += known
    report.notes.append((raw.file, _("the portal's list: {rows} list row(s) read, {known} already in the catalog "
                                     "(left as they are), {missing} not written (the list lacks required fields)").format(
                                         rows=len(rows), known=known, missing=len(rows) - known)))
    sector_names = {s.get("id"): [s.get("name", ""), *s.get("variants", [])] for s in sectors}
    for row in rows:
        path = existing.get(row["code"])
        if path is not None:
            data = load_file(path, "procedure").data
            if not isinstance(data, dict):
                continue
            name, sector = str(data.get("name", "")), str(data.get("sector", ""))
            if row.get("name") and not _same(row["name"], name):
                report.diagnostics.append(_diag(
                    raw.file, raw.name, row["row"], 2, "warning", "list-differs",
                    _("the portal's list names procedure {code} «{listed}», the catalog ({file}) «{name}»").format(
                        code=row["code"], listed=row["name"][:120], file=f"{path.parent.name}/{path.name}",
                        name=" ".join(name.split())[:120]),
                    _(_LIST_DIFFERS_HINT)))
            if row.get("sector") and sector in sector_names and not any(_same(row["sector"], n) for n in sector_names[sector]):
                report.diagnostics.append(_diag(
                    raw.file, raw.name, row["row"], 5, "warning", "list-differs",
                    _("the portal's list puts procedure {code} in sector «{listed}», the catalog in '{sector}' («{name}»)").format(
                        code=row["code"], listed=row["sector"], sector=sector, name=sector_names[sector][0]),
                    _(_LIST_DIFFERS_HINT)))
            continue
        given = [label for label, key in LIST_COLUMNS.items() if key in row]
        report.diagnostics.append(_diag(
            raw.file, raw.name, row["row"], 1, "warning", "list-incomplete",
            _("procedure {code} is not in the catalog, and the portal's list gives only {given}; a record also needs "
              "its publishing decision (Quyết định công bố), levels (Cấp thực hiện) and status (Tình trạng): "
              "not written").format(code=row["code"], given=", ".join(given)),
            _("import the procedure's full record (page crawl or portal API JSON), or fill in the template "
              "(tthc export --format xlsx) and import it")))


# ---------------------------------------------------------------------------
# Into the catalog


def _group(paths: list[Path]) -> list[tuple[str, list[Path]]]:
    """Workbooks to read: each XLSX alone; the CSV files of one folder together."""
    books: dict[str, list[Path]] = {}
    for path in paths:
        key = str(path) if path.suffix.lower() == ".xlsx" else f"csv:{path.parent}"
        books.setdefault(key, []).append(path)
    return list(books.items())


def _existing_list(path: Path, kind: str) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    loaded = load_file(path, kind)
    return list((loaded.data or {}).get(kind) or []) if isinstance(loaded.data, dict) else []


def import_spreadsheets(paths: list[Path], catalog: Path, overwrite: bool = False,
                        dry_run: bool = False) -> SpreadsheetImport:
    """Import template workbooks, CSV sheets and portal list exports into ``catalog``.

    Every record is validated before it is written, as ``tthc validate``
    would judge the file (schema and rules, e.g. ``date-future``,
    ``code-unique``, ``replacement-link``: :func:`generator.importer.refuse_invalid`),
    with its problems at the sheet and cell of the field; an invalid record is
    refused and not written.

    Args:
        paths: ``.xlsx`` and ``.csv`` files (see the module docstring).
        catalog: The catalog folder (created when a record is written).
        overwrite: Replace existing procedure files (and agency / sector entries).
        dry_run: check everything, write nothing (``written`` lists what would be).

    Returns:
        The :class:`SpreadsheetImport`. Bad input never raises.
    """
    from generator.errors import UsageError

    report = SpreadsheetImport()
    existing = {p.stem: p for p in (catalog / "procedures").glob("*/*.yaml")}
    agencies_path, sectors_path = catalog / "agencies.yaml", catalog / "sectors.yaml"
    agencies = _existing_list(agencies_path, "agencies")
    sectors = _existing_list(sectors_path, "sectors")
    agencies_before, sectors_before = list(agencies), list(sectors)
    located: dict[int, LoadedFile] = {}  # id(record) -> the record placed at its cells
    for _book, files in _group(paths):
        raw_sheets: list[RawSheet] = []
        for path in files:
            if not path.is_file():
                raise UsageError(_("no such file: {path}").format(path=path))
            display = path.as_posix()
            if path.suffix.lower() == ".xlsx":
                found, problems = read_xlsx(path, display)
                raw_sheets += found
            else:
                one, problems = read_csv(path, display)
                raw_sheets += [one] if one else []
            report.diagnostics.extend(problems)
        if not raw_sheets:
            continue
        if files[0].suffix.lower() == ".xlsx" and all(s.name != ROOT_SHEET for s in raw_sheets):
            lists = [(s, find_list_header(s)) for s in raw_sheets]
            lists = [(s, h) for s, h in lists if h]
            if lists:
                for raw, header in lists:
                    _import_list(raw, header, existing, sectors, report)
                continue
        content = read_template(raw_sheets)
        report.diagnostics.extend(content.diagnostics)
        report.refused += [(raw_sheets[0].file, code) for code in content.refused]
        if not content.layout_ok:
            report.refused.append((raw_sheets[0].file, ""))
            continue
        for sheet_name, kind, rule, current, given in (
                ("co_quan", "agencies", "duplicate-agency", agencies, content.agencies),
                ("linh_vuc", "sectors", "duplicate-sector", sectors, content.sectors)):
            by_id = {e.get("id"): e for e in current}
            for entry in given:
                if not overwrite and entry.get("id") in by_id and by_id[entry.get("id")] != entry:
                    report.diagnostics.append(_diag(
                        raw_sheets[0].file, sheet_name, 0, 0, "warning", rule,
                        _("'{id}' in sheet {sheet} differs from {kind}.yaml, which is kept").format(
                            id=entry.get("id"), sheet=sheet_name, kind=kind),
                        _("use --overwrite to replace the entry of {kind}.yaml with the sheet's").format(kind=kind)))
        agencies, sectors = _merge(agencies, content.agencies, overwrite), _merge(sectors, content.sectors, overwrite)
        known_agencies = {a.get("id") for a in agencies}
        known_sectors = {s.get("id") for s in sectors}
        for agency, record, (file, sheet_name, row, column, sector_column) in content.procedures:
            code = record["code"]
            problem = ""
            if not agency and code in existing:
                agency = existing[code].parent.name
            hint = _("write the agency's id from agencies.yaml (e.g. bo-xay-dung), or add it to sheet co_quan")
            if not agency:
                problem = _("row {row} of sheet {sheet} names no publishing agency (#agency) for procedure {code}").format(
                    row=row, sheet=sheet_name, code=code)
            elif agency not in known_agencies:
                problem = _("unknown publishing agency '{agency}' for procedure {code}: it is neither in agencies.yaml "
                            "nor in sheet co_quan").format(agency=agency, code=code)
            elif code in existing and existing[code].parent.name != agency:
                problem = _("code {code} is already filed under {folder}; a procedure's folder is its publishing agency "
                            "and its code never moves").format(code=code, folder=existing[code].parent.name)
                hint = _("write {folder} in #agency, or leave the cell empty; a transfer of competence moves the file "
                         "with an amendments entry").format(folder=existing[code].parent.name)
            if problem:
                report.diagnostics.append(_diag(file, sheet_name, row, column, "error", "unknown-agency", problem, hint,
                                                AGENCY_KEY))
                report.refused.append((file, code))
                continue
            if record.get("sector") not in known_sectors:
                report.diagnostics.append(_diag(file, sheet_name, row, sector_column, "error", "unknown-sector",
                                                _("sector '{sector}' of procedure {code} is neither in sectors.yaml nor in "
                                                  "sheet linh_vuc").format(sector=record.get("sector"), code=code),
                                                _("use an id from sectors.yaml, or add the sector to sheet linh_vuc"), "sector"))
                report.refused.append((file, code))
                continue
            report.records.append(ImportedRecord(code, agency, record, file))
            located[id(record)] = content.placed[code]
    pending: list[tuple[ImportedRecord, Path]] = []
    for record in report.records:
        path = catalog / "procedures" / record.agency / f"{record.code}.yaml"
        if path.exists() and not overwrite:
            report.skipped.append(path)
        else:
            pending.append((record, path))
    # Validated as tthc validate would judge the files once written (schema and rules): an invalid one is refused.
    from generator.importer import Problem, refuse_invalid

    problems: list[Problem] = []
    accepted = refuse_invalid(catalog, [(r.source_file, r.code, path, r.data) for r, path in pending],
                              {"agencies": agencies, "sectors": sectors}, report.diagnostics, problems,
                              {i: located[id(r.data)] for i, (r, _) in enumerate(pending) if id(r.data) in located})
    for index, (record, path) in enumerate(pending):
        if index not in accepted:
            report.refused.append((record.source_file, record.code))
            continue
        if path.is_file() and path.read_bytes() == accepted[index]:  # the record is the file's: not rewritten
            report.unchanged.append(path)
            continue
        if not dry_run:
            write_checked(path, accepted[index])
        report.written.append(path)
    for path, kind, entries, before in ((agencies_path, "agencies", agencies, agencies_before),
                                        (sectors_path, "sectors", sectors, sectors_before)):
        if entries != before:  # an existing file is edited in place: its comments stay (writer.file_bytes)
            if not dry_run:
                write_checked(path, file_bytes(path, {kind: entries}, kind))
            report.written.append(path)
    return report


def _merge(existing: list[dict[str, Any]], new: list[dict[str, Any]], overwrite: bool) -> list[dict[str, Any]]:
    """Entries of agencies.yaml / sectors.yaml with ``new`` added.

    Existing entries keep their place (replaced in place by an entry of the
    same id only with ``overwrite``); new ids follow in the sheet's order, so an
    export imported into an empty catalog gives the same file.
    """
    out = list(existing)
    where = {e.get("id"): i for i, e in enumerate(out)}
    for entry in new:
        if entry.get("id") not in where:
            where[entry.get("id")] = len(out)
            out.append(entry)
        elif overwrite:
            out[where[entry.get("id")]] = entry
    return out
