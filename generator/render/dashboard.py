"""The dashboard ("Tiến độ đơn giản hóa") and the decision pages, from :mod:`generator.stats`.

Charts are static SVG files drawn at build time by matplotlib (no JavaScript,
no request off the site), deterministic (fixed hash salt, no date in the
metadata), with text kept as text so it scales. They are separate files shown
with ``<img>``: the site's Content-Security-Policy (``style-src 'self'``) would
block the inline styles of an SVG embedded in the page. Each chart comes with
a one-sentence summary and the table of its numbers for screen readers and
phones. The numbers are those of ``tthc report`` (the same :class:`Stats`).
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from generator.render import GeneratedPage, environment, format_number
from generator.render.urls import DASHBOARD_PREFIX, DECISION_PREFIX, PROCEDURE_PREFIX, UrlRegistry, decision_slug
from generator.stats import COST_KEYS, COUNT_LABELS, Decision, Stats

#: Colours of the charts (the site's indigo, a neutral grey, a green for what is done).
_COLOURS = {"target": "#c5cae9", "achieved": "#3f51b5", "reviewed": "#9fa8da", "planned": "#ffb74d", "simplified": "#2e7d32"}


#: File names of the charts, in the dashboard's folder.
TARGET_CHART, AGENCY_CHART = "chi-tieu.svg", "theo-co-quan.svg"


def _svg(figure: Any) -> bytes:
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None, "Creator": None})
    plt.close(figure)
    return buffer.getvalue()


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update({"svg.hashsalt": "tthc", "svg.fonttype": "none", "font.family": "sans-serif", "font.size": 10})
    return plt


def _axis(plt: Any, rows: int, per_row: float) -> tuple[Any, Any]:
    """A narrow figure (3,6 in) so that its text stays readable on a 360 px phone; labels go above the bars."""
    figure, axis = plt.subplots(figsize=(3.6, per_row * rows + 0.7))
    axis.set_yticks([])
    for side in ("top", "right", "left"):
        axis.spines[side].set_visible(False)
    return figure, axis


def target_chart(stats: Stats) -> bytes | None:
    """Horizontal bars: each target's achieved % against its required %, its name above it."""
    targets = [t for p in stats.plans for t in p.targets]
    if not targets:
        return None
    plt = _pyplot()
    figure, axis = _axis(plt, len(targets), 0.62)
    for row, t in enumerate(targets):
        y = -row
        axis.barh(y, t.percent, height=0.34, color=_COLOURS["target"], label="Chỉ tiêu" if row == 0 else None)
        axis.barh(y, t.achieved_percent or 0, height=0.18, color=_COLOURS["achieved"], label="Đạt được" if row == 0 else None)
        axis.text(0, y + 0.24, t.label, fontsize=9, va="bottom")
        text = "chưa có dữ liệu" if t.achieved_percent is None else f"{format_number(t.achieved_percent)}%"
        axis.text(max(t.achieved_percent or 0, t.percent) + 2, y, text, va="center", fontsize=9)
    axis.set_ylim(-len(targets) + 0.5, 0.75)
    axis.set_xlim(0, 125)
    axis.set_xticks([0, 20, 50, 100])
    axis.set_xlabel("% số thủ tục (chi phí: % chi phí)", fontsize=8)
    axis.legend(loc="upper center", bbox_to_anchor=(0.5, -0.32), ncol=2, frameon=False, fontsize=8)
    return _svg(figure)


def agency_chart(stats: Stats) -> bytes | None:
    """Grouped bars per agency: procedures reviewed, with an approved plan, implemented."""
    groups = _agency_groups(stats)
    if not groups:
        return None
    plt = _pyplot()
    figure, axis = _axis(plt, len(groups), 0.9)
    keys = ("reviewed", "planned", "simplified")
    top = max(getattr(g.counts, k) for g in groups for k in keys) or 1
    for row, g in enumerate(groups):
        y = -row
        for offset, key in zip((0.1, -0.08, -0.26), keys):
            value = getattr(g.counts, key)
            axis.barh(y + offset, value, height=0.16, color=_COLOURS[key], label=COUNT_LABELS[key] if row == 0 else None)
            axis.text(value + top * 0.01, y + offset, format_number(value), va="center", fontsize=7)
        axis.text(0, y + 0.22, g.name, fontsize=9, va="bottom")
    axis.set_ylim(-len(groups) + 0.5, 0.7)
    axis.set_xlim(0, top * 1.15)
    axis.set_xlabel("Số thủ tục", fontsize=8)
    axis.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12 - 0.6 / len(groups)), ncol=1, frameon=False, fontsize=8)
    return _svg(figure)


def _target_sentence(stats: Stats) -> str:
    parts = []
    for progress in stats.plans:
        for t in progress.targets:
            achieved = "chưa có dữ liệu" if t.achieved_percent is None else f"đạt {format_number(t.achieved_percent)}%"
            parts.append(f"{t.label.lower()} {achieved} so với chỉ tiêu {format_number(t.percent)}%")
    return "Theo danh mục này: " + "; ".join(parts) + "." if parts else "Danh mục chưa có kế hoạch nào."


def chart_files(stats: Stats) -> dict[str, bytes]:
    """``site path -> SVG bytes`` of the dashboard's charts (only those with something to draw)."""
    charts = {TARGET_CHART: target_chart(stats), AGENCY_CHART: agency_chart(stats)}
    return {f"{DASHBOARD_PREFIX}/{name}": svg for name, svg in charts.items() if svg is not None}


def _agency_groups(stats: Stats) -> list[Any]:
    return [g for g in stats.by_agency if g.counts.reviewed or g.counts.planned or g.counts.simplified]


