"""Findings of a hostile contributor's run (stop 12), each pinned by a test that failed before."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import main
from tests.gitrepo import GitRepo

ROOT = Path(__file__).resolve().parents[1]
MINI = ROOT / "tests" / "fixtures" / "mini_catalog"


def run(*args: str):
    return CliRunner().invoke(main, list(args))


@pytest.fixture
def catalog(tmp_path: Path) -> Path:
    root = tmp_path / "catalog"
    shutil.copytree(MINI, root)
    return root


def test_a_pipe_in_the_catalog_is_an_error_not_a_hang(catalog: Path) -> None:
    os.mkfifo(catalog / "procedures" / "bo-xay-dung" / "9.999998.yaml")
    result = run("validate", "--catalog", str(catalog))
    assert result.exit_code == 1 and "not a regular file" in result.output


@pytest.mark.parametrize("as_of", ["20250101", "2025-W01-1", "2025-1-1"])
def test_report_as_of_must_be_yyyy_mm_dd(catalog: Path, as_of: str) -> None:
    result = run("report", "--catalog", str(catalog), "--as-of", as_of)
    assert result.exit_code == 2 and "not a date" in result.output


def test_report_never_writes_into_the_catalog(catalog: Path) -> None:
    before = (catalog / "agencies.yaml").read_bytes()
    result = run("report", "--catalog", str(catalog), "--format", "json", "-o", str(catalog / "agencies.json"))
    assert result.exit_code == 2 and "catalog folder" in result.output
    assert (catalog / "agencies.yaml").read_bytes() == before and not (catalog / "agencies.json").exists()


def test_build_refuses_a_site_folder_inside_the_catalog(catalog: Path) -> None:
    from generator.build import check_site_dir
    from generator.errors import UsageError

    with pytest.raises(UsageError, match="inside the catalog"):
        check_site_dir(catalog / "new-site", [catalog, ROOT / "mkdocs.yml"])


def test_two_plans_with_one_id_are_an_error(catalog: Path) -> None:
    plan = next((catalog / "plans").glob("*.yaml"), None) or (ROOT / "catalog" / "plans" / "qd-1085-ttg.yaml")
    (catalog / "plans").mkdir(exist_ok=True)
    shutil.copy(plan, catalog / "plans" / "a.yaml")
    shutil.copy(plan, catalog / "plans" / "b.yaml")
    result = run("validate", "--catalog", str(catalog))
    assert result.exit_code == 1 and "duplicate-plan" in result.output


def test_a_re_dated_old_entry_does_not_record_a_new_decision(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "repo")
    shutil.copytree(MINI, repo.root / "catalog")
    repo.commit("Danh mục ban đầu", "2026-06-10T09:00:00+07:00")
    path = repo.root / "catalog" / "procedures" / "bo-xay-dung" / "1.000001.yaml"
    text = path.read_text(encoding="utf-8")
    assert "date: 2024-06-01" in text
    text = text.replace("date: 2024-06-01", "date: 2024-05-31").replace("{value: 10, unit: working_days}", "{value: 9, unit: working_days}", 1)
    path.write_text(text, encoding="utf-8")
    cwd = Path.cwd()
    os.chdir(repo.root)
    try:
        result = run("check-change", "--base", "HEAD")
    finally:
        os.chdir(cwd)
    assert result.exit_code == 1 and "change-unrecorded" in result.output


def test_a_change_of_subjects_or_competent_agency_needs_a_decision(tmp_path: Path) -> None:
    from generator.diff import SUBSTANTIVE

    assert {"subjects", "agencies", "kind", "internal_scope", "levels"} <= set(SUBSTANTIVE)


def test_malformed_decision_files_give_a_message_not_a_traceback(tmp_path: Path, catalog: Path) -> None:
    source = ROOT.parent / "shared" / "data" / "raw" / "simplification-decisions"
    if not source.is_dir():
        pytest.skip("no simplification-decisions beside the checkout")
    copy = tmp_path / "sd"
    shutil.copytree(source, copy)
    for bad in ("{}", "[]", "null"):
        (copy / "nq-66.7-2025-nq-cp_phu-luc-i.json").write_text(bad, encoding="utf-8")
        result = run("import-decisions", str(copy), "--catalog", str(catalog), "--dry-run")
        assert result.exit_code == 2 and "expected shape" in result.output and result.exception is None or isinstance(result.exception, SystemExit)
