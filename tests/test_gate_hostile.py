"""Gaps a hostile review of the gate found (issue 8), each pinned by a test that failed before the fix.

Every check-change test runs on a real git repository in ``tmp_path`` through
the real entry point (in process, tests/tthc_cli.py).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from gitrepo import GitRepo, record
from tthc_cli import gate, tthc

ROOT = Path(__file__).resolve().parents[1]
MINI = ROOT / "tests" / "fixtures" / "mini_catalog"


def _gate(repo: GitRepo, *args: str) -> tuple[int, list[dict]]:
    return gate(repo.root, *args)


# --- 1. an old entry rewritten never records a new change -----------------------------------------------

def _cut_time(repo: GitRepo, new_entry: str = "") -> Path:
    path = repo.root / "catalog" / "procedures" / "bo-xay-dung" / "1.000001.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("decision: 1085/QĐ-TTg", "decision: 2000/QĐ-TTg")  # the old entry's decision rewritten
    text = text.replace("{value: 10, unit: working_days}", "{value: 9, unit: working_days}", 1)
    text = text.replace("source:\n", new_entry + "source:\n")
    path.write_text(text, encoding="utf-8")
    return path


def test_rewriting_an_old_entrys_decision_does_not_record_a_time_cut(mini: GitRepo) -> None:
    _cut_time(mini)
    code, found = _gate(mini)
    assert code == 1
    assert {(d["code"], d["severity"]) for d in found} == {("change-unrecorded", "error"), ("history-edited", "warning")}
    # the diff agrees: the revision records no new decision
    diff = json.loads(tthc("diff", "main", "--format", "json", cwd=mini.root).stdout)
    (p,) = diff["procedures"]
    assert p["new_simplifications"] == []


def test_a_new_entry_beside_an_edited_one_records_the_change(mini: GitRepo) -> None:
    _cut_time(mini, "  - stage: implemented\n    date: 2026-06-01\n    decision: 99/QĐ-BXD\n"
                    "    kinds: [cut_time]\n    summary: Giảm thời hạn trực tuyến từ 10 xuống 9 ngày làm việc.\n")
    code, found = _gate(mini)
    assert code == 0, found
    assert [d["code"] for d in found] == ["history-edited"]
    diff = json.loads(tthc("diff", "main", "--format", "json", cwd=mini.root).stdout)
    assert [e["decision"] for e in diff["procedures"][0]["new_simplifications"]] == ["99/QĐ-BXD"]


# --- 2. agencies.yaml: no ownership takeover; the control office reviews the registers ------------------

AGENCIES = """agencies:
- id: so-tu-phap
  name: Sở Tư pháp tỉnh Thử Nghiệm
  level: province
  maintainers: ["@nguyen-van-a"]
- id: so-xay-dung
  name: Sở Xây dựng tỉnh Thử Nghiệm
  level: province
  maintainers: ["@tran-thi-b"]
