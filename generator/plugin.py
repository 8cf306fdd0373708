"""MkDocs plugin ``tthc``: the catalog as pages of an MkDocs + Material site.

An adapter from MkDocs events to the pipeline of :mod:`generator.site` (STYLE.md §2):

* ``on_config``: resolve the ``catalog`` option against ``mkdocs.yml``'s
  folder; give the site its short navigation (index pages only) unless
  ``mkdocs.yml`` has its own ``nav``; register tthc's theme overrides,
  assets and stylesheet (:func:`register_theme`), so a catalog repository's
  ``mkdocs.yml`` needs only ``theme: material`` and ``plugins: [tthc]``.
* ``on_pre_build`` (before MkDocs cleans ``site_dir``, so a failure leaves the
  previous site as it was): :func:`generator.site.prepare` reads and
  validates the catalog, reads its git history, compares the revisions,
  computes the statistics, makes the open-data files, feeds and charts, and
  renders the pages of the navigation.
* ``on_files``: add those pages and files with ``File.generated``, and the
  layout pages (:mod:`generator.render.layout`); nothing is written into the
  catalog or the docs folder. A docs-folder file at a generated URL (or
  anywhere under ``/thu-tuc/``) fails the build, naming both.
* ``on_page_markdown`` / ``on_page_content``: hand MkDocs the pre-rendered
  HTML (Python-Markdown is not run on it) with an escaped title and a
  table of contents.
* ``on_post_page``: keep the layout pages' HTML; remove Material's blank runs
  from the generated pages (:func:`generator.render.layout.compact_page`).
* ``on_post_build``: :func:`generator.site.write_procedure_pages` writes every
  procedure's page, history, revision and compare pages, and the decision
  pages, from the layouts
  (both cores; the incremental cache when ``tthc build`` or ``tthc serve``
  gives one), then :func:`generator.site.finish_site` adds them to
  ``sitemap.xml`` and builds the Pagefind index from the records the render
  stage made.
* ``on_startup`` (``serve``): a cache for the server's life, so a save
  re-renders only what changed.

Errors become ``PluginError`` carrying every diagnostic, in the
``file:line:col: error[code] path: message (hint: ...)`` form.

Options (``mkdocs.yml``)::

    plugins:
      - tthc:
          catalog: catalog     # the catalog folder, relative to mkdocs.yml
          history: true        # "last updated" dates from git
          allow_shallow: false # a shallow clone stops the build (git fetch --unshallow); true: dates unknown
          search: true         # Pagefind index after the build
          feedback_url: ""     # "Phản ánh, kiến nghị" link: https://… or mailto:… with {code} {name} {url}
"""

from __future__ import annotations

import io
import logging
import re
import time
from pathlib import Path
from typing import Any

from markupsafe import escape
from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.toc import AnchorLink, TableOfContents

from generator.errors import BuildError, CatalogInvalid, TthcError, UsageError
from generator.i18n import _
from generator.progress import Progress, no_progress

log = logging.getLogger("mkdocs.plugins.tthc")

#: The navigation: the home page and the list pages, never the procedures.
DEFAULT_NAV = [
    {"Trang chủ": "index.md"},
    {"Cơ quan công bố": "co-quan/index.md"},
    {"Lĩnh vực": "linh-vuc/index.md"},
    {"Cấp thực hiện": [
        {"Tất cả các cấp": "cap/index.md"},
        {"Cấp bộ": "cap/bo/index.md"},
        {"Cấp tỉnh": "cap/tinh/index.md"},
        {"Cấp xã": "cap/xa/index.md"},
        {"Cơ quan khác": "cap/khac/index.md"},
    ]},
    {"Loại thủ tục": [
        {"Tất cả": "loai/index.md"},
        {"TTHC": "loai/tthc/index.md"},
        {"TTHC nội bộ": "loai/noi-bo/index.md"},
    ]},
    {"Tiến độ đơn giản hóa": "tien-do/index.md"},
    {"Dữ liệu mở": "du-lieu-mo/index.md"},
    {"Đóng góp": "dong-gop/index.md"},
]
OPEN_DATA_DIR = "du-lieu-mo"
SCHEMAS_URL_DIR = "schemas"


