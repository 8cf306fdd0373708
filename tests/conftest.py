"""Shared pytest options and fixtures."""

from __future__ import annotations

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-cases", action="store_true", help="rewrite tests/cases/**/*.expected from the current output")


@pytest.fixture(autouse=True)
def english_messages(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run every test with English messages (``LANGUAGE=en``; subprocesses inherit it).

    tthc speaks Vietnamese unless the locale asks for English (generator/i18n.py). Most tests assert the exact
    text of a message, and assert the English message ids, which are what the source says; the Vietnamese default
    and the translations themselves are tested in tests/test_i18n.py, which overrides this.
    """
    monkeypatch.setenv("LANGUAGE", "en")
