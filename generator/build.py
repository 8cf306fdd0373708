"""Build the site: the whole pipeline, top to bottom, behind ``tthc build``.

``tthc build`` runs MkDocs with the ``tthc`` plugin (``generator.plugin``),
exactly as ``mkdocs build`` does, so both give the same site:

1. load ``mkdocs.yml`` (the plugin reads and validates the catalog, reads
   its git history, renders every page in memory and the open-data files);
2. MkDocs + Material write the site into a temporary folder beside
   ``site_dir``; the plugin indexes it with Pagefind;
3. only when everything succeeded, the temporary folder is made
   world-readable (folders 755, files 644) and replaces ``site_dir`` (in one
   atomic exchange on Linux). A failed or killed build leaves the previous
   site untouched.

The site replaced is kept as ``.<site>-spare/``, from which the next build moves
the folders of the procedures it does not render again (:func:`_keep_spare`).

One build of a site runs at a time (``flock`` on the folder holding it);
the folders a killed build left (``.<site>-building-*``, ``.<site>-old-*``)
are removed by the next one. A full disk or a read-only folder is a
:class:`~generator.errors.BuildError` with the reason, never a traceback.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.errors import BuildError, CatalogInvalid, UsageError
from generator.i18n import _
from generator.progress import Progress, no_progress

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BuildResult:
    """What a build produced: the site folder, its pages and size in bytes, and how many
    procedures' pages it rendered and how many it reused from the cache (both None when
    Material rendered every page itself, ``TTHC_LAYOUT_ONCE=0``)."""

    site_dir: Path
    pages: int
    bytes: int
    procedures_rendered: int | None = None
    procedures_reused: int | None = None


def load_config(config_file: Path, catalog_dir: Path | None = None, site_dir: Path | None = None, **overrides):
    """Load ``mkdocs.yml`` with the ``tthc`` plugin pointed at ``catalog_dir``.

    Raises:
        UsageError: the config file is missing, or does not enable the plugin.
    """
    from mkdocs.config import load_config as mkdocs_load_config
    from mkdocs.exceptions import ConfigurationError

    if not config_file.is_file():
        raise UsageError(_("{config} not found: run from the repository root or pass --config-file").format(config=config_file))
    kwargs = dict(overrides)
    if site_dir is not None:
        kwargs["site_dir"] = str(site_dir)
    try:
        config = mkdocs_load_config(str(config_file), **kwargs)
    except ConfigurationError as err:
        raise UsageError(_("{config}: {reason}").format(config=config_file, reason=err)) from None
    if "tthc" not in config.plugins:
        raise UsageError(_("{config} does not enable the tthc plugin: add `plugins: [tthc]`").format(config=config_file))
    if catalog_dir is not None:
        config.plugins["tthc"].config.catalog = str(Path(catalog_dir).resolve())
    return config


def build_site(
    catalog_dir: Path | None,
    site_dir: Path,
    *,
    config_file: Path = Path("mkdocs.yml"),
    search: bool | None = None,
    history: bool | None = None,
    allow_shallow: bool | None = None,
    cache: bool = True,
    progress: Progress = no_progress,
) -> BuildResult:
    """Build the static site of the catalog into ``site_dir``, atomically.

    Args:
        catalog_dir: the catalog folder; None keeps the ``catalog`` option of
            ``mkdocs.yml`` (relative to that file).
        site_dir: where the site goes (replaced only on success).
        config_file: the MkDocs configuration.
        search: build the Pagefind index (None: as in ``mkdocs.yml``).
        history: read git history (None: as in ``mkdocs.yml``).
        allow_shallow: build from a shallow clone, dates before it unknown
            (None: as in ``mkdocs.yml`` or ``TTHC_ALLOW_SHALLOW=1``).
        cache: reuse the pages of procedures whose inputs did not change since the last
            build, from ``.<site>-cache/`` beside ``site_dir`` (:mod:`generator.cache`).
        progress: called with (pages written, pages of the site) as MkDocs writes them.

    Returns:
        A :class:`BuildResult`.

    Raises:
        CatalogInvalid: the catalog has errors (``err.report`` has them all).
        UsageError: missing config or catalog folder.
        BuildError: MkDocs or the plugin failed (the message says why).
    """
    site_dir = Path(site_dir).resolve()
    if catalog_dir is not None and not Path(catalog_dir).is_dir():
        raise UsageError(_("catalog folder not found: {folder} (pass --catalog DIR)").format(folder=catalog_dir))
    check_site_dir(site_dir, [Path(catalog_dir or "catalog"), config_file])
    try:
        site_dir.parent.mkdir(parents=True, exist_ok=True)
        lock = _lock(site_dir)
    except OSError as err:
        raise BuildError(_("cannot write beside {site}: {reason} (check the folder's permissions and free space; the "
                           "previous site is left as it was)").format(site=site_dir, reason=err.strerror)) from None
    try:
        _remove_leftovers(site_dir)
        return _build_locked(catalog_dir, site_dir, config_file, search, history, allow_shallow, cache, progress)
    finally:
        lock.close()


def _lock(site_dir: Path):
    """Hold an exclusive lock on ``site_dir``'s build for the whole build.

    The lock is a ``flock`` on an empty folder ``.<site>-lock/`` beside the site (kept,
    so it is stable across builds; ``/.site-*/`` in the template's ``.gitignore``
    covers it): builds of other sites in the same parent folder run side by side.

    Raises:
        BuildError: another build of the same site is running.
        OSError: the lock folder cannot be made.
    """
    import fcntl

    folder = site_dir.with_name(f".{site_dir.name}-lock")
    folder.mkdir(exist_ok=True)
    handle = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(handle)
        raise BuildError(_("another build of {site} is running; wait for it to finish (the previous site is left as it "
                           "was)").format(site=site_dir)) from None
    return _Lock(handle)


class _Lock:
    def __init__(self, handle: int) -> None:
        self.handle = handle

    def close(self) -> None:
        os.close(self.handle)  # releases the lock


def _remove_leftovers(site_dir: Path) -> None:
    """Delete ``.<site>-building-*`` and ``.<site>-old-*`` folders that killed builds, or the
    background removal of an earlier build not yet done, left (under the lock), in the background.

    Each is first renamed to ``.<site>-old-gone-*``, so this build's own staging folder (made
    after this) never matches, and a removal killed half way is found again next time. Only the
    names this module makes match (:data:`_LEFTOVER`): the folders of a site named
    ``<site>-old`` beside it (``.<site>-old-spare``, ``-cache``, ``-lock``) matched
    ``.<site>-old-*`` and were removed, while that site's build might be moving folders out of its
    spare into its new site."""
    import re

    leftover_name = re.compile(re.escape(f".{site_dir.name}-") + _LEFTOVER)
    try:
        names = sorted(os.listdir(site_dir.parent))
    except OSError:
        return
    for name in names:
        if not leftover_name.fullmatch(name):
            continue
        leftover = site_dir.with_name(name)
        if not leftover.is_dir() or leftover.is_symlink():
            continue
        if "-gone-" not in leftover.name:
            try:
                leftover = leftover.rename(_gone(site_dir))
            except OSError:
                continue  # removed meanwhile by the earlier build's remover
        _remove_in_background(leftover)


#: What follows ``.<site>-`` in the name of a folder a build leaves to be removed: its staging
#: folder (``building-`` and :func:`tempfile.mkdtemp`'s letters), an old site (``old-`` and the
#: same letters, :func:`_swap`), one being removed (``old-gone-`` and hex digits). No dash after
#: them, and not a site's own folder (``spare``, ``cache``, ``lock``): those of another site.
_LEFTOVER = r"(?:(?:building|old)-(?!(?:spare|cache|lock)$)[A-Za-z0-9_]+|old-gone-[0-9a-f]+)"


def _publishable(folder: Path) -> None:
    """Make the site world-readable: folders 755, files 644 (mkdtemp makes 700; a web server is another user).

    Under the usual umask (022 or 002) everything below the top folder was created that way
    already, so only the top folder is changed; a umask that takes read or search rights
    from group or others (e.g. 077) makes every entry be set.
    """
    folder.chmod(0o755)
    umask = os.umask(0)
    os.umask(umask)
    if not umask & 0o055:
        return
    for path in folder.rglob("*"):
        if path.is_symlink():
            continue
        path.chmod(0o755 if path.is_dir() else 0o644)


def site_size(folder: Path, known: dict[str, tuple[int, int]] | None = None) -> tuple[int, int]:
    """The number of ``index.html`` pages below ``folder`` and the bytes of all its files.

    Args:
        folder: the site.
        known: subfolders (``thu-tuc/1.000178``) whose pages and bytes the build already knows
            (:attr:`generator.site.Written.folders`): they are counted, not walked. Walking the
            210,000 files of 10,000 procedures took 3 s of a rebuild after one edit.
    """
    known = known or {}
    pages = sum(p for p, _b in known.values())
    size = sum(b for _p, b in known.values())
    stack = [(str(folder), "")]
    while stack:
        path, relative = stack.pop()
        with os.scandir(path) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    inner = f"{relative}{entry.name}"
                    if inner not in known:
                        stack.append((entry.path, f"{inner}/"))
                elif entry.is_file(follow_symlinks=False):
                    size += entry.stat(follow_symlinks=False).st_size
                    pages += entry.name == "index.html"
    return pages, size


def _drop_partial_cache(site_dir: Path, cache: bool, existed: bool) -> str:
    """After a failed build: remove the cache folder it created, or the temporary files it left in an
    older one (whose manifest still describes the last good build). Returns the note for the message."""
    folder = cache_dir(site_dir)
    if not cache:
        return ""
    if not existed:
        shutil.rmtree(folder, ignore_errors=True)
        return _("; the cache this build had started ({cache}) was removed").format(cache=folder)
    for leftover in folder.glob(".*.tmp") if folder.is_dir() else ():
        leftover.unlink(missing_ok=True)
    return _("; the cache ({cache}) keeps what the last good build stored").format(cache=folder)


def cache_dir(site_dir: Path) -> Path:
    """The incremental cache of the site at ``site_dir``: ``.<site>-cache/`` beside it."""
    return site_dir.with_name(f".{site_dir.name}-cache")


def _build_locked(catalog_dir: Path | None, site_dir: Path, config_file: Path, search: bool | None,
                  history: bool | None, allow_shallow: bool | None, cache: bool = True,
                  progress: Progress = no_progress) -> BuildResult:
    from mkdocs.commands.build import build
    from mkdocs.exceptions import Abort, MkDocsException

    had_cache = cache_dir(site_dir).exists()
    try:
        staging = Path(tempfile.mkdtemp(prefix=f".{site_dir.name}-building-", dir=site_dir.parent))
    except OSError as err:
        raise BuildError(_("cannot write beside {site}: {reason} (the previous site is left as it was)").format(
            site=site_dir, reason=err.strerror)) from None
    try:
        config = load_config(config_file, catalog_dir, staging)
        plugin = config.plugins["tthc"]
        if search is not None:
            plugin.config.search = search
        if history is not None:
            plugin.config.history = history
        if allow_shallow is not None:
            plugin.config.allow_shallow = allow_shallow
        plugin.progress = progress
        # MkDocs keeps one instance of the plugin for the life of the process (it has on_startup): a cache
        # set by an earlier build in this process (the tests, a library caller) must not serve this one
        plugin.cache = None
        if cache:
            from generator.cache import PageCache

            plugin.cache = PageCache(cache_dir(site_dir), spare=_spare(site_dir))
        quiet = _DropPluginErrors(plugin)
        logging.getLogger("mkdocs.commands.build").addFilter(quiet)
        try:
            build(config)
        except (Abort, MkDocsException) as err:
            if plugin.failure is not None:  # the library's own error, reported by the caller in its format
                raise plugin.failure from None
            raise BuildError(_("MkDocs failed: {reason}").format(reason=err)) from None
        finally:
            logging.getLogger("mkdocs.commands.build").removeFilter(quiet)
        _publishable(staging)
        old = _swap(staging, site_dir)
        if old is not None:
            _keep_spare(old, site_dir, cache)
    except OSError as err:  # full disk, read-only folder...: a message, the previous site kept
        shutil.rmtree(staging, ignore_errors=True)
        where = f" ({err.filename})" if getattr(err, "filename", None) else ""
        raise BuildError(_("cannot write the site: {reason}{where}; nothing was published: the previous site is left as it "
                           "was{cache_note} (free some space or fix the folder's permissions, then build again)").format(
            reason=err.strerror or err, where=where, cache_note=_drop_partial_cache(site_dir, cache, had_cache))) from None
    except BuildError as err:  # e.g. a page that could not be written (generator/site.py)
        shutil.rmtree(staging, ignore_errors=True)
        raise BuildError(_("{error}; nothing was published: the previous site is left as it was{cache_note}").format(
            error=err, cache_note=_drop_partial_cache(site_dir, cache, had_cache))) from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        _drop_partial_cache(site_dir, cache, had_cache)
        raise
    pages, size = site_size(site_dir, plugin.written.folders if plugin.written is not None else None)
    counts = plugin.plan.stages.counts if plugin.plan is not None else {}
    return BuildResult(site_dir=site_dir, pages=pages, bytes=size, procedures_rendered=counts.get("procedures_rendered"),
                       procedures_reused=counts.get("procedures_reused"))


def holds_site(folder: Path) -> bool:
    """True when ``folder`` holds a previous build: ``index.html`` and ``sitemap.xml`` at its top."""
    return (folder / "index.html").is_file() and (folder / "sitemap.xml").is_file()


def check_site_dir(site_dir: Path, keep: list[Path]) -> None:
    """Refuse a site folder whose replacement would destroy anything but an old site.

    The build replaces ``site_dir`` whole, so it must not be, or contain, the
    catalog, the configuration, a git repository or the working directory,
    and an existing folder must be empty or hold a previous build
    (``index.html`` and ``sitemap.xml`` at its top).

    Raises:
        UsageError: naming what would have been lost.
    """
    site_dir = site_dir.resolve()
    for inside in keep[:1]:  # the catalog: a site inside it would be read as catalog files
        if inside.resolve() in site_dir.parents:
            raise UsageError(_("refusing to build into {site}: it is inside the catalog folder {catalog}; choose a --site-dir outside "
                               "it").format(site=site_dir, catalog=inside))
    if any(part == ".git" for part in site_dir.parts):
        raise UsageError(_("refusing to build into {site}: it is inside a .git folder; choose another --site-dir").format(site=site_dir))
    if site_dir == Path(site_dir.anchor):
        raise UsageError(_("refusing to build into {site}: it is the root of the file system; the build replaces the "
                           "--site-dir folder whole with the new site, so give it a folder of its own, e.g. --site-dir site"
                           ).format(site=site_dir))
    protected = [(Path.cwd().resolve(), _("the working directory")), (Path.home().resolve(), _("your home folder")),
                 *((p.resolve(), _("the catalog") if i == 0 else _("the configuration file")) for i, p in enumerate(keep))]
    for path, what in protected:
        if path == site_dir or site_dir in path.parents:
            text = (_("refusing to build into {site}: it is {what}, and the build replaces the --site-dir folder whole with "
                      "the new site; choose a folder of its own, e.g. --site-dir site") if path == site_dir else
                    _("refusing to build into {site}: the build replaces that folder whole with the new site, and it holds "
                      "{what} {path}; choose a folder of its own, e.g. --site-dir site"))
            raise UsageError(text.format(site=site_dir, what=what, path=path))
    if not site_dir.exists():
        return
    if not site_dir.is_dir():
        raise UsageError(_("refusing to build into {site}: it is a file; choose another --site-dir").format(site=site_dir))
    if (site_dir / ".git").exists():
        raise UsageError(_("refusing to build into {site}: it is a git repository; choose another --site-dir").format(site=site_dir))
    if any(site_dir.iterdir()) and not holds_site(site_dir):
        raise UsageError(_("refusing to build into {site}: it is not empty and does not hold a previous site; empty it or choose "
                           "another --site-dir").format(site=site_dir))


class _DropPluginErrors(logging.Filter):
    """Keeps MkDocs from logging the plugin's error, which ``build_site`` raises itself."""

    def __init__(self, plugin) -> None:
        super().__init__()
        self.plugin = plugin

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.levelno >= logging.ERROR and self.plugin.failure is not None)


