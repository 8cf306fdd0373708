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
from collections.abc import Mapping
from typing import Any

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
FEE_KIND_LABELS = {"fee": "Phí", "charge": "Lệ phí"}
ONLINE_SERVICE_LABELS = {"full": "Toàn trình", "partial": "Một phần"}
SUBMISSION_LABELS = {"online": "Nộp trực tuyến", "offline": "Nộp trực tiếp hoặc qua dịch vụ bưu chính"}
RETURN_WAY_LABELS = {"at_home": "tại nhà (qua dịch vụ bưu chính)", "at_submission_place": "tại nơi nộp hồ sơ",
                     "online": "trực tuyến"}
STATUS_LABELS = {"in_force": "Còn hiệu lực", "abolished": "Đã bãi bỏ", "replaced": "Đã được thay thế"}
SIMPLIFICATION_KIND_LABELS = {
    "abolish": "Bãi bỏ",
    "amend": "Sửa đổi, bổ sung",
    "replace": "Thay thế",
    "cut_time": "Cắt giảm thời hạn giải quyết",
    "cut_documents": "Cắt giảm thành phần hồ sơ",
    "data_lookup": "Thay thành phần hồ sơ bằng khai thác dữ liệu",
    "cut_fees": "Giảm phí, lệ phí",
    "move_online": "Chuyển sang trực tuyến",
    "merge": "Gộp thủ tục",
    "decentralise": "Phân cấp",
    "standardise": "Chuẩn hóa",
}
#: Giai đoạn of a simplification (phương án đơn giản hóa).
STAGE_LABELS = {"approved": "Phương án được phê duyệt", "implemented": "Đã thực thi"}
#: Kết quả rà soát.
REVIEW_OUTCOME_LABELS = {"keep": "Giữ nguyên", "simplify": "Đề xuất đơn giản hóa", "abolish": "Đề xuất bãi bỏ"}


@dataclass(frozen=True, slots=True)
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


@dataclass(frozen=True, slots=True)
class Fee:
    """Phí, lệ phí: original text and, when known, the amount in whole VND."""

    description: str
    amount_vnd: int | None = None
    kind: str | None = None  # "fee" (phí) or "charge" (lệ phí), when the text says which

    @property
    def kind_label(self) -> str:
        """``Phí`` / ``Lệ phí``, or ``""`` when the source does not say which."""
        return FEE_KIND_LABELS.get(self.kind or "", "")


@dataclass(frozen=True, slots=True)
class Method:
    """Cách thức thực hiện for one channel (``in_person``, ``online``, ``postal``)."""

    channel: str
    processing_time: ProcessingTime | None = None
    fees: tuple[Fee, ...] = ()
    description: str | None = None

    @property
    def channel_label(self) -> str:
        return CHANNEL_LABELS.get(self.channel, self.channel)


@dataclass(frozen=True, slots=True)
class Document:
    """Thành phần hồ sơ: one dossier component; ``id`` is its stable key for diffs."""

    id: str
    name: str
    originals: int | None = None
    copies: int | None = None
    form: str | None = None
    required: bool | None = None
    original_or_copy: bool | None = None  # True: bản chính hoặc bản sao, one of the two


@dataclass(frozen=True, slots=True)
class Step:
    """One step of Trình tự thực hiện."""

    description: str
    title: str | None = None


@dataclass(frozen=True, slots=True)
class Case:
    """Trường hợp: a variant of the procedure with its own time limit and dossier."""

    name: str
    code: str | None = None
    processing_time: ProcessingTime | None = None
    documents: tuple[Document, ...] = ()
    methods: tuple[Method, ...] = ()
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ReturningMethod:
    """Cách thức trả kết quả: where results are returned for one way of submitting."""

    submission: str  # "online" or "offline"
    ways: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """e.g. ``"Nộp trực tuyến: nhận kết quả tại nhà (qua dịch vụ bưu chính), trực tuyến"``."""
        ways = ", ".join(RETURN_WAY_LABELS.get(w, w) for w in self.ways)
        return f"{SUBMISSION_LABELS.get(self.submission, self.submission)}: nhận kết quả {ways}"


@dataclass(frozen=True, slots=True)
class Result:
    """Kết quả thực hiện, with its portal code (``KQ.G04.000480``) when known."""

    name: str
    code: str | None = None


@dataclass(frozen=True, slots=True)
class LegalDocument:
    """Căn cứ pháp lý: one legal document by number (``33/2025/NĐ-CP``)."""

    number: str
    title: str | None = None
    articles: str | None = None
    url: str | None = None  # the official text, http(s)


