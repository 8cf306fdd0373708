"""Shared pytest options and fixtures."""

from __future__ import annotations

import functools
import http.server
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import pytest

REPO = Path(__file__).resolve().parents[1]
MINI = REPO / "tests" / "fixtures" / "mini_catalog"


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
@pytest.fixture
def mini(tmp_path: Path):
    """A git repository (``tests/gitrepo.GitRepo``) whose ``catalog/`` is the mini catalog, in one commit on ``main``."""
    from gitrepo import GitRepo

    repo = GitRepo(tmp_path / "repo")
    shutil.copytree(MINI, repo.root / "catalog")
    repo.commit("Danh mục ban đầu", "2026-06-10T09:00:00+07:00")
    return repo


class MiniSite(NamedTuple):
    """The built mini site, served: its address (ending in ``/``), folder, and the
    short shas (10 hex digits) of the four revisions of ``1.000001``, oldest first."""

    url: str
    root: Path
    shas: list[str]


@pytest.fixture(scope="session")
def mini_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MiniSite]:
    """``tests/fixtures/mini_catalog`` in a git repository where ``1.000001`` has
    four revisions (time limit, requirement, fee changed), built once per session
    with ``tthc build`` (search included) and served on 127.0.0.1; shared by the
    browser tests of ``test_site_browser.py`` and ``test_history_browser.py``."""
    from gitrepo import GitRepo

    repo = GitRepo(tmp_path_factory.mktemp("mini-site") / "repo")
    shutil.copytree(MINI, repo.root / "catalog")
    shas = [repo.commit("Danh mục ban đầu", "2026-06-10T09:00:00+07:00")]
    path = repo.root / "catalog" / "procedures" / "bo-xay-dung" / "1.000001.yaml"
    for old, new, day in (("{value: 10, unit: working_days}", "{value: 5, unit: working_days}", "01"),
                          ("Có quyền sử dụng đất hợp pháp", "Có quyền sử dụng đất hợp pháp theo Luật Đất đai", "05"),
                          ("amount_vnd: 75000", "amount_vnd: 50000", "09")):
        text = path.read_text(encoding="utf-8")
        assert old in text, old
        path.write_text(text.replace(old, new), encoding="utf-8")
        shas.append(repo.commit(f"Thay đổi ngày {day}/07", f"2026-07-{day}T09:00:00+07:00"))
    out = repo.root.parent / "site"
    result = subprocess.run([sys.executable, "-m", "generator.cli", "build", "--catalog", str(repo.root / "catalog"),
                             "--site-dir", str(out)], cwd=REPO, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(out))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield MiniSite(f"http://127.0.0.1:{server.server_address[1]}/", out, [sha[:10] for sha in shas])
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium through Playwright (never a downloaded browser), for the browser tests
    at the top of tests/ (tests/browser/ has its own, with its launch options). Module-scoped:
    Playwright's sync API keeps an event loop in this thread while it is open."""
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        yield chromium
        chromium.close()
