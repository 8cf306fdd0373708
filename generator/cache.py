"""Incremental builds: a procedure's pages are rendered again only when their inputs changed.

The inputs of a procedure's pages (its page, history page, revision and
compare pages) are hashed into one **key** (:meth:`PageCache.keys`):

* what every page shares: the generator's own code and templates, the
  layouts Material rendered for this build, the site address and feedback
  address, today's date (pages say what is in force today), the agencies,
  sectors and cost basis, and each procedure's code, name, status,
  replacement and file (what other pages link to and name);
* the procedure's record (its model, :func:`repr` of the frozen dataclass)
  and every revision of it in the history (commit, date, author, message,
  record).

A page that is no procedure's, not in the navigation and written with
them (a decision page, ``quyet-dinh/<slug>/``), is kept the same way under
its URL, keyed by the generator's code, the layouts and what the page shows
(:meth:`PageCache.page_keys`), so an edit that changes no decision renders
none of them.

The cache is a folder (``.<site>-cache/`` beside the site for ``tthc
build``; a temporary folder for ``tthc serve``) holding ``manifest.json``
(``code → key, pages, files with their SHA-256 and stamp, search records``) and a
hard link to each page file written. When a key is unchanged, the
procedure's files are linked from the cache into the new site (copied where
links are not possible) instead of being rendered; a missing, damaged or
tampered cache only means more rendering, never a failed or wrong build:
anything unreadable is ignored, every file must be as the manifest records
it, and every path in the manifest must be a plain relative
path inside its folder (a crafted manifest cannot make the build read or
write anywhere else). A file is as recorded when its **stamp** (size,
modification time in nanoseconds, inode: what ``make`` and ``rsync`` trust)
is the one recorded, else when its SHA-256 is (a file edited in place has
a new modification time, so its bytes are hashed, and a same-size edit is
caught); hashing every reused file made a rebuild of 10,000 procedures
read the whole 4 GB site again.

What is read or made before the pages is kept too (:meth:`PageCache.load`,
:meth:`PageCache.keep`): the history with its revision diffs, keyed by
``HEAD`` and the files read beside it, and the open-data files, keyed by
the catalog's content.

The search index is rebuilt only when the search records, the generator's
code or Pagefind's version changed (:meth:`PageCache.search_unchanged`):
otherwise the previous bundle is linked into the new site.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import os
import shutil
from stat import S_ISDIR, S_ISREG
from pathlib import Path
from typing import Any

#: Version of the manifest format; another version is ignored (everything is rendered).
FORMAT = 3
MANIFEST = "manifest.json"
PAGES_DIR = "pages"
SEARCH_DIR = "pagefind"


@functools.lru_cache(maxsize=1)
def code_digest() -> str:
    """A digest of the generator's code, templates and assets (a changed renderer changes every page)."""
    from generator.resources import templates_dir

    package = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for folder in (package, templates_dir()):
        for path in sorted(folder.rglob("*")):
            if path.is_file() and path.suffix in (".py", ".html", ".xml", ".json", ".yaml", ".js", ".css"):
                digest.update(path.relative_to(folder).as_posix().encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


class PageCache:
    """The cache folder of one site (see the module docstring).

    Args:
        folder: the cache folder (created when first stored into).
        spare: the site the build before the last one published (``.<site>-spare/``, see
            :mod:`generator.build`), or None. A procedure's folder whose files are still the
            cached ones is moved from it into the new site (:meth:`reuse`), one ``rename`` instead
            of a ``mkdir`` per page and a ``link`` per file; so is the search bundle.
    """

    def __init__(self, folder: Path, spare: Path | None = None) -> None:
        self.folder = Path(folder)
        self.spare = None if spare is None else os.fspath(spare)
        self.entries: dict[str, dict[str, Any]] = {}
        self.search_digest: str | None = None
        #: The cached search bundle's files: relative path -> SHA-256.
        self.search_files: dict[str, str] = {}
        self.new_entries: dict[str, dict[str, Any]] = {}
        try:
            data = json.loads((self.folder / MANIFEST).read_text(encoding="utf-8"))
            if data.get("format") == FORMAT:
                self.entries = data.get("procedures", {})
                self.search_digest = data.get("search")
                self.search_files = dict(data.get("search_files") or {})
        except (OSError, ValueError, AttributeError):
            pass  # no cache yet, or unreadable: render everything
        #: The folders of ``pages/`` seen to be no symbolic links (:meth:`_in_pages`).
        self._folders: set[str] = set()
        #: The folders at the top of the spare (``thu-tuc``) seen to be no symbolic links (:meth:`_from_spare`).
        self._spare_tops: set[str] = set()
        _unlink_links(self.folder)

    def load(self, name: str, key: str) -> Any:
        """The object stored as ``name`` when it was stored with ``key``; None otherwise.

        The history read from git and the open-data files are kept this way
        (pickled in this folder, which only the builds of this site write)."""
        import pickle

        try:
            with (self.folder / f"{name}.pickle").open("rb") as handle:
                stored_key, value = pickle.load(handle)
        except Exception:  # noqa: BLE001 - a missing, old or damaged file: compute it again
            return None
        return value if stored_key == key else None

    def keep(self, name: str, key: str, value: Any) -> None:
        """Store ``value`` as ``name`` with ``key`` (errors are ignored: it is computed again next time)."""
        import pickle

        temporary = self.folder / f".{name}.pickle.tmp"
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            with temporary.open("wb") as handle:
                pickle.dump((key, value), handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, self.folder / f"{name}.pickle")
        except Exception:  # noqa: BLE001 - full disk, unpicklable value: no cache, and no partial file
            try:
                temporary.unlink(missing_ok=True)
            except OSError:
                pass

    def templates(self) -> Any:
        """A Jinja2 bytecode cache in this folder (``jinja/``), or None when it cannot be made:
        compiling the templates (Material's and ours) took about half a second of every rebuild.
        Jinja2 keys each file by the template's name and a checksum of its source, so an edited
        template is compiled again. A folder that is gone, full or unreadable later (the cache of
        an earlier build of this process, a full disk) only means compiling again
        (:class:`_TemplateCache`)."""
        folder = self.folder / "jinja"
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError:
            return None
        return _template_cache(str(folder))

    def keys(self, plan: Any, layouts: Any) -> list[str]:
        """The key of each procedure of ``plan.catalog`` (in its order): what its pages show.

        That is its record and revisions, what they show of other procedures (:func:`_linked`),
        and what every page shares (the generator's code, the layouts, the site's addresses,
        today's date, the agencies, sectors and cost basis). Editing one procedure's name
        changes the keys of the procedures whose pages name it, not every key."""
        catalog, history = plan.catalog, plan.history
        shared = hashlib.sha256()
        for part in (code_digest(), layouts.digest(), repr(plan.renderer.site_url), repr(plan.renderer.feedback_url),
                     dt.date.today().isoformat(), repr(catalog.agencies), repr(catalog.sectors),
                     repr(catalog.cost_basis), repr(bool(getattr(history, "incomplete", False))),
                     repr(getattr(history, "agency_names", None))):
            shared.update(part.encode("utf-8", "surrogatepass"))
            shared.update(b"\0")
        base = shared.digest()
        replacers = plan.renderer.replaces  # (code -> the procedures it replaces, as the procedure page lists them)
        keys = []
        for procedure in catalog.procedures:
            own = hashlib.sha256(base)
            own.update(repr(procedure).encode("utf-8", "surrogatepass"))
            own.update(_linked(procedure, catalog, replacers.get(procedure.code, ())).encode("utf-8", "surrogatepass"))
            if history is not None:
                own.update(revisions_digest(history, procedure.code).encode())
            keys.append(own.hexdigest())
        return keys

    def page_keys(self, layouts: Any, texts: list[str]) -> list[str]:
        """The key of each page that is no procedure's (the decision pages), from ``texts``: what
        each page shows (:meth:`generator.render.dashboard.DecisionPage.key_text`), with the
        generator's code and the layouts. Such a page is kept under its URL (a procedure code
        has no ``/``), with :meth:`reuse`, :meth:`entry` and :meth:`adopt` as a procedure's pages."""
        shared = hashlib.sha256()
        for part in ("page", code_digest(), layouts.digest()):
            shared.update(part.encode("utf-8", "surrogatepass") + b"\0")
        keys = []
        for text in texts:
            own = shared.copy()
            own.update(text.encode("utf-8", "surrogatepass"))
            keys.append(own.hexdigest())
        return keys

    def holds(self, code: str, key: str) -> bool:
        """True when the previous build kept pages of ``code`` (a procedure, or a decision page's URL) under ``key``."""
        return (self.entries.get(code) or {}).get("key") == key

    def reuse(self, code: str, key: str, site_dir: Path) -> Any:
        """Link the cached pages of ``code`` into ``site_dir`` when ``key`` matches.

        Returns:
            The :class:`~generator.site.PageGroup` of the reused pages, or None (render them).
        """
        from generator.search import SearchRecord
        from generator.site import PageGroup, WrittenPage

        if not self.holds(code, key):
            return None
        entry = self.entries[code]
        pages, site = os.path.join(self.folder, PAGES_DIR), os.fspath(site_dir)
        try:  # all the entry says is read before a file is placed: a page placed, then rendered again
            # (a damaged entry) was written through its link, into the cache's file and the published site's
            if not all(_safe(path) for path, *_recorded in entry["files"]):
                return None
            records = {path: SearchRecord(tuple((text, weight) for text, weight in rec["parts"]),
                                          tuple(tuple(tag) for tag in rec["tags"]), rec["words"])
                       for path, rec in entry["records"].items()}
            group = PageGroup(pages=[WrittenPage(url, date) for url, date in entry["pages"]], records=records,
                              files=[path for path, *_recorded in entry["files"]],
                              bytes=sum(int(recorded[1]) for _path, *recorded in entry["files"] if len(recorded) > 1))
            group.moved = self._from_spare(entry["files"], site)
            if not group.moved:
                for path, digest, *stamp in entry["files"]:
                    if not _as_recorded(os.path.join(pages, path), digest, stamp):
                        return None
                placed = []
                try:
                    for path in group.files:
                        self._link(os.path.join(pages, path), os.path.join(site, path))
                        placed.append(os.path.join(site, path))
                except OSError:  # the pages are rendered instead, into new files
                    for target in placed:
                        _unlink(target)
                    raise
        except (OSError, KeyError, TypeError, ValueError):
            return None
        self.new_entries[code] = entry
        return group

    def _from_spare(self, files: list[Any], site: str) -> bool:
        """Move the folder of ``files`` (a manifest entry's, paths already checked by :func:`_safe`)
        from the spare site into ``site``, when it holds exactly those files as recorded (the same
        file, by size, modification time and inode, as the cached one) and nothing else. Only a
        folder two levels down (``thu-tuc/<code>/``, ``quyet-dinh/<slug>/``) that holds all the
        files is moved: such folders are never inside one another. A folder the build made holds
        only the links of one rendering (a file of another rendering has another inode), but a
        spare is a folder anyone can write in: a file or folder added to it, a symbolic link in
        it or on the way to it (to the published site, whose folders a move would take) makes it
        not as recorded (:func:`_exactly`). False when the folder is not there or not as recorded
        (the files are then linked from the cache)."""
        folder = own_folder([path for path, *_recorded in files])
        if self.spare is None or folder is None:
            return False
        try:
            top = folder.split("/", 1)[0]
            if top not in self._spare_tops:  # ``thu-tuc``, ``quyet-dinh``: a real folder, looked at once
                if not S_ISDIR(os.lstat(os.path.join(self.spare, top)).st_mode):
                    return False
                self._spare_tops.add(top)
            inside = len(folder) + 1
            source, target = os.path.join(self.spare, folder), os.path.join(site, folder)
            if not _exactly(source, {path[inside:]: stamp for path, _digest, *stamp in files}):
                return False
            try:
                os.rename(source, target)
            except FileNotFoundError:
                _make_folder(os.path.dirname(target))
                os.rename(source, target)
        except OSError:
            return False
        return True

    def adopt(self, code: str, entry: dict[str, Any] | None = None) -> None:
        """Keep for the next build the entry of ``code``: ``entry`` (from :meth:`entry`) for pages
        just rendered, else the previous one, whose pages were reused (:meth:`reuse`); both are
        made by the rendering processes, whose own copy of this cache is lost."""
        if entry is None:
            self.new_entries[code] = self.entries[code]
        else:
            self.new_entries[code] = entry

    def entry(self, key: str, group: Any, site_dir: Path) -> dict[str, Any] | None:
        """Keep the pages just written into ``site_dir`` (``group``, a
        :class:`~generator.site.PageGroup`) in this folder, a link to each file; their manifest
        entry for :meth:`adopt`, or None when they cannot be kept (a full disk, a read-only
        folder: the next build renders them again). Run by the rendering processes, with the
        SHA-256 of each file's bytes (``group.digests``) made as they were written.

        Args:
            key: the procedure's key (:meth:`keys`).
            group: its pages, files and search records.
            site_dir: the site they were written into.
        """
        try:
            files = []
            pages, site = os.path.join(self.folder, PAGES_DIR), os.fspath(site_dir)
            digests = group.digests if len(group.digests) == len(group.files) else [None] * len(group.files)
            for path, digest in zip(group.files, digests):
                if not self._in_pages(path):
                    return None
                source = os.path.join(site, path)
                self._link(source, os.path.join(pages, path))
                files.append((path, digest or _sha256(source), *_stamp(source)))
        except OSError:
            return None
        return {
            "key": key, "files": files, "pages": [(p.url, p.update_date) for p in group.pages],
            "records": {path: {"parts": list(r.parts), "tags": list(r.tags), "words": r.words}
                        for path, r in group.records.items()},
        }

    @staticmethod
    def _link(source: Any, target: Any) -> None:
        """Hard-link ``source`` at ``target`` (replacing it, and making its folder when missing), or
        copy it where links are not possible (another file system): one system call for most files."""
        try:
            os.link(source, target)
        except FileExistsError:
            os.unlink(target)
            os.link(source, target)
        except FileNotFoundError:
            os.lstat(source)  # a missing source raises here
            _make_folder(os.path.dirname(target))
            try:
                os.link(source, target)
            except OSError:
                shutil.copy2(source, target)
        except OSError:
            if os.path.lexists(target):
                os.unlink(target)
            shutil.copy2(source, target)

    def _prune(self) -> None:
        """Remove the cached page files this build no longer uses: those the previous manifest
        named and this one does not (a file of a build that stopped before its manifest was
        saved is linked over when its page is rendered again). Without a previous manifest
        (none, unreadable, or another format), every file of the folder not used is removed,
        with one walk; walking 110,000 folders at every build took seconds."""
        kept = {path for entry in self.new_entries.values() for path, *_recorded in entry["files"]}
        pages = os.path.join(self.folder, PAGES_DIR)
        if self.entries:
            for entry in self.entries.values():
                for path, *_recorded in entry.get("files", ()):
                    if _safe(path) and path not in kept and self._in_pages(path):
                        try:
                            os.unlink(os.path.join(pages, path))
                        except FileNotFoundError:
                            pass
            return
        for folder, _dirs, names in os.walk(pages):
            prefix = os.path.relpath(folder, pages).replace(os.sep, "/")
            for name in names:
                if (name if prefix == "." else f"{prefix}/{name}") not in kept:
                    os.unlink(os.path.join(folder, name))

    def _in_pages(self, path: str) -> bool:
        """True when no folder on the way from ``pages/`` to ``path`` is a symbolic link, which would
        lead this build's links and removals outside the cache (a crafted cache); each folder is
        looked at once (a folder still to be made is made by this build)."""
        folder, seen = os.path.dirname(path), []
        while folder and folder not in self._folders:
            if os.path.islink(os.path.join(self.folder, PAGES_DIR, folder)):
                return False
            seen.append(folder)
            folder = os.path.dirname(folder)
        self._folders.update(seen)
        return True

    @staticmethod
    def records_digest(records: dict[str, Any]) -> str:
        """A digest of what the search bundle is made from: the search records (what Pagefind is
        given), the generator's code (:func:`code_digest`: how the records become Pagefind's input
        and how its output is compacted) and Pagefind's version. With the records alone, a
        rebuild after an upgrade of either kept the bundle the old code or Pagefind had made."""
        digest = hashlib.sha256()
        digest.update(f"{code_digest()}\0{_pagefind_version()}\0".encode())
        for path in sorted(records):
            digest.update(repr((path, records[path])).encode("utf-8", "surrogatepass"))
        return digest.hexdigest()

    def search_unchanged(self, records: dict[str, Any], site_dir: Path, bundle: str) -> bool:
        """Link the previous search bundle into ``site_dir`` when ``records`` are those it was built from.

        Returns:
            True when the bundle was reused (Pagefind need not run).
        """
        cached = self.folder / SEARCH_DIR
        if self.search_digest != self.records_digest(records) or not self.search_files:
            return False
        if self._search_from_spare(site_dir, bundle):
            return True
        try:
            present = sorted(p.relative_to(cached).as_posix() for p in cached.rglob("*") if p.is_file())
            if present != sorted(self.search_files) or any(
                    not _safe(name) or not isinstance(recorded, list) or not recorded
                    or not _as_recorded(cached / name, recorded[0], recorded[1:])
                    for name, recorded in self.search_files.items()):
                return False
            for name in sorted(self.search_files):
                self._link(cached / name, site_dir / bundle / name)
        except OSError:
            shutil.rmtree(site_dir / bundle, ignore_errors=True)
            return False
        return True

    def _search_from_spare(self, site_dir: Path, bundle: str) -> bool:
        """Move the spare site's search bundle into ``site_dir`` when it holds exactly the recorded
        files as recorded and nothing else (the same files as the cached bundle, see :meth:`_from_spare`)."""
        if self.spare is None or not _safe(bundle) or "/" in bundle:
            return False
        source = os.path.join(self.spare, bundle)
        try:
            wanted = {}
            for name, recorded in self.search_files.items():
                if not _safe(name) or not isinstance(recorded, list) or len(recorded) != 4:
                    return False
                wanted[name] = recorded[1:]
            if not _exactly(source, wanted):
                return False
            os.rename(source, site_dir / bundle)
        except OSError:
            return False
        return True

    def save(self, records: dict[str, Any], site_dir: Path, bundle: str) -> None:
        """Write the manifest of this build and keep its search bundle; unused cached files are removed.
        Errors are ignored (the next build renders more)."""
        try:
            self._prune()
            cached = self.folder / SEARCH_DIR
            source = site_dir / bundle
            search_files = self.search_files
            if source.is_dir() and not _same_file(source / "pagefind-entry.json", cached / "pagefind-entry.json"):
                shutil.rmtree(cached, ignore_errors=True)
                search_files = {}
                for path in sorted(source.rglob("*")):
                    if path.is_file():
                        name = path.relative_to(source).as_posix()
                        self._link(path, cached / name)
                        search_files[name] = [_sha256(path), *_stamp(path)]
            data = {"format": FORMAT, "search": self.records_digest(records) if source.is_dir() else None,
                    "search_files": search_files if source.is_dir() else {}, "procedures": self.new_entries}
            self.folder.mkdir(parents=True, exist_ok=True)
            temporary = self.folder / f".{MANIFEST}.tmp"
            try:
                temporary.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
                os.replace(temporary, self.folder / MANIFEST)
            except OSError:
                temporary.unlink(missing_ok=True)  # no partial manifest left behind
                raise
        except OSError:
            return
        self.entries, self.new_entries, self.search_digest = self.new_entries, {}, data["search"]
        self.search_files = data["search_files"]


def _template_cache(folder: str) -> Any:
    """A :class:`jinja2.FileSystemBytecodeCache` of ``folder`` that never fails a build: a
    compiled template it cannot read or write (the folder removed, a full disk, a damaged
    file) is compiled from its source, as without a cache."""
    import jinja2

    class _TemplateCache(jinja2.FileSystemBytecodeCache):
        def load_bytecode(self, bucket: Any) -> None:
            try:
                super().load_bytecode(bucket)
            except Exception:  # noqa: BLE001 - unreadable or damaged: compiled again
                bucket.reset()

        def dump_bytecode(self, bucket: Any) -> None:
            try:
                super().dump_bytecode(bucket)
            except OSError:
                pass

    return _TemplateCache(folder)


def _make_folder(folder: str) -> None:
    """``mkdir -p folder``, from the folder up: one system call when its parent exists, which
    it mostly does (a procedure's pages are linked parents first). :func:`os.makedirs` looks
    at the parent first, and a rebuild makes a folder per page (38,000 at 2,000 × 10)."""
    try:
        os.mkdir(folder)
    except FileNotFoundError:
        parent = os.path.dirname(folder)
        if parent == folder:
            raise
        _make_folder(parent)
        try:
            os.mkdir(folder)
        except FileExistsError:  # made meanwhile by the other rendering process
            if not os.path.isdir(folder):
                raise
    except FileExistsError:
        if not os.path.isdir(folder):
            raise


@functools.lru_cache(maxsize=1)
def _pagefind_version() -> str:
    """The installed versions of Pagefind's packages (``pagefind``, ``pagefind_bin``), or "" when unknown."""
    from importlib.metadata import PackageNotFoundError, version

    found = []
    for name in ("pagefind", "pagefind_bin"):
        try:
            found.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            pass
    return ", ".join(found)


def _linked(procedure: Any, catalog: Any, replacers: Any) -> str:
    """What the page of ``procedure`` shows of other procedures (``generator.render.procedures``:
    the related ones and its replacement by code, name and status; those it replaces (whose
    ``replaced_by`` is its code) by code and name), as text for its key."""
    def shown(code: str) -> Any:
        other = catalog.procedure(code)
        return (code, other.name, other.status) if other is not None else (code,)

    return repr((tuple(shown(code) for code in procedure.related),
                 shown(procedure.replaced_by) if procedure.replaced_by else None,
                 tuple(sorted((p.code, p.name, p.status) for p in replacers))))


def revisions_digest(history: Any, code: str) -> str:
    """A digest of every revision of ``code`` in ``history`` (commit, dates, author, message,
    record: their :func:`repr`), kept in ``history.cache``, so the history kept between builds
    carries it (:func:`generator.site.compare_revisions` computes it on both cores); 1.2 s of a
    rebuild of 2,000 procedures × 10 revisions went into these ``repr``."""
    key = ("revisions_digest", code)
    digest = history.cache.get(key)
    if digest is None:
        digest = history.cache[key] = hashlib.sha256(repr(history.of(code)).encode("utf-8", "surrogatepass")).hexdigest()
    return digest


def _sha256(path: Any) -> str:
    """The SHA-256 of a file's bytes (hex)."""
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _stamp(path: Any) -> list[int]:
    """``[size, mtime_ns, inode]`` of a file (not following a link)."""
    return _stamp_of(os.lstat(path))


def _stamp_of(st: os.stat_result) -> list[int]:
    """The :func:`_stamp` of a file's ``lstat`` result."""
    return [st.st_size, st.st_mtime_ns, st.st_ino]


def _as_recorded(path: Any, digest: Any, stamp: list[Any]) -> bool:
    """True when ``path`` is a regular file (not a link) with the recorded ``stamp`` (:func:`_stamp`),
    or else with the recorded SHA-256 ``digest``; raises OSError when it cannot be read."""
    st = os.lstat(path)
    if not S_ISREG(st.st_mode):
        return False
    return (len(stamp) == 3 and _stamp_of(st) == stamp) or _sha256(path) == digest


def _unlink_links(folder: Path) -> None:
    """Remove the symbolic links among the entries of the cache ``folder``: a link named ``pages``,
    ``jinja``, ``pagefind`` or as a temporary file would lead the build's writes outside it (only a
    crafted cache has one; a link to the cache folder itself is the user's choice and is kept)."""
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_symlink():
                    os.unlink(entry.path)
    except OSError:
        pass


def _exactly(folder: str, files: dict[str, Any]) -> bool:
    """True when ``folder`` is a folder (not a symbolic link) holding exactly ``files`` (relative
    path → recorded stamp, :func:`_stamp`), each a regular file with that stamp, and nothing else:
    no other file, folder or link at any depth. One ``scandir`` per folder and one ``lstat`` per file."""
    if not S_ISDIR(os.lstat(folder).st_mode):
        return False
    folders = {os.path.dirname(path) for path in files}
    for path in list(folders):
        while path:
            path = os.path.dirname(path)
            folders.add(path)
    found, stack = 0, [""]
    while stack:
        relative = stack.pop()
        with os.scandir(os.path.join(folder, relative) if relative else folder) as entries:
            for entry in entries:
                name = f"{relative}/{entry.name}" if relative else entry.name
                if entry.is_dir(follow_symlinks=False):
                    if name not in folders:
                        return False
                    stack.append(name)
                    continue
                stamp = files.get(name)
                if stamp is None or len(stamp) != 3:
                    return False
                st = entry.stat(follow_symlinks=False)
                if not S_ISREG(st.st_mode) or _stamp_of(st) != stamp:
                    return False
                found += 1
    return found == len(files)


def own_folder(paths: list[str]) -> str | None:
    """``<a>/<b>`` when every one of ``paths`` (files of one procedure or decision page, relative
    to the site) is below that folder two levels down (``thu-tuc/<code>``), else None. Such
    folders are never inside one another."""
    if not paths:
        return None
    parts = paths[0].split("/")
    if len(parts) < 3:
        return None
    prefix = f"{parts[0]}/{parts[1]}/"
    return prefix[:-1] if all(path.startswith(prefix) for path in paths) else None


def _safe(path: Any) -> bool:
    """True for a plain relative path with forward slashes that stays inside its folder
    (no ``..``, no absolute path, no empty or ``.`` part): what the manifest may name."""
    if not isinstance(path, str) or not path or "\\" in path or "\0" in path:
        return False
    parts = path.split("/")
    return not path.startswith("/") and all(part not in ("", ".", "..") for part in parts)


def _unlink(path: str) -> None:
    """Remove the file ``path`` if it can be (errors are ignored)."""
    try:
        os.unlink(path)
    except OSError:
        pass


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False
