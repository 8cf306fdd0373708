"""generator.diff: the semantic diff of records, and `tthc diff` golden outputs in three formats."""

from __future__ import annotations

import json
import os
import unicodedata
from pathlib import Path

import pytest

from generator.diff import diff_procedures
from generator.diff import normalize
from generator.diff.effects import compliance_cost, compute_effects
from generator.model import CostBasis
from generator.diff.format import md_escape
from gitrepo import GitRepo, record
from tthc_cli import tthc

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "golden" / "diff"


def effects(old: dict, new: dict) -> list[str]:
    return [e.text for e in diff_procedures(old, new).effects]


def online(value: int, unit: str = "working_days", fee: int | None = None) -> dict:
    method: dict = {"channel": "online", "processing_time": {"value": value, "unit": unit}}
    if fee is not None:
        method["fees"] = [{"description": "Lệ phí cấp phép", "amount_vnd": fee}]
    return method


def test_processing_time_per_channel_in_the_records_unit() -> None:
    old = record("1.000001", methods=[online(10), {"channel": "in_person", "processing_time": {"value": 15, "unit": "working_days"}}])
    new = record("1.000001", methods=[online(5), {"channel": "in_person", "processing_time": {"value": 15, "unit": "working_days"}}])
    assert effects(old, new) == ["Thời hạn giải quyết (Trực tuyến): 10 → 5 ngày làm việc"]
    diff = diff_procedures(old, new)
    assert [(c.path, c.old, c.new) for c in diff.changes] == [("methods[0].processing_time.value", 10, 5)]
    assert diff.changes[0].label == "Cách thức thực hiện › Trực tuyến › Thời hạn giải quyết › Thời gian"
    assert diff.effects[0].before == 10 and diff.effects[0].after == 5 and diff.effects[0].unit == "working_days"


def test_documents_matched_by_id_then_by_name() -> None:
    old = record("1.000001", documents=[
        {"id": "don", "name": "Đơn đề nghị", "originals": 1},
        {"id": "cccd", "name": "Bản sao CCCD", "copies": 1},
        {"id": "anh", "name": "Ảnh 3x4", "originals": 2},
    ])
    new = record("1.000001", documents=[
        {"id": "don-de-nghi", "name": "Đơn  đề nghị", "originals": 1},  # id renamed, same name: matched by name
        {"id": "anh", "name": "Ảnh 4x6", "originals": 1},  # same id, renamed
    ])
    diff = diff_procedures(old, new)
    assert effects(old, new) == ["Bỏ: Bản sao CCCD", "Bản chính «Ảnh 4x6»: 2 → 1"]
    kinds = [(c.kind, c.path) for c in diff.changes]
    assert ("removed", "documents[1]") in kinds
    assert ("changed", "documents[0].id") in kinds
    assert ("changed", "documents[1].name") in kinds
    assert not any(k == "added" for k, _ in kinds)


BASIS = CostBasis(hourly_value_vnd=25000, hourly_value_source="thử nghiệm", hours_per_working_day=8,
                  hours_per_working_day_source="thử nghiệm", submissions_per_year=1, subjects_per_year=1000,
                  volumes_source="thử nghiệm")


def test_fees_online_channel_steps_and_compliance_cost() -> None:
    cost_old = {"activities": [{"name": "Chuẩn bị hồ sơ", "hours": 6}, {"name": "Đi nộp", "hours": 2}],
                "fees_vnd": 0, "other_costs_vnd": 100000, "submissions_per_year": 1000, "subjects_per_year": 1}
    cost_new = {**cost_old, "activities": [{"name": "Chuẩn bị hồ sơ", "hours": 4}]}
    old = record("1.000001", steps=[{"description": "Nộp hồ sơ"}, {"description": "Thẩm định"}, {"description": "Trả kết quả"}],
                 methods=[{"channel": "in_person", "fees": [{"description": "Lệ phí", "amount_vnd": 150000}]}],
                 compliance_cost=cost_old)
    new = record("1.000001", steps=[{"description": "Nộp hồ sơ"}, {"description": "Trả kết quả"}],
                 methods=[{"channel": "in_person", "fees": [{"description": "Lệ phí", "amount_vnd": 100000}]}, online(3)],
                 compliance_cost=cost_new)
    # (8 h × 25.000 + 100.000) × 1.000 = 300.000.000; (4 h × 25.000 + 100.000) × 1.000 = 200.000.000
    assert compliance_cost(old, BASIS) == 300_000_000 and compliance_cost(new, BASIS) == 200_000_000
    assert [e.text for e in compute_effects(normalize(old), normalize(new), BASIS)] == [
        "Thêm cách thức: Trực tuyến",
        "Phí, lệ phí (Trực tiếp): 150.000 → 100.000 đồng",
        "Số bước thực hiện: 3 → 2",
        "Chi phí tuân thủ: 300.000.000 → 200.000.000 đồng/năm (tiết kiệm 33,3%)",
    ]
    assert effects(new, old)[0] == "Bỏ cách thức: Trực tuyến"


