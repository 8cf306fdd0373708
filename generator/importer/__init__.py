"""``tthc import``: procedures from the National Public Service Portal into the catalog.

Two source formats, detected per file:

* the page crawl (``dvcqg-chatbot-tthc/records/<agency>/<code>.json``), parsed by
  :mod:`generator.importer.chatbot`; the publishing agency is the records folder;
* the portal API record (``get-formality-by-citizen``), parsed by
  :mod:`generator.importer.portal_api`; the publishing agency comes from
  ``departmentPromulgateCode`` / ``departmentPromulgateName``.

Spreadsheets (``.xlsx``, ``.csv``: the agency template of :mod:`generator.spreadsheet`
and the portal's list exports) are imported by :mod:`generator.importer.spreadsheet`.

Each procedure is written to ``<catalog>/procedures/<agency>/<code>.yaml`` by
:mod:`generator.importer.writer`. An existing file is never replaced unless
``overwrite`` is set. ``agencies.yaml`` and ``sectors.yaml`` are written when absent;
an existing one gets only the entries of new agencies and sectors appended to its
text, and is rewritten whole only with ``overwrite`` (see :func:`_write_references`);
``plans/qd-1085-ttg.yaml`` is written when absent.
"""

from __future__ import annotations

import re

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from generator.diagnostics import RULES, Diagnostic
from generator.errors import UsageError
from generator.i18n import N_, _ as translate
from generator.progress import Progress, no_progress
from generator.importer import chatbot, portal_api
from generator.importer.normalise import clean, slugify
from generator.importer.record import ImportedRecord, describe_value, wrong_types
from generator.importer.references import (
    PLAN_1085,
    build_agencies,
    build_sectors,
    most_frequent_result_agency,
    read_list_publishers,
    sector_id,
)
from generator.importer.writer import file_bytes, write_checked, write_yaml
from generator.load import LoadedFile


#: What ``tthc import --dry-run`` says after its summary ("written" counts what would be written).
DRY_RUN_NOTE = N_("tthc import: --dry-run: nothing was written; the files counted as written would be")

#: Field path of an importer warning, by the words it starts with (first match wins).
_FIELD_OF_WARNING = (
    ("legal basis", "legal_basis"), ("methods table cut", "methods"), ("methods table", "methods"),
    ("internal_scope", "internal_scope"), ("the source states several numbers of dossier sets", "dossier_sets"),
    ("API case", "cases"), ("case code", "cases"), ("result", "results"), ("related", "related"),
    ("unknown returningMethods", "returning_methods"), ("dossier", "documents"), ("document", "documents"),
    ("form file", "documents"), ("text after the dossier", "documents"), ("no sector", "sector"),
    ("several sectors", "sector"), ("no publishing decision", "publication.decision"),
    ("no level", "levels"), ("unknown level", "levels"), ("unknown formality", "formality_type"),
)


@dataclass
class Problem:
    """A record that could not be parsed fully, or could not be imported (``fatal``)."""

    file: str
    code: str
    reason: str
    fatal: bool = False
    #: the source field the problem is about, when known (a wrong-typed value: ``so_quyet_dinh``)
    path: str = ""

    def __str__(self) -> str:
        return self.diagnostic().format()

    @property
    def field(self) -> str:
        """The record's field the problem is about (``legal_basis``, ``methods.fees``...), or ``""``."""
        if self.path:
            return self.path
        reason = self.reason
        if re.match(r"(Trực tiếp|Trực tuyến|Dịch vụ bưu chính|online|postal|in_person): ", reason):
            return "methods.processing_time" if "processing time" in reason else "methods.fees"
        for start, path in _FIELD_OF_WARNING:
            if reason.startswith(start):
                return path
        return ""

    def diagnostic(self) -> Diagnostic:
        """The problem in the one diagnostic shape (file, rule code, field path, message, hint).

        Positions are 0:0 (the source is JSON read as a whole); the message starts
        with the procedure code.
        """
        if self.fatal:
            rule = "import-refused"
        elif re.search(r"\b(dropped|left out)\b", self.reason):
            rule = "import-dropped"
        elif "inferred" in self.reason:
            rule = "import-inferred"
        else:
            rule = "import-unsplit"
        return Diagnostic(self.file, 0, 0, "error" if self.fatal else "warning", rule, self.field,
                          f"{self.code or '-'}: {self.reason}", translate(RULES[rule][1]))


