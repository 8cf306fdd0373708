"""The ``tthc`` command: parses flags, calls one library function, reports.

Exit codes (DESIGN.md §6): 0 ok, 1 invalid input, 2 usage error. Library
errors (``generator.errors``) become messages here and never tracebacks.
Each command lives in this file as one small function; the work is done
by the library modules named in its body.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from generator.errors import CatalogInvalid, TthcError, UsageError

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2

CATALOG_OPTION = click.option(
    "--catalog", "catalog_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("catalog"),
    show_default=True, help="The catalog folder (agencies.yaml, sectors.yaml, plans/, procedures/).",
)


class _Group(click.Group):
    """Turns library errors into one-line messages and exit codes."""

    def invoke(self, ctx: click.Context):  # noqa: D401
        try:
            return super().invoke(ctx)
        except CatalogInvalid as err:
            from generator.report import print_report

            print_report(err.report, "text", sys.stderr)
            click.echo(f"tthc: {err}", err=True)
            ctx.exit(EXIT_INVALID)
        except UsageError as err:
            click.echo(f"tthc: error: {err}", err=True)
            ctx.exit(EXIT_USAGE)
        except TthcError as err:
            click.echo(f"tthc: error: {err}", err=True)
            ctx.exit(EXIT_INVALID)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="tthc")
def main() -> None:
    """tthc: the open catalog of administrative procedures (thủ tục hành chính)."""


# --- validate ---------------------------------------------------------------
@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@CATALOG_OPTION
@click.option("--format", "fmt", type=click.Choice(["text", "json", "github"]), default="text", show_default=True)
@click.option("--strict", is_flag=True, help="Warnings fail too (exit 1).")
def validate(paths: tuple[Path, ...], catalog_dir: Path, fmt: str, strict: bool) -> None:
    """Check the catalog (or only PATHS) against the schemas and rules."""
    from generator.report import print_report
    from generator.validate import validate_catalog

    report = validate_catalog(catalog_dir, only=list(paths) or None)
    print_report(report, fmt, sys.stdout)
    sys.exit(EXIT_OK if report.ok(strict=strict) else EXIT_INVALID)


# --- import (generator/importer) ----------------------------------------------
@main.command("import")
@click.argument("sources", nargs=-1, required=True, type=click.Path(path_type=Path))
@CATALOG_OPTION
@click.option("--overwrite", is_flag=True, help="Replace procedure files that already exist, keeping their review-cycle fields (simplifications, reviews, amendments, compliance_cost...).")
@click.option("--dry-run", is_flag=True, help="Read and check every record as if importing; write nothing.")
def import_(sources: tuple[Path, ...], catalog_dir: Path, overwrite: bool, dry_run: bool) -> None:
    """Import procedures: the national portal's page-crawl or API JSON files or folders, or spreadsheets.

    A spreadsheet is the agency template (`tthc export --format xlsx`, or its
    sheets as CSV files) or the portal's list export; see generator/spreadsheet.py.

    Writes catalog/procedures/<agency>/<code>.yaml (never over an existing file
    unless --overwrite) and adds the agencies and sectors met to agencies.yaml and
    sectors.yaml. Prints one diagnostic per thing not carried over as written
    (file:0:0: warning[import-unsplit|import-dropped|import-inferred] field: code: reason,
    error[import-refused] for a record not imported). Exit 0 when every record was imported (warnings allowed), 1 when a record
    could not be imported at all, 2 on a usage error.
    """
    from generator.importer import DRY_RUN_NOTE, import_sources

    report = import_sources(list(sources), catalog_dir, overwrite=overwrite, dry_run=dry_run)
    for diagnostic in report.diagnostics:  # spreadsheets: file:row:column: severity[rule] sheet!cell: field: message
        click.echo(diagnostic.format())
    if report.written and not dry_run:  # the files' schema lines point at these (generator/schema_ref.py)
        from generator.schema_ref import copy_schemas

        copy_schemas(catalog_dir)
    for problem in report.problems:
        click.echo(problem.diagnostic().format())
    warned = len({(p.file, p.code) for p in report.problems if not p.fatal})
    click.echo(
        f"tthc import: {len(report.records)} record(s) read, {len(report.written)} written, "
        f"{len(report.skipped)} left as they were (exist; use --overwrite), {warned} with warnings, "
        f"{len(report.failed)} not imported", err=True)
    for merge in report.sector_merges:
        click.echo(f"tthc import: sector spellings merged: {' | '.join(merge)}", err=True)
    if dry_run:
        click.echo(DRY_RUN_NOTE, err=True)
    errors = any(d.severity == "error" for d in report.diagnostics)
    sys.exit(EXIT_INVALID if report.failed or errors else EXIT_OK)


# --- new (generator/scaffold) ---------------------------------------------------
@main.command(short_help="Scaffold a valid procedure file (next free code, or --code).")
@click.option("--agency", required=True, help="The publishing agency's id (agencies.yaml); the file goes in its folder.")
@click.option("--sector", required=True, help="The sector's id (sectors.yaml).")
@click.option("--code", default=None, help="The procedure code D.NNNNNN; default: the next free one (prefix of the agency's highest code of the "
                   "kind, number one more than the highest with that prefix in the catalog).")
@click.option("--kind", type=click.Choice(["external", "internal"]), default="external", show_default=True,
              help="external: TTHC; internal: TTHC nội bộ.")
@click.option("--name", default=None, help="The procedure's name (tên thủ tục); default: a placeholder to fill in.")
@click.option("--decision", default=None, help="The publishing decision's number, e.g. 497/QĐ-BXD; default: a placeholder.")
@click.option("--site-url", default=None, help="The published site, for the editor's schema line (default: $TTHC_SITE_URL).")
@CATALOG_OPTION
def new(agency: str, sector: str, code: str | None, kind: str, name: str | None, decision: str | None,
        site_url: str | None, catalog_dir: Path) -> None:
    """Scaffold a valid procedure: catalog/procedures/AGENCY/CODE.yaml, with Vietnamese comments.

    Never overwrites: an existing code is refused. Prints the new file's path;
    warnings (placeholders still to fill in) go to stderr.
    """
    from generator.scaffold import new_procedure

    created = new_procedure(catalog_dir, agency, sector, code=code, kind=kind, name=name, decision=decision,
                            site_url=site_url)
    for warning in created.report.warnings:
        click.echo(warning.format(), err=True)
    click.echo(created.path.as_posix())


@main.command(short_help="Create a catalog repository (mkdocs.yml, catalog/, CI workflows).")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--name", "site_name", default=None, help="The site's name, e.g. 'Danh mục thủ tục hành chính tỉnh …'.")
@click.option("--package", "requirement", default=None,
              help="What requirements.txt installs: a version, a wheel's path or URL, a git URL (default: this tthc's version).")
@click.option("--site-url", default=None, help="The published site, for the editor's schema lines (default: $TTHC_SITE_URL).")
def init(directory: Path, site_name: str | None, requirement: str | None, site_url: str | None) -> None:
    """Create a catalog repository in DIRECTORY (new or empty): mkdocs.yml, catalog/, CI workflows, README."""
    from generator.catalog_repo import init_repository

    for path in init_repository(directory, site_name=site_name, requirement=requirement, site_url=site_url):
        click.echo((directory / path).as_posix())
    click.echo(f"tthc init: next: cd {directory} && git init -b main, add agencies to catalog/agencies.yaml, "
               "then tthc new --agency ID --sector ID", err=True)


@main.command("import-decisions")
@click.argument("source", type=click.Path(path_type=Path))
@CATALOG_OPTION
@click.option("--dry-run", is_flag=True, help="Say what would be recorded; write nothing.")
@click.option("--decision", "decisions", multiple=True, help="Record only this decision (e.g. 1891/QĐ-TTg); repeatable.")
def import_decisions(source: Path, catalog_dir: Path, dry_run: bool, decisions: tuple[str, ...]) -> None:
    """Record real simplification and amendment decisions (the simplification-decisions folder) in the catalog.

    Adds simplifications (approved plans, implemented changes), amendments and
    replacements to the procedures each decision names, only where the
    decision's name of the procedure agrees with the catalog's; prints every
    refused match (decision: code: reason). Running it again adds nothing.
    Exit 0 when the catalog still validates, 1 otherwise, 2 on a usage error.
    """
    from generator.importer.decisions import record_decisions
    from generator.validate import validate_catalog

    result = record_decisions(source, catalog_dir, write=not dry_run, only=decisions or None)
    for refusal in result.refused:
        click.echo(f"{refusal.decision}: {refusal.code}: not recorded: {refusal.reason}: "
                   f"«{refusal.decision_name[:90]}» ≠ «{' '.join(refusal.catalog_name.split())[:90]}»")
    for decision, code in result.not_in_catalog:
        click.echo(f"{decision}: {code}: not recorded: not in the catalog")
    added = ", ".join(f"{decision} {count}" for decision, count in result.added.items()) or "none"
    verb = "would be written" if dry_run else "written"
    click.echo(f"tthc import-decisions: entries added: {added}; {len(result.written)} file(s) {verb}; "
               f"{len(result.refused)} match(es) refused; {len(result.not_in_catalog)} procedure(s) not in the catalog", err=True)
    if not dry_run and result.written:
        report = validate_catalog(catalog_dir)
        if report.errors:
            from generator.report import print_report

            print_report(report, "text", sys.stderr)
            sys.exit(EXIT_INVALID)
    sys.exit(EXIT_OK)


# --- report, export (generator/stats, generator/progress_report, generator/export) ---
@main.command()
@CATALOG_OPTION
@click.option("--agency", help="Only this publishing agency (its id in agencies.yaml).")
@click.option("--plan", "plan_id", help="Only the targets of this plan (its id, e.g. qd-1085-ttg).")
@click.option("--as-of", "as_of", help="Count what was decided and in effect on this date (YYYY-MM-DD; default today).")
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "json", "csv", "xlsx"]), default="text", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to this file instead of standard output.")
def report(catalog_dir: Path, agency: str | None, plan_id: str | None, as_of: str | None, fmt: str, output: Path | None) -> None:
    """Progress of the simplification programme: the dashboard's numbers (counts, targets, decisions, costs)."""
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
            raise UsageError(f"--as-of {as_of!r} is not a date: write YYYY-MM-DD, e.g. 2025-12-31") from None
    catalog, _ = read_catalog(catalog_dir)
    if agency is not None and catalog.agency(agency) is None:
        raise UsageError(f"--agency {agency!r} is not in agencies.yaml (ids: {', '.join(a.id for a in catalog.agencies[:8])}, ...)")
    if plan_id is not None and plan_id not in {p.id for p in catalog.plans}:
        raise UsageError(f"--plan {plan_id!r} is not a plan of the catalog (plans: {', '.join(p.id for p in catalog.plans) or 'none'})")
    if fmt == "xlsx" and output is None:
        raise UsageError("--format xlsx writes a workbook: give -o FILE.xlsx")
    if output is not None and catalog_dir.resolve() in output.resolve().parents:
        raise UsageError(f"refusing to write {output} into the catalog folder {catalog_dir}: choose a file outside it")
    suffixes = {".xlsx": "xlsx", ".csv": "csv", ".json": "json", ".md": "markdown"}
    if output is not None and suffixes.get(output.suffix.lower(), fmt) != fmt:
        raise UsageError(f"-o {output} ends in {output.suffix} but --format is {fmt}: use --format {suffixes[output.suffix.lower()]} or another file name")
    data = render_report(compute_stats(filter_catalog(catalog, agency), as_of=as_of), fmt, agency=agency, plan=plan_id)
    if output is None:
        sys.stdout.buffer.write(data)
        return
    try:
        output.write_bytes(data)
    except OSError as err:
        raise UsageError(f"cannot write {output}: {err.strerror}") from None
    click.echo(f"tthc report: {output} written", err=True)


