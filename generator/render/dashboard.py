"""The dashboard ("Tiến độ đơn giản hóa") and the decision pages, from :mod:`generator.stats`.

Charts are static SVG drawn at build time by matplotlib (no JavaScript, no
request off the site), deterministic (fixed hash salt, no date in the
metadata), with text kept as text so it scales; each chart comes with a
one-sentence summary and the table of its numbers for screen readers and
phones. The numbers are those of ``tthc report`` (the same :class:`Stats`).
"""

from __future__ import annotations

import io
from typing import Any

from markupsafe import Markup

from generator.render import GeneratedPage, environment, format_number
from generator.render.urls import DASHBOARD_PREFIX, DECISION_PREFIX, PROCEDURE_PREFIX, UrlRegistry, decision_slug
from generator.stats import COUNT_LABELS, Stats

#: Colours of the charts (the site's indigo, a neutral grey, a green for what is done).
_COLOURS = {"target": "#c5cae9", "achieved": "#3f51b5", "reviewed": "#9fa8da", "planned": "#ffb74d", "simplified": "#2e7d32"}


def _svg(figure: Any) -> Markup:
    import matplotlib.pyplot as plt

    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None, "Creator": None})
    plt.close(figure)
    text = buffer.getvalue()
    start = text.find("<svg")
    return Markup(text[start:])


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update({"svg.hashsalt": "tthc", "svg.fonttype": "none", "font.family": "sans-serif", "font.size": 10})
    return plt


def target_chart(stats: Stats) -> Markup | None:
    """Horizontal bars: each target's achieved % against its required %."""
    targets = [t for p in stats.plans for t in p.targets]
    if not targets:
        return None
    plt = _pyplot()
    figure, axis = plt.subplots(figsize=(6.4, 0.55 * len(targets) + 0.8))
    labels = [t.label for t in targets][::-1]
    required = [t.percent for t in targets][::-1]
    achieved = [t.achieved_percent or 0 for t in targets][::-1]
    positions = range(len(targets))
    axis.barh(positions, required, color=_COLOURS["target"], label="Chỉ tiêu")
    axis.barh(positions, achieved, height=0.45, color=_COLOURS["achieved"], label="Đạt được")
    for y, t in zip(positions, targets[::-1]):
        text = "chưa có dữ liệu" if t.achieved_percent is None else f"{format_number(t.achieved_percent)}%"
        axis.text(max(t.achieved_percent or 0, 1) + 1, y, text, va="center", fontsize=9)
    axis.set_yticks(list(positions), labels)
    axis.set_xlim(0, 110)
    axis.set_xlabel("%")
    axis.legend(loc="lower right", frameon=False, fontsize=8)
    for side in ("top", "right"):
        axis.spines[side].set_visible(False)
    return _svg(figure)


def agency_chart(stats: Stats) -> Markup | None:
    """Grouped bars per agency: procedures reviewed, with an approved plan, implemented."""
    groups = [g for g in stats.by_agency if g.counts.reviewed or g.counts.planned or g.counts.simplified]
    if not groups:
        return None
    plt = _pyplot()
    figure, axis = plt.subplots(figsize=(6.4, 0.6 * len(groups) + 0.9))
    names = [g.name for g in groups][::-1]
    rows = range(len(groups))
    width = 0.26
    for offset, key in ((width, "reviewed"), (0, "planned"), (-width, "simplified")):
        values = [getattr(g.counts, key) for g in groups][::-1]
        axis.barh([r + offset for r in rows], values, height=width, color=_COLOURS[key], label=COUNT_LABELS[key])
    axis.set_yticks(list(rows), names)
    axis.set_xlabel("Số thủ tục")
    axis.legend(loc="lower right", frameon=False, fontsize=8)
    for side in ("top", "right"):
        axis.spines[side].set_visible(False)
    return _svg(figure)


def _target_sentence(stats: Stats) -> str:
    parts = []
    for progress in stats.plans:
        for t in progress.targets:
            achieved = "chưa có dữ liệu" if t.achieved_percent is None else f"đạt {format_number(t.achieved_percent)}%"
            parts.append(f"{t.label.lower()} {achieved} so với chỉ tiêu {format_number(t.percent)}%")
    return "Theo danh mục này: " + "; ".join(parts) + "." if parts else "Danh mục chưa có kế hoạch nào."


def render_dashboard_pages(stats: Stats, registry: UrlRegistry, catalog: Any) -> list[GeneratedPage]:
    """The dashboard page, the list of decisions and one page per decision."""
    env = environment()
    pages = []
    url = registry.claim(f"{DASHBOARD_PREFIX}/", "the dashboard")
    decision_urls = {d.number: f"{DECISION_PREFIX}/{decision_slug(d.number)}/" for d in stats.decisions}
    agency_names = {a.id: a.name for a in catalog.agencies}
    html = env.get_template("dashboard.html").render(
        s=stats, labels=COUNT_LABELS, target_svg=target_chart(stats), agency_svg=agency_chart(stats),
        target_sentence=_target_sentence(stats), decision_urls=decision_urls, root="../", basis=catalog.cost_basis,
        agency_names=agency_names,
    )
    pages.append(GeneratedPage(
        url=url, title="Tiến độ đơn giản hóa", html=Markup(html), in_nav=True,
        toc=(("chi-tieu", "Chỉ tiêu"), ("so-lieu-chung", "Số liệu chung"), ("theo-co-quan", "Theo cơ quan"),
             ("theo-nhom", "Theo loại và nhóm"), ("quyet-dinh", "Quyết định"), ("chi-phi", "Cách tính chi phí tuân thủ")),
        description="Tiến độ rà soát, đơn giản hóa thủ tục hành chính theo kế hoạch, theo cơ quan và theo quyết định.",
    ))
    list_url = registry.claim(f"{DECISION_PREFIX}/", "the list of decisions")
    pages.append(GeneratedPage(
        url=list_url, title="Quyết định đơn giản hóa, sửa đổi", in_nav=False,
        html=Markup(env.get_template("decisions.html").render(s=stats, decision_urls=decision_urls, root="../")),
        description="Các quyết định, nghị quyết đơn giản hóa, sửa đổi, thay thế thủ tục hành chính có trong danh mục.",
    ))
    for decision in stats.decisions:
        durl = registry.claim(decision_urls[decision.number], f"decision {decision.number}")
        html = env.get_template("decision.html").render(
            d=decision, root="../../", procedure_prefix=PROCEDURE_PREFIX, agency_names=agency_names)
        pages.append(GeneratedPage(url=durl, title=f"{decision.number}", html=Markup(html),
                                   description=f"Các thủ tục hành chính được {decision.number} đơn giản hóa, sửa đổi hoặc thay thế."))
    return pages
