"""``tthc report``: the dashboard's numbers (:mod:`generator.stats`) for a control office's periodic report.

Formats: ``text`` (terminal), ``markdown`` (to paste into a report), ``json``
(stable, version 1), ``csv`` (one row per agency, UTF-8 with BOM for Excel)
and ``xlsx`` (sheets ``tong_hop``, ``co_quan``, ``chi_tieu``, ``quyet_dinh``).

JSON, version 1::

    {"format": "tthc-report", "version": 1, "as_of": "YYYY-MM-DD", "agency": id|null, "plan": id|null,
     "totals": {"procedures", "internal", "in_force", "abolished", "replaced", "merged", "reviewed",
                "planned", "simplified", "cut", "amended", "documents_replaced", "documents_still_listed",
                "time_saved_working_days", "cost_procedures", "compliance_cost_before_vnd",
                "compliance_cost_after_vnd", "compliance_cost_saved_vnd"},
     "agencies": [{"id", "name", ...same keys}],
     "groups": {"kind"|"internal_scope"|"level"|"sector": [{"id", "name", ...same keys}]},
     "targets": [{"plan", "metric", "label", "percent", "deadline", "internal_scope", "numerator",
                  "denominator", "achieved_percent" (null: no data), "status"
                  ("met"|"on_track"|"missed"|"no_data"), "milestones": [{"date", "percent", "due", "met"}]}],
     "decisions": [{"number", "date", "issuer", "source", "procedures", "simplifications", "amendments"}],
     "warnings": [text], "procedures": [{"code", "agency", "kind", "internal_scope", "flags" (reviewed, planned,
                 simplified, abolished, replaced, merged, amended), "documents_still_listed",
                 "amendments_not_reflected", "compliance_cost_before_vnd", "compliance_cost_after_vnd"}]}

``achieved_percent`` null and ``status`` ``no_data``/``not_measurable`` mean there is nothing
to measure; money totals are 0 when ``cost_procedures`` is 0 (text and Markdown then say
"chưa có dữ liệu").

Money is whole VND per year; counts are procedures; percentages have 2 decimals.
"""

from __future__ import annotations

import json
from typing import Any

from generator.stats import COST_KEYS, COUNT_LABELS, Stats, rows_for_export, table

REPORT_VERSION = 1


def to_json(stats: Stats, agency: str | None = None, plan: str | None = None) -> dict[str, Any]:
    """The report as the documented JSON object (see the module docstring)."""
    targets = []
    for progress in stats.plans:
        if plan is not None and progress.plan.id != plan:
            continue
        for t in progress.targets:
            targets.append({
                "plan": progress.plan.id, "metric": t.metric, "label": t.label, "percent": t.percent, "deadline": t.deadline,
                "internal_scope": t.internal_scope, "numerator": t.numerator, "denominator": t.denominator,
                "achieved_percent": t.achieved_percent, "status": t.status, "status_label": t.status_label, "note": t.note,
                "milestones": [{"date": m.date, "percent": m.percent, "due": m.due, "met": m.met} for m in t.milestones],
            })
    procedures = []
    for code, row in stats.per_procedure.items():
        flags = [k for k in ("reviewed", "planned", "simplified", "abolished", "replaced", "merged", "amended") if row[k]]
        if flags:
            procedures.append({"code": code, "agency": row["agency"], "kind": row["kind"],
                               "internal_scope": row["internal_scope"] or None, "flags": flags,
                               "documents_still_listed": row["documents_still_listed"],
                               "amendments_not_reflected": bool(row["amendments_not_reflected"]),
                               "compliance_cost_before_vnd": row["compliance_cost_before_vnd"] if row["cost_procedures"] else None,
                               "compliance_cost_after_vnd": row["compliance_cost_after_vnd"] if row["cost_procedures"] else None})
    return {
        "format": "tthc-report", "version": REPORT_VERSION, "as_of": stats.as_of, "agency": agency, "plan": plan,
        "warnings": list(stats.warnings),
        "totals": stats.totals.as_dict(),
        "agencies": rows_for_export(stats, stats.by_agency),
        "groups": {
            "kind": rows_for_export(stats, stats.by_kind),
            "internal_scope": rows_for_export(stats, stats.by_internal_scope),
            "level": rows_for_export(stats, stats.by_level),
            "sector": rows_for_export(stats, stats.by_sector),
        },
        "targets": targets,
        "decisions": [
            {"number": d.number, "date": d.date, "issuer": d.issuer, "source": d.source,
             "procedures": len({e.code for e in d.entries}),
             "simplifications": sum(1 for e in d.entries if e.kind == "simplification"),
             "amendments": sum(1 for e in d.entries if e.kind == "amendment")}
            for d in stats.decisions
        ],
        "procedures": procedures,
    }


