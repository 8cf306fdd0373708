"""Render stage: the catalog (and its history) as site pages in memory.

:func:`render_pages` turns a :class:`~generator.model.Catalog` into a list of
:class:`GeneratedPage` (URL, title, HTML body, table of contents). Nothing is
written to disk here: the MkDocs plugin (``generator.plugin``) adds the pages
with ``File.generated`` and Material wraps them in the site's layout.

One Jinja2 environment (``site_templates/pages/``, found by :mod:`generator.resources`; autoescaping on) is built
once per process and reused for every page. All catalog text reaches the HTML
through autoescaping or through :mod:`generator.render.markdown` (sanitised).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import jinja2
from markupsafe import Markup

from generator.model import (
    CHANNEL_LABELS, INTERNAL_SCOPE_LABELS, KIND_LABELS, LEVEL_LABELS, STATUS_LABELS, UNIT_LABELS, Catalog,
)

from generator.resources import schemas_dir, templates_dir

#: The folder of Jinja2 templates, Material overrides and static assets (a checkout's
#: site_templates/ or an installed wheel's generator/site_templates: generator.resources).
TEMPLATES_DIR = templates_dir()
SCHEMAS_DIR = schemas_dir()


@dataclass(frozen=True)
class GeneratedPage:
    """One page of the site, rendered in memory.

    Attributes:
        url: directory URL relative to the site root (``thu-tuc/1.000178/``;
            ``""`` for the home page).
        title: plain-text title (not escaped; the plugin escapes it).
        html: the page body (safe HTML).
        toc: ``(anchor id, label)`` of the page's sections, in order.
        in_nav: True for the few pages listed in the navigation.
        update_date: ISO date of the last change of the page's source, or None.
        description: plain-text summary for ``<meta name="description">``.
    """

    url: str
    title: str
    html: Markup
    toc: tuple[tuple[str, str], ...] = ()
    in_nav: bool = False
    update_date: str | None = None
    description: str | None = None

    @property
    def src_uri(self) -> str:
        """The virtual Markdown path MkDocs knows the page by."""
        return f"{self.url}index.md"


@dataclass(frozen=True)
class SiteLabels:
    """Vietnamese labels: schema ``title`` by dotted key path, and the enumerations."""

    fields: dict[str, str]
    channels: dict[str, str] = field(default_factory=lambda: dict(CHANNEL_LABELS))
    units: dict[str, str] = field(default_factory=lambda: dict(UNIT_LABELS))
    levels: dict[str, str] = field(default_factory=lambda: dict(LEVEL_LABELS))
    kinds: dict[str, str] = field(default_factory=lambda: dict(KIND_LABELS))
    scopes: dict[str, str] = field(default_factory=lambda: dict(INTERNAL_SCOPE_LABELS))
    statuses: dict[str, str] = field(default_factory=lambda: dict(STATUS_LABELS))

    def __getitem__(self, path: str) -> str:
        return self.fields[path]


@lru_cache(maxsize=1)
def schema_labels() -> SiteLabels:
    """The official Vietnamese label of every procedure field.

    Read from the ``title`` of each property of
    ``generator/schemas/procedure.schema.json`` (following local ``$ref``),
    keyed by dotted path: ``"documents"``, ``"documents.originals"``,
    ``"methods.processing_time"``...
    """
    schema = json.loads((SCHEMAS_DIR / "procedure.schema.json").read_text(encoding="utf-8"))
    defs = schema.get("$defs", {})
    labels: dict[str, str] = {}

    def resolve(node: dict[str, Any]) -> dict[str, Any]:
        ref = node.get("$ref", "")
        if ref.startswith("#/$defs/"):
            merged = dict(resolve(defs[ref.split("/")[-1]]))
            merged.update({k: v for k, v in node.items() if k != "$ref"})
            return merged
        return node

    def walk(node: dict[str, Any], prefix: str) -> None:
        node = resolve(node)
        if node.get("type") == "array" and isinstance(node.get("items"), dict):
            node = resolve(node["items"])
        for key, prop in (node.get("properties") or {}).items():
            path = f"{prefix}{key}"
            title = prop.get("title") or resolve(prop).get("title")
            if title:
                labels[path] = title
            walk(prop, path + ".")

    walk(schema, "")
    return SiteLabels(fields=labels)


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The one Jinja2 environment of the site's pages (templates compiled once)."""
    from generator.render.markdown import render_block_item, render_inline, render_item, render_markdown

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR / "pages")),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    env.filters["md"] = render_markdown
    env.filters["md_inline"] = render_inline
    env.filters["md_item"] = render_item
    env.filters["md_block_item"] = render_block_item
    env.filters["vnd"] = format_vnd
    env.filters["number"] = format_number
    env.filters["vi_date"] = vi_date
    from generator.render.procedures import clean_heading

    env.filters["heading"] = clean_heading
    return env