class TthcConfig(base.Config):
    """Options of the ``tthc`` plugin."""

    catalog = c.Type(str, default="catalog")
    """The catalog folder (agencies.yaml, sectors.yaml, plans/, procedures/), relative to mkdocs.yml."""
    history = c.Type(bool, default=True)
    """Read git history for "last updated" dates and the latest changes (skipped outside git)."""
    allow_shallow = c.Type(bool, default=False)
    """Build from a shallow clone anyway, dates before it shown as unknown (also ``TTHC_ALLOW_SHALLOW=1``);
    by default a shallow clone stops the build (fix: ``git fetch --unshallow``)."""
    search = c.Type(bool, default=True)
    """Build the Pagefind search index into site/pagefind/ after the build."""
    feedback_url = c.Type(str, default="")
    """Where citizens send "Phản ánh, kiến nghị" about a procedure: an https:// or mailto: address with
    {code}, {name}, {url} (generator/render/contribute.py); empty: no link on procedure pages."""


def published_schema(path: Path, site_url: str, folder: str = SCHEMAS_URL_DIR) -> bytes:
    """A JSON Schema as the site publishes it at ``/<folder>/<name>`` (``schemas``, or ``schemas/draft-07``).

    With a site address, its ``$id`` becomes that fetchable URL
    (``<site_url>schemas/procedure.schema.json``; the draft-07 copy's
    ``<site_url>schemas/draft-07/procedure.schema.json`` is the address editors'
    schema lines name, :mod:`generator.schema_ref`); without one it keeps its
    ``urn:tthc:schema:…`` id. Only the ``$id`` line changes: the file is
    otherwise byte for byte the package's.
    """
    raw = path.read_bytes()
    if not site_url:
        return raw
    url = f"{site_url.rstrip('/')}/{folder}/{path.name}"
    return re.sub(rb'("\$id"\s*:\s*)"[^"]*"', lambda m: m[1] + b'"' + url.encode("utf-8") + b'"', raw, count=1)


def format_report(report: Any) -> str:
    """The diagnostics of ``report`` as text, one line each (the ``tthc validate`` format)."""
    from generator.report import print_report

    stream = io.StringIO()
    print_report(report, "text", stream)
    return stream.getvalue().rstrip()


#: The site's own stylesheet, from the assets folder (generator.resources.assets_dir).
TTHC_CSS = "assets/stylesheets/tthc.css"
#: Material's defaults that the tthc site does not use (its text is Vietnamese; no Google Fonts,
#: which the pages' Content-Security-Policy would block anyway).
_MATERIAL_DEFAULT_LANGUAGE = "en"
_MATERIAL_DEFAULT_FONT = {"text": "Roboto", "code": "Roboto Mono"}


def register_theme(config) -> None:
    """Give the site tthc's look, so a catalog's ``mkdocs.yml`` needs only ``theme: material``.

    * the Material overrides (``site_templates/overrides``) come right after
      the site's own ``custom_dir`` (which still wins), before Material;
    * the assets folder (``site_templates/docs``: ``tthc.css`` and the
      scripts the overrides load) is a theme folder too, so its files are
      copied into every site; files of the site's ``docs_dir`` at the same
      paths win, as MkDocs does for every theme file;
    * ``assets/stylesheets/tthc.css`` is added to ``extra_css`` (once);
    * ``language: vi`` and ``font: false`` unless ``mkdocs.yml`` chose other
      values than Material's defaults (``en``, Roboto).

    Folders come from :mod:`generator.resources`, so this works from a
    checkout and from an installed wheel.
    """
    from generator.resources import assets_dir, overrides_dir

    theme = config.theme
    if theme.name != "material":
        raise PluginError(_("the tthc plugin needs the Material theme: set `theme: {{name: material}}` (not {theme!r})").format(
            theme=theme.name))
    position = 1 if theme.custom_dir else 0
    for folder in (str(overrides_dir()), str(assets_dir())):
        if not any(Path(d).resolve() == Path(folder) for d in theme.dirs):
            theme.dirs.insert(position, folder)
        position += 1
    if TTHC_CSS not in [str(css) for css in config.extra_css]:
        config.extra_css.append(TTHC_CSS)
    if theme.get("language") == _MATERIAL_DEFAULT_LANGUAGE:
        theme["language"] = "vi"
    if theme.get("font") == _MATERIAL_DEFAULT_FONT:
        theme["font"] = False


