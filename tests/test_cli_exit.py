"""``generator.cli.run``, the ``tthc`` program: :func:`generator.cli.main`, then the exit
handlers, the streams flushed and the process ended without freeing its objects one by one.
What it must keep: the exit status, every line written, and what the exit handlers do."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _run(code: str, *args: str) -> subprocess.CompletedProcess:
    program = f"import sys; sys.argv = ['tthc', *{list(args)!r}]\n{code}\nfrom generator.cli import run\nrun()"
    return subprocess.run([sys.executable, "-c", program], cwd=REPO, capture_output=True, text=True, timeout=120)


def test_the_status_output_and_exit_handlers_are_kept(tmp_path):
    marker = tmp_path / "handler-ran"
    result = _run(f"import atexit, pathlib; atexit.register(pathlib.Path({str(marker)!r}).touch)",
                  "validate", "--catalog", str(REPO / "catalog"))
    assert result.returncode == 0, result.stderr
    assert marker.exists()  # e.g. tthc serve's temporary cache folder is removed by one
    assert result.stdout.strip()  # the summary line reached the pipe before the process ended


def test_an_error_keeps_its_status_and_message(tmp_path):
    missing = _run("", "validate", "--catalog", str(tmp_path / "nowhere"))
    assert missing.returncode != 0 and "tthc" in missing.stderr
    unknown = _run("", "no-such-command")
    assert unknown.returncode == 2 and "no-such-command" in unknown.stderr


def test_python_m_generator_cli_is_the_program():
    result = subprocess.run([sys.executable, "-m", "generator.cli", "--version"], cwd=REPO, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0 and re.fullmatch(r".+ \d+\.\d+\S*", result.stdout.strip()), result
