"""The ``tthc`` command: parses flags, calls one library function, reports.

Exit codes (DESIGN.md §6): 0 ok, 1 invalid input, 2 usage error; 130 Ctrl-C, 141 a closed pipe
on the output, 74 output that cannot be written (:data:`EXIT_OUTPUT`). Library
errors (``generator.errors``) become messages here and never tracebacks.
Each command lives in this file as one small function; the work is done
by the library modules named in its body.

Every help text and message is Vietnamese unless the locale asks for English
(``generator.i18n``): the help texts are English message ids marked with
``N_`` and translated when the help is shown, and click's own words (``Usage:``,
``Options``, its error messages) go through the same catalog.
"""

from __future__ import annotations

import errno
import io
import logging
import re
import sys
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

import click
import click.core
import click.decorators
import click.exceptions
import click.formatting
import click.parser
import click.types

from generator import i18n
from generator.errors import BuildError, CatalogInvalid, TthcError, UsageError
from generator.i18n import N_, Nn_, _, ngettext
from generator.progress import Progress, no_progress

if TYPE_CHECKING:
    from generator.build import BuildResult

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2
#: Stopped by Ctrl-C: 128 + SIGINT (2), the status a shell gives a command that SIGINT ended, so a
#: script or make that runs tthc stops too (``$? -eq 130``) instead of reading it as "invalid input".
EXIT_INTERRUPTED = 130
#: Standard output (or error) could not be written: a full disk (ENOSPC), an I/O error (EIO), a file too large.
#: EX_IOERR of sysexits.h. Not given by ``tthc build`` once its site is published: that build did its work, only
#: its summary line was lost, so it keeps status 0 (a deploy step after it must run) and stderr says so.
EXIT_OUTPUT = 74
#: Standard output (or error) was a pipe whose reader had closed it (``tthc validate | head -1``): 128 + SIGPIPE
#: (13), what ``cat``, ``grep`` and other Unix tools give, so ``set -o pipefail`` tells it from "invalid" (1).
EXIT_BROKEN_PIPE = 141

# click marks its own messages for gettext (``from gettext import gettext as _`` in each module) but looks them up
# in the process-wide gettext domain, whose language comes from the environment alone: Vietnamese would need
# LANGUAGE=vi. Once this adapter is imported (the library never imports it), those modules' ``_``/``ngettext``
# look in tthc's catalog instead, so "Usage:", "Options" and click's errors follow generator.i18n.language().
# Should a click release rename them, click's words fall back to English (tests/test_i18n.py would fail).
for _module in (click.core, click.decorators, click.exceptions, click.formatting, click.parser, click.types):
    if hasattr(_module, "_"):
        _module._ = i18n._
    if hasattr(_module, "ngettext"):
        _module.ngettext = i18n.ngettext
del _module

#: click's messages a user of tthc can meet (their ids exactly as click writes them), for the catalog.
CLICK_MESSAGES = (
    N_("Usage:"), N_("Options"), N_("Commands"), N_("Positional arguments"), N_("Show this message and exit."),
    N_("Error: {message}"), N_("Try '{command} {option}' for help."), N_("Invalid value: {message}"),
    N_("Invalid value for {param_hint}: {message}"), N_("Missing argument"), N_("Missing option"),
    N_("Missing parameter"), N_("Missing {param_type}"), N_("Missing parameter: {param_name}"),
    N_("No such option {name!r}."), N_("No such command {name!r}."), N_("Missing command."), N_("Aborted!"),
    N_("Option {name!r} does not take a value."), N_("{value!r} is not a valid {number_type}."),
    N_("{value} is not in the range {range}."), N_("default: {default}"), N_("env var: {var}"), N_("required"),
    N_("{name} {filename!r} does not exist."), N_("{name} {filename!r} is a file."),
    N_("{name} {filename!r} is a directory."), N_("{name} {filename!r} is not readable."),
    N_("{name} {filename!r} is not writable."), N_("Choose from:\n\t{choices}"), N_("unknown error"),
    N_("Could not open file {filename!r}: {message}"), N_("deprecated"),
)
CLICK_PLURALS = (
    Nn_("Did you mean {possibility}?", "(Did you mean one of: {possibilities}?)"),
    Nn_("Got unexpected extra argument ({args})", "Got unexpected extra arguments ({args})"),
    Nn_("Option {name!r} requires an argument.", "Option {name!r} requires {nargs} arguments."),
    Nn_("{value!r} is not {choice}.", "{value!r} is not one of {choices}."),
)


@contextmanager
def _translated(command: click.Command) -> Iterator[None]:
    """``command``'s help, short help and epilog in the user's language while its help is written."""
    saved = command.help, command.short_help, command.epilog
    command.help = _(command.help) if command.help else command.help
    command.short_help = _(command.short_help) if command.short_help else command.short_help
    if command.epilog:  # (a "\b" line before it keeps click from rewrapping it: not part of the message id)
        keep = "\b\n" if command.epilog.startswith("\b\n") else ""
        command.epilog = keep + _(command.epilog[len(keep):])
    try:
        yield
    finally:
        command.help, command.short_help, command.epilog = saved


class _Option(click.Option):
    """An option whose help (an English message id) is shown in the user's language."""

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        saved = self.help
        self.help = _(self.help) if self.help else self.help
        try:
            return super().get_help_record(ctx)
        finally:
            self.help = saved


class _Command(click.Command):
    """A command whose help texts are shown in the user's language."""

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with _translated(self):
            super().format_help(ctx, formatter)

    def get_short_help_str(self, limit: int = 45) -> str:
        with _translated(self):
            return super().get_short_help_str(limit)

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        option = super().get_help_option(ctx)
        if option is not None:  # click's own, made with its help text translated once, when it is first needed
            option.help = N_("Show this message and exit.")
            option.__class__ = _Option
        return option


option = partial(click.option, cls=_Option)

CATALOG_OPTION = option(
    "--catalog", "catalog_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("catalog"),
    show_default=True, help=N_("The catalog folder (agencies.yaml, sectors.yaml, plans/, procedures/)."),
)


class OutputError(OSError):
    """Standard output or error (``stream``: ``"stdout"``/``"stderr"``) could not be written; raised by
    :class:`_GuardedStream`, so a write failure of the output is told from one of a file the command writes."""

    stream = "stdout"