def vi_date(value: Any) -> str:
    """``2025-03-01`` (or a date/datetime) -> ``01/03/2025``, the Vietnamese form."""
    text = value.isoformat()[:10] if hasattr(value, "isoformat") else str(value)
    match = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text)
    return f"{match[3]}/{match[2]}/{match[1]}" if match else text


def format_vnd(amount: int | None) -> str:
    """``150000`` -> ``"150.000 đồng"`` (Vietnamese thousands separator)."""
    if amount is None:
        return ""
    return f"{format_number(amount)} đồng"


def format_number(value: int | float) -> str:
    """``1523`` -> ``"1.523"``; ``2.5`` -> ``"2,5"`` (Vietnamese separators)."""
    if isinstance(value, float) and not value.is_integer():
        whole, frac = f"{value:.2f}".rstrip("0").split(".")
        return f"{int(whole):,}".replace(",", ".") + "," + frac
    return f"{int(value):,}".replace(",", ".")


def render_pages(
    catalog: Catalog, history: Any = None, *, site_url: str | None = None, file_sizes: dict[str, int] | None = None,
    stats: Any = None, feedback_url: str | None = None, repo_url: str | None = None,
) -> list[GeneratedPage]:
    """Every generated page of the site, in a stable order (all in memory: for tests
    and small catalogs; the build streams the procedure pages, :mod:`generator.site`).

    Args:
        catalog: the validated catalog.
        history: optional revisions read by ``generator.history.read_history``;
            when given, procedure pages show their "last updated" date.
        site_url: the site's absolute base URL (for JSON-LD), or None.
        file_sizes: bytes of each open-data file by name (``catalog.csv``...),
            shown on the open-data page; None shows no sizes.
        stats: the :class:`generator.stats.Stats` of the dashboard (computed here when None).
        feedback_url: the "Phản ánh, kiến nghị" address template of procedure
            pages (:mod:`generator.render.contribute`); None: no link.
        repo_url: the catalog's repository, named on the "Đóng góp" page.

    Returns:
        The home page, open-data page, index pages, one page per procedure and
        the history pages, sorted by URL.

    Raises:
        BuildError: a related code, replacement, agency or sector does not
            resolve, or two inputs map to one URL (both are named).
    """
    from generator.render.procedures import ProcedureRenderer
    from generator.render.urls import UrlRegistry

    registry = UrlRegistry()
    renderer = ProcedureRenderer(catalog, history, site_url, feedback_url)
    for procedure in catalog.procedures:
        renderer.check(procedure, registry)
    pages = site_pages(catalog, history, registry, file_sizes=file_sizes, stats=stats, feedback_url=feedback_url,
                       repo_url=repo_url)
    for procedure in catalog.procedures:
        pages += procedure_pages(renderer, procedure, history, registry)
    return sorted(pages, key=lambda page: page.url)


def procedure_pages(renderer: Any, procedure: Any, history: Any = None, registry: Any = None) -> list[GeneratedPage]:
    """A procedure's own pages: its page (``renderer``: a
    :class:`~generator.render.procedures.ProcedureRenderer`), then, with a history, its history,
    revision and compare pages (:func:`generator.render.history.procedure_history_pages`).

    Raises:
        BuildError: two of them map to one URL (``registry`` given).
    """
    from generator.render.history import procedure_history_pages

    pages = [renderer.page(procedure)]
    if history is not None:
        pages += procedure_history_pages(procedure, history, registry)
    return pages


def site_pages(
    catalog: Catalog, history: Any, registry: Any, *, file_sizes: dict[str, int] | None = None, stats: Any = None,
    feedback_url: str | None = None, repo_url: str | None = None, decisions: bool = True,
) -> list[GeneratedPage]:
    """The pages that are not a procedure's own: home, index pages, open data, the
    "Đóng góp" page and the dashboard (arguments as :func:`render_pages`), with the decision
    pages unless ``decisions`` is False (the build gets them from
    :func:`generator.render.dashboard.decision_pages`, to render them in its write stage).

    Raises:
        BuildError: two inputs map to one URL.
    """
    from generator.render.contribute import render_contribute_page
    from generator.render.dashboard import render_dashboard_pages
    from generator.render.indexes import render_index_pages

    pages = render_index_pages(catalog, registry, history=history, file_sizes=file_sizes)
    pages.append(render_contribute_page(registry, repo_url=repo_url, feedback_url=feedback_url))
    if stats is None:
        from generator.stats import compute_stats

        stats = compute_stats(catalog, history)
    pages += render_dashboard_pages(stats, registry, catalog, decisions=decisions)
    return pages