@dataclass
class ImportReport:
    """What an import did.

    Attributes:
        records: Every record read (written or not).
        written: Paths written.
        skipped: Paths left alone because they existed (no ``overwrite``).
        unchanged: Paths of ``overwrite`` left alone because they already hold the record.
        problems: Records with warnings, and files that could not be read at all (``fatal``).
        sector_merges: Spellings merged into one sector, for each merged sector.
        references: agencies.yaml / sectors.yaml written or appended to.
        diagnostics: Problems found in spreadsheets, at their sheet, row and column.
    """

    records: list[ImportedRecord] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)
    skipped: list[Path] = field(default_factory=list)
    unchanged: list[Path] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    sector_merges: list[list[str]] = field(default_factory=list)
    #: agencies.yaml / sectors.yaml written or appended to (not counted in ``written``).
    references: list[Path] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def failed(self) -> list[Problem]:
        """Files that could not be imported at all."""
        return [p for p in self.problems if p.fatal]


def _load_existing(path: Path, key: str, problems: list[Problem] | None = None) -> list[dict[str, Any]]:
    """Entries already in agencies.yaml / sectors.yaml (``[]`` if the file is absent).

    Read by the strict loader (``generator.load``), as ``tthc validate`` reads
    them, so ``code: 0123`` stays the text ``"0123"`` and ``name: yes`` stays
    ``"yes"``. A file that does not load gives a fatal problem in ``problems``.
    """
    from generator.load import load_file

    if not path.exists():
        return []
    loaded = load_file(path, key)
    errors = [d for d in loaded.diagnostics if d.severity == "error"]
    if errors and problems is not None:
        problems.append(Problem(str(path), "", f"cannot be read, left as it is: {errors[0].format()}", fatal=True))
    data = loaded.data if isinstance(loaded.data, dict) else {}
    entries = data.get(key) if isinstance(data.get(key), list) else []
    return [e for e in entries if isinstance(e, dict) and isinstance(e.get("id"), str)]


def _write_references(path: Path, key: str, entries: list[dict[str, Any]], existing: list[dict[str, Any]],
                      overwrite: bool, report: ImportReport) -> None:
    """Write agencies.yaml / sectors.yaml only as far as asked (issue 8, item 6).

    A missing file is written whole. An existing one is never rewritten
    without ``overwrite``: entries with new ids are appended to its text
    (comments and values kept, see :func:`~generator.importer.writer.append_entries`);
    new spellings or codes of entries it already has are left out. With
    ``overwrite`` a file whose entries changed is edited in place
    (:func:`~generator.importer.writer.file_bytes`: comments kept).
    """
    from generator.importer.writer import append_entries

    if not path.exists():
        write_yaml(path, {key: entries}, key)
        report.references.append(path)
        return
    if any(p.file == str(path) and p.fatal for p in report.problems):
        return
    if overwrite:
        if entries != existing:  # edited in place: comments and untouched entries stay (writer.file_bytes)
            write_checked(path, file_bytes(path, {key: entries}, key))
            report.references.append(path)
        return
    known = {e["id"] for e in existing}
    new = [e for e in entries if e.get("id") not in known]
    if not new:
        return
    why = append_entries(path, key, new, key)
    if why:
        report.problems.append(Problem(str(path), "", f"{why}: add {', '.join(e['id'] for e in new)} by hand, "
                                                      "or run again with --overwrite", fatal=True))
    else:
        report.references.append(path)


def collect_files(sources: list[Path]) -> list[Path]:
    """JSON files named by ``sources`` (folders are searched recursively), sorted, without repeats.

    Raises:
        UsageError: A source does not exist.
    """
    files: list[Path] = []
    for source in sources:
        if source.is_dir():
            files.extend(sorted(p for p in source.rglob("*.json") if p.is_file()))
        elif source.is_file():
            files.append(source)
        else:
            raise UsageError(f"no such file or folder: {source}")
    seen: dict[Path, None] = {}
    for path in files:
        seen.setdefault(path, None)
    return list(seen)