class _GuardedStream(io.FileIO):
    """Descriptor 1 or 2 whose write failures are :class:`OutputError` (``run()`` puts it under sys.stdout/stderr)."""

    def write(self, data) -> int | None:  # noqa: ANN001 - a bytes-like object, as io.FileIO.write takes
        try:
            return super().write(data)
        except OSError as err:
            error = OutputError(err.errno, err.strerror)
            error.stream = "stdout" if self.fileno() == 1 else "stderr"
            raise error from None


def _guard_standard_streams() -> None:
    """Put :class:`_GuardedStream` under ``sys.stdout`` and ``sys.stderr`` (same encoding, errors and buffering)
    when they are descriptors 1 and 2; a stream already replaced (a test's) is left alone."""
    for fd, name in ((1, "stdout"), (2, "stderr")):
        stream = getattr(sys, name)
        try:
            if stream is None or stream.fileno() != fd:
                continue
        except (AttributeError, OSError, ValueError):
            continue
        stream.flush()
        raw = _GuardedStream(fd, "w", closefd=False)
        setattr(sys, name, io.TextIOWrapper(io.BufferedWriter(raw), encoding=stream.encoding, errors=stream.errors,  # type: ignore[arg-type]
                                            line_buffering=stream.line_buffering, write_through=fd == 2))


def _flush_standard_streams() -> None:
    """Flush stdout and stderr, so that a write failure left in a buffer is raised (:class:`OutputError`) here."""
    for stream in (sys.stdout, sys.stderr):
        if stream is not None:
            try:
                stream.flush()
            except ValueError:  # closed
                pass


def _silence(stream: str) -> None:
    """Point descriptor 1 or 2 at the null device, so that nothing more fails on it: what its Python stream
    still buffers goes there at exit (no "Exception ignored" line: Python's own recipe for a closed pipe)."""
    import os

    fd = 1 if stream == "stdout" else 2
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, fd)
        os.close(null)
    except OSError:
        pass


def _output_failed(ctx: click.Context, err: OutputError) -> None:
    """End the command after its output could not be written (:data:`EXIT_BROKEN_PIPE`, :data:`EXIT_OUTPUT`)."""
    _silence(err.stream)
    if err.errno == errno.EPIPE:  # the reader is gone: nothing to say, as cat and grep say nothing
        ctx.exit(EXIT_BROKEN_PIPE)
    reason = err.strerror or str(err)
    published = ctx.meta.get(PUBLISHED)
    if published is not None:
        line = _("tthc: the site was built and published in {site}, but its summary could not be written: {reason}"
                 ).format(site=published, reason=reason)
    else:
        line = _("tthc: error: cannot write the output: {reason}").format(reason=reason)
    if err.stream == "stdout":
        try:
            click.echo(line, err=True)
        except OSError:
            _silence("stderr")
    ctx.exit(EXIT_OK if published is not None else EXIT_OUTPUT)


#: ``ctx.meta`` key: ``(site folder, whether it held a site)`` while ``tthc build`` runs, for :func:`_site_untouched`.
BUILDING = "tthc.building"


def _site_untouched(ctx: click.Context) -> str:
    """The end of a failed build's last line: the previous site was left as it was, or nothing was published
    (there was none); empty outside ``tthc build``. A failed build never touches the published site
    (:func:`generator.build.build_site` builds into a folder beside it and swaps only on success)."""
    building = ctx.meta.get(BUILDING)
    if building is None or ctx.meta.get(PUBLISHED) is not None:
        return ""
    site, had_site = building
    if had_site:
        return _("; the site in {site} was left as it was").format(site=site)
    return _("; nothing was published to {site}").format(site=site)


#: ``ctx.meta`` key: the site folder a command has published (``tthc build``), for :func:`_output_failed`.
PUBLISHED = "tthc.published"


class _Group(_Command, click.Group):
    """Turns library errors into one-line messages and exit codes, Ctrl-C into :data:`EXIT_INTERRUPTED`, and
    output that cannot be written into :data:`EXIT_BROKEN_PIPE` or :data:`EXIT_OUTPUT`."""

    command_class = _Command

    def make_context(self, info_name: str | None, args: list[str], parent: click.Context | None = None, **extra):
        """The group's context; ``--help`` and ``--version`` print while it is made, before :meth:`invoke`, so their
        output that cannot be written ends here as a command's does (click's own ``main`` makes a closed pipe
        status 1, the status of "invalid")."""
        try:
            return super().make_context(info_name, args, parent, **extra)
        except OutputError as err:
            _output_failed(click.Context(self, info_name=info_name, parent=parent), err)

    def invoke(self, ctx: click.Context):  # noqa: D401
        try:
            try:
                result = self._invoke(ctx)
            except (SystemExit, click.exceptions.Exit):
                _flush_standard_streams()
                raise
            _flush_standard_streams()
            return result
        except OutputError as err:
            _output_failed(ctx, err)

    def _invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except CatalogInvalid as err:
            from generator.report import print_report

            print_report(err.report, "text", sys.stderr)  # every error, with its position: not "run validate to see them"
            click.echo(_("tthc: stopped: {count} error(s), listed above").format(count=len(err.report.errors))
                       + _site_untouched(ctx), err=True)
            ctx.exit(EXIT_INVALID)
        except UsageError as err:
            click.echo(_("tthc: error: {message}").format(message=err), err=True)
            ctx.exit(EXIT_USAGE)
        except BuildError as err:  # its message says what became of the previous site (generator/build.py)
            click.echo(_("tthc: error: {message}").format(message=err), err=True)
            ctx.exit(EXIT_INVALID)
        except TthcError as err:
            click.echo(_("tthc: error: {message}").format(message=err) + _site_untouched(ctx), err=True)
            ctx.exit(EXIT_INVALID)
        except KeyboardInterrupt:  # Ctrl-C: click's own words ("Đã hủy!"), after a line break closing the
            # terminal's ^C, but the status of SIGINT, not click's 1 (which says "invalid" here)
            click.echo(err=True)
            click.echo(_("Aborted!"), err=True)
            ctx.exit(EXIT_INTERRUPTED)


