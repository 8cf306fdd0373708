"""Ownership: maintainers in agencies.yaml, `tthc codeowners`, `tthc check-change --owner/--author`.

The change checks run on real git repositories (tests/gitrepo.py): a base
branch ``main`` and a pull-request branch.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import main
from gitrepo import GitRepo, record

AGENCIES = """agencies:
- id: so-tu-phap
  name: Sở Tư pháp tỉnh Thử Nghiệm
  level: province
  maintainers: ["@nguyen-van-a", "@tinh-thu-nghiem/so-tu-phap"]
- id: so-xay-dung
  name: Sở Xây dựng tỉnh Thử Nghiệm
  level: province
  maintainers: [tran.thi.b@thu-nghiem.gov.vn]
- id: so-y-te
  name: Sở Y tế tỉnh Thử Nghiệm
  level: province
"""
SECTORS = "sectors:\n- id: thu-nghiem\n  name: Thử nghiệm\n"


def tthc(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> GitRepo:
    """main: one procedure in each of the three agencies' folders; the working directory is the repository."""
    repo = GitRepo(tmp_path / "repo")
    (repo.root / "catalog").mkdir()
    (repo.root / "catalog" / "agencies.yaml").write_text(AGENCIES, encoding="utf-8")
    (repo.root / "catalog" / "sectors.yaml").write_text(SECTORS, encoding="utf-8")
    repo.write("so-tu-phap", record("2.000001", levels=["province"]))
    repo.write("so-xay-dung", record("2.000002", levels=["province"]))
    repo.write("so-y-te", record("2.000003", levels=["province"]))
    repo.commit("Danh mục ban đầu")
    repo.git("checkout", "-q", "-b", "pr")
    monkeypatch.chdir(repo.root)
    return repo


def check(*args: str) -> tuple[int, list[dict]]:
    result = tthc("check-change", "--base", "main", "--format", "json", *args)
    return result.exit_code, json.loads(result.stdout)


def test_maintainers_are_validated_by_the_agencies_schema(repo: GitRepo) -> None:
    assert tthc("validate").exit_code == 0
    path = repo.root / "catalog" / "agencies.yaml"
    path.write_text(AGENCIES.replace('"@nguyen-van-a"', '"nguyen van a"'), encoding="utf-8")
    result = tthc("validate", "--format", "json")
    assert result.exit_code == 1
    (problem,) = json.loads(result.stdout)
    assert problem["code"] == "schema-format" and problem["path"] == "agencies[0].maintainers[0]"
    assert (problem["line"], problem["column"]) == (5, 17) and "Người phụ trách" in problem["message"]


def test_codeowners_lists_each_agency_folder_with_its_maintainers(repo: GitRepo) -> None:
    result = tthc("codeowners")
    assert result.exit_code == 0
    lines = [line for line in result.stdout.splitlines() if not line.startswith("#")]
    assert lines == ["/catalog/procedures/so-tu-phap/ @nguyen-van-a @tinh-thu-nghiem/so-tu-phap",
                     "/catalog/procedures/so-xay-dung/ tran.thi.b@thu-nghiem.gov.vn"]
    assert tthc("codeowners", "-o", ".github/CODEOWNERS").exit_code == 0
    assert (repo.root / ".github" / "CODEOWNERS").read_text(encoding="utf-8") == result.stdout


def test_a_change_to_the_owners_own_procedures_passes(repo: GitRepo) -> None:
    repo.write("so-tu-phap", record("2.000001", name="Chứng thực bản sao", levels=["province"]))
    repo.write("so-tu-phap", record("2.000004", levels=["province"]))
    repo.commit("Sở Tư pháp: sửa tên, thêm thủ tục")
    code, problems = check("--head", "pr", "--owner", "so-tu-phap")
    assert (code, [p["code"] for p in problems]) == (0, ["name-changed"])  # a rename is shown to the reviewer


def test_touching_another_agencys_procedures_is_refused_in_vietnamese_with_a_hint(repo: GitRepo) -> None:
    repo.write("so-tu-phap", record("2.000001", name="Chứng thực bản sao", levels=["province"]))
    repo.write("so-xay-dung", record("2.000002", name="Đổi tên của cơ quan khác", levels=["province"]))
    repo.write("so-y-te", record("2.000005", levels=["province"]))  # a new procedure in another folder
    repo.commit("Sửa cả thủ tục của cơ quan khác")
    code, problems = check("--head", "pr", "--owner", "so-tu-phap")
    assert code == 1
    foreign = [p for p in problems if p["code"] == "agency-not-owned"]
    assert [(p["file"], p["line"], p["severity"]) for p in foreign] == [
        ("catalog/procedures/so-xay-dung/2.000002.yaml", 1, "error"),
        ("catalog/procedures/so-y-te/2.000005.yaml", 1, "error")]
    assert foreign[0]["message"] == ("change to procedure 2.000002 of agency so-xay-dung (folder procedures/so-xay-dung/), "
                                     "not of agency so-tu-phap")  # in Vietnamese without LANGUAGE=en (tests/conftest.py)
    assert "so-xay-dung: tran.thi.b@thu-nghiem.gov.vn" in foreign[0]["hint"]
    assert "amendments" in foreign[0]["hint"]
    # the same change by the other agency's author is refused for the first file
    code, problems = check("--head", "pr", "--author", "tran.thi.b@thu-nghiem.gov.vn")
    assert {p["file"] for p in problems if p["code"] == "agency-not-owned"} == {
        "catalog/procedures/so-tu-phap/2.000001.yaml", "catalog/procedures/so-y-te/2.000005.yaml"}
    # without --owner the gate is as before
    assert check("--head", "pr")[1] == [p for p in problems if p["code"] != "agency-not-owned"]