#: The incremental cache of ``mkdocs serve`` (one per server process), see :meth:`TthcPlugin.on_startup`.
_SERVE_CACHE: dict[str, Any] = {}


class TthcPlugin(BasePlugin[TthcConfig]):
    """Adds the catalog's pages to an MkDocs site (see the module docstring)."""

    def __init__(self) -> None:
        self.catalog_dir: Path | None = None
        self.plan: Any = None
        #: What the last build wrote after MkDocs (:class:`generator.site.Written`), or None.
        self.written: Any = None
        self._pages: dict[str, Any] = {}
        self._layout_pages: dict[str, Any] = {}
        self.layouts: Any = None
        #: Write the procedures' pages outside MkDocs from the layout (False: every page through
        #: MkDocs, as before; for the comparison test, ``TTHC_LAYOUT_ONCE=0``).
        self.layout_once = True
        #: The :class:`generator.cache.PageCache` of incremental builds, or None (set by ``tthc build``).
        self.cache: Any = None
        #: True under ``mkdocs serve`` / ``tthc serve``: render in this process (the server runs threads).
        self._serving = False
        #: The library error behind a PluginError, for ``tthc build`` to report in its own format.
        self.failure: TthcError | None = None
        #: Called with (steps done, steps) as the site is written: one per page MkDocs writes, then the
        #: procedures' pages, then the search index (``tthc build``'s progress bar).
        self.progress: Progress = no_progress
        self._done, self._total = 0, 0

    def on_config(self, config):
        import os

        root = Path(config.config_file_path).resolve().parent if config.config_file_path else Path.cwd()
        self.catalog_dir = (root / self.config.catalog).resolve()
        site_url = config.site_url or ""
        if site_url and (not re.fullmatch(r"https?://[^\s\"'<>`\\]+", site_url)):
            self.failure = UsageError(_("site_url / TTHC_SITE_URL {url!r} is not a plain http(s) address (no spaces, quotes "
                                        "or < >): write it as https://tthc.example.vn/").format(url=site_url))
            raise PluginError(str(self.failure))
        if not config.nav:
            config.nav = DEFAULT_NAV
        register_theme(config)
        if self.config.feedback_url:
            from generator.render.contribute import check_feedback_url

            try:
                check_feedback_url(self.config.feedback_url)
            except TthcError as err:
                self.failure = err
                raise PluginError(str(err)) from None
        self.layout_once = os.environ.get("TTHC_LAYOUT_ONCE", "1") != "0"
        return config

    def on_env(self, env, config, files):
        """Material's templates are compiled once per cache, not once per build (:meth:`PageCache.templates`)."""
        cache = self.cache if self.cache is not None else _SERVE_CACHE.get("cache")
        if cache is not None and env.bytecode_cache is None:
            env.bytecode_cache = cache.templates()
        return env

    def on_pre_build(self, config) -> None:
        from generator.site import prepare

        self.failure = None
        try:
            self.plan = prepare(self.catalog_dir, history=self.config.history,
                                allow_shallow=self.config.allow_shallow or None, site_url=config.site_url,
                                feedback_url=self.config.feedback_url or None, repo_url=config.repo_url,
                                on_history_missing=lambda err: log.info(
                                    _("tthc: no git history ({reason}); pages show no 'last updated' date").format(reason=err)),
                                memo=_SERVE_CACHE.setdefault("memo", {}) if "cache" in _SERVE_CACHE else None,
                                cache=self.cache, processes=1 if self._serving else None)
        except CatalogInvalid as err:
            self.failure = err
            raise PluginError(_("the catalog at {catalog} is invalid:").format(catalog=self.catalog_dir)
                              + f"\n{format_report(err.report)}\n{err}") from None
        except TthcError as err:
            self.failure = err
            raise PluginError(_("cannot build the site: {reason}").format(reason=err)) from None
        for warning in self.plan.report.warnings:
            log.warning(warning.format())
        if self.plan.history is not None:
            for warning in self.plan.history.warnings:  # Diagnostic records, one line each
                log.warning(f"tthc: {warning.format()}")
        self._pages = dict(self.plan.pages)
        self._layout_pages = {}
        if self.layout_once:
            from generator.render.layout import Layouts, layout_pages

            self.layouts = Layouts()
            self._layout_pages = {f"{page.url}index.md": page for page in layout_pages()}
        else:  # every procedure and decision page through MkDocs, as before the layout was rendered once
            for page in self._all_procedure_pages():
                self._pages[page.src_uri] = page
            for decision in self.plan.decisions:
                page = decision.page()
                self._pages[page.src_uri] = page
        log.info(_("tthc: {count} procedures from {catalog}").format(count=len(self.plan.catalog.procedures),
                                                                     catalog=self.catalog_dir))
        self._mkdocs_started = time.perf_counter()

    def _all_procedure_pages(self):
        from generator.render import procedure_pages

        for procedure in self.plan.catalog.procedures:
            yield from procedure_pages(self.plan.renderer, procedure, self.plan.history)

    def on_files(self, files: Files, config) -> Files:
        from generator.render.urls import PROCEDURE_PREFIX

        by_url = {f.url: f for f in files if f.is_documentation_page()}  # docs/dong-gop.md is at dong-gop/ too
        for src_uri, page in self._pages.items():
            existing = files.get_file_from_path(src_uri) or by_url.get(page.url)
            if existing is not None:
                self._two_inputs(existing.src_uri, page.url, repr(page.title))
            inclusion = InclusionLevel.INCLUDED if page.in_nav else InclusionLevel.NOT_IN_NAV
            files.append(File.generated(config, src_uri, content=str(page.html), inclusion=inclusion))
        if self.layout_once:
            for url, existing in by_url.items():  # the procedures' pages are written after MkDocs' build
                if url.startswith(f"{PROCEDURE_PREFIX}/"):
                    procedure = self.plan.catalog.procedure(url.split("/")[1])
                    self._two_inputs(existing.src_uri, url, repr(procedure.name) if procedure else
                                     f"of a procedure (/{PROCEDURE_PREFIX}/ holds the procedures' pages)")
            for decision in self.plan.decisions:  # written after MkDocs' build too
                if decision.url in by_url:
                    self._two_inputs(by_url[decision.url].src_uri, decision.url, repr(decision.decision.number))
            for src_uri in self._layout_pages:
                files.append(File.generated(config, src_uri, content="", inclusion=InclusionLevel.NOT_IN_NAV))
        for path, xml in self.plan.feeds.items():
            files.append(File.generated(config, path, content=xml.encode("utf-8")))
        for path, svg in self.plan.charts.items():
            files.append(File.generated(config, path, content=svg))
        from generator.export import schema_files

        from generator.schema_draft7 import DRAFT7_DIR, draft7_dir

        for name, path in schema_files().items():
            files.append(File.generated(config, f"{SCHEMAS_URL_DIR}/{name}",
                                        content=published_schema(path, config.site_url or "")))
            draft7 = draft7_dir() / name  # the editors' copy (generator/schema_draft7.py)
            files.append(File.generated(config, f"{SCHEMAS_URL_DIR}/{DRAFT7_DIR}/{name}",
                                        content=published_schema(draft7, config.site_url or "", f"{SCHEMAS_URL_DIR}/{DRAFT7_DIR}")))
        later = len(self.plan.catalog.procedures) + len(self.plan.decisions) if self.layout_once else 0
        self._done, self._total = 0, sum(1 for f in files if f.is_documentation_page()) + later + 1
        return files

    def _advance(self, steps: int = 1) -> None:
        self._done = min(self._done + steps, self._total)
        self.progress(self._done, self._total)

    def _two_inputs(self, src_uri: str, url: str, what: str) -> None:
        self.failure = BuildError(_("two inputs map to the URL /{url}: {file} in the docs folder and the generated page "
                                    "{title}; rename or remove the file").format(url=url, file=src_uri, title=what))
        raise PluginError(str(self.failure))

    def on_page_markdown(self, markdown: str, page, config, files) -> str:
        from generator.render import layout

        if page.file.src_uri in self._layout_pages:
            page.meta["title"] = layout.TITLE
            page.meta["description"] = layout.DESCRIPTION
            return ""
        generated = self._pages.get(page.file.src_uri)
        if generated is None:
            return markdown
        # Material prints page.meta.title and description unescaped: give them escaped text.
        page.meta["title"] = str(escape(generated.title))
        if generated.description:
            page.meta["description"] = str(escape(generated.description))
        return ""

    def on_page_content(self, html: str, page, config, files) -> str:
        from generator.render import layout

        shell = self._layout_pages.get(page.file.src_uri)
        if shell is not None:
            top = AnchorLink(layout.TITLE, "tieu-de", 1)
            if shell.toc:
                top.children.append(AnchorLink(layout.TOC_LABEL, layout.TOC_ANCHOR, 2))
                top.children.append(AnchorLink(layout.TOC_LABEL_2, layout.TOC_ANCHOR_2, 2))
            page.toc = TableOfContents([top])
            return layout.BODY
        generated = self._pages.get(page.file.src_uri)
        if generated is None:
            return html
        top = AnchorLink(str(escape(generated.title)), "tieu-de", 1)
        for anchor, label in generated.toc:
            top.children.append(AnchorLink(str(escape(label)), anchor, 2))
        page.toc = TableOfContents([top])
        if generated.update_date:
            page.update_date = generated.update_date
        return str(generated.html)

    def on_post_page(self, output: str, page, config) -> str:
        from generator.render.layout import BODY, compact_page

        shell = self._layout_pages.get(page.file.src_uri)
        if shell is not None:
            try:
                self.layouts.add(shell, compact_page(output, BODY))
            except TthcError as err:
                self.failure = err
                raise PluginError(str(err)) from None
        elif page.file.src_uri in self._pages:  # the generated pages: Material's blank runs removed
            output = compact_page(output, page.content)
        self._advance()
        return output

    def on_build_error(self, error) -> None:
        """A build that failed after :func:`~generator.site.prepare` stops the process making the
        open-data files (:class:`generator.site._InBackground`; ``tthc serve`` goes on)."""
        if self.plan is not None:
            self.plan.exports.close()

    def on_post_build(self, config) -> None:
        import shutil

        from generator.render.layout import LAYOUT_DIR
        from generator.site import Written, finish_site, write_open_data, write_procedure_pages

        site_dir = Path(config.site_dir)
        self.plan.stages.add("MkDocs + Material: index and layout pages", time.perf_counter() - self._mkdocs_started)
        cache = self.cache if self.cache is not None else _SERVE_CACHE.get("cache")
        try:
            if self.layout_once:
                shutil.rmtree(site_dir / LAYOUT_DIR, ignore_errors=True)
                with self.plan.stages.stage("render and write the procedures' pages"):
                    written = write_procedure_pages(self.plan, site_dir, self.layouts, cache=cache,
                                                    processes=1 if self._serving else None)
                self._advance(len(self.plan.catalog.procedures) + len(self.plan.decisions))
            else:
                written, cache = Written(), None
            self.written = written
            with self.plan.stages.stage("open data: written, sizes on their page"):
                write_open_data(self.plan, site_dir, OPEN_DATA_DIR)
            result = finish_site(self.plan, site_dir, written, site_url=config.site_url,
                                 search=self.config.search and self.layout_once, cache=cache)
            if self.config.search and not self.layout_once and self.plan.catalog.procedures:
                from generator.search import index_site

                result = index_site(site_dir)
        except TthcError as err:
            self.failure = err
            raise PluginError(_("cannot build the site: {reason}").format(reason=err)) from None
        except OSError as err:
            self.failure = BuildError(_("cannot write the site: {reason}").format(reason=err.strerror or err))
            raise PluginError(str(self.failure)) from None
        self._advance(self._total)
        if not self.plan.catalog.procedures and self.config.search:  # a new catalog (tthc init)
            log.info(_("tthc: no procedure yet, so no search index"))
        elif result is not None:
            log.info(_("tthc: search index of {pages} pages").format(pages=result.pages))

    def on_startup(self, command: str, dirty: bool) -> None:
        """``mkdocs serve`` / ``tthc serve``: rebuilds after an edit render only what changed
        (a cache in a temporary folder for the life of the server, :mod:`generator.cache`).
        Defining this event also keeps one plugin instance across the server's rebuilds."""
        self._serving = command == "serve"
        if command == "serve" and "cache" not in _SERVE_CACHE:
            import tempfile

            from generator.cache import PageCache

            _SERVE_CACHE["folder"] = tempfile.TemporaryDirectory(prefix="tthc-serve-cache-")
            _SERVE_CACHE["cache"] = PageCache(Path(_SERVE_CACHE["folder"].name))

    def on_serve(self, server, config, builder):
        if self.catalog_dir is not None and self.catalog_dir.is_dir():
            server.watch(str(self.catalog_dir))
        return server