#: The exit statuses of every command, shown under ``tthc --help`` (the constants above; README.md says the same).
EXIT_STATUSES = "\b\n" + N_("""Exit status:
  0    done; the catalog is valid (warnings allowed, unless --strict)
  1    invalid input, or the command failed (the message says why)
  2    wrong usage (an unknown option or command, a missing argument)
  74   the output cannot be written (a full disk, an I/O error); a build that
       published its site keeps 0
  130  interrupted (Ctrl-C)
  141  the output went into a pipe its reader had closed (tthc validate | head -1)
Some commands say more in their own help (diff --exit-code, import, import-decisions, fidelity).""")


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]}, epilog=EXIT_STATUSES,
             help=N_("tthc: the open catalog of administrative procedures (thủ tục hành chính)."))
@click.version_option(package_name="tthc", message="%(prog)s %(version)s", cls=_Option, help=N_("Show the version and exit."))
def main() -> None:
    """The command group; its help is the ``help=`` above (translated when shown)."""


@contextmanager
def progress_bar(label: str) -> Iterator[Progress]:
    """A :data:`generator.progress.Progress` callback drawing a bar on standard error when it is a terminal.

    ``TTHC_PROGRESS=1`` draws it anyway (a CI log, a test), ``TTHC_PROGRESS=0`` never; otherwise it is drawn
    only when stderr is a terminal, so pipes, files and tests stay quiet. The bar is tqdm's.
    """
    import os

    forced = os.environ.get("TTHC_PROGRESS", "").strip()
    if not (forced == "1" or (forced != "0" and sys.stderr.isatty())):
        yield no_progress
        return
    from tqdm import tqdm

    bars: list[tqdm] = []

    def advance(done: int, total: int) -> None:
        if not bars:
            bars.append(tqdm(total=total, desc=f"tthc: {label}", file=sys.stderr, leave=True, dynamic_ncols=True))
        bar = bars[0]
        if bar.total != total:
            bar.total = total
        bar.update(done - bar.n)

    try:
        yield advance
    finally:
        for bar in bars:
            bar.close()


# --- validate ---------------------------------------------------------------
@main.command(help=N_("Check the catalog (or only PATHS) against the schemas and rules."))
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@CATALOG_OPTION
@option("--format", "fmt", type=click.Choice(["text", "json", "github"]), default="text", show_default=True)
@option("--strict", is_flag=True, help=N_("Warnings fail too (exit 1)."))
def validate(paths: tuple[Path, ...], catalog_dir: Path, fmt: str, strict: bool) -> None:
    """``tthc validate``: :func:`generator.validate.validate_catalog`, then a reporter."""
    from generator.report import print_report
    from generator.validate import validate_catalog

    with progress_bar(_("checking")) as advance:
        report = validate_catalog(catalog_dir, only=list(paths) or None, progress=advance)
    print_report(report, fmt, sys.stdout)
    sys.exit(EXIT_OK if report.ok(strict=strict) else EXIT_INVALID)


# --- import (generator/importer) ----------------------------------------------
@main.command("import", help=N_(
    "Import procedures: the national portal's page-crawl or API JSON files or folders, or spreadsheets.\n\n"
    "A spreadsheet is the agency template (`tthc export --format xlsx`, or its sheets as CSV files) or the "
    "portal's list export.\n\n"
    "Writes catalog/procedures/<agency>/<code>.yaml (never over an existing file unless --overwrite) and adds "
    "the agencies and sectors met to agencies.yaml and sectors.yaml. Prints one diagnostic per thing not "
    "carried over as written (warning[import-unsplit|import-dropped|import-inferred], error[import-refused] for "
    "a record not imported). Exit 0 when every record was imported (warnings allowed), 1 when a record could "
    "not be imported at all, 2 on a usage error."))
@click.argument("sources", nargs=-1, required=True, type=click.Path(path_type=Path))
@CATALOG_OPTION
@option("--overwrite", is_flag=True, help=N_(
    "Replace procedure files that already exist, keeping their review-cycle fields (simplifications, reviews, "
    "amendments, compliance_cost...)."))
@option("--dry-run", is_flag=True, help=N_("Read and check every record as if importing; write nothing."))
def import_(sources: tuple[Path, ...], catalog_dir: Path, overwrite: bool, dry_run: bool) -> None:
    """``tthc import``: :func:`generator.importer.import_sources` (see generator/spreadsheet.py for spreadsheets)."""
    from generator.importer import DRY_RUN_NOTE, import_sources

    with progress_bar(_("importing")) as advance:
        report = import_sources(list(sources), catalog_dir, overwrite=overwrite, dry_run=dry_run, progress=advance)
    for diagnostic in report.diagnostics:  # spreadsheets: file:row:column: severity[rule] sheet!cell: field: message
        click.echo(diagnostic.format())
    if report.written and not dry_run:  # the files' schema lines point at these (generator/schema_ref.py)
        from generator.schema_ref import copy_schemas

        copy_schemas(catalog_dir)
    for problem in report.problems:
        click.echo(problem.diagnostic().format())
    warned = len({(p.file, p.code) for p in report.problems if not p.fatal})
    failed = {(p.file, p.code) for p in report.failed}  # a record refused for several reasons counts once
    imported = {(r.source_file, r.code) for r in report.records}
    click.echo(_(
        "tthc import: {read} record(s) read, {written} written, {skipped} left as they were (exist; use "
        "--overwrite), {warned} with warnings, {failed} not imported").format(
        read=len(imported | failed), written=len(report.written), skipped=len(report.skipped), warned=warned,
        failed=len(failed)), err=True)
    if report.unchanged:
        click.echo(_("tthc import: {count} file(s) unchanged (each already holds the record imported; not rewritten)")
                   .format(count=len(report.unchanged)), err=True)
    for merge in report.sector_merges:
        click.echo(_("tthc import: sector spellings merged: {spellings}").format(spellings=" | ".join(merge)), err=True)
    if dry_run:
        click.echo(_(DRY_RUN_NOTE), err=True)
    errors = any(d.severity == "error" for d in report.diagnostics)
    sys.exit(EXIT_INVALID if report.failed or errors else EXIT_OK)


