"""The two sides of a catalog diff: git refs, the working tree, or two files.

Reading a side costs at most two git processes (``ls-tree`` and one
``cat-file --batch``), whatever the number of files.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from generator.diagnostics import Diagnostic, Report
from generator.diff import CatalogDiff, diff_catalogs
from generator.errors import CatalogInvalid, UsageError
from generator.i18n import _
from generator.history import agency_names, cost_basis_on_disk, read_tree, require_repository, resolve_ref
from generator.load import LoadedFile, load_bytes

#: The ``head`` value (JSON ``"head": null``) for the files on disk; the text
#: and Markdown formats show ``generator.diff.format.WORKING_TREE_LABEL``.
WORKING_TREE = None


class SideFile:
    """One procedure file of one side: its bytes, and (parsed on first use) the loader result."""

    def __init__(self, path: str, raw: bytes, display: str | None = None) -> None:
        self.path, self.raw, self.display = path, raw, display or path
        self._loaded: LoadedFile | None = None

    @property
    def loaded(self) -> LoadedFile:
        """The strict loader's result (``generator.load.load_bytes``), computed once."""
        if self._loaded is None:
            self._loaded = load_bytes(self.raw, self.display, "procedure")
        return self._loaded

    @property
    def record(self) -> dict[str, Any] | None:
        data = self.loaded.data
        return data if isinstance(data, dict) else None

    def unreadable(self) -> list[Diagnostic]:
        """Why this file is not a procedure record as ``tthc validate`` reads it (empty when it is one).

        Any loader error counts (``syntax``, ``encoding``, ``tab-indent``,
        ``duplicate-key``, ``anchor``, ``tag``, ``number-range``..., with line
        and column), even when some data could be read: a file with a
        duplicated key is never compared by its first value. A file that is
        not a mapping or has no text ``code`` is never treated as absent.
        """
        errors = [d for d in self.loaded.diagnostics if d.severity == "error"]
        if errors:
            return errors
        record = self.record
        if record is not None and isinstance(record.get("code"), str):
            return []
        if record is None:
            return [self.loaded.diagnostic("error", "schema-type", (), _("the file is not a mapping of procedure fields"),
                                           _("write the record as key: value lines (code, name, ...)"))]
        return [self.loaded.diagnostic("error", "schema-required", ("code",), _("the record has no code"),
                                       _('add code: "<digit>.<six digits>" as in the file name'))]


def read_side(repo_dir: Path, ref: str | None, catalog_subdir: str = "catalog",
              only: list[str] | None = None, label_ref: bool = False) -> dict[str, SideFile]:
    """The procedure files at ``ref`` (``None``: the working tree), parsed.

    Args:
        repo_dir: the repository root (paths are relative to it).
        ref: a git commit-ish or ``None``.
        catalog_subdir: the catalog folder relative to ``repo_dir``.
        only: keep only paths equal to or under these (relative, forward slashes).
        label_ref: name files ``REF:path`` in diagnostics (as ``git show`` does), so
            a problem in the base side is not mistaken for one on disk.

    Raises:
        GitError: unknown ref.
    """
    files = read_tree(repo_dir, ref, catalog_subdir)
    out = {}
    for path, (display, raw) in files.items():
        if only and not any(path == p or path.startswith(p.rstrip("/") + "/") for p in only):
            continue
        out[path] = SideFile(path, raw, f"{ref}:{display}" if label_ref and ref is not None else display)
    return out


def unreadable_files(*sides: dict[str, SideFile]) -> list[Diagnostic]:
    """Diagnostics of the files (of any side) that are not readable procedure records.

    Files whose bytes are identical on every side where they exist are not
    looked at (an unchanged broken file is ``tthc validate``'s business).
    """
    out: list[Diagnostic] = []
    raws: dict[str, set[bytes]] = {}
    for side in sides:
        for path, f in side.items():
            raws.setdefault(path, set()).add(f.raw)
    for side in sides:
        for path in sorted(side):
            if len(raws[path]) == 1 and sum(path in s for s in sides) == len(sides):
                continue
            out += side[path].unreadable()
    return out


