"""Compliance cost of a procedure (chi phí tuân thủ TTHC), by Circular 02/2017/TT-VPCP Art. 27(3).

The circular's two formulas, word for word in meaning::

    cost of one procedure (VND)  = cost of the work it requires (hours × value of one hour)
                                   + fees (phí, lệ phí) + other costs
    cost per year (VND)          = cost of one procedure × submissions per year × subjects per year

What each input is, and where it comes from:

* hours: the record's ``compliance_cost.activities`` (Σ hours) when given; otherwise
  the time limit (thời hạn giải quyết) of the first method whose unit converts to
  hours (``working_days`` × ``hours_per_working_day``, or ``hours``), as Decision
  2816/QĐ-UBND Đồng Nai (20/11/2025) counts it. Time limits in calendar days or
  months are not converted: the cost is then unknown, never guessed;
* value of one hour and hours per working day: the catalog's ``cost-basis.yaml``
  (:class:`~generator.model.CostBasis`), each with its source; never hard-coded;
* fees: ``compliance_cost.fees_vnd`` when given, else the stated amounts of the
  same method's fees (an unstated amount counts as 0 and is reported as such);
* other costs: ``compliance_cost.other_costs_vnd`` (default 0);
* submissions and subjects per year: the record's values, else the basis' defaults.

Every :class:`CostFigure` lists which inputs were given by the record and which
are defaults, so pages and reports can say it. Money is whole VND (rounded half
up at the end, never before); hours are hours.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from generator.model import CostBasis, Procedure, ProcessingTime, Simplification

#: Vietnamese names of the inputs, as pages and reports list them.
INPUT_LABELS = {
    "hours": "số giờ làm việc",
    "hourly_value": "giá trị 01 giờ làm việc",
    "fees": "phí, lệ phí",
    "other_costs": "chi phí khác",
    "submissions_per_year": "số lần thực hiện trong 01 năm",
    "subjects_per_year": "số lượng đối tượng trong 01 năm",
}


@dataclass(frozen=True)
class CostFigure:
    """One compliance cost, with the inputs it was computed from.

    Attributes:
        per_submission_vnd: cost of one procedure (chi phí tuân thủ 01 TTHC), VND.
        per_year_vnd: cost per year, VND.
        hours: hours of work counted.
        hours_from: ``"activities"`` or ``"processing_time"``.
        hourly_value_vnd, fees_vnd, other_costs_vnd: VND.
        submissions_per_year, subjects_per_year: counts.
        given: names (keys of :data:`INPUT_LABELS`) of inputs the record gave.
        defaults: names of inputs taken from the cost basis or derived.
    """

    per_submission_vnd: int
    per_year_vnd: int
    hours: float
    hours_from: str
    hourly_value_vnd: int
    fees_vnd: int
    other_costs_vnd: int
    submissions_per_year: int
    subjects_per_year: int
    given: tuple[str, ...]
    defaults: tuple[str, ...]

    @property
    def defaults_label(self) -> str:
        """``"giá trị 01 giờ làm việc, số lượng đối tượng trong 01 năm"``: the defaults, in Vietnamese."""
        return ", ".join(INPUT_LABELS[name] for name in self.defaults)


@dataclass(frozen=True)
class CostChange:
    """Compliance cost before and after a change, VND per year.

    ``published`` is True when the decision itself publishes both figures
    (they are then taken as printed, not recomputed).
    """

    before: CostFigure | None
    after: CostFigure | None
    before_vnd: int
    after_vnd: int
    published: bool = False

    @property
    def saved_vnd(self) -> int:
        return self.before_vnd - self.after_vnd

    @property
    def saved_percent(self) -> float | None:
        """Share saved, in % of the cost before (2 decimals); None when the cost before is 0."""
        if self.before_vnd == 0:
            return None
        return round(self.saved_vnd * 100 / self.before_vnd, 2)


def _whole(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def time_hours(time: ProcessingTime | None, basis: CostBasis) -> float | None:
    """Hours of a time limit: working days × hours per working day, or hours; None otherwise."""
    if time is None or time.value is None:
        return None
    if time.unit == "working_days":
        return float(time.value) * float(basis.hours_per_working_day)
    if time.unit == "hours":
        return float(time.value)
    return None


def counted_method_index(procedure: Procedure, basis: CostBasis) -> int | None:
    """Index of the method whose time limit (and fees) the cost counts: the first convertible one."""
    for index, method in enumerate(procedure.methods):
        if time_hours(method.processing_time, basis) is not None:
            return index
    return None


def compute_cost(
    procedure: Procedure,
    basis: CostBasis,
    *,
    time: ProcessingTime | None = None,
    fees_vnd: int | None = None,
) -> CostFigure | None:
    """Compliance cost of ``procedure`` by Art. 27(3), or None when the hours cannot be known.

    Args:
        procedure: the record.
        basis: the catalog's cost basis.
        time: a time limit to count instead of the record's (e.g. a plan's promised one);
            used only when the record gives no ``activities``.
        fees_vnd: fees to count instead of the record's (e.g. after a promised cut).

    Returns:
        The figure with its inputs, or None when neither activities nor a time limit in
        working days or hours is known.
    """
    inputs = procedure.compliance_cost
    given: list[str] = []
    defaults: list[str] = ["hourly_value"]
    method_index = counted_method_index(procedure, basis)
    if inputs is not None and inputs.activities:
        hours, hours_from = sum(float(a.hours) for a in inputs.activities), "activities"
        given.append("hours")
    else:
        counted = time if time is not None else (procedure.methods[method_index].processing_time if method_index is not None else None)
        hours_or_none = time_hours(counted, basis)
        if hours_or_none is None:
            return None
        hours, hours_from = hours_or_none, "processing_time"
        defaults.append("hours")
    if fees_vnd is not None:
        fees = fees_vnd
        defaults.append("fees")
    elif inputs is not None and inputs.fees_vnd is not None:
        fees = inputs.fees_vnd
        given.append("fees")
    else:
        method = procedure.methods[method_index] if method_index is not None else None
        fees = sum(f.amount_vnd for f in (method.fees if method else ()) if f.amount_vnd is not None)
        defaults.append("fees")
    other = inputs.other_costs_vnd if inputs is not None and inputs.other_costs_vnd is not None else None
    (given if other is not None else defaults).append("other_costs")
    submissions = inputs.submissions_per_year if inputs is not None and inputs.submissions_per_year is not None else None
    (given if submissions is not None else defaults).append("submissions_per_year")
    subjects = inputs.subjects_per_year if inputs is not None and inputs.subjects_per_year is not None else None
    (given if subjects is not None else defaults).append("subjects_per_year")
    submissions = basis.submissions_per_year if submissions is None else submissions
    subjects = basis.subjects_per_year if subjects is None else subjects
    per_submission = Decimal(str(hours)) * basis.hourly_value_vnd + fees + (other or 0)
    return CostFigure(
        per_submission_vnd=_whole(per_submission),
        per_year_vnd=_whole(per_submission * submissions * subjects),
        hours=hours, hours_from=hours_from, hourly_value_vnd=basis.hourly_value_vnd,
        fees_vnd=fees, other_costs_vnd=other or 0,
        submissions_per_year=submissions, subjects_per_year=subjects,
        given=tuple(given), defaults=tuple(defaults),
    )


def current_fees(procedure: Procedure, basis: CostBasis) -> int:
    """The fees (VND) the cost of ``procedure`` counts: given, or the counted method's stated amounts."""
    if procedure.compliance_cost is not None and procedure.compliance_cost.fees_vnd is not None:
        return procedure.compliance_cost.fees_vnd
    index = counted_method_index(procedure, basis)
    if index is None:
        return 0
    return sum(f.amount_vnd for f in procedure.methods[index].fees if f.amount_vnd is not None)