# --- new (generator/scaffold) ---------------------------------------------------
@main.command(short_help=N_("Scaffold a valid procedure file (next free code, or --code)."), help=N_(
    "Scaffold a valid procedure: catalog/procedures/AGENCY/CODE.yaml, with Vietnamese comments.\n\n"
    "Never overwrites: an existing code is refused. Prints the new file's path; warnings (placeholders still "
    "to fill in) go to stderr."))
@option("--agency", required=True, help=N_("The publishing agency's id (agencies.yaml); the file goes in its folder."))
@option("--sector", required=True, help=N_("The sector's id (sectors.yaml)."))
@option("--code", default=None, help=N_(
    "The procedure code D.NNNNNN; default: the next free one (prefix of the agency's highest code of the kind, "
    "number one more than the highest with that prefix in the catalog)."))
@option("--kind", type=click.Choice(["external", "internal"]), default="external", show_default=True,
        help=N_("external: TTHC; internal: TTHC nội bộ."))
@option("--name", default=None, help=N_("The procedure's name (tên thủ tục); default: a placeholder to fill in."))
@option("--decision", default=None, help=N_("The publishing decision's number, e.g. 497/QĐ-BXD; default: a placeholder."))
@option("--site-url", default=None, help=N_("The published site, for the editor's schema line (default: $TTHC_SITE_URL)."))
@CATALOG_OPTION
def new(agency: str, sector: str, code: str | None, kind: str, name: str | None, decision: str | None,
        site_url: str | None, catalog_dir: Path) -> None:
    """``tthc new``: :func:`generator.scaffold.new_procedure`."""
    from generator.scaffold import new_procedure

    created = new_procedure(catalog_dir, agency, sector, code=code, kind=kind, name=name, decision=decision,
                            site_url=site_url)
    for diagnostic in created.report.sorted():  # the placeholders still to fill in
        click.echo(diagnostic.format(), err=True)
    click.echo(created.path.as_posix())


@main.command(short_help=N_("Create a catalog repository (mkdocs.yml, catalog/, CI workflows)."), help=N_(
    "Create a catalog repository in DIRECTORY (new or empty): mkdocs.yml, catalog/, CI workflows, README."))
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@option("--name", "site_name", default=None, help=N_("The site's name, e.g. 'Danh mục thủ tục hành chính tỉnh …'."))
@option("--package", "requirement", default=None, help=N_(
    "What requirements.txt installs: a version, a wheel's path or URL, a git URL (default: this tthc's version)."))
@option("--site-url", default=None, help=N_("The published site, for the editor's schema lines (default: $TTHC_SITE_URL)."))
def init(directory: Path, site_name: str | None, requirement: str | None, site_url: str | None) -> None:
    """``tthc init``: :func:`generator.catalog_repo.init_repository`."""
    from generator.catalog_repo import init_repository

    for path in init_repository(directory, site_name=site_name, requirement=requirement, site_url=site_url):
        click.echo((directory / path).as_posix())
    installs = next(line for line in (directory / "requirements.txt").read_text(encoding="utf-8").splitlines()
                    if line.strip() and not line.startswith("#"))
    click.echo(_("tthc init: requirements.txt installs {requirement}").format(requirement=installs), err=True)
    if installs.startswith("tthc @ file:"):
        click.echo(_("tthc init: warning: that is a folder of this computer, which CI cannot install: build a wheel "
                     "(python -m pip wheel --no-deps -w dist .) and run tthc init again with that wheel installed, "
                     "or give --package with a git URL"), err=True)
    click.echo(_("tthc init: next: cd {directory} && git init -b main && git add -A && git commit -m \"Danh mục ban đầu\", "
                 "add agencies to catalog/agencies.yaml, then tthc new --agency ID --sector ID").format(
                     directory=directory), err=True)


@main.command("import-decisions", help=N_(
    "Record real simplification and amendment decisions (the simplification-decisions folder) in the catalog.\n\n"
    "Adds simplifications (approved plans, implemented changes), amendments and replacements to the procedures "
    "each decision names, only where the decision's name of the procedure agrees with the catalog's; prints "
    "every refused match (decision: code: reason). Running it again adds nothing. Exit 0 when the catalog still "
    "validates, 1 otherwise, 2 on a usage error."))
@click.argument("source", type=click.Path(path_type=Path))
@CATALOG_OPTION
@option("--dry-run", is_flag=True, help=N_("Say what would be recorded; write nothing."))
@option("--decision", "decisions", multiple=True, help=N_("Record only this decision (e.g. 1891/QĐ-TTg); repeatable."))
def import_decisions(source: Path, catalog_dir: Path, dry_run: bool, decisions: tuple[str, ...]) -> None:
    """``tthc import-decisions``: :func:`generator.importer.decisions.record_decisions`, then validation."""
    from generator.importer.decisions import record_decisions
    from generator.validate import validate_catalog

    result = record_decisions(source, catalog_dir, write=not dry_run, only=decisions or None)
    for refusal in result.refused:
        click.echo(_("{decision}: {code}: not recorded: {reason}: «{decision_name}» ≠ «{catalog_name}»").format(
            decision=refusal.decision, code=refusal.code, reason=refusal.reason,
            decision_name=refusal.decision_name[:90], catalog_name=" ".join(refusal.catalog_name.split())[:90]))
    for decision, code in result.not_in_catalog:
        click.echo(_("{decision}: {code}: not recorded: not in the catalog").format(decision=decision, code=code))
    added = ", ".join(f"{decision} {count}" for decision, count in result.added.items()) or _("none")
    message = (_("tthc import-decisions: entries added: {added}; {files} file(s) would be written; {refused} match(es) "
                 "refused; {missing} procedure(s) not in the catalog") if dry_run else
               _("tthc import-decisions: entries added: {added}; {files} file(s) written; {refused} match(es) refused; "
                 "{missing} procedure(s) not in the catalog"))
    click.echo(message.format(added=added, files=len(result.written), refused=len(result.refused),
                              missing=len(result.not_in_catalog)), err=True)
    if not dry_run and result.written:
        report = validate_catalog(catalog_dir)
        if report.errors:
            from generator.report import print_report

            print_report(report, "text", sys.stderr)
            sys.exit(EXIT_INVALID)
    sys.exit(EXIT_OK)