def chart_names(stats: Stats) -> set[str]:
    """The file names of the charts :func:`chart_files` draws for ``stats``, without drawing them."""
    names = set()
    if any(p.targets for p in stats.plans):
        names.add(TARGET_CHART)
    if _agency_groups(stats):
        names.add(AGENCY_CHART)
    return names


def chart_key(stats: Stats) -> str:
    """A digest of everything :func:`chart_files` draws (each target's label, required and achieved
    per cent; each charted agency's name and counts): equal keys, equal charts."""
    import hashlib

    targets = [(t.label, t.percent, t.achieved_percent) for p in stats.plans for t in p.targets]
    groups = [(g.name, g.counts.reviewed, g.counts.planned, g.counts.simplified) for g in _agency_groups(stats)]
    return hashlib.sha256(repr((targets, groups)).encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class DecisionPage:
    """The page of one decision (``quyet-dinh/<slug>/``), rendered when :meth:`page` is called.

    The build renders it in its write stage, into the shared layout, and not at all when the
    incremental cache holds it already (:meth:`key_text` says what it shows); everything
    else (:func:`render_pages`, ``TTHC_LAYOUT_ONCE=0``) renders it at once.

    Attributes:
        decision: the :class:`~generator.stats.Decision`.
        url: its claimed URL.
        agency_names: agency id -> name, for every agency of the catalog (shared by all pages).
    """

    decision: Decision
    url: str
    agency_names: Mapping[str, str]

    def page(self) -> GeneratedPage:
        """The rendered :class:`~generator.render.GeneratedPage`."""
        d = self.decision
        html = environment().get_template("decision.html").render(
            d=d, root="../../", procedure_prefix=PROCEDURE_PREFIX, agency_names=self.agency_names)
        return GeneratedPage(url=self.url, title=f"{d.number}", html=Markup(html),
                             description=f"Các thủ tục hành chính được {d.number} đơn giản hóa, sửa đổi hoặc thay thế.")

    def key_text(self) -> str:
        """Everything the page shows but the generator's code and the layout: its URL, the decision
        (``repr`` of the frozen dataclass, its entries with their costs) and the names of its agencies."""
        agencies = sorted({e.agency for e in self.decision.entries})
        return repr((self.url, self.decision, [(a, self.agency_names.get(a)) for a in agencies]))


def decision_pages(stats: Stats, registry: UrlRegistry, catalog: Any) -> list[DecisionPage]:
    """One :class:`DecisionPage` per decision of ``stats``, in its order, each URL claimed.

    Raises:
        BuildError: two decisions map to one URL (both are named).
    """
    agency_names = {a.id: a.name for a in catalog.agencies}
    return [DecisionPage(d, registry.claim(f"{DECISION_PREFIX}/{decision_slug(d.number)}/", f"decision {d.number}"),
                         agency_names)
            for d in stats.decisions]


def render_dashboard_pages(stats: Stats, registry: UrlRegistry, catalog: Any, *,
                           decisions: bool = True) -> list[GeneratedPage]:
    """The dashboard page, the list of decisions and (with ``decisions``) one page per decision;
    without, the caller gets those from :func:`decision_pages`, called next."""
    env = environment()
    pages = []
    url = registry.claim(f"{DASHBOARD_PREFIX}/", "the dashboard")
    decision_urls = {d.number: f"{DECISION_PREFIX}/{decision_slug(d.number)}/" for d in stats.decisions}
    agency_names = {a.id: a.name for a in catalog.agencies}
    html = env.get_template("dashboard.html").render(
        s=stats, labels=COUNT_LABELS, charts=chart_names(stats),
        target_chart=TARGET_CHART, agency_chart=AGENCY_CHART,
        target_sentence=_target_sentence(stats), decision_urls=decision_urls, root="../", basis=catalog.cost_basis,
        agency_names=agency_names,
        cost_keys=COST_KEYS,
        list_titles=(("simplified", "Thủ tục đã thực thi đơn giản hóa"),
                     ("planned", "Thủ tục có phương án được phê duyệt, chưa thực thi"),
                     ("documents_still_listed", "Thủ tục còn liệt kê giấy tờ đã được thay bằng dữ liệu (bản ghi chưa cập nhật)"),
                     ("amendments_not_reflected", "Thủ tục chưa cập nhật nội dung sửa đổi, bổ sung"),
                     ("merged", "Thủ tục được gộp từ nhiều thủ tục")),
    )
    pages.append(GeneratedPage(
        url=url, title="Tiến độ đơn giản hóa", html=Markup(html), in_nav=True,
        toc=(("chi-tieu", "Chỉ tiêu"), ("so-lieu-chung", "Số liệu chung"), ("theo-co-quan", "Theo cơ quan"),
             ("theo-nhom", "Theo loại và nhóm"), ("theo-thang", "Theo tháng"), ("quyet-dinh", "Quyết định"), ("chi-phi", "Cách tính chi phí tuân thủ")),
        description="Tiến độ rà soát, đơn giản hóa thủ tục hành chính theo kế hoạch, theo cơ quan và theo quyết định.",
    ))
    list_url = registry.claim(f"{DECISION_PREFIX}/", "the list of decisions")
    pages.append(GeneratedPage(
        url=list_url, title="Quyết định đơn giản hóa, sửa đổi", in_nav=False,
        html=Markup(env.get_template("decisions.html").render(s=stats, decision_urls=decision_urls, root="../")),
        description="Các quyết định, nghị quyết đơn giản hóa, sửa đổi, thay thế thủ tục hành chính có trong danh mục.",
    ))
    if decisions:
        pages += [page.page() for page in decision_pages(stats, registry, catalog)]
    return pages
