"""The strict gate (issue 8, item 3): check-change and diff read head files as validate does,
say when they compared nothing, and ``tthc diff --exit-code`` exits 1 on differences."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gitrepo import GitRepo, record
from tthc_cli import tthc

FREE = [{"channel": "online", "fees": [{"description": "Lệ phí", "amount_vnd": 0}]}]


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    repo = GitRepo(tmp_path / "repo")
    repo.write("bo-a", record("1.000001", methods=FREE))
    repo.commit("Danh mục", "2026-06-10T09:00:00+07:00")
    return repo


def _bad_merge(repo: GitRepo) -> Path:
    """A merge that left ``methods`` twice: the first free, the second with a fee of 4.000.000 đồng."""
    path = repo.path("bo-a", "1.000001")
    path.write_text(path.read_text(encoding="utf-8")
                    + "methods:\n- channel: online\n  fees:\n  - description: Lệ phí\n    amount_vnd: 4000000\n",
                    encoding="utf-8")
    return path


def test_a_duplicated_key_in_a_head_file_fails_the_gate_at_its_position(repo: GitRepo) -> None:
    path = _bad_merge(repo)
    lines = path.read_text(encoding="utf-8").splitlines()
    line = len(lines) - lines[::-1].index("methods:")  # the second one
    result = tthc("check-change", "--base", "main", cwd=repo.root)
    assert result.returncode == 1, result.stdout
    assert f"catalog/procedures/bo-a/1.000001.yaml:{line}:1: error[duplicate-key] methods" in result.stdout
    diff = tthc("diff", "main", cwd=repo.root)
    assert diff.returncode == 1 and "Traceback" not in diff.stderr
    assert f"1.000001.yaml:{line}:1: error[duplicate-key]" in diff.stderr
    assert "Không có thay đổi về nội dung" not in diff.stdout


@pytest.mark.parametrize("bad", ["documents: abc\n", "steps: 5\n", "simplifications: 7\n", "methods: {a: 1}\n"])
def test_a_wrong_typed_head_file_is_reported_never_a_traceback(repo: GitRepo, bad: str) -> None:
    path = repo.path("bo-a", "1.000001")
    text = path.read_text(encoding="utf-8")
    key = bad.split(":")[0]
    if key == "methods":
        text = text[: text.index("methods:")]
    path.write_text(text + bad, encoding="utf-8")
    result = tthc("check-change", "--base", "main", "--format", "json", cwd=repo.root)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    found = json.loads(result.stdout)
    assert any(d["code"].startswith("schema") and d["path"].startswith(key) and d["line"] > 0 for d in found)
    diff = tthc("diff", "main", cwd=repo.root)
    assert diff.returncode == 0 and "Traceback" not in diff.stderr and "1.000001" in diff.stdout


def test_a_run_that_compared_nothing_says_so_with_a_hint(repo: GitRepo) -> None:
    path = repo.path("bo-a", "1.000001")
    path.write_text(path.read_text(encoding="utf-8").replace("amount_vnd: 0", "amount_vnd: 50000"), encoding="utf-8")
    repo.commit("Thu lệ phí", "2026-07-01T09:00:00+07:00")
    result = tthc("check-change", "--base", "HEAD", cwd=repo.root)  # the usual mistake after committing
    assert result.returncode == 0
    assert "compared nothing" in result.stderr and "--base HEAD compares HEAD with itself" in result.stderr
    assert "--base origin/main" in result.stderr
    diff = tthc("diff", "HEAD", cwd=repo.root)
    assert "compared nothing" in diff.stderr
    real = tthc("check-change", "--base", "HEAD~1", cwd=repo.root)
    assert real.returncode == 1 and "compared nothing" not in real.stderr


def test_diff_exit_code_is_one_when_a_procedure_differs(repo: GitRepo) -> None:
    assert tthc("diff", "main", "--exit-code", cwd=repo.root).returncode == 0
    path = repo.path("bo-a", "1.000001")
    path.write_text(path.read_text(encoding="utf-8") + "\n\n", encoding="utf-8")  # formatting only
    assert tthc("diff", "main", "--exit-code", cwd=repo.root).returncode == 0
    path.write_text(path.read_text(encoding="utf-8").replace("amount_vnd: 0", "amount_vnd: 50000"), encoding="utf-8")
    changed = tthc("diff", "main", "--exit-code", cwd=repo.root)
    assert changed.returncode == 1 and "50.000" in changed.stdout
    assert tthc("diff", "main", cwd=repo.root).returncode == 0  # without the flag, differences are not an error


# --- the gate applies the rules of tthc validate (issue 8: one reading everywhere) ---------------------

REAL = Path(__file__).resolve().parent.parent / "catalog"


@pytest.fixture(scope="module")
def real_repo(tmp_path_factory: pytest.TempPathFactory) -> GitRepo:
    """The bundled catalog, committed as it is (valid: tthc validate reports no error)."""
    import shutil

    repo = GitRepo(tmp_path_factory.mktemp("real") / "repo")
    shutil.copytree(REAL, repo.root / "catalog")
    repo.commit("Danh mục", "2026-06-10T09:00:00+07:00")
    return repo


@pytest.fixture
def real(real_repo: GitRepo) -> GitRepo:
    real_repo.git("reset", "-q", "--hard", "main")
    real_repo.git("clean", "-qfd")
    return real_repo


def _json(result: subprocess.CompletedProcess[str]) -> list[dict]:
    assert "Traceback" not in result.stderr, result.stderr
    return json.loads(result.stdout)


def _same_as_validate(repo: GitRepo, *codes: str) -> list[dict]:
    """The gate's diagnostics of rules ``codes``, asserted equal to what tthc validate reports for them."""
    gate = tthc("check-change", "--base", "main", "--format", "json", cwd=repo.root)
    assert gate.returncode == 1, gate.stdout
    found = [d for d in _json(gate) if d["code"] in codes]
    validated = [d for d in _json(tthc("validate", "--format", "json", cwd=repo.root)) if d["code"] in codes]
    assert found and found == validated
    return found