@dataclass(frozen=True, slots=True)
class Publication:
    """Quyết định công bố: the decision that published this version."""

    decision: str
    date: str | None = None  # ISO date YYYY-MM-DD


@dataclass(frozen=True, slots=True)
class Activity:
    """One activity of the compliance-cost inputs, in hours."""

    name: str
    hours: float


@dataclass(frozen=True, slots=True)
class ComplianceCost:
    """Chi phí tuân thủ inputs of one procedure (Circular 02/2017/TT-VPCP Art. 27(3)).

    Every field is optional: what is missing comes from the catalog's
    :class:`CostBasis` (or, for ``activities``, from the time limit) and is
    reported as a default by :mod:`generator.cost`.
    """

    activities: tuple[Activity, ...] = ()
    fees_vnd: int | None = None
    other_costs_vnd: int | None = None
    submissions_per_year: int | None = None
    subjects_per_year: int | None = None
    source: str | None = None


@dataclass(frozen=True, slots=True)
class CostBasis:
    """catalog/cost-basis.yaml: the values Art. 27(3) needs that no record carries, each with its source.

    ``hourly_value_vnd`` is đồng per hour of work; ``hours_per_working_day``
    converts a time limit in working days to hours; ``submissions_per_year``
    and ``subjects_per_year`` are the default yearly volumes.
    """

    hourly_value_vnd: int
    hourly_value_source: str
    hours_per_working_day: float
    hours_per_working_day_source: str
    submissions_per_year: int
    subjects_per_year: int
    volumes_source: str
    note: str | None = None


@dataclass(frozen=True, slots=True)
class PromisedTime:
    """A time limit before and after, as a plan states it."""

    before: ProcessingTime
    after: ProcessingTime


@dataclass(frozen=True, slots=True)
class PromisedFees:
    """Fees before/after (whole VND) or the share cut (%), as a plan states them."""

    before_vnd: int | None = None
    after_vnd: int | None = None
    cut_percent: float | None = None


@dataclass(frozen=True, slots=True)
class PublishedCost:
    """Compliance cost per year (VND) before and after, as the decision itself publishes it."""

    before_vnd: int
    after_vnd: int


@dataclass(frozen=True, slots=True)
class Promised:
    """Nội dung phương án: what a simplification promises (so a plan not yet implemented shows it)."""

    processing_time: PromisedTime | None = None
    documents_removed: tuple[str, ...] = ()
    fees: PromisedFees | None = None
    compliance_cost: PublishedCost | None = None


@dataclass(frozen=True, slots=True)
class DataLookup:
    """A dossier component replaced by a look-up in a database (thay thế bằng khai thác dữ liệu).

    ``document_id`` is the id of the matching entry of ``documents`` when the
    simplification was recorded; if that document is still listed, the record
    does not reflect the change yet.
    """

    document: str
    database: str
    database_owner: str | None = None
    document_id: str | None = None
    legal_basis: str | None = None


@dataclass(frozen=True, slots=True)
class Simplification:
    """Phương án đơn giản hóa: one simplification, with its approving decision.

    ``stage`` is ``approved`` (phương án được phê duyệt) or ``implemented``
    (đã thực thi). ``date`` is the decision's date (ISO), or None when the
    source does not give it (``date_note`` then says what is known);
    ``effective`` the date it takes effect.
    """

    stage: str
    decision: str
    kinds: tuple[str, ...]
    summary: str
    date: str | None = None
    date_note: str | None = None
    effective: str | None = None
    until: str | None = None
    issuer: str | None = None
    reason: str | None = None
    promised: Promised | None = None
    data_lookups: tuple[DataLookup, ...] = ()
    source: str | None = None

    @property
    def kind_labels(self) -> tuple[str, ...]:
        return tuple(SIMPLIFICATION_KIND_LABELS.get(k, k) for k in self.kinds)

    @property
    def stage_label(self) -> str:
        return STAGE_LABELS.get(self.stage, self.stage)


@dataclass(frozen=True, slots=True)
class Amendment:
    """Sửa đổi, bổ sung: a re-publication that is not a simplification."""

    decision: str
    summary: str
    date: str | None = None
    date_note: str | None = None
    effective: str | None = None
    until: str | None = None
    issuer: str | None = None
    source: str | None = None


@dataclass(frozen=True, slots=True)
class Review:
    """Rà soát: one review of the procedure, counted even when it changes nothing."""

    date: str
    document: str
    outcome: str
    reviewer: str | None = None
    note: str | None = None
    source: str | None = None

    @property
    def outcome_label(self) -> str:
        return REVIEW_OUTCOME_LABELS.get(self.outcome, self.outcome)