def diff_sides(old: dict[str, SideFile], new: dict[str, SideFile], names: dict[str, str] | None = None,
               check_readable: bool = True, cost_basis: Any = None) -> CatalogDiff:
    """Diff two sides, skipping files whose bytes are identical at the same path.

    ``check_readable=False`` is for callers that reported unreadable files
    themselves (an unreadable file then has no code and is left out).

    Raises:
        CatalogInvalid: a changed file on either side cannot be read as a
            procedure record (its loader diagnostics are in the report).
    """
    problems = unreadable_files(old, new) if check_readable else []
    if problems:
        _invalid(problems)
    same = {p for p in set(old) & set(new) if old[p].raw == new[p].raw}
    return diff_catalogs({p: f.record for p, f in old.items() if p not in same},
                         {p: f.record for p, f in new.items() if p not in same}, names, cost_basis)


def compare(repo_dir: Path, base: str, head: str | None, paths: list[str], catalog_subdir: str = "catalog"
            ) -> tuple[CatalogDiff, str, str | None]:
    """What ``tthc diff BASE [HEAD] [PATH...]`` compares.

    If ``base`` is an existing file, ``head`` must be one too and the two
    files are compared. Otherwise ``base`` is a git ref; ``head`` is a ref,
    or, when it is not a ref, the first of ``paths`` (HEAD is then the
    working tree). Every path must lie inside the catalog folder and exist
    on disk or on one of the two sides.

    Returns:
        ``(diff, base label, head label)``; the head label is
        :data:`WORKING_TREE` (``None``) for the files on disk.

    Raises:
        UsageError: not inside a git repository; ``base`` is neither a file
            nor a commit; a file compared with something that is not a file;
            a path outside the catalog or matching nothing.
        CatalogInvalid: a changed file cannot be read (loader diagnostics).
        GitError: git failed.
    """
    base_file = Path(base)
    for name in (base, head) if base_file.is_file() or _names_a_file(base) else ():
        if name is not None and not Path(name).exists():
            raise UsageError(_("{name}: no such file (it does not exist); tthc diff OLD.yaml NEW.yaml compares two "
                               "files, tthc diff BASE [HEAD] two git commits").format(name=name))
    if base_file.is_file():
        if head is None or not Path(head).is_file():
            raise UsageError(_("{base} is a file: give a second file to compare it with (tthc diff OLD.yaml NEW.yaml)").format(base=base))
        for name in (base, head):
            if Path(name).name in ("agencies.yaml", "sectors.yaml", "cost-basis.yaml", "coverage.yaml"):
                raise UsageError(_("{name} is a register of the catalog, not a procedure file: tthc diff OLD.yaml NEW.yaml "
                                   "compares two procedure files (tthc check-change --base REF compares agencies.yaml and "
                                   "sectors.yaml)").format(name=name))
        old, new = _file_side(base_file), _file_side(Path(head))
        problems = old.unreadable() + new.unreadable()
        if problems:
            _invalid(problems)
        diff = diff_catalogs({base: old.record}, {base: new.record})  # one slot: never a "move"
        diff = CatalogDiff(tuple(replace(p, old_path=base if p.old_path else None, new_path=head if p.new_path else None)
                                 for p in diff.procedures), diff.code_changes)
        return diff, base, head
    info = require_repository(repo_dir)
    base_sha = resolve_ref(repo_dir, base)
    if base_sha is None and base_file.is_dir():
        raise UsageError(_("{base} is a folder: tthc diff compares two files (OLD.yaml NEW.yaml) or two git commits; to "
                           "compare a folder between commits, name it after them: tthc diff BASE [HEAD] {base}").format(base=base))
    if base_sha is None:
        raise UsageError(_("{base!r} is neither a file nor a git commit (check the name; run `git fetch` for a remote "
                           "branch)").format(base=base) + _shallow_hint(info.shallow))
    head_sha = resolve_ref(repo_dir, head) if head is not None else None
    head_is_path = head is not None and head_sha is None
    if head_is_path:
        paths = [head, *paths]
        head = None
    only = [_catalog_path(repo_dir, p, catalog_subdir, could_be_ref=head_is_path and n == 0, shallow=info.shallow)
            for n, p in enumerate(paths)] or None
    old = {path: SideFile(path, f.raw, f"{base}:{f.display}")  # read by sha (any revision git accepts), named by ref
           for path, f in read_side(repo_dir, base_sha, catalog_subdir, only).items()}
    new = read_side(repo_dir, head_sha, catalog_subdir, only)
    for given, rel in zip(paths, only or ()):
        if not (Path(repo_dir) / rel).exists() and not any(
                f == rel or f.startswith(rel.rstrip("/") + "/") for f in (*old, *new)):
            raise UsageError((_("{given!r} is neither a git commit nor a file or folder of the catalog (not on disk, not at "
                               "{base})") if head is None else
                             _("{given!r} is neither a git commit nor a file or folder of the catalog (not on disk, not at "
                               "{base} or {head})")).format(given=given, base=base, head=head))
    result = diff_sides(old, new, agency_names(repo_dir, catalog_subdir),
                        cost_basis=cost_basis_on_disk(repo_dir, catalog_subdir))
    return replace(result, invalid=tuple(schema_errors(old, new))), base, head