# --- report, export (generator/stats, generator/progress_report, generator/export) ---
@main.command(help=N_("Progress of the simplification programme: the dashboard's numbers (counts, targets, decisions, costs)."))
@CATALOG_OPTION
@option("--agency", help=N_("Only this publishing agency (its id in agencies.yaml)."))
@option("--plan", "plan_id", help=N_("Only the targets of this plan (its id, e.g. qd-1085-ttg)."))
@option("--as-of", "as_of", help=N_("Count what was decided and in effect on this date (YYYY-MM-DD; default today)."))
@option("--format", "fmt", type=click.Choice(["text", "markdown", "json", "csv", "xlsx"]), default="text", show_default=True)
@option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help=N_("Write to this file instead of standard output."))
def report(catalog_dir: Path, agency: str | None, plan_id: str | None, as_of: str | None, fmt: str, output: Path | None) -> None:
    """``tthc report``: :func:`generator.progress_report.render_report` of :func:`generator.stats.compute_stats`."""
    import datetime as dt
    import re

    from generator.catalog import read_catalog
    from generator.progress_report import render_report
    from generator.stats import compute_stats, filter_catalog

    if as_of is not None:
        try:
            if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", as_of):
                raise ValueError(as_of)
            dt.date.fromisoformat(as_of)
        except ValueError:
            raise UsageError(_("--as-of {value!r} is not a date: write YYYY-MM-DD, e.g. 2025-12-31").format(value=as_of)) from None
    catalog, _problems = read_catalog(catalog_dir)
    if agency is not None and catalog.agency(agency) is None:
        raise UsageError(_("--agency {value!r} is not in agencies.yaml (ids: {ids}, ...)").format(
            value=agency, ids=", ".join(a.id for a in catalog.agencies[:8])))
    if plan_id is not None and plan_id not in {p.id for p in catalog.plans}:
        raise UsageError(_("--plan {value!r} is not a plan of the catalog (plans: {plans})").format(
            value=plan_id, plans=", ".join(p.id for p in catalog.plans) or _("none")))
    if fmt == "xlsx" and output is None:
        raise UsageError(_("--format xlsx writes a workbook: give -o FILE.xlsx"))
    if output is not None and _within(output, catalog_dir):
        raise UsageError(_("refusing to write {output} into the catalog folder {catalog}: choose a file outside it").format(
            output=output, catalog=catalog_dir))
    suffixes = {".xlsx": "xlsx", ".csv": "csv", ".json": "json", ".md": "markdown"}
    if output is not None and suffixes.get(output.suffix.lower(), fmt) != fmt:
        raise UsageError(_("-o {output} ends in {suffix} but --format is {format}: use --format {wanted} or another file name").format(
            output=output, suffix=output.suffix, format=fmt, wanted=suffixes[output.suffix.lower()]))
    data = render_report(compute_stats(filter_catalog(catalog, agency), as_of=as_of), fmt, agency=agency, plan=plan_id)
    if output is None:
        sys.stdout.buffer.write(data)
        return
    try:
        output.write_bytes(data)
    except OSError as err:
        raise UsageError(_("cannot write {path}: {reason}").format(path=output, reason=err.strerror)) from None
    click.echo(_("tthc report: {output} written").format(output=output), err=True)


@main.command(help=N_("Write the open-data files (catalog.json, CSV, XLSX, schemas), or the agency spreadsheet template."))
@CATALOG_OPTION
@option("-o", "--output", "out_dir", type=click.Path(path_type=Path), metavar="DIR|FILE.xlsx", default=Path("open-data"),
        show_default=True, help=N_("Folder for the open-data files (created; files in it are replaced); with --format xlsx "
                                   "or csv, a FILE.xlsx or the folder for the CSV sheets."))
@option("--format", "fmt", type=click.Choice(["open-data", "xlsx", "csv"]), default="open-data", show_default=True,
        help=N_("open-data: the published files; xlsx / csv: the agency template that `tthc import` reads back."))
@option("--agency", help=N_("With --format xlsx or csv: only this publishing agency's procedures."))
def export(catalog_dir: Path, out_dir: Path, fmt: str, agency: str | None) -> None:
    """``tthc export``: :func:`generator.export.write_exports`, or the agency template (generator/spreadsheet.py)."""
    from generator.catalog import read_catalog
    from generator.export import write_exports

    if fmt != "open-data":
        _export_template(catalog_dir, out_dir, fmt, agency)
        return
    catalog, _problems = read_catalog(catalog_dir)
    if _within(out_dir, catalog_dir):
        raise UsageError(_("refusing to write into the catalog folder {catalog}: choose another -o folder").format(catalog=catalog_dir))
    try:
        written = write_exports(catalog, out_dir)
    except OSError as err:
        raise UsageError(_("cannot write into {path}: {reason}").format(path=out_dir, reason=err.strerror)) from None
    click.echo(_("tthc export: {count} file(s) written to {folder}").format(count=len(written), folder=out_dir), err=True)


@main.command(help=N_(
    "Compare every catalog record with its source, field by field.\n\n"
    "Prints, per source field, how many records keep it as one text, re-split it, carry an importer warning for "
    "it, or lost words of it without a warning (silent drops). Exit 0 when there is no silent drop, 1 otherwise, "
    "2 on a usage error."))
@click.argument("sources", nargs=-1, required=True, type=click.Path(path_type=Path))
@CATALOG_OPTION
def fidelity(sources: tuple[Path, ...], catalog_dir: Path) -> None:
    """``tthc fidelity``: :func:`generator.importer.fidelity.check` (a report for the maintainers, in English)."""
    from generator.importer.fidelity import check, format_report

    if not (catalog_dir / "procedures").is_dir():
        raise UsageError(_("no catalog at {catalog} (expected {folder})").format(catalog=catalog_dir, folder=catalog_dir / "procedures"))
    report = check(catalog_dir, list(sources))
    click.echo(format_report(report))
    sys.exit(EXIT_INVALID if report.silent_drops else EXIT_OK)


def _within(path: Path, catalog_dir: Path) -> bool:
    """Whether ``path`` is the catalog folder or inside it (where no output may be written)."""
    path, catalog = path.resolve(), catalog_dir.resolve()
    return path == catalog or catalog in path.parents


