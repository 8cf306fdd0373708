"""The build pipeline, top to bottom: read → history → stats → render → write → index.

``tthc build`` and ``mkdocs build`` run the same pipeline through the MkDocs
plugin (:mod:`generator.plugin`, an adapter from MkDocs' events to the
functions here):

1. :func:`prepare` (MkDocs ``on_pre_build``, before anything is written):
   read and validate the catalog (:func:`generator.catalog.read_catalog`),
   read its git history (:func:`generator.history.read_history`), compare
   each revision with the previous one (:func:`compare_revisions`, both
   cores), compute the
   dashboard's statistics (:func:`generator.stats.compute_stats`), start the
   open-data files (made by a forked process into a temporary folder while
   everything else is done: :class:`_InBackground`), the Atom
   feeds and the charts, render the pages of the
   navigation (home, index pages, dashboard: few, and MkDocs + Material
   build them), claim the decision pages' URLs, and check every
   procedure's references and URLs, so that a catalog that cannot be built
   fails here, before any file is written;
2. MkDocs + Material build those pages and the layout pages
   (:mod:`generator.render.layout`);
3. :func:`write_procedure_pages` (``on_post_build``): every procedure's page,
   history page, revision and compare pages, and every decision's page
   (``quyet-dinh/<slug>/``, not in the navigation), are rendered and written
   into the site as they are rendered, in the layout Material made, by this
   process and forked ones (one per core in all; ``TTHC_WORKERS=1`` renders in
   this process only), each writing its own procedures' files; the output is
   byte for byte that of a serial run. With a :class:`~generator.cache.PageCache`,
   the pages of a procedure whose inputs did not change, and the decision pages
   that show what they showed, are linked from the cache by the same processes
   instead of being rendered again, and the pages rendered are kept in it;
4. :func:`write_open_data`: the open-data files are moved into the site, and
   their sizes filled into the open-data page;
5. :func:`finish_site`: ``sitemap.xml`` gets those pages, and Pagefind
   indexes the search records the render stage made (:mod:`generator.search`),
   only when they changed since the previous site's index.

Each stage's wall time and peak memory is recorded (:class:`Stages`); with
``TTHC_STAGE_REPORT=FILE`` they are written to FILE as JSON
(``{"stages": [{"name", "seconds", "peak_rss_bytes", "rss_bytes"}, …], "counts": {…}}``), which
``benchmarks/`` reads.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import tempfile
import time
from collections.abc import Mapping
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from generator.cache import own_folder
from generator.errors import BuildError
from generator.i18n import _
from generator.parallel import end_with_parent, share_chunks

#: Environment variable: write the stage report (JSON) to this file.
STAGE_REPORT_ENV = "TTHC_STAGE_REPORT"
#: Below this many procedures the pages are rendered in this process (a pool costs more than it saves).
PARALLEL_MIN_PROCEDURES = 200
#: The loaded procedure files are kept in the cache again from this many newly loaded ones (:func:`_read_catalog`).
KEEP_LOADED_FROM = 20
#: The history is packed before the rendering processes are forked when at least this many
#: procedures are rendered (:meth:`generator.history.History.pack`; a rebuild of a few reuses the rest).
PACK_FROM = 500


@dataclass(frozen=True)
class Stage:
    """One stage of a build: its name, wall time (s), the peak resident memory so far (bytes, of
    this process and the children waited for) and this process's resident memory at its end
    (bytes; 0 where ``/proc`` is missing), which says what the stage left held."""

    name: str
    seconds: float
    peak_rss_bytes: int
    rss_bytes: int = 0


@dataclass
class Stages:
    """The stages of one build, in order (see the module docstring)."""

    stages: list[Stage] = field(default_factory=list)
    #: Counts of the build, e.g. ``{"procedures_rendered": 1, "procedures_reused": 1522, "search_reused": 1}``.
    counts: dict[str, int] = field(default_factory=dict)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """Time the block as stage ``name``; peak memory is the largest of this
        process and of the child processes waited for (the pool, Pagefind)."""
        start = time.perf_counter()
        try:
            yield
        finally:
            self.add(name, time.perf_counter() - start)

    def add(self, name: str, seconds: float) -> None:
        """Record a stage of ``seconds`` that ends now (also one timed elsewhere: MkDocs' own
        build, between two plugin events), with the peak memory so far."""
        peak = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                   resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) * 1024
        self.stages.append(Stage(name, seconds, peak, _resident()))

    def write_report(self) -> None:
        """Write the stages to ``$TTHC_STAGE_REPORT`` as JSON, when it is set (errors are ignored:
        a benchmark's report never fails a build)."""
        target = os.environ.get(STAGE_REPORT_ENV)
        if not target:
            return
        data = {"stages": [{"name": s.name, "seconds": round(s.seconds, 4), "peak_rss_bytes": s.peak_rss_bytes,
                            "rss_bytes": s.rss_bytes}
                           for s in self.stages], "counts": self.counts}
        try:
            Path(target).write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
        except OSError:
            pass


def _resident() -> int:
    """This process's resident memory now (bytes, ``/proc/self/statm``), or 0."""
    try:
        with open("/proc/self/statm", "rb") as handle:
            return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


@dataclass
class SitePlan:
    """What :func:`prepare` read and rendered, for the later stages.

    Attributes:
        catalog: the validated :class:`~generator.model.Catalog`.
        report: its validation report (warnings only).
        history: the :class:`~generator.history.History`, or None (no git, or history off).
        pages: the pages MkDocs builds (home, index pages, dashboard), by source URI.
        exports: the open-data files' sizes by name (``catalog.csv``…: bytes), made meanwhile by
            another process into a temporary folder (the first look waits; :func:`write_open_data`
            moves them into the site).
        feeds: Atom feeds by site path: XML text.
        charts: dashboard charts by site path: SVG bytes.
        renderer: the :class:`~generator.render.procedures.ProcedureRenderer` of the procedure pages.
        stages: the stages timed so far.
        decisions: the decision pages (:class:`~generator.render.dashboard.DecisionPage`), rendered
            by :func:`write_procedure_pages` (not by MkDocs: they are not in the navigation).
    """

    catalog: Any
    report: Any
    history: Any
    pages: dict[str, Any]
    exports: Any
    feeds: dict[str, str]
    charts: dict[str, bytes]
    renderer: Any
    stages: Stages
    decisions: list[Any] = field(default_factory=list)


def prepare(catalog_dir: Path, *, history: bool = True, allow_shallow: bool | None = None,
            site_url: str | None = None, feedback_url: str | None = None, repo_url: str | None = None,
            on_history_missing: Any = None, memo: dict | None = None, cache: Any = None,
            processes: int | None = None) -> SitePlan:
    """Stages 1–5 of the pipeline: everything but writing the procedures' pages.

    Args:
        catalog_dir: the catalog folder.
        history: read git history (a folder outside git gives no history).
        allow_shallow: build from a shallow clone (None: ``TTHC_ALLOW_SHALLOW``).
        site_url: the site's absolute address, or None.
        feedback_url: the "Phản ánh, kiến nghị" address template, or None.
        repo_url: the catalog's repository (named on the "Đóng góp" page), or None.
        on_history_missing: called with the :class:`~generator.errors.NotARepository`
            error when the catalog is not in git (the site is then built without history).
        memo: a dict kept between builds of one process (``tthc serve``): the history
            is read again only when ``HEAD``, ``agencies.yaml`` or ``cost-basis.yaml`` changed
            (it is read from commits, so an edit in the working tree does not change it), and
            the open-data files are made again only when the catalog changed.
        cache: the build's :class:`~generator.cache.PageCache`: the same, kept on disk between
            ``tthc build`` runs.
        processes: processes comparing revisions (None: :func:`workers`; ``tthc serve``: 1).

    Returns:
        The :class:`SitePlan`.

    Raises:
        CatalogInvalid: the catalog has errors (``err.report`` has them all).
        TthcError: the history cannot be read, or a reference or URL does not resolve
            (:class:`~generator.errors.BuildError`).
    """
    from generator.render import environment

    stages = Stages()

    # the site's templates, compiled once per cache: this build's (the process's environment is
    # kept between builds, and an earlier build's cache folder may be gone)
    environment().bytecode_cache = cache.templates() if cache is not None else None
    with stages.stage("read and validate the catalog"):
        catalog, report = _read_catalog(catalog_dir, memo, cache)
    # the open-data files (a second of a rebuild) are made by another process meanwhile, into a
    # temporary folder (write_open_data moves them into the site)
    folder = Path(tempfile.mkdtemp(prefix="tthc-open-data-"))
    exports = _FileSizes(_InBackground(lambda: _written(_exports(catalog, memo.setdefault("exports", {}) if memo is not None
                                                                  else None, cache), folder),
                                       _process_count(len(catalog.procedures), processes)), stages, folder)
    try:
        return _prepare_rest(catalog, report, exports, stages, catalog_dir, history=history, allow_shallow=allow_shallow,
                             site_url=site_url, feedback_url=feedback_url, repo_url=repo_url,
                             on_history_missing=on_history_missing, memo=memo, cache=cache, processes=processes)
    except BaseException:
        exports.close()  # the build stopped: so does the process making the open data
        raise


def _prepare_rest(catalog: Any, report: Any, exports: _FileSizes, stages: Stages, catalog_dir: Path, *, history: bool,
                  allow_shallow: bool | None, site_url: str | None, feedback_url: str | None, repo_url: str | None,
                  on_history_missing: Any, memo: dict | None, cache: Any, processes: int | None) -> SitePlan:
    """:func:`prepare` after the catalog is read and its open data started (the arguments are its own)."""
    from generator.errors import NotARepository
    from generator.render import site_pages
    from generator.render.dashboard import decision_pages
    from generator.render.history import render_feeds
    from generator.render.indexes import OPEN_DATA_FILES, size_placeholder
    from generator.render.procedures import ProcedureRenderer
    from generator.render.urls import UrlRegistry
    from generator.stats import compute_stats

    revisions = None
    if history:
        with stages.stage("read the history"):
            try:
                revisions, history_key = read_catalog_history(Path(catalog_dir), allow_shallow,
                                                       memo.setdefault("history", {}) if memo is not None else None,
                                                       cache)
            except NotARepository as err:  # a catalog outside git: a site without dates, on purpose
                if on_history_missing is not None:
                    on_history_missing(err)
    if revisions is not None:
        with stages.stage("compare the revisions"):
            if compare_revisions(revisions, processes) and cache is not None and history_key is not None:
                cache.keep("history", history_key, revisions)
    with stages.stage("statistics"):
        stats = compute_stats(catalog, revisions)
    with stages.stage("render the index pages"):
        registry = UrlRegistry()
        renderer = ProcedureRenderer(catalog, revisions, site_url, feedback_url)
        for procedure in catalog.procedures:
            renderer.check(procedure, registry)
        feeds = render_feeds(catalog, revisions, site_url=site_url or "")  # (before the pages: no URL to claim)
        charts = _charts(stats, memo.setdefault("charts", {}) if memo is not None else None, cache)
        # the open-data page's sizes are filled in once the files are made (write_open_data)
        sizes = {name: size_placeholder(name) for name, _format, _about in OPEN_DATA_FILES}
        pages = site_pages(catalog, revisions, registry, file_sizes=sizes, stats=stats, feedback_url=feedback_url,
                           repo_url=repo_url, decisions=False)
        decisions = decision_pages(stats, registry, catalog)
    return SitePlan(catalog=catalog, report=report, history=revisions, pages={p.src_uri: p for p in pages},
                    exports=exports, feeds=feeds, charts=charts, renderer=renderer, stages=stages,
                    decisions=decisions)


class _InBackground:
    """``function()`` computed by a forked process while this one goes on, when ``processes`` > 1
    (else here and now); :meth:`result` gives its value, or raises its exception, and
    :meth:`close` stops the process when the build stops first. A process that dies (killed,
    out of memory) or whose answer cannot be read back only means computing it here."""

    def __init__(self, function: Any, processes: int) -> None:
        self.function, self.process, self.receiver = function, None, None
        if processes <= 1:
            self.value = function()
            return
        import gc
        import multiprocessing

        context = multiprocessing.get_context("fork")
        self.receiver, sender = context.Pipe(duplex=False)
        _BACKGROUND["function"] = function  # inherited by the forked process, never pickled
        gc.freeze()  # no collection in the child copies the catalog it shares (see _fork_map)
        try:
            self.process = context.Process(target=_background_call, args=(sender, os.getpid()), daemon=True)
            self.process.start()
        finally:
            gc.unfreeze()
            _BACKGROUND.clear()
            sender.close()

    def result(self) -> Any:
        if self.process is None:
            return self.value
        try:
            ok, value = self.receiver.recv()
        except Exception:  # noqa: BLE001 - died, or an answer that cannot be unpickled: compute it here
            ok, value = None, None
        finally:
            self.close()
        if ok is None:
            value = self.function()
        elif not ok:
            raise value
        self.value = value
        return value

    def close(self) -> None:
        """Stop the process (when still running) and wait for it; nothing when there is none."""
        if self.process is None:
            return
        if self.process.is_alive():
            self.process.terminate()
        self.process.join()
        self.receiver.close()
        self.process = None


_BACKGROUND: dict[str, Any] = {}


def _background_call(sender: Any, parent: int) -> None:
    """The forked process of :class:`_InBackground`: ``(True, value)`` or ``(False, exception)``;
    it ends with the build's process ``parent`` (:func:`~generator.parallel.end_with_parent`)."""
    end_with_parent(parent)
    try:
        answer = (True, _BACKGROUND["function"]())
    except BaseException as err:  # noqa: BLE001 - given to the build process, which raises it
        answer = (False, err)
    try:
        sender.send(answer)
    except Exception:  # noqa: BLE001 - an answer that cannot be pickled: the build computes it itself
        pass
    finally:
        sender.close()


def _written(files: dict[str, bytes], folder: Path) -> dict[str, int]:
    """Write ``files`` (name -> bytes) into ``folder``; their sizes (name -> bytes). In the process
    making the open data, so that only the sizes are sent back (80 MB of files at 10,000)."""
    for name, content in files.items():
        (folder / name).write_bytes(content)
    return {name: len(content) for name, content in files.items()}


class _FileSizes(Mapping):
    """The bytes of each open-data file (``name -> int``), made into :attr:`folder` by another
    process (:class:`_InBackground`); the first look waits for them and times the wait as a
    stage; :meth:`close` stops that process when the build stops first, and removes the folder."""

    def __init__(self, job: _InBackground, stages: Stages, folder: Path) -> None:
        self.job, self.stages, self.folder, self._files = job, stages, folder, None

    def close(self) -> None:
        self.job.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    def files(self) -> dict[str, int]:
        """The open-data files' sizes by name (bytes)."""
        if self._files is None:
            start = time.perf_counter()
            self._files = self.job.result()
            self.stages.add("open data (made meanwhile; the wait)", time.perf_counter() - start)
        return self._files

    def __getitem__(self, name: str) -> int:
        return self.files()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.files())

    def __len__(self) -> int:
        return len(self.files())