def _lists_dir(path: Path) -> Path | None:
    """The crawl's ``lists/`` folder: a sibling of the ``records/`` folder above ``path``."""
    for parent in path.resolve().parents:
        if parent.name == "records" and (parent.parent / "lists").is_dir():
            return parent.parent / "lists"
    return None


def read_sources(sources: list[Path], retrieved_api: str = "", known_publishers: dict[str, str] | None = None
                 ) -> tuple[list[ImportedRecord], list[Problem]]:
    """Parse every record of ``sources`` without writing anything.

    Args:
        sources: Files or folders of JSON records.
        retrieved_api: Date API records were fetched (``YYYY-MM-DD``), if known.
        known_publishers: Agency id by portal code (``G01`` -> ``bo-cong-an``), from agencies.yaml.

    Returns:
        The records parsed (page-crawl records first, each group in file order) and the problems found (warnings per
        record, and files that could not be read: bad JSON, unknown format, no code).
    """
    files = collect_files(sources)
    problems: list[Problem] = []
    loaded: list[tuple[Path, str, Any]] = []
    for path in files:
        try:
            data = json.loads(path.read_bytes().decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as err:
            problems.append(Problem(str(path), "", f"not readable as UTF-8 JSON: {err}", fatal=True))
            continue
        except RecursionError:
            problems.append(Problem(str(path), "", "not a procedure record: the JSON is nested too deeply", fatal=True))
            continue
        kind = "chatbot" if chatbot.looks_like(data) else "api" if portal_api.looks_like(data) else None
        if kind is not None:
            wrong = wrong_types(data, chatbot.SHAPE if kind == "chatbot" else portal_api.SHAPE)
            if wrong:
                code = data.get("ma_thu_tuc") if kind == "chatbot" else data.get("codeNotation") or data.get("code")
                for where, expected, value in wrong:
                    problems.append(Problem(
                        str(path), code if isinstance(code, str) else "",
                        f"cannot be imported: {where} holds {describe_value(value)} where the "
                        f"{'page crawl' if kind == 'chatbot' else 'portal API'} gives {expected}; "
                        f"correct the value in the source file (or remove it) and import again",
                        fatal=True, path=where))
                continue
            loaded.append((path, kind, data))
        else:
            problems.append(Problem(str(path), "", "not a procedure record of the page crawl or the portal API",
                                    fatal=True))
    names: dict[str, set[str]] = {}
    for _, kind, data in loaded:
        if kind == "chatbot":
            names.setdefault(clean(data.get("ten_thu_tuc")), set()).add(clean(data.get("ma_thu_tuc")))

    def code_by_name(name: str) -> str | None:
        codes = names.get(name, set())
        return next(iter(codes)) if len(codes) == 1 else None

    records: list[ImportedRecord] = []
    publishers = dict(known_publishers or {})
    # Page-crawl records first: their folders name the publishers whose portal
    # codes (from result codes) then identify the publisher of API records.
    ordered = [item for item in loaded if item[1] == "chatbot"] + [item for item in loaded if item[1] == "api"]
    for index, (path, kind, data) in enumerate(ordered):
        if kind == "api" and (index == 0 or ordered[index - 1][1] == "chatbot"):
            by_agency: dict[str, list[str]] = {}
            for record in records:
                by_agency.setdefault(record.agency, []).extend(
                    r.get("code", "") for r in record.data.get("results", []))
            for agency, codes in sorted(by_agency.items()):
                code = most_frequent_result_agency(codes)
                if code:
                    publishers.setdefault(code, agency)
        try:
            if kind == "chatbot":
                record = chatbot.parse_record(data, path.parent.name, str(path), sector_id, code_by_name)
            else:
                record = portal_api.parse_record(
                    data, str(path), sector_id,
                    lambda code, name: publishers.get(code) or slugify(name, 60) or "khong-ro", retrieved_api)
        except (ValueError, KeyError, TypeError, AttributeError) as err:
            code = clean(data.get("ma_thu_tuc") or data.get("codeNotation") or "")
            problems.append(Problem(str(path), code, f"cannot be imported: {err}", fatal=True))
            continue
        records.append(record)
        for warning in record.warnings:
            problems.append(Problem(str(path), record.code, warning))
    return records, problems


def _agency_problem(record: ImportedRecord, known_ids: set[str], existing: dict[str, Path], catalog: Path) -> str:
    """Why ``record`` cannot be filed under its publishing agency, or ``""``.

    The page crawl names the publisher only by its records folder
    (``records/bo-cong-an/``): a folder that is not an agency id, an agency
    whose name is known from nowhere, or a code already filed under another
    agency would leave an invalid catalog, so the record is refused instead.
    """
    if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", record.agency):
        return translate(N_("cannot tell the publishing agency: the folder '{agency}' is not an agency id; put page-crawl "
                 "records in a folder named after the agency id, e.g. records/bo-cong-an/")).format(agency=record.agency)
    if record.agency not in known_ids:
        return translate(N_("unknown publishing agency '{agency}': add it to agencies.yaml (id, name, level), or import it "
                 "together with the portal's lists/ folder that names it")).format(agency=record.agency)
    other = existing.get(record.code)
    if other is not None and other.parent.name != record.agency:
        return translate(N_("code {code} is already filed under {path}; a procedure's folder is its publishing agency and its "
                 "code never moves")).format(code=record.code, path=other.relative_to(catalog).as_posix())
    return ""


#: Top-level keys an importer writes (what the portal carries). On ``--overwrite`` every
#: other key of the existing file is kept: the review cycle's records
#: (``simplifications``, ``reviews``, ``amendments``, ``compliance_cost`` and any key
#: added for it later), so that recorded decisions survive a re-import.
IMPORTED_KEYS = frozenset({
    "code", "name", "description", "keywords", "kind", "internal_scope", "formality_type", "levels", "sector",
    "agencies", "receiving_address", "subjects", "steps", "methods", "documents", "document_notes", "dossier_sets",
    "cases", "requirements", "returning_methods", "online_service", "non_territorial", "interconnected", "results",
    "legal_basis", "related", "publication", "status", "source",
})


def kept_on_overwrite(path: Path) -> tuple[dict[str, Any], str]:
    """The fields of the existing file ``path`` that a re-import must keep, or a reason it cannot be read.

    Kept: every top-level key not in :data:`IMPORTED_KEYS`, and ``status`` with
    ``replaced_by`` when the procedure is no longer in force (the portal never says
    abolished or replaced; a recorded decision does). The file is read with the one
    strict loader (:mod:`generator.load`).

    Returns:
        ``(fields, "")``, or ``({}, reason)`` when the file has loading errors (it is
        then not overwritten, so nothing recorded is lost).
    """
    from generator.load import load_file

    loaded = load_file(path, "procedure")
    errors = [d for d in loaded.diagnostics if d.severity == "error"]
    if errors or not isinstance(loaded.data, dict):
        first = errors[0].format() if errors else "not a mapping"
        return {}, f"existing file {path} cannot be read ({first}); not overwritten, so nothing recorded in it is lost"
    data = loaded.data
    kept = {k: v for k, v in data.items() if k not in IMPORTED_KEYS}
    if data.get("status") not in (None, "in_force"):
        kept["status"] = data["status"]
        if "replaced_by" in data:
            kept["replaced_by"] = data["replaced_by"]
    return kept, ""


def import_sources(sources: list[Path], catalog: Path, overwrite: bool = False,
                   retrieved_api: str = "", dry_run: bool = False, progress: Progress = no_progress) -> ImportReport:
    """Import ``sources`` into ``catalog``.

    Args:
        sources: Files or folders of page-crawl and/or API JSON records; or spreadsheets (``.xlsx``, ``.csv``),
            imported by :func:`generator.importer.spreadsheet.import_spreadsheets`.
        catalog: The catalog folder (created if missing).
        overwrite: Replace existing procedure files, keeping the fields the portal does
            not carry (:func:`kept_on_overwrite`).
        retrieved_api: Date API records were fetched (``YYYY-MM-DD``), if known.
        dry_run: compute and check everything, write nothing (``written`` then
            lists the files that would be written).
        progress: Called with (records written or skipped, records to write) as the files are written.

    Returns:
        The :class:`ImportReport`. Every record is validated before it is
        written (:func:`refuse_invalid`): one that would fail ``tthc validate``
        is not written, its errors are in ``diagnostics`` and an
        ``import-refused`` problem names it.

    Raises:
        UsageError: A source does not exist.
    """
    spreadsheets = [s for s in sources if s.suffix.lower() in (".xlsx", ".csv")]
    if spreadsheets:  # the agency template or the portal's list export: generator/importer/spreadsheet.py
        if len(spreadsheets) < len(sources):
            raise UsageError("import spreadsheets (.xlsx, .csv) and JSON records in separate runs")
        from generator.importer.spreadsheet import import_spreadsheets

        done = import_spreadsheets(spreadsheets, catalog, overwrite, dry_run=dry_run)
        return ImportReport(records=done.records, written=done.written, skipped=done.skipped, unchanged=done.unchanged,
                            problems=[Problem(f, "", note) for f, note in done.notes]
                            + [Problem(f, c, translate(N_("not imported: see the errors above")), fatal=True) for f, c in done.refused],
                            diagnostics=done.diagnostics)
    agencies_path, sectors_path = catalog / "agencies.yaml", catalog / "sectors.yaml"
    reference_problems: list[Problem] = []
    existing_agencies = _load_existing(agencies_path, "agencies", reference_problems)
    existing_sectors = _load_existing(sectors_path, "sectors", reference_problems)
    known = {a["code"]: a["id"] for a in existing_agencies if isinstance(a.get("code"), str)}
    records, problems = read_sources(sources, retrieved_api, known)
    report = ImportReport(records=records, problems=reference_problems + problems)

    list_publishers: dict[str, Counter[str]] = {}
    for lists in sorted({d for r in records if (d := _lists_dir(Path(r.source_file)))}):
        list_publishers.update(read_list_publishers(lists))
    api_names = {r.agency: r.publisher for r in records if r.publisher}
    agencies = build_agencies(records, existing_agencies, list_publishers, api_names)
    sectors, merges = build_sectors(
        [r.sector_name for r in records if r.sector_name], existing_sectors,
        {sector_id(r.sector_name): r.sector_code for r in records if r.sector_code})
    report.sector_merges = merges

    known_ids = {a["id"] for a in agencies if a.get("name") and a.get("name") != a.get("id")}
    existing_paths = {p.stem: p for p in (catalog / "procedures").glob("*/*.yaml")}
    for record in list(records):
        reason = _agency_problem(record, known_ids, existing_paths, catalog)
        if reason:
            report.problems.append(Problem(record.source_file, record.code, reason, fatal=True))
            records.remove(record)
    agencies = [a for a in agencies if a["id"] in {r.agency for r in records} | {e["id"] for e in existing_agencies}]
    pending: list[tuple[ImportedRecord, Path, dict[str, Any]]] = []
    for done, record in enumerate(records, start=1):
        progress(done, len(records))
        path = catalog / "procedures" / record.agency / f"{record.code}.yaml"
        if path.exists() and not overwrite:
            report.skipped.append(path)
            continue
        data = record.data
        if path.exists():
            kept, reason = kept_on_overwrite(path)
            if reason:
                report.problems.append(Problem(record.source_file, record.code, reason, fatal=True))
                continue
            data = {**data, **kept}
        pending.append((record, path, data))
    last = {path: index for index, (_, path, _) in enumerate(pending)}  # one path twice: the later record is written
    pending = [item for index, item in enumerate(pending) if last[item[1]] == index]
    references = {key: _final_entries(path, key, entries, existing, overwrite)
                  for key, path, entries, existing in (("agencies", agencies_path, agencies, existing_agencies),
                                                       ("sectors", sectors_path, sectors, existing_sectors))}
    accepted = refuse_invalid(catalog, [(record.source_file, record.code, path, data) for record, path, data in pending],
                              references, report.diagnostics, report.problems)
    for index, raw in accepted.items():
        path = pending[index][1]
        if path.is_file() and path.read_bytes() == raw:  # the record is the file's: not rewritten
            report.unchanged.append(path)
            continue
        if not dry_run:
            write_checked(path, raw)
        report.written.append(path)
    refused = {id(pending[i][0]) for i in set(range(len(pending))) - set(accepted)}  # their agencies are not added
    records = [r for r in records if id(r) not in refused]
    agencies = [a for a in agencies if a["id"] in {r.agency for r in records} | {e["id"] for e in existing_agencies}]
    if records and not dry_run:
        _write_references(agencies_path, "agencies", agencies, existing_agencies, overwrite, report)
        _write_references(sectors_path, "sectors", sectors, existing_sectors, overwrite, report)
        plan = catalog / "plans" / "qd-1085-ttg.yaml"
        if not plan.exists():
            write_yaml(plan, PLAN_1085, "plan")
    return report


def _final_entries(path: Path, key: str, entries: list[dict[str, Any]], existing: list[dict[str, Any]],
                   overwrite: bool) -> list[dict[str, Any]]:
    """The entries agencies.yaml / sectors.yaml will hold after :func:`_write_references`."""
    if not path.exists() or overwrite:
        return entries
    known = {e["id"] for e in existing}
    return existing + [e for e in entries if e.get("id") not in known]


def refuse_invalid(catalog: Path, pending: list[tuple[str, str, Path, dict[str, Any]]],
                   references: dict[str, list[dict[str, Any]]], diagnostics: list[Diagnostic],
                   problems: list[Problem], located: dict[int, LoadedFile] | None = None) -> dict[int, bytes]:
    """Validate records before they are written; say why each invalid one is refused.

    Each record is dumped exactly as it would be written
    (:func:`~generator.importer.writer.file_bytes`: an existing file kept or
    updated in place, else a new one), read back by the strict loader and judged by
    :func:`generator.validate.check_pending` (schema and rules, as ``tthc
    validate`` would judge the file once written). The errors of a refused
    record go to ``diagnostics`` (positioned in the file it would have been,
    so they read as ``tthc validate`` would print them), and one
    ``import-refused`` problem names its source file.

    Args:
        catalog: the catalog folder.
        pending: ``(source file, code, path to write, record)`` for each record.
        references: ``{"agencies": entries, "sectors": entries}`` as they will be written.
        diagnostics: where the refused records' errors are added.
        problems: where the ``import-refused`` problems are added.
        located: for a record read from a spreadsheet, by index, the record as
            the spreadsheet importer placed it (its diagnostics then name the
            sheet and cell of the field); the loader's diagnostics of the YAML
            text still come first.

    Returns:
        ``index -> bytes`` of the records that may be written: the exact bytes
        checked, to write as they are (:func:`~generator.importer.writer.write_checked`).
    """
    from generator.importer.writer import file_bytes, yaml_bytes
    from generator.load import load_bytes
    from generator.validate import check_pending, display_path

    raws = [file_bytes(path, data, "procedure") for _, _, path, data in pending]
    loaded = [(path, load_bytes(raw, display_path(path), "procedure")) for raw, (_, _, path, _) in zip(raws, pending)]
    for index, placed in (located or {}).items():
        placed.diagnostics = list(loaded[index][1].diagnostics)
        loaded[index] = (loaded[index][0], placed)
    refs = {key: load_bytes(yaml_bytes(catalog / f"{key}.yaml", {key: entries}, key),
                            display_path(catalog / f"{key}.yaml"), key) for key, entries in references.items()}
    accepted: dict[int, bytes] = {}
    for index, found in enumerate(check_pending(catalog, loaded, refs)):
        errors = [d for d in found if d.severity == "error"]
        if not errors:
            accepted[index] = raws[index]
            continue
        source, code, path, _ = pending[index]
        diagnostics.extend(errors)
        problems.append(Problem(source, code, f"not imported: as {display_path(path)} it would fail tthc validate "
                                              f"({len(errors)} error(s) above, first: {errors[0].code})", fatal=True))
    return accepted