def _export_template(catalog_dir: Path, out: Path, fmt: str, agency: str | None) -> None:
    """``tthc export --format xlsx|csv``: the agency template (generator/spreadsheet.py)."""
    from generator.spreadsheet import catalog_template, template_csv, template_workbook

    rows = catalog_template(catalog_dir, agency)
    if fmt == "xlsx" and out.suffix.lower() != ".xlsx":
        out = out / "thu-tuc-hanh-chinh.xlsx"
    files = {out.name: template_workbook(rows)} if fmt == "xlsx" else template_csv(rows)
    folder = out.parent if fmt == "xlsx" else out
    if _within(folder, catalog_dir):
        raise UsageError(_("refusing to write into the catalog folder {catalog}: choose another -o").format(catalog=catalog_dir))
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for name, data in files.items():
            (folder / name).write_bytes(data)
    except OSError as err:
        raise UsageError(_("cannot write into {path}: {reason}").format(path=folder, reason=err.strerror)) from None
    for where in rows.long_texts:
        click.echo(_("tthc export: warning: {where}: longer than Excel keeps in a cell (32,767 characters); "
                     "`tthc import` reads it back whole, but do not save this workbook from Excel").format(where=where), err=True)
    if fmt == "xlsx":
        click.echo(_("tthc export: {files} written").format(files=", ".join(str(folder / n) for n in files)), err=True)
    else:
        click.echo(_("tthc export: {count} CSV file(s) in {folder} written").format(count=len(files), folder=folder), err=True)


# --- diff, history, check-change (generator/diff, generator/history, generator/change) ---
@main.command(help=N_(
    "Semantic diff of the catalog between git refs BASE and HEAD (default: the working tree), or of two files.\n\n"
    "Procedures added, abolished, replaced and changed, field by field, with their effects (time limits, "
    "documents, fees, compliance cost). Formats: text (coloured on a terminal unless NO_COLOR is set), markdown "
    "(pull-request comment), json (stable, see generator.diff.format.to_json)."))
@click.argument("base")
@click.argument("head", required=False)
@click.argument("paths", nargs=-1)
@CATALOG_OPTION
@option("--format", "fmt", type=click.Choice(["text", "markdown", "json"]), default="text", show_default=True)
@option("--exit-code", is_flag=True, help=N_(
    "Exit 1 when a procedure differs (added, changed, moved, abolished, replaced, deleted), as git diff --exit-code."))
def diff(base: str, head: str | None, paths: tuple[str, ...], catalog_dir: Path, fmt: str, exit_code: bool) -> None:
    """``tthc diff``: :func:`generator.diff.sources.compare`, rendered by :func:`generator.diff.format.render`."""
    from generator.diff.format import render
    from generator.diff.sources import compare

    result, base_label, head_label = compare(Path("."), base, head, list(paths), catalog_dir.as_posix())
    import os

    color = fmt == "text" and sys.stdout.isatty() and not os.environ.get("NO_COLOR")  # https://no-color.org
    click.echo(render(result, fmt, base_label, head_label, color=color), nl=False)
    if not result.procedures:
        click.echo(f"tthc diff: {_nothing_compared(base, head, 'diff')}", err=True)
    if exit_code and (result.code_changes or any(p.semantic for p in result.procedures)):
        sys.exit(EXIT_INVALID)


@main.command(help=N_("Every revision of procedure CODE, newest first, with its decision and effects."))
@click.argument("code")
@CATALOG_OPTION
@option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@option("--allow-shallow", is_flag=True, default=None,
        help=N_("Read a shallow clone anyway (its oldest dates shown as unknown); also TTHC_ALLOW_SHALLOW=1."))
def history(code: str, catalog_dir: Path, fmt: str, allow_shallow: bool | None) -> None:
    """``tthc history``: :func:`generator.render.history.history_text`."""
    from generator.render.history import history_text

    click.echo(history_text(Path("."), code, catalog_dir.as_posix(), fmt, allow_shallow=allow_shallow or None), nl=False)


@main.command("check-change", help=N_(
    "The pull-request gate: every substantive change recorded by a decision; codes, files and folders kept."))
@option("--base", required=True, help=N_("The git ref the change is made against, e.g. origin/main."))
@option("--head", default=None, help=N_("A git ref to check instead of the working tree."))
@CATALOG_OPTION
@option("--format", "fmt", type=click.Choice(["text", "json", "github"]), default="text", show_default=True)
@option("--owner", default=None, metavar="AGENCY", help=N_(
    "The agency making the change: procedures of other agencies must not be touched (rule agency-not-owned)."))
@option("--author", default=None, metavar="@HANDLE", help=N_(
    "Instead of --owner: the change's author; the owners are the agencies whose maintainers list the handle."))
@option("--approved-by", "approvers", multiple=True, metavar="@HANDLE", help=N_(
    "A handle that approved the change (repeatable; in CI the pull request's approving reviewers): a transfer or "
    "a change to agencies.yaml approved by the source agency's maintainers or a control-office reviewer passes."))
def check_change(base: str, head: str | None, catalog_dir: Path, fmt: str, owner: str | None, author: str | None,
                 approvers: tuple[str, ...]) -> None:
    """``tthc check-change``: :func:`generator.change.check_change`, then a reporter."""
    from generator.change import check_change as run_check
    from generator.report import print_report

    root, catalog_subdir = _repository_catalog(catalog_dir, head)
    report = run_check(root, base, head, catalog_subdir, owner=owner, author=author, approvers=approvers)
    print_report(report, fmt, sys.stdout)
    if report.registers and report.files_checked == len(report.registers):
        click.echo("tthc check-change: " + _("compared {files}; no procedure file differs").format(
            files=", ".join(report.registers)), err=True)
    elif report.files_checked == 0 and not report.diagnostics:
        click.echo(f"tthc check-change: {_nothing_compared(base, head, 'check-change')}", err=True)
    sys.exit(EXIT_OK if report.ok() else EXIT_INVALID)


@main.command(short_help=N_("Write CODEOWNERS for the agency folders from agencies.yaml."), help=N_(
    "CODEOWNERS lines for catalog/procedures/<agency>/ from the agencies' maintainers (agencies.yaml)."))
@CATALOG_OPTION
@option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
        help=N_("Write to this file (e.g. .github/CODEOWNERS) instead of stdout."))