def test_compliance_cost_needs_a_basis_and_known_hours() -> None:
    with_activities = record("1.000001", compliance_cost={"activities": [{"name": "x", "hours": 2}], "submissions_per_year": 10})
    assert compliance_cost(with_activities, None) is None
    assert compliance_cost(None, BASIS) is None
    # no activities and a time limit in calendar days: the hours cannot be known
    in_days = record("1.000001", methods=[{"channel": "in_person", "processing_time": {"value": 30, "unit": "days"}}])
    assert compliance_cost(in_days, BASIS) is None
    # (2 h × 25.000) × 10 × 1.000 (default subjects)
    assert compliance_cost(with_activities, BASIS) == 500_000_000


def test_step_insertion_removal_and_move() -> None:
    steps = [{"title": "Nộp", "description": "Nộp hồ sơ tại bộ phận một cửa"},
             {"title": "Thẩm định", "description": "Cơ quan thẩm định hồ sơ"},
             {"title": "Trả", "description": "Trả kết quả"}]
    inserted = [steps[0], {"title": "Thu phí", "description": "Nộp lệ phí"}, steps[1], steps[2]]
    changes = diff_procedures(record("1.000001", steps=steps), record("1.000001", steps=inserted)).changes
    assert [(c.kind, c.path) for c in changes] == [("added", "steps[1]")]
    removed = [steps[0], steps[2]]
    changes = diff_procedures(record("1.000001", steps=steps), record("1.000001", steps=removed)).changes
    assert [(c.kind, c.path, c.old_index) for c in changes] == [("removed", "steps[1]", 2)]
    moved = [steps[1], steps[0], steps[2]]
    changes = diff_procedures(record("1.000001", steps=steps), record("1.000001", steps=moved)).changes
    assert [(c.kind, c.old_index, c.new_index) for c in changes] == [("moved", 2, 1)]


def test_keyed_list_reorder_is_a_move_not_remove_and_add() -> None:
    a = {"number": "33/2025/NĐ-CP"}
    b = {"number": "27/2023/QH15"}
    c = {"number": "115/2026/TT-BCA"}
    changes = diff_procedures(record("1.000001", legal_basis=[a, b, c]), record("1.000001", legal_basis=[c, a, b])).changes
    assert [(ch.kind, ch.old_index, ch.new_index) for ch in changes] == [("moved", 3, 1)]


def test_formatting_key_order_and_unicode_form_are_no_semantic_change() -> None:
    old = record("1.000001", requirements=["Có  quốc tịch\nViệt Nam"], documents=[{"id": "don", "name": "Đơn đề nghị"}])
    new = {k: old[k] for k in reversed(list(old))}
    new["requirements"] = [unicodedata.normalize("NFD", "Có quốc tịch Việt Nam ")]
    new["documents"] = [{"name": unicodedata.normalize("NFD", "Đơn đề nghị"), "id": "don"}]
    diff = diff_procedures(old, new)
    assert diff.status == "unchanged" and diff.changes == () and not diff.semantic


def test_status_abolished_and_replaced() -> None:
    old = record("1.000001")
    abolished = diff_procedures(old, record("1.000001", status="abolished"))
    assert abolished.status == "abolished"
    assert abolished.effects[0].text == "Tình trạng: Còn hiệu lực → Đã bãi bỏ"
    replaced = diff_procedures(old, record("1.000001", status="replaced", replaced_by="1.000009"))
    assert replaced.status == "replaced" and replaced.replaced_by == "1.000009"
    assert replaced.effects[0].text == "Tình trạng: Còn hiệu lực → Đã được thay thế (thay thế bởi 1.000009)"