@main.command()
@CATALOG_OPTION
@click.option("-o", "--output", "out_dir", type=click.Path(path_type=Path), metavar="DIR|FILE.xlsx", default=Path("open-data"),
              show_default=True, help="Folder for the open-data files (created; files in it are replaced); "
                                      "with --format xlsx or csv, a FILE.xlsx or the folder for the CSV sheets.")
@click.option("--format", "fmt", type=click.Choice(["open-data", "xlsx", "csv"]), default="open-data", show_default=True,
              help="open-data: the published files; xlsx / csv: the agency template that `tthc import` reads back.")
@click.option("--agency", help="With --format xlsx or csv: only this publishing agency's procedures.")
def export(catalog_dir: Path, out_dir: Path, fmt: str, agency: str | None) -> None:
    """Write the open-data files (catalog.json, CSV, XLSX, schemas), or the agency spreadsheet template."""
    from generator.catalog import read_catalog
    from generator.export import write_exports

    if fmt != "open-data":
        _export_template(catalog_dir, out_dir, fmt, agency)
        return
    catalog, _ = read_catalog(catalog_dir)
    if out_dir.resolve() == catalog_dir.resolve() or catalog_dir.resolve() in out_dir.resolve().parents:
        raise UsageError(f"refusing to write into the catalog folder {catalog_dir}: choose another -o folder")
    try:
        written = write_exports(catalog, out_dir)
    except OSError as err:
        raise UsageError(f"cannot write into {out_dir}: {err.strerror}") from None
    click.echo(f"tthc export: {len(written)} file(s) written to {out_dir}", err=True)


