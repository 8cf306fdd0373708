"""The statistics stage, the dashboard and tthc report: one set of numbers (generator/stats.py)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.catalog import read_catalog
from generator.cli import main
from generator.render import render_pages
from generator.stats import COUNT_LABELS, compute_stats

ROOT = Path(__file__).resolve().parents[1]
DECISIONS = ROOT.parent / "shared" / "data" / "raw" / "simplification-decisions"
CODES = ("3.000346", "3.000347", "3.000348", "6.006593", "5.002577", "5.002578", "1.004222", "2.000908", "1.001686",
         "1.011423", "1.000178", "6.001430")


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small real catalog (procedures named by the decisions, and others) with the decisions recorded."""
    if not DECISIONS.is_dir():
        pytest.skip("shared/data/raw/simplification-decisions is not beside the checkout")
    catalog = tmp_path_factory.mktemp("stats") / "catalog"
    shutil.copytree(ROOT / "catalog", catalog, ignore=shutil.ignore_patterns("procedures"))
    for code in CODES:
        for source in (ROOT / "catalog" / "procedures").glob(f"*/{code}.yaml"):
            (catalog / "procedures" / source.parent.name).mkdir(parents=True, exist_ok=True)
            shutil.copy(source, catalog / "procedures" / source.parent.name / source.name)
    result = CliRunner().invoke(main, ["import-decisions", str(DECISIONS), "--catalog", str(catalog)])
    assert result.exit_code == 0, result.output
    return catalog


