"""`tthc build --site-dir` never destroys anything but a previous site."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(ROOT / "tests" / "fixtures" / "mini_catalog", root / "catalog")
    shutil.copytree(ROOT / "site_templates", root / "site_templates")
    shutil.copy(ROOT / "mkdocs.yml", root / "mkdocs.yml")
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    return root


def build(project: Path, site_dir: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "generator.cli", "build", "--no-search", "--site-dir", site_dir],
                          cwd=project, capture_output=True, text=True, timeout=600)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@pytest.mark.parametrize("site_dir", [".", "..", "catalog", "catalog/procedures"])
def test_refuses_a_site_dir_that_holds_the_project_or_catalog(project: Path, site_dir: str) -> None:
    before = snapshot(project)
    result = build(project, site_dir)
    assert result.returncode == 2, result.stderr
    assert "refusing to build into" in result.stderr and "Traceback" not in result.stderr
    assert snapshot(project) == before


def test_refuses_a_non_empty_folder_that_is_not_a_site(project: Path) -> None:
    other = project / "notes"
    other.mkdir()
    (other / "todo.txt").write_text("keep me", encoding="utf-8")
    result = build(project, "notes")
    assert result.returncode == 2
    assert (other / "todo.txt").read_text(encoding="utf-8") == "keep me"


def test_rebuilds_over_its_own_previous_site(project: Path) -> None:
    assert build(project, "out").returncode == 0
    assert build(project, "out").returncode == 0
    assert (project / "out" / "index.html").is_file()
