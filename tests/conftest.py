"""Shared pytest options and fixtures."""

from __future__ import annotations

from typing import Iterator

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-cases", action="store_true", help="rewrite tests/cases/**/*.expected from the current output")


@pytest.fixture(autouse=True, scope="session")
def english_messages() -> Iterator[None]:
    """Run every test with English messages (``LANGUAGE=en``; subprocesses inherit it).

    tthc speaks Vietnamese unless the locale asks for English (generator/i18n.py). Most tests assert the exact
    text of a message, and assert the English message ids, which are what the source says; the Vietnamese default
    and the translations themselves are tested in tests/test_i18n.py, which overrides this.
    """
    with pytest.MonkeyPatch.context() as patch:  # session-wide, so module-scoped fixtures (built sites) see it too
        patch.setenv("LANGUAGE", "en")
        yield
