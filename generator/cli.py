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


if __name__ == "__main__":  # pragma: no cover
    main()