def _swap(staging: Path, site_dir: Path) -> Path | None:
    """Put ``staging`` in place of ``site_dir``; where the old site now is (None: there was none).

    On Linux the two folders are exchanged in one step (``renameat2`` with
    ``RENAME_EXCHANGE``), so a kill at any moment leaves a complete site at
    ``site_dir``; elsewhere (or on a file system without it) two renames on
    one file system. The old site ends in a ``.<site>-building-*`` or
    ``.<site>-old-*`` folder, which the next build removes if it is still there.
    """
    if site_dir.exists() and _exchange(staging, site_dir):
        return staging  # now the old site
    old = None
    if site_dir.exists():
        old = site_dir.with_name(f".{site_dir.name}-old-{staging.name.rsplit('-', 1)[-1]}")
        site_dir.rename(old)
    staging.rename(site_dir)
    return old


def _spare_path(site_dir: Path) -> Path:
    """Where the spare site of ``site_dir`` is kept: ``.<site>-spare/`` beside it (:func:`_keep_spare`)."""
    return site_dir.with_name(f".{site_dir.name}-spare")


def _spare(site_dir: Path) -> Path | None:
    """The spare site of ``site_dir`` (:func:`_spare_path`), when there is one: a folder, not a link."""
    spare = _spare_path(site_dir)
    return spare if spare.is_dir() and not spare.is_symlink() else None