def simplification_cost(procedure: Procedure, simplification: Simplification, basis: CostBasis | None) -> CostChange | None:
    """Compliance cost per year before and after a simplification, or None when it cannot be known.

    The decision's own figures (``promised.compliance_cost``) are taken as
    published. Otherwise, when the plan states its time limit before and after
    (``promised.processing_time``) and/or its fees (``promised.fees``), both
    costs are computed by :func:`compute_cost` from the record with those
    values put in. A fee cut given only as a percentage applies to the fees the
    record states.
    """
    promised = simplification.promised
    if promised is None:
        return None
    if promised.compliance_cost is not None:
        return CostChange(None, None, promised.compliance_cost.before_vnd, promised.compliance_cost.after_vnd, published=True)
    if basis is None or (promised.processing_time is None and promised.fees is None):
        return None
    time_before = promised.processing_time.before if promised.processing_time else None
    time_after = promised.processing_time.after if promised.processing_time else None
    fees_before = fees_after = None
    if promised.fees is not None:
        fees_before = promised.fees.before_vnd if promised.fees.before_vnd is not None else current_fees(procedure, basis)
        if promised.processing_time is None and fees_before == 0 and promised.fees.after_vnd is None:
            return None  # a fee cut of fees whose amount no source states: the saving is unknown
        if promised.fees.after_vnd is not None:
            fees_after = promised.fees.after_vnd
        elif promised.fees.cut_percent is not None:
            fees_after = _whole(Decimal(fees_before) * (Decimal(100) - Decimal(str(promised.fees.cut_percent))) / 100)
        else:
            fees_after = fees_before
    before = compute_cost(procedure, basis, time=time_before, fees_vnd=fees_before)
    after = compute_cost(procedure, basis, time=time_after, fees_vnd=fees_after)
    if before is None or after is None:
        return None
    return CostChange(before, after, before.per_year_vnd, after.per_year_vnd)
