"""`tthc build --site-dir` never destroys anything but a previous site."""

from __future__ import annotations

import os
import re
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


@pytest.mark.parametrize("previous", [True, False])
def test_a_build_stopped_by_catalog_errors_says_what_became_of_the_site(project: Path, previous: bool) -> None:
    """The last line of a build stopped on catalog errors said only ``1 error(s), listed above``: it says
    the previous site was left as it was (it is, byte for byte), or that nothing was published when there was none."""
    if previous:
        first = build(project, "site")
        assert first.returncode == 0, first.stderr
    before = snapshot(project / "site") if previous else None
    record = project / "catalog" / "procedures" / "bo-xay-dung" / "1.000001.yaml"
    record.write_text(record.read_text(encoding="utf-8").replace("name:", "name: [", 1), encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "generator.cli", "build", "--no-search", "--site-dir", "site"],
                            cwd=project, capture_output=True, text=True, timeout=600, env={**os.environ, "LANGUAGE": "vi"})
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    last = result.stderr.splitlines()[-1]
    site = Path("site")
    if previous:
        assert re.fullmatch(rf"tthc: đã dừng: \d+ lỗi, liệt kê ở trên; trang web ở {site} được giữ nguyên như trước", last), last
        assert snapshot(project / "site") == before
    else:
        assert re.fullmatch(rf"tthc: đã dừng: \d+ lỗi, liệt kê ở trên; không có gì được công bố vào {site}", last), last
        assert not (project / "site").exists()
