"""Compliance cost by Circular 02/2017/TT-VPCP Art. 27(3) (generator/cost.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from generator.cost import compute_cost, simplification_cost
from generator.model import (
    Activity, ComplianceCost, CostBasis, Fee, Method, ProcessingTime, Procedure, Promised, PromisedFees,
    PromisedTime, Publication, Simplification,
)

DATA = Path(__file__).parent / "data"
UNITS = {"ngày làm việc": "working_days"}


def basis(**overrides) -> CostBasis:
    values = dict(hourly_value_vnd=40000, hourly_value_source="bình quân thu nhập năm 2024, Tổng cục Thống kê",
                  hours_per_working_day=8, hours_per_working_day_source="8 giờ/ngày",
                  submissions_per_year=1, subjects_per_year=10, volumes_source="10 hồ sơ/năm")
    values.update(overrides)
    return CostBasis(**values)


def procedure(days: float | None = None, fees: tuple[Fee, ...] = (), cost: ComplianceCost | None = None,
              unit: str = "working_days") -> Procedure:
    methods = () if days is None else (Method("in_person", ProcessingTime(days, unit), fees),)
    return Procedure(code="2.000286", name="Thủ tục", kind="external", levels=("province",), sector="x",
                     publication=Publication("1/QĐ-UBND"), status="in_force", agency="a", path="p",
                     methods=methods, compliance_cost=cost)


def test_decision_2816_dong_nai_five_published_rows_reproduced_exactly() -> None:
    """Quyết định 2816/QĐ-UBND (Đồng Nai, 20/11/2025), Phần II x.3: every row's cost before, after,
    saving and rate, from its time limits, 40.000 đồng/giờ, 8 giờ/ngày and 10 hồ sơ/năm."""
    rows = json.loads((DATA / "qd-2816-qd-ubnd-dong-nai-2025.json").read_text(encoding="utf-8"))["rows"]
    assert len(rows) == 5
    for row in rows:
        change, benefit = row["simplification"][0], row["benefit"]
        cost_basis = basis(hourly_value_vnd=benefit["hourly_rate_vnd"], hours_per_working_day=benefit["hours_per_working_day"],
                           submissions_per_year=1, subjects_per_year=benefit["dossiers_per_year"])
        before, after = change["before"], change["after"]
        plan = Simplification(stage="approved", decision="2816/QĐ-UBND", kinds=("cut_time",), summary="Rút ngắn thời hạn",
                              date="2025-11-20", promised=Promised(processing_time=PromisedTime(
                                  ProcessingTime(before["value"], UNITS[before["unit"]]),
                                  ProcessingTime(after["value"], UNITS[after["unit"]]))))
        result = simplification_cost(procedure(before["value"]), plan, cost_basis)
        assert result is not None, row["code"]
        assert result.before_vnd == benefit["cost_before_vnd_per_year"], row["code"]
        assert result.after_vnd == benefit["cost_after_vnd_per_year"], row["code"]
        assert result.saved_vnd == benefit["saving_vnd_per_year"], row["code"]
        assert result.saved_percent == benefit["cut_rate_percent"], row["code"]
        assert result.before.defaults == ("hourly_value", "hours", "fees", "other_costs", "submissions_per_year", "subjects_per_year")


def test_fees_and_volumes_count_and_given_inputs_are_named() -> None:
    cost = ComplianceCost(activities=(Activity("Chuẩn bị hồ sơ", 2), Activity("Đi nộp", 1.5)), other_costs_vnd=30000,
                          submissions_per_year=2, subjects_per_year=500)
    figure = compute_cost(procedure(5, fees=(Fee("Lệ phí", 100000), Fee("Phí theo HĐND tỉnh"))), basis(), )
    assert figure.per_submission_vnd == 5 * 8 * 40000 + 100000 and figure.fees_vnd == 100000
    figure = compute_cost(procedure(5, fees=(Fee("Lệ phí", 100000),), cost=cost), basis())
    # (3,5 h × 40.000 + 100.000 + 30.000) × 2 × 500
    assert figure.per_submission_vnd == 270000 and figure.per_year_vnd == 270_000_000
    assert figure.given == ("hours", "other_costs", "submissions_per_year", "subjects_per_year")
    assert figure.defaults == ("hourly_value", "fees")
    assert "giá trị 01 giờ làm việc" in figure.defaults_label


def test_unknown_hours_give_no_figure_rather_than_a_guess() -> None:
    assert compute_cost(procedure(30, unit="days"), basis()) is None
    assert compute_cost(procedure(2, unit="months"), basis()) is None
    assert compute_cost(procedure(None), basis()) is None
    assert compute_cost(procedure(6, unit="hours"), basis()).hours == 6


def test_promised_fee_cut_without_known_fees_gives_no_saving() -> None:
    plan = Simplification(stage="approved", decision="1891/QĐ-TTg", kinds=("cut_fees",), summary="Giảm 30% lệ phí",
                          date="2025-09-03", promised=Promised(fees=PromisedFees(cut_percent=30)))
    assert simplification_cost(procedure(3, fees=(Fee("Theo mức của HĐND tỉnh"),)), plan, basis()) is None
    result = simplification_cost(procedure(3, fees=(Fee("Lệ phí", 200000),)), plan, basis())
    assert (result.before_vnd, result.after_vnd) == ((3 * 8 * 40000 + 200000) * 10, (3 * 8 * 40000 + 140000) * 10)


@pytest.mark.parametrize("hours", [0.5, 4.5 * 8])
def test_half_hours_round_only_at_the_end(hours: float) -> None:
    figure = compute_cost(procedure(hours, unit="hours"), basis(hourly_value_vnd=33333))
    assert figure.per_year_vnd == round(hours * 33333 * 10)