def test_new_simplification_and_amendment_entries_are_found() -> None:
    s1 = {"stage": "implemented", "date": "2025-01-01", "decision": "1/QĐ-TTg", "kinds": ["amend"], "summary": "Cũ"}
    s2 = {"stage": "implemented", "date": "2026-07-01", "decision": "12/QĐ-BTN", "kinds": ["cut_time"], "summary": "Mới"}
    diff = diff_procedures(record("1.000001", simplifications=[s1]), record("1.000001", simplifications=[s1, s2]))
    assert diff.new_simplifications == (s2,) and diff.decisions == ("12/QĐ-BTN",)


def test_markdown_escaping_leaves_no_markup() -> None:
    text = md_escape("<script>alert(1)</script> | **đậm** [x](javascript:1)")
    assert "<script>" not in text and "\\|" in text and "\\*\\*" in text and "\\[x\\]" in text


# --- tthc diff through the entry point, golden outputs -------------------------

def build_golden_repo(repo: GitRepo) -> None:
    """Base commit and head commit covering every kind of catalog change."""
    doc_don = {"id": "don", "name": "Đơn đề nghị cấp phép", "originals": 1, "form": "Mẫu 01"}
    doc_cccd = {"id": "cccd", "name": "Bản sao CCCD", "copies": 1}
    cost = {"activities": [{"name": "Chuẩn bị hồ sơ", "hours": 8}], "submissions_per_year": 2000}
    repo.write("bo-thu-nghiem", record(
        "1.000001", "Cấp giấy phép <b>thử</b> | nghiệm",
        steps=[{"title": "Nộp hồ sơ", "description": "Nộp tại bộ phận một cửa"}, {"title": "Thẩm định", "description": "Thẩm định hồ sơ"}],
        methods=[{"channel": "in_person", "processing_time": {"value": 10, "unit": "working_days"},
                  "fees": [{"description": "Lệ phí", "amount_vnd": 150000}]}],
        documents=[doc_don, doc_cccd], compliance_cost=cost))
    repo.write("bo-thu-nghiem", record("1.000002", "Đăng ký hoạt động"))
    repo.write("bo-thu-nghiem", record("1.000003", "Cấp chứng chỉ hành nghề"))
    repo.write("bo-thu-nghiem", record("1.000005", "Gia hạn giấy phép", requirements=["Còn thời hạn  ít nhất 30 ngày"]))
    repo.write("bo-thu-nghiem", record("1.000006", "Thủ tục chuyển giao"))
    (repo.root / "catalog" / "cost-basis.yaml").write_text(
        "hourly_value_vnd: 25000\nhourly_value_source: thử nghiệm\nhours_per_working_day: 8\n"
        "hours_per_working_day_source: thử nghiệm\nsubmissions_per_year: 1\nsubjects_per_year: 1\n"
        "volumes_source: thử nghiệm\n", encoding="utf-8")
    repo.commit("Danh mục ban đầu", "2026-06-10T09:00:00+07:00")

    repo.write("bo-thu-nghiem", record(
        "1.000001", "Cấp giấy phép <b>thử</b> | nghiệm",
        steps=[{"title": "Nộp hồ sơ", "description": "Nộp tại bộ phận một cửa hoặc trực tuyến"},
               {"title": "Thẩm định", "description": "Thẩm định hồ sơ"}],
        methods=[{"channel": "in_person", "processing_time": {"value": 7, "unit": "working_days"},
                  "fees": [{"description": "Lệ phí", "amount_vnd": 100000}]},
                 {"channel": "online", "processing_time": {"value": 5, "unit": "working_days"},
                  "fees": [{"description": "Lệ phí", "amount_vnd": 50000}]}],
        documents=[doc_don], compliance_cost={**cost, "activities": [{"name": "Chuẩn bị hồ sơ", "hours": 4}]},
        simplifications=[{"stage": "implemented", "date": "2026-07-01", "decision": "12/QĐ-BTN", "kinds": ["cut_time", "cut_documents", "move_online"],
                          "summary": "Bỏ bản sao CCCD (khai thác CSDL dân cư), giảm thời hạn, thêm nộp trực tuyến"}]))
    amendment = [{"date": "2026-07-01", "decision": "13/QĐ-BTN", "summary": "Bãi bỏ theo Luật mới"}]
    repo.write("bo-thu-nghiem", record("1.000002", "Đăng ký hoạt động", status="abolished", amendments=amendment))
    repo.write("bo-thu-nghiem", record("1.000003", "Cấp chứng chỉ hành nghề", status="replaced", replaced_by="1.000004",
                                       amendments=[{**amendment[0], "summary": "Thay thế bởi 1.000004"}]))
    repo.write("bo-thu-nghiem", record("1.000004", "Cấp chứng chỉ hành nghề (mới)"))
    repo.write("bo-thu-nghiem", 'status: in_force\npublication: {date: "2026-01-05", decision: 100/QĐ-BTN}\n'
                                'code: "1.000005"\nname: "Gia hạn giấy phép"\nkind: external\nlevels: [ministry]\n'
                                'sector: thu-nghiem\nrequirements:\n  - "Còn thời hạn ít nhất 30 ngày"\n', code="1.000005")
    repo.path("bo-thu-nghiem", "1.000006").unlink()
    repo.write("bo-khac", record("1.000006", "Thủ tục chuyển giao",
                                 amendments=[{"date": "2026-07-02", "decision": "14/QĐ-BTN", "summary": "Chuyển giao thẩm quyền"}]))
    repo.commit("Đơn giản hóa theo 12/QĐ-BTN", "2026-07-02T09:00:00+07:00")