def _value(key: str, row: dict[str, Any]) -> str:
    """A count or amount as shown; amounts say "chưa có dữ liệu" when no procedure has a cost figure."""
    if key in COST_KEYS and not row.get("cost_procedures"):
        return "chưa có dữ liệu"
    return _number(row[key])


def _number(value: Any) -> str:
    from generator.render import format_number

    if value is None:
        return "chưa có dữ liệu"
    return format_number(value)


def to_markdown(stats: Stats, agency: str | None = None, plan: str | None = None) -> str:
    """The report as Markdown tables (Vietnamese headings), ready to paste."""
    data = to_json(stats, agency, plan)
    lines = [f"# Tiến độ rà soát, đơn giản hóa thủ tục hành chính (đến ngày {_vi_date(stats.as_of)})", ""]
    if agency:
        lines += [f"Cơ quan: {next((a['name'] for a in data['agencies'] if a['id'] == agency), agency)}", ""]
    lines += ["## Số liệu chung", "", "| Chỉ số | Giá trị |", "|---|---:|"]
    lines += [f"| {COUNT_LABELS[k]} | {_value(k, data['totals'])} |" for k in data["totals"]]
    lines += ["", *[f"> {w}" for w in data["warnings"]]] if data["warnings"] else []
    if data["targets"]:
        lines += ["", "## Chỉ tiêu", "", "| Kế hoạch | Chỉ tiêu | Mục tiêu | Thời hạn | Đạt được | Tình trạng |", "|---|---|---:|---|---:|---|"]
        for progress in stats.plans:
            for t in progress.targets:
                if plan is not None and progress.plan.id != plan:
                    continue
                achieved = "–" if t.achieved_percent is None else f"{_number(t.achieved_percent)}% ({_number(t.numerator)}/{_number(t.denominator)})"
                lines.append(f"| {progress.plan.decision} | {t.label} | {_number(t.percent)}% | {_vi_date(t.deadline or '')} | {achieved} | {t.status_label} |")
                for m in t.milestones:
                    state = "" if m.met is None else (": đạt" if m.met else (": chưa đạt" if m.due else ""))
                    lines.append(f"| | Mốc {_vi_date(m.date)}{f' ({_number(m.percent)}%)' if m.percent is not None else ''}{state} | | | | |")
        notes = [t["note"] for t in data["targets"] if t["note"]]
        lines += ["", *[f"- {n}" for n in dict.fromkeys(notes)]]
    lines += ["", "## Theo cơ quan", "", "| Cơ quan | Số thủ tục | Nội bộ | Đã rà soát | Có phương án | Đã thực thi | Bãi bỏ | Sửa đổi | Chi phí tiết kiệm (đồng/năm) |",
              "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for row in data["agencies"]:
        lines.append(f"| {row['name']} | {_number(row['procedures'])} | {_number(row['internal'])} | {_number(row['reviewed'])} | "
                     f"{_number(row['planned'])} | {_number(row['simplified'])} | {_number(row['abolished'])} | {_number(row['amended'])} | "
                     f"{_value('compliance_cost_saved_vnd', row)} |")
    lines += ["", "## Theo loại thủ tục và nhóm TTHC nội bộ", "", "| Nhóm | Số thủ tục | Đã rà soát | Có phương án | Đã thực thi | Bãi bỏ | Chi phí tiết kiệm (đồng/năm) |",
              "|---|---:|---:|---:|---:|---:|---:|"]
    for row in data["groups"]["kind"] + data["groups"]["internal_scope"]:
        lines.append(f"| {row['name']} | {_number(row['procedures'])} | {_number(row['reviewed'])} | {_number(row['planned'])} | "
                     f"{_number(row['simplified'])} | {_number(row['abolished'])} | {_value('compliance_cost_saved_vnd', row)} |")
    titles = {"simplified": "Thủ tục đã thực thi đơn giản hóa", "planned": "Thủ tục có phương án được phê duyệt, chưa thực thi",
              "documents_still_listed": "Thủ tục còn liệt kê giấy tờ đã được thay bằng dữ liệu",
              "amendments_not_reflected": "Thủ tục chưa cập nhật nội dung sửa đổi"}
    for key, title in titles.items():
        items = stats.lists.get(key) or ()
        if items:
            lines += ["", f"## {title} ({len(items)})", ""] + [f"- {code} {' '.join(name.split())}" for code, name, _ in items]
    if data["decisions"]:
        lines += ["", "## Quyết định", "", "| Quyết định | Ngày | Cơ quan ban hành | Số thủ tục |", "|---|---|---|---:|"]
        lines += [f"| {d['number']} | {_vi_date(d['date'] or '') or 'không rõ'} | {d['issuer'] or ''} | {d['procedures']} |" for d in data["decisions"]]
    return "\n".join(lines) + "\n"


def to_text(stats: Stats, agency: str | None = None, plan: str | None = None) -> str:
    """Plain text for a terminal: the totals, then each target."""
    data = to_json(stats, agency, plan)
    width = max(len(label) for label in COUNT_LABELS.values())
    agency_name = next((a["name"] for a in data["agencies"] if a["id"] == agency), agency)
    lines = [f"Tiến độ đơn giản hóa TTHC, đến ngày {_vi_date(stats.as_of)}" + (f", {agency_name}" if agency else "")]
    lines += [f"  ! {w}" for w in data["warnings"]]
    lines += [f"  {COUNT_LABELS[k]:<{width}}  {_value(k, data['totals'])}" for k in data["totals"]]
    for t in data["targets"]:
        achieved = "" if t["achieved_percent"] is None else f"; đạt {_number(t['achieved_percent'])}% ({_number(t['numerator'])}/{_number(t['denominator'])})"
        lines.append(f"Chỉ tiêu {t['label']} ({t['plan']}): {_number(t['percent'])}% trước {_vi_date(t['deadline'] or '')}{achieved}: {t['status_label']}")
        for m in t["milestones"]:
            state = "" if m["met"] is None else (", đạt" if m["met"] else (", chưa đạt" if m["due"] else ""))
            share = f" ({_number(m['percent'])}%)" if m["percent"] is not None else ""
            lines.append(f"    mốc {_vi_date(m['date'])}{share}{state}")
    return "\n".join(lines) + "\n"


def to_csv(stats: Stats) -> bytes:
    """One row per agency plus a TOTAL row (UTF-8 with BOM), columns as in JSON."""
    from generator.export import _csv

    rows = rows_for_export(stats, stats.by_agency) + [{"id": "TOTAL", "name": "Tổng", **stats.totals.as_dict()}]
    return _csv(table([{"as_of": stats.as_of, **row} for row in rows]))


def to_xlsx(stats: Stats, agency: str | None = None, plan: str | None = None) -> bytes:
    """The report as a workbook: totals, agencies, targets, decisions."""
    from generator.export import _xlsx

    data = to_json(stats, agency, plan)
    info = [{"Thông tin": "Ngày tính", "Giá trị": _vi_date(stats.as_of)},
            {"Thông tin": "Cơ quan", "Giá trị": next((a["name"] for a in data["agencies"] if a["id"] == agency), agency) if agency else "Tất cả"},
            {"Thông tin": "Kế hoạch", "Giá trị": plan or "Tất cả"}] + [{"Thông tin": "Lưu ý", "Giá trị": w} for w in data["warnings"]]
    totals = [{"Chỉ số": COUNT_LABELS[k], "Giá trị": _value(k, data["totals"]), "Mã": k} for k in data["totals"]]
    agencies = [{"Mã cơ quan": a["id"], "Cơ quan": a["name"], **{COUNT_LABELS[k]: a[k] for k in COUNT_LABELS}} for a in data["agencies"]]
    targets = []
    for t in data["targets"]:
        targets.append({"Kế hoạch": t["plan"], "Chỉ tiêu": t["label"], "Mục tiêu (%)": t["percent"], "Thời hạn": _vi_date(t["deadline"] or ""),
                        "Đạt được (%)": t["achieved_percent"], "Tử số": t["numerator"], "Mẫu số": t["denominator"],
                        "Tình trạng": t["status_label"], "Ghi chú": t["note"]})
        for m in t["milestones"]:
            targets.append({"Kế hoạch": t["plan"], "Chỉ tiêu": f"Mốc {_vi_date(m['date'])}", "Mục tiêu (%)": m["percent"],
                            "Thời hạn": _vi_date(m["date"]), "Tình trạng": "" if m["met"] is None else ("Đạt" if m["met"] else ("Chưa đạt" if m["due"] else "Chưa đến hạn"))})
    decisions = [{"Quyết định": d["number"], "Ngày": _vi_date(d["date"] or "") or "không rõ", "Cơ quan ban hành": d["issuer"] or "",
                  "Số thủ tục": d["procedures"], "Phương án đơn giản hóa": d["simplifications"], "Sửa đổi, bổ sung": d["amendments"],
                  "Nguồn": d["source"] or ""} for d in data["decisions"]]
    return _xlsx({"thong_tin": table(info), "tong_hop": table(totals), "co_quan": table(agencies), "chi_tieu": table(targets),
                  "quyet_dinh": table(decisions)})


def render_report(stats: Stats, fmt: str, agency: str | None = None, plan: str | None = None) -> bytes:
    """The report in ``fmt`` (``text``, ``markdown``, ``json``, ``csv``, ``xlsx``) as bytes."""
    if fmt == "json":
        return (json.dumps(to_json(stats, agency, plan), ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    if fmt == "markdown":
        return to_markdown(stats, agency, plan).encode("utf-8")
    if fmt == "csv":
        return to_csv(stats)
    if fmt == "xlsx":
        return to_xlsx(stats, agency, plan)
    return to_text(stats, agency, plan).encode("utf-8")


def _vi_date(text: str) -> str:
    from generator.render import vi_date

    return vi_date(text) if text else ""