def _read_catalog(catalog_dir: Path, memo: dict | None, cache: Any) -> tuple[Any, Any]:
    """:func:`generator.catalog.read_catalog`, reusing the procedure files loaded by the last
    build (``memo`` in this process, else ``cache`` on disk) that are unchanged on disk.

    The files are kept on disk again only when at least :data:`KEEP_LOADED_FROM` (or 1%, or all)
    of them were loaded anew: after an edit or two the next build loads those few files again,
    where writing the 120 MB of 10,000 loaded files took a second of every rebuild."""
    from generator.cache import code_digest
    from generator.catalog import read_catalog

    if memo is None and cache is None:
        return read_catalog(catalog_dir)
    key = code_digest()
    kept = memo.get("files") if memo is not None else None
    if kept is None or kept[0] != key:
        kept = (key, (cache.load("catalog-files", key) if cache is not None else None) or {})
    files = kept[1]
    before = set(files)
    try:
        return read_catalog(catalog_dir, memo=files)
    finally:
        if memo is not None:
            memo["files"] = kept
        new = len(files.keys() - before)
        if cache is not None and new and new >= min(len(files), max(KEEP_LOADED_FROM, len(files) // 100)):
            cache.keep("catalog-files", key, files)


def compare_revisions(history: Any, processes: int | None = None) -> int:
    """Diff every revision with the one before it (:func:`generator.render.history.revision_diffs`),
    in parallel, and keep the results in the history (the home page, feeds, statistics and
    history pages all use them). The result is that of a serial run.

    Returns:
        The number of procedures whose revisions were compared (0: all were already).
    """
    from generator.render.history import remember_revision_diffs

    codes = [code for code in history.codes() if ("revision_changes", code) not in history.cache
             and code not in history.packed]
    count = _process_count(len(codes), processes)
    _JOB.update(history=history, codes=codes)
    try:
        results = _fork_map(_diff_chunk, _chunks(list(range(len(codes))), count), count)
    finally:
        _JOB.clear()
    for chunk in results:
        for index, diffs, digest in chunk:
            remember_revision_diffs(history, codes[index], diffs)
            history.cache[("revisions_digest", codes[index])] = digest
    return len(codes)


def _diff_chunk(indices: list[int]) -> list[tuple[int, list[Any], str]]:
    """The revision diffs of the codes at ``indices``, with their :func:`~generator.cache.revisions_digest`."""
    from generator.cache import revisions_digest
    from generator.render.history import revision_diffs

    history, codes = _JOB["history"], _JOB["codes"]
    return [(index, revision_diffs(history, codes[index]), revisions_digest(history, codes[index])) for index in indices]


def _fork_map(function: Any, chunks: list[list[int]], processes: int) -> list[Any]:
    """``[function(chunk) for chunk in chunks]``, by ``processes`` forked processes when more than one
    (they inherit :data:`_JOB`; results come back in order).

    Not :func:`generator.parallel.ordered_map`, which pickles its items and may start its
    workers from a fork server: the catalog, its history and the layouts are far too large to
    send to every worker, so these workers must be forked to inherit them. ``tthc serve``
    (whose threads make forking unsafe) renders in one process instead.

    Memory: this process works too (``processes - 1`` are forked), taking the chunks from the
    end that no worker has started (:func:`~generator.parallel.share_chunks`, as ordered_map): each
    forked process comes to hold its own copy of the parts of the history it reads (CPython
    writes reference counts into every object it touches), so one fewer process is one copy
    fewer. The objects are frozen out of the garbage collector's reach while the workers run
    (:func:`gc.freeze`, as Python's documentation advises before a fork), so no collection
    makes them copy the rest."""
    if processes > 1 and len(chunks) > 1:
        import gc
        import multiprocessing

        gc.freeze()
        try:
            with ProcessPoolExecutor(processes - 1, mp_context=multiprocessing.get_context("fork"),
                                     initializer=end_with_parent, initargs=(os.getpid(),)) as pool:
                return share_chunks(pool, chunks, lambda chunk: pool.submit(function, chunk), function)
        finally:
            gc.unfreeze()
    return [function(chunk) for chunk in chunks]


def _remembered(name: str, key: str, compute: Any, memo: dict | None, cache: Any, keep: bool = True) -> Any:
    """``compute()``, or what ``memo`` (this process) or ``cache`` (on disk) holds under ``key``;
    a value computed is kept in both (in ``cache`` only with ``keep``)."""
    if memo is not None and memo.get("key") == key:
        return memo["value"]
    value = cache.load(name, key) if cache is not None else None
    if value is None:
        value = compute()
        if keep and cache is not None:
            cache.keep(name, key, value)
    if memo is not None:
        memo["value"], memo["key"] = value, key
    return value


def _charts(stats: Any, memo: dict | None, cache: Any) -> dict[str, bytes]:
    """:func:`generator.render.dashboard.chart_files`, through ``memo`` and ``cache`` (keyed by
    :func:`~generator.render.dashboard.chart_key` and the generator's code): matplotlib took a
    second of a rebuild whose edit changed no figure."""
    from generator.cache import code_digest
    from generator.render.dashboard import chart_files, chart_key

    if memo is None and cache is None:
        return chart_files(stats)
    return _remembered("charts", code_digest() + chart_key(stats), lambda: chart_files(stats), memo, cache)


def _exports(catalog: Any, memo: dict | None, cache: Any = None) -> dict[str, bytes]:
    """:func:`generator.export.export_catalog`, through ``memo`` and ``cache`` (keyed by the
    catalog's content and the generator's code) when given."""
    import hashlib

    from generator.cache import code_digest
    from generator.export import export_catalog

    if memo is None and cache is None:
        return export_catalog(catalog)
    key = hashlib.sha256((code_digest() + repr(catalog)).encode("utf-8", "surrogatepass")).hexdigest()
    return _remembered("open-data", key, lambda: export_catalog(catalog), memo, cache)


def read_catalog_history(catalog_dir: Path, allow_shallow: bool | None, memo: dict | None,
                         cache: Any = None) -> tuple[Any, str | None]:
    """:func:`generator.history.read_history` of the catalog, through ``memo`` and ``cache`` when
    given; with the key it was kept under (None: not kept). The caller keeps it in ``cache``
    once its revisions are compared (:func:`compare_revisions`), so the diffs are kept too."""
    import hashlib

    from generator.cache import code_digest
    from generator.git import repo_info, resolve_ref
    from generator.history import read_history

    def read() -> Any:
        return read_history(catalog_dir, catalog_subdir=".", allow_shallow=allow_shallow)

    head = resolve_ref(catalog_dir, "HEAD") if memo is not None or cache is not None else None
    if head is None:  # no caches, or not a repository, or no commit (read_history says which)
        return read(), None
    digest = hashlib.sha256(code_digest().encode())
    info = repo_info(catalog_dir)
    digest.update(repr((info.root, info.prefix, info.shallow)).encode())
    for name in ("agencies.yaml", "cost-basis.yaml"):  # read from disk by read_history
        try:
            digest.update((catalog_dir / name).read_bytes())
        except OSError:
            digest.update(b"-")
    key = repr((str(catalog_dir.resolve()), head, allow_shallow, os.environ.get("TTHC_ALLOW_SHALLOW"), digest.hexdigest()))
    return _remembered("history", key, read, memo, cache, keep=False), key


@dataclass(frozen=True)
class WrittenPage:
    """A page :func:`write_procedure_pages` wrote: its URL and last-change date (ISO) or None."""

    url: str
    update_date: str | None


@dataclass
class Written:
    """What :func:`write_procedure_pages` wrote.

    Attributes:
        pages: every page written or reused, by URL.
        records: the search record of each searchable page, by its file path in the site
            (``thu-tuc/1.000178/index.html``).
        rendered: procedures whose pages were rendered; the others were reused from the cache.
        folders: the folder holding all of one procedure's (or decision page's) files and only
            them (``thu-tuc/<code>``, :func:`~generator.cache.own_folder`): its pages and bytes, so
            the build's summary need not walk 200,000 files again (:func:`generator.build.site_size`).
    """

    pages: list[WrittenPage] = field(default_factory=list)
    records: dict[str, Any] = field(default_factory=dict)
    rendered: int = 0
    folders: dict[str, tuple[int, int]] = field(default_factory=dict)


def _process_count(items: int, processes: int | None) -> int:
    """``processes`` (None: :func:`workers`), or 1 below :data:`PARALLEL_MIN_PROCEDURES` items."""
    return 1 if items < PARALLEL_MIN_PROCEDURES else (processes or workers())


def workers() -> int:
    """Processes for comparing revisions and rendering pages: :func:`generator.parallel.worker_count`
    (``$TTHC_WORKERS``, this process included, else the cores this process may use).

    Raises:
        UsageError: ``TTHC_WORKERS`` is not a whole number of at least 1.
    """
    from generator.parallel import worker_count

    return worker_count()


#: What the rendering processes need, set before they are forked (inherited, never pickled).
_JOB: dict[str, Any] = {}


def write_procedure_pages(plan: SitePlan, site_dir: Path, layouts: Any, *, cache: Any = None,
                          processes: int | None = None) -> Written:
    """Stage 6: render and write every procedure's pages, then the decision pages
    (``plan.decisions``), into ``site_dir``.

    Args:
        plan: from :func:`prepare`.
        site_dir: the site folder MkDocs wrote.
        layouts: the :class:`~generator.render.layout.Layouts` of this build.
        cache: a :class:`~generator.cache.PageCache`, or None to render everything. A decision
            page is kept in it under its URL, keyed by what it shows (:meth:`~generator.cache.PageCache.page_keys`).
        processes: rendering processes (None: :func:`workers`); ``tthc serve`` gives 1
            (its server's threads make forking unsafe, and it renders one procedure at a time).

    Returns:
        :class:`Written`, in the order of the catalog (by code), then of the decisions, whatever
        the number of processes. The stage report counts the procedures and the decision pages
        rendered and reused (``procedures_rendered``, ``decisions_reused``…), and those of both whose
        folder was moved from the spare site (``pages_moved``, :meth:`~generator.cache.PageCache.reuse`).

    Raises:
        BuildError: a page cannot be rendered or written (the message names it).
    """
    procedures, decisions = plan.catalog.procedures, plan.decisions
    count = _process_count(len(procedures), processes)
    keys = cache.keys(plan, layouts) if cache is not None else None
    if cache is not None:
        keys = keys + cache.page_keys(layouts, [decision.key_text() for decision in decisions])
    names = [p.code for p in procedures] + [decision.url for decision in decisions]
    packed = count > 1 and plan.history is not None and _rendered(cache, names, keys) >= PACK_FROM
    if packed:
        plan.history.pack()  # (its objects freed before the fork: generator.history.History.pack)
        _release_freed_memory()
    _JOB.update(plan=plan, site_dir=site_dir, layouts=layouts, cache=cache, keys=keys, names=names)
    try:  # reused pages are linked by the same processes (a link is 70 µs on an overlay file system)
        results = _fork_map(_render_chunk, _chunks(list(range(len(names))), count), count)
    finally:
        _JOB.clear()
    groups = {index: (group, reused, entry) for chunk in results for index, group, reused, entry in chunk}
    written = Written(rendered=sum(1 for index, (_group, reused, _entry) in groups.items()
                                   if not reused and index < len(procedures)))
    decisions_rendered = sum(1 for index, (_group, reused, _entry) in groups.items() if not reused and index >= len(procedures))
    plan.stages.counts.update(procedures_rendered=written.rendered, procedures_reused=len(procedures) - written.rendered,
                              decisions_rendered=decisions_rendered, decisions_reused=len(decisions) - decisions_rendered,
                              pages_moved=sum(1 for group, _reused, _entry in groups.values() if group.moved),
                              processes=count, history_packed=int(packed))
    for index in range(len(names)):
        if index not in groups:
            continue
        group, reused, entry = groups[index]
        folder = own_folder(group.files)
        if folder is not None:
            written.folders[folder] = (sum(1 for path in group.files if path.rsplit("/", 1)[-1] == "index.html"),
                                       group.bytes)
        written.pages += group.pages
        written.records.update(group.records)
        if cache is not None and (reused or entry is not None):
            cache.adopt(names[index], entry)
    return written


@dataclass
class PageGroup:
    """The pages of one procedure (or one decision page): each page written, the search records,
    and each file's path in the site."""

    pages: list[WrittenPage] = field(default_factory=list)
    records: dict[str, Any] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    #: The SHA-256 (hex) of each file's bytes, as written (none for reused pages).
    digests: list[str] = field(default_factory=list)
    #: Reused pages whose folder was moved from the spare site (:meth:`~generator.cache.PageCache.reuse`).
    moved: bool = False
    #: The size of its files (bytes).
    bytes: int = 0


def _release_freed_memory() -> None:
    """Give the C library's free memory back to the system (glibc ``malloc_trim``; elsewhere
    nothing): after :meth:`~generator.history.History.pack`, about 20 MB at 2,000 × 10 that a
    forked process would otherwise copy as it allocates there."""
    import ctypes

    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def _rendered(cache: Any, names: list[str], keys: list[str] | None) -> int:
    """How many of ``names`` (procedures and decision pages) have no page in ``cache`` under their key."""
    if cache is None or keys is None:
        return len(names)
    return sum(1 for name, key in zip(names, keys) if not cache.holds(name, key))


def _chunks(indices: list[int], processes: int) -> list[list[int]]:
    """``indices`` cut into about 8 chunks per process, in order (small chunks even out the load)."""
    if not indices:
        return []
    size = max(1, -(-len(indices) // (processes * 8))) if processes > 1 else len(indices)
    return [indices[i:i + size] for i in range(0, len(indices), size)]


def _render_chunk(indices: list[int]) -> list[tuple[int, PageGroup, bool, dict | None]]:
    """Render and write the pages at ``indices`` (a procedure's below the number of procedures, a
    decision's above; in a rendering process or this one), or link them from the cache when their
    key is unchanged: ``(index, pages, reused, cache entry)`` each (the entry of pages rendered
    and kept in the cache, :meth:`~generator.cache.PageCache.entry`)."""
    from generator.render import procedure_pages
    from generator.render.urls import UrlRegistry

    plan, site_dir, layouts, cache, keys, names = (_JOB[name] for name in ("plan", "site_dir", "layouts", "cache",
                                                                          "keys", "names"))
    procedures = plan.catalog.procedures
    out = []
    for index in indices:
        if cache is not None:
            group = cache.reuse(names[index], keys[index], site_dir)
            if group is not None:
                out.append((index, group, True, None))
                continue
        group = PageGroup()
        if index < len(procedures):  # the procedure's page was claimed in prepare(); its history pages claim theirs here
            pages = procedure_pages(plan.renderer, procedures[index], plan.history, UrlRegistry())
        else:
            pages = [plan.decisions[index - len(procedures)].page()]
        for page in pages:
            _write_page(page, site_dir, layouts, group)
        out.append((index, group, False, cache.entry(keys[index], group, site_dir) if cache is not None else None))
    return out


def _write_page(page: Any, site_dir: Path, layouts: Any, group: PageGroup) -> None:
    """Write ``page`` (a :class:`~generator.render.GeneratedPage`) in its layout into ``site_dir``, and
    note it in ``group`` (with its SHA-256, and its search record when it has a ``data-pagefind-body``)."""
    import hashlib

    from generator.search import searchable_text

    path = f"{page.url}index.html"
    try:
        target = site_dir / path
        target.parent.mkdir(parents=True, exist_ok=True)
        data = layouts.render(page).encode("utf-8")
        target.write_bytes(data)
    except OSError as err:
        raise BuildError(_("cannot write /{path}: {reason}").format(path=path, reason=err.strerror or err)) from None
    group.pages.append(WrittenPage(page.url, page.update_date))
    group.files.append(path)
    group.digests.append(hashlib.sha256(data).hexdigest())
    group.bytes += len(data)
    if "data-pagefind-body" in page.html:
        record = searchable_text(str(page.html))
        if record is not None:
            group.records[path] = record


def write_open_data(plan: SitePlan, site_dir: Path, folder: str) -> None:
    """Write the open-data files into ``site_dir/folder/``, once made (they are made by another
    process while the pages are rendered: :class:`_InBackground`), and fill their sizes into the
    open-data page (``folder/index.html``, rendered before with :func:`~generator.render.indexes.size_placeholder`).

    The page used to wait for the files before MkDocs' build, with a core idle: 23 s of the
    50,000 build (no history), 2 s of a rebuild after one edit at 10,000.

    Raises:
        OSError: a file cannot be written.
    """
    from generator.render.indexes import fill_sizes

    try:
        sizes = dict(plan.exports)
        target = site_dir / folder
        target.mkdir(parents=True, exist_ok=True)
        for name in sizes:
            shutil.move(plan.exports.folder / name, target / name)
        page = target / "index.html"
        if page.is_file():
            page.write_text(fill_sizes(page.read_text(encoding="utf-8"), sizes), encoding="utf-8")
    finally:
        plan.exports.close()


def finish_site(plan: SitePlan, site_dir: Path, written: Written, *, site_url: str | None, search: bool,
                cache: Any = None) -> Any:
    """Stages 7–8: ``sitemap.xml`` (+ ``.gz``) lists the written pages; the search index.

    Args:
        plan: from :func:`prepare`.
        site_dir: the site folder.
        written: from :func:`write_procedure_pages`.
        site_url: the site's address (no sitemap entries without one, as MkDocs does).
        search: build the Pagefind index.
        cache: the :class:`~generator.cache.PageCache`: when the search records are those of
            the previous build, its bundle is reused and Pagefind does not run; the cache's
            manifest is saved last.

    Returns:
        The :class:`~generator.search.SearchStats` of the index, or None (no index, or reused).
    """
    from generator.render.layout import LAYOUT_DIR
    from generator.sitemap import add_to_sitemap

    with plan.stages.stage("sitemap"):
        add_to_sitemap(site_dir, [(p.url, p.update_date) for p in written.pages], site_url or "", drop=LAYOUT_DIR)
    from generator.search import BUNDLE_DIR, index_records

    result = None
    if search and plan.catalog.procedures:
        with plan.stages.stage("search index"):
            reused = cache is not None and cache.search_unchanged(written.records, site_dir, BUNDLE_DIR)
            if not reused:
                result = index_records(site_dir, written.records)
            plan.stages.counts["search_reused"] = int(reused)
    if cache is not None:
        with plan.stages.stage("save the cache"):
            cache.save(written.records, site_dir, BUNDLE_DIR)
    plan.stages.write_report()
    return result
