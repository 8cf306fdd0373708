"""MkDocs plugin ``tthc``: the catalog as pages of an MkDocs + Material site.

An adapter from MkDocs events to the library (STYLE.md §2):

* ``on_config``: resolve the ``catalog`` option against ``mkdocs.yml``'s
  folder; give the site its short navigation (index pages only) unless
  ``mkdocs.yml`` has its own ``nav``; register tthc's theme overrides,
  assets and stylesheet (:func:`register_theme`), so a catalog repository's
  ``mkdocs.yml`` needs only ``theme: material`` and ``plugins: [tthc]``.
* ``on_pre_build`` (before MkDocs cleans ``site_dir``, so a failure leaves the
  previous site as it was): read and validate the catalog
  (:func:`generator.catalog.read_catalog`), read its git history
  (:func:`generator.history.read_history`), render every page in memory
  (:func:`generator.render.render_pages`), the open-data files
  (:func:`generator.export.export_catalog`) and the Atom feeds
  (:func:`generator.render.history.render_feeds`).
* ``on_files``: add them with ``File.generated``; nothing is written into
  the catalog or the docs folder. A generated page at the path of a file of
  the docs folder fails the build, naming both.
* ``on_page_markdown`` / ``on_page_content``: hand MkDocs the pre-rendered
  HTML (Python-Markdown is not run on it) with an escaped title and a
  table of contents.
* ``on_post_build``: build the Pagefind search index (``generator.search``).

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


def published_schema(path: Path, site_url: str) -> bytes:
    """A JSON Schema as the site publishes it at ``/schemas/<name>``.

    With a site address, its ``$id`` becomes that fetchable URL
    (``<site_url>schemas/procedure.schema.json``: the address editors' schema
    lines name, :mod:`generator.schema_ref`); without one it keeps its
    ``urn:tthc:schema:…`` id. Only the ``$id`` line changes: the file is
    otherwise byte for byte the package's.
    """
    raw = path.read_bytes()
    if not site_url:
        return raw
    url = f"{site_url.rstrip('/')}/{SCHEMAS_URL_DIR}/{path.name}"
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
        raise PluginError(f"the tthc plugin needs the Material theme: set `theme: {{name: material}}` (not {theme.name!r})")
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


class TthcPlugin(BasePlugin[TthcConfig]):
    """Adds the catalog's pages to an MkDocs site (see the module docstring)."""

    def __init__(self) -> None:
        self.catalog_dir: Path | None = None
        self._pages: dict[str, Any] = {}
        self._exports: dict[str, bytes] = {}
        self._feeds: dict[str, str] = {}
        self._procedures = 0
        self._charts: dict[str, bytes] = {}
        #: The library error behind a PluginError, for ``tthc build`` to report in its own format.
        self.failure: TthcError | None = None

    def on_config(self, config):
        root = Path(config.config_file_path).resolve().parent if config.config_file_path else Path.cwd()
        self.catalog_dir = (root / self.config.catalog).resolve()
        site_url = config.site_url or ""
        if site_url and (not re.fullmatch(r"https?://[^\s\"'<>`\\]+", site_url)):
            self.failure = UsageError(f"site_url / TTHC_SITE_URL {site_url!r} is not a plain http(s) address "
                                      "(no spaces, quotes or < >): write it as https://tthc.example.vn/")
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
        return config

    def on_pre_build(self, config) -> None:
        from generator.catalog import read_catalog
        from generator.export import export_catalog
        from generator.render import render_pages

        self.failure = None
        try:
            catalog, report = read_catalog(self.catalog_dir)
        except CatalogInvalid as err:
            self.failure = err
            raise PluginError(f"the catalog at {self.catalog_dir} is invalid:\n{format_report(err.report)}\n{err}") from None
        except TthcError as err:
            self.failure = err
            raise PluginError(str(err)) from None
        for warning in report.warnings:
            log.warning(warning.format())
        try:
            history = self._history() if self.config.history else None
        except TthcError as err:
            self.failure = err
            raise PluginError(f"cannot read the catalog's history: {err}") from None
        self._exports = export_catalog(catalog)
        sizes = {name: len(content) for name, content in self._exports.items()}
        from generator.stats import compute_stats

        stats = compute_stats(catalog, history)
        try:
            pages = render_pages(catalog, history, site_url=config.site_url, file_sizes=sizes, stats=stats,
                                 feedback_url=self.config.feedback_url or None, repo_url=config.repo_url)
        except TthcError as err:
            self.failure = err
            raise PluginError(f"cannot build the site: {err}") from None
        self._pages = {page.src_uri: page for page in pages}
        self._procedures = len(catalog.procedures)
        from generator.render.dashboard import chart_files

        self._charts = chart_files(stats)
        from generator.render.history import render_feeds

        self._feeds = render_feeds(catalog, history, site_url=config.site_url or "")
        log.info(f"tthc: {len(catalog.procedures)} procedures, {len(pages)} pages from {self.catalog_dir}")

    def _history(self):
        from generator.errors import NotARepository
        from generator.history import read_history

        try:
            history = read_history(self.catalog_dir, catalog_subdir=".", allow_shallow=self.config.allow_shallow or None)
        except NotARepository as err:  # a catalog outside git: a site without dates, on purpose
            log.info(f"tthc: no git history ({err}); pages show no 'last updated' date")
            return None
        for warning in history.warnings:  # Diagnostic records, one line each
            log.warning(f"tthc: {warning.format()}")
        return history

    def on_files(self, files: Files, config) -> Files:
        by_url = {f.url: f for f in files if f.is_documentation_page()}  # docs/dong-gop.md is at dong-gop/ too
        for src_uri, page in self._pages.items():
            existing = files.get_file_from_path(src_uri) or by_url.get(page.url)
            if existing is not None:
                self.failure = BuildError(
                    f"two inputs map to the URL /{page.url}: {existing.src_uri} in the docs folder and the "
                    f"generated page {page.title!r}; rename or remove the file"
                )
                raise PluginError(str(self.failure))
            inclusion = InclusionLevel.INCLUDED if page.in_nav else InclusionLevel.NOT_IN_NAV
            files.append(File.generated(config, src_uri, content=str(page.html), inclusion=inclusion))
        for name, content in self._exports.items():
            files.append(File.generated(config, f"{OPEN_DATA_DIR}/{name}", content=content))
        for path, xml in self._feeds.items():
            files.append(File.generated(config, path, content=xml.encode("utf-8")))
        for path, svg in self._charts.items():
            files.append(File.generated(config, path, content=svg))
        from generator.export import schema_files

        for name, path in schema_files().items():
            files.append(File.generated(config, f"{SCHEMAS_URL_DIR}/{name}",
                                        content=published_schema(path, config.site_url or "")))
        return files

    def on_page_markdown(self, markdown: str, page, config, files) -> str:
        generated = self._pages.get(page.file.src_uri)
        if generated is None:
            return markdown
        # Material prints page.meta.title and description unescaped: give them escaped text.
        page.meta["title"] = str(escape(generated.title))
        if generated.description:
            page.meta["description"] = str(escape(generated.description))
        return ""

    def on_page_content(self, html: str, page, config, files) -> str:
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

    def on_post_build(self, config) -> None:
        if not self.config.search:
            return
        if not self._procedures:  # a new catalog (tthc init): Pagefind refuses to index no page
            log.info("tthc: no procedure yet, so no search index")
            return
        from generator.search import index_site

        try:
            stats = index_site(Path(config.site_dir))
        except TthcError as err:
            self.failure = err
            raise PluginError(f"search index: {err}") from None
        log.info(f"tthc: search index of {stats.pages} pages")

    def on_serve(self, server, config, builder):
        if self.catalog_dir is not None and self.catalog_dir.is_dir():
            server.watch(str(self.catalog_dir))
        return server
