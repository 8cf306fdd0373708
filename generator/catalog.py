"""Open a catalog: load, validate and build the model in one call.

This is the entry point the site build, history, stats and exports use.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from generator.diagnostics import Report
from generator.errors import CatalogInvalid, UsageError
from generator.i18n import _
from generator.model import (
    Catalog, NationalTotal, agency_from_dict, cost_basis_from_dict, plan_from_dict, procedure_from_dict, sector_from_dict,
)
from generator.validate import LoadMemo, check_catalog_files, load_catalog_files


def read_catalog(root: Path, today: dt.date | None = None, workers: int | None = None,
                 memo: LoadMemo | None = None) -> tuple[Catalog, Report]:
    """Load and validate the catalog at ``root`` and build its model.

    Args:
        root: the catalog folder (``agencies.yaml``, ``sectors.yaml``, ``plans/``, ``procedures/``).
        today: the reference date for "not in the future" (default: today in Vietnam).
        workers: processes that load and schema-check the procedure files (default
            ``$TTHC_WORKERS``, else the CPU count; ``1`` for none, and a catalog of fewer
            than 200 procedures is read in this process). The result is the same, in the
            same order, for any number (see :func:`generator.validate.load_catalog_files`).
        memo: procedure files loaded before, reused when unchanged on disk, and updated
            (:data:`generator.validate.LoadMemo`; the build keeps it in its cache). The
            rules across files run every time.

    Returns:
        The :class:`~generator.model.Catalog` (procedures sorted by code) and
        the validation report (which may hold warnings).

    Raises:
        UsageError: ``root`` is not a folder, or ``TTHC_WORKERS`` is not a number of at least 1.
        CatalogInvalid: the catalog has at least one error; ``err.report`` has them all.
    """
    root = Path(root)
    if not root.is_dir():
        raise UsageError(_("catalog folder not found: {folder} (run from the repository root, or pass --catalog DIR)").format(folder=root))
    files = load_catalog_files(root, workers=workers, memo=memo)
    report = check_catalog_files(files, today=today)
    if report.errors:
        raise CatalogInvalid(report)
    procedures = []
    for path, loaded in files.procedures:
        rel = path.relative_to(root).as_posix()
        procedures.append(procedure_from_dict(loaded.data, agency=path.parent.name, path=rel))
    procedures.sort(key=lambda p: p.code)
    agencies = tuple(agency_from_dict(a) for a in files.agencies.data["agencies"]) if files.agencies else ()
    sectors = tuple(sector_from_dict(s) for s in files.sectors.data["sectors"]) if files.sectors else ()
    plans = tuple(plan_from_dict(p.data) for p in files.plans)
    basis = cost_basis_from_dict(files.cost_basis.data) if files.cost_basis else None
    totals = tuple(NationalTotal(**t) for t in files.coverage.data["national_totals"]) if files.coverage else ()
    return Catalog(procedures=tuple(procedures), agencies=agencies, sectors=sectors, plans=plans, cost_basis=basis,
                   national_totals=totals), report