@main.command()
@click.argument("sources", nargs=-1, required=True, type=click.Path(path_type=Path))
@CATALOG_OPTION
def fidelity(sources: tuple[Path, ...], catalog_dir: Path) -> None:
    """Compare every catalog record with its source, field by field.

    Prints, per source field, how many records keep it as one text, re-split it,
    carry an importer warning for it, or lost words of it without a warning
    (silent drops). Exit 0 when there is no silent drop, 1 otherwise, 2 on a
    usage error.
    """
    from generator.importer.fidelity import check, format_report

    if not (catalog_dir / "procedures").is_dir():
        raise UsageError(f"no catalog at {catalog_dir} (expected {catalog_dir / 'procedures'})")
    report = check(catalog_dir, list(sources))
    click.echo(format_report(report))
    sys.exit(EXIT_INVALID if report.silent_drops else EXIT_OK)


def _export_template(catalog_dir: Path, out: Path, fmt: str, agency: str | None) -> None:
    """``tthc export --format xlsx|csv``: the agency template (generator/spreadsheet.py)."""
    from generator.spreadsheet import catalog_template, template_csv, template_workbook

    rows = catalog_template(catalog_dir, agency)
    if fmt == "xlsx" and out.suffix.lower() != ".xlsx":
        out = out / "thu-tuc-hanh-chinh.xlsx"
    files = {out.name: template_workbook(rows)} if fmt == "xlsx" else template_csv(rows)
    folder = out.parent if fmt == "xlsx" else out
    if folder.resolve() == catalog_dir.resolve() or catalog_dir.resolve() in folder.resolve().parents:
        raise UsageError(f"refusing to write into the catalog folder {catalog_dir}: choose another -o")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for name, data in files.items():
            (folder / name).write_bytes(data)
    except OSError as err:
        raise UsageError(f"cannot write into {folder}: {err.strerror}") from None
    for where in rows.long_texts:
        click.echo(f"tthc export: warning: {where}: longer than Excel keeps in a cell (32,767 characters); "
                   "`tthc import` reads it back whole, but do not save this workbook from Excel", err=True)
    click.echo(f"tthc export: {', '.join(str(folder / n) for n in files) if fmt == 'xlsx' else f'{len(files)} CSV file(s) in {folder}'} written", err=True)


