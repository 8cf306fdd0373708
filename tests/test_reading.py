"""One reading of every record (issue 8, items 1 and 2): past revisions go through the strict loader
and the schema; a version that does not load or validate is kept as invalid, never guessed."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generator.history import read_history
from generator.load import MAX_DEPTH, load_bytes
from generator.render.history import latest_changes, revision_changes
from gitrepo import GitRepo

ROOT = Path(__file__).resolve().parents[1]
MINI = ROOT / "tests" / "fixtures" / "mini_catalog"
PATH = ("procedures", "bo-xay-dung", "1.000001.yaml")

#: A "billion laughs": nine levels of nine aliases (9**9 leaves when expanded), about 400 bytes.
ALIAS_BOMB = "\n".join(
    ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    + [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 9)]
) + "\n"

#: Past versions that must be read as invalid, with the rule code the loader or schema gives.
BAD_VERSIONS = {
    "alias-bomb": (ALIAS_BOMB, "anchor"),
    "duplicate-key": ("DUP", "duplicate-key"),
    "documents-text": ("documents: abc\n", "schema-type"),
    "set-tag": ("requirements: !!set {a: null}\n", "tag"),
    "binary-tag": ("notes: !!binary aGVsbG8=\n", "tag"),
    "infinite-number": ("methods:\n  - channel: online\n    processing_time: {value: 1e400, unit: working_days}\n",
                        "number-range"),
    "huge-integer": ("dossier_sets: 123456789012345678901234567890\n", "number-range"),
    "control-character": ("notes: \"a\x07b\"\n", "syntax"),
    "deep-nesting": ("notes: " + "[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5) + "\n", "syntax"),
    "not-a-mapping": ("- just\n- a list\n", "schema-type"),
}


def mini_repo(tmp_path: Path) -> tuple[GitRepo, Path]:
    repo = GitRepo(tmp_path / "repo")
    shutil.copytree(MINI, repo.root / "catalog")
    repo.commit("Danh mục ban đầu", "2026-06-10T09:00:00+07:00")
    return repo, repo.root.joinpath("catalog", *PATH)


def _bad_text(good: str, kind: str) -> str:
    text, _ = BAD_VERSIONS[kind]
    if text == "DUP":  # a bad merge: methods twice, the second with another fee
        return good + "methods:\n  - channel: online\n    fees: [{description: Lệ phí, amount_vnd: 4000000}]\n"
    if kind == "not-a-mapping":
        return text
    return _without(good, text.split(":", 1)[0]) + text


def _without(text: str, key: str) -> str:
    """``text`` without the top-level ``key`` and its block."""
    out, skipping = [], False
    for line in text.splitlines(keepends=True):
        if line[:1] not in (" ", "-", "\n", ""):
            skipping = line.startswith(key + ":")
        if not skipping:
            out.append(line)
    return "".join(out)


@pytest.mark.parametrize("kind", sorted(BAD_VERSIONS))
def test_a_bad_past_version_is_an_invalid_revision_and_never_feeds_the_diff(tmp_path: Path, kind: str) -> None:
    repo, path = mini_repo(tmp_path)
    good = path.read_text(encoding="utf-8")
    path.write_text(_bad_text(good, kind), encoding="utf-8")
    bad = repo.commit(f"Sai: {kind}", "2026-07-01T09:00:00+07:00")
    path.write_text(good.replace("{value: 10, unit: working_days}", "{value: 5, unit: working_days}", 1), encoding="utf-8")
    repo.commit("Sửa lại", "2026-07-02T09:00:00+07:00")

    history = read_history(repo.root)
    revs = history.of("1.000001")
    assert [r.change for r in revs] == ["added", "invalid", "modified"]
    invalid = revs[1]
    assert invalid.commit == bad and invalid.record is None
    assert BAD_VERSIONS[kind][1] in {d.code for d in invalid.diagnostics}
    assert all(d.file == f"{bad[:10]}:catalog/procedures/bo-xay-dung/1.000001.yaml" for d in invalid.diagnostics)
    newest, middle, first = revision_changes(history, "1.000001")
    assert middle.kind == "invalid" and middle.kind_label == "Bản ghi không hợp lệ" and not middle.change_lines
    assert newest.previous is first.revision  # the fix is compared with the last valid version
    assert [e.text for e in newest.diff.effects] == ["Thời hạn giải quyết (Trực tuyến): 10 → 5 ngày làm việc"]
    assert middle not in latest_changes(history, limit=None)


def test_history_page_shows_an_invalid_version_with_its_diagnostics_and_the_build_goes_on(tmp_path: Path) -> None:
    from generator.catalog import read_catalog
    from generator.render import render_pages
    from generator.render.history import render_feeds

    repo, path = mini_repo(tmp_path)
    good = path.read_text(encoding="utf-8")
    path.write_text(good + "documents: abc\n", encoding="utf-8")
    bad = repo.commit("Sai kiểu thành phần hồ sơ", "2026-07-01T09:00:00+07:00")
    path.write_text(good, encoding="utf-8")
    repo.commit("Sửa lại", "2026-07-02T09:00:00+07:00")
    catalog, _ = read_catalog(repo.root / "catalog")
    history = read_history(repo.root)
    pages = {p.url: str(p.html) for p in render_pages(catalog, history)}
    page = pages["thu-tuc/1.000001/lich-su/"]
    block = page[page.index(f'id="r-{bad[:10]}"'):]
    block = block[:block.index("</li>")]
    assert "Bản ghi không hợp lệ" in block and "documents" in block and "dòng" in block
    assert "abc" not in block.split("tthc-revision__invalid")[0]  # no guessed content before the diagnostics
    assert f"thu-tuc/1.000001/phien-ban/{bad[:10]}/" not in pages  # no page of content that never validated
    assert "Sai kiểu" not in render_feeds(catalog, history)["feeds/all.xml"]


def test_history_command_lists_an_invalid_version_with_its_diagnostics(tmp_path: Path) -> None:
    import json

    repo, path = mini_repo(tmp_path)
    good = path.read_text(encoding="utf-8")
    path.write_text(good + ALIAS_BOMB, encoding="utf-8")
    repo.commit("Bom bí danh", "2026-07-01T09:00:00+07:00")
    run = [sys.executable, "-m", "generator.cli", "history", "1.000001"]
    text = subprocess.run(run, cwd=repo.root, capture_output=True, text=True, timeout=120)
    assert text.returncode == 0, text.stderr
    assert "Bản ghi không hợp lệ" in text.stdout and "error[anchor]" in text.stdout
    data = json.loads(subprocess.run([*run, "--format", "json"], cwd=repo.root, capture_output=True, text=True,
                                     timeout=120).stdout)
    assert data["revisions"][0]["kind"] == "invalid"
    assert {d["code"] for d in data["revisions"][0]["diagnostics"]} == {"anchor"}


def test_an_invalid_first_version_named_by_its_file_starts_the_history(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "repo")
    target = repo.root / "catalog" / "procedures" / "bo-a" / "1.000009.yaml"
    target.parent.mkdir(parents=True)
    target.write_text("code: [1.000009\n", encoding="utf-8")  # syntax error: no code can be read
    repo.commit("Hỏng")
    revs = read_history(repo.root).of("1.000009")
    assert [r.change for r in revs] == ["invalid"] and revs[0].diagnostics[0].code == "syntax"


# --- the loader's own limits ------------------------------------------------------------------

@pytest.mark.parametrize(("text", "code"), [
    ("code: \"1.000001\"\ncompliance_cost: {activities: [{name: a, hours: 1e400}]}\n", "number-range"),
    ("code: \"1.000001\"\ndossier_sets: " + "9" * 5000 + "\n", "number-range"),
    ("code: \"1.000001\"\ndossier_sets: 12345678901234567890\n", "number-range"),
    ("code: \"1.000001\"\nmethods:\n  - channel: online\n    processing_time: {value: 1e309, unit: days}\n", "number-range"),
    ("code: \"1.000001\"\nnotes: " + "[" * 40 + "]" * 40 + "\n", "syntax"),
    ("code: \"1.000001\"\nrequirements: [" + ", ".join(["a"] * 100_001) + "]\n", "too-large"),
    (ALIAS_BOMB, "anchor"),
])
def test_loader_limits_are_errors_not_crashes_or_infinity(text: str, code: str) -> None:
    loaded = load_bytes(text.encode(), "x.yaml", "procedure")
    assert code in {d.code for d in loaded.diagnostics if d.severity == "error"}


def test_a_file_over_the_size_limit_is_refused_before_parsing() -> None:
    loaded = load_bytes(b"notes: " + b"a" * 1_000_001, "x.yaml", "procedure")
    assert [d.code for d in loaded.diagnostics] == ["too-large"] and loaded.data is None


def test_numbers_within_bounds_still_load() -> None:
    loaded = load_bytes(b'code: "1.000001"\ndossier_sets: 2\nmethods:\n  - channel: online\n'
                        b'    processing_time: {value: 7.5, unit: working_days}\n', "x.yaml", "procedure")
    assert not loaded.diagnostics
    assert loaded.data["dossier_sets"] == 2 and loaded.data["methods"][0]["processing_time"]["value"] == 7.5


# --- one reader: history gives what the strict loader gives, on every real revision ----------

def test_history_records_are_the_strict_loaders_on_every_real_revision() -> None:
    from generator.git import BlobReader
    from generator.validate import schema_diagnostics

    history = read_history(ROOT, allow_shallow=True)
    revisions = [r for revs in history.revisions.values() for r in revs if r.record is not None]
    if not revisions:
        pytest.skip("no committed catalog in this clone")
    blobs = subprocess.run(["git", "-C", str(ROOT), "log", "--raw", "--no-abbrev", "--no-renames", "--format=%H",
                            "--first-parent", "--diff-merges=first-parent", "--", "catalog/procedures"],
                           capture_output=True, text=True, check=True).stdout
    by_commit_path: dict[tuple[str, str], str] = {}
    commit = ""
    for line in blobs.splitlines():
        if line.startswith(":"):
            meta, path = line.split("\t", 1)
            by_commit_path[(commit, path)] = meta.split()[3]
        elif line.strip():
            commit = line.strip()
    reader = BlobReader(ROOT)
    try:
        raws = dict(reader.read_many(sorted({by_commit_path[(r.commit, r.path)] for r in revisions})))
    finally:
        reader.close()
    for rev in revisions:
        loaded = load_bytes(raws[by_commit_path[(rev.commit, rev.path)]], rev.path, "procedure")
        assert not [d for d in loaded.diagnostics + schema_diagnostics(loaded) if d.severity == "error"]
        assert rev.record == loaded.data, rev.path