def codeowners(catalog_dir: Path, output: Path | None) -> None:
    """``tthc codeowners``: :func:`generator.ownership.codeowners`."""
    from generator.ownership import codeowners as make_codeowners

    notes: list[str] = []
    text = make_codeowners(catalog_dir, notes=notes)
    for note in notes:
        click.echo(_("tthc codeowners: warning: {note}").format(note=note), err=True)
    if output is None:
        click.echo(text, nl=False)
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8", newline="\n")
    click.echo(_("wrote {path}").format(path=output), err=True)


def _repository_catalog(catalog_dir: Path, head: str | None) -> tuple[Path, str]:
    """The repository's top level and the catalog folder relative to it, from any folder inside it.

    ``--catalog`` is taken relative to the working directory; when no such
    folder is there (run from a subfolder with the default ``catalog``), it is
    taken relative to the repository's top level, where git's trees name it.

    Raises:
        UsageError: not in a git repository; the catalog folder is outside it,
            or (checking the working tree) exists in neither place.
    """
    from generator.git import require_repository

    root = require_repository(Path(".")).root.resolve()
    folder = catalog_dir if catalog_dir.is_absolute() else Path.cwd() / catalog_dir
    if not folder.is_dir() and not catalog_dir.is_absolute() and (root / catalog_dir).is_dir():
        folder = root / catalog_dir
    elif not folder.is_dir() and not catalog_dir.is_absolute() and head is not None:
        folder = root / catalog_dir  # checking a commit: the folder need not be on disk
    if head is None and not folder.is_dir():
        raise UsageError(_("catalog folder not found: {folder} (run from the repository root, or pass --catalog DIR)")
                         .format(folder=catalog_dir))
    try:
        sub = folder.resolve().relative_to(root).as_posix()
    except ValueError:
        raise UsageError(_("the catalog folder {folder} is not inside the git repository {root}").format(
            folder=catalog_dir, root=root)) from None
    return root, sub


def _nothing_compared(base: str, head: str | None, command: str) -> str:
    """The note of a run that found no procedure file differing, with the likely mistake."""
    option = "--base " if command == "check-change" else ""
    text = (_("compared nothing: no procedure file differs between {base} and {head}") if head else
            _("compared nothing: no procedure file differs between {base} and the working tree"))
    hint = _("(hint: after committing, {option}HEAD compares HEAD with itself; compare with the branch the change is made "
             "against, e.g. {option}origin/main, or {option}HEAD~1 for the last commit)")
    return f"{text.format(base=base, head=head)} {hint.format(option=option)}"


# --- build, serve (generator/build, generator/plugin) -------------------------
#: MkDocs' own progress lines (mkdocs.commands.build, mkdocs.livereload), in the user's language
#: (``tthc serve`` shows them; ``tthc build`` shows none: it prints its own summary).
_MKDOCS_LINES = (
    (re.compile(r"^Building documentation\.\.\.$"), N_("building the site...")),
    (re.compile(r"^Documentation built in (?P<seconds>[0-9.]+) seconds$"), N_("site built in {seconds} s")),
    (re.compile(r"^Serving on (?P<url>\S+)$"), N_("serving the site at {url}")),
    (re.compile(r"^Watching paths for changes: (?P<paths>.*)$"), N_("watching for changes: {paths}")),
    (re.compile(r"^Detected file changes$"), N_("files changed, building again")),
    (re.compile(r"^Reloading browsers$"), N_("reloading the browsers")),
    (re.compile(r"^Shutting down\.\.\.$"), N_("stopping")),
)


class _LogFormatter(logging.Formatter):
    """Log lines of ``tthc build`` / ``tthc serve``: ``tthc: warning: ...`` in the user's language.

    MkDocs' known progress lines are translated (:data:`_MKDOCS_LINES`); its other INFO and DEBUG
    lines (``Cleaning site directory``...) are dropped (:func:`_shown`); warnings and
    errors always reach the user, with a Vietnamese prefix (MkDocs' own text stays as MkDocs wrote it).
    """

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        if record.levelno >= logging.ERROR:
            return _("tthc: error: {message}").format(message=message)
        if record.levelno >= logging.WARNING:
            return _("tthc: warning: {message}").format(message=message)
        for pattern, text in _MKDOCS_LINES:
            match = pattern.match(message)
            if match:
                return "tthc: " + _(text).format(**match.groupdict())
        return message if message.startswith("tthc") else f"tthc: {message}"


def _shown(record: logging.LogRecord) -> bool:
    """Warnings, errors, tthc's own INFO lines and MkDocs' known ones (:data:`_MKDOCS_LINES`)."""
    if record.levelno >= logging.WARNING or not record.name.startswith("mkdocs") or record.name == "mkdocs.plugins.tthc":
        return True
    return any(pattern.match(record.getMessage()) for pattern, _text in _MKDOCS_LINES)