# --- diff, history, check-change (generator/diff, generator/history, generator/change) ---
@main.command()
@click.argument("base")
@click.argument("head", required=False)
@click.argument("paths", nargs=-1)
@CATALOG_OPTION
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "json"]), default="text", show_default=True)
@click.option("--exit-code", is_flag=True,
              help="Exit 1 when a procedure differs (added, changed, moved, abolished, replaced, deleted), as git diff --exit-code.")
def diff(base: str, head: str | None, paths: tuple[str, ...], catalog_dir: Path, fmt: str, exit_code: bool) -> None:
    """Semantic diff of the catalog between git refs BASE and HEAD (default: the working tree), or of two files.

    Procedures added, abolished, replaced and changed, field by field, with
    their effects (time limits, documents, fees, compliance cost). Formats:
    text (coloured on a terminal unless NO_COLOR is set), markdown
    (pull-request comment), json (stable, see generator.diff.format.to_json).
    """
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


@main.command()
@click.argument("code")
@CATALOG_OPTION
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--allow-shallow", is_flag=True, default=None,
              help="Read a shallow clone anyway (its oldest dates shown as unknown); also TTHC_ALLOW_SHALLOW=1.")
def history(code: str, catalog_dir: Path, fmt: str, allow_shallow: bool | None) -> None:
    """Every revision of procedure CODE, newest first, with its decision and effects."""
    from generator.render.history import history_text

    click.echo(history_text(Path("."), code, catalog_dir.as_posix(), fmt, allow_shallow=allow_shallow or None), nl=False)