def _gone(site_dir: Path) -> Path:
    """A new name for a folder of ``site_dir``'s to be removed: ``.<site>-old-gone-<hex>`` (:data:`_LEFTOVER`)."""
    import uuid

    return site_dir.with_name(f".{site_dir.name}-old-gone-{uuid.uuid4().hex[:8]}")


def _keep_spare(old: Path, site_dir: Path, cache: bool) -> None:
    """Keep the site just replaced (``old``) as the spare of the next build, and remove the spare
    this build used (what it did not move into the new site) in a background process
    (:func:`_remove_in_background`: the new site is in place, so the build need not wait).

    Most files of the old site are links of the cache's files, so the spare costs little disk.
    The next build moves a procedure's whole folder from it when its files are still the cached
    ones (:meth:`generator.cache.PageCache.reuse`): one ``rename``, where linking its pages into
    a new site took a ``mkdir`` per page and a ``link`` per file (30,000 procedures and pages
    of 10,000 procedures: most of a rebuild after one edit). Without the cache, the old site is
    only removed. Nothing here fails the build, which is published already.
    """
    try:
        used = _spare(site_dir)
        if used is not None:
            _remove_in_background(used.rename(_gone(site_dir)))
        if cache:
            old.rename(_spare_path(site_dir))
            return
    except OSError:
        pass
    _remove_in_background(old)


