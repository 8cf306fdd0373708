"""Reporters: the same diagnostics as text, JSON or GitHub annotations.

Formats (stable, documented in the README):

* ``text``: one compiler-style line per problem,
  ``file:line:col: severity[code] path: message (hint: ...)``, then a summary line.
* ``json``: a JSON array of records ``{"severity", "code", "file", "line",
  "column", "path", "message", "hint"}``, sorted by file, line, column.
* ``github``: GitHub Actions workflow commands
  (``::error file=F,line=L,col=C,title=tthc CODE::PATH: MESSAGE (hint: ...)``).
"""

from __future__ import annotations

import json
from typing import TextIO

from generator.diagnostics import Diagnostic, Report
from generator.i18n import _


def print_report(report: Report, fmt: str, stream: TextIO) -> None:
    """Write ``report`` to ``stream`` in ``fmt`` (``text``, ``json`` or ``github``)."""
    diagnostics = report.sorted()
    if fmt == "json":
        json.dump([d.as_dict() for d in diagnostics], stream, ensure_ascii=False, indent=2)
        stream.write("\n")
        return
    if fmt == "github":
        for d in diagnostics:
            stream.write(github_annotation(d) + "\n")
        return
    for d in diagnostics:
        stream.write(d.format() + "\n")
    stream.write(summary(report) + "\n")


def summary(report: Report) -> str:
    """One line: ``ok: N error(s), M warning(s) in K file(s)`` (``invalid:`` when there is an error), translated."""
    errors, warnings = len(report.errors), len(report.warnings)
    text = (_("ok: {errors} error(s), {warnings} warning(s) in {files} file(s)") if not errors else
            _("invalid: {errors} error(s), {warnings} warning(s) in {files} file(s)"))
    return text.format(errors=errors, warnings=warnings, files=report.files_checked)


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github_annotation(d: Diagnostic) -> str:
    """One GitHub workflow command for ``d``."""
    level = "error" if d.severity == "error" else "warning"
    props = [f"file={_escape_property(d.file)}"]
    if d.line:
        props.append(f"line={d.line}")
    if d.column:
        props.append(f"col={d.column}")
    props.append(f"title={_escape_property('tthc ' + d.code)}")
    what = f"{d.path}: {d.message}" if d.path else d.message
    if d.hint:
        what += f" (hint: {d.hint})"
    return f"::{level} {','.join(props)}::{_escape_data(what)}"