@dataclass(frozen=True, slots=True)
class Replaced:
    """A procedure this one replaces (or that was merged into it), as the decision names it."""

    code: str
    decision: str
    name: str | None = None


@dataclass(frozen=True, slots=True)
class Source:
    """Nguồn of an imported record."""

    url: str
    portal_id: str | None = None
    retrieved: str | None = None


@dataclass(frozen=True, slots=True)
class AgencyRoles:
    """Cơ quan thực hiện by role: lists of agency ids or names."""

    competent: tuple[str, ...] = ()
    executing: tuple[str, ...] = ()
    authorized: tuple[str, ...] = ()
    coordinating: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
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
    document_notes: tuple[str, ...] = ()
    dossier_sets: int | None = None
    cases: tuple[Case, ...] = ()
    returning_methods: tuple[ReturningMethod, ...] = ()
    online_service: str | None = None
    non_territorial: bool | None = None
    interconnected: bool | None = None
    requirements: tuple[str, ...] = ()
    results: tuple[Result, ...] = ()
    legal_basis: tuple[LegalDocument, ...] = ()
    related: tuple[str, ...] = ()
    replaced_by: str | None = None
    replaces: tuple[Replaced, ...] = ()
    compliance_cost: ComplianceCost | None = None
    reviews: tuple[Review, ...] = ()
    simplifications: tuple[Simplification, ...] = ()
    amendments: tuple[Amendment, ...] = ()
    source: Source | None = None

    @property
    def is_internal(self) -> bool:
        return self.kind == "internal"

    @property
    def online(self) -> bool:
        """True when one of the methods (of the procedure or of a case) is the online channel."""
        return any(m.channel == "online" for m in self.methods) or any(
            m.channel == "online" for case in self.cases for m in case.methods)

    @property
    def url(self) -> str:
        """Site-relative URL of the procedure page, e.g. ``thu-tuc/1.000178/``."""
        return f"thu-tuc/{self.code}/"


@dataclass(frozen=True, slots=True)
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


@dataclass(frozen=True, slots=True)
class Sector:
    """A sector (lĩnh vực) of sectors.yaml."""

    id: str
    name: str
    code: str | None = None
    variants: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Milestone:
    """An intermediate step of a target: by ``date``, ``percent`` (when stated)."""

    date: str
    description: str
    percent: float | None = None


@dataclass(frozen=True, slots=True)
class Target:
    """One target of a plan: ``percent`` of ``metric`` by ``deadline``.

    ``internal_scope`` limits the target to one group of internal procedures
    (``between_agencies`` or ``within_agency``); None means both.
    """

    metric: str
    percent: float
    deadline: str | None = None
    description: str | None = None
    internal_scope: str | None = None
    milestones: tuple[Milestone, ...] = ()


@dataclass(frozen=True, slots=True)
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
    issuer: str | None = None
    note: str | None = None
    sources: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class NationalTotal:
    """How many procedures of a kind exist nationally, by a dated source (catalog/coverage.yaml)."""

    kind: str
    count: int
    as_of: str
    source: str
    approximate: bool = False
    url: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class Catalog:
    """The whole catalog: procedures sorted by code, plus the reference lists."""

    procedures: tuple[Procedure, ...]
    agencies: tuple[Agency, ...]
    sectors: tuple[Sector, ...]
    plans: tuple[Plan, ...] = ()
    cost_basis: CostBasis | None = None
    national_totals: tuple[NationalTotal, ...] = ()

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
            form=d.get("form"), required=d.get("required"), original_or_copy=d.get("original_or_copy"),
        )
        for d in items or ()
    )


