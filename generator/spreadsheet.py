"""The agency spreadsheet template: the catalog as a workbook a civil servant can fill in.

``tthc export --format xlsx`` writes it; ``tthc import FILE.xlsx`` (or the
template's sheets as CSV files, ``thu_tuc.csv``, ``cach_thuc.csv``...) reads it
back (:mod:`generator.importer.spreadsheet`). The round trip is lossless: every
field of ``procedure.schema.json``, ``agencies.yaml`` and ``sectors.yaml`` has
its column, and importing the exported workbook writes the same YAML bytes.

Layout (every sheet):

* row 1: the Vietnamese label of each column (the schema's ``title``; a nested
  field is ``parent: child``, e.g. ``Thời hạn giải quyết: Thời gian``);
* row 2 (grey): the machine key the importer reads (``processing_time.value``).
  Columns may be moved; the importer finds them by key. A sheet without row 2
  is read by the Vietnamese labels of row 1;
* from row 3: one row per item. Rows of one procedure may be anywhere in a
  sheet; their order in the sheet is their order in the record.

Sheets (:data:`SHEETS`):

* ``thu_tuc``: one row per procedure; ``#agency`` is the publishing agency
  (its id in ``agencies.yaml``, the folder under ``catalog/procedures/``);
* child sheets, each row keyed by ``#code`` (mã thủ tục): ``yeu_cau_dieu_kien``
  (one requirement per row: requirements are paragraphs), ``trinh_tu`` (steps),
  ``cach_thuc`` (methods: channel, time value and unit, note), ``phi_le_phi``
  (fees of a method), ``thanh_phan_ho_so`` (documents, keyed by code and
  ``id``), ``truong_hop`` (cases), ``ho_so_truong_hop`` (a case's documents),
  ``ket_qua``, ``can_cu_phap_ly``, ``thay_the`` (replaces), ``cong_viec``
  (compliance-cost activities), ``ra_soat`` (reviews), ``don_gian_hoa``
  (simplifications, with ``promised`` flattened), ``du_lieu_thay_the``
  (a simplification's data look-ups), ``sua_doi`` (amendments);
* a sheet whose rows have rows of their own (methods, cases, simplifications)
  numbers them in ``#stt`` (1, 2... within the procedure); the child rows name
  it in ``#cach_thuc`` / ``#truong_hop`` / ``#don_gian_hoa``;
* ``co_quan`` and ``linh_vuc``: the entries of ``agencies.yaml`` and
  ``sectors.yaml``;
* ``huong_dan``: these instructions, in Vietnamese (not read back).

Cells: text is always stored as text (a leading ``=`` never makes a
formula); whole numbers and numbers as numbers (a whole number written with a
decimal point in YAML, ``15.0``, as the text ``15.0`` so it stays so); yes/no
as TRUE/FALSE; dates as the text ``YYYY-MM-DD``; a list of short texts (levels,
subjects, agencies, related codes, kinds) as one cell, one item per line; when
an item itself has line breaks the cell holds the list as a JSON array
(``["…", "…"]``), as it does for a one-item list that itself reads as JSON.
Empty cells are absent fields; an empty list or group in YAML (``fees: []``)
is no value and is not kept. Allowed values (``in_person``, ``working_days``...)
are the schema's; the importer also accepts their Vietnamese labels
(``Trực tiếp``, ``ngày làm việc``).

Limits: Excel keeps at most 32,767 characters in a cell (Microsoft, "Excel
specifications and limits"); :func:`template_rows` lists longer texts (the
bundled catalog has one, a requirement of 2.001538), which openpyxl and
LibreOffice keep but Excel cuts when it saves. Text holding a character XML
cannot carry (control characters, CR) is refused on export. ``plans/``,
``cost-basis.yaml`` and ``coverage.yaml`` are not part of the template.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Iterable

from generator.i18n import _
from generator.load import load_schema
from generator.workbook import escape_cell, fixed_zip

EXCEL_CELL_LIMIT = 32_767
"""Characters Excel keeps in one cell (Microsoft, "Excel specifications and limits")."""

_DATE_PATTERN = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
#: Characters XML 1.0 (so XLSX) cannot hold, and CR, which XML readers turn into LF.
_UNWRITABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\r]")


@dataclass(frozen=True)
class Column:
    """One column of a sheet.

    Attributes:
        key: The machine key of header row 2: a dotted path inside the row's
            object (``processing_time.value``) or a row key (``#code``, ``#stt``,
            ``#agency``, ``#<parent sheet>``).
        title: The Vietnamese label of header row 1.
        path: The keys of ``key`` inside the row object (``()`` for row keys).
        kind: ``text``, ``integer``, ``number``, ``boolean``, ``list`` (of text) or ``key``.
        required: The importer refuses a sheet without this column.
        enum: The allowed values, if the schema lists them.
        date: The value is a date ``YYYY-MM-DD``.
    """

    key: str
    title: str
    path: tuple[str, ...]
    kind: str
    required: bool = False
    enum: tuple[str, ...] = ()
    date: bool = False


@dataclass(frozen=True)
class Sheet:
    """One sheet of the template.

    Attributes:
        name: Sheet name (also the CSV file's stem).
        title: Vietnamese title (for the instructions sheet).
        kind: The catalog file kind its rows belong to (``procedure``, ``agencies``, ``sectors``).
        parent: The sheet whose rows own these rows (``None`` for ``thu_tuc``, ``co_quan``, ``linh_vuc``).
        path: Keys from the parent row's object to the list these rows fill.
        numbered: Rows carry ``#stt`` so that child rows can name them.
        scalar: Each row is one text item of a list (``requirements``), not an object.
        columns: The columns, in order.
    """

    name: str
    title: str
    kind: str
    parent: str | None
    path: tuple[str, ...]
    numbered: bool
    scalar: bool
    columns: tuple[Column, ...]

    def column(self, key: str) -> Column | None:
        """The column with machine key ``key``."""
        return next((c for c in self.columns if c.key == key), None)


ROOT_SHEET = "thu_tuc"
INSTRUCTIONS_SHEET = "huong_dan"

# (name, parent, path from the parent's row object, numbered, scalar)
_LAYOUT: tuple[tuple[str, str | None, tuple[str, ...], bool, bool], ...] = (
    ("thu_tuc", None, (), False, False),
    ("yeu_cau_dieu_kien", "thu_tuc", ("requirements",), False, True),
    ("trinh_tu", "thu_tuc", ("steps",), False, False),
    ("cach_thuc", "thu_tuc", ("methods",), True, False),
    ("phi_le_phi", "cach_thuc", ("fees",), False, False),
    ("thanh_phan_ho_so", "thu_tuc", ("documents",), False, False),
    ("truong_hop", "thu_tuc", ("cases",), True, False),
    ("ho_so_truong_hop", "truong_hop", ("documents",), False, False),
    ("cach_thuc_truong_hop", "truong_hop", ("methods",), True, False),
    ("phi_truong_hop", "cach_thuc_truong_hop", ("fees",), False, False),
    ("tra_ket_qua", "thu_tuc", ("returning_methods",), False, False),
    ("ket_qua", "thu_tuc", ("results",), False, False),
    ("can_cu_phap_ly", "thu_tuc", ("legal_basis",), False, False),
    ("thay_the", "thu_tuc", ("replaces",), False, False),
    ("cong_viec", "thu_tuc", ("compliance_cost", "activities"), False, False),
    ("ra_soat", "thu_tuc", ("reviews",), False, False),
    ("don_gian_hoa", "thu_tuc", ("simplifications",), True, False),
    ("du_lieu_thay_the", "don_gian_hoa", ("data_lookups",), False, False),
    ("sua_doi", "thu_tuc", ("amendments",), False, False),
)

CODE_KEY, STT_KEY, AGENCY_KEY = "#code", "#stt", "#agency"


def _resolve(node: dict[str, Any] | None, root: dict[str, Any]) -> dict[str, Any]:
    node = node or {}
    while "$ref" in node:
        extra = {k: v for k, v in node.items() if k != "$ref"}
        node = {**root["$defs"][node["$ref"].split("/")[-1]], **extra}
    return node


def _at(node: dict[str, Any], root: dict[str, Any], path: Iterable[str]) -> dict[str, Any]:
    """The schema of the items of the list at ``path`` below ``node`` (an object schema)."""
    for key in path:
        node = _resolve(node, root)
        if node.get("type") == "array":
            node = _resolve(node.get("items"), root)
        node = _resolve(node.get("properties", {}).get(key), root)
    if node.get("type") == "array":
        node = _resolve(node.get("items"), root)
    return node


def _property(schema: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any]:
    """The (unresolved) property schema at ``path``, stepping into list items on the way."""
    node: dict[str, Any] = schema
    prop: dict[str, Any] = {}
    for key in path:
        node = _resolve(node, schema)
        if node.get("type") == "array":
            node = _resolve(node.get("items"), schema)
        prop = node.get("properties", {}).get(key, {})
        node = prop
    return prop


def _columns(node: dict[str, Any], root: dict[str, Any], skip: set[tuple[str, ...]], prefix: tuple[str, ...] = (),
             title_prefix: str = "", required: bool = True) -> list[Column]:
    node = _resolve(node, root)
    needed = set(node.get("required", []))
    out: list[Column] = []
    for key, prop in node.get("properties", {}).items():
        path = prefix + (key,)
        if path in skip:
            continue
        sub = _resolve(prop, root)
        title = prop.get("title") or sub.get("title") or key
        title = f"{title_prefix}: {title}" if title_prefix else title
        is_required = required and key in needed
        if sub.get("type") == "object":
            out += _columns(sub, root, skip, path, title, is_required)
        elif sub.get("type") == "array":
            items = _resolve(sub.get("items"), root)
            if items.get("type") == "object":  # every list of objects has its own sheet
                raise AssertionError(f"no sheet for {'.'.join(path)}")
            out.append(Column(".".join(path), title, path, "list", is_required, tuple(items.get("enum", ()))))
        else:
            kind = sub.get("type") if sub.get("type") in ("integer", "number", "boolean") else "text"
            out.append(Column(".".join(path), title, path, kind, is_required, tuple(sub.get("enum", ())),
                              sub.get("pattern") == _DATE_PATTERN))
    return out


@lru_cache(maxsize=None)
def sheets() -> tuple[Sheet, ...]:
    """Every sheet of the template, parents before children (see the module docstring)."""
    schema = load_schema("procedure")
    by_name = {name: (parent, path) for name, parent, path, _, _ in _LAYOUT}

    def full_path(name: str) -> tuple[str, ...]:
        parent, path = by_name[name]
        return (full_path(parent) if parent else ()) + path

    out: list[Sheet] = []
    for name, parent, path, numbered, scalar in _LAYOUT:
        node = _at(schema, schema, full_path(name)) if parent else schema
        # lists with their own sheet, relative to this sheet's row object
        skip = {p for n, par, p, _, _ in _LAYOUT if par == name}
        keys: list[Column] = []
        if parent is None:
            keys.append(Column(AGENCY_KEY, "Cơ quan công bố (mã trong agencies.yaml)", (), "key", True))
        else:
            keys.append(Column(CODE_KEY, "Mã thủ tục", (), "key", True))
            if by_name[parent][0] is not None:
                keys.append(Column(f"#{parent}", f"STT dòng ở trang {parent}", (), "key", True))
        if numbered:
            keys.append(Column(STT_KEY, "STT (trong thủ tục)", (), "key", True))
        title = _property(schema, full_path(name)).get("title", name) if parent else schema.get("title", name)
        if scalar:
            columns = [Column(path[-1], title, (), "text", True)]
        else:
            columns = _columns(node, schema, skip)
        out.append(Sheet(name, title, "procedure", parent, path, numbered, scalar, tuple(keys + columns)))
    for name, kind, key in (("co_quan", "agencies", "agencies"), ("linh_vuc", "sectors", "sectors")):
        schema = load_schema(kind)
        node = _at(schema, schema, (key,))
        title = schema["properties"][key].get("title", name)
        out.append(Sheet(name, title, kind, None, (key,), False, False, tuple(_columns(node, schema, set()))))
    return tuple(out)


def sheet(name: str) -> Sheet | None:
    """The template sheet called ``name``."""
    return next((s for s in sheets() if s.name == name), None)


# ---------------------------------------------------------------------------
# Cells


def encode(value: Any, column: Column) -> Any:
    """The cell value for ``value`` (see the module docstring); ``None`` for an absent field."""
    if value is None:
        return None
    if column.kind == "list" and isinstance(value, list):
        if not value or any(not isinstance(v, str) or "\n" in v or "\r" in v or not v.strip() for v in value) or (
                len(value) == 1 and _json_list(value[0]) is not None):
            return json.dumps(value, ensure_ascii=False)
        return "\n".join(value)
    if isinstance(value, float) and value.is_integer():
        return repr(value)
    return value


def _json_list(text: str) -> list[Any] | None:
    """``text`` as a JSON array, or ``None`` when it is not one."""
    if not text.lstrip().startswith("["):
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, list) else None


def get_path(data: dict[str, Any], path: tuple[str, ...]) -> Any:
    """The value at ``path`` in nested dicts, or ``None``."""
    value: Any = data
    for key in path:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


# ---------------------------------------------------------------------------
# Rows of a catalog


@dataclass
class TemplateRows:
    """The rows of every sheet, ready to write: ``sheet name -> list of rows (cell values)``."""

    rows: dict[str, list[list[Any]]]
    long_texts: list[str]


def template_rows(procedures: Iterable[tuple[str, dict[str, Any]]], agencies: list[dict[str, Any]],
                  sectors: list[dict[str, Any]]) -> TemplateRows:
    """Lay out ``procedures`` (``(publishing agency id, record)``, in the order given) and the two lists.

    Returns:
        The rows of each sheet (without headers) and, for each text longer than
        :data:`EXCEL_CELL_LIMIT`, ``"sheet!cell (code, key)"``.
    """
    from openpyxl.utils import get_column_letter

    by_name = {s.name: s for s in sheets()}
    rows: dict[str, list[list[Any]]] = {s.name: [] for s in sheets()}
    long_texts: list[str] = []

    def emit(s: Sheet, obj: Any, keys: dict[str, Any], code: str) -> None:
        cells = []
        for column in s.columns:
            if column.kind == "key":
                value = keys.get(column.key)
            elif s.scalar:
                value = obj
            else:
                value = encode(get_path(obj, column.path), column)
            if isinstance(value, str) and (bad := _UNWRITABLE.search(value)):
                from generator.errors import TthcError

                raise TthcError(_("{code}: {field}: the text holds the control character U+{char}, which a spreadsheet cell "
                                  "cannot keep; remove it from the record and export again").format(
                    code=code, field=column.key, char=f"{ord(bad.group()):04X}"))
            if isinstance(value, str) and len(value) > EXCEL_CELL_LIMIT:
                long_texts.append(f"{s.name}!{get_column_letter(len(cells) + 1)}{len(rows[s.name]) + 3} "
                                  f"({code}, {column.key}: {len(value)} characters)")
            cells.append(value)
        rows[s.name].append(cells)

    counters: dict[tuple[str, str], int] = {}

    def children(parent: Sheet, obj: dict[str, Any], code: str, parent_stt: int | None) -> None:
        for child in (s for s in sheets() if s.parent == parent.name):
            items = get_path(obj, child.path) or []
            for item in items:
                keys: dict[str, Any] = {CODE_KEY: code}
                if parent_stt is not None:
                    keys[f"#{parent.name}"] = parent_stt
                index = None
                if child.numbered:  # numbered 1, 2... within the procedure, across the whole sheet
                    index = counters[(child.name, code)] = counters.get((child.name, code), 0) + 1
                    keys[STT_KEY] = index
                emit(child, item, keys, code)
                if child.numbered:
                    children(child, item, code, index)

    root = by_name[ROOT_SHEET]
    for agency, record in procedures:
        code = str(record.get("code", ""))
        emit(root, record, {AGENCY_KEY: agency}, code)
        children(root, record, code, None)
    for name, entries in (("co_quan", agencies), ("linh_vuc", sectors)):
        for entry in entries:
            emit(by_name[name], entry, {}, str(entry.get("id", "")))
    return TemplateRows(rows, long_texts)


_INSTRUCTIONS = (
    "Mẫu bảng tính danh mục thủ tục hành chính (tthc). Nhập xong, chạy: tthc import TỆP.xlsx",
    "Dòng 1: tên cột tiếng Việt (nhãn trong lược đồ). Dòng 2 (màu xám): khóa máy đọc, không sửa. Dữ liệu từ dòng 3.",
    "Trang thu_tuc: mỗi dòng một thủ tục. Cột #agency: mã cơ quan công bố trong agencies.yaml.",
    "Các trang khác: mỗi dòng một mục của một thủ tục, nối với thủ tục qua cột #code (mã thủ tục).",
    "Thứ tự các dòng của một thủ tục trong trang là thứ tự trong hồ sơ thủ tục.",
    "Trang có cột #stt (cach_thuc, truong_hop, don_gian_hoa): đánh số 1, 2... trong mỗi thủ tục; "
    "trang con (phi_le_phi, ho_so_truong_hop, du_lieu_thay_the) ghi số đó ở cột #cach_thuc / #truong_hop / #don_gian_hoa.",
    "Danh sách ngắn (cấp thực hiện, đối tượng, cơ quan...): mỗi mục một dòng trong ô (Alt+Enter).",
    "Giá trị chọn (in_person, working_days, in_force...) theo lược đồ; cũng nhận nhãn tiếng Việt (Trực tiếp, ngày làm việc...).",
    "Ngày ghi dạng YYYY-MM-DD (ô định dạng Text). Ô để trống là không có thông tin.",
    "Trang co_quan, linh_vuc: danh mục cơ quan (agencies.yaml) và lĩnh vực (sectors.yaml).",
)


def template_workbook(rows: TemplateRows) -> bytes:
    """The XLSX bytes of the template holding ``rows`` (same rows, same bytes).

    Text cells are written as text (never formulas). Headers are frozen; enum
    columns get a drop-down of the allowed values (warning only, so Vietnamese
    labels may be typed too).
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook(write_only=True)
    guide = book.create_sheet(INSTRUCTIONS_SHEET)
    guide.column_dimensions["A"].width = 24
    guide.column_dimensions["B"].width = 60
    for line in _INSTRUCTIONS:
        guide.append([line])
    guide.append([])
    guide.append(["Trang", "Nội dung", "Số dòng"])
    for s in sheets():
        guide.append([s.name, s.title, len(rows.rows[s.name])])
    bold, grey = Font(bold=True), Font(color="808080", size=9)
    key_fill = PatternFill("solid", fgColor="F2F2F2")
    wrap = Alignment(wrap_text=True, vertical="top")
    for s in sheets():
        ws = book.create_sheet(s.name)
        ws.freeze_panes = "A3"
        last = len(rows.rows[s.name]) + 1002
        for index, column in enumerate(s.columns, start=1):
            width = 14 if column.kind in ("key", "integer", "number", "boolean") or column.enum else 40
            letter = get_column_letter(index)
            ws.column_dimensions[letter].width = width
            if column.enum and column.kind != "list":
                check = DataValidation(type="list", formula1='"' + ",".join(column.enum) + '"', allow_blank=True,
                                       errorStyle="warning", showErrorMessage=True)
                check.add(f"{letter}3:{letter}{last}")
                ws.data_validations.append(check)
        ws.append([_cell(ws, c.title, font=bold, alignment=wrap) for c in s.columns])
        ws.append([_cell(ws, c.key, font=grey, fill=key_fill) for c in s.columns])
        for values in rows.rows[s.name]:
            ws.append([_cell(ws, v) if isinstance(v, str) else v for v in values])
    fixed = dt.datetime(2000, 1, 1)
    book.properties.created = fixed
    book.properties.modified = fixed
    buffer = io.BytesIO()
    book.save(buffer)
    return fixed_zip(buffer.getvalue())


def _cell(ws: Any, value: str, **style: Any) -> Any:
    """A write-only cell holding ``value`` as text (never a formula), with ``style`` (font, fill...)."""
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(ws, value=None)
    cell._value, cell.data_type = value, "s"
    for name, value_ in style.items():
        setattr(cell, name, value_)
    return cell


def template_csv(rows: TemplateRows) -> dict[str, bytes]:
    """``file name -> bytes`` of one CSV per sheet (UTF-8 with BOM so Excel reads Vietnamese; ``\\n`` line ends).

    Both header rows are written; numbers as digits, yes/no as ``TRUE``/``FALSE``. A text cell that
    starts with ``=``, ``+``, ``-``, ``@`` or a tab gets a leading ``'`` so no spreadsheet runs it as a
    formula, and so does one that starts with ``'`` itself; the importer removes exactly that one
    ``'`` (:func:`generator.workbook.escape_cell`, :func:`~generator.workbook.unescape_cell`), so the
    round trip stays lossless.
    """
    import csv

    out: dict[str, bytes] = {}
    for s in sheets():
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow([c.title for c in s.columns])
        writer.writerow([c.key for c in s.columns])
        for values in rows.rows[s.name]:
            writer.writerow(["" if v is None else ("TRUE" if v is True else "FALSE" if v is False else escape_cell(v))
                             for v in values])
        out[f"{s.name}.csv"] = buffer.getvalue().encode("utf-8-sig")
    return out


def catalog_template(root: Any, agency: str | None = None) -> TemplateRows:
    """The template rows of the catalog at ``root`` (procedures sorted by agency folder, then code).

    Reads through :mod:`generator.load` and refuses an invalid catalog, so that
    what is exported is what ``tthc validate`` accepts.

    Args:
        root: The catalog folder.
        agency: Only this publishing agency's procedures (its id); agencies and sectors are always all.

    Raises:
        UsageError: ``root`` is not a folder, or ``agency`` is not in agencies.yaml.
        CatalogInvalid: The catalog has errors.
    """
    from pathlib import Path

    from generator.errors import CatalogInvalid, UsageError
    from generator.validate import check_catalog_files, load_catalog_files

    root = Path(root)
    if not root.is_dir():
        raise UsageError(_("catalog folder not found: {folder} (run from the repository root, or pass --catalog DIR)").format(folder=root))
    files = load_catalog_files(root)
    report = check_catalog_files(files)
    if report.errors:
        raise CatalogInvalid(report)
    agencies = list(files.agencies.data["agencies"]) if files.agencies else []
    sectors = list(files.sectors.data["sectors"]) if files.sectors else []
    if agency is not None and agency not in {a["id"] for a in agencies}:
        raise UsageError(_("--agency {agency!r} is not in agencies.yaml").format(agency=agency))
    procedures = sorted(((path.parent.name, loaded.data) for path, loaded in files.procedures
                         if agency is None or path.parent.name == agency), key=lambda item: (item[0], item[1]["code"]))
    return template_rows(procedures, agencies, sectors)