@main.command("check-change")
@click.option("--base", required=True, help="The git ref the change is made against, e.g. origin/main.")
@click.option("--head", default=None, help="A git ref to check instead of the working tree.")
@CATALOG_OPTION
@click.option("--format", "fmt", type=click.Choice(["text", "json", "github"]), default="text", show_default=True)
@click.option("--owner", default=None, metavar="AGENCY",
              help="The agency making the change: procedures of other agencies must not be touched (rule agency-not-owned).")
@click.option("--author", default=None, metavar="@HANDLE",
              help="Instead of --owner: the change's author; the owners are the agencies whose maintainers list the handle.")
def check_change(base: str, head: str | None, catalog_dir: Path, fmt: str, owner: str | None, author: str | None) -> None:
    """The pull-request gate: every substantive change recorded by a decision; codes, files and folders kept."""
    from generator.change import check_change as run_check
    from generator.report import print_report

    report = run_check(Path("."), base, head, catalog_dir.as_posix(), owner=owner, author=author)
    print_report(report, fmt, sys.stdout)
    if report.files_checked == 0 and not report.diagnostics:
        click.echo(f"tthc check-change: {_nothing_compared(base, head, 'check-change')}", err=True)
    sys.exit(EXIT_OK if report.ok() else EXIT_INVALID)


@main.command(short_help="Write CODEOWNERS for the agency folders from agencies.yaml.")
@CATALOG_OPTION
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to this file (e.g. .github/CODEOWNERS) instead of stdout.")
def codeowners(catalog_dir: Path, output: Path | None) -> None:
    """CODEOWNERS lines for catalog/procedures/<agency>/ from the agencies' maintainers (agencies.yaml)."""
    from generator.ownership import codeowners as make_codeowners

    text = make_codeowners(catalog_dir)
    if output is None:
        click.echo(text, nl=False)
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8", newline="\n")
    click.echo(f"wrote {output}", err=True)


def _nothing_compared(base: str, head: str | None, command: str) -> str:
    """The note of a run that found no procedure file differing, with the likely mistake."""
    other = head or "the working tree"
    option = "--base " if command == "check-change" else ""
    return (f"compared nothing: no procedure file differs between {base} and {other} "
            f"(hint: after committing, {option}HEAD compares HEAD with itself; compare with the branch the change "
            f"is made against, e.g. {option}origin/main, or {option}HEAD~1 for the last commit)")

# --- build, serve (generator/build, generator/plugin) -------------------------
@main.command()
@CATALOG_OPTION
@click.option("--site-dir", type=click.Path(file_okay=False, path_type=Path), default=Path("site"), show_default=True,
              help="Where the site goes; replaced only when the build succeeds.")
@click.option("--config-file", type=click.Path(dir_okay=False, path_type=Path), default=Path("mkdocs.yml"), show_default=True)
@click.option("--no-search", is_flag=True, help="Skip the Pagefind search index.")
@click.option("--allow-shallow", is_flag=True, default=None,
              help="Build from a shallow clone anyway (dates before it unknown); also TTHC_ALLOW_SHALLOW=1.")
@click.option("--no-cache", is_flag=True,
              help="Render every page again, ignoring the cache of the last build (.<site>-cache/ beside the site).")
def build(catalog_dir: Path, site_dir: Path, config_file: Path, no_search: bool, allow_shallow: bool | None,
          no_cache: bool) -> None:
    """Build the static site (MkDocs with the tthc plugin, as `mkdocs build` does)."""
    import logging

    from generator.build import build_site

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s: %(message)s", stream=sys.stderr)
    result = build_site(catalog_dir, site_dir, config_file=config_file, search=False if no_search else None,
                        allow_shallow=allow_shallow or None, cache=not no_cache)
    click.echo(f"built {result.pages} pages into {site_dir} ({result.bytes / 1e6:.1f} MB)")


@main.command()
@CATALOG_OPTION
@click.option("--config-file", type=click.Path(dir_okay=False, path_type=Path), default=Path("mkdocs.yml"), show_default=True)
@click.option("-a", "--dev-addr", default=None, metavar="IP:PORT", help="Address to serve on (default 127.0.0.1:8000).")
def serve(catalog_dir: Path, config_file: Path, dev_addr: str | None) -> None:
    """Serve the site with live reload (as `mkdocs serve` does)."""
    import logging

    from generator.build import serve_site

    logging.basicConfig(level=logging.INFO, format="%(levelname)s: %(message)s", stream=sys.stderr)
    serve_site(catalog_dir, config_file=config_file, dev_addr=dev_addr)


if __name__ == "__main__":  # pragma: no cover
    main()