def report_json(catalog: Path, *args: str) -> dict:
    result = CliRunner().invoke(main, ["report", "--catalog", str(catalog), "--format", "json", "--as-of", "2026-12-01", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_counts_follow_stage_effect_and_date(recorded: Path) -> None:
    catalog, _ = read_catalog(recorded)
    now = compute_stats(catalog, as_of="2026-12-01")
    rows = now.per_procedure
    assert rows["3.000346"]["planned"] and not rows["3.000346"]["simplified"]  # 1891/QĐ-TTg: approved, not implemented
    assert rows["1.004222"]["simplified"] and rows["1.004222"]["reviewed"]  # NQ 66.7 in force since 01/01/2026
    assert rows["6.006593"]["merged"] and rows["6.006593"]["simplified"]
    assert rows["5.002577"]["amended"] and not rows["5.002577"]["simplified"]  # an amendment is not a simplification
    assert not rows["1.000178"]["reviewed"] if "1.000178" in rows else True
    # before NQ 66.7 takes effect, its look-ups do not count as implemented yet; before it was decided, not at all
    before_effect = compute_stats(catalog, as_of="2025-12-31").per_procedure["1.004222"]
    assert before_effect["reviewed"] and not before_effect["simplified"]
    assert not compute_stats(catalog, as_of="2025-11-01").per_procedure["1.004222"]["reviewed"]
    # GPLX plan: 7 → 4,5 working days; cost by Art. 27(3) with the catalog's basis
    gplx = rows["3.000346"]
    assert gplx["time_saved_working_days"] == 2.5
    basis = catalog.cost_basis
    fees = 0  # no fee amount is stated by the record's first method
    assert gplx["compliance_cost_before_vnd"] == (7 * 8 * basis.hourly_value_vnd + fees) * basis.subjects_per_year
    assert gplx["compliance_cost_after_vnd"] == round(4.5 * 8 * basis.hourly_value_vnd) * basis.subjects_per_year


def test_as_of_respects_undated_entries_end_dates_and_the_plan_date(recorded: Path) -> None:
    catalog, _ = read_catalog(recorded)
    early = compute_stats(catalog, as_of="2020-01-01")
    assert early.totals.amended == 0 and early.totals.merged == 0 and early.totals.reviewed == 0 and early.decisions == ()
    assert {t.status for t in early.plans[0].targets} == {"not_started"}
    assert any("trước mọi quyết định" in w for w in early.warnings)
    # 4008/QĐ-BTC has no date: known to exist now, not on 31/12/2025
    undated = [p.code for p in catalog.procedures if any(a.decision == "4008/QĐ-BTC" for a in p.amendments)]
    assert all(compute_stats(catalog, as_of="2025-12-31").per_procedure[c]["amended"] is False for c in undated)
    # NQ 66.7 applies until 28/02/2027 (its own end date)
    assert compute_stats(catalog, as_of="2027-02-28").per_procedure["1.004222"]["simplified"]
    assert not compute_stats(catalog, as_of="2027-03-01").per_procedure["1.004222"]["simplified"]
    # the 1085 publication target cannot be judged from a catalog without first-publication dates
    published = compute_stats(catalog, as_of="2026-12-01").plans[0].targets[0]
    assert published.metric == "published" and published.status == "not_measurable" and published.achieved_percent is None


def test_a_missed_milestone_before_the_deadline_is_behind(recorded: Path) -> None:
    catalog, _ = read_catalog(recorded)
    reviewed = next(t for t in compute_stats(catalog, as_of="2024-06-01").plans[0].targets if t.metric == "reviewed")
    assert reviewed.status == "behind" and reviewed.milestones[1].met is False


def test_planned_savings_are_kept_apart_from_implemented_ones(recorded: Path) -> None:
    catalog, _ = read_catalog(recorded)
    totals = compute_stats(catalog, as_of="2026-12-01").totals
    assert totals.planned_cost_saved_vnd == totals.compliance_cost_saved_vnd > 0  # only the 1891 plan has a cost
    assert totals.implemented_cost_saved_vnd == 0


def test_targets_of_decision_1085_measured_on_internal_procedures_between_agencies(recorded: Path) -> None:
    catalog, _ = read_catalog(recorded)
    plan = compute_stats(catalog, as_of="2026-12-01").plans[0]
    assert plan.plan.decision == "1085/QĐ-TTg"
    by_metric = {t.metric: t for t in plan.targets}
    assert by_metric["procedures_cut"].deadline == "2025-01-01" and by_metric["procedures_cut"].percent == 20
    assert [m.date for m in by_metric["reviewed"].milestones] == ["2023-10-01", "2024-01-01", "2025-01-01"]
    internal = [p for p in catalog.procedures if p.kind == "internal" and p.internal_scope == "between_agencies"]
    assert by_metric["reviewed"].denominator == len(internal)
    assert by_metric["compliance_cost_cut"].achieved_percent is None and by_metric["compliance_cost_cut"].status == "no_data"


def dashboard_values(html: str) -> dict[str, str]:
    """The 'Số liệu chung' table of the rendered dashboard: label -> shown value."""
    section = html.split('id="so-lieu-chung"', 1)[1].split("</table>", 1)[0]
    return {label: value for label, value in re.findall(r'<th scope="row">([^<]+)</th><td>([^<]+)</td>', section)}


def test_dashboard_and_report_give_the_same_numbers(recorded: Path) -> None:
    from generator.render import format_number

    data = report_json(recorded)
    assert data["format"] == "tthc-report" and data["version"] == 1 and data["as_of"] == "2026-12-01"
    catalog, _ = read_catalog(recorded)
    pages = {p.url: p for p in render_pages(catalog, None, stats=None)}
    # the page was rendered from its own computation (render_pages computed the stats itself)
    shown = dashboard_values(str(pages["tien-do/"].html))
    costs = {"compliance_cost_before_vnd", "compliance_cost_after_vnd", "compliance_cost_saved_vnd",
             "implemented_cost_saved_vnd", "planned_cost_saved_vnd"}
    for key, label in COUNT_LABELS.items():
        expected = "chưa có dữ liệu" if key in costs and not data["totals"]["cost_procedures"] else format_number(data["totals"][key])
        assert shown[label] == expected, key
    assert {p["code"] for p in data["procedures"] if "planned" in p["flags"]} == {"3.000346", "3.000347", "3.000348"}
    for agency in data["agencies"]:
        assert f'co-quan/{agency["id"]}/">{agency["name"]}</a></th><td data-label="Số thủ tục">{format_number(agency["procedures"])}<' in str(pages["tien-do/"].html)
    decision_page = pages["quyet-dinh/1891-qd-ttg/"]
    assert "3.000346" in str(decision_page.html) and "Phương án được phê duyệt" in str(decision_page.html)


def test_report_for_one_agency_and_its_formats(recorded: Path, tmp_path: Path) -> None:
    bxd = report_json(recorded, "--agency", "bo-xay-dung")
    assert bxd["agency"] == "bo-xay-dung" and [a["id"] for a in bxd["agencies"]] == ["bo-xay-dung"]
    internal = {g["id"]: g for g in bxd["groups"]["kind"]}["internal"]
    assert internal["simplified"] == 1 and internal["merged"] == 1 and internal["amended"] >= 2
    runner = CliRunner()
    md = runner.invoke(main, ["report", "--catalog", str(recorded), "--format", "markdown"])
    assert md.exit_code == 0 and "| Bộ Xây dựng |" in md.output and "## Chỉ tiêu" in md.output
    out = tmp_path / "bao-cao.xlsx"
    xlsx = runner.invoke(main, ["report", "--catalog", str(recorded), "--format", "xlsx", "-o", str(out)])
    assert xlsx.exit_code == 0 and out.read_bytes()[:2] == b"PK"
    import openpyxl

    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["thong_tin", "tong_hop", "co_quan", "chi_tieu", "quyet_dinh"]
    assert [c.value for c in book["tong_hop"][1]] == ["Chỉ số", "Giá trị", "Mã"]  # Vietnamese headers
    assert any(c.value and str(c.value).startswith("Mốc") for c in book["chi_tieu"]["B"])  # milestones are rows
    csv = runner.invoke(main, ["report", "--catalog", str(recorded), "--format", "csv"])
    assert csv.exit_code == 0 and "TOTAL" in csv.output


@pytest.mark.parametrize(("args", "message"), [
    (["--agency", "bo-khong-co"], "not in agencies.yaml"),
    (["--plan", "khong-co"], "not a plan"),
    (["--as-of", "31/12/2025"], "not a date"),
    (["--format", "xlsx"], "give -o FILE.xlsx"),
    (["-o", "bao-cao.xlsx"], "use --format xlsx"),
])
def test_report_usage_errors_are_plain_messages(recorded: Path, args: list[str], message: str) -> None:
    result = CliRunner().invoke(main, ["report", "--catalog", str(recorded), *args])
    assert result.exit_code == 2 and message in result.output and "Traceback" not in result.output


def test_export_writes_open_data_without_a_build(recorded: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["export", "--catalog", str(recorded), "-o", str(tmp_path / "od")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "od" / "catalog.json").is_file() and (tmp_path / "od" / "catalog.xlsx").is_file()
    refused = CliRunner().invoke(main, ["export", "--catalog", str(recorded), "-o", str(recorded / "x")])
    assert refused.exit_code == 2


def test_monthly_series_counts_entries_when_they_reached_the_branch(tmp_path: Path) -> None:
    from tests.gitrepo import GitRepo
    from generator.history import read_history

    repo = GitRepo(tmp_path / "repo")
    shutil.copytree(ROOT / "tests" / "fixtures" / "mini_catalog", repo.root / "catalog", dirs_exist_ok=True)
    repo.commit("Danh mục ban đầu", "2026-03-10T09:00:00+07:00")
    path = next((repo.root / "catalog" / "procedures").glob("*/1.000001.yaml"))
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("simplifications:\n", "simplifications:\n  - stage: approved\n    date: 2024-01-02\n"
                                 "    decision: 9/QĐ-BXD\n    kinds: [cut_time]\n    summary: Giảm thời hạn.\n", 1), encoding="utf-8")
    repo.commit("Ghi nhận phương án 9/QĐ-BXD", "2026-05-02T09:00:00+07:00")
    catalog, _ = read_catalog(repo.root / "catalog")
    stats = compute_stats(catalog, read_history(repo.root, catalog_subdir="catalog"), as_of="2026-12-01")
    by_month = {m.month: m for m in stats.months}
    assert by_month["2026-03"].recorded == 1 and by_month["2026-05"].recorded == 1  # the fixture's own entry, then the new one
    assert by_month["2024-01"].decided == 1 and by_month["2024-01"].recorded == 0