def schema_errors(old: dict[str, SideFile], new: dict[str, SideFile]) -> list[Diagnostic]:
    """The procedure-schema errors of the head side's changed files (as ``tthc validate`` reports
    them, with line and column), for the diff to warn that those records do not validate."""
    from generator.validate import schema_diagnostics

    out: list[Diagnostic] = []
    for path in sorted(new):
        f = new[path]
        if path in old and old[path].raw == f.raw or f.record is None:
            continue
        out += [d for d in schema_diagnostics(f.loaded) if d.severity == "error"]
    return out


def _names_a_file(name: str) -> bool:
    """Whether ``name`` is written as a catalog file (``*.yaml``/``*.yml``), not as a git revision."""
    return name.lower().endswith((".yaml", ".yml")) and ":" not in name


def _invalid(problems: list[Diagnostic]) -> None:
    report = Report()
    report.extend(problems)
    report.files_checked = len({d.file for d in problems})
    raise CatalogInvalid(report)


def _shallow_hint(shallow: bool) -> str:
    return _("; this is a shallow clone, so older commits are missing: run `git fetch --unshallow`") if shallow else ""


def _catalog_path(repo_dir: Path, given: str, catalog_subdir: str, could_be_ref: bool, shallow: bool) -> str:
    """``given`` (relative to the current folder, or absolute) as a path relative to ``repo_dir``.

    Raises:
        UsageError: the path is outside the catalog folder.
    """
    root = Path(repo_dir).resolve()
    target = (Path.cwd() / given).resolve() if not Path(given).is_absolute() else Path(given).resolve()
    catalog = (root / catalog_subdir).resolve()
    if target != catalog and catalog not in target.parents:
        text = (_("{given!r} is neither a git commit nor a path inside the catalog folder {catalog}/ (give a git ref, or "
                  "files and folders under {catalog}/)") if could_be_ref else
                _("{given!r} is not a path inside the catalog folder {catalog}/ (give a git ref, or files and folders "
                  "under {catalog}/)"))
        raise UsageError(text.format(given=given, catalog=catalog_subdir) + (_shallow_hint(shallow) if could_be_ref else ""))
    return target.relative_to(root).as_posix()


def _file_side(path: Path) -> SideFile:
    raw = path.read_bytes()
    return SideFile(path.as_posix(), raw)
