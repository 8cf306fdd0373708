"""Validation: the JSON Schemas, then the rules the schemas cannot say.

``validate_catalog`` loads every file of a catalog (``generator.load``),
checks each against its schema (Draft 2020-12) and then applies the catalog
rules of DESIGN.md §3 "Beyond the schema", each with a stable code from
:data:`generator.diagnostics.RULES`. All problems of all files come back in
one :class:`~generator.diagnostics.Report`; nothing is raised for bad input.

Catalog layout::

    <root>/agencies.yaml, <root>/sectors.yaml, <root>/plans/*.yaml,
    <root>/procedures/<agency id>/<code>.yaml
"""

from __future__ import annotations

import datetime as dt
import difflib
import fnmatch
import os
import re
import stat
import time
from dataclasses import dataclass, field
from pathlib import Path
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any
from zoneinfo import ZoneInfo

import jsonschema

from generator.diagnostics import Diagnostic, Report
from generator.errors import UsageError
from generator.i18n import N_, _, ngettext
from generator.progress import Progress, no_progress
from generator.load import DataPath, LoadedFile, load_bytes, load_file, load_schema
from generator.parallel import ordered_map

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")

#: Number of a legal document: ``number/year/KIND-ISSUER`` for normative
#: documents (Law 80/2015/QH13 Art. 8) and ``number/KIND-ISSUER`` for
#: decisions and other administrative documents (Decree 30/2020/NĐ-CP, Annex I).
#: Government resolutions of a series carry a decimal number (``66.7/2025/NQ-CP``).
LEGAL_NUMBER = re.compile(r"^[0-9]+(?:\.[0-9]+)?[a-z]?/(?:[0-9]{4}/)?[A-ZĐ][A-Za-zĐđ0-9]*(?:-[A-ZĐ0-9][A-Za-zĐđ0-9]*)*$")
#: The catalog's basis for compliance costs (Circular 02/2017/TT-VPCP Art. 27(3)).
COST_BASIS_FILE = "cost-basis.yaml"
#: National totals the catalog is measured against (home page).
COVERAGE_FILE = "coverage.yaml"
_SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
#: The name ``tthc new`` writes until the editor gives one (generator/scaffold.py), and the stand-ins
#: people type for a name not known yet; compared casefolded, spaces collapsed.
PLACEHOLDER_NAME = "(ghi tên thủ tục)"
_PLACEHOLDER_NAMES = frozenset({PLACEHOLDER_NAME, "tên thủ tục", "todo", "tbd", "fixme", "...", "…", "xxx"})
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")

_TYPE_WORDS = {
    "string": N_("text"), "integer": N_("a whole number"), "number": N_("a number"), "boolean": N_("true or false"),
    "array": N_("a list"), "object": N_("a group of fields (key: value lines)"), "null": N_("nothing"),
}
_TYPE_HINTS = {
    "string": N_("quote the value"),
    "integer": N_("write a whole number without quotes, dots or spaces, e.g. 150000"),
    "number": N_("write a number without quotes, e.g. 15 or 0.5"),
    "boolean": N_("write true or false"),
    "array": N_("write a list, one '- item' per line"),
    "object": N_("write the fields indented under this key"),
}


@dataclass
class CatalogFiles:
    """The loaded files of one catalog, by kind."""

    root: Path
    agencies: LoadedFile | None = None
    sectors: LoadedFile | None = None
    plans: list[LoadedFile] = field(default_factory=list)
    cost_basis: LoadedFile | None = None
    coverage: LoadedFile | None = None
    procedures: list[tuple[Path, LoadedFile]] = field(default_factory=list)
    links: list[Diagnostic] = field(default_factory=list)
    #: Schema diagnostics already found by the per-file stage, by :attr:`LoadedFile.display`.
    schema: dict[str, list[Diagnostic]] = field(default_factory=dict)

    def all(self) -> Iterator[LoadedFile]:
        for single in (self.agencies, self.sectors):
            if single is not None:
                yield single
        yield from self.plans
        for single in (self.cost_basis, self.coverage):
            if single is not None:
                yield single
        for _path, loaded in self.procedures:
            yield loaded


def display_path(path: Path) -> str:
    """The path as shown to users: relative to the working directory when inside it."""
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return path.as_posix()
    return Path(rel).as_posix() if not rel.startswith("..") else path.as_posix()


#: Files already loaded, by display name: ``display -> (bytes, LoadedFile)``. A file
#: whose bytes are the same is not loaded again (``tthc check-change`` loads two sides).
Known = Mapping[str, "tuple[bytes, LoadedFile]"]


#: A file modified less than this many seconds before it is loaded is not kept in a :data:`LoadMemo`.
RACY_SECONDS = 2

#: Procedure files loaded by an earlier run of the same process or build cache, by
#: :func:`file_stamp`: ``stamp -> (LoadedFile, schema diagnostics)``.
LoadMemo = dict