"""
SECTORS = "sectors:\n- id: thu-nghiem\n  name: Thử nghiệm\n"


@pytest.fixture
def owned(tmp_path: Path) -> GitRepo:
    """main: two agencies with maintainers, one procedure each; the working tree is the change."""
    repo = GitRepo(tmp_path / "repo")
    (repo.root / "catalog").mkdir()
    (repo.root / "catalog" / "agencies.yaml").write_text(AGENCIES, encoding="utf-8")
    (repo.root / "catalog" / "sectors.yaml").write_text(SECTORS, encoding="utf-8")
    repo.write("so-tu-phap", record("2.000001", levels=["province"]))
    repo.write("so-xay-dung", record("2.000002", levels=["province"]))
    repo.commit("Danh mục ban đầu")
    return repo


def _agencies(repo: GitRepo, text: str) -> None:
    (repo.root / "catalog" / "agencies.yaml").write_text(text, encoding="utf-8")


def test_taking_over_another_agencys_maintainers_is_an_error(owned: GitRepo) -> None:
    _agencies(owned, AGENCIES.replace('["@tran-thi-b"]', '["@nguyen-van-a"]'))
    code, found = _gate(owned, "--owner", "so-tu-phap")
    assert code == 1
    (error,) = [d for d in found if d["severity"] == "error"]
    assert error["code"] == "register-not-owned" and error["file"] == "catalog/agencies.yaml"
    assert (error["line"], error["path"]) == (6, "agencies[1]")
    assert "so-xay-dung" in error["message"] and "@tran-thi-b" in error["hint"]
    vi = tthc("check-change", "--base", "main", "--owner", "so-tu-phap", cwd=owned.root, env={"LANGUAGE": "vi"})
    assert "mục của cơ quan so-xay-dung trong agencies.yaml bị thay đổi bởi cơ quan so-tu-phap" in vi.stdout
    code, found = _gate(owned, "--author", "@nguyen-van-a")
    assert code == 1 and "register-not-owned" in {d["code"] for d in found}
    # the agency's own maintainers may change it, with a warning for the control office
    code, found = _gate(owned, "--owner", "so-xay-dung")
    assert code == 0 and [(d["code"], d["path"]) for d in found] == [("register-review", "agencies[1].maintainers")]
    # without --owner the maintainers change still warns
    code, found = _gate(owned)
    assert code == 0 and [d["code"] for d in found] == ["register-review"]


def test_a_change_to_the_registers_only_is_not_compared_nothing(owned: GitRepo) -> None:
    _agencies(owned, AGENCIES.replace("name: Sở Xây dựng tỉnh", "name: Sở Xây dựng  tỉnh"))
    result = tthc("check-change", "--base", "main", "--owner", "so-tu-phap", cwd=owned.root)
    assert result.returncode == 1 and "register-not-owned" in result.stdout
    assert "compared nothing" not in result.stderr and "catalog/agencies.yaml" in result.stderr
    _agencies(owned, AGENCIES + "- id: so-y-te\n  name: Sở Y tế\n  level: province\n")
    (owned.root / "catalog" / "sectors.yaml").write_text(SECTORS + "- id: y-te\n  name: Y tế\n", encoding="utf-8")
    result = tthc("check-change", "--base", "main", "--format", "json", cwd=owned.root)
    assert result.returncode == 0 and "compared nothing" not in result.stderr
    assert sorted((d["code"], d["file"]) for d in json.loads(result.stdout)) == [
        ("register-review", "catalog/agencies.yaml"), ("register-review", "catalog/sectors.yaml")]
    # a new agency's own entry is no takeover, but the control office must approve it
    assert "thêm" in json.loads(result.stdout)[0]["message"] or "so-y-te" in json.loads(result.stdout)[0]["message"]


def test_the_control_office_reviews_the_registers_and_may_change_them(owned: GitRepo) -> None:
    _agencies(owned, 'control_office: ["@kiem-soat-tthc"]\n' + AGENCIES)
    owned.commit("Cục Kiểm soát TTHC duyệt danh mục")
    _agencies(owned, 'control_office: ["@nguyen-van-a"]\n' + AGENCIES)  # a self-appointed reviewer
    code, found = _gate(owned, "--owner", "so-tu-phap")
    assert code == 1 and "register-not-owned" in {d["code"] for d in found}
    _agencies(owned, 'control_office: ["@kiem-soat-tthc"]\n' + AGENCIES.replace('["@tran-thi-b"]', '["@le-van-c"]'))
    assert _gate(owned, "--author", "@kiem-soat-tthc")[0] == 0
    assert _gate(owned, "--owner", "so-tu-phap", "--approved-by", "@kiem-soat-tthc")[0] == 0
    assert _gate(owned, "--owner", "so-tu-phap")[0] == 1


def test_codeowners_gives_the_shared_files_to_the_control_office(owned: GitRepo) -> None:
    result = tthc("codeowners", cwd=owned.root)
    assert result.returncode == 0 and "control_office" in result.stderr  # none configured: said, with the fix
    assert "/catalog/agencies.yaml" not in result.stdout
    _agencies(owned, 'control_office: ["@kiem-soat-tthc", kiemsoat@vpcp.gov.vn]\n' + AGENCIES)
    assert tthc("validate", cwd=owned.root).returncode == 0
    result = tthc("codeowners", cwd=owned.root)
    assert result.returncode == 0 and result.stderr == ""
    lines = [line for line in result.stdout.splitlines() if not line.startswith("#")]
    assert lines == ["/catalog/procedures/so-tu-phap/ @nguyen-van-a", "/catalog/procedures/so-xay-dung/ @tran-thi-b",
                     *(f"/catalog/{name} @kiem-soat-tthc kiemsoat@vpcp.gov.vn"
                       for name in ("agencies.yaml", "sectors.yaml", "plans/", "cost-basis.yaml", "coverage.yaml")),
                     # the files that run the gate: a pull request runs the workflow it carries
                     *(f"{name} @kiem-soat-tthc kiemsoat@vpcp.gov.vn" for name in (
                         "/.github/", "/.gitlab-ci.yml", "/ci/", "/requirements.txt", "/mkdocs.yml", "/.pre-commit-config.yaml"))]
    _agencies(owned, 'control_office: ["not a handle"]\n' + AGENCIES)
    bad = tthc("validate", "--format", "json", cwd=owned.root)
    assert bad.returncode == 1 and json.loads(bad.stdout)[0]["path"] == "control_office[0]"


# --- 3. a transfer of competence taken by the receiving agency alone ---------------------------------------

def test_a_self_declared_transfer_needs_the_source_agencys_approval(owned: GitRepo) -> None:
    owned.git("mv", "catalog/procedures/so-tu-phap/2.000001.yaml", "catalog/procedures/so-xay-dung/2.000001.yaml")
    path = owned.path("so-xay-dung", "2.000001")
    path.write_text(path.read_text(encoding="utf-8") + "amendments:\n- date: 2026-06-01\n  decision: 15/QĐ-UBND\n"
                    "  summary: Chuyển thẩm quyền sang Sở Xây dựng\n", encoding="utf-8")
    code, found = _gate(owned, "--owner", "so-xay-dung")
    assert code == 1
    (error,) = found
    assert error["code"] == "transfer-not-approved" and error["file"] == "catalog/procedures/so-xay-dung/2.000001.yaml"
    assert "so-tu-phap" in error["message"] and "@nguyen-van-a" in error["hint"] and "--approved-by" in error["hint"]
    assert _gate(owned, "--author", "@tran-thi-b")[0] == 1
    # the source agency makes it, or approves it
    assert _gate(owned, "--owner", "so-tu-phap") == (0, [])
    assert _gate(owned, "--owner", "so-xay-dung", "--approved-by", "@Nguyen-Van-A") == (0, [])
    assert _gate(owned, "--owner", "so-xay-dung", "--approved-by", "@tran-thi-b")[0] == 1  # its own approval is no proof


# --- 4. a raw control character is placed by characters, also in a big file -----------------------------

@pytest.mark.parametrize("pad", [0, 70_000])
def test_a_raw_control_character_is_reported_at_its_line_and_column(tmp_path: Path, pad: int) -> None:
    catalog = tmp_path / "catalog"
    shutil.copytree(MINI, catalog)
    path = catalog / "procedures" / "bo-xay-dung" / "1.000001.yaml"
    text = path.read_text(encoding="utf-8")
    filler = "".join(f"  - Tổ chức, cá nhân có nhu cầu số {i}\n" for i in range(pad // 40))
    text = text.replace("  - Tổ chức\n", "  - Tổ chức\n" + filler)
    text = text.replace("Đơn đề nghị cấp giấy phép xây dựng\n", "Đơn đề nghị cấp giấy phép xây\x07 dựng\n", 1)
    path.write_text(text, encoding="utf-8")
    assert len(text.encode("utf-8")) > pad
    line_no = next(i for i, line in enumerate(text.split("\n"), 1) if "\x07" in line)
    column = text.split("\n")[line_no - 1].index("\x07") + 1
    result = tthc("validate", "--catalog", str(catalog), "--format", "json", cwd=tmp_path)
    assert result.returncode == 1, result.stdout
    found = json.loads(result.stdout)
    (found,) = [d for d in found if d["file"].endswith("1.000001.yaml")]
    assert (found["line"], found["column"]) == (line_no, column)
    assert "U+0007" in found["message"]


# --- 5. the importers never write a wrong-typed source value into a record --------------------------------

CRAWL_FIELDS = ["ma_thu_tuc", "ten_thu_tuc", "cach_thuc_thuc_hien", "thanh_phan_ho_so", "raw_text"]
SAMPLE = ROOT.parent / "shared" / "data" / "raw" / "dvcqg-api-sample" / "019d2bf7-cd62-75ce-b319-7b31d19fb35f.json"


def _import(tmp_path: Path, source: Path) -> tuple[object, list[str]]:
    """Run tthc import; the ``import-refused`` lines (``file:0:0: error[import-refused] path: message (hint: ...)``)."""
    (tmp_path / "cat").mkdir(exist_ok=True)
    (tmp_path / "cat" / "agencies.yaml").write_text(
        "agencies:\n- id: bo-cong-an\n  name: Bộ Công an\n  level: ministry\n", encoding="utf-8")
    result = tthc("import", str(source), "--catalog", "cat", cwd=tmp_path)
    assert "Traceback" not in result.stderr + result.stdout, result.stderr
    return result, [line for line in result.stdout.splitlines() if "error[import-refused]" in line]


@pytest.mark.parametrize("field, value, said", [
    ("so_quyet_dinh", {"a": 1}, "a mapping ({'a': 1})"), ("thanh_phan_ho_so", 42, "a number (42)"),
    ("can_cu_phap_ly", ["x"], "a list (['x'])"), ("ten_thu_tuc", True, "a boolean (True)")])
def test_a_wrong_typed_crawl_value_is_a_diagnostic_never_its_repr(tmp_path: Path, field: str, value: object,
                                                                   said: str) -> None:
    folder = tmp_path / "in" / "bo-cong-an"
    folder.mkdir(parents=True)
    data = {k: "" for k in CRAWL_FIELDS} | {"ma_thu_tuc": "1.999999", "ten_thu_tuc": "Thủ tục thử", field: value}
    (folder / "1.999999.json").write_text(json.dumps(data), encoding="utf-8")
    result, found = _import(tmp_path, tmp_path / "in")
    assert result.returncode == 1
    (problem,) = found
    assert problem.startswith(f"{folder / '1.999999.json'}:0:0: error[import-refused] {field}: 1.999999: cannot be imported: "
                              f"{field} holds {said} where the page crawl gives text; correct the value"), problem
    assert repr(value) not in "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "cat").rglob("*.yaml"))
    assert not list((tmp_path / "cat").rglob("1.999999.yaml"))


@pytest.mark.skipif(not SAMPLE.is_file(), reason="shared data ../shared/data/raw not present")
def test_a_wrong_typed_api_value_is_a_diagnostic_at_its_path(tmp_path: Path) -> None:
    data = json.loads(SAMPLE.read_text(encoding="utf-8"))
    data["procedureProposal"]["proposalNumber"] = {"a": 1}
    data["executionMethods"][0]["fees"] = [{"value": "50.000", "description": "Lệ phí"}]
    (tmp_path / "api.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    result, found = _import(tmp_path, tmp_path / "api.json")
    assert result.returncode == 1
    assert sorted(line.split("] ", 1)[1].split(":", 1)[0] for line in found) == [
        "executionMethods[0].fees[0].value", "procedureProposal.proposalNumber"]
    assert "holds text ('50.000') where the portal API gives a number" in "".join(found)
    assert not list((tmp_path / "cat").rglob("*.yaml"))[1:]  # only agencies.yaml


# --- 6. messages that say what is true ---------------------------------------------------------------------

def test_building_into_the_root_folder_says_so_precisely(tmp_path: Path) -> None:
    result = tthc("build", "--catalog", str(MINI), "--site-dir", "/", "--no-search", cwd=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "refusing to build into /: it is the root of the file system" in result.stderr
    assert "would delete" not in result.stderr
    inside = tthc("build", "--catalog", str(MINI), "--site-dir", str(tmp_path.parent), "--no-search", cwd=tmp_path)
    assert inside.returncode == 2 and f"holds the working directory {tmp_path.resolve()}" in inside.stderr


def test_diff_of_a_missing_file_names_it(tmp_path: Path) -> None:
    GitRepo(tmp_path)
    existing = MINI / "procedures" / "bo-xay-dung" / "1.000001.yaml"
    for args, missing in ((["nothere.yaml", str(existing)], "nothere.yaml"),
                          ([str(existing), "nothere.yaml"], "nothere.yaml"),
                          (["old.yaml", "new.yaml"], "old.yaml")):
        result = tthc("diff", *args, cwd=tmp_path)
        assert result.returncode == 2 and "Traceback" not in result.stderr
        assert f"{missing}: no such file (it does not exist)" in result.stderr, result.stderr
    outside = tthc("diff", "nothere.yaml", str(existing), cwd=tmp_path.parent)  # not in a git repository either
    assert outside.returncode == 2 and "nothere.yaml: no such file" in outside.stderr


@pytest.mark.parametrize("where", ["publish", "page"])
def test_a_full_disk_leaves_no_cache_behind_and_says_what_happened(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                   where: str) -> None:
    import errno

    def full(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setenv("TTHC_WORKERS", "1")  # pages written in this process, where the write is patched
    if where == "publish":
        monkeypatch.setattr("generator.build._publishable", full)
    else:
        write_bytes = Path.write_bytes  # how the procedures' pages are written (generator/site.py:_write_page)

        def page_write(self: Path, *args: object, **kwargs: object) -> int:
            if self.name == "index.html" and "thu-tuc" in self.parts:
                full()
            return write_bytes(self, *args, **kwargs)

        monkeypatch.setattr(Path, "write_bytes", page_write)
    site = tmp_path / "out" / "site"
    site.parent.mkdir()
    result = tthc("build", "--catalog", str(MINI), "--site-dir", str(site), "--no-search", cwd=ROOT)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert "No space left on device" in result.stderr and "nothing was published" in result.stderr
    assert "was removed" in result.stderr
    # no site, no .site-cache, no .site-building-*; only the empty lock folder of this site's builds
    assert sorted(p.name for p in site.parent.iterdir()) == [".site-lock"]


# --- hostile inputs of this review's own ------------------------------------------------------------------

def test_a_linked_agency_folder_is_refused_on_disk_and_in_git(mini: GitRepo) -> None:
    (mini.root / "catalog" / "procedures" / "bo-link").symlink_to("bo-xay-dung")
    result = tthc("validate", "--catalog", "catalog", "--format", "json", cwd=mini.root)
    assert result.returncode == 1
    assert [(d["code"], d["file"]) for d in json.loads(result.stdout)] == [("symlink", "catalog/procedures/bo-link")]
    mini.commit("Liên kết thư mục")
    result = tthc("check-change", "--base", "HEAD~1", "--head", "HEAD", "--format", "json", cwd=mini.root)
    code, found = result.returncode, json.loads(result.stdout)
    assert code == 1 and [(d["code"], d["file"]) for d in found] == [("symlink", "catalog/procedures/bo-link")]


def test_a_change_to_the_registers_only_is_counted_as_compared(owned: GitRepo) -> None:
    (owned.root / "catalog" / "sectors.yaml").unlink()
    result = tthc("check-change", "--base", "main", cwd=owned.root)
    assert result.returncode == 1 and "in 1 file(s)" in result.stdout and "missing-file" in result.stdout


def test_diff_of_a_folder_says_it_is_a_folder(mini: GitRepo) -> None:
    result = tthc("diff", "catalog/procedures", "catalog/plans", cwd=mini.root)
    assert result.returncode == 2 and "catalog/procedures is a folder" in result.stderr
    assert "tthc diff BASE [HEAD] catalog/procedures" in result.stderr


def test_diff_of_two_registers_says_they_are_no_procedure_files(mini: GitRepo) -> None:
    result = tthc("diff", "catalog/agencies.yaml", "catalog/sectors.yaml", cwd=mini.root)
    assert result.returncode == 2 and "catalog/agencies.yaml is a register of the catalog, not a procedure file" in result.stderr


def test_errors_already_listed_are_not_sent_to_validate_to_see_them(mini: GitRepo) -> None:
    path = mini.root / "catalog" / "procedures" / "bo-xay-dung" / "1.000001.yaml"
    broken = mini.root / "broken.yaml"
    broken.write_text(path.read_text(encoding="utf-8") + "documents: abc\n", encoding="utf-8")
    result = tthc("diff", str(path), str(broken), cwd=mini.root)
    assert result.returncode == 1 and "error[duplicate-key]" in result.stderr
    assert "run `tthc validate` to see them" not in result.stderr and "1 error(s), listed above" in result.stderr


def test_the_pr_comment_warns_when_a_changed_record_does_not_validate(mini: GitRepo) -> None:
    """A record whose values break the schema (a status missing, a unit no one knows) is compared as
    written, but the comment must say first that the record does not validate, with the errors."""
    path = mini.root / "catalog" / "procedures" / "bo-xay-dung" / "1.000001.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("status: in_force\n", "", 1).replace("unit: working_days", "unit: ngay", 1),
                    encoding="utf-8")
    mini.commit("Sửa sai", "2026-06-11T09:00:00+07:00")
    result = tthc("diff", "HEAD~1", "HEAD", "--format", "markdown", cwd=mini.root)
    assert result.returncode == 0, result.stderr
    assert "Bản ghi không hợp lệ" in result.stdout and "1.000001.yaml:" in result.stdout
    assert "None" not in result.stdout
    assert "status" in result.stdout.split("Bản ghi không hợp lệ", 1)[1].split("<details>", 1)[0]
    text_out = tthc("diff", "HEAD~1", "HEAD", cwd=mini.root)
    assert "Bản ghi không hợp lệ" in text_out.stdout
    clean = tthc("diff", "HEAD~1", "HEAD~1", "--format", "markdown", cwd=mini.root)
    assert "Bản ghi không hợp lệ" not in clean.stdout
