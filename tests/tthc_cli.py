"""``tthc`` through its real entry point, in process: click's CliRunner on
``generator.cli.main`` (the function ``python -m generator.cli`` and the
``tthc`` script call through ``generator.cli.run``, which only adds the
process's exit: ``tests/test_cli_exit.py``), from a given working directory.

A subprocess per call costs an interpreter start and the imports (about a
second on a loaded 2-core machine); tests that only need the command's
output, exit code and files use :func:`tthc` instead.
"""

from __future__ import annotations

import json
import logging
import os
import traceback
from dataclasses import dataclass
from pathlib import Path

from click.testing import CliRunner

from generator.cli import main


@dataclass(frozen=True)
class Completed:
    """What a run gave, shaped as :class:`subprocess.CompletedProcess`.

    Attributes:
        returncode: the exit code (1 for an exception that escaped, as Python's).
        stdout: what the command wrote to standard output.
        stderr: what it wrote to standard error, then the traceback of an
            exception that escaped (as the interpreter would print it).
    """

    returncode: int
    stdout: str
    stderr: str


def tthc(*args: str, cwd: Path, env: dict[str, str] | None = None) -> Completed:
    """Run ``tthc ARGS`` in ``cwd`` with ``env`` added to the environment.

    Logging handlers a command installs (``logging.basicConfig`` writes to the
    run's standard error) are removed afterwards, so each run logs to its own.
    """
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    root.handlers = []
    before = os.getcwd()
    os.chdir(cwd)
    try:
        result = CliRunner(env=env).invoke(main, list(args), prog_name="tthc")
    finally:
        os.chdir(before)
        root.handlers, root.level = handlers, level
    stderr = result.stderr
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        stderr += "Traceback (most recent call last):\n" + "".join(traceback.format_exception(result.exception))
    return Completed(result.exit_code, result.stdout, stderr)


def gate(root: Path, *args: str) -> tuple[int, list[dict]]:
    """``tthc check-change --base main --format json ARGS`` in ``root``: exit code and diagnostics (no traceback)."""
    result = tthc("check-change", "--base", "main", "--format", "json", *args, cwd=root)
    assert "Traceback" not in result.stderr, result.stderr
    return result.returncode, json.loads(result.stdout)