def file_stamp(path: Path, display: str) -> tuple | None:
    """What identifies the content of the regular file ``path`` without reading it: its name
    in diagnostics, device, inode, size, modification and change times (nanoseconds), as
    make and rsync trust them; ``None`` for anything but a regular file (never reused)."""
    try:
        st = os.stat(path, follow_symlinks=False)
    except OSError:
        return None
    if not stat.S_ISREG(st.st_mode):
        return None
    return (display, st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def load_catalog_files(root: Path, display: Callable[[Path], str] = display_path, known: Known | None = None,
                       progress: Progress = no_progress, workers: int | None = None,
                       memo: LoadMemo | None = None) -> CatalogFiles:
    """Strictly load every file of the catalog at ``root`` and check each procedure file against its schema.

    The procedure files, each on its own, are loaded and schema-checked in worker processes
    (:func:`generator.parallel.ordered_map`: ``TTHC_WORKERS`` or ``workers``, ``1`` for none;
    a catalog of fewer than :data:`PARALLEL_FROM` procedures stays in this process). The
    result is the same, in the same order, however many workers ran. The rules across files
    (:func:`check_catalog_files`) run afterwards, in this process.

    Args:
        root: the catalog folder.
        display: how a file is named in diagnostics (default: relative to the
            working directory when inside it).
        known: files loaded before (e.g. the same catalog at another commit),
            reused where name and bytes are the same (then loaded in this process).
        progress: called as ``progress(done, total)`` per procedure file.
        workers: processes for the per-file stage (None: ``TTHC_WORKERS`` or the CPU count).
        memo: procedure files loaded before (:data:`LoadMemo`, e.g. by the previous build of
            the site): a file whose :func:`file_stamp` is there is not read again; the memo
            is updated to hold the files loaded now, but those modified in the last
            :data:`RACY_SECONDS` (their stamp may not change with their next edit).

    Raises:
        UsageError: ``TTHC_WORKERS`` is not a number of at least 1.
    """
    def load(path: Path, kind: str) -> LoadedFile:
        name = display(path)
        if known is not None and name in known and path.is_file():
            try:
                raw = path.read_bytes()
            except OSError:
                return load_file(path, kind, name)
            same = known[name]
            return same[1] if same[0] == raw and same[1].kind == kind else load_bytes(raw, name, kind)
        return load_file(path, kind, name)

    files = CatalogFiles(root)
    for name, kind in (("agencies.yaml", "agencies"), ("sectors.yaml", "sectors")):
        path = root / name
        if path.exists():
            setattr(files, kind, load(path, kind))
    files.plans = [load(p, "plan") for p in sorted((root / "plans").glob("*.y*ml"))]
    for name, kind, attr in ((COST_BASIS_FILE, "cost-basis", "cost_basis"), (COVERAGE_FILE, "coverage", "coverage")):
        path = root / name
        if path.exists():
            setattr(files, attr, load(path, kind))
    proc_dir = root / "procedures"
    paths = []
    for path in _yaml_files(proc_dir):
        if path.is_symlink():
            files.links.append(_link_diagnostic(display(path)))
            continue
        paths.append(path)
    if known is not None:  # tthc check-change: the other side's loads are reused, in this process
        for done, path in enumerate(paths, start=1):
            progress(done, len(paths))
            files.procedures.append((path, load(path, "procedure")))
        return files
    jobs = [(str(path), display(path)) for path in paths]
    stamps = [file_stamp(path, name) for path, (_, name) in zip(paths, jobs)] if memo is not None else []
    reused = {i: memo[stamp] for i, stamp in enumerate(stamps) if stamp is not None and stamp in memo}
    todo = [i for i in range(len(jobs)) if i not in reused]
    if len(todo) >= PARALLEL_FROM:
        _validator("procedure")  # compiled once here: forked workers inherit it
    loaded_now = ordered_map(_load_procedure, [jobs[i] for i in todo], workers=workers, serial_below=PARALLEL_FROM)
    results = dict(reused)
    results.update(zip(todo, loaded_now))
    if memo is not None:  # a file changed in the last RACY_SECONDS may change again within one clock tick,
        # same size, same times (git's "racy" index entries): it is not kept, so it is read next time too
        recent = time.time_ns() - RACY_SECONDS * 1_000_000_000
        memo.clear()
        memo.update((stamp, results[i]) for i, stamp in enumerate(stamps)
                    if stamp is not None and stamp[4] < recent)
    for done, (path, (loaded, schema)) in enumerate(zip(paths, (results[i] for i in range(len(jobs)))), start=1):
        progress(done, len(paths))
        files.procedures.append((path, loaded))
        if schema is not None:
            files.schema[loaded.display] = schema
    return files


#: From this many procedure files on, they are loaded in worker processes (below, a pool costs
#: more than it saves: the bundled catalog's 1,523 files take about 1 s of CPU in all).
PARALLEL_FROM = 200


def _load_procedure(job: tuple[str, str]) -> tuple[LoadedFile, list[Diagnostic] | None]:
    """The per-file stage of one procedure file: load it, check it against the schema.

    The file is loaded light (:meth:`LoadedFile.without_positions`): its position tables are
    most of what would be sent between processes, and only a diagnostic needs them (they are
    then made again from the file's bytes, for that file only).
    """
    path, display = job
    loaded = load_file(Path(path), "procedure", display, light=True)
    return loaded, (schema_diagnostics(loaded) if loaded.data is not None else None)


def load_catalog_blobs(root: Path, blobs: Mapping[str, bytes], links: Iterable[str] = (),
                       display: Callable[[str], str] | None = None, known: Known | None = None) -> CatalogFiles:
    """Strictly load a catalog given as file contents, e.g. a commit's tree (no validation yet).

    The same files as :func:`load_catalog_files` finds on disk, read by the
    same loader, so :func:`check_catalog_files` judges a commit exactly as
    ``tthc validate`` judges the working tree (``tthc check-change``).

    Args:
        root: the catalog folder the paths are relative to (it need not exist).
        blobs: ``path relative to the catalog folder (forward slashes) -> bytes``
            (see :func:`generator.history.read_catalog_tree`); other names are ignored.
        links: paths (same form) that are symbolic links: ``symlink`` errors.
        display: how a path is named in diagnostics (default: ``root/path``).
        known: as for :func:`load_catalog_files`.
    """
    name_of = display or (lambda rel: (root / rel).as_posix())

    def load(rel: str, kind: str) -> LoadedFile:
        name, raw = name_of(rel), blobs[rel]
        same = known.get(name) if known is not None else None
        return same[1] if same is not None and same[0] == raw and same[1].kind == kind else load_bytes(raw, name, kind)

    files = CatalogFiles(root)
    singles = {"agencies.yaml": ("agencies", "agencies"), "sectors.yaml": ("sectors", "sectors"),
               COST_BASIS_FILE: ("cost-basis", "cost_basis"), COVERAGE_FILE: ("coverage", "coverage")}
    for rel in sorted(blobs):
        parts = rel.split("/")
        if rel in singles:
            kind, attr = singles[rel]
            setattr(files, attr, load(rel, kind))
        elif len(parts) == 2 and parts[0] == "plans" and fnmatch.fnmatchcase(parts[1], "*.y*ml"):
            files.plans.append(load(rel, "plan"))
        elif len(parts) >= 2 and parts[0] == "procedures" and Path(rel).suffix.lower() in (".yaml", ".yml"):
            files.procedures.append((root / rel, load(rel, "procedure")))
    files.links = [_link_diagnostic(name_of(rel)) for rel in sorted(links) if rel.startswith("procedures/")]
    return files


def _link_diagnostic(display: str) -> Diagnostic:
    return Diagnostic(display, 0, 0, "error", "symlink", "",
                      _("this is a symbolic link; tthc does not follow links in the catalog (the procedures behind it "
                        "would be neither checked nor published)"),
                      _("replace the link with the file or folder itself"))

def _yaml_files(folder: Path) -> list[Path]:
    """Every ``*.yaml``/``*.yml`` entry (any case) below ``folder``, and every link to a folder, sorted,
    without following links."""
    found = []
    for top, dirs, names in os.walk(folder):
        dirs.sort()
        found += [Path(top) / n for n in names if Path(n).suffix.lower() in (".yaml", ".yml")]
        found += [Path(top) / d for d in dirs if (Path(top) / d).is_symlink()]
    return sorted(found)


def validate_catalog(root: Path, only: list[Path] | None = None, today: dt.date | None = None,
                     progress: Progress = no_progress, workers: int | None = None) -> Report:
    """Validate the catalog at ``root``: all problems of all files in one report.

    Args:
        root: the catalog folder.
        only: if given, report only on these files or folders (references and
            uniqueness are still checked against the whole catalog).
        today: the date against which "not in the future" is judged
            (default: today in Asia/Ho_Chi_Minh).
        progress: called with (files loaded, files in the catalog) as loading goes on.
        workers: processes for the per-file stage (default ``$TTHC_WORKERS``, else
            the CPU count; ``1`` runs in this process); the report is the same.

    Returns:
        The report of every problem found.

    Raises:
        UsageError: the catalog folder is missing, a path of ``only`` does
            not exist or is outside the catalog, or ``TTHC_WORKERS`` is not a number.
    """
    if not root.is_dir():
        raise UsageError(_("catalog folder not found: {folder} (run from the repository root, or pass --catalog DIR)").format(folder=display_path(root)))
    wanted = [_wanted(p, root) for p in only or []]
    files = load_catalog_files(root, progress=progress, workers=workers)
    report = check_catalog_files(files, today=today)
    if only:
        def keep(d: Diagnostic) -> bool:
            target = Path(d.file).parent.resolve() / Path(d.file).name
            return any(target == w or w in target.parents for w in wanted)
        # checks-skipped stays: the files asked for were not fully checked, so they must not pass as valid
        report.diagnostics = [d for d in report.diagnostics if keep(d) or d.code == "checks-skipped"]
        report.files_checked = sum(1 for f in files.all() if keep(Diagnostic(f.display, 0, 0, "error", "syntax", "", "")))
    return report


def _wanted(path: Path, root: Path) -> Path:
    """A PATH argument of ``tthc validate``, resolved; it must exist inside the catalog."""
    if not path.exists() and not path.is_symlink():
        raise UsageError(_("no such file or folder: {path}").format(path=path))
    resolved = path.parent.resolve() / path.name if path.is_symlink() else path.resolve()
    catalog = root.resolve()
    if resolved != catalog and catalog not in resolved.parents:
        raise UsageError(_("{path} is not inside the catalog folder {folder} (pass --catalog DIR to check another catalog)").format(path=path, folder=display_path(root)))
    return resolved


def check_catalog_files(files: CatalogFiles, today: dt.date | None = None) -> Report:
    """Schema and rule checks of already loaded files."""
    today = today or dt.datetime.now(VIETNAM).date()
    report = Report(files_checked=sum(1 for _ in files.all()))
    report.extend(files.links)
    for loaded in files.all():
        report.extend(loaded.diagnostics)
        if loaded.data is not None:
            checked = files.schema.get(loaded.display)
            report.extend(checked if checked is not None else schema_diagnostics(loaded))
    for name, single in (("agencies.yaml", files.agencies), ("sectors.yaml", files.sectors)):
        if single is None:
            report.add(Diagnostic(display_path(files.root / name), 0, 0, "error", "missing-file", "", _("{name} is missing from the catalog").format(name=name), _("create {name}; see the JSON Schema on the site's open-data page").format(name=name)))
    agency_ids = _ids(files.agencies, "agencies")
    sector_ids = _ids(files.sectors, "sectors")
    known_agencies = agency_ids if _loads(files.agencies, "agencies") else None
    known_sectors = sector_ids if _loads(files.sectors, "sectors") else None
    report.extend(_check_reference_list(files.agencies, "agencies", "duplicate-agency", agency_ids))
    report.extend(_check_reference_list(files.sectors, "sectors", "duplicate-sector", agency_ids))
    plan_ids: dict[str, LoadedFile] = {}
    for plan in files.plans:
        if isinstance(plan.data, dict):
            targets = plan.data.get("targets") if isinstance(plan.data.get("targets"), list) else []
            paths: list[DataPath] = [("date",), ("period", "start"), ("period", "end")]
            for i, target in enumerate(targets):
                paths.append(("targets", i, "deadline"))
                milestones = target.get("milestones") if isinstance(target, dict) and isinstance(target.get("milestones"), list) else []
                paths += [("targets", i, "milestones", j, "date") for j in range(len(milestones))]
            report.extend(_check_dates(plan, paths, today, future_ok=True))
            plan_id = plan.data.get("id")
            if isinstance(plan_id, str):
                if plan_id in plan_ids:
                    report.add(plan.diagnostic("error", "duplicate-plan", ("id",), _("plan id '{id}' is also used by {file}").format(id=plan_id, file=plan_ids[plan_id].display),
                                               _("give each plan its own id, or keep one of the two files")))
                else:
                    plan_ids[plan_id] = plan
    if files.coverage is not None and isinstance(files.coverage.data, dict):
        totals = files.coverage.data.get("national_totals") if isinstance(files.coverage.data.get("national_totals"), list) else []
        report.extend(_check_dates(files.coverage, [("national_totals", i, "as_of") for i in range(len(totals))], today))
    codes = _codes(files)
    checked = 0
    for path, loaded in files.procedures:
        if isinstance(loaded.data, dict):
            checked += 1
            report.extend(check_procedure(loaded, path, files.root, known_agencies, known_sectors, codes, today))
    for name, single, known, rules in (("agencies.yaml", files.agencies, known_agencies, "agency-folder, unknown-agency"),
                                       ("sectors.yaml", files.sectors, known_sectors, "unknown-sector")):
        if known is None and checked:  # its own error is reported once; not one more per procedure
            first = min((d for d in single.diagnostics if d.severity == "error"), default=None) if single else None
            line, column = (first.line, first.column) if first is not None else (0, 0)  # where it could not be read
            report.add(Diagnostic(display_path(files.root / name), line, column, "error", "checks-skipped", "", ngettext(
                "{name} could not be read, so its checks ({rules}) were skipped for {count} procedure file",
                "{name} could not be read, so its checks ({rules}) were skipped for {count} procedure files",
                checked).format(name=name, rules=rules, count=f"{checked:,}"),
                _("fix {name} first (its error is listed with it), then validate again").format(name=name)))
    return report


def _loads(loaded: LoadedFile | None, key: str) -> bool:
    """Whether agencies.yaml or sectors.yaml (``key``: ``"agencies"``/``"sectors"``) was read into a list of
    entries: not missing, empty, unparsable or without its list, so that checking ids against it means something."""
    return loaded is not None and isinstance(loaded.data, dict) and isinstance(loaded.data.get(key), list)


def did_you_mean(value: str, choices: list[str], otherwise: str, also: bool = False) -> str:
    """The hint for a key, value or id that is not one of ``choices``: the closest (difflib's ratio of at
    least 0.6; of equals, the first in ``choices``), as "did you mean 'X'?", else ``otherwise``.

    ``also``: give ``otherwise`` after the suggestion too (agency ids: ``so-xay-dung`` is closest to
    ``bo-xay-dung``, the ministry, when the province's department is simply not listed yet)."""
    close = difflib.get_close_matches(value, choices, n=1)
    if not close:
        return otherwise
    if also:
        return _("did you mean '{value}'? If not: {otherwise}").format(value=close[0], otherwise=otherwise)
    return _("did you mean '{value}'?").format(value=close[0])


# ---------------------------------------------------------------------------
# Schema


@dataclass(frozen=True)
class _SchemaContext:
    validator: jsonschema.protocols.Validator
    schema: dict[str, Any]
    is_valid: Callable[[Any], bool]


_VALIDATORS: dict[str, _SchemaContext] = {}


def _validator(kind: str) -> _SchemaContext:
    """The checkers of a file kind, made once per process."""
    if kind not in _VALIDATORS:
        schema = load_schema(kind)
        inlined = _inline_refs(schema, schema)
        _VALIDATORS[kind] = _SchemaContext(jsonschema.Draft202012Validator(inlined), schema, _fast_check(inlined))
    return _VALIDATORS[kind]


def _fast_check(inlined: dict[str, Any]) -> Callable[[Any], bool]:
    """A yes/no check of a whole file, about 15 times faster than :mod:`jsonschema`'s walk.

    fastjsonschema compiles the schema to Python code. It knows Drafts 4-7, so it is given the
    Draft 7 translation of the (inlined) Draft 2020-12 schema, :func:`generator.schema_draft7.to_draft7`,
    the one the editors' copies are made with: ``dependentRequired`` and ``dependentSchemas``
    become ``dependencies``, ``prefixItems`` becomes ``items``/``additionalItems``, and a keyword
    Draft 7 has no equivalent for (``unevaluatedProperties``, ``minContains``...) raises, so the
    fast check is then left out (every file goes through jsonschema) rather than compiled
    without it: fastjsonschema ignores a keyword it does not know, and would say "yes" to a file
    that breaks it. It is never less strict than jsonschema (its ``$`` in a pattern is the end
    of the text, not also before a final line break), and only its "yes" is trusted: a file it
    refuses goes through jsonschema, which writes the errors. ``tests/test_validate_parallel.py``
    checks that "yes" never hides a jsonschema error.

    Returns:
        ``is_valid(data) -> bool``; always ``False`` when the schema has no Draft 7 translation.
    """
    import fastjsonschema

    from generator.schema_draft7 import to_draft7

    try:
        check = fastjsonschema.compile(to_draft7(inlined), use_default=False, use_formats=False)
    except ValueError:  # to_draft7's untranslatable keyword, or fastjsonschema's JsonSchemaDefinitionException
        return lambda data: False

    def is_valid(data: Any) -> bool:
        try:
            check(data)
        except Exception:  # noqa: BLE001 - any doubt goes to jsonschema, which reports it
            return False
        return True

    return is_valid


def _inline_refs(node: Any, root: dict[str, Any]) -> Any:
    """A copy of a (non-recursive) schema with every local ``$ref`` replaced by its target.

    The validator then never resolves references, which makes checking the
    catalog about twice as fast; errors and their paths are unchanged.
    """
    if isinstance(node, list):
        return [_inline_refs(item, root) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        target: Any = root
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target[part]
        return {**_inline_refs(target, root), **{k: _inline_refs(v, root) for k, v in node.items() if k != "$ref"}}
    return {k: _inline_refs(v, root) for k, v in node.items() if k != "$defs"}


def subschema(schema: dict[str, Any], path: DataPath) -> dict[str, Any] | None:
    """The (resolved) schema of the value at ``path``, or ``None`` when unknown."""
    from generator.load import _resolve

    node: dict[str, Any] | None = _resolve(schema, schema)
    for part in path:
        if node is None:
            return None
        node = node.get("items") if isinstance(part, int) else node.get("properties", {}).get(part)
        node = _resolve(node, schema)
    return node


def field_title(kind: str, path: DataPath) -> str:
    """The Vietnamese label (schema ``title``) of the field at ``path``; ``""`` if none."""
    node = subschema(load_schema(kind), path)
    return str(node.get("title", "")) if node else ""


def schema_diagnostics(loaded: LoadedFile) -> list[Diagnostic]:
    """Check one loaded file against the schema of its kind.

    A value the loader already refused (e.g. ``number-range``: kept as its
    text) gets no second, schema error at the same path.
    """
    context = _validator(loaded.kind)
    if context.is_valid(loaded.data):
        return []
    refused = {(d.line, d.column, d.path) for d in loaded.diagnostics if d.code == "number-range"}
    out: dict[Diagnostic, None] = {}  # ordered and without repeats (one 'required' error names them all)
    for error in context.validator.iter_errors(loaded.data):
        out.update(dict.fromkeys(d for d in _schema_error(loaded, context.schema, error)
                                 if (d.line, d.column, d.path) not in refused))
    return list(out)


def _describe(value: Any) -> str:
    if value is None:
        return _("nothing (the value is empty)")
    if isinstance(value, bool):
        return _("{value} (yes/no)").format(value=str(value).lower())
    if isinstance(value, (int, float)):
        return _("the number {value}").format(value=value)
    if isinstance(value, str):
        return _('the text "{text}"').format(text=value[:60])
    if isinstance(value, list):
        return _("a list")
    return _("a group of fields")


def _label(schema: dict[str, Any], path: DataPath) -> str:
    node = subschema(schema, path)
    title = node.get("title") if node else None
    return f" ({title})" if title else ""


def _schema_error(loaded: LoadedFile, schema: dict[str, Any], error: jsonschema.ValidationError) -> list[Diagnostic]:
    path: DataPath = tuple(error.absolute_path)
    kind = error.validator
    name = path[-1] if path and isinstance(path[-1], str) else ""
    money = isinstance(name, str) and name.endswith("_vnd")
    if kind == "required":
        missing = [p for p in error.validator_value if isinstance(error.instance, dict) and p not in error.instance]
        return [
            loaded.diagnostic("error", "schema-required", path + (p,), _("required field '{field}'{label} is missing").format(field=p, label=_label(schema, path + (p,))),
                              _("add '{field}:' to this record").format(field=p))
            for p in missing
        ]
    if kind == "additionalProperties":
        node = subschema(schema, path) or {}
        allowed = sorted(node.get("properties", {}))
        out = []
        for key in error.instance:
            if key in allowed:
                continue
            hint = did_you_mean(str(key), allowed, _("remove it; allowed here: {allowed}").format(allowed=", ".join(allowed)))
            if key == "hourly_cost_vnd":
                hint = _("remove it: the value of one hour of work is set once for the catalog, in cost-basis.yaml "
                         "(hourly_value_vnd), with its source")
            out.append(loaded.diagnostic("error", "schema-unknown-key", path + (key,), _("unknown field '{field}'").format(field=key),
                                         hint, key=True))
        return out
    label = _label(schema, path)
    if kind == "type":
        expected = error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
        words = _(" or ").join(_(_TYPE_WORDS[t]) if t in _TYPE_WORDS else t for t in expected)
        code = "amount-vnd" if money else "schema-type"
        hint = (_("write the amount in whole đồng, without quotes, dots or spaces: 150000") if money
                else _(_TYPE_HINTS[expected[0]]) if expected[0] in _TYPE_HINTS else "")
        if _quoted_but_well_formed(error.instance, expected[0]):
            hint = _("remove the quotes around {value}").format(value=error.instance)
        if not path and expected[0] == "object":  # the file itself is a list or a text: no key to indent under
            hint = _("write the record as key: value lines at the start of the line (code: …, name: …), not a list or a text")
        if error.instance is None:
            return [loaded.diagnostic("error", "schema-required", path, _("the value{label} is empty").format(label=label),
                                      _("write {words} here, or remove the key").format(words=words))]
        return [loaded.diagnostic("error", code, path, _("expected {words}{label}, got {value}").format(
            words=words, label=label, value=_describe(error.instance)), hint)]
    if kind == "enum":
        allowed = [str(v) for v in error.validator_value]
        hint = did_you_mean(str(error.instance), allowed, _("use one of: {allowed}").format(allowed=", ".join(allowed)))
        return [loaded.diagnostic("error", "schema-enum", path, _("'{value}' is not an allowed value{label}; allowed: {allowed}").format(
            value=error.instance, label=label, allowed=", ".join(allowed)), hint)]
    if kind == "pattern":
        return [_pattern_error(loaded, path, error, label)]
    if kind == "minLength":
        return [loaded.diagnostic("error", "schema-required", path, _("the text{label} is empty").format(label=label),
                                  _("write the text, or remove the key"))]
    if kind in ("minimum", "exclusiveMinimum", "maximum"):
        return [loaded.diagnostic("error", "amount-vnd" if money else "schema-format", path,
                                  _("{value} is out of range{label}: {bound}").format(value=error.instance, label=label,
                                                                                       bound=_bound(kind, error.validator_value)),
                                  (_("amounts are whole, non-negative đồng, at most 1.000 tỷ (1000000000000)") if kind == "maximum"
                                   else _("amounts are whole, non-negative đồng")) if money
                                  else _("write a value in the allowed range"))]
    if kind == "minItems":
        return [loaded.diagnostic("error", "schema-required", path, _("the list{label} is empty; it needs at least {count} item(s)").format(
            label=label, count=error.validator_value), _("add an item"))]
    if kind == "uniqueItems":
        return [loaded.diagnostic("error", "schema-format", path, _("the list{label} repeats an item").format(label=label), _("remove the repeated item"))]
    if kind == "dependentRequired":
        present = next((k for k in error.validator_value if isinstance(error.instance, dict) and k in error.instance), "")
        needed = [k for k in error.validator_value.get(present, []) if k not in error.instance] if present else []
        return [loaded.diagnostic("error", "schema-required", path, _("'{field}' is given without {needed}{label}").format(
            field=present, needed=", ".join(repr(k) for k in needed), label=label),
                                  _("give both value and unit, e.g. {{value: 15, unit: working_days}}").format())]
    return [loaded.diagnostic("error", "schema", path, error.message, "")]


def _bound(kind: str, bound: Any) -> str:
    """jsonschema's words for a number out of range (``minimum``, ``exclusiveMinimum``, ``maximum``), translated."""
    words = {"minimum": _("less than the minimum of {bound}"), "maximum": _("greater than the maximum of {bound}")}
    return words.get(kind, _("less than or equal to the minimum of {bound}")).format(bound=bound)


def _quoted_but_well_formed(value: Any, expected: str) -> bool:
    """True for text that would be ``expected`` without its quotes (``"150000"`` for an integer)."""
    if not isinstance(value, str):
        return False
    if expected == "integer":
        return bool(re.fullmatch(r"[-+]?[0-9]+", value))
    if expected == "number":
        return bool(re.fullmatch(r"[-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?", value))
    return expected == "boolean" and value in ("true", "false")


def _pattern_error(loaded: LoadedFile, path: DataPath, error: jsonschema.ValidationError, label: str) -> Diagnostic:
    pattern = error.validator_value
    value = error.instance
    if pattern == r"^[0-9]\.[0-9]{6}$":
        return loaded.diagnostic("error", "code-format", path, _('"{value}" is not a procedure code{label}; a code is one digit, a dot and six digits').format(value=value, label=label),
                                 _('write it in quotes, e.g. code: "1.000178"'))
    if pattern == _DATE.pattern:
        return loaded.diagnostic("error", "date-invalid", path, _('"{value}" is not a date{label} in the form YYYY-MM-DD').format(value=value, label=label),
                                 _("write the date as YYYY-MM-DD, e.g. 2025-07-01"))
    if pattern == r"\S":
        return loaded.diagnostic("error", "schema-required", path, _("the text{label} is blank").format(label=label),
                                 _("write the text, or remove the key"))
    if pattern == _SLUG.pattern:
        return loaded.diagnostic("error", "schema-format", path, _('"{value}" is not a valid id{label}').format(value=value, label=label),
                                 _("use lowercase letters without accents, digits and hyphens, e.g. bo-xay-dung"))
    if pattern == "^https?://":
        shown = value if len(str(value)) <= 80 else str(value)[:77] + "..."
        return loaded.diagnostic("error", "schema-format", path, _('"{value}" is not a web link{label}: only http:// and https:// links are allowed').format(value=shown, label=label),
                                 _("write the full address of the page, starting with https:// (javascript:, data: and file: links "
                                   "are never published)"))
    if len(path) >= 2 and path[-2] == "maintainers":  # agencies.yaml (generator/ownership.py)
        return loaded.diagnostic("error", "schema-format", path, _('"{value}" is not a GitHub or GitLab handle, team or e-mail{label}').format(value=value, label=label),
                                 _('write @user, @organisation/team or an e-mail address, e.g. "@nguyen-van-a"'))
    return loaded.diagnostic("error", "schema-format", path, _('"{value}" does not have the expected form{label} (pattern {pattern})').format(value=value, label=label, pattern=pattern),
                             _("see the example in the field's description"))


# ---------------------------------------------------------------------------
# Rules beyond the schema (DESIGN.md §3)


def _ids(loaded: LoadedFile | None, key: str) -> set[str]:
    if loaded is None or not isinstance(loaded.data, dict):
        return set()
    return {item["id"] for item in loaded.data.get(key) or [] if isinstance(item, dict) and isinstance(item.get("id"), str)}


def _codes(files: CatalogFiles) -> dict[str, list[LoadedFile]]:
    codes: dict[str, list[LoadedFile]] = {}
    for _path, loaded in files.procedures:
        if isinstance(loaded.data, dict) and isinstance(loaded.data.get("code"), str):
            codes.setdefault(loaded.data["code"], []).append(loaded)
    return codes


def _norm_name(text: str) -> str:
    return re.sub(r"[\W_]+", " ", text.casefold()).strip()


def _check_reference_list(loaded: LoadedFile | None, key: str, code: str, agency_ids: set[str]) -> list[Diagnostic]:
    if loaded is None or not isinstance(loaded.data, dict):
        return []
    out = []
    seen_ids: dict[str, int] = {}
    seen_names: dict[str, int] = {}
    for index, item in enumerate(loaded.data.get(key) or []):
        if not isinstance(item, dict):
            continue
        item_id = item.get("id")
        if isinstance(item_id, str):
            if item_id in seen_ids:
                line = loaded.position((key, seen_ids[item_id], "id"))[0]
                out.append(loaded.diagnostic("error", code, (key, index, "id"), _("id '{id}' is listed twice (first on line {line})").format(id=item_id, line=line), _("keep one entry")))
            else:
                seen_ids[item_id] = index
        if key == "sectors":
            for name_path, name in [((key, index, "name"), item.get("name"))] + [((key, index, "variants", j), v) for j, v in enumerate(item.get("variants") or [])]:
                if not isinstance(name, str):
                    continue
                norm = _norm_name(name)
                if norm in seen_names and seen_names[norm] != index:
                    line = loaded.position((key, seen_names[norm]))[0]
                    out.append(loaded.diagnostic("error", code, name_path, _("sector name '{name}' is also given by the entry on line {line}").format(name=name, line=line),
                                                  _("keep one entry and list the other spelling under its variants")))
                seen_names.setdefault(norm, index)
        parent = item.get("parent")
        if key == "agencies" and isinstance(parent, str) and parent not in agency_ids:
            out.append(loaded.diagnostic("error", "unknown-parent", (key, index, "parent"), _("parent agency '{id}' is not in agencies.yaml").format(id=parent),
                                          _("use the id of an agency listed in agencies.yaml")))
    return out


def _check_dates(loaded: LoadedFile, paths: Iterable[DataPath], today: dt.date, future_ok: bool = False) -> list[Diagnostic]:
    """Dates at ``paths`` must exist; they may not be in the future unless ``future_ok`` (plans'
    deadlines) or the field is a deadline, an effective date or an end date."""
    out = []
    for path in paths:
        value = _get(loaded.data, path)
        if not isinstance(value, str) or not _DATE.match(value):
            continue
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            out.append(loaded.diagnostic("error", "date-invalid", path, _("{value} is not a real calendar date").format(value=value), _("write a date that exists, as YYYY-MM-DD")))
            continue
        if day > today and not future_ok and path[-1] not in ("deadline", "effective", "until"):
            out.append(loaded.diagnostic("error", "date-future", path, _("{value} is in the future (today is {today})").format(value=value, today=today.isoformat()),
                                          _("write the date the decision was signed, not a planned date")))
    return out


def _get(data: Any, path: DataPath) -> Any:
    for part in path:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def check_procedure(
    loaded: LoadedFile, path: Path, root: Path, agency_ids: set[str] | None, sector_ids: set[str] | None,
    codes: dict[str, list[LoadedFile]], today: dt.date,
) -> list[Diagnostic]:
    """The rules of DESIGN.md §3 "Beyond the schema" for one procedure record.

    ``agency_ids`` / ``sector_ids`` None: agencies.yaml / sectors.yaml could not be read, and the checks
    against it (``agency-folder``, ``unknown-agency`` / ``unknown-sector``) are skipped (the caller says so once).
    """
    data: dict[str, Any] = loaded.data
    out: list[Diagnostic] = []
    code = data.get("code")
    rel = path.relative_to(root / "procedures").parts
    if agency_ids is not None and (len(rel) != 2 or rel[0] not in agency_ids):
        where = "/".join(rel[:-1]) or "procedures/"
        move = _("move it to catalog/procedures/<agency id>/<code>.yaml")
        out.append(Diagnostic(loaded.display, 1, 1, "error", "agency-folder", "",
                              _("the file is in '{folder}', which is not the folder of an agency in agencies.yaml").format(folder=where),
                              did_you_mean(rel[0], sorted(agency_ids), move, also=True) if len(rel) == 2 else move))
    if path.suffix != ".yaml":
        out.append(Diagnostic(loaded.display, 1, 1, "error", "code-filename", "", _("the file name must end in .yaml"),
                              _("rename it to {name}.yaml").format(name=path.stem)))
    if isinstance(code, str):
        if code != path.stem:
            out.append(loaded.diagnostic("error", "code-filename", ("code",), _('the code "{code}" differs from the file name {name}').format(code=code, name=path.name),
                                         _("correct the code to {stem}; only a new file may be renamed to {code}.yaml (renaming a "
                                           "published procedure's file changes its code: tthc check-change refuses it)").format(
                                             stem=path.stem, code=code)))
        others = [o for o in codes.get(code, []) if o is not loaded]
        if others:
            out.append(loaded.diagnostic("error", "code-unique", ("code",), _('the code "{code}" is also used by {files}').format(code=code, files=", ".join(o.display for o in others)),
                                         _("a code identifies one procedure; keep one of the files")))
    name = data.get("name")
    if isinstance(name, str) and " ".join(name.split()).casefold() in _PLACEHOLDER_NAMES:
        out.append(loaded.diagnostic("error", "name-placeholder", ("name",),
                                     _("the name '{name}' is a placeholder, not the procedure's name").format(name=name.strip()),
                                     _("write the procedure's name (tên thủ tục) as the publishing decision gives it")))
    kind = data.get("kind")
    if kind == "internal" and "internal_scope" not in data:
        out.append(loaded.diagnostic("error", "internal-scope", ("kind",), _("an internal procedure (TTHC nội bộ) must say its group (internal_scope)"),
                                     _("add internal_scope: between_agencies or internal_scope: within_agency")))
    if kind == "external" and "internal_scope" in data:
        out.append(loaded.diagnostic("error", "internal-scope-external", ("internal_scope",), _("internal_scope is only for internal procedures (kind: internal)"),
                                     _("remove internal_scope, or set kind: internal"), key=True))
    sector = data.get("sector")
    if sector_ids is not None and isinstance(sector, str) and _SLUG.match(sector) and sector not in sector_ids:
        out.append(loaded.diagnostic("error", "unknown-sector", ("sector",), _("sector '{id}' is not in sectors.yaml").format(id=sector),
                                     did_you_mean(sector, sorted(sector_ids), _("use an id from sectors.yaml, or add the sector there"))))
    roles = data.get("agencies")
    if agency_ids is not None and isinstance(roles, dict):
        for role, names in roles.items():
            for index, name in enumerate(names if isinstance(names, list) else []):
                if isinstance(name, str) and _SLUG.match(name) and name not in agency_ids:
                    out.append(loaded.diagnostic("error", "unknown-agency", ("agencies", role, index), _("agency id '{id}' is not in agencies.yaml").format(id=name),
                                                 did_you_mean(name, sorted(agency_ids), _("use an id from agencies.yaml, or write the agency's full name"), also=True)))
    for index, related in enumerate(data.get("related") or []):
        if related == code:
            out.append(loaded.diagnostic("error", "unknown-related", ("related", index), _("a procedure cannot be related to itself"),
                                         _("remove its own code from related")))
        elif isinstance(related, str) and related not in codes:
            out.append(loaded.diagnostic("error", "unknown-related", ("related", index), _('related procedure "{code}" is not in the catalog').format(code=related),
                                         _("use the code of a procedure in the catalog, or remove it")))
    replaced_by = data.get("replaced_by")
    if isinstance(replaced_by, str):
        cycle = _replacement_cycle(code, codes)
        if cycle:
            out.append(loaded.diagnostic("error", "unknown-replaced-by", ("replaced_by",), _("replacements go round in a circle: {chain}").format(chain=" → ".join(cycle)),
                                         _("a procedure must be replaced by one that is still in force or replaced by another")))
        elif replaced_by not in codes:
            out.append(loaded.diagnostic("error", "unknown-replaced-by", ("replaced_by",), _('replacement "{code}" is not in the catalog').format(code=replaced_by),
                                         _("replaced_by must be the code of a procedure in the catalog")))
        if data.get("status") != "replaced":
            out.append(loaded.diagnostic("error", "replaced-by-status", ("replaced_by",), _("replaced_by is given but status is not 'replaced'"),
                                         _("set status: replaced, or remove replaced_by"), key=True))
    out.extend(_check_replaces(loaded, data, codes))
    date_paths: list[DataPath] = [("publication", "date"), ("source", "retrieved")]
    for key in ("simplifications", "amendments", "reviews"):
        entries = data.get(key) if isinstance(data.get(key), list) else []
        date_paths += [(key, i, "date") for i in range(len(entries))]
        if key != "reviews":
            date_paths += [(key, i, field) for i in range(len(entries)) for field in ("effective", "until")]
        out.extend(_check_order(loaded, key, entries))
        if key != "reviews":
            out.extend(_check_entry_dates(loaded, key, entries))
    out.extend(_check_dates(loaded, date_paths, today))
    out.extend(_check_legal_numbers(loaded, data))
    out.extend(_check_document_ids(loaded, ("documents",), data.get("documents")))
    for index, case in enumerate(data.get("cases") or []):
        if isinstance(case, dict):
            out.extend(_check_document_ids(loaded, ("cases", index, "documents"), case.get("documents")))
    return out


def _record(codes: dict[str, list[LoadedFile]], code: Any) -> dict[str, Any] | None:
    holders = codes.get(code) or [] if isinstance(code, str) else []
    data = holders[0].data if holders else None
    return data if isinstance(data, dict) else None


def _check_replaces(loaded: LoadedFile, data: dict[str, Any], codes: dict[str, list[LoadedFile]]) -> list[Diagnostic]:
    """Replacements and merges are linked both ways (Decree 63/2010/NĐ-CP Art. 15: a decision
    that publishes a replacing procedure names the procedure it replaces).

    ``replaces[i].code`` in the catalog must be ``status: replaced`` with
    ``replaced_by`` this code (error); a ``replaced_by`` target that lists
    other replaced codes but not this one gets a warning.
    """
    out = []
    code = data.get("code")
    for index, entry in enumerate(data.get("replaces") or [] if isinstance(data.get("replaces"), list) else []):
        old_code = entry.get("code") if isinstance(entry, dict) else None
        if old_code == code:
            out.append(loaded.diagnostic("error", "replacement-link", ("replaces", index, "code"), _("a procedure cannot replace itself"),
                                         _("remove its own code from replaces")))
            continue
        old = _record(codes, old_code)
        if old is None:
            continue  # a procedure outside this catalog: its code and name are kept as the decision gives them
        if old.get("status") != "replaced" or old.get("replaced_by") != code:
            out.append(loaded.diagnostic(
                "error", "replacement-link", ("replaces", index, "code"),
                (_('"{old}" is in the catalog but does not say it is replaced by "{code}" (its status is {status!r}, '
                   'replaced_by {replaced_by!r})') if old.get("replaced_by") else
                 _('"{old}" is in the catalog but does not say it is replaced by "{code}" (its status is {status!r}, '
                   'no replaced_by)')).format(old=old_code, code=code, status=old.get("status"), replaced_by=old.get("replaced_by")),
                _('in {old}.yaml set status: replaced and replaced_by: "{code}"').format(old=old_code, code=code)))
    target = _record(codes, data.get("replaced_by"))
    if target is not None and isinstance(target.get("replaces"), list) and target["replaces"]:
        listed = {e.get("code") for e in target["replaces"] if isinstance(e, dict)}
        if code not in listed:
            out.append(loaded.diagnostic(
                "warning", "replacement-link", ("replaced_by",),
                _('"{new}" lists the procedures it replaces, but not "{code}"').format(new=data.get("replaced_by"), code=code),
                _('add {{code: "{code}", decision: ...}} to replaces in {new}.yaml').format(code=code, new=data.get("replaced_by"))))
    return out


def _check_entry_dates(loaded: LoadedFile, key: str, entries: list[Any]) -> list[Diagnostic]:
    return [
        loaded.diagnostic("error", "entry-date", (key, index), _("the entry has neither a date nor a date_note"),
                          _("write the decision's date (date: YYYY-MM-DD); when the source does not give it, write date_note "
                            "saying what is known"))
        for index, entry in enumerate(entries)
        if isinstance(entry, dict) and "date" not in entry and "date_note" not in entry
    ]


def _replacement_cycle(code: Any, codes: dict[str, list[LoadedFile]]) -> list[str]:
    """The chain of ``replaced_by`` from ``code`` when it comes back to a code already seen."""
    chain: list[str] = []
    current = code
    while isinstance(current, str) and current not in chain:
        chain.append(current)
        holders = codes.get(current) or []
        data = holders[0].data if holders else None
        current = data.get("replaced_by") if isinstance(data, dict) else None
    return chain + [current] if isinstance(current, str) and current == code else []


def _check_order(loaded: LoadedFile, key: str, entries: list[Any]) -> list[Diagnostic]:
    out = []
    previous: str | None = None
    for index, entry in enumerate(entries):
        date = entry.get("date") if isinstance(entry, dict) else None
        if not isinstance(date, str) or not _DATE.match(date):
            continue
        if previous is not None and date < previous:
            out.append(loaded.diagnostic("error", "simplification-order", (key, index, "date"),
                                         _("{date} is before the previous entry's date {previous}; {key} are listed oldest first").format(
                                             date=date, previous=previous, key=key),
                                         _("move the entry to its place in date order, or correct its date")))
        previous = date
    return out


def _check_legal_numbers(loaded: LoadedFile, data: dict[str, Any]) -> list[Diagnostic]:
    paths: list[DataPath] = [("publication", "decision")]
    for key in ("simplifications", "amendments"):
        paths += [(key, i, "decision") for i in range(len(data.get(key) or []) if isinstance(data.get(key), list) else 0)]
    paths += [("replaces", i, "decision") for i in range(len(data.get("replaces") or []) if isinstance(data.get("replaces"), list) else 0)]
    paths += [("legal_basis", i, "number") for i in range(len(data.get("legal_basis") or []) if isinstance(data.get("legal_basis"), list) else 0)]
    out = []
    for path in paths:
        value = _get(data, path)
        if isinstance(value, str) and value and not LEGAL_NUMBER.match(value):
            out.append(loaded.diagnostic("warning", "legal-number", path, _('"{value}" is not a well-formed legal document number').format(value=value),
                                         _("write number/year/KIND-ISSUER (33/2025/NĐ-CP) or number/KIND-ISSUER for decisions (497/QĐ-BXD)")))
    return out


def _check_document_ids(loaded: LoadedFile, base: DataPath, documents: Any) -> list[Diagnostic]:
    out = []
    seen: dict[str, int] = {}
    for index, document in enumerate(documents if isinstance(documents, list) else []):
        doc_id = document.get("id") if isinstance(document, dict) else None
        if not isinstance(doc_id, str):
            continue
        if doc_id in seen:
            line = loaded.position(base + (seen[doc_id], "id"))[0]
            out.append(loaded.diagnostic("error", "document-id-unique", base + (index, "id"), _("document id '{id}' is also used on line {line}").format(id=doc_id, line=line),
                                         _("give each document its own id; ids are the stable keys for diffs")))
        else:
            seen[doc_id] = index
    return out


def check_pending(root: Path, pending: list[tuple[Path, LoadedFile]], references: Mapping[str, LoadedFile] | None = None,
                  today: dt.date | None = None) -> list[list[Diagnostic]]:
    """Validate procedure files before they are written into the catalog at ``root`` (the importers).

    Each pending record is judged as ``tthc validate`` would judge it once
    written: its loader diagnostics, :func:`schema_diagnostics` and
    :func:`check_procedure` (``code-unique``, ``date-future``, ``entry-date``,
    ``replacement-link``, ``unknown-sector``...), against the catalog on disk
    with the pending files in place (a pending path that exists replaces that
    file) and with ``references`` as agencies.yaml / sectors.yaml. A record
    with an error will not be written, so the others are judged again without
    it (a code it held is then free, a procedure related to it is unknown),
    until no new record has an error.

    Args:
        root: the catalog folder (it may not exist yet).
        pending: ``(path the file will have, its loaded content)``; the path is
            ``root/procedures/<agency>/<code>.yaml``.
        references: ``{"agencies": loaded, "sectors": loaded}`` as they will be
            written; a kind left out is read from disk.
        today: the reference date for ``date-future`` (default: today in Vietnam).

    Returns:
        For each pending file, in order, its diagnostics (errors and warnings);
        the caller refuses those with an error.
    """
    today = today or dt.datetime.now(VIETNAM).date()
    files = load_catalog_files(root) if root.is_dir() else CatalogFiles(root)
    for kind, loaded in (references or {}).items():
        setattr(files, kind, loaded)
    agency_ids, sector_ids = _ids(files.agencies, "agencies"), _ids(files.sectors, "sectors")
    replaced = {os.path.normpath(path) for path, _ in pending}
    on_disk = [(p, f) for p, f in files.procedures if os.path.normpath(p) not in replaced]
    results: list[list[Diagnostic]] = [[] for _ in pending]
    active = list(range(len(pending)))
    while True:
        files.procedures = on_disk + [pending[i] for i in active]
        codes = _codes(files)
        bad = []
        for i in active:
            path, loaded = pending[i]
            found = list(loaded.diagnostics)
            if isinstance(loaded.data, dict):
                found += schema_diagnostics(loaded)
                found += check_procedure(loaded, path, root, agency_ids, sector_ids, codes, today)
            results[i] = found
            if any(d.severity == "error" for d in found):
                bad.append(i)
        if not bad:
            return results
        active = [i for i in active if i not in bad]