def test_deleting_another_agencys_procedure_is_refused_too(repo: GitRepo) -> None:
    repo.path("so-y-te", "2.000003").unlink()
    code, problems = check("--owner", "so-tu-phap")  # the working tree against main
    assert code == 1
    assert {(p["code"], p["file"]) for p in problems} == {
        ("file-deleted", "catalog/procedures/so-y-te/2.000003.yaml"),
        ("agency-not-owned", "catalog/procedures/so-y-te/2.000003.yaml")}


def test_a_recorded_transfer_passes_when_the_source_agency_makes_or_approves_it(repo: GitRepo) -> None:
    repo.path("so-tu-phap", "2.000001").unlink()
    transfer = {"date": "2026-06-01", "decision": "15/QĐ-UBND", "summary": "Chuyển thẩm quyền sang Sở Xây dựng"}
    repo.write("so-xay-dung", record("2.000001", levels=["province"], amendments=[transfer]))
    repo.commit("Chuyển 2.000001 sang Sở Xây dựng theo Quyết định 15/QĐ-UBND")
    assert check("--head", "pr", "--owner", "so-tu-phap") == (0, [])
    assert check("--head", "pr", "--author", "@Nguyen-Van-A") == (0, [])  # handles compare without case
    code, problems = check("--head", "pr", "--owner", "so-xay-dung")  # the receiver alone: no proof the source agreed
    assert code == 1 and [p["code"] for p in problems] == ["transfer-not-approved"]
    assert check("--head", "pr", "--owner", "so-xay-dung", "--approved-by", "@nguyen-van-a") == (0, [])
    code, problems = check("--head", "pr", "--owner", "so-y-te")
    assert code == 1 and [p["code"] for p in problems] == ["agency-not-owned"]


def test_an_unrecorded_move_is_not_a_transfer(repo: GitRepo) -> None:
    repo.path("so-tu-phap", "2.000001").unlink()
    repo.write("so-xay-dung", record("2.000001", levels=["province"]))
    code, problems = check("--owner", "so-tu-phap")
    assert code == 1 and sorted(p["code"] for p in problems) == ["agency-moved", "agency-not-owned"]


def test_an_author_who_maintains_no_agency_owns_nothing(repo: GitRepo) -> None:
    repo.write("so-y-te", record("2.000003", name="Sửa", levels=["province"]))
    code, problems = check("--author", "@nguoi-la")
    assert code == 1 and "@nguoi-la (maintainer of no agency in agencies.yaml)" in problems[0]["message"]


@pytest.mark.parametrize("args, message", [
    (["--owner", "so-khong-co"], "--owner so-khong-co: no such agency"),
    (["--owner", "so-y-te", "--author", "@a"], "either --owner AGENCY or --author @HANDLE"),
])
def test_wrong_owner_usage_exits_2(repo: GitRepo, args: list[str], message: str) -> None:
    result = tthc("check-change", "--base", "main", *args)
    assert result.exit_code == 2 and message in result.stderr


def test_a_change_cannot_make_its_author_a_maintainer_of_another_agency(repo: GitRepo) -> None:
    """Ownership is judged by agencies.yaml at the base: adding oneself in the same change does not help."""
    agencies = repo.root / "catalog" / "agencies.yaml"
    # the author adds themself to so-y-te's maintainers in the same change
    agencies.write_text(AGENCIES + '  maintainers: ["@nguyen-van-a"]\n', encoding="utf-8")
    assert tthc("validate").exit_code == 0
    assert "/catalog/procedures/so-y-te/ @nguyen-van-a" in tthc("codeowners").stdout  # so-y-te now lists the author, on disk
    repo.write("so-y-te", record("2.000003", name="Sửa hộ", levels=["province"]))
    code, problems = check("--author", "@nguyen-van-a")
    assert code == 1 and [(p["code"], p["file"]) for p in problems] == [
        ("register-not-owned", "catalog/agencies.yaml"), ("register-review", "catalog/agencies.yaml"),
        ("agency-not-owned", "catalog/procedures/so-y-te/2.000003.yaml"),
        ("name-changed", "catalog/procedures/so-y-te/2.000003.yaml")]