def _remove_in_background(folder: Path) -> None:
    """Delete ``folder`` (an old site) in a detached process; in this one if that cannot start.

    Removing a site of 9,000 files took a second of a rebuild that changed one page; the
    next build's :func:`_remove_leftovers` removes what a killed remover left."""
    import subprocess
    import sys

    try:
        subprocess.Popen([sys.executable, "-c", "import shutil, sys; shutil.rmtree(sys.argv[1], ignore_errors=True)",
                          str(folder)], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, start_new_session=True, close_fds=True)
    except OSError:
        shutil.rmtree(folder, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    """Atomically exchange two paths (Linux ``renameat2(RENAME_EXCHANGE)``); False when not available."""
    import ctypes
    import sys

    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    return renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0


def serve_site(catalog_dir: Path | None, *, config_file: Path = Path("mkdocs.yml"), dev_addr: str | None = None) -> None:
    """Serve the site with live reload (``mkdocs serve`` with the plugin), until interrupted.

    The catalog folder reaches the plugin through ``TTHC_CATALOG``, which
    ``mkdocs.yml`` reads (``catalog: !ENV [TTHC_CATALOG, catalog]``), because
    MkDocs' server reloads the configuration itself on every change.

    Raises:
        UsageError: missing config or catalog folder.
    """
    import os

    from mkdocs.commands.serve import serve

    if catalog_dir is not None:
        if not Path(catalog_dir).is_dir():
            raise UsageError(_("catalog folder not found: {folder} (pass --catalog DIR)").format(folder=catalog_dir))
        os.environ["TTHC_CATALOG"] = str(Path(catalog_dir).resolve())
    load_config(config_file)  # fail early, with a plain message, on a bad config
    previous = _stop_on_sigterm()
    try:
        serve(str(config_file), **({"dev_addr": dev_addr} if dev_addr else {}))
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _stop_on_sigterm() -> Any:
    """Make SIGTERM (how systemd, Docker and editors stop a server) stop ``serve`` as Ctrl-C does,
    so that MkDocs removes its temporary site and the exit handlers the page cache; by default it
    ended the process at once and left both. The previous handler (None off the main thread,
    where no handler can be set)."""
    import threading

    if threading.current_thread() is not threading.main_thread():
        return None

    def interrupt(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    return signal.signal(signal.SIGTERM, interrupt)
