"""No traceback from any reader (issue 8, item 8): hypothesis properties with a bounded budget.

Mutated real records through the loader and validate, pairs of mutated records through the diff
and its three formats, mutated page-crawl JSON through the importer, and repositories with
mutated commits (odd names, messages and file contents) through history and the Atom feeds.
Examples are derandomised (the same every run, so CI is stable) and nothing is stored on disk.
Every counterexample found is kept as a case in ``tests/cases/`` or in the tests of its reader.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, example, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from generator.diff import CatalogDiff, diff_procedures  # noqa: E402
from generator.diff.format import render  # noqa: E402
from generator.load import load_bytes  # noqa: E402
from generator.validate import schema_diagnostics  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
MINI = ROOT / "tests" / "fixtures" / "mini_catalog"
RECORD = MINI / "procedures" / "bo-xay-dung" / "1.000001.yaml"
CRAWL = ROOT.parent / "shared" / "data" / "raw" / "dvcqg-chatbot-tthc" / "records"

BUDGET = settings(max_examples=150, deadline=None, derandomize=True, database=None,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
SMALL = settings(BUDGET, max_examples=12)

#: Characters that break readers: YAML indicators, controls, bidi, noncharacters, surrogate escapes.
NASTY = st.sampled_from(list(":-[]{}#&*!|>'\"%@`,?\t\n\r\\ ") + ["\x00", "\x07", "\x1b", "\x85", "\u2028", "\ufeff",
                        "\ufffe", "\u202e", "\u200b", "\u00ad", "\\x07", "\\ud800", "\\uFFFE", "1e400", "99999999999999999999",
                        "*a", "&a ", "!!set ", "!!binary ", "<<: ", "---\n", "\n  ", "\n- ", "~", "null", "yes", "013"])
TEXT = st.lists(st.one_of(NASTY, st.text(max_size=4)), max_size=6).map("".join)


def _mutate(raw: str, edits: list[tuple[int, int, str]]) -> str:
    for position, cut, insert in edits:
        at = position % (len(raw) + 1)
        raw = raw[:at] + insert + raw[at + cut % 4:]
    return raw


EDITS = st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 3), TEXT), min_size=1, max_size=4)


@BUDGET
@given(EDITS)
def test_loader_and_schema_never_raise_on_a_mutated_real_record(edits: list[tuple[int, int, str]]) -> None:
    raw = _mutate(RECORD.read_text(encoding="utf-8"), edits).encode("utf-8", "surrogatepass")
    loaded = load_bytes(raw, "x.yaml", "procedure")
    if loaded.data is not None:
        schema_diagnostics(loaded)
    for diagnostic in loaded.diagnostics:
        assert diagnostic.format()


@BUDGET
@given(EDITS)
def test_loading_by_blocks_gives_a_whole_loads_data_and_diagnostics(edits: list[tuple[int, int, str]]) -> None:
    """generator.load._load_blocks (history versions: each top-level block and list item loaded
    once per table) gives the data of a whole load, key order and types included (1, 1.0 and
    True differ in a repr), and the same diagnostics, for a mutated real record read after the
    record itself (its blocks are then in the table) and after a first read of itself."""
    original = RECORD.read_bytes()
    raw = _mutate(original.decode("utf-8"), edits).encode("utf-8", "surrogatepass")
    whole = load_bytes(raw, "x.yaml", "procedure", positions=False)
    table: dict = {}
    load_bytes(original, "x.yaml", "procedure", positions=False, blocks=table)
    for _again in range(2):
        by_blocks = load_bytes(raw, "x.yaml", "procedure", positions=False, blocks=table)
        assert repr(by_blocks.data) == repr(whole.data)
        assert by_blocks.diagnostics == whole.diagnostics


@BUDGET
@given(st.binary(max_size=600))
def test_loader_never_raises_on_any_bytes(raw: bytes) -> None:
    load_bytes(raw, "x.yaml", "procedure")


def _values() -> st.SearchStrategy[Any]:
    scalars = st.one_of(st.none(), st.booleans(), st.integers(-2**60, 2**60), st.floats(allow_nan=True), TEXT)
    return st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                        st.dictionaries(st.sampled_from(
                                                            ["name", "channel", "value", "unit", "fees", "amount_vnd",
                                                             "documents", "copies", "decision", "date", "kinds", "x"]),
                                                            inner, max_size=3)), max_leaves=8)


def _paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [path]
    if isinstance(value, dict):
        for key, child in value.items():
            out += _paths(child, path + (key,))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            out += _paths(child, path + (index,))
    return out


def _replace(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    copy = dict(value) if isinstance(value, dict) else list(value)
    copy[path[0]] = _replace(value[path[0]], path[1:], new)
    return copy


_BASE = load_bytes(RECORD.read_bytes(), str(RECORD), "procedure").data
_PATHS = [p for p in _paths(_BASE) if p and p != ("code",)]


@BUDGET
@given(st.lists(st.tuples(st.sampled_from(_PATHS), _values()), min_size=1, max_size=3), st.booleans())
def test_diff_and_its_formats_never_raise_on_mutated_records(mutations: list[tuple[tuple[Any, ...], Any]],
                                                             old_side: bool) -> None:
    mutated = _BASE
    for path, value in mutations:
        try:
            mutated = _replace(mutated, path, value)
        except (KeyError, IndexError, TypeError):  # an earlier mutation removed the path
            continue
    old, new = (mutated, _BASE) if old_side else (_BASE, mutated)
    diff = diff_procedures(old, new)
    for fmt in ("text", "markdown", "json"):
        render(CatalogDiff((diff,)), fmt, "a", "b")


@pytest.mark.skipif(not CRAWL.is_dir(), reason="shared data ../shared/data/raw not present")
@SMALL
@given(st.lists(st.tuples(st.integers(0, 40), TEXT), min_size=1, max_size=4))
def test_importer_never_raises_on_mutated_crawl_json(tmp_path_factory: pytest.TempPathFactory,
                                                     mutations: list[tuple[int, str]]) -> None:
    from generator.importer import read_sources

    data = json.loads((CRAWL / "bo-cong-an" / "3.000353.json").read_text(encoding="utf-8"))
    keys = sorted(data)
    for index, text in mutations:
        data[keys[index % len(keys)]] = text
    folder = tmp_path_factory.mktemp("crawl") / "records" / "bo-cong-an"
    folder.mkdir(parents=True)
    (folder / "3.000353.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    read_sources([folder])


#: What git strips from the ends of an author's name (ident.c, crud): control characters, space and these.
_GIT_CRUD = "".join(map(chr, range(33))) + ".,:;<>\"\\'"


@SMALL
@given(st.lists(st.tuples(TEXT, TEXT, EDITS), min_size=1, max_size=3))
@example(commits=[("", ":", [(0, 0, "")])])  # found by Hypothesis: git commit refused the author ':'
@example(commits=[("\n  ", "", [(0, 0, "")])])  # and the message '\n  '
def test_history_and_feeds_never_raise_on_mutated_commits(tmp_path_factory: pytest.TempPathFactory,
                                                          commits: list[tuple[str, str, list[tuple[int, int, str]]]]) -> None:
    from generator.catalog import read_catalog
    from generator.history import read_history
    from generator.render.history import history_text, render_feeds
    from gitrepo import GitRepo

    repo = GitRepo(tmp_path_factory.mktemp("history") / "repo")
    shutil.copytree(MINI, repo.root / "catalog")
    repo.commit("Danh mục", "2026-06-10T09:00:00+07:00")
    target = repo.root / "catalog" / "procedures" / "bo-xay-dung" / "1.000001.yaml"
    good = target.read_text(encoding="utf-8")
    for day, (message, author, edits) in enumerate(commits, start=11):
        target.write_bytes(_mutate(good, edits).encode("utf-8", "surrogatepass"))
        clean = "".join(c for c in message if c not in "\x00")
        if not clean.strip():  # git refuses a message of only white space ('Aborting commit due to empty commit message')
            clean = "."
        name = "".join(c for c in author if c not in "\x00<>\n").strip()
        if not name.strip(_GIT_CRUD):  # git refuses a name of nothing else (author ':': 'empty ident name not allowed')
            name = "A"
        repo.commit(clean, f"2026-06-{day}T09:00:00+07:00", author=name)
    target.write_text(good, encoding="utf-8")
    repo.commit("Sửa lại", "2026-06-20T09:00:00+07:00")
    history = read_history(repo.root)
    history_text(repo.root, "1.000001")
    catalog, _ = read_catalog(repo.root / "catalog")
    for text in render_feeds(catalog, history).values():
        ElementTree.fromstring(text.encode("utf-8"))
