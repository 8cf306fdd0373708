"""`tthc check-change --base REF`: the pull-request gate, through the real entry point."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gitrepo import GitRepo, record, write_registers
from tthc_cli import Completed, tthc


METHODS = [{"channel": "online", "processing_time": {"value": 10, "unit": "working_days"}}]
FASTER = [{"channel": "online", "processing_time": {"value": 5, "unit": "working_days"}}]
SIMPLIFICATION = {"stage": "implemented", "date": "2026-07-01", "decision": "12/QĐ-BTN", "kinds": ["cut_time"], "summary": "Giảm thời hạn"}
AMENDMENT = {"date": "2026-07-01", "decision": "13/QĐ-BTN", "summary": "Công bố lại"}


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    repo = GitRepo(tmp_path / "repo")
    write_registers(repo)
    repo.write("bo-a", record("1.000001", methods=METHODS))
    repo.write("bo-a", record("1.000002"))
    repo.commit("Danh mục", "2026-06-10T09:00:00+07:00")
    return repo


def check(repo: GitRepo, *extra: str) -> Completed:
    return tthc("check-change", "--base", "main", *extra, cwd=repo.root)


def codes(result: Completed) -> list[str]:
    return [d["code"] for d in json.loads(result.stdout)]


def test_no_change_passes(repo: GitRepo) -> None:
    result = check(repo)
    assert result.returncode == 0, result.stdout


def test_unrecorded_substantive_change_is_rejected_with_position(repo: GitRepo) -> None:
    repo.write("bo-a", record("1.000001", methods=FASTER))
    result = check(repo, "--format", "json")
    assert result.returncode == 1
    (diag,) = json.loads(result.stdout)
    assert diag["code"] == "change-unrecorded" and diag["severity"] == "error"
    assert diag["file"] == "catalog/procedures/bo-a/1.000001.yaml"
    assert diag["path"] == "methods" and diag["line"] > 1
    assert "Cách thức thực hiện" in diag["message"] and "simplifications" in diag["hint"]
    text = check(repo)
    assert "error[change-unrecorded]" in text.stdout and text.returncode == 1


@pytest.mark.parametrize("entry", [{"simplifications": [SIMPLIFICATION]}, {"amendments": [AMENDMENT]}])
def test_recorded_change_is_accepted(repo: GitRepo, entry: dict) -> None:
    repo.write("bo-a", record("1.000001", methods=FASTER, **entry))
    result = check(repo)
    assert result.returncode == 0, result.stdout


def test_non_substantive_edit_and_formatting_pass(repo: GitRepo) -> None:
    repo.write("bo-a", record("1.000001", "Tên mới của thủ tục", methods=METHODS))  # name is not substantive
    path = repo.path("bo-a", "1.000002")
    path.write_text("# ghi chú\n" + path.read_text(encoding="utf-8").replace("name: ", "name:   "), encoding="utf-8")
    assert check(repo).returncode == 0


def test_code_change_is_rejected(repo: GitRepo) -> None:
    repo.write("bo-a", record("1.000009"), code="1.000002")
    result = check(repo, "--format", "json")
    # and, as tthc validate says, the code no longer matches the file name
    assert result.returncode == 1 and sorted(codes(result)) == ["code-changed", "code-filename"]


def test_deleted_file_is_rejected(repo: GitRepo) -> None:
    repo.path("bo-a", "1.000002").unlink()
    result = check(repo, "--format", "json")
    assert result.returncode == 1 and codes(result) == ["file-deleted"]
    assert "status: abolished" in json.loads(result.stdout)[0]["hint"]


def test_abolishing_with_a_decision_passes(repo: GitRepo) -> None:
    repo.write("bo-a", record("1.000002", status="abolished", amendments=[AMENDMENT]))
    assert check(repo).returncode == 0
    repo.write("bo-a", record("1.000002", status="abolished"))
    assert codes(check(repo, "--format", "json")) == ["change-unrecorded"]


def test_move_to_another_agency_needs_a_recorded_decision(repo: GitRepo) -> None:
    target = repo.path("bo-b", "1.000002")
    target.parent.mkdir(parents=True)
    repo.path("bo-a", "1.000002").rename(target)
    result = check(repo, "--format", "json")
    assert result.returncode == 1 and codes(result) == ["agency-moved"]
    repo.write("bo-b", record("1.000002", amendments=[AMENDMENT]))
    assert check(repo).returncode == 0


def test_editing_a_past_entry_warns(repo: GitRepo) -> None:
    repo.write("bo-a", record("1.000001", methods=FASTER, simplifications=[SIMPLIFICATION]))
    repo.commit("Đơn giản hóa", "2026-07-02T09:00:00+07:00")
    repo.write("bo-a", record("1.000001", methods=FASTER, simplifications=[{**SIMPLIFICATION, "summary": "Sửa tóm tắt"}]))
    result = check(repo, "--format", "json")
    assert result.returncode == 0 and codes(result) == ["history-edited"]


def test_new_procedure_passes_and_head_ref_is_checked(repo: GitRepo) -> None:
    repo.write("bo-a", record("1.000003", methods=METHODS))
    repo.commit("Thêm 1.000003", "2026-07-02T09:00:00+07:00")
    assert tthc("check-change", "--base", "main~1", "--head", "main", cwd=repo.root).returncode == 0


def test_github_format_and_unknown_base(repo: GitRepo) -> None:
    repo.write("bo-a", record("1.000001", methods=FASTER))
    result = check(repo, "--format", "github")
    assert result.stdout.startswith("::error file=catalog/procedures/bo-a/1.000001.yaml,line=")
    bad = tthc("check-change", "--base", "nope", cwd=repo.root)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr and "nope" in bad.stderr


@pytest.mark.parametrize("where", ["catalog", "catalog/procedures/bo-a", "docs"])
def test_check_change_from_a_subdirectory_compares_the_same_files(repo: GitRepo, where: str) -> None:
    """Paths are the repository's, not the working directory's: the same change is refused from anywhere."""
    repo.write("bo-a", record("1.000001", methods=FASTER))
    (repo.root / where).mkdir(parents=True, exist_ok=True)
    top = check(repo, "--format", "json")
    below = tthc("check-change", "--base", "main", "--format", "json", cwd=repo.root / where)
    assert top.returncode == below.returncode == 1, below.stdout + below.stderr
    assert json.loads(below.stdout) == json.loads(top.stdout)
    assert "compared nothing" not in below.stderr


def test_check_change_says_so_when_it_compares_nothing(repo: GitRepo) -> None:
    same = check(repo)
    assert same.returncode == 0
    assert "tthc check-change: compared nothing" in same.stderr or "không so sánh" in same.stderr


def test_check_change_without_a_catalog_folder_is_a_usage_error(repo: GitRepo) -> None:
    result = tthc("check-change", "--base", "main", "--catalog", "khong-co", cwd=repo.root)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "khong-co" in result.stderr
