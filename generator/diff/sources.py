"""The two sides of a catalog diff: git refs, the working tree, or two files.

Reading a side costs at most two git processes (``ls-tree`` and one
``cat-file --batch``), whatever the number of files.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from generator.diff import CatalogDiff, diff_catalogs
from generator.errors import UsageError
from generator.history import read_tree, resolve_ref
from generator.load import LoadedFile, load_bytes

WORKING_TREE = "cây làm việc"


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


def read_side(repo_dir: Path, ref: str | None, catalog_subdir: str = "catalog",
              only: list[str] | None = None) -> dict[str, SideFile]:
    """The procedure files at ``ref`` (``None``: the working tree), parsed.

    Args:
        repo_dir: the repository root (paths are relative to it).
        ref: a git commit-ish or ``None``.
        catalog_subdir: the catalog folder relative to ``repo_dir``.
        only: keep only paths equal to or under these (relative, forward slashes).

    Raises:
        GitError: unknown ref.
    """
    files = read_tree(repo_dir, ref, catalog_subdir)
    out = {}
    for path, (display, raw) in files.items():
        if only and not any(path == p or path.startswith(p.rstrip("/") + "/") for p in only):
            continue
        out[path] = SideFile(path, raw, display)
    return out


def diff_sides(old: dict[str, SideFile], new: dict[str, SideFile]) -> CatalogDiff:
    """Diff two sides, skipping files whose bytes are identical at the same path."""
    same = {p for p in set(old) & set(new) if old[p].raw == new[p].raw}
    return diff_catalogs({p: f.record for p, f in old.items() if p not in same},
                         {p: f.record for p, f in new.items() if p not in same})


def compare(repo_dir: Path, base: str, head: str | None, paths: list[str], catalog_subdir: str = "catalog"
            ) -> tuple[CatalogDiff, str, str]:
    """What ``tthc diff BASE [HEAD] [PATH...]`` compares.

    If ``base`` is an existing file, ``head`` must be one too and the two
    files are compared. Otherwise ``base`` is a git ref; ``head`` is a ref,
    or, when it is an existing path and not a ref, the first of ``paths``
    (HEAD is then the working tree).

    Returns:
        ``(diff, base label, head label)``.

    Raises:
        UsageError: ``base`` is neither a file nor a commit; a file compared
            with something that is not a file.
        GitError: git failed.
    """
    base_file = Path(base)
    if base_file.is_file():
        if head is None or not Path(head).is_file():
            raise UsageError(f"{base} is a file: give a second file to compare it with (tthc diff OLD.yaml NEW.yaml)")
        old, new = _file_side(base_file), _file_side(Path(head))
        diff = diff_catalogs({base: old.record}, {base: new.record})  # one slot: never a "move"
        diff = CatalogDiff(tuple(replace(p, old_path=base if p.old_path else None, new_path=head if p.new_path else None)
                                 for p in diff.procedures), diff.code_changes)
        return diff, base, head
    if resolve_ref(repo_dir, base) is None:
        raise UsageError(f"{base!r} is neither a file nor a git commit (check the name; run `git fetch` for a remote branch)")
    if head is not None and resolve_ref(repo_dir, head) is None:
        paths = [head, *paths]
        head = None
    only = [Path(p).as_posix().lstrip("./") if not Path(p).is_absolute() else Path(p).resolve().relative_to(repo_dir.resolve()).as_posix()
            for p in paths] or None
    old = read_side(repo_dir, base, catalog_subdir, only)
    new = read_side(repo_dir, head, catalog_subdir, only)
    return diff_sides(old, new), base, head or WORKING_TREE


def _file_side(path: Path) -> SideFile:
    raw = path.read_bytes()
    return SideFile(path.as_posix(), raw)
