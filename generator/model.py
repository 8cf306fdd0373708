"""Typed, frozen model objects: all that templates, diff and stats see.

The shapes follow DESIGN.md §3 (keys of the national portal's API and
CPSV-AP). Objects are built from records that have already passed
validation (``generator.validate``); building from an invalid record may
raise ``KeyError``/``TypeError`` and is a programming error.

Units: processing times carry their own unit (``working_days``, ``days``,
``hours``, ``months``); money is whole VND (đồng).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

#: Vietnamese labels of the enumerations, as shown on the site and in diffs.
CHANNEL_LABELS = {"in_person": "Trực tiếp", "online": "Trực tuyến", "postal": "Dịch vụ bưu chính"}
UNIT_LABELS = {"working_days": "ngày làm việc", "days": "ngày", "hours": "giờ", "months": "tháng"}
LEVEL_LABELS = {"ministry": "Cấp bộ", "province": "Cấp tỉnh", "commune": "Cấp xã", "other": "Cơ quan khác"}
KIND_LABELS = {"external": "TTHC", "internal": "TTHC nội bộ"}
INTERNAL_SCOPE_LABELS = {
    "between_agencies": "TTHC nội bộ giữa các cơ quan hành chính nhà nước",
    "within_agency": "TTHC nội bộ trong cơ quan hành chính nhà nước",
}
FORMALITY_TYPE_LABELS = {
    "assigned_regulation": "TTHC được giao luật quy định chi tiết",
    "not_assigned_local": "TTHC không được luật giao cho địa phương quy định",
    "other": "Loại khác",
}
STATUS_LABELS = {"in_force": "Còn hiệu lực", "abolished": "Đã bãi bỏ", "replaced": "Đã được thay thế"}
SIMPLIFICATION_KIND_LABELS = {
    "abolish": "Bãi bỏ",
    "amend": "Sửa đổi, bổ sung",
    "replace": "Thay thế",
    "cut_time": "Cắt giảm thời hạn giải quyết",
    "cut_documents": "Cắt giảm thành phần hồ sơ",
    "move_online": "Chuyển sang trực tuyến",
    "merge": "Gộp thủ tục",
    "decentralise": "Phân cấp",
    "standardise": "Chuẩn hóa",
}


@dataclass(frozen=True)
class ProcessingTime:
    """Thời hạn giải quyết: ``value`` in ``unit`` (may be absent, with a ``note``)."""

    value: float | None = None
    unit: str | None = None
    note: str | None = None

    @property
    def label(self) -> str:
        """Vietnamese text, e.g. ``"15 ngày làm việc"``; the note when there is no value."""
        if self.value is None:
            return self.note or ""
        number = f"{self.value:g}".replace(".", ",")
        return f"{number} {UNIT_LABELS.get(self.unit or '', self.unit or '')}".strip()


@dataclass(frozen=True)
class Fee:
    """Phí, lệ phí: original text and, when known, the amount in whole VND."""

    description: str
    amount_vnd: int | None = None


@dataclass(frozen=True)
class Method:
    """Cách thức thực hiện for one channel (``in_person``, ``online``, ``postal``)."""

    channel: str
    processing_time: ProcessingTime | None = None
    fees: tuple[Fee, ...] = ()
    description: str | None = None

    @property
    def channel_label(self) -> str:
        return CHANNEL_LABELS.get(self.channel, self.channel)


@dataclass(frozen=True)
class Document:
    """Thành phần hồ sơ: one dossier component; ``id`` is its stable key for diffs."""

    id: str
    name: str
    originals: int | None = None
    copies: int | None = None
    form: str | None = None
    required: bool | None = None


@dataclass(frozen=True)
class Step:
    """One step of Trình tự thực hiện."""

    description: str
    title: str | None = None


@dataclass(frozen=True)
class Case:
    """Trường hợp: a variant of the procedure with its own time limit and dossier."""

    name: str
    code: str | None = None
    processing_time: ProcessingTime | None = None
    documents: tuple[Document, ...] = ()


@dataclass(frozen=True)
class Result:
    """Kết quả thực hiện, with its portal code (``KQ.G04.000480``) when known."""

    name: str
    code: str | None = None


@dataclass(frozen=True)
class LegalDocument:
    """Căn cứ pháp lý: one legal document by number (``33/2025/NĐ-CP``)."""

    number: str
    title: str | None = None
    articles: str | None = None


@dataclass(frozen=True)
class Publication:
    """Quyết định công bố: the decision that published this version."""

    decision: str
    date: str | None = None  # ISO date YYYY-MM-DD


@dataclass(frozen=True)
class Activity:
    """One activity of the compliance-cost inputs, in hours."""

    name: str
    hours: float


@dataclass(frozen=True)
class ComplianceCost:
    """Chi phí tuân thủ inputs (Circular 02/2017/TT-VPCP, Art. 27 and Annex)."""

    activities: tuple[Activity, ...] = ()
    hourly_cost_vnd: int | None = None
    other_costs_vnd: int | None = None
    submissions_per_year: int | None = None
    subjects_per_year: int | None = None


@dataclass(frozen=True)
class Simplification:
    """Phương án đơn giản hóa: one simplification, with its approving decision."""

    date: str
    decision: str
    kinds: tuple[str, ...]
    summary: str
    reason: str | None = None

    @property
    def kind_labels(self) -> tuple[str, ...]:
        return tuple(SIMPLIFICATION_KIND_LABELS.get(k, k) for k in self.kinds)


@dataclass(frozen=True)
class Amendment:
    """Sửa đổi, bổ sung: a re-publication that is not a simplification."""

    date: str
    decision: str
    summary: str


@dataclass(frozen=True)
class Source:
    """Nguồn of an imported record."""

    url: str
    portal_id: str | None = None
    retrieved: str | None = None


@dataclass(frozen=True)
class AgencyRoles:
    """Cơ quan thực hiện by role: lists of agency ids or names."""

    competent: tuple[str, ...] = ()
    executing: tuple[str, ...] = ()
    authorized: tuple[str, ...] = ()
    coordinating: tuple[str, ...] = ()


@dataclass(frozen=True)
class Procedure:
    """One administrative procedure (thủ tục hành chính), current version.

    ``agency`` is the publishing agency's id (the folder under
    ``catalog/procedures/``); ``path`` the file, relative to the catalog root,
    with forward slashes.
    """

    code: str
    name: str
    kind: str
    levels: tuple[str, ...]
    sector: str
    publication: Publication
    status: str
    agency: str
    path: str
    internal_scope: str | None = None
    description: str | None = None
    keywords: str | None = None
    formality_type: str | None = None
    agencies: AgencyRoles = field(default_factory=AgencyRoles)
    receiving_address: str | None = None
    subjects: tuple[str, ...] = ()
    steps: tuple[Step, ...] = ()
    methods: tuple[Method, ...] = ()
    documents: tuple[Document, ...] = ()
    dossier_sets: int | None = None
    cases: tuple[Case, ...] = ()
    requirements: tuple[str, ...] = ()
    results: tuple[Result, ...] = ()
    legal_basis: tuple[LegalDocument, ...] = ()
    related: tuple[str, ...] = ()
    replaced_by: str | None = None
    compliance_cost: ComplianceCost | None = None
    simplifications: tuple[Simplification, ...] = ()
    amendments: tuple[Amendment, ...] = ()
    source: Source | None = None

    @property
    def is_internal(self) -> bool:
        return self.kind == "internal"

    @property
    def online(self) -> bool:
        """True when one of the methods is the online channel."""
        return any(m.channel == "online" for m in self.methods)

    @property
    def url(self) -> str:
        """Site-relative URL of the procedure page, e.g. ``thu-tuc/1.000178/``."""
        return f"thu-tuc/{self.code}/"


@dataclass(frozen=True)
class Agency:
    """An agency of agencies.yaml (bộ, UBND tỉnh, sở...)."""

    id: str
    name: str
    level: str
    code: str | None = None
    parent: str | None = None
    variants: tuple[str, ...] = ()
    #: GitHub/GitLab handles (@user, @org/team) or e-mails who approve its procedures (CODEOWNERS).
    maintainers: tuple[str, ...] = ()


@dataclass(frozen=True)
class Sector:
    """A sector (lĩnh vực) of sectors.yaml."""

    id: str
    name: str
    code: str | None = None
    variants: tuple[str, ...] = ()


@dataclass(frozen=True)
class Target:
    """One target of a plan: ``percent`` of ``metric`` by ``deadline``."""

    metric: str
    percent: float
    deadline: str | None = None
    description: str | None = None


@dataclass(frozen=True)
class Plan:
    """A review and simplification plan (e.g. Decision 1085/QĐ-TTg)."""

    id: str
    decision: str
    title: str
    date: str
    targets: tuple[Target, ...]
    scope: str | None = None
    period_start: str | None = None
    period_end: str | None = None
    source: str | None = None


@dataclass(frozen=True)
class Catalog:
    """The whole catalog: procedures sorted by code, plus the reference lists."""

    procedures: tuple[Procedure, ...]
    agencies: tuple[Agency, ...]
    sectors: tuple[Sector, ...]
    plans: tuple[Plan, ...] = ()

    def procedure(self, code: str) -> Procedure | None:
        return self._by_code.get(code)

    def agency(self, agency_id: str) -> Agency | None:
        return self._agencies.get(agency_id)

    def sector(self, sector_id: str) -> Sector | None:
        return self._sectors.get(sector_id)

    @property
    def _by_code(self) -> dict[str, Procedure]:
        return _index(self, "procedures", "code")

    @property
    def _agencies(self) -> dict[str, Agency]:
        return _index(self, "agencies", "id")

    @property
    def _sectors(self) -> dict[str, Sector]:
        return _index(self, "sectors", "id")


def _index(catalog: Catalog, attr: str, key: str) -> dict[str, Any]:
    cache = catalog.__dict__.setdefault("_cache", {})
    if attr not in cache:
        cache[attr] = {getattr(item, key): item for item in getattr(catalog, attr)}
    return cache[attr]


# ---------------------------------------------------------------------------
# Construction from validated plain data (the mappings produced by ``load``).


def _time(data: Mapping[str, Any] | None) -> ProcessingTime | None:
    if not data:
        return None
    return ProcessingTime(value=data.get("value"), unit=data.get("unit"), note=data.get("note"))


def _documents(items: Any) -> tuple[Document, ...]:
    return tuple(
        Document(
            id=d["id"], name=d["name"], originals=d.get("originals"), copies=d.get("copies"),
            form=d.get("form"), required=d.get("required"),
        )
        for d in items or ()
    )


def procedure_from_dict(data: Mapping[str, Any], agency: str, path: str) -> Procedure:
    """Build a :class:`Procedure` from a validated record.

    Args:
        data: the record as loaded (keys of procedure.schema.json).
        agency: the publishing agency id (the folder name).
        path: the file path relative to the catalog root.
    """
    roles = data.get("agencies") or {}
    cost = data.get("compliance_cost")
    src = data.get("source")
    return Procedure(
        code=data["code"],
        name=data["name"],
        kind=data["kind"],
        levels=tuple(data["levels"]),
        sector=data["sector"],
        publication=Publication(decision=data["publication"]["decision"], date=data["publication"].get("date")),
        status=data["status"],
        agency=agency,
        path=path,
        internal_scope=data.get("internal_scope"),
        description=data.get("description"),
        keywords=data.get("keywords"),
        formality_type=data.get("formality_type"),
        agencies=AgencyRoles(**{k: tuple(roles.get(k) or ()) for k in ("competent", "executing", "authorized", "coordinating")}),
        receiving_address=data.get("receiving_address"),
        subjects=tuple(data.get("subjects") or ()),
        steps=tuple(Step(description=s["description"], title=s.get("title")) for s in data.get("steps") or ()),
        methods=tuple(
            Method(
                channel=m["channel"],
                processing_time=_time(m.get("processing_time")),
                fees=tuple(Fee(description=f["description"], amount_vnd=f.get("amount_vnd")) for f in m.get("fees") or ()),
                description=m.get("description"),
            )
            for m in data.get("methods") or ()
        ),
        documents=_documents(data.get("documents")),
        dossier_sets=data.get("dossier_sets"),
        cases=tuple(
            Case(name=c["name"], code=c.get("code"), processing_time=_time(c.get("processing_time")), documents=_documents(c.get("documents")))
            for c in data.get("cases") or ()
        ),
        requirements=tuple(data.get("requirements") or ()),
        results=tuple(Result(name=r["name"], code=r.get("code")) for r in data.get("results") or ()),
        legal_basis=tuple(LegalDocument(number=x["number"], title=x.get("title"), articles=x.get("articles")) for x in data.get("legal_basis") or ()),
        related=tuple(data.get("related") or ()),
        replaced_by=data.get("replaced_by"),
        compliance_cost=None if cost is None else ComplianceCost(
            activities=tuple(Activity(name=a["name"], hours=a["hours"]) for a in cost.get("activities") or ()),
            hourly_cost_vnd=cost.get("hourly_cost_vnd"),
            other_costs_vnd=cost.get("other_costs_vnd"),
            submissions_per_year=cost.get("submissions_per_year"),
            subjects_per_year=cost.get("subjects_per_year"),
        ),
        simplifications=tuple(
            Simplification(date=s["date"], decision=s["decision"], kinds=tuple(s["kinds"]), summary=s["summary"], reason=s.get("reason"))
            for s in data.get("simplifications") or ()
        ),
        amendments=tuple(Amendment(date=a["date"], decision=a["decision"], summary=a["summary"]) for a in data.get("amendments") or ()),
        source=None if src is None else Source(url=src["url"], portal_id=src.get("portal_id"), retrieved=src.get("retrieved")),
    )


def agency_from_dict(data: Mapping[str, Any]) -> Agency:
    return Agency(id=data["id"], name=data["name"], level=data["level"], code=data.get("code"),
                  parent=data.get("parent"), variants=tuple(data.get("variants") or ()),
                  maintainers=tuple(data.get("maintainers") or ()))


def sector_from_dict(data: Mapping[str, Any]) -> Sector:
    return Sector(id=data["id"], name=data["name"], code=data.get("code"), variants=tuple(data.get("variants") or ()))


def plan_from_dict(data: Mapping[str, Any]) -> Plan:
    period = data.get("period") or {}
    return Plan(
        id=data["id"], decision=data["decision"], title=data["title"], date=data["date"],
        targets=tuple(Target(metric=t["metric"], percent=t["percent"], deadline=t.get("deadline"), description=t.get("description")) for t in data["targets"]),
        scope=data.get("scope"), period_start=period.get("start"), period_end=period.get("end"), source=data.get("source"),
    )
