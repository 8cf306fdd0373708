"""Statistics stage: the simplification programme measured (the one module that imports pandas).

:func:`compute_stats` turns the catalog (and, when given, its git history) into
a :class:`Stats` of plain frozen objects that the dashboard, ``tthc report`` and
the exports all read, so they can never disagree. Counts are of procedures
(thủ tục), as of a date (``as_of``, default today in Asia/Ho_Chi_Minh); an
entry dated after ``as_of`` does not count yet.

Per procedure, as of ``as_of``:

* ``in_force`` / ``abolished`` / ``replaced``: its ``status``;
* ``merged``: it replaces two or more procedures (a merge, gộp thủ tục);
* ``reviewed`` (đã rà soát): it has a ``reviews`` entry, or a simplification
  (an approved plan is the outcome of a review: Circular 02/2017/TT-VPCP, Art. 25–26);
* ``planned`` (có phương án được phê duyệt): a simplification at stage ``approved``;
* ``simplified`` (đã thực thi): a simplification at stage ``implemented`` in
  effect (``effective``, else ``date``, on or before ``as_of``, and ``until``, when
  the act sets an end, not before it);
* ``cut`` (cắt giảm, đơn giản hóa, for the 20% target of Decision 1085/QĐ-TTg):
  simplified or abolished;
* ``amended``: an ``amendments`` entry (a re-publication that is not a simplification);
  ``amendments_not_reflected``: one whose decision is not the record's publication decision
  (the record still shows the earlier version);
* an entry without a date (``date_note``) is known to exist now, not when: it counts only
  for an ``as_of`` of today or later;
* documents replaced by data look-ups, and how many the record still lists
  (the change is then not reflected in the record yet);
* working days saved and compliance cost before/after (VND per year) of its
  latest simplification whose cost can be computed (:mod:`generator.cost`); the saving is
  also split into what implemented changes save and what approved plans promise.

Targets of a plan (e.g. 1085/QĐ-TTg) are measured on the internal procedures
of the target's group: achieved % = numerator / denominator × 100 (2 decimals).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Iterable
from zoneinfo import ZoneInfo

import pandas as pd

from generator.cost import CostChange, simplification_cost
from generator.model import (
    INTERNAL_SCOPE_LABELS, KIND_LABELS, LEVEL_LABELS, Catalog, Plan, Procedure, Simplification, Target,
)

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")

#: The counted keys, in report order, with their Vietnamese labels.
COUNT_LABELS: dict[str, str] = {
    "procedures": "Số thủ tục",
    "internal": "TTHC nội bộ",
    "in_force": "Còn hiệu lực",
    "abolished": "Đã bãi bỏ",
    "replaced": "Đã được thay thế",
    "merged": "Thủ tục gộp từ nhiều thủ tục",
    "reviewed": "Đã rà soát",
    "planned": "Có phương án được phê duyệt",
    "simplified": "Đã thực thi đơn giản hóa",
    "cut": "Đã cắt giảm, đơn giản hóa (thực thi hoặc bãi bỏ)",
    "amended": "Được sửa đổi, bổ sung",
    "amendments_not_reflected": "… trong đó bản ghi chưa cập nhật nội dung sửa đổi",
    "documents_replaced": "Thành phần hồ sơ thay bằng dữ liệu",
    "documents_still_listed": "… trong đó bản ghi vẫn còn liệt kê",
    "time_saved_working_days": "Số ngày làm việc rút ngắn theo phương án",
    "cost_procedures": "Thủ tục tính được chi phí tuân thủ",
    "compliance_cost_before_vnd": "Chi phí tuân thủ trước đơn giản hóa (đồng/năm)",
    "compliance_cost_after_vnd": "Chi phí tuân thủ sau đơn giản hóa (đồng/năm)",
    "compliance_cost_saved_vnd": "Chi phí tuân thủ tiết kiệm (đồng/năm)",
    "implemented_cost_saved_vnd": "… do các thay đổi đã thực thi (đồng/năm)",
    "planned_cost_saved_vnd": "… theo các phương án chưa thực thi (đồng/năm)",
}
#: The money keys of :class:`Counts`: shown as "chưa có dữ liệu" when no procedure has a cost figure.
COST_KEYS = frozenset({"compliance_cost_before_vnd", "compliance_cost_after_vnd", "compliance_cost_saved_vnd",
                       "implemented_cost_saved_vnd", "planned_cost_saved_vnd"})
_FLAGS = ["internal", "in_force", "abolished", "replaced", "merged", "reviewed", "planned", "simplified", "cut", "amended"]
_SUMS = ["amendments_not_reflected", "documents_replaced", "documents_still_listed", "time_saved_working_days",
         "cost_procedures", "compliance_cost_before_vnd", "compliance_cost_after_vnd", "compliance_cost_saved_vnd",
         "implemented_cost_saved_vnd", "planned_cost_saved_vnd"]
STATUS_LABELS = {
    "met": "Đạt", "on_track": "Chưa đến hạn", "behind": "Chậm so với mốc", "missed": "Chưa đạt, đã quá hạn",
    "no_data": "Chưa có dữ liệu", "not_measurable": "Không đánh giá được từ danh mục", "not_started": "Kế hoạch chưa ban hành",
}
METRIC_LABELS = {
    "published": "Công bố, công khai",
    "reviewed": "Rà soát",
    "procedures_cut": "Cắt giảm, đơn giản hóa thủ tục",
    "compliance_cost_cut": "Cắt giảm chi phí tuân thủ",
}


@dataclass(frozen=True)
class Counts:
    """The counts of one group of procedures (keys of :data:`COUNT_LABELS`); money in VND per year."""

    procedures: int = 0
    internal: int = 0
    in_force: int = 0
    abolished: int = 0
    replaced: int = 0
    merged: int = 0
    reviewed: int = 0
    planned: int = 0
    simplified: int = 0
    cut: int = 0
    amended: int = 0
    amendments_not_reflected: int = 0
    documents_replaced: int = 0
    documents_still_listed: int = 0
    time_saved_working_days: float = 0.0
    cost_procedures: int = 0
    compliance_cost_before_vnd: int = 0
    compliance_cost_after_vnd: int = 0
    compliance_cost_saved_vnd: int = 0
    implemented_cost_saved_vnd: int = 0
    planned_cost_saved_vnd: int = 0

    @property
    def cost_saved_percent(self) -> float | None:
        if not self.compliance_cost_before_vnd:
            return None
        return round(self.compliance_cost_saved_vnd * 100 / self.compliance_cost_before_vnd, 2)

    def as_dict(self) -> dict[str, Any]:
        return {key: getattr(self, key) for key in COUNT_LABELS}


@dataclass(frozen=True)
class Group:
    """One row of a breakdown: ``key`` (agency id, sector id, level, kind...), its name and counts."""

    key: str
    name: str
    counts: Counts


@dataclass(frozen=True)
class MilestoneProgress:
    date: str
    description: str
    percent: float | None
    due: bool
    met: bool | None


@dataclass(frozen=True)
class TargetProgress:
    """One target of a plan measured: ``achieved_percent`` of ``percent`` by ``deadline``.

    ``achieved_percent`` is None when nothing can be measured (no procedure in
    the group, or no compliance cost known): shown as "chưa có dữ liệu".
    """

    metric: str
    label: str
    percent: float
    deadline: str | None
    description: str | None
    internal_scope: str | None
    numerator: float
    denominator: float
    achieved_percent: float | None
    status: str  # "met", "on_track", "behind" (a due milestone missed), "missed", "no_data", "not_measurable", "not_started"
    milestones: tuple[MilestoneProgress, ...]
    note: str = ""

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


@dataclass(frozen=True)
class PlanProgress:
    plan: Plan
    targets: tuple[TargetProgress, ...]


@dataclass(frozen=True)
class DecisionEntry:
    """One procedure touched by one decision: what the entry says and what it is worth."""

    code: str
    name: str
    agency: str
    kind: str  # "simplification" or "amendment" or "replacement"
    stage: str | None
    summary: str
    reflected: bool | None  # implemented change visible in the record (None: cannot tell)
    cost: CostChange | None
    group: str = ""  # "TTHC" or the internal group's label


@dataclass(frozen=True)
class Decision:
    """A decision (quyết định, nghị quyết) that simplified, amended or replaced procedures."""

    number: str
    date: str | None
    issuer: str | None
    source: str | None
    entries: tuple[DecisionEntry, ...]
    date_note: str | None = None
    source_note: str | None = None

    @property
    def slug(self) -> str:
        from generator.render.urls import decision_slug

        return decision_slug(self.number)


@dataclass(frozen=True)
class MonthPoint:
    month: str  # YYYY-MM
    decided: int  # simplification entries whose decision is dated in this month
    recorded: int  # simplification entries that reached the catalog in this month (git history)


@dataclass(frozen=True)
class Stats:
    """Everything the dashboard and ``tthc report`` show, computed once."""

    as_of: str
    totals: Counts
    by_agency: tuple[Group, ...]
    by_sector: tuple[Group, ...]
    by_level: tuple[Group, ...]
    by_kind: tuple[Group, ...]
    by_internal_scope: tuple[Group, ...]
    plans: tuple[PlanProgress, ...]
    decisions: tuple[Decision, ...]
    months: tuple[MonthPoint, ...]
    warnings: tuple[str, ...] = ()
    lists: dict[str, tuple[tuple[str, str, str], ...]] = field(default_factory=dict, compare=False, repr=False)
    per_procedure: dict[str, dict[str, Any]] = field(default_factory=dict, compare=False, repr=False)

    def agency(self, agency_id: str) -> Group | None:
        return next((g for g in self.by_agency if g.key == agency_id), None)


def today_vn() -> dt.date:
    return dt.datetime.now(VIETNAM).date()


def _on_or_before(date: str | None, as_of: str) -> bool:
    return date is not None and date <= as_of


def in_effect(s: Simplification, as_of: str) -> bool:
    """An implemented simplification counts while it is in effect: from ``effective`` (else its
    ``date``; undated: see :func:`decided`) to ``until`` when the act sets an end."""
    if s.stage != "implemented" or not decided(s, as_of):
        return False
    start = s.effective or s.date
    return (start is None or start <= as_of) and (s.until is None or as_of <= s.until)


def decided(entry: Any, as_of: str) -> bool:
    """An entry counts from its date; an undated one (``date_note``) only as of today or later."""
    if entry.date is not None:
        return entry.date <= as_of
    return as_of >= today_vn().isoformat()


def _saved_days(s: Simplification) -> float:
    time = s.promised.processing_time if s.promised else None
    if time is None or time.before.unit != "working_days" or time.after.unit != "working_days":
        return 0.0
    if time.before.value is None or time.after.value is None:
        return 0.0
    return max(0.0, float(time.before.value) - float(time.after.value))


def procedure_row(p: Procedure, catalog: Catalog, as_of: str) -> dict[str, Any]:
    """The per-procedure facts the counts add up (see the module docstring)."""
    simplifications = [s for s in p.simplifications if decided(s, as_of)]
    amendments = [a for a in p.amendments if decided(a, as_of)]
    documents = {d.id for d in p.documents} | {d.id for c in p.cases for d in c.documents}
    lookups = [d for s in simplifications if in_effect(s, as_of) for d in s.data_lookups]
    cost, cost_stage = None, None
    for s in reversed(simplifications):
        cost = simplification_cost(p, s, catalog.cost_basis)
        if cost is not None:
            cost_stage = "implemented" if in_effect(s, as_of) else "approved"
            break
    reviewed = any(_on_or_before(r.date, as_of) for r in p.reviews) or bool(simplifications)
    simplified = any(in_effect(s, as_of) for s in simplifications)
    return {
        "code": p.code, "agency": p.agency, "sector": p.sector, "kind": p.kind,
        "internal_scope": p.internal_scope or "", "levels": list(p.levels),
        "internal": p.kind == "internal", "in_force": p.status == "in_force", "abolished": p.status == "abolished",
        "replaced": p.status == "replaced",
        "merged": any("merge" in s.kinds and in_effect(s, as_of) for s in simplifications)
                  or (len(p.replaces) >= 2 and not any("merge" in s.kinds for s in p.simplifications)),
        "reviewed": reviewed,
        "planned": any(s.stage == "approved" for s in simplifications),
        "simplified": simplified,
        "cut": simplified or p.status == "abolished",
        "amended": bool(amendments),
        "amendments_not_reflected": int(any(a.decision != p.publication.decision for a in amendments)),
        "documents_replaced": len(lookups),
        "documents_still_listed": sum(1 for d in lookups if d.document_id and d.document_id in documents),
        "time_saved_working_days": max((_saved_days(s) for s in simplifications), default=0.0),
        "cost_procedures": int(cost is not None),
        "compliance_cost_before_vnd": cost.before_vnd if cost else 0,
        "compliance_cost_after_vnd": cost.after_vnd if cost else 0,
        "compliance_cost_saved_vnd": cost.saved_vnd if cost else 0,
        "implemented_cost_saved_vnd": cost.saved_vnd if cost and cost_stage == "implemented" else 0,
        "planned_cost_saved_vnd": cost.saved_vnd if cost and cost_stage == "approved" else 0,
        "_cost": cost,
    }


def _counts(frame: pd.DataFrame) -> Counts:
    if frame.empty:
        return Counts()
    values: dict[str, Any] = {"procedures": int(len(frame))}
    for key in _FLAGS:
        values[key] = int(frame[key].sum())
    for key in _SUMS:
        total = frame[key].sum()
        values[key] = round(float(total), 2) if key == "time_saved_working_days" else int(total)
    return Counts(**values)


def _groups(frame: pd.DataFrame, column: str, names: dict[str, str]) -> tuple[Group, ...]:
    if frame.empty:
        return ()
    out = []
    for key, part in frame.groupby(column, sort=True):
        if key == "":
            continue
        out.append(Group(str(key), names.get(str(key), str(key)), _counts(part)))
    return tuple(out)


def _target_progress(plan: Plan, target: Target, frame: pd.DataFrame, as_of: str, catalog: Catalog) -> TargetProgress:
    group = frame[frame["internal"]] if not frame.empty else frame
    if target.internal_scope and not group.empty:
        group = group[group["internal_scope"] == target.internal_scope]
    counts = _counts(group)
    names = {a.id: a.name for a in catalog.agencies}
    agencies = sorted({names.get(a, a) for a in (group["agency"] if not group.empty else ())})
    scope = INTERNAL_SCOPE_LABELS.get(target.internal_scope or "", "TTHC nội bộ")
    notes = [f"Tính trên {counts.procedures} {scope} có trong danh mục"
             + (f" (của {', '.join(agencies)})" if agencies else "") + "."]
    if target.metric == "published":
        numerator, denominator = counts.procedures, 0
        national = next((t for t in catalog.national_totals if t.kind == "internal"), None)
        notes = ["Danh mục không ghi ngày công bố lần đầu và không có đủ TTHC nội bộ cả nước"
                 + (f" (có {counts.procedures} trong khoảng {national.count} TTHC nội bộ cả nước)" if national else "")
                 + ", nên không đánh giá được chỉ tiêu này."]
    elif target.metric == "reviewed":
        numerator, denominator = counts.reviewed, counts.procedures
        if not group.empty and not any(p.reviews for p in catalog.procedures):
            notes.append("Chưa có lần rà soát nào được ghi vào danh mục: \"đã rà soát\" chỉ gồm các thủ tục có phương án đơn giản hóa.")
    elif target.metric == "procedures_cut":
        numerator, denominator = counts.cut, counts.procedures
    else:  # compliance_cost_cut
        numerator, denominator = counts.compliance_cost_saved_vnd, counts.compliance_cost_before_vnd
        if counts.cost_procedures:
            notes.append(f"Chỉ {counts.cost_procedures} thủ tục có số liệu chi phí tuân thủ.")
    achieved = round(numerator * 100 / denominator, 2) if denominator else None
    due = target.deadline is not None and target.deadline <= as_of
    milestones = tuple(
        MilestoneProgress(m.date, m.description, m.percent, m.date <= as_of,
                          None if m.percent is None or achieved is None else achieved >= m.percent)
        for m in target.milestones
    )
    if as_of < plan.date:
        status = "not_started"
    elif target.metric == "published":
        status = "not_measurable"
    elif achieved is None:
        status = "no_data"
    elif achieved >= target.percent:
        status = "met"
    elif due:
        status = "missed"
    else:
        status = "behind" if any(m.due and m.met is False for m in milestones) else "on_track"
    note = " ".join(notes)
    return TargetProgress(target.metric, METRIC_LABELS.get(target.metric, target.metric), target.percent, target.deadline,
                          target.description, target.internal_scope, numerator, denominator, achieved, status, milestones, note)


def _decisions(catalog: Catalog, rows: dict[str, dict[str, Any]], as_of: str) -> tuple[Decision, ...]:
    found: dict[str, dict[str, Any]] = {}
    for p in catalog.procedures:
        group = INTERNAL_SCOPE_LABELS.get(p.internal_scope or "", KIND_LABELS.get(p.kind, p.kind))
        documents = {d.id for d in p.documents} | {d.id for c in p.cases for d in c.documents}
        for s in p.simplifications:
            if not decided(s, as_of):
                continue
            entry = found.setdefault(s.decision, {"date": s.date, "issuer": s.issuer, "source": s.source, "entries": [],
                                                  "date_note": s.date_note})
            reflected = None
            if s.stage == "implemented" and s.data_lookups:
                ids = [d.document_id for d in s.data_lookups if d.document_id]
                reflected = not any(i in documents for i in ids) if ids else None
            elif s.stage == "implemented" and "merge" in s.kinds:
                reflected = True
            entry["entries"].append(DecisionEntry(p.code, p.name, p.agency, "simplification", s.stage, s.summary, reflected,
                                                  simplification_cost(p, s, catalog.cost_basis), group))
        for a in p.amendments:
            if not decided(a, as_of):
                continue
            entry = found.setdefault(a.decision, {"date": a.date, "issuer": a.issuer, "source": a.source, "entries": [],
                                                  "date_note": a.date_note})
            entry["entries"].append(DecisionEntry(p.code, p.name, p.agency, "amendment", None, a.summary,
                                                  p.publication.decision == a.decision, None, group))
    out = [Decision(number, v["date"], v["issuer"], v["source"], tuple(sorted(v["entries"], key=lambda e: (e.agency, e.code))),
                    date_note=v["date_note"], source_note=_source_note(number, v["source"]))
           for number, v in found.items()]
    return tuple(sorted(out, key=lambda d: (d.date or "0000", d.number), reverse=True))


def _source_note(number: str, source: str | None) -> str | None:
    """Says when the source is not the decision itself (a news report, a province's re-publication)."""
    if not source:
        return None
    if "chinhphu.vn" in source and "TTg" in number:
        return "bản tin của Cổng Thông tin điện tử Chính phủ; văn bản quyết định chưa thu thập được"
    if "UBND" in source.replace("-", " ").upper() and "UBND" not in number:
        return "văn bản của địa phương công bố lại quyết định này"
    return None


def _months(catalog: Catalog, history: Any) -> tuple[MonthPoint, ...]:
    decided: dict[str, int] = {}
    for p in catalog.procedures:
        for s in p.simplifications:
            if s.date:
                decided[s.date[:7]] = decided.get(s.date[:7], 0) + 1
    recorded: dict[str, int] = {}
    if history is not None:
        for p in catalog.procedures:
            seen = 0
            for revision in history.of(p.code):  # oldest first
                record = revision.record if isinstance(getattr(revision, "record", None), dict) else None
                count = len(record.get("simplifications") or []) if record else seen
                if count > seen and revision.date is not None and not getattr(revision, "date_unknown", False):
                    month = revision.date.astimezone(VIETNAM).strftime("%Y-%m")
                    recorded[month] = recorded.get(month, 0) + count - seen
                seen = max(seen, count)
    months = sorted(set(decided) | set(recorded))
    return tuple(MonthPoint(m, decided.get(m, 0), recorded.get(m, 0)) for m in months)


def _warnings(catalog: Catalog, as_of: str) -> tuple[str, ...]:
    out = []
    today = today_vn().isoformat()
    if as_of > today:
        out.append(f"Ngày tính {as_of} là ngày trong tương lai: số liệu là của các quyết định đã ghi đến hôm nay.")
    dates = [e.date for p in catalog.procedures for e in (*p.simplifications, *p.amendments, *p.reviews) if e.date]
    if dates and as_of < min(dates):
        out.append(f"Ngày tính {as_of} trước mọi quyết định, lần rà soát được ghi (sớm nhất {min(dates)}).")
    if as_of < today:
        out.append("Danh sách thủ tục là danh sách hiện nay: thủ tục được công bố sau ngày tính vẫn được đếm.")
    return tuple(out)


def _lists(catalog: Catalog, rows: dict[str, dict[str, Any]]) -> dict[str, tuple[tuple[str, str, str], ...]]:
    """Procedures behind the counts: ``key -> ((code, name, agency id), ...)`` by code."""
    keys = ("simplified", "planned", "documents_still_listed", "amendments_not_reflected", "merged")
    out: dict[str, list[tuple[str, str, str]]] = {k: [] for k in keys}
    for p in catalog.procedures:
        row = rows[p.code]
        for key in keys:
            if row[key]:
                out[key].append((p.code, p.name, p.agency))
    return {k: tuple(v) for k, v in out.items()}


def compute_stats(catalog: Catalog, history: Any = None, *, as_of: dt.date | str | None = None) -> Stats:
    """Measure the catalog: counts per group, progress of each plan's targets, decisions, monthly series.

    Args:
        catalog: the validated catalog.
        history: the git history (:func:`generator.history.read_history`) for the
            "recorded" monthly series, or None.
        as_of: the reference date (ISO text or date; default today in Vietnam).

    Returns:
        A :class:`Stats`; money in whole VND per year, time in working days.
    """
    as_of_text = (as_of.isoformat() if isinstance(as_of, dt.date) else as_of) or today_vn().isoformat()
    rows = {p.code: procedure_row(p, catalog, as_of_text) for p in catalog.procedures}
    frame = pd.DataFrame([{k: v for k, v in r.items() if k != "_cost"} for r in rows.values()])
    if frame.empty:
        frame = pd.DataFrame(columns=["code", "agency", "sector", "kind", "internal_scope", "levels", *_FLAGS, *_SUMS])
    agency_names = {a.id: a.name for a in catalog.agencies}
    sector_names = {s.id: s.name for s in catalog.sectors}
    levels = frame.explode("levels") if not frame.empty else frame
    plans = tuple(PlanProgress(plan, tuple(_target_progress(plan, t, frame, as_of_text, catalog) for t in plan.targets))
                  for plan in catalog.plans)
    return Stats(
        warnings=_warnings(catalog, as_of_text),
        lists=_lists(catalog, rows),
        as_of=as_of_text,
        totals=_counts(frame),
        by_agency=_groups(frame, "agency", agency_names),
        by_sector=_groups(frame, "sector", sector_names),
        by_level=_groups(levels, "levels", LEVEL_LABELS) if not levels.empty else (),
        by_kind=_groups(frame, "kind", KIND_LABELS),
        by_internal_scope=_groups(frame, "internal_scope", INTERNAL_SCOPE_LABELS),
        plans=plans,
        decisions=_decisions(catalog, rows, as_of_text),
        months=_months(catalog, history),
        per_procedure=rows,
    )


def filter_catalog(catalog: Catalog, agency: str | None) -> Catalog:
    """The catalog restricted to one publishing agency (for ``tthc report --agency``)."""
    if agency is None:
        return catalog
    return Catalog(procedures=tuple(p for p in catalog.procedures if p.agency == agency), agencies=catalog.agencies,
                   sectors=catalog.sectors, plans=catalog.plans, cost_basis=catalog.cost_basis)


def table(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Rows as a DataFrame, for the CSV and XLSX writers of :mod:`generator.export`."""
    return pd.DataFrame(rows)


def rows_for_export(stats: Stats, groups: Iterable[Group]) -> list[dict[str, Any]]:
    """Plain rows (id, name, every count) of a breakdown, for CSV/XLSX and JSON."""
    return [{"id": g.key, "name": g.name, **g.counts.as_dict()} for g in groups]
