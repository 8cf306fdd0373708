"""The agency spreadsheet template: `tthc export --format xlsx|csv` and `tthc import` of it, and the portal's lists.

Round trips on the whole real catalog (identical YAML bytes) and on the
review-cycle cases of tests/cases/valid (simplifications, promises, data
look-ups, reviews, replaces, amendments); one test per kind of bad input,
each checking the rule, the sheet!cell, the row and column, and what was
(not) written; and the import of every portal list export.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.load import load_file
from generator.spreadsheet import catalog_template, sheet, template_workbook

ROOT = Path(__file__).resolve().parents[1]
CATALOG = ROOT / "catalog"
MINI = Path(__file__).parent / "fixtures" / "mini_catalog"
CASES = Path(__file__).parent / "cases"
LISTS = ROOT.parent / "shared" / "data" / "raw" / "dvcqg-chatbot-tthc" / "lists"


def tthc(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def catalog_files(root: Path) -> dict[str, bytes]:
    """The catalog's files, without the editor's schema line that the importer writes first
    (generator/schema_ref.py; the bundled catalog's files do not have it yet)."""
    return {p.relative_to(root).as_posix(): re.sub(rb"\A# yaml-language-server: \$schema=\S+\n", b"", p.read_bytes())
            for p in sorted(root.rglob("*.yaml")) if p.name in ("agencies.yaml", "sectors.yaml") or "procedures" in p.parts}


# --- round trips --------------------------------------------------------------

@pytest.mark.slow
def test_real_catalog_round_trips_through_xlsx_byte_for_byte(tmp_path: Path) -> None:
    workbook = tmp_path / "thu-tuc.xlsx"
    code, output = tthc("export", "--catalog", str(CATALOG), "--format", "xlsx", "-o", str(workbook))
    assert code == 0, output
    # the one text longer than an Excel cell is reported, not cut
    assert "yeu_cau_dieu_kien!B" in output and "2.001538" in output
    code, output = tthc("import", str(workbook), "--catalog", str(tmp_path / "catalog"))
    assert code == 0, output
    original, imported = catalog_files(CATALOG), catalog_files(tmp_path / "catalog")
    assert len(original) == 1523 + 2
    assert imported.keys() == original.keys()
    assert [name for name in original if original[name] != imported[name]] == []


def _case_catalog(tmp_path: Path) -> Path:
    """tests/cases/base with every valid review-cycle case as its own procedure (codes 1.0009xx)."""
    root = tmp_path / "src"
    shutil.copytree(CASES / "base", root)
    for number, case in enumerate(sorted((CASES / "valid").glob("*.yaml"))):
        data = load_file(case, "procedure").data
        if not isinstance(data, dict) or "# case:" in case.read_text(encoding="utf-8-sig").split("\n")[0]:
            continue
        from generator.importer.writer import write_yaml

        code = data["code"] if data["code"] != "1.000001" or number == 0 else f"1.0009{number:02d}"
        data["code"] = code
        write_yaml(root / "procedures" / "bo-xay-dung" / f"{code}.yaml", data, "procedure")
    return root


def _prune(value):
    if isinstance(value, dict):
        return {k: _prune(v) for k, v in value.items() if v not in ([], {})}
    if isinstance(value, list):
        return [_prune(v) for v in value]
    return value


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_review_cycle_fields_round_trip(tmp_path: Path, fmt: str) -> None:
    root = _case_catalog(tmp_path)
    for path in MINI.glob("procedures/*/*.yaml"):  # more real shapes: cases with their documents, internal procedures
        if not (root / "procedures" / path.parent.name / path.name).exists():
            (root / "procedures" / path.parent.name).mkdir(parents=True, exist_ok=True)
            shutil.copy(path, root / "procedures" / path.parent.name / path.name)
    from generator.importer.writer import write_yaml

    for kind in ("agencies", "sectors"):  # the entries of both catalogs
        entries = load_file(root / f"{kind}.yaml", kind).data[kind]
        names = {e["name"] for e in entries} | {e["id"] for e in entries}
        entries += [e for e in load_file(MINI / f"{kind}.yaml", kind).data[kind] if not {e["name"], e["id"]} & names]
        write_yaml(root / f"{kind}.yaml", {kind: entries}, kind)
    out = tmp_path / ("t.xlsx" if fmt == "xlsx" else "csv")
    code, output = tthc("export", "--catalog", str(root), "--format", fmt, "-o", str(out))
    assert code == 0, output
    if fmt == "xlsx":  # same catalog, same bytes (fixed timestamps in the zip)
        first = out.read_bytes()
        assert tthc("export", "--catalog", str(root), "--format", fmt, "-o", str(out))[0] == 0
        assert out.read_bytes() == first
    sources = [str(out)] if fmt == "xlsx" else [str(p) for p in sorted(out.glob("*.csv"))]
    code, output = tthc("import", *sources, "--catalog", str(tmp_path / "catalog"))
    assert code == 0, output
    original, imported = catalog_files(root), catalog_files(tmp_path / "catalog")
    assert imported.keys() == original.keys()
    for name in original:
        kind = "procedure" if "procedures" in name else name.removesuffix(".yaml")
        # an empty list or group (`fees: []`) is no value: the template has no row for it
        assert load_file(tmp_path / "catalog" / name, kind).data == _prune(load_file(root / name, kind).data), name
    data = [load_file(root / n, "procedure").data for n in original if "procedures" in n]
    # the cases really exercise the nested sheets
    assert any(s.get("promised") for d in data for s in d.get("simplifications", []))
    assert any(s.get("data_lookups") for d in data for s in d.get("simplifications", []))
    assert any(d.get("reviews") for d in data) and any(d.get("replaces") for d in data)


# --- bad input ----------------------------------------------------------------

@pytest.fixture
def workbook(tmp_path: Path) -> Path:
    """The template of the mini catalog, as exported."""
    path = tmp_path / "mau.xlsx"
    path.write_bytes(template_workbook(catalog_template(MINI)))
    return path


def _target(tmp_path: Path) -> Path:
    """An empty catalog that knows the mini catalog's agencies and sectors."""
    root = tmp_path / "catalog"
    root.mkdir(parents=True)
    for name in ("agencies.yaml", "sectors.yaml"):
        shutil.copy(MINI / name, root / name)
    return root


def _column(ws, key: str) -> int:
    return next(c.column for c in ws[2] if c.value == key)


def _row_of(ws, code: str, key: str = "#code") -> int:
    col = _column(ws, key)
    return next(r for r in range(3, ws.max_row + 1) if ws.cell(r, col).value == code)


def _import(path: Path, target: Path) -> tuple[int, list[str], set[str]]:
    code, output = tthc("import", str(path), "--catalog", str(target))
    written = {p.stem for p in (target / "procedures").glob("*/*.yaml")}
    return code, output.splitlines(), written


def _line(lines: list[str], rule: str) -> str:
    found = [line for line in lines if f"[{rule}]" in line]
    assert len(found) == 1, lines
    return found[0]


def test_missing_required_column_refuses_the_workbook(workbook: Path, tmp_path: Path) -> None:
    book = openpyxl.load_workbook(workbook)
    ws = book["cach_thuc"]
    ws.delete_cols(_column(ws, "channel"))
    book.save(workbook)
    code, lines, written = _import(workbook, _target(tmp_path))
    assert code == 1 and written == set()
    line = _line(lines, "column-missing")
    assert line.startswith(f"{workbook.as_posix()}:2:0: error[column-missing] cach_thuc!2:2: ")
    assert "'channel' (Hình thức nộp)" in line and "hint:" in line


def test_wrong_type_in_a_cell_refuses_that_procedure_and_those_it_would_leave_invalid(workbook: Path, tmp_path: Path) -> None:
    book = openpyxl.load_workbook(workbook)
    ws = book["thanh_phan_ho_so"]
    row, col = _row_of(ws, "1.000002"), _column(ws, "copies")
    ws.cell(row, col).value = "hai"
    book.save(workbook)
    code, lines, written = _import(workbook, _target(tmp_path))
    assert code == 1
    cell = f"{openpyxl.utils.get_column_letter(col)}{row}"
    line = _line(lines, "schema-type")
    assert line.startswith(f"{workbook.as_posix()}:{row}:{col}: error[schema-type] thanh_phan_ho_so!{cell}: documents[")
    assert "expected a whole number (Bản sao), got the text \"hai\"" in line
    # Written, 1.000001 (related to 1.000002) would fail tthc validate, and so, in turn, 2.000003 (related
    # to 1.000001) and 1.000003 (replaced by 2.000003): each is refused with its error at its cell.
    assert written == {"2.000100", "2.000101", "2.000102", "5.000010", "6.000200"}
    related = [line for line in lines if "error[unknown-related]" in line]
    assert any(f":{_row_of(book['thu_tuc'], '1.000001', 'code')}:" in line and 'related procedure "1.000002" is not in the catalog'
               in line for line in related)
    assert any('error[unknown-replaced-by] thu_tuc!' in line and '"2.000003"' in line for line in lines)


def test_unknown_channel(workbook: Path, tmp_path: Path) -> None:
    book = openpyxl.load_workbook(workbook)
    ws = book["cach_thuc"]
    row, col = _row_of(ws, "1.000001"), _column(ws, "channel")
    ws.cell(row, col).value = "fax"
    book.save(workbook)
    code, lines, written = _import(workbook, _target(tmp_path))
    line = _line(lines, "schema-enum")
    assert code == 1 and "1.000001" not in written
    assert f":{row}:{col}: error[schema-enum] cach_thuc!{openpyxl.utils.get_column_letter(col)}{row}: methods[0].channel: 'fax'" in line
    assert "in_person, online, postal" in line


def test_vietnamese_labels_are_read_as_the_allowed_values(workbook: Path, tmp_path: Path) -> None:
    book = openpyxl.load_workbook(workbook)
    ws = book["cach_thuc"]
    row, col = _row_of(ws, "1.000001"), _column(ws, "channel")
    before = ws.cell(row, col).value
    labels = {"in_person": "Trực tiếp", "online": "Trực tuyến", "postal": "Dịch vụ bưu chính"}
    ws.cell(row, col).value = labels[before]
    book.save(workbook)
    target = _target(tmp_path)
    code, lines, written = _import(workbook, target)
    assert code == 0, lines
    data = load_file(next((target / "procedures").glob("*/1.000001.yaml")), "procedure").data
    assert data["methods"][0]["channel"] == before


def test_fee_kind_and_postal_channel_as_agencies_write_them(workbook: Path, tmp_path: Path) -> None:
    """'Phí' / 'Lệ phí' (model.FEE_KIND_LABELS) and 'Qua bưu chính' are read as fee, charge and postal."""
    book = openpyxl.load_workbook(workbook)
    fees = book["phi_le_phi"]
    kind_col, code_col = _column(fees, "kind"), _column(fees, "#code")
    rows = [r for r in range(1, fees.max_row + 1) if fees.cell(r, code_col).value == "1.000001"]
    assert len(rows) == 2, "1.000001 has a fee on each of its two channels"
    fees.cell(rows[0], kind_col).value = "Lệ phí"
    fees.cell(rows[1], kind_col).value = "phí"
    methods = book["cach_thuc"]
    row, col = _row_of(methods, "1.000001"), _column(methods, "channel")
    methods.cell(row, col).value = "Qua bưu chính"
    book.save(workbook)
    target = _target(tmp_path)
    code, lines, written = _import(workbook, target)
    assert code == 0, lines
    data = load_file(next((target / "procedures").glob("*/1.000001.yaml")), "procedure").data
    assert data["methods"][0]["channel"] == "postal"
    assert [fee.get("kind") for method in data["methods"] for fee in method.get("fees") or []] == ["charge", "fee"]


def test_duplicate_code(workbook: Path, tmp_path: Path) -> None:
    book = openpyxl.load_workbook(workbook)
    ws = book["thu_tuc"]
    first = _row_of(ws, "1.000003", "code")
    ws.append([c.value for c in ws[first]])
    book.save(workbook)
    code, lines, written = _import(workbook, _target(tmp_path))
    line = _line(lines, "code-unique")
    assert code == 1 and "1.000003" not in written and len(written) == 8
    assert f":{ws.max_row}:{_column(ws, 'code')}: error[code-unique] thu_tuc!" in line
    assert f"already used by row {first} of sheet thu_tuc" in line


def test_code_typed_as_a_number(workbook: Path, tmp_path: Path) -> None:
    book = openpyxl.load_workbook(workbook)
    ws = book["thu_tuc"]
    row, col = _row_of(ws, "2.000100", "code"), _column(ws, "code")
    ws.cell(row, col).value = 2.0001
    book.save(workbook)
    code, lines, written = _import(workbook, _target(tmp_path))
    line = _line(lines, "unquoted-number")
    assert code == 1 and "2.000100" not in written
    assert f":{row}:{col}: error[unquoted-number] thu_tuc!" in line and "format the column as Text" in line


def test_empty_row_is_skipped_with_a_warning(workbook: Path, tmp_path: Path) -> None:
    book = openpyxl.load_workbook(workbook)
    ws = book["thu_tuc"]
    ws.insert_rows(4)
    book.save(workbook)
    code, lines, written = _import(workbook, _target(tmp_path))
    assert code == 0, lines
    line = _line(lines, "empty-row")
    assert line.startswith(f"{workbook.as_posix()}:4:0: warning[empty-row] thu_tuc!4:4: row 4 of sheet thu_tuc is empty")
    assert len(written) == 9


def test_document_of_a_missing_procedure(workbook: Path, tmp_path: Path) -> None:
    book = openpyxl.load_workbook(workbook)
    ws = book["thanh_phan_ho_so"]
    row, col = _row_of(ws, "1.000002"), _column(ws, "#code")
    ws.cell(row, col).value = "1.999999"
    book.save(workbook)
    code, lines, written = _import(workbook, _target(tmp_path))
    line = _line(lines, "orphan-row")
    assert code == 1
    assert f":{row}:{col}: error[orphan-row] thanh_phan_ho_so!A{row}: #code: row {row} of sheet thanh_phan_ho_so " \
           "belongs to procedure 1.999999, which has no row in sheet thu_tuc" in line
    assert "1.999999" not in written and len(written) == 9


def test_unknown_sheet_column_and_not_a_template(workbook: Path, tmp_path: Path) -> None:
    book = openpyxl.load_workbook(workbook)
    ws = book["trinh_tu"]
    ws.cell(2, ws.max_column + 1).value = "descripton"
    book.create_sheet("ghi_chu")
    book.save(workbook)
    code, lines, written = _import(workbook, _target(tmp_path))
    assert code == 1 and written == set()
    assert "rename it 'description' if that is the column meant" in _line(lines, "schema-unknown-key")
    assert "trang" not in _line(lines, "sheet-unknown") and "ghi_chu" in _line(lines, "sheet-unknown")
    other = tmp_path / "other.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["a", "b"])
    book.save(other)
    code, lines, _ = _import(other, _target(tmp_path / "x"))
    assert code == 1 and "[not-a-template]" in "\n".join(lines)


def test_sheet_without_key_row_is_read_by_its_vietnamese_labels(tmp_path: Path) -> None:
    """A civil servant's own CSV: only the row of labels, a procedure and its method."""
    folder = tmp_path / "csv"
    folder.mkdir()
    spec = sheet("thu_tuc")
    titles = {c.key: c.title for c in spec.columns}
    row = {"#agency": "bo-xay-dung", "code": "1.000999", "name": "Cấp giấy phép thử", "kind": "TTHC",
           "levels": "Cấp tỉnh\nCấp xã", "sector": "hoat-dong-xay-dung", "publication.decision": "1/QĐ-BXD", "status": "in_force"}
    import csv

    with open(folder / "thu_tuc.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow([titles[k] for k in row])
        w.writerow(row.values())
    with open(folder / "cach_thuc.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["Mã thủ tục", "STT (trong thủ tục)", "Hình thức nộp", "Thời hạn giải quyết: Thời gian", "Thời hạn giải quyết: Đơn vị"])
        w.writerow(["1.000999", "1", "Trực tuyến", "15", "ngày làm việc"])
    target = _target(tmp_path)
    code, output = tthc("import", str(folder / "thu_tuc.csv"), str(folder / "cach_thuc.csv"), "--catalog", str(target))
    assert code == 0, output
    data = load_file(target / "procedures" / "bo-xay-dung" / "1.000999.yaml", "procedure").data
    assert data["kind"] == "external" and data["levels"] == ["province", "commune"]
    assert data["methods"] == [{"channel": "online", "processing_time": {"value": 15, "unit": "working_days"}}]


# --- the portal's list exports -----------------------------------------------

LIST_ROWS = {"BoCongAn": 339, "BoTaiChinh": 706, "BoTuPhap": 271, "BoXayDung": 525, "NganhangNhanuocVietNam": 261,
             "NongNghiepvaMoiTruong": 537, "ToaAnNhanDan": 3}


@pytest.mark.skipif(not LISTS.is_dir(), reason="shared data ../shared/data/raw not present")
@pytest.mark.parametrize("name", sorted(LIST_ROWS))
def test_portal_list_export_is_checked_and_never_turned_into_records(name: str, tmp_path: Path) -> None:
    path = LISTS / f"danh-sach-tthc-{name}.xlsx"
    # a catalog holding (empty stand-ins for) the bundled procedures: only their codes matter here
    target = tmp_path / "catalog"
    for file in CATALOG.glob("procedures/*/*.yaml"):
        (target / "procedures" / file.parent.name).mkdir(parents=True, exist_ok=True)
        (target / "procedures" / file.parent.name / file.name).touch()
    before = sorted(p.as_posix() for p in target.rglob("*"))
    code, output = tthc("import", str(path), "--catalog", str(target))
    assert code == 0, output
    assert sorted(p.as_posix() for p in target.rglob("*")) == before  # nothing written, nothing invented
    sheet_rows = openpyxl.load_workbook(path, read_only=True).active.iter_rows(min_row=3, values_only=True)
    codes = [str(r[0]).strip() for r in sheet_rows if r and r[0]]
    assert len(codes) == LIST_ROWS[name]
    in_catalog = {p.stem for p in CATALOG.glob("procedures/*/*.yaml")}
    missing = [c for c in codes if c not in in_catalog]
    warnings = [line for line in output.splitlines() if "[list-incomplete]" in line]
    assert len(warnings) == len(missing)
    if missing:
        first = warnings[0]
        assert re.match(rf"{re.escape(path.as_posix())}:\d+:1: warning\[list-incomplete\] Danh sách TTHC!A\d+: ", first)
        assert "Quyết định công bố" in first and "not written" in first
    assert f"{len(codes)} list row(s) read, {len(codes) - len(missing)} already in the catalog" in output


@pytest.mark.skipif(not LISTS.is_dir(), reason="shared data ../shared/data/raw not present")
def test_portal_list_names_are_checked_against_the_catalog() -> None:
    """Each row whose name differs from the catalog's record gets a list-differs warning at its Tên cell, and only those."""
    path = LISTS / "danh-sach-tthc-BoCongAn.xlsx"
    code, output = tthc("import", str(path), "--catalog", str(CATALOG))  # reads only: nothing is written from a list
    assert code == 0
    files = {p.stem: p for p in CATALOG.glob("procedures/*/*.yaml")}
    rows = openpyxl.load_workbook(path, read_only=True).active.iter_rows(min_row=3, values_only=True)
    differ = set()
    for number, row in enumerate(rows, start=3):
        if row[0] in files and " ".join(str(row[1]).split()).casefold() != " ".join(
                load_file(files[row[0]], "procedure").data["name"].split()).casefold():
            differ.add(number)
    warned = {int(m.group(1)) for m in re.finditer(r"xlsx:(\d+):2: warning\[list-differs\]", output)}
    assert warned == differ


# --- cells that spreadsheets like to change -----------------------------------

def test_awkward_values_survive_and_existing_files_are_kept(tmp_path: Path) -> None:
    """Text that looks like a formula, a number or a list; 15.0; yes/no; list items with line breaks."""
    from generator.importer.writer import dump_yaml, write_yaml
    from generator.schema_ref import schema_modeline

    root = tmp_path / "src"
    shutil.copytree(MINI, root)
    path = root / "procedures" / "bo-xay-dung" / "1.000002.yaml"
    data = load_file(path, "procedure").data
    data.update({
        "name": "=HYPERLINK(\"http://x\") điều chỉnh",
        "keywords": "2024",
        "subjects": ["[\"a\"]"],
        "agencies": {"executing": ["Sở Xây dựng\nPhòng Quản lý", "UBND cấp xã"]},
        "related": ["1.000001"],
        "receiving_address": "  lề trắng giữ nguyên  ",
    })
    data["methods"][0]["processing_time"] = {"value": 15.0, "unit": "working_days"}
    data["documents"][0].update({"required": False, "copies": 0, "form": "Mẫu số 01"})
    write_yaml(path, data, "procedure")
    workbook = tmp_path / "t.xlsx"
    code, output = tthc("export", "--catalog", str(root), "--format", "xlsx", "-o", str(workbook))
    assert code == 0, output
    cells = {c.value for row in openpyxl.load_workbook(workbook)["thu_tuc"].iter_rows(min_row=3) for c in row}
    assert '["[\\"a\\"]"]' in cells and '["Sở Xây dựng\\nPhòng Quản lý", "UBND cấp xã"]' in cells
    target = _target(tmp_path)
    code, output = tthc("import", str(workbook), "--catalog", str(target))
    assert code == 0, output
    written = target / "procedures" / "bo-xay-dung" / "1.000002.yaml"
    # the importer's files start with the editor's schema line (generator/schema_ref.py)
    assert written.read_bytes() == (schema_modeline(written, "procedure") + dump_yaml(data, "procedure")).encode("utf-8")
    assert "value: 15.0\n" in written.read_text(encoding="utf-8")
    # a second import leaves existing files alone unless --overwrite
    written.write_text("code: \"1.000002\"\n", encoding="utf-8")
    code, output = tthc("import", str(workbook), "--catalog", str(target))
    assert code == 0 and "9 left as they were" in output
    assert written.read_text(encoding="utf-8") == "code: \"1.000002\"\n"
    code, output = tthc("import", str(workbook), "--catalog", str(target), "--overwrite")
    assert code == 0 and written.read_bytes() == (schema_modeline(written, "procedure") + dump_yaml(data, "procedure")).encode("utf-8")


def test_spreadsheets_and_json_are_imported_in_separate_runs(workbook: Path, tmp_path: Path) -> None:
    other = tmp_path / "record.json"
    other.write_text("{}", encoding="utf-8")
    code, output = tthc("import", str(workbook), str(other), "--catalog", str(_target(tmp_path)))
    assert code == 2 and "separate runs" in output


def test_text_a_cell_cannot_keep_is_refused_on_export(tmp_path: Path) -> None:
    root = tmp_path / "src"
    shutil.copytree(MINI, root)
    path = root / "procedures" / "bo-xay-dung" / "1.000002.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("name: Điều chỉnh giấy phép xây dựng",
                                                              'name: "Điều chỉnh\\rgiấy phép"'), encoding="utf-8")
    assert load_file(path, "procedure").data["name"] == "Điều chỉnh\rgiấy phép"
    code, output = tthc("export", "--catalog", str(root), "--format", "xlsx", "-o", str(tmp_path / "t.xlsx"))
    # the control character is refused before export, by validation (a cell could not keep it either)
    assert code == 1 and "1.000002.yaml:2:7: error[" in output and "name" in output
    assert not (tmp_path / "t.xlsx").exists()


def test_a_rule_of_validate_refuses_the_procedure_at_its_cell(workbook: Path, tmp_path: Path) -> None:
    """The schema is not all: a publication date in the future passes the schema and fails tthc validate."""
    book = openpyxl.load_workbook(workbook)
    ws = book["thu_tuc"]
    row, col = _row_of(ws, "2.000100", "code"), _column(ws, "publication.date")
    ws.cell(row, col).value = "2099-01-05"
    book.save(workbook)
    target = _target(tmp_path)
    dry_code, dry_lines, _ = _import_dry(workbook, target)
    assert dry_code == 1 and not (target / "procedures").exists()
    code, lines, written = _import(workbook, target)
    assert code == 1 and "2.000100" not in written and len(written) == 8
    cell = f"{openpyxl.utils.get_column_letter(col)}{row}"
    line = _line(lines, "date-future")
    assert line.startswith(f"{workbook.as_posix()}:{row}:{col}: error[date-future] thu_tuc!{cell}: publication.date: 2099-01-05")
    assert _line(dry_lines, "date-future") == line
    assert tthc("validate", "--catalog", str(target))[0] == 0


def _import_dry(path: Path, target: Path) -> tuple[int, list[str], set[str]]:
    code, output = tthc("import", str(path), "--catalog", str(target), "--dry-run")
    return code, output.splitlines(), set()


# --- CSV cells that a spreadsheet would run as a formula ------------------------------------------------

def _data_cells(folder: Path) -> list[str]:
    import csv

    out = []
    for path in sorted(folder.glob("*.csv")):
        rows = list(csv.reader(path.read_text(encoding="utf-8-sig").splitlines(keepends=True)))
        out += [cell for row in rows[2:] for cell in row]
    return out


def test_real_records_round_trip_through_csv_with_formula_cells_neutralised(tmp_path: Path) -> None:
    """bo-tu-phap's real texts start with '- Bước 1', '+ Có hộ chiếu'...: Excel would read them as formulas."""
    out = tmp_path / "csv"
    code, output = tthc("export", "--catalog", str(CATALOG), "--format", "csv", "--agency", "bo-tu-phap", "-o", str(out))
    assert code == 0, output
    cells = _data_cells(out)
    assert not [c for c in cells if c.startswith(("=", "+", "-", "@", "\t"))]
    assert sum(c.startswith(("'-", "'+")) for c in cells) > 100
    target = tmp_path / "catalog"
    code, output = tthc("import", *[str(p) for p in sorted(out.glob("*.csv"))], "--catalog", str(target))
    assert code == 0, output
    original = {n: b for n, b in catalog_files(CATALOG).items() if n.startswith("procedures/bo-tu-phap/")}
    imported = {n: b for n, b in catalog_files(target).items() if n.startswith("procedures/")}
    assert len(original) == 191 and imported == original


def test_csv_neutralising_prefix_is_removed_exactly_once(tmp_path: Path) -> None:
    root = tmp_path / "src"
    shutil.copytree(MINI, root)
    from generator.importer.writer import write_yaml

    path = root / "procedures" / "bo-xay-dung" / "1.000001.yaml"
    data = load_file(path, "procedure").data
    data["name"] = "=HYPERLINK(\"http://x.example\", \"Cấp phép\")"
    data["subjects"] = ["@Công dân", "Tổ chức"]
    data["requirements"] = ["'Có quyền' sử dụng đất", "''hai dấu", "'", "+84 số điện thoại", "-1", "\tthụt lề"]
    data["steps"][0]["description"] = "'=1+2' là văn bản"
    write_yaml(path, data, "procedure")
    out = tmp_path / "csv"
    assert tthc("export", "--catalog", str(root), "--format", "csv", "-o", str(out))[0] == 0
    cells = _data_cells(out)
    for expected in ("'=HYPERLINK(", "'@Công dân\nTổ chức", "''Có quyền' sử dụng đất", "'''hai dấu", "''", "'+84 số",
                     "'-1", "'\tthụt lề", "''=1+2' là văn bản"):
        assert any(c.startswith(expected) for c in cells), expected
    target = tmp_path / "catalog"
    code, output = tthc("import", *[str(p) for p in sorted(out.glob("*.csv"))], "--catalog", str(target))
    assert code == 0, output
    assert load_file(target / "procedures" / "bo-xay-dung" / "1.000001.yaml", "procedure").data == _prune(data)
    name = "procedures/bo-xay-dung/1.000001.yaml"  # written by the same writer on both sides: the same bytes
    assert catalog_files(target)[name] == catalog_files(root)[name]


def test_the_spreadsheet_reader_speaks_vietnamese_naming_sheet_row_and_column(workbook: Path, tmp_path: Path) -> None:
    """unknown-agency, unknown-sector, orphan-row (and every other message of the reader) through gettext."""
    book = openpyxl.load_workbook(workbook)
    ws = book["thu_tuc"]
    agency_row = _row_of(ws, "1.000001", "code")
    sector_row = _row_of(ws, "1.000002", "code")
    ws.cell(agency_row, _column(ws, "#agency")).value = "so-khong-co"
    ws.cell(sector_row, _column(ws, "sector")).value = "linh-vuc-khong-co"
    docs = book["thanh_phan_ho_so"]
    orphan = _row_of(docs, "1.000003") if any(c.value == "1.000003" for c in docs["A"]) else 3
    docs.cell(orphan, _column(docs, "#code")).value = "1.999999"
    book.save(workbook)
    result = CliRunner().invoke(main, ["import", str(workbook), "--catalog", str(_target(tmp_path))],
                                env={"LANGUAGE": "vi"})
    lines = result.output.splitlines()
    agency = _line(lines, "unknown-agency")
    assert f":{agency_row}:{_column(ws, '#agency')}: error[unknown-agency] thu_tuc!" in agency
    assert "cơ quan công bố 'so-khong-co' của thủ tục 1.000001 không có trong agencies.yaml" in agency
    assert "(hint: ghi mã cơ quan trong agencies.yaml" in agency
    sector = _line(lines, "unknown-sector")
    assert f":{sector_row}:{_column(ws, 'sector')}: error[unknown-sector] thu_tuc!" in sector
    assert "lĩnh vực 'linh-vuc-khong-co' của thủ tục 1.000002 không có trong sectors.yaml" in sector
    row = _line(lines, "orphan-row")
    assert f"dòng {orphan} của trang thanh_phan_ho_so thuộc thủ tục 1.999999, thủ tục này không có dòng nào ở trang thu_tuc" in row
    assert "(hint: thêm thủ tục vào trang thu_tuc" in row


def test_importing_into_a_new_catalog_repository_keeps_the_comments_of_agencies_and_sectors(
        workbook: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The commented example `tthc init` writes in agencies.yaml / sectors.yaml survives an import adding entries."""
    monkeypatch.chdir(tmp_path)
    assert tthc("init", "tinh", "--package", "tthc==0.1.0")[0] == 0
    catalog = tmp_path / "tinh" / "catalog"
    before = {name: (catalog / name).read_text(encoding="utf-8") for name in ("agencies.yaml", "sectors.yaml")}
    code, output = tthc("import", str(workbook), "--catalog", str(catalog))
    assert code == 0, output
    for name, text in before.items():
        header = text[:text.index(f"\n{name[:-5]}:")]  # the schema line and the commented example
        after = (catalog / name).read_text(encoding="utf-8")
        assert after.startswith(header + f"\n{name[:-5]}:\n- id: "), after[:400]
        assert load_file(catalog / name, name[:-5]).data == load_file(MINI / name, name[:-5]).data
    code, output = tthc("validate", "--catalog", str(catalog))
    assert code == 0, output