@contextmanager
def _log_to_stderr(level: int) -> Iterator[None]:
    """While the block runs, log records of ``level`` and above to stderr through :class:`_LogFormatter`."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_LogFormatter())
    handler.addFilter(_shown)
    root = logging.getLogger()
    before = root.level
    root.addHandler(handler)
    root.setLevel(level)
    try:
        yield
    finally:
        root.removeHandler(handler)
        root.setLevel(before)


@main.command(help=N_("Build the static site (MkDocs with the tthc plugin, as `mkdocs build` does)."))
@CATALOG_OPTION
@option("--site-dir", type=click.Path(file_okay=False, path_type=Path), default=Path("site"), show_default=True,
        help=N_("Where the site goes; replaced only when the build succeeds."))
@option("--config-file", type=click.Path(dir_okay=False, path_type=Path), default=Path("mkdocs.yml"), show_default=True)
@option("--no-search", is_flag=True, help=N_("Skip the Pagefind search index."))
@option("--allow-shallow", is_flag=True, default=None,
        help=N_("Build from a shallow clone anyway (dates before it unknown); also TTHC_ALLOW_SHALLOW=1."))
@option("--no-cache", is_flag=True,
        help=N_("Render every page again, ignoring the cache of the last build (.<site>-cache/ beside the site)."))
def build(catalog_dir: Path, site_dir: Path, config_file: Path, no_search: bool, allow_shallow: bool | None,
          no_cache: bool) -> None:
    """``tthc build``: :func:`generator.build.build_site`."""
    from generator.build import build_site, holds_site

    had_site = holds_site(site_dir)
    click.get_current_context().meta[BUILDING] = (site_dir, had_site)
    with _log_to_stderr(logging.WARNING), progress_bar(_("building")) as advance:  # MkDocs' warnings, not its progress
        result = build_site(catalog_dir, site_dir, config_file=config_file, search=False if no_search else None,
                            allow_shallow=allow_shallow or None, cache=not no_cache, progress=advance)
    click.get_current_context().meta[PUBLISHED] = site_dir  # the site is out: a summary not written fails nothing
    click.echo(build_summary(result, site_dir))


def build_summary(result: BuildResult, site_dir: Path) -> str:
    """``tthc build``'s last line for a :class:`generator.build.BuildResult`: the pages and megabytes
    written, then the procedures rendered and those reused from the cache (``1 procedure rendered,
    1,522 reused from the cache``; ``all 1,523 procedures rendered`` when none was reused)."""
    line = _("built {pages} pages into {site} ({megabytes} MB)").format(
        pages=f"{result.pages:,}", site=site_dir, megabytes=f"{result.bytes / 1e6:.1f}")
    rendered, reused = result.procedures_rendered, result.procedures_reused
    if rendered is None or reused is None or not rendered + reused:  # Material rendered every page; no procedure yet
        return line
    if reused:
        return line + ngettext("; {rendered} procedure rendered, {reused} reused from the cache",
                               "; {rendered} procedures rendered, {reused} reused from the cache", rendered).format(
            rendered=f"{rendered:,}", reused=f"{reused:,}")
    return line + ngettext("; {rendered} procedure rendered", "; all {rendered} procedures rendered", rendered).format(
        rendered=f"{rendered:,}")


@main.command(help=N_("Serve the site with live reload (as `mkdocs serve` does)."))
@CATALOG_OPTION
@option("--config-file", type=click.Path(dir_okay=False, path_type=Path), default=Path("mkdocs.yml"), show_default=True)
@option("-a", "--dev-addr", default=None, metavar="IP:PORT", help=N_("Address to serve on (default 127.0.0.1:8000)."))
def serve(catalog_dir: Path, config_file: Path, dev_addr: str | None) -> None:
    """``tthc serve``: :func:`generator.build.serve_site`."""
    from generator.build import serve_site

    with _log_to_stderr(logging.INFO):
        serve_site(catalog_dir, config_file=config_file, dev_addr=dev_addr)


def _open_closed_streams() -> None:
    """Open a standard stream that was closed when the program started on the null device.

    Started with standard output or error closed (``tthc validate >&-``, ``2>&-``, as some
    schedulers and daemons start commands), Python sets ``sys.stdout`` / ``sys.stderr`` to None:
    every command that writes to them (a report, the diff's terminal check, an error message)
    raised AttributeError with a traceback, and exited 1 whatever the result. As a daemon does,
    the free descriptor is opened on ``os.devnull`` (also for the programs tthc starts, such as
    git, and so that no file tthc opens later takes descriptor 1 or 2), and the stream writes
    there: what was closed is not read, and the exit status is the command's own. When another
    file already holds the descriptor, it is left alone and only the Python stream writes to the
    null device.
    """
    import os

    for fd, name in ((0, "stdin"), (1, "stdout"), (2, "stderr")):
        if getattr(sys, name) is not None:
            continue
        mode = "r" if fd == 0 else "w"
        try:
            os.fstat(fd)
        except OSError:  # still free: it becomes the null device
            null = os.open(os.devnull, os.O_RDONLY if fd == 0 else os.O_WRONLY)
            if null != fd:
                os.dup2(null, fd)
                os.close(null)
            else:
                os.set_inheritable(fd, True)
            setattr(sys, name, open(fd, mode, encoding="utf-8", closefd=False))  # noqa: SIM115 - lives as long as the process
        else:
            setattr(sys, name, open(os.devnull, mode, encoding="utf-8"))  # noqa: SIM115 - lives as long as the process


def run() -> None:
    """The ``tthc`` program (``python -m generator.cli``): :func:`main` with two settings of a
    process that does one command and ends, as mypy's (``mypy/main.py``) are:

    * the cyclic garbage collector runs every 200,000 allocations instead of 700: the catalog
      and its history are millions of objects that live for the whole command, and they were
      scanned a thousand times in a rebuild (0.6 s of it);
    * once the command has returned, the exit handlers run (temporary folders are removed) and
      the process ends without freeing its objects one by one (0.6 s of a rebuild). Only when
      no other thread is left that Python would wait for at exit (a pool's manager, a server):
      otherwise the process ends as Python ends it.

    A standard stream closed when the program started (``>&-``) is first opened on the null
    device (:func:`_open_closed_streams`). Tests call :func:`main` in their own process and get
    none of this.

    Raises:
        SystemExit: never from here; the exit status is the one :func:`main` gives.
    """
    import atexit
    import gc
    import os
    import threading

    gc.set_threshold(200_000, 30, 30)
    _open_closed_streams()
    _guard_standard_streams()
    try:
        main()
        status = 0
    except SystemExit as exit:
        status = exit.code
    except OutputError as err:  # written by click itself, outside a command (``tthc --help >/dev/full``)
        _silence(err.stream)
        status = EXIT_BROKEN_PIPE if err.errno == errno.EPIPE else EXIT_OUTPUT
        if status == EXIT_OUTPUT and err.stream == "stdout":
            try:
                click.echo(_("tthc: error: cannot write the output: {reason}").format(reason=err.strerror), err=True)
            except OSError:
                _silence("stderr")
    if any(not thread.daemon for thread in threading.enumerate() if thread is not threading.main_thread()):
        sys.exit(status)  # Python joins those threads first (its threading shutdown), then exits
    if status is not None and not isinstance(status, int):  # sys.exit("message"), as Python prints it
        print(status, file=sys.stderr)
        status = 1
    atexit._run_exitfuncs()  # noqa: SLF001 - what the interpreter runs at exit (temporary folders, logging)
    for stream in (sys.stdout, sys.stderr):
        if stream is None:  # started with it closed (>&-)
            continue
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: nothing more can be said
            pass
    os._exit(status or 0)


if __name__ == "__main__":  # pragma: no cover
    run()
