"""`tthc import` through its real entry point, in temporary folders.

The never-overwrite rule, exit codes (0 ok, 1 a record could not be imported,
2 usage error), one reason line per record not parsed fully and no traceback
for garbled input; and the merge of sector spellings.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
import yaml

from generator.importer.references import build_sectors, sector_id, sector_key
from tthc_cli import tthc

ROOT = Path(__file__).resolve().parents[1]
CRAWL = ROOT.parent / "shared" / "data" / "raw" / "dvcqg-chatbot-tthc" / "records"
SAMPLE = ROOT.parent / "shared" / "data" / "raw" / "dvcqg-api-sample" / "019d2bf7-cd62-75ce-b319-7b31d19fb35f.json"

needs_data = pytest.mark.skipif(not CRAWL.is_dir(), reason="shared data ../shared/data/raw not present")


@pytest.fixture
def records(tmp_path: Path) -> Path:
    """A small crawl: three Bộ Công an records and one internal Bộ Xây dựng record, with the lists."""
    folder = tmp_path / "records"
    shutil.copytree(CRAWL.parent / "lists", tmp_path / "lists")
    for agency, code in [("bo-cong-an", "1.011410"), ("bo-cong-an", "3.000353"), ("bo-cong-an", "3.000369"),
                         ("bo-xay-dung", "6.005714")]:
        (folder / agency).mkdir(parents=True, exist_ok=True)
        shutil.copy(CRAWL / agency / f"{code}.json", folder / agency / f"{code}.json")
    return folder


@needs_data
def test_import_writes_one_file_per_record_and_references(records: Path, tmp_path: Path) -> None:
    result = tthc("import", str(records), "--catalog", "cat", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    written = sorted(p.relative_to(tmp_path / "cat").as_posix() for p in (tmp_path / "cat").rglob("*.yaml"))
    assert written == ["agencies.yaml", "plans/qd-1085-ttg.yaml",
                       "procedures/bo-cong-an/1.011410.yaml", "procedures/bo-cong-an/3.000353.yaml",
                       "procedures/bo-cong-an/3.000369.yaml", "procedures/bo-xay-dung/6.005714.yaml",
                       "sectors.yaml"]
    agencies = yaml.safe_load((tmp_path / "cat" / "agencies.yaml").read_text(encoding="utf-8"))["agencies"]
    assert agencies[0] == {"id": "bo-cong-an", "name": "Bộ Công an", "code": "G01", "level": "ministry"}
    assert "4 record(s) read, 4 written" in result.stderr
    # Each line of stdout is one diagnostic "file:0:0: warning[import-…] field: code: reason".
    for line in result.stdout.splitlines():
        match = re.match(r"(.+\.json):0:0: warning\[import-(unsplit|dropped|inferred)\] ([a-z_.]*):? ?(\d\.\d{6}): .+", line)
        assert match, line
        assert match.group(4) in {"1.011410", "3.000353", "3.000369", "6.005714"}
    assert "warning[import-inferred] internal_scope: 6.005714: internal_scope 'within_agency' inferred" in result.stdout


@needs_data
def test_never_overwrites_without_the_flag(records: Path, tmp_path: Path) -> None:
    assert tthc("import", str(records), "--catalog", "cat", cwd=tmp_path).returncode == 0
    target = tmp_path / "cat" / "procedures" / "bo-cong-an" / "1.011410.yaml"
    target.write_text(target.read_text(encoding="utf-8").replace("name: ", "name: Tên sửa tay ", 1),
                      encoding="utf-8")
    edited = target.read_bytes()
    again = tthc("import", str(records / "bo-cong-an" / "1.011410.json"), "--catalog", "cat", cwd=tmp_path)
    assert again.returncode == 0
    assert "0 written, 1 left as they were" in again.stderr
    assert target.read_bytes() == edited
    forced = tthc("import", str(records / "bo-cong-an" / "1.011410.json"), "--catalog", "cat", "--overwrite",
                  cwd=tmp_path)
    assert forced.returncode == 0 and "1 written" in forced.stderr
    assert "Tên sửa tay".encode() not in target.read_bytes()


@needs_data
def test_output_is_byte_identical_across_runs(records: Path, tmp_path: Path) -> None:
    tthc("import", str(records), "--catalog", "a", cwd=tmp_path)
    tthc("import", str(records), "--catalog", "b", cwd=tmp_path)
    for path in (tmp_path / "a").rglob("*.yaml"):
        assert path.read_bytes() == (tmp_path / "b" / path.relative_to(tmp_path / "a")).read_bytes()


@needs_data
def test_api_record_goes_to_its_publisher(tmp_path: Path) -> None:
    result = tthc("import", str(SAMPLE), "--catalog", "cat", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "cat" / "procedures" / "bo-cong-thuong" / "1.000358.yaml").is_file()


def test_garbled_records_give_a_reason_and_no_traceback(tmp_path: Path) -> None:
    folder = tmp_path / "in" / "bo-cong-an"
    folder.mkdir(parents=True)
    (folder / "broken.json").write_bytes(b'{"ma_thu_tuc": "1.0')
    (folder / "cp1258.json").write_bytes('{"ten": "Th\u1ee7 t\u1ee5c"}'.encode("utf-16"))
    (folder / "other.json").write_text('{"hello": "world"}', encoding="utf-8")
    fields = ["ma_thu_tuc", "ten_thu_tuc", "cach_thuc_thuc_hien", "thanh_phan_ho_so", "raw_text"]
    (folder / "nocode.json").write_text(json.dumps({k: "" for k in fields}), encoding="utf-8")
    garbled = {k: None for k in fields} | {"ma_thu_tuc": "1.999999", "ten_thu_tuc": "Thủ tục thử",
                                           "cach_thuc_thuc_hien": "Trực tiếpabc", "thanh_phan_ho_so": "42",
                                           "can_cu_phap_ly": "x", "cap_thuc_hien": "Cấp vũ trụ"}
    (folder / "1.999999.json").write_text(json.dumps(garbled), encoding="utf-8")
    (tmp_path / "cat").mkdir()
    (tmp_path / "cat" / "agencies.yaml").write_text("agencies:\n- id: bo-cong-an\n  name: Bộ Công an\n  level: ministry\n", encoding="utf-8")
    result = tthc("import", str(tmp_path / "in"), "--catalog", "cat", cwd=tmp_path)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stdout.splitlines()
    refused = ":0:0: error[import-refused] -: "
    assert any(l.startswith(str(folder / "broken.json") + refused + "not readable as UTF-8 JSON") for l in lines)
    assert any(l.startswith(str(folder / "cp1258.json") + refused + "not readable as UTF-8 JSON") for l in lines)
    assert any(l.startswith(str(folder / "other.json") + refused + "not a procedure record") for l in lines)
    assert any(l.startswith(str(folder / "nocode.json") + refused + "cannot be imported: no valid procedure code")
               for l in lines)
    assert any(l.startswith(str(folder / "1.999999.json") + ":0:0: warning[import-") and ": 1.999999: " in l
               for l in lines)
    # the garbled record lacks what the schema requires: it is refused, not written as an invalid file
    target = "cat/procedures/bo-cong-an/1.999999.yaml"
    assert f"{target}:2:1: error[schema-required] sector: required field 'sector'" in result.stdout
    assert any(l.startswith(str(folder / "1.999999.json") + ":0:0: error[import-refused] 1.999999: not imported: as "
                            + target + " it would fail tthc validate") for l in lines)
    assert not (tmp_path / target).exists()
    assert "5 not imported" in result.stderr


def test_missing_source_is_a_usage_error(tmp_path: Path) -> None:
    result = tthc("import", "nowhere", "--catalog", "cat", cwd=tmp_path)
    assert result.returncode == 2
    assert "no such file or folder: nowhere" in result.stderr
    assert not (tmp_path / "cat").exists()


def test_sector_spellings_merge_by_normalised_key() -> None:
    assert sector_key("Thi đua – Khen thưởng") == sector_key("Thi đua khen thưởng") == "thi đua khen thưởng"
    assert sector_id("Thi đua – Khen thưởng") == sector_id("Thi  đua - khen thưởng.") == "thi-dua-khen-thuong"
    names = ["Thi đua khen thưởng"] + ["Thi đua – Khen thưởng"] * 3 + ["Hộ tịch", "Hộ tịch"]
    entries, merges = build_sectors(names)
    assert entries == [
        {"id": "ho-tich", "name": "Hộ tịch"},
        {"id": "thi-dua-khen-thuong", "name": "Thi đua – Khen thưởng", "variants": ["Thi đua khen thưởng"]},
    ]
    assert merges == [["Thi đua – Khen thưởng", "Thi đua khen thưởng"]]
    # An existing entry keeps its name; a new spelling becomes a variant.
    entries, _ = build_sectors(["THI ĐUA, KHEN THƯỞNG"], existing=entries)
    assert entries[1]["name"] == "Thi đua – Khen thưởng"
    assert entries[1]["variants"] == ["THI ĐUA, KHEN THƯỞNG", "Thi đua khen thưởng"]


@needs_data
def test_real_sectors_file_merges_the_thi_dua_variants() -> None:
    sectors = yaml.safe_load((ROOT / "catalog" / "sectors.yaml").read_text(encoding="utf-8"))["sectors"]
    assert len(sectors) == 139  # 140 spellings in the crawl, one pair merged
    merged = [s for s in sectors if s.get("variants")]
    assert merged == [{"id": "thi-dua-khen-thuong", "name": "Thi đua – Khen thưởng",
                       "variants": ["Thi đua khen thưởng"]}]


@needs_data
def test_records_whose_agency_cannot_be_told_are_refused(tmp_path: Path) -> None:
    real = CRAWL / "bo-cong-an" / "1.000178.json"
    for folder in ("x", "Bo Cong An"):
        (tmp_path / "in" / folder).mkdir(parents=True)
        shutil.copy(real, tmp_path / "in" / folder / "1.000178.json")
    result = tthc("import", str(tmp_path / "in"), "--catalog", "cat", cwd=tmp_path)
    assert result.returncode == 1
    assert "unknown publishing agency 'x'" in result.stdout
    assert "the folder 'Bo Cong An' is not an agency id" in result.stdout
    assert not list((tmp_path / "cat").glob("procedures/*/*.yaml"))


@needs_data
def test_a_code_filed_under_another_agency_is_refused(tmp_path: Path) -> None:
    cat = tmp_path / "cat"
    (cat / "procedures" / "bo-cong-an").mkdir(parents=True)
    (cat / "agencies.yaml").write_text("agencies:\n- id: bo-cong-an\n  name: Bộ Công an\n  level: ministry\n"
                                       "- id: bo-tu-phap\n  name: Bộ Tư pháp\n  level: ministry\n", encoding="utf-8")
    (cat / "procedures" / "bo-cong-an" / "1.000178.yaml").write_text("code: x\n", encoding="utf-8")
    (tmp_path / "in" / "bo-tu-phap").mkdir(parents=True)
    shutil.copy(CRAWL / "bo-cong-an" / "1.000178.json", tmp_path / "in" / "bo-tu-phap" / "1.000178.json")
    result = tthc("import", str(tmp_path / "in"), "--catalog", "cat", cwd=tmp_path)
    assert result.returncode == 1
    assert "code 1.000178 is already filed under procedures/bo-cong-an/1.000178.yaml" in result.stdout
    assert not (cat / "procedures" / "bo-tu-phap").exists()


@needs_data
def test_overwrite_keeps_the_review_cycle_fields(records: Path, tmp_path: Path) -> None:
    """A re-import replaces what the portal carries and keeps every recorded decision."""
    assert tthc("import", str(records), "--catalog", "cat", cwd=tmp_path).returncode == 0
    target = tmp_path / "cat" / "procedures" / "bo-cong-an" / "1.011410.yaml"
    recorded = (
        "simplifications:\n- stage: approved\n  date: \"2025-06-30\"\n  decision: \"1891/QĐ-TTg\"\n  kinds:\n  - cut_documents\n"
        "  summary: Bỏ bản sao giấy tờ.\n"
        "amendments:\n- date: \"2026-04-29\"\n  decision: \"9039/QĐ-BCA-C06\"\n  summary: Công bố lại.\n"
        "compliance_cost:\n  fees_vnd: 30000\n  submissions_per_year: 1000\n"
        "reviews:\n- date: \"2025-01-01\"\n  document: \"1085/QĐ-TTg\"\n  outcome: keep\n"
    )
    edited = target.read_text(encoding="utf-8").replace("status: in_force\n", "status: abolished\n") + recorded
    edited = edited.replace("name: ", "name: Tên sửa tay ", 1)
    target.write_text(edited, encoding="utf-8")
    forced = tthc("import", str(records / "bo-cong-an" / "1.011410.json"), "--catalog", "cat", "--overwrite",
                  cwd=tmp_path)
    assert forced.returncode == 0, forced.stdout + forced.stderr
    data = yaml.safe_load(target.read_text(encoding="utf-8"))
    assert not data["name"].startswith("Tên sửa tay")  # what the portal carries is re-imported
    assert data["status"] == "abolished"  # a recorded abolition is not undone
    assert data["simplifications"][0]["decision"] == "1891/QĐ-TTg"
    assert data["amendments"] == [{"date": "2026-04-29", "decision": "9039/QĐ-BCA-C06", "summary": "Công bố lại."}]
    assert data["compliance_cost"] == {"fees_vnd": 30000, "submissions_per_year": 1000}
    assert data["reviews"][0]["outcome"] == "keep"


@needs_data
def test_overwrite_leaves_an_unreadable_file_alone(records: Path, tmp_path: Path) -> None:
    assert tthc("import", str(records), "--catalog", "cat", cwd=tmp_path).returncode == 0
    target = tmp_path / "cat" / "procedures" / "bo-cong-an" / "1.011410.yaml"
    target.write_text(target.read_text(encoding="utf-8") + "amendments: [\n", encoding="utf-8")
    broken = target.read_bytes()
    forced = tthc("import", str(records / "bo-cong-an" / "1.011410.json"), "--catalog", "cat", "--overwrite",
                  cwd=tmp_path)
    assert forced.returncode == 1
    assert "cannot be read" in forced.stdout and "not overwritten" in forced.stdout
    assert "Traceback" not in forced.stdout + forced.stderr
    assert target.read_bytes() == broken


# --- every record is validated before it is written (issue 8: valid means what validate says) -------------

API_3_000369 = ROOT.parent / "shared" / "data" / "raw" / "dvcqg-api-crawler-tthc" / "details" / "019d2bf7-c53c-722c-b1e4-642d4b69bd44.json"


def _digest(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@needs_data
def test_a_record_that_would_fail_validate_is_refused_with_validates_diagnostic(records: Path, tmp_path: Path) -> None:
    """A real portal API record whose decision date is in the future: written, tthc validate would reject it."""
    from datetime import datetime, timezone

    data = json.loads(API_3_000369.read_text(encoding="utf-8"))
    future = int(datetime(2099, 1, 4, 17, tzinfo=timezone.utc).timestamp() * 1000)  # 2099-01-05 in Vietnam
    data["procedureProposal"] = {**(data.get("procedureProposal") or {}), "decisionDate": future}
    api = tmp_path / "api" / "3.000369.json"
    api.parent.mkdir()
    api.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert tthc("import", str(records), "--catalog", "cat", cwd=tmp_path).returncode == 0
    target = tmp_path / "cat" / "procedures" / "bo-cong-an" / "3.000369.yaml"
    before = _digest(tmp_path / "cat")
    result = tthc("import", str(api), "--catalog", "cat", "--overwrite", cwd=tmp_path)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    (line,) = [l for l in result.stdout.splitlines() if "error[date-future]" in l]
    assert line.startswith("cat/procedures/bo-cong-an/3.000369.yaml:") and "publication.date: 2099-01-05 is in the future" in line
    assert f"{api}:0:0: error[import-refused] 3.000369: not imported: as cat/procedures/bo-cong-an/3.000369.yaml" in result.stdout
    assert "0 written" in result.stderr and "1 not imported" in result.stderr
    assert _digest(tmp_path / "cat") == before and target.exists()
    assert tthc("validate", "--catalog", "cat", cwd=tmp_path).returncode == 0


@needs_data
def test_one_code_from_two_agencies_in_one_run_is_refused_as_validate_would(records: Path, tmp_path: Path) -> None:
    (records / "bo-tu-phap").mkdir()
    shutil.copy(records / "bo-cong-an" / "3.000369.json", records / "bo-tu-phap" / "3.000369.json")
    result = tthc("import", str(records), "--catalog", "cat", cwd=tmp_path)
    assert result.returncode == 1
    unique = [l for l in result.stdout.splitlines() if "error[code-unique]" in l]
    assert {l.split(":")[0] for l in unique} == {"cat/procedures/bo-cong-an/3.000369.yaml",
                                                 "cat/procedures/bo-tu-phap/3.000369.yaml"}
    assert not list((tmp_path / "cat" / "procedures").glob("*/3.000369.yaml"))
    assert "3 written" in result.stderr
    validate = tthc("validate", "--catalog", "cat", cwd=tmp_path)
    assert validate.returncode == 0, validate.stdout


@needs_data
def test_a_dry_run_writes_nothing(records: Path, tmp_path: Path) -> None:
    dry = tthc("import", str(records), "--catalog", "cat", "--dry-run", cwd=tmp_path)
    assert dry.returncode == 0 and "4 written" in dry.stderr and "--dry-run: nothing was written" in dry.stderr
    assert not (tmp_path / "cat").exists()
    assert tthc("import", str(records), "--catalog", "cat", cwd=tmp_path).returncode == 0
    before = _digest(tmp_path / "cat")
    again = tthc("import", str(records), str(API_3_000369), "--catalog", "cat", "--overwrite", "--dry-run", cwd=tmp_path)
    assert again.returncode == 0, again.stdout
    assert _digest(tmp_path / "cat") == before


# --- --overwrite keeps what did not change (issue 10, must-have 5: editing keeps comments) -------------------


@needs_data
def test_overwrite_with_the_same_record_leaves_the_file_byte_identical(records: Path, tmp_path: Path) -> None:
    """A re-import of what the file already holds is no edit: same bytes, same mtime, reported unchanged."""
    import os

    assert tthc("import", str(records), "--catalog", "cat", cwd=tmp_path).returncode == 0
    target = tmp_path / "cat" / "procedures" / "bo-cong-an" / "1.011410.yaml"
    commented = target.read_text(encoding="utf-8").replace("status: in_force\n", "# Ghi chú của cán bộ\nstatus: in_force\n")
    target.write_text(commented, encoding="utf-8")
    os.utime(target, ns=(1_000_000_000_000_000_000, 1_000_000_000_000_000_000))
    before = target.read_bytes()
    again = tthc("import", str(records / "bo-cong-an" / "1.011410.json"), "--catalog", "cat", "--overwrite",
                 cwd=tmp_path, env={"LANG": "en_US.UTF-8"})
    assert again.returncode == 0, again.stdout + again.stderr
    assert target.read_bytes() == before
    assert target.stat().st_mtime_ns == 1_000_000_000_000_000_000
    assert "0 written" in again.stderr and "1 file(s) unchanged" in again.stderr
    vi = tthc("import", str(records / "bo-cong-an" / "1.011410.json"), "--catalog", "cat", "--overwrite",
              cwd=tmp_path, env={"LANGUAGE": "vi"})
    assert "1 tệp không đổi" in vi.stderr


@needs_data
def test_overwrite_of_a_changed_record_keeps_comments_schema_line_and_key_order(records: Path, tmp_path: Path) -> None:
    """Only the fields that differ are replaced; `tthc new`-style comments and untouched lines survive."""
    from generator.load import load_file

    assert tthc("import", str(records), "--catalog", "cat", cwd=tmp_path).returncode == 0
    target = tmp_path / "cat" / "procedures" / "bo-cong-an" / "1.011410.yaml"
    imported = target.read_text(encoding="utf-8")
    assert imported.startswith("# yaml-language-server: $schema=")
    name_line = next(line for line in imported.splitlines() if line.startswith("name: "))
    edited = (imported.replace(name_line, "# Tên thủ tục: theo quyết định công bố\nname: Tên sửa tay")
              .replace("status: in_force\n", "status: in_force  # Tình trạng: còn hiệu lực\n"))
    target.write_text(edited, encoding="utf-8")
    forced = tthc("import", str(records / "bo-cong-an" / "1.011410.json"), "--catalog", "cat", "--overwrite",
                  cwd=tmp_path)
    assert forced.returncode == 0, forced.stdout + forced.stderr
    text = target.read_text(encoding="utf-8")
    assert "# Tên thủ tục: theo quyết định công bố\n" + name_line + "\n" in text  # the name is re-imported, its comment kept
    assert "status: in_force  # Tình trạng: còn hiệu lực\n" in text
    assert text == imported.replace(name_line, "# Tên thủ tục: theo quyết định công bố\n" + name_line).replace(
        "status: in_force\n", "status: in_force  # Tình trạng: còn hiệu lực\n")  # nothing else moved
    fresh = load_file(target, "procedure")
    assert not [d for d in fresh.diagnostics if d.severity == "error"]
    assert fresh.data["name"] == name_line[len("name: "):].strip('"')


def test_overwrite_updates_a_tthc_new_scaffold_in_place(tmp_path: Path) -> None:
    """A file made by `tthc new`, exported, edited in the sheet and imported again keeps its Vietnamese comments;
    every other file of the catalog, imported as it was exported, is left byte for byte."""
    repo = tmp_path / "repo"
    shutil.copytree(ROOT / "tests" / "fixtures" / "mini_catalog", repo / "catalog")
    made = tthc("new", "--agency", "ubnd-tinh-an-giang", "--sector", "dau-tu", "--name", "Cấp phép thử",
                "--decision", "12/QĐ-UBND", cwd=repo)
    assert made.returncode == 0, made.stdout + made.stderr
    path = repo / made.stdout.strip()
    before = path.read_text(encoding="utf-8")
    assert before.startswith("# yaml-language-server: ") and "\n# Tên thủ tục" in before
    others = {p: p.read_bytes() for p in (repo / "catalog" / "procedures").rglob("*.yaml") if p != path}
    out = tmp_path / "csv"
    exported = tthc("export", "--format", "csv", "-o", str(out), cwd=repo)
    assert exported.returncode == 0, exported.stdout + exported.stderr
    sheet = (out / "thu_tuc.csv").read_text(encoding="utf-8-sig")
    assert sheet.count("Cấp phép thử") == 1
    (out / "thu_tuc.csv").write_text(sheet.replace("Cấp phép thử", "Cấp phép thử nghiệm"), encoding="utf-8-sig")
    again = tthc("import", *sorted(str(p) for p in out.glob("*.csv")), "--overwrite", cwd=repo,
                 env={"LANG": "en_US.UTF-8"})
    assert again.returncode == 0, again.stdout + again.stderr
    assert path.read_text(encoding="utf-8") == before.replace("name: Cấp phép thử\n", "name: Cấp phép thử nghiệm\n")
    assert {p: p.read_bytes() for p in others} == others
    assert f"{len(others)} file(s) unchanged" in again.stderr
