"""Every file under tests/cases/ against its exact expected diagnostics.

Each case is one procedure file (or, by a first-line ``# case: <dest>``
comment, any catalog file) dropped into a copy of ``tests/cases/base/``.
``valid/`` cases must give no diagnostic at all; ``invalid/`` and
``warning/`` cases must give exactly the lines of ``<case>.expected``
(compiler-style, file paths relative to the catalog root).
Run ``pytest tests/test_cases.py --update-cases`` after a deliberate change
of messages, then review the diff of the .expected files.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest

from generator.report import print_report
from generator.validate import validate_catalog

CASES = Path(__file__).parent / "cases"
TODAY = dt.date(2026, 11, 29)
DEFAULT_DEST = "procedures/bo-xay-dung/1.000001.yaml"


def case_files(kind: str) -> list[Path]:
    return sorted((CASES / kind).glob("*.yaml"))


def run_case(case: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    root = tmp_path / "catalog"
    shutil.copytree(CASES / "base", root)
    raw = case.read_bytes()
    match = re.match(rb"# case: (\S+)\n", raw)
    dest = root / (match.group(1).decode() if match else DEFAULT_DEST)
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_bytes(raw)
    monkeypatch.chdir(root)
    report = validate_catalog(Path("."), today=TODAY)
    return [d.format() for d in report.sorted()]


@pytest.mark.parametrize("case", case_files("valid"), ids=lambda p: p.stem)
def test_valid_case_has_no_diagnostic(case: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert run_case(case, tmp_path, monkeypatch) == []


@pytest.mark.parametrize("case", case_files("invalid") + case_files("warning"), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_case_gives_expected_diagnostics(case: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> None:
    lines = run_case(case, tmp_path, monkeypatch)
    expected_file = case.with_suffix(".expected")
    if request.config.getoption("--update-cases"):
        expected_file.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    expected = expected_file.read_text(encoding="utf-8").splitlines()
    assert lines == expected
    severities = {re.search(r": (error|warning)\[", line).group(1) for line in lines}
    if case.parent.name == "invalid":
        assert "error" in severities, "an invalid case must produce an error"
    else:
        assert severities == {"warning"}, "a warning case must produce warnings only"


def test_every_invalid_case_names_file_line_column_and_hint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for case in case_files("invalid"):
        for line in run_case(case, tmp_path / case.stem, monkeypatch):
            assert re.match(r"^procedures/\S+\.yaml:[1-9][0-9]*:[1-9][0-9]*: (error|warning)\[[a-z-]+\] ", line), line
            assert "(hint: " in line, line
