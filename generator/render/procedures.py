"""One page per procedure at ``/thu-tuc/<code>/``.

The page shows a summary card (code, kind and internal group, publishing
agency, levels, time limit per channel, fees, online or not, status), then
every field of the record under its official Vietnamese label (the schema's
``title``), and embeds schema.org ``GovernmentService`` JSON-LD. Abolished
and replaced procedures keep their page, with a banner linking to the
replacement (Decree 63/2010/NĐ-CP: a procedure is abolished or replaced,
never silently removed).
"""

from __future__ import annotations

import re
from typing import Any

from markupsafe import Markup

from generator.errors import BuildError
from generator.model import CHANNEL_LABELS, FORMALITY_TYPE_LABELS, LEVEL_LABELS, Catalog, Procedure
from generator.render import GeneratedPage, environment, format_vnd, schema_labels
from generator.render.history import history_url, recent_changes, simplification_effects
from generator.render.jsonld import government_service, script_json
from generator.render.urls import (
    AGENCY_PREFIX, KIND_PREFIX, KIND_SLUGS, LEVEL_PREFIX, LEVEL_SLUGS, PROCEDURE_PREFIX, SECTOR_PREFIX, UrlRegistry,
    page_url,
)

#: Sections of a procedure page in order, for the page's table of contents:
#: (anchor id, field key of the label or None, literal label).
_SECTIONS = (
    ("tom-tat", None, "Tóm tắt"),
    ("mo-ta", "description", None),
    ("trinh-tu", "steps", None),
    ("cach-thuc", "methods", None),
    ("thanh-phan-ho-so", "documents", None),
    ("doi-tuong", "subjects", None),
    ("co-quan-thuc-hien", "agencies", None),
    ("yeu-cau", "requirements", None),
    ("ket-qua", "results", None),
    ("can-cu-phap-ly", "legal_basis", None),
    ("truong-hop", "cases", None),
    ("lien-quan", "related", None),
    ("chi-phi-tuan-thu", "compliance_cost", None),
    ("don-gian-hoa", "simplifications", None),
    ("sua-doi", "amendments", None),
    ("thay-doi", "changes", "Thay đổi gần đây"),
    ("nguon", "source", None),
)
_HTTP_URL = re.compile(r"^https?://[^\s<>\"']+$")


def procedure_url(code: str) -> str:
    """``1.000178`` -> ``thu-tuc/1.000178/``."""
    return page_url(PROCEDURE_PREFIX, code)


def last_updated(history: Any, code: str) -> str | None:
    """ISO date (Asia/Ho_Chi_Minh) of the last commit that changed the
    procedure, from a ``generator.history.History``; None when unknown."""
    if history is None:
        return None
    when = history.last_changed(code)
    return when.date().isoformat() if when is not None else None


def fee_lines(procedure: Procedure) -> list[str]:
    """One line per fee, prefixed by its channel when there are several
    channels: ``"Trực tuyến: 150.000 đồng"`` or the fee's own text."""
    lines: list[str] = []
    several = len(procedure.methods) > 1
    for method in procedure.methods:
        for fee in method.fees:
            text = format_vnd(fee.amount_vnd) if fee.amount_vnd is not None else fee.description
            if fee.amount_vnd is not None and fee.description and text.split()[0] not in fee.description:
                text = f"{text} ({fee.description})"
            elif fee.amount_vnd is not None and fee.description:
                text = fee.description  # the text already says the amount
            lines.append(f"{CHANNEL_LABELS.get(method.channel, method.channel)}: {text}" if several else text)
    # the same fee on every channel is said once
    if several and lines and len({line.split(': ', 1)[1] for line in lines}) == 1 and len(lines) == len(procedure.methods):
        return [lines[0].split(": ", 1)[1]]
    return lines


def _check_references(procedure: Procedure, catalog: Catalog) -> None:
    """Raise :class:`BuildError` when a reference of ``procedure`` does not resolve."""
    where = f"{procedure.path} ({procedure.code})"
    if catalog.agency(procedure.agency) is None:
        raise BuildError(f"{where}: publishing agency {procedure.agency!r} is not in agencies.yaml")
    if catalog.sector(procedure.sector) is None:
        raise BuildError(f"{where}: sector {procedure.sector!r} is not in sectors.yaml")
    for code in procedure.related:
        if catalog.procedure(code) is None:
            raise BuildError(f"{where}: related procedure {code} is not in the catalog")
    if procedure.replaced_by and catalog.procedure(procedure.replaced_by) is None:
        raise BuildError(f"{where}: replaced_by {procedure.replaced_by} is not in the catalog")


