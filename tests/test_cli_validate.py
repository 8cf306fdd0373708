"""`tthc validate` through its real entry point: formats and exit codes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from tthc_cli import tthc

ROOT = Path(__file__).resolve().parents[1]
CASES = ROOT / "tests" / "cases"


@pytest.fixture
def catalog(tmp_path: Path) -> Path:
    root = tmp_path / "catalog"
    shutil.copytree(CASES / "base", root)
    return root


def test_valid_catalog_exits_0(catalog: Path) -> None:
    shutil.copy(CASES / "valid" / "full-record.yaml", catalog / "procedures" / "bo-xay-dung" / "1.000001.yaml")
    result = tthc("validate", cwd=catalog.parent)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().endswith("ok: 0 error(s), 0 warning(s) in 4 file(s)")


def test_invalid_catalog_exits_1_with_compiler_style_lines(catalog: Path) -> None:
    shutil.copy(CASES / "invalid" / "unknown-sector.yaml", catalog / "procedures" / "bo-xay-dung" / "1.000001.yaml")
    result = tthc("validate", cwd=catalog.parent)
    assert result.returncode == 1
    assert "catalog/procedures/bo-xay-dung/1.000001.yaml:5:9: error[unknown-sector] sector: " in result.stdout
    assert "Traceback" not in result.stderr


def test_json_format_is_a_list_of_stable_records(catalog: Path) -> None:
    shutil.copy(CASES / "invalid" / "documents-copies-text.yaml", catalog / "procedures" / "bo-xay-dung" / "1.000001.yaml")
    result = tthc("validate", "--format", "json", cwd=catalog.parent)
    assert result.returncode == 1
    records = json.loads(result.stdout)
    assert records == [{
        "severity": "error", "code": "schema-type", "file": "catalog/procedures/bo-xay-dung/1.000001.yaml",
        "line": 12, "column": 13, "path": "documents[0].copies",
        "message": 'expected a whole number (Bản sao), got the text "hai"',
        "hint": "write a whole number without quotes, dots or spaces, e.g. 150000",
    }]


def test_github_format_prints_annotations(catalog: Path) -> None:
    shutil.copy(CASES / "warning" / "publication-decision-malformed.yaml", catalog / "procedures" / "bo-xay-dung" / "1.000001.yaml")
    result = tthc("validate", "--format", "github", cwd=catalog.parent)
    assert result.returncode == 0
    assert result.stdout.startswith("::warning file=catalog/procedures/bo-xay-dung/1.000001.yaml,line=7,col=13,title=tthc legal-number::publication.decision: ")


def test_strict_makes_warnings_fail(catalog: Path) -> None:
    shutil.copy(CASES / "warning" / "code-unquoted-number.yaml", catalog / "procedures" / "bo-xay-dung" / "1.001230.yaml")
    assert tthc("validate", cwd=catalog.parent).returncode == 0
    assert tthc("validate", "--strict", cwd=catalog.parent).returncode == 1


def test_paths_limit_the_report_to_those_files(catalog: Path) -> None:
    bad = catalog / "procedures" / "bo-cong-an"
    bad.mkdir()
    shutil.copy(CASES / "invalid" / "unknown-key.yaml", bad / "1.000001.yaml")
    result = tthc("validate", "catalog/procedures/bo-xay-dung", cwd=catalog.parent)
    assert result.returncode == 0, result.stdout


def test_usage_errors_exit_2(catalog: Path) -> None:
    assert tthc("validate", "--format", "xml", cwd=catalog.parent).returncode == 2
    assert tthc("no-such-command", cwd=catalog.parent).returncode == 2


def test_missing_catalog_is_a_usage_error_not_a_traceback(tmp_path: Path) -> None:
    result = tthc("validate", "--catalog", "nowhere", cwd=tmp_path)
    assert result.returncode == 2
    assert "catalog folder not found: nowhere" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("path", ["nosuch.yaml", "catalog/procedures/bo-xay-dung/9.999999.yaml", "README.md", "/"])
def test_paths_that_are_missing_or_outside_the_catalog_are_usage_errors(catalog: Path, path: str) -> None:
    (catalog.parent / "README.md").write_text("x", encoding="utf-8")
    result = tthc("validate", path, cwd=catalog.parent)
    assert result.returncode == 2, result.stdout
    assert result.stderr.startswith("tthc: error: ")


@pytest.mark.parametrize("content", ["", "null\n", "~\n", "--- null\n", "---\n"])
def test_empty_or_null_documents_are_errors(catalog: Path, content: str) -> None:
    (catalog / "procedures" / "bo-xay-dung" / "1.000001.yaml").write_text(content, encoding="utf-8")
    result = tthc("validate", cwd=catalog.parent)
    assert result.returncode == 1
    assert "error[empty-file]" in result.stdout


def test_symlinks_are_refused_not_followed(catalog: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("password: hunter2\n", encoding="utf-8")
    (catalog / "procedures" / "bo-xay-dung" / "1.000009.yaml").symlink_to(secret)
    (catalog / "procedures" / "bo-xay-dung" / "1.000008.yaml").symlink_to("1.000008.yaml")  # a loop
    result = tthc("validate", cwd=catalog.parent)
    assert result.returncode == 1
    assert result.stdout.count("error[symlink]") == 2
    assert "hunter2" not in result.stdout and "Traceback" not in result.stderr


def test_self_references_and_replacement_cycles_are_errors(catalog: Path) -> None:
    folder = catalog / "procedures" / "bo-xay-dung"
    base = (CASES / "valid" / "full-record.yaml").read_text(encoding="utf-8")
    (folder / "1.000001.yaml").write_text(base.replace('related: ["1.000002"]', 'related: ["1.000001"]'), encoding="utf-8")
    loop = (folder / "1.000002.yaml").read_text(encoding="utf-8")
    (folder / "1.000002.yaml").write_text(loop.replace("status: in_force", 'status: replaced\nreplaced_by: "1.000003"'), encoding="utf-8")
    (folder / "1.000003.yaml").write_text(loop.replace('"1.000002"', '"1.000003"').replace("status: in_force", 'status: replaced\nreplaced_by: "1.000002"'), encoding="utf-8")
    out = tthc("validate", cwd=catalog.parent).stdout
    assert "a procedure cannot be related to itself" in out
    assert "replacements go round in a circle: 1.000002 → 1.000003 → 1.000002" in out


def test_nothing_in_the_catalog_is_modified(catalog: Path) -> None:
    before = {p: p.read_bytes() for p in catalog.rglob("*") if p.is_file()}
    tthc("validate", "--format", "json", cwd=catalog.parent)
    assert {p: p.read_bytes() for p in catalog.rglob("*") if p.is_file()} == before


# --- YAML syntax errors are reported where the mistake is ------------------------------------------------

FULL_RECORD = (CASES / "valid" / "full-record.yaml").read_text(encoding="utf-8")
#: Eight lines, no quote after the first line's: a quote left open on line 2 runs on to the end of the file.
SHORT_RECORD = (CASES / "base" / "procedures" / "bo-xay-dung" / "1.000002.yaml").read_text(encoding="utf-8").replace(
    "1.000002", "1.000001")
NAME = "name: Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ"


def _syntax_error(catalog: Path, text: str, path: str, *args: str, env: dict[str, str] | None = None) -> dict:
    """The one diagnostic of ``tthc validate --format json`` for a procedure file holding ``text``, at the field ``path``
    (read from the text's indentation: the record cannot be read)."""
    (catalog / "procedures" / "bo-xay-dung" / "1.000001.yaml").write_text(text, encoding="utf-8")
    result = tthc("validate", "--format", "json", *args, cwd=catalog.parent, env=env)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stdout + result.stderr
    [record] = json.loads(result.stdout)
    assert (record["severity"], record["code"], record["file"], record["path"]) == (
        "error", "syntax", "catalog/procedures/bo-xay-dung/1.000001.yaml", path)
    return record


@pytest.mark.parametrize("base, old, new, line, column, path, message, hint", [
    # the quote of line 2 runs on to the end of the file (no other quote after it)
    (SHORT_RECORD, "name: Thủ tục", 'name: "Thủ tục', 2, 7, "name",
     'a quote " opened on line 2 is never closed: YAML looked for the closing " up to the end of the file',
     'close the value with " where it ends on line 2, or remove the opening "; write a " inside the value as \\"'),
    (SHORT_RECORD, "name: Thủ tục", "name: 'Thủ tục", 2, 7, "name",
     "a quote ' opened on line 2 is never closed: YAML looked for the closing ' up to the end of the file",
     "close the value with ' where it ends on line 2, or remove the opening '; write a ' inside the value as ''"),
    # the quote of line 2 is closed by the first quote of line 21 (what usually happens in a real file)
    (FULL_RECORD, NAME, 'name: "Cấp giấy phép', 2, 7, "name",
     'a quote " opened on line 2 is not closed on that line: YAML took the " on line 21 as its end, and cannot read '
     'what follows it there',
     'close the value with " where it ends on line 2, or remove the opening "; write a " inside the value as \\"'),
    (FULL_RECORD, '  - "Có quyền sử dụng đất hợp pháp"', '  - "Có quyền sử dụng đất hợp pháp', 42, 5, "requirements[0]",
     'a quote " opened on line 42 is not closed on that line: YAML took the " on line 50 as its end',
     'close the value with " where it ends on line 42'),
    # a '[' or '{' left open is noticed on the next line
    (FULL_RECORD, "levels: [province, commune]", "levels: [province, commune", 5, 9, "levels",
     "the list opened with '[' on line 5 is never closed: YAML reached line 6, column 7 without finding ',' or ']'",
     "close the list with ']' on line 5 (levels: [province, commune]), and put ',' between its items"),
    (FULL_RECORD, "{value: 15, unit: working_days}", "{value: 15, unit: working_days", 19, 22, "methods[0].processing_time",
     "the group of fields opened with '{' on line 19 is never closed: YAML reached line 20, column 9 without finding ',' or '}'",
     "close it with '}' on line 19 (processing_time: {value: 15, unit: working_days}), and put ',' between its fields"),
    # a key without ':' is noticed at the start of the next line (a top-level line: no field to name)
    (FULL_RECORD, "kind: external", "kind external", 3, 1, "",
     "line 3 stands where a key is expected, but no ':' follows it",
     "write 'key: value', with a space after ':'"),
])
def test_a_thing_left_open_is_reported_where_it_was_opened(catalog: Path, base: str, old: str, new: str, line: int, column: int,
                                                            path: str, message: str, hint: str) -> None:
    assert old in base
    record = _syntax_error(catalog, base.replace(old, new, 1), path)
    assert (record["line"], record["column"]) == (line, column), record
    assert record["message"].startswith("YAML syntax error: " + message), record["message"]
    assert hint in record["hint"], record["hint"]
    text = tthc("validate", cwd=catalog.parent).stdout
    field = f"{path}: " if path else ""
    assert f"catalog/procedures/bo-xay-dung/1.000001.yaml:{line}:{column}: error[syntax] {field}YAML syntax error: {message}" in text


@pytest.mark.parametrize("old, new, line, column, path, problem", [
    (NAME, "name: Cấp giấy phép: xây dựng", 2, 20, "name", "mapping values are not allowed"),
    ("levels: [province, commune]", 'levels: [province, "commune" x]', 5, 30, "levels", "did not find expected ',' or ']'"),
    (NAME, r'name: "Cấp giấy \q phép"', 2, 17, "name", "found unknown escape character"),
    ("  executing: [bo-xay-dung]", " executing: [bo-xay-dung]", 9, 2, "agencies", "did not find expected key"),
    ("    copies: 2", "     copies: 2", 35, 12, "documents[1]", "mapping values are not allowed"),
])
def test_a_mistake_where_the_parser_noticed_it_is_reported_there(catalog: Path, old: str, new: str, line: int, column: int,
                                                                 path: str, problem: str) -> None:
    assert old in FULL_RECORD
    record = _syntax_error(catalog, FULL_RECORD.replace(old, new, 1), path)
    assert (record["line"], record["column"]) == (line, column), record
    assert problem in record["message"]


def test_an_unclosed_quote_is_explained_in_vietnamese(catalog: Path) -> None:
    record = _syntax_error(catalog, FULL_RECORD.replace(NAME, 'name: "Cấp giấy phép', 1), "name", env={"LANGUAGE": "vi"})
    assert (record["line"], record["column"]) == (2, 7)
    assert record["message"] == ('Lỗi cú pháp YAML: dấu " mở ở dòng 2 không được đóng trên dòng đó: YAML lấy dấu " ở '
                                 "dòng 21 làm dấu đóng, và không đọc được phần tiếp theo ở đó")
    assert record["hint"].startswith('thêm dấu " vào cuối giá trị ở dòng 2, hoặc bỏ dấu " mở đầu')


MINI = ROOT / "tests" / "fixtures" / "mini_catalog"


@pytest.mark.parametrize("source", [MINI, ROOT / "catalog"], ids=["mini", "bundled"])
@pytest.mark.parametrize(("broken", "code"), [('agencies:\n  - id: "bo-xay-dung\n    name: Bộ\n', "syntax"),
                                              ("", "empty-file"), (None, "missing-file")],
                         ids=["unclosed-quote", "empty", "deleted"])
def test_a_broken_agencies_yaml_is_one_error_and_one_note_not_one_per_procedure(tmp_path: Path, source: Path,
                                                                                broken: str | None, code: str) -> None:
    """An unclosed quote in agencies.yaml, an empty or a deleted one gave its error plus an ``agency-folder``
    error for every procedure (1,523 in the bundled catalog): now its error once, and one ``checks-skipped``
    line at that file saying the checks against it were skipped (the catalog still fails)."""
    root = tmp_path / "catalog"
    shutil.copytree(source, root)
    if broken is None:
        (root / "agencies.yaml").unlink()
    else:
        (root / "agencies.yaml").write_text(broken, encoding="utf-8")
    procedures = len(list((root / "procedures").rglob("*.yaml")))
    result = tthc("validate", "--format", "json", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    errors = [d for d in json.loads(result.stdout) if d["severity"] == "error"]
    assert sorted(d["code"] for d in errors) == sorted(["checks-skipped", code]), errors[:5]
    assert "(agency-folder, unknown-agency)" in next(d for d in errors if d["code"] == "checks-skipped")["message"]
    skipped = next(d for d in errors if d["code"] == "checks-skipped")
    assert skipped["file"] == "catalog/agencies.yaml" and f"{procedures:,} procedure files" in skipped["message"]
    real = next(d for d in errors if d["code"] == code)
    assert (skipped["line"], skipped["column"]) == (real["line"], real["column"])


@pytest.mark.parametrize(("source", "old", "new", "wrong"), [
    (MINI, "id: bo-xay-dung\n", "id: bo-xay-dung-moi\n", 6),
    (ROOT / "catalog", "id: bo-cong-an\n", "id: bo-cong-an-moi\n", 268),
], ids=["mini", "bundled"])
def test_a_renamed_agency_id_is_suggested_as_a_renamed_sector_is(tmp_path: Path, source: Path, old: str, new: str,
                                                                  wrong: int) -> None:
    """Renaming an agency's id in agencies.yaml gave every file in its folder (268 of the bundled catalog) an error with
    no "did you mean", while a renamed sector suggested the new id: the agency checks suggest it the same way."""
    root = tmp_path / "catalog"
    shutil.copytree(source, root)
    agencies = root / "agencies.yaml"
    text = agencies.read_text(encoding="utf-8")
    assert text.count(old) == 1
    agencies.write_text(text.replace(old, new), encoding="utf-8")
    result = tthc("validate", "--format", "json", cwd=tmp_path)
    assert result.returncode == 1
    errors = [d for d in json.loads(result.stdout) if d["severity"] == "error"]
    renamed = new.split(": ")[1].strip()
    assert "agency-folder" in {d["code"] for d in errors} <= {"agency-folder", "unknown-agency"}, errors[:3]
    assert len(errors) == wrong, len(errors)
    assert all(d["hint"].startswith(f"did you mean '{renamed}'? If not: ") for d in errors), [d["hint"] for d in errors][:3]


def test_a_broken_sectors_yaml_skips_the_sector_check_once(tmp_path: Path) -> None:
    """sectors.yaml with an unclosed quote: its syntax error and one checks-skipped line (unknown-sector), not
    one unknown-sector error per procedure; the agency checks still run (a misplaced file is still found)."""
    root = tmp_path / "catalog"
    shutil.copytree(MINI, root)
    (root / "sectors.yaml").write_text('sectors:\n  - id: "xay-dung\n', encoding="utf-8")
    (root / "procedures" / "bo-khac").mkdir()
    (root / "procedures" / "bo-xay-dung" / "1.000001.yaml").rename(root / "procedures" / "bo-khac" / "1.000001.yaml")
    result = tthc("validate", "--format", "json", cwd=tmp_path)
    errors = [d for d in json.loads(result.stdout) if d["severity"] == "error"]
    assert result.returncode == 1
    assert sorted((d["file"], d["code"]) for d in errors) == [
        ("catalog/procedures/bo-khac/1.000001.yaml", "agency-folder"),
        ("catalog/sectors.yaml", "checks-skipped"), ("catalog/sectors.yaml", "syntax")], errors
    assert "(unknown-sector)" in next(d for d in errors if d["code"] == "checks-skipped")["message"]
