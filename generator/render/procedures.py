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
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from generator.errors import BuildError
from generator.model import (
    CHANNEL_LABELS,
    FEE_KIND_LABELS,
    FORMALITY_TYPE_LABELS,
    LEVEL_LABELS,
    ONLINE_SERVICE_LABELS,
    Catalog,
    Procedure,
)
from generator.render import GeneratedPage, environment, format_vnd, schema_labels
from generator.cost import simplification_cost
from generator.render.markdown import item_text
from generator.render.history import history_url, recent_changes, simplification_effects
from generator.render.jsonld import government_service, script_json
from generator.render.urls import (
    AGENCY_PREFIX, KIND_PREFIX, KIND_SLUGS, LEVEL_PREFIX, LEVEL_SLUGS, PROCEDURE_PREFIX, SECTOR_PREFIX, UrlRegistry,
    page_url,
)

#: Heading of the agencies group: distinct from its "Cơ quan thực hiện" role.
AGENCIES_HEADING = "Cơ quan giải quyết"
#: Sections of a procedure page in order, for the page's table of contents:
#: (anchor id, field key of the label or None, literal label). The cases'
#: own documents are sub-sections of "Thành phần hồ sơ".
_SECTIONS = (
    ("tom-tat", None, "Tóm tắt"),
    ("mo-ta", "description", None),
    ("trinh-tu", "steps", None),
    ("cach-thuc", "methods", None),
    ("thanh-phan-ho-so", "documents", None),
    ("doi-tuong", "subjects", None),
    ("co-quan-thuc-hien", "agencies", AGENCIES_HEADING),
    ("yeu-cau", "requirements", None),
    ("ket-qua", "results", None),
    ("can-cu-phap-ly", "legal_basis", None),
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


#: Leading list markers the portal leaves in headings ("* Hồ sơ gồm:", "-Trường hợp…").
_LEADING_BULLETS = re.compile(r"^[\s*\-+•·–]+")
#: Longest fee text shown whole in the summary card (characters).
FEE_SHORT_MAX = 90


def clean_heading(text: str) -> str:
    """A heading without the portal's leading bullets and trailing colon.

    ``"* Hồ sơ đăng ký tạm trú gồm:"`` -> ``"Hồ sơ đăng ký tạm trú gồm"``;
    ``"-Trường hợp cấp lại"`` -> ``"Trường hợp cấp lại"``. Only the rendered
    heading changes; the record keeps its text. A text of bullets and
    colons only (``":"``) gives ``""``: the template then numbers the case.
    """
    cleaned = _LEADING_BULLETS.sub("", text).strip()
    return re.sub(r"\s*:\s*$", "", cleaned)


def short_text(text: str, limit: int = FEE_SHORT_MAX) -> tuple[str, bool]:
    """The first clause of ``text``, at most ``limit`` characters, cut at a word.

    Leading bullets go and whitespace is collapsed. The text ends at its first
    sentence end (``". "``, ``"; "``) when that comes within ``limit``; else it
    is cut at the last space before ``limit``; either way it ends with ``…``
    (and closes a parenthesis it left open).

    Returns:
        ``(short text, True when something was left out)``.
    """
    flat = " ".join(_LEADING_BULLETS.sub("", text).split())
    if len(flat) <= limit:
        return flat, False
    clause = re.search(r"[.;](?=\s)", flat[: limit + 1])
    if clause and clause.end() >= 8:
        short = flat[: clause.end()] + " …"
    else:
        short = flat[:limit].rsplit(" ", 1)[0].rstrip(" ,;:-(") + "…"
    return short + ")" * max(0, short.count("(") - short.count(")")), True


@dataclass(frozen=True)
class FeeLine:
    """One fee of the summary card: ``channel`` label ('' when said once for
    all channels), the ``text`` shown (amount in VND when known, else a short
    form of the portal's text) and whether the methods section says more."""

    channel: str
    text: str
    more: bool


#: A fee text that states a clear rule for the amount (who sets it, or by which act).
_CLEAR_RULE = re.compile(r"hội đồng nhân dân|hđnd|nghị quyết|thông tư|nghị định|quyết định|theo quy định|mức thu|"
                         r"không thu|miễn", re.IGNORECASE)


def fee_lines(procedure: Procedure) -> list[FeeLine]:
    """The fees of the summary card, one per fee of each channel.

    Shown only when it is an amount or a clear rule (issue 11):

    * ``amount_vnd`` known: the amount (``"7.000 đồng"``), ``"Miễn phí"`` for 0
      (never "0 đồng");
    * no amount, and the text names who or what sets it (HĐND, a resolution,
      circular or decree, "theo quy định", "không thu"): the first clause of the
      text (:func:`short_text`);
    * otherwise "Có, xem chi tiết": the methods section shows the whole text.

    ``Phí``/``Lệ phí`` is prefixed when the fee's text says which. ``more`` is
    True when the methods section says more. No amount is ever computed from the
    text. The same fee on every channel is said once, without a channel.
    """
    lines: list[FeeLine] = []
    for method in procedure.methods:
        label = CHANNEL_LABELS.get(method.channel, method.channel)
        for fee in method.fees:
            if fee.amount_vnd == 0:
                text, more = "Miễn phí", bool(fee.description) and fee.description.strip(" .") != "Miễn phí"
            elif fee.amount_vnd is not None:
                text = format_vnd(fee.amount_vnd)
                more = bool(fee.description) and " ".join(fee.description.split()) not in (text, f"{text}.")
            elif _CLEAR_RULE.search(fee.description):
                text, more = short_text(item_text(fee.description))
            else:
                text, more = "Có, xem chi tiết", True
            if fee.kind_label and fee.amount_vnd != 0:
                text = f"{fee.kind_label}: {text}"
            lines.append(FeeLine(label, text, more))
    several = len(procedure.methods) > 1
    if several and lines and len(lines) == len(procedure.methods) and len({(l.text, l.more) for l in lines}) == 1:
        return [FeeLine("", lines[0].text, lines[0].more)]
    if not several:
        return [FeeLine("", line.text, line.more) for line in lines]
    return lines


def document_count(procedure: Procedure) -> int:
    """Number of dossier components: the common ones plus every case's own."""
    return len(procedure.documents) + sum(len(case.documents) for case in procedure.cases)


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


class ProcedureRenderer:
    """Renders the page of one procedure at a time (what :func:`render_procedure_pages`
    does for all), with what every page shares computed once: the template, the
    labels and which procedures each one replaces.

    Args:
        catalog: the validated catalog.
        history: a ``generator.history.History`` or None.
        site_url: absolute base URL of the site (JSON-LD ``url``), or None.
        feedback_url: the "Phản ánh, kiến nghị" address template
            (:mod:`generator.render.contribute`), or None for no link.
    """

    def __init__(self, catalog: Catalog, history: Any = None, site_url: str | None = None,
                 feedback_url: str | None = None) -> None:
        self.catalog, self.history, self.site_url, self.feedback_url = catalog, history, site_url, feedback_url
        self.template = environment().get_template("procedure.html")
        self.labels = schema_labels()
        self.replaces: dict[str, list[Procedure]] = {}
        for procedure in catalog.procedures:
            if procedure.replaced_by:
                self.replaces.setdefault(procedure.replaced_by, []).append(procedure)
        self.incomplete = bool(getattr(history, "incomplete", False))

    def check(self, procedure: Procedure, registry: UrlRegistry) -> str:
        """Check the references of ``procedure`` and claim its URL (before any page is written).

        Raises:
            BuildError: an unresolved reference or a URL claimed twice.
        """
        _check_references(procedure, self.catalog)
        return registry.claim(procedure_url(procedure.code), procedure.path)

    def page(self, procedure: Procedure) -> GeneratedPage:
        """The page of ``procedure``, at :func:`procedure_url`."""
        return _render_one(procedure, self.catalog, procedure_url(procedure.code), self.template, self.labels,
                           self.replaces, self.history, self.incomplete, self.site_url, self.feedback_url)


def render_procedure_pages(
    catalog: Catalog, registry: UrlRegistry, *, history: Any = None, site_url: str | None = None,
    feedback_url: str | None = None,
) -> list[GeneratedPage]:
    """Render the page of every procedure of ``catalog`` (see :class:`ProcedureRenderer`).

    Returns:
        One :class:`GeneratedPage` per procedure, by code.

    Raises:
        BuildError: an unresolved reference or a URL claimed twice.
    """
    renderer = ProcedureRenderer(catalog, history, site_url, feedback_url)
    for procedure in catalog.procedures:
        renderer.check(procedure, registry)
    return [renderer.page(procedure) for procedure in catalog.procedures]


def _submit_to(procedure: Procedure, roles: list) -> dict[str, Any] | None:
    """Where to submit, for the summary card: the receiving address when
    known, else the executing (or competent) agencies as ``(name, url)``."""
    if procedure.receiving_address:
        return {"address": procedure.receiving_address, "agencies": []}
    by_role = dict(roles)
    agencies = by_role.get("executing") or by_role.get("competent")
    return {"address": None, "agencies": agencies} if agencies else None


def _render_one(procedure, catalog, url, template, labels, replaces, history, incomplete, site_url,
                feedback_url=None) -> GeneratedPage:
    from generator.render.contribute import feedback_link

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
    present = {
        "description": procedure.description,
        "steps": procedure.steps, "methods": procedure.methods, "documents": procedure.documents or procedure.dossier_sets or procedure.cases or procedure.document_notes,
        "subjects": procedure.subjects, "agencies": roles or procedure.receiving_address,
        "requirements": procedure.requirements,
        "results": procedure.results, "legal_basis": procedure.legal_basis,
        "related": procedure.related or replaces.get(procedure.code) or procedure.replaces, "compliance_cost": procedure.compliance_cost,
        "simplifications": procedure.simplifications, "amendments": procedure.amendments, "source": procedure.source,
        "changes": changes,
    }
    toc = tuple(
        (anchor, literal or labels[key]) for anchor, key, literal in _SECTIONS if key is None or present.get(key)
    )
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
        document_count=document_count(procedure),
        submit_to=_submit_to(procedure, roles),
        agencies_heading=AGENCIES_HEADING,
        on_page=[entry for entry in toc if entry[0] != "tom-tat"],
        method_descriptions=any(m.description for m in procedure.methods),
        case_times=any(c.processing_time or any(m.processing_time for m in c.methods) for c in procedure.cases),
        fee_kind_labels=FEE_KIND_LABELS, online_service_labels=ONLINE_SERVICE_LABELS,
        formality_label=FORMALITY_TYPE_LABELS.get(procedure.formality_type or "", procedure.formality_type),
        role_names=roles,
        related=[catalog.procedure(code) for code in procedure.related],
        replacement=catalog.procedure(procedure.replaced_by) if procedure.replaced_by else None,
        replaces=sorted(replaces.get(procedure.code, ()), key=lambda p: p.code),
        replaces_codes={p.code for p in replaces.get(procedure.code, ())},
        document_ids={d.id for d in procedure.documents} | {d.id for c in procedure.cases for d in c.documents},
        cost_of=lambda s: simplification_cost(procedure, s, catalog.cost_basis),
        last_updated=updated,
        changes=changes,
        effects_of=simplification_effects(history, procedure.code),
        history_url=history_url(procedure.code),
        history_incomplete=incomplete,
        source_href=procedure.source.url if procedure.source and _HTTP_URL.match(procedure.source.url) else None,
        jsonld=script_json(government_service(procedure, agency, absolute)),
        feedback_href=feedback_link(feedback_url, code=procedure.code, name=procedure.name, url=absolute),
    )
    return GeneratedPage(
        url=url,
        title=procedure.name,
        html=Markup(html),
        toc=toc,
        update_date=updated,
        description=f"{procedure.code}: {procedure.name} ({agency.name})",
    )
