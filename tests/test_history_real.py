"""History, diff and pages of the real catalog: the amendments of 3.000369 and 3.000353 (issue 4, point 6)."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from generator.diff import diff_procedures
from generator.history import History, parse_record, read_history

ROOT = Path(__file__).resolve().parents[1]
LATER = ROOT.parent / "shared" / "data" / "raw" / "dvcqg-api-crawler-tthc" / "details"
REAL = {"3.000369": ("4641/QĐ-BCA", date(2026, 7, 23)), "3.000353": ("4685/QĐ-BCA-C08", date(2026, 7, 24))}


@pytest.fixture(scope="module")
def history() -> History:
    found = read_history(ROOT, allow_shallow=True)  # a shallow CI clone skips below instead of failing
    if any(len(found.of(code)) < 2 for code in REAL):
        pytest.skip("the real amendments are not in this clone's history (shallow clone or catalog not imported)")
    return found


@pytest.mark.parametrize("code", sorted(REAL))
def test_real_amendment_is_in_history_with_its_decision(history: History, code: str) -> None:
    from generator.render.history import revision_changes

    decision, landed = REAL[code]
    changes = revision_changes(history, code)
    amended = next(rc for rc in changes if decision in rc.decisions)
    assert amended.revision.date.date() == landed
    assert amended.previous is not None and amended.previous.date.date() == date(2026, 6, 10)
    assert "documents" in amended.diff.substantive_fields or "cases" in amended.diff.substantive_fields
    assert "legal_basis" in amended.diff.substantive_fields
    assert history.created(code).date() == date(2026, 6, 10)


def test_real_amendment_of_3_000353_reads_as_a_reviewer_expects(history: History) -> None:
    from generator.render.history import revision_changes

    # The amendment by its decision (a later re-import, "tái nhập", is a newer revision).
    rc = next(rc for rc in revision_changes(history, "3.000353") if "4685/QĐ-BCA-C08" in rc.decisions)
    texts = [e.text for e in rc.diff.effects]
    assert any(t.startswith("Bỏ") and "Phụ lục XVI" in t for t in texts)  # the application form is no longer listed
    labels = [c.label for c in rc.diff.changes]
    assert "Căn cứ pháp lý › 06/2007/QH12" in labels  # the wrong Luật Hóa chất reference removed


def test_history_pages_of_the_real_amendments(history: History) -> None:
    from generator.model import Agency, Catalog, procedure_from_dict
    from generator.render.history import render_history_pages

    procedures = []
    for code in sorted(REAL):
        path = f"catalog/procedures/bo-cong-an/{code}.yaml"
        procedures.append(procedure_from_dict(history.of(code)[-1].record, "bo-cong-an", path))
    catalog = Catalog(procedures=tuple(procedures), agencies=(Agency(id="bo-cong-an", name="Bộ Công an", level="ministry"),),
                      sectors=())
    pages = {page.url: page for page in render_history_pages(catalog, history)}
    page = pages["thu-tuc/3.000369/lich-su/"]
    assert "4641/QĐ-BCA" in page.html and "10/06/2026" in page.html and "23/07/2026" in page.html
    assert page.html.index("23/07/2026") < page.html.index("10/06/2026")  # newest first
    first = history.of("3.000353")[0]
    old = pages[f"thu-tuc/3.000353/phien-ban/{first.short}/"]
    assert "Đây không phải phiên bản hiện hành" in old.html and "So sánh với phiên bản hiện hành" in old.html


def test_history_command_on_the_real_catalog(history: History) -> None:
    out = subprocess.run([sys.executable, "-m", "generator.cli", "history", "3.000369"], cwd=ROOT, capture_output=True,
                         text=True, timeout=300)
    assert out.returncode == 0 and "Quyết định: 4641/QĐ-BCA" in out.stdout


@pytest.mark.parametrize(
    ("code", "uuid", "substantive"),
    [
        ("1.011410", "019d2bf7-86d7-7661-825b-ac185d610609", ()),  # the trap: only the decision-number field differs
        ("3.000375", "019d2bf7-c54e-7271-a338-5dc38f3d4026", ("legal_basis",)),  # only the shared law re-coded
    ],
)
def test_portal_controls_diff_as_no_substantive_change(code: str, uuid: str, substantive: tuple[str, ...]) -> None:
    source = LATER / f"{uuid}.json"
    current = ROOT / "catalog" / "procedures" / "bo-cong-an" / f"{code}.yaml"
    if not source.exists() or not current.exists():
        pytest.skip("real data not available")
    from generator.importer import read_sources

    records, _ = read_sources([source])
    diff = diff_procedures(parse_record(current.read_bytes(), str(current)), records[0].data)
    assert diff.substantive_fields == substantive
    assert not [e for e in diff.effects]


def test_a_packed_history_answers_as_the_history_it_was(history: History) -> None:
    """The build packs the history before it forks the rendering processes (History.pack): every
    procedure's revisions and changes, the latest changes, the invalid versions and the newest
    revisions are then what they were, asked in any order (more procedures than are kept unpacked)."""
    import pickle

    from generator.history import OPEN_PACKED
    from generator.render.history import latest_changes, revision_changes

    copy = pickle.loads(pickle.dumps(history))
    codes = sorted(copy.revisions)
    assert len(codes) > 3 * OPEN_PACKED
    expected = {code: revision_changes(copy, code) for code in codes}
    latest, invalid, newest = latest_changes(copy, limit=None), copy.invalid(), copy.latest(50)
    digests = {key: value for key, value in copy.cache.items() if key[0] == "revisions_digest"}
    copy.pack()
    assert not copy.revisions and sorted(copy.packed) == codes and copy.codes() == codes
    assert ("latest_changes",) not in copy.cache and all(key in copy.cache for key in digests)
    for code in codes + codes[::-1] + codes[::7]:
        assert copy.of(code) == history.of(code)
        assert revision_changes(copy, code) == expected[code]
        assert len(copy.cache) <= len(digests) + OPEN_PACKED
    assert copy.of("9.999999") == () and "9.999999" not in copy.codes()
    assert latest_changes(copy, limit=None) == latest
    assert copy.invalid() == invalid and copy.latest(50) == newest