@pytest.fixture(scope="module")
def golden_repo(tmp_path_factory: pytest.TempPathFactory) -> GitRepo:
    repo = GitRepo(tmp_path_factory.mktemp("golden") / "repo")
    build_golden_repo(repo)
    return repo


@pytest.mark.parametrize(("fmt", "suffix"), [("text", "txt"), ("markdown", "md"), ("json", "json")])
def test_tthc_diff_golden(golden_repo: GitRepo, fmt: str, suffix: str) -> None:
    result = tthc("diff", "main~1", "main", "--format", fmt, cwd=golden_repo.root)
    assert result.returncode == 0, result.stderr
    golden = GOLDEN / f"catalog.{suffix}"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(result.stdout, encoding="utf-8")
    assert result.stdout == golden.read_text(encoding="utf-8")
    assert "\x1b[" not in result.stdout  # no colour when not on a terminal


def test_tthc_diff_json_content(golden_repo: GitRepo) -> None:
    data = json.loads(tthc("diff", "main~1", "main", "--format", "json", cwd=golden_repo.root).stdout)
    by_code = {p["code"]: p for p in data["procedures"]}
    assert data["summary"] == {"added": 1, "abolished": 1, "replaced": 1, "changed": 2, "moved": 0, "unchanged": 1, "deleted": 0}
    assert by_code["1.000005"]["status"] == "unchanged"
    assert by_code["1.000006"]["old_path"] != by_code["1.000006"]["new_path"]
    assert "Bỏ: Bản sao CCCD" in [e["text"] for e in by_code["1.000001"]["effects"]]


def test_tthc_diff_working_tree_paths_and_two_files(golden_repo: GitRepo, tmp_path: Path) -> None:
    only = tthc("diff", "main~1", "catalog/procedures/bo-khac", cwd=golden_repo.root)
    assert only.returncode == 0 and "1.000006" in only.stdout and "1.000001" not in only.stdout
    old, new = tmp_path / "old.yaml", tmp_path / "new.yaml"
    old.write_text('code: "1.000001"\nname: A\nkind: external\nlevels: [ministry]\nsector: x\nstatus: in_force\n'
                   'publication: {decision: 1/QĐ-X}\nmethods:\n- channel: online\n  processing_time: {value: 10, unit: working_days}\n',
                   encoding="utf-8")
    new.write_text(old.read_text(encoding="utf-8").replace("value: 10", "value: 5"), encoding="utf-8")
    files = tthc("diff", str(old), str(new), cwd=golden_repo.root)
    assert files.returncode == 0
    assert "Thời hạn giải quyết (Trực tuyến): 10 → 5 ngày làm việc" in files.stdout


def test_tthc_diff_unknown_ref_is_a_usage_error(golden_repo: GitRepo) -> None:
    result = tthc("diff", "no-such-branch", cwd=golden_repo.root)
    assert result.returncode == 2 and "Traceback" not in result.stderr and "no-such-branch" in result.stderr
