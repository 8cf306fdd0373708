"""Nothing written unless asked (issue 8, item 6): no command but an import of new records changes
``catalog/``, and an import never rewrites an existing agencies.yaml or sectors.yaml."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from generator.load import load_file
from gitrepo import GitRepo
from tthc_cli import tthc

ROOT = Path(__file__).resolve().parents[1]
CRAWL = ROOT.parent / "shared" / "data" / "raw" / "dvcqg-chatbot-tthc" / "records"

needs_data = pytest.mark.skipif(not CRAWL.is_dir(), reason="shared data ../shared/data/raw not present")

#: What a person adds to agencies.yaml by hand: a comment, a code with a leading zero, a name YAML 1.1 reads as true.
HAND_EDIT = "# Sửa tay: giữ nguyên chú thích này\n"
ODD_AGENCY = "- id: co-quan-thu\n  name: yes\n  variants: [0123, no]\n  level: other\n"


def digest(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _crawl(tmp_path: Path, picks: list[tuple[str, str]], name: str) -> Path:
    folder = tmp_path / name / "records"
    if not (tmp_path / name / "lists").exists():
        shutil.copytree(CRAWL.parent / "lists", tmp_path / name / "lists")
    for agency, code in picks:
        (folder / agency).mkdir(parents=True, exist_ok=True)
        shutil.copy(CRAWL / agency / f"{code}.json", folder / agency / f"{code}.json")
    return folder


@pytest.fixture
def imported(tmp_path: Path) -> tuple[GitRepo, Path]:
    """A repository whose catalog was imported from two real records, then edited by hand and committed."""
    repo = GitRepo(tmp_path / "repo")
    source = _crawl(tmp_path, [("bo-cong-an", "3.000353"), ("bo-cong-an", "3.000369")], "crawl")
    result = tthc("import", str(source), "--catalog", "catalog", cwd=repo.root)
    assert result.returncode == 0, result.stderr
    agencies = repo.root / "catalog" / "agencies.yaml"
    agencies.write_text(HAND_EDIT + agencies.read_text(encoding="utf-8") + ODD_AGENCY, encoding="utf-8")
    repo.commit("Danh mục", "2026-06-10T09:00:00+07:00")
    return repo, source


@needs_data
def test_import_without_overwrite_never_rewrites_references(imported: tuple[GitRepo, Path]) -> None:
    repo, source = imported
    before = digest(repo.root / "catalog")
    result = tthc("import", str(source), "--catalog", "catalog", cwd=repo.root)
    assert result.returncode == 0, result.stderr
    assert "0 written" in result.stderr
    assert digest(repo.root / "catalog") == before  # before the fix: agencies.yaml rewritten, comment lost, 0123 -> 83


@needs_data
def test_import_of_a_new_agency_appends_it_and_keeps_the_file_as_written(imported: tuple[GitRepo, Path],
                                                                           tmp_path: Path) -> None:
    repo, _ = imported
    agencies = repo.root / "catalog" / "agencies.yaml"
    sectors = repo.root / "catalog" / "sectors.yaml"
    old_agencies, old_sectors = agencies.read_bytes(), sectors.read_bytes()
    source = _crawl(tmp_path, [("bo-xay-dung", "6.005714")], "more")
    result = tthc("import", str(source), "--catalog", "catalog", cwd=repo.root)
    assert result.returncode == 0, result.stderr
    assert agencies.read_bytes().startswith(old_agencies) and sectors.read_bytes().startswith(old_sectors)
    loaded = load_file(agencies, "agencies")
    assert not [d for d in loaded.diagnostics if d.severity == "error"]
    by_id = {a["id"]: a for a in loaded.data["agencies"]}
    assert by_id["co-quan-thu"]["variants"] == ["0123", "no"] and by_id["co-quan-thu"]["name"] == "yes"
    assert HAND_EDIT in agencies.read_text(encoding="utf-8")
    assert "bo-xay-dung" in by_id
    assert tthc("validate", "--catalog", "catalog", cwd=repo.root).returncode == 0


@needs_data
def test_no_read_only_command_changes_the_catalog(imported: tuple[GitRepo, Path], tmp_path: Path) -> None:
    repo, source = imported
    procedure = next((repo.root / "catalog" / "procedures").rglob("*.yaml"))
    text = procedure.read_text(encoding="utf-8")
    name = next(line for line in text.splitlines() if line.startswith("name: "))
    procedure.write_text(text.replace(name, name + " (sửa)", 1), encoding="utf-8")  # an uncommitted edit to compare
    code = procedure.stem
    before = digest(repo.root / "catalog")
    commands = [
        ("validate", "--catalog", "catalog"),
        ("validate", "--catalog", "catalog", "--format", "json"),
        ("diff", "HEAD"),
        ("diff", "HEAD", "--format", "json", "--exit-code"),
        ("check-change", "--base", "HEAD"),
        ("history", code),
        ("history", code, "--format", "json"),
        ("import", str(source), "--catalog", "catalog"),
        ("import", str(source), "--catalog", "catalog", "--overwrite", "--dry-run"),
    ]
    for command in commands:
        result = tthc(*command, cwd=repo.root)
        assert "Traceback" not in result.stderr, (command, result.stderr)
        assert digest(repo.root / "catalog") == before, command
    result = tthc("build", "--catalog", str(repo.root / "catalog"), "--site-dir", str(tmp_path / "site"),
                  "--no-search", cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert digest(repo.root / "catalog") == before


def test_import_of_deeply_nested_json_is_a_problem_line_not_a_traceback(tmp_path: Path) -> None:
    folder = tmp_path / "records" / "bo-a"
    folder.mkdir(parents=True)
    (folder / "1.000001.json").write_text("[" * 200_000 + "]" * 200_000, encoding="utf-8")
    result = tthc("import", str(tmp_path / "records"), "--catalog", "cat", cwd=tmp_path)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "nested too deeply" in result.stdout and not (tmp_path / "cat").exists()