def _amend(text: str, entry: str) -> str:
    return text + "amendments:\n" + entry


def test_a_future_or_missing_entry_date_fails_the_gate_as_validate_reports_it(real: GitRepo) -> None:
    path = real.path("bo-xay-dung", "1.000010")
    path.write_text(_amend(path.read_text(encoding="utf-8"),
                           '- date: "2099-01-05"\n  decision: "12/QĐ-BXD"\n  summary: Công bố lại\n'
                           '- decision: "13/QĐ-BXD"\n  summary: Công bố lại\n'), encoding="utf-8")
    found = _same_as_validate(real, "date-future", "entry-date")
    assert [(d["code"], d["path"]) for d in found] == [("date-future", "amendments[0].date"), ("entry-date", "amendments[1]")]
    assert {d["file"] for d in found} == {"catalog/procedures/bo-xay-dung/1.000010.yaml"}


def test_a_code_used_by_a_file_of_another_agency_fails_the_gate_on_both_files(real: GitRepo) -> None:
    copy = real.path("bo-tu-phap", "1.000010")
    copy.write_bytes(real.path("bo-xay-dung", "1.000010").read_bytes())
    found = _same_as_validate(real, "code-unique")
    assert {d["file"] for d in found} == {"catalog/procedures/bo-tu-phap/1.000010.yaml",
                                          "catalog/procedures/bo-xay-dung/1.000010.yaml"}


def test_a_replacement_not_linked_both_ways_fails_the_gate(real: GitRepo) -> None:
    path = real.path("bo-cong-an", "3.000369")
    text = path.read_text(encoding="utf-8")
    assert "\nreplaces:" not in text
    path.write_text(text + 'replaces:\n- code: "1.000010"\n  decision: "4641/QĐ-BCA"\n', encoding="utf-8")
    (found,) = _same_as_validate(real, "replacement-link")
    assert found["path"] == "replaces[0].code" and '"1.000010" is in the catalog' in found["message"]


def test_a_change_to_sectors_yaml_that_breaks_unchanged_procedures_fails_the_gate(real: GitRepo) -> None:
    sectors = real.root / "catalog" / "sectors.yaml"
    text = sectors.read_text(encoding="utf-8")
    start = text.index("- id: dang-kiem\n")
    end = text.index("\n- id:", start + 1) + 1
    sectors.write_text(text[:start] + text[end:], encoding="utf-8")
    found = _same_as_validate(real, "unknown-sector")
    assert len(found) == 25 and "catalog/procedures/bo-xay-dung/1.000010.yaml" in {d["file"] for d in found}


def test_a_valid_real_change_still_passes_and_head_may_be_a_commit(real: GitRepo) -> None:
    path = real.path("bo-xay-dung", "1.000010")
    path.write_text(_amend(path.read_text(encoding="utf-8"),
                           '- date: "2026-07-01"\n  decision: "12/QĐ-BXD"\n  summary: Công bố lại\n'), encoding="utf-8")
    assert tthc("check-change", "--base", "main", cwd=real.root).returncode == 0
    path.write_text(path.read_text(encoding="utf-8").replace('"2026-07-01"', '"2099-07-01"'), encoding="utf-8")
    real.commit("Công bố lại", "2026-07-02T09:00:00+07:00")
    gate = tthc("check-change", "--base", "main~1", "--head", "main", "--format", "json", cwd=real.root)
    assert gate.returncode == 1 and [d["code"] for d in _json(gate)] == ["date-future"]


def test_an_error_already_at_base_is_validates_business_not_the_changes(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "repo")  # no agencies.yaml, no sectors.yaml: invalid at base already
    repo.write("bo-a", record("1.000001", methods=FREE))
    repo.commit("Danh mục", "2026-06-10T09:00:00+07:00")
    path = repo.path("bo-a", "1.000001")
    path.write_text("# ghi chú\n" + path.read_text(encoding="utf-8"), encoding="utf-8")  # the errors move a line down
    assert tthc("check-change", "--base", "main", cwd=repo.root).returncode == 0
    repo.write("bo-a", record("1.000002", reviews=[{"date": "2099-01-01", "document": "1/QĐ-BTN", "outcome": "keep"}]))
    gate = tthc("check-change", "--base", "main", "--format", "json", cwd=repo.root)
    # the new file is judged whole: its future review, and the checks against agencies.yaml and sectors.yaml, which
    # it could not have (both missing), say so once each for the catalog (one procedure file more than at base)
    assert gate.returncode == 1 and sorted(d["code"] for d in _json(gate)) == ["checks-skipped", "checks-skipped", "date-future"]


@pytest.mark.parametrize("base", [":/Danh mục", "main^{/Danh}", "main@{0}", "HEAD~0"])
def test_any_revision_git_accepts_is_a_base(repo: GitRepo, base: str) -> None:
    path = repo.path("bo-a", "1.000001")
    path.write_text(path.read_text(encoding="utf-8").replace("amount_vnd: 0", "amount_vnd: 50000"), encoding="utf-8")
    gate = tthc("check-change", "--base", base, "--format", "json", cwd=repo.root)
    assert gate.returncode == 1 and [d["code"] for d in _json(gate)] == ["change-unrecorded"], gate.stderr
    diff = tthc("diff", base, "--format", "json", cwd=repo.root)
    assert diff.returncode == 0 and json.loads(diff.stdout)["summary"]["changed"] == 1
    assert tthc("check-change", "--base", ":/no such message", cwd=repo.root).returncode == 2