def render_procedure_pages(
    catalog: Catalog, registry: UrlRegistry, *, history: Any = None, site_url: str | None = None
) -> list[GeneratedPage]:
    """Render the page of every procedure of ``catalog``.

    Args:
        catalog: the validated catalog.
        registry: the URLs claimed so far (a duplicate raises).
        history: a ``generator.history.History`` or None.
        site_url: absolute base URL of the site (JSON-LD ``url``), or None.

    Returns:
        One :class:`GeneratedPage` per procedure, by code.

    Raises:
        BuildError: an unresolved reference or a URL claimed twice.
    """
    template = environment().get_template("procedure.html")
    labels = schema_labels()
    replaces: dict[str, list[Procedure]] = {}
    for procedure in catalog.procedures:
        if procedure.replaced_by:
            replaces.setdefault(procedure.replaced_by, []).append(procedure)
    incomplete = bool(getattr(history, "incomplete", False))
    pages = []
    for procedure in catalog.procedures:
        _check_references(procedure, catalog)
        url = registry.claim(procedure_url(procedure.code), procedure.path)
        pages.append(_render_one(procedure, catalog, url, template, labels, replaces, history, incomplete, site_url))
    return pages


def _render_one(procedure, catalog, url, template, labels, replaces, history, incomplete, site_url) -> GeneratedPage:
    agency = catalog.agency(procedure.agency)
    sector = catalog.sector(procedure.sector)
    updated = last_updated(history, procedure.code)
    changes = recent_changes(history, procedure.code) if history is not None else []
    roles = []
    for role in ("competent", "executing", "authorized", "coordinating"):
        names = []
        for value in getattr(procedure.agencies, role):
            known = catalog.agency(value)
            names.append((known.name, page_url(AGENCY_PREFIX, known.id)) if known else (value, None))
        if names:
            roles.append((role, names))
    absolute = f"{site_url.rstrip('/')}/{url}" if site_url else f"/{url}"
    html = template.render(
        p=procedure,
        L=labels,
        root="../../",
        agency=agency,
        agency_url=page_url(AGENCY_PREFIX, agency.id),
        sector=sector,
        sector_url=page_url(SECTOR_PREFIX, sector.id),
        kind_url=page_url(KIND_PREFIX, KIND_SLUGS[procedure.kind]),
        level_links=[(LEVEL_LABELS[level], page_url(LEVEL_PREFIX, LEVEL_SLUGS[level])) for level in procedure.levels],
        fee_lines=fee_lines(procedure),
        method_descriptions=any(m.description for m in procedure.methods),
        formality_label=FORMALITY_TYPE_LABELS.get(procedure.formality_type or "", procedure.formality_type),
        role_names=roles,
        related=[catalog.procedure(code) for code in procedure.related],
        replacement=catalog.procedure(procedure.replaced_by) if procedure.replaced_by else None,
        replaces=sorted(replaces.get(procedure.code, ()), key=lambda p: p.code),
        last_updated=updated,
        changes=changes,
        effects_of=simplification_effects(history, procedure.code),
        history_url=history_url(procedure.code),
        history_incomplete=incomplete,
        source_href=procedure.source.url if procedure.source and _HTTP_URL.match(procedure.source.url) else None,
        jsonld=script_json(government_service(procedure, agency, absolute)),
    )
    present = {
        "description": procedure.description,
        "steps": procedure.steps, "methods": procedure.methods, "documents": procedure.documents or procedure.dossier_sets,
        "subjects": procedure.subjects, "agencies": roles, "requirements": procedure.requirements,
        "results": procedure.results, "legal_basis": procedure.legal_basis, "cases": procedure.cases,
        "related": procedure.related or replaces.get(procedure.code), "compliance_cost": procedure.compliance_cost,
        "simplifications": procedure.simplifications, "amendments": procedure.amendments, "source": procedure.source,
        "changes": changes,
    }
    toc = tuple(
        (anchor, literal or labels[key]) for anchor, key, literal in _SECTIONS if key is None or present.get(key)
    )
    return GeneratedPage(
        url=url,
        title=procedure.name,
        html=Markup(html),
        toc=toc,
        update_date=updated,
        description=f"{procedure.code}: {procedure.name} ({agency.name})",
    )