def _methods(items: Any) -> tuple[Method, ...]:
    return tuple(
        Method(
            channel=m["channel"],
            processing_time=_time(m.get("processing_time")),
            fees=tuple(Fee(description=f["description"], amount_vnd=f.get("amount_vnd"), kind=f.get("kind"))
                       for f in m.get("fees") or ()),
            description=m.get("description"),
        )
        for m in items or ()
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
        methods=_methods(data.get("methods")),
        documents=_documents(data.get("documents")),
        document_notes=tuple(data.get("document_notes") or ()),
        dossier_sets=data.get("dossier_sets"),
        cases=tuple(
            Case(name=c["name"], code=c.get("code"), processing_time=_time(c.get("processing_time")), documents=_documents(c.get("documents")),
                 methods=_methods(c.get("methods")), notes=tuple(c.get("notes") or ()))
            for c in data.get("cases") or ()
        ),
        returning_methods=tuple(ReturningMethod(submission=r["submission"], ways=tuple(r.get("ways") or ()))
                                for r in data.get("returning_methods") or ()),
        online_service=data.get("online_service"),
        non_territorial=data.get("non_territorial"),
        interconnected=data.get("interconnected"),
        requirements=tuple(data.get("requirements") or ()),
        results=tuple(Result(name=r["name"], code=r.get("code")) for r in data.get("results") or ()),
        legal_basis=tuple(LegalDocument(number=x["number"], title=x.get("title"), articles=x.get("articles"), url=x.get("url")) for x in data.get("legal_basis") or ()),
        related=tuple(data.get("related") or ()),
        replaced_by=data.get("replaced_by"),
        replaces=tuple(Replaced(code=r["code"], decision=r["decision"], name=r.get("name")) for r in data.get("replaces") or ()),
        compliance_cost=None if cost is None else ComplianceCost(
            activities=tuple(Activity(name=a["name"], hours=a["hours"]) for a in cost.get("activities") or ()),
            fees_vnd=cost.get("fees_vnd"),
            other_costs_vnd=cost.get("other_costs_vnd"),
            submissions_per_year=cost.get("submissions_per_year"),
            subjects_per_year=cost.get("subjects_per_year"),
            source=cost.get("source"),
        ),
        reviews=tuple(
            Review(date=r["date"], document=r["document"], outcome=r["outcome"], reviewer=r.get("reviewer"),
                   note=r.get("note"), source=r.get("source"))
            for r in data.get("reviews") or ()
        ),
        simplifications=tuple(simplification_from_dict(s) for s in data.get("simplifications") or ()),
        amendments=tuple(
            Amendment(decision=a["decision"], summary=a["summary"], date=a.get("date"), date_note=a.get("date_note"),
                      effective=a.get("effective"), until=a.get("until"), issuer=a.get("issuer"), source=a.get("source"))
            for a in data.get("amendments") or ()
        ),
        source=None if src is None else Source(url=src["url"], portal_id=src.get("portal_id"), retrieved=src.get("retrieved")),
    )


def simplification_from_dict(data: Mapping[str, Any]) -> Simplification:
    """Build a :class:`Simplification` from one validated ``simplifications`` entry."""
    promised = data.get("promised")
    built_promise = None
    if promised:
        time, fees, cost = promised.get("processing_time"), promised.get("fees"), promised.get("compliance_cost")
        built_promise = Promised(
            processing_time=None if not time else PromisedTime(before=_time(time["before"]) or ProcessingTime(),
                                                               after=_time(time["after"]) or ProcessingTime()),
            documents_removed=tuple(promised.get("documents_removed") or ()),
            fees=None if not fees else PromisedFees(before_vnd=fees.get("before_vnd"), after_vnd=fees.get("after_vnd"),
                                                    cut_percent=fees.get("cut_percent")),
            compliance_cost=None if not cost else PublishedCost(before_vnd=cost["before_vnd"], after_vnd=cost["after_vnd"]),
        )
    return Simplification(
        stage=data["stage"], decision=data["decision"], kinds=tuple(data["kinds"]), summary=data["summary"],
        date=data.get("date"), date_note=data.get("date_note"), effective=data.get("effective"), until=data.get("until"),
        issuer=data.get("issuer"), reason=data.get("reason"), promised=built_promise,
        data_lookups=tuple(
            DataLookup(document=d["document"], database=d["database"], database_owner=d.get("database_owner"),
                       document_id=d.get("document_id"), legal_basis=d.get("legal_basis"))
            for d in data.get("data_lookups") or ()
        ),
        source=data.get("source"),
    )


def cost_basis_from_dict(data: Mapping[str, Any]) -> CostBasis:
    """Build the :class:`CostBasis` from a validated ``cost-basis.yaml``."""
    return CostBasis(**{k: data.get(k) for k in CostBasis.__dataclass_fields__})


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
        targets=tuple(
            Target(metric=t["metric"], percent=t["percent"], deadline=t.get("deadline"), description=t.get("description"),
                   internal_scope=t.get("internal_scope"),
                   milestones=tuple(Milestone(date=m["date"], description=m["description"], percent=m.get("percent"))
                                    for m in t.get("milestones") or ()))
            for t in data["targets"]
        ),
        scope=data.get("scope"), period_start=period.get("start"), period_end=period.get("end"), source=data.get("source"),
        issuer=data.get("issuer"), note=data.get("note"), sources=tuple(data.get("sources") or ()),
    )
