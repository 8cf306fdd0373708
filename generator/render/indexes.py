"""Home, browsing and open-data pages.

Index pages exist per publishing agency (``/co-quan/<id>/``), sector
(``/linh-vuc/<id>/``), level (``/cap/<level>/``) and kind (``/loai/<kind>/``),
each with its counts and its procedures grouped and sorted by Vietnamese
collation (:mod:`generator.render.collation`). Only the list pages
(``/co-quan/``, ``/linh-vuc/``, ``/cap/``, ``/loai/``) and the home and
open-data pages go into the navigation, so the sidebar stays short however
many procedures there are.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from typing import Any, Callable, Iterable

from markupsafe import Markup

from generator.model import KIND_LABELS, LEVEL_LABELS, Catalog, Procedure
from generator.render import SCHEMAS_DIR, GeneratedPage, environment, schema_labels
from generator.render.collation import sort_key
from generator.render.urls import (
    AGENCY_PREFIX, KIND_PREFIX, KIND_SLUGS, LEVEL_PREFIX, LEVEL_SLUGS, OPEN_DATA_PREFIX, SECTOR_PREFIX, UrlRegistry,
    page_url,
)

SITE_NAME = "Danh mục thủ tục hành chính"
#: Most procedures listed on one index page; longer lists go on ``<url>trang-2/``, ``trang-3/``...
#: (keeps a page under ~200 kB at national scale, where one kind holds 6,500 procedures).
PAGE_SIZE = 400

#: The open-data files (name, format, content), written by ``generator.export``.
OPEN_DATA_FILES = (
    ("catalog.json", "JSON", "Toàn bộ danh mục: mỗi thủ tục với mọi trường, theo lược đồ procedure.schema.json."),
    ("catalog.csv", "CSV (UTF-8)", "Một dòng mỗi thủ tục: mã, tên, loại, cơ quan, lĩnh vực, cấp, tình trạng, thời hạn (số và đơn vị), phí."),
    ("documents.csv", "CSV (UTF-8)", "Thành phần hồ sơ: một dòng mỗi giấy tờ, theo mã thủ tục."),
    ("methods.csv", "CSV (UTF-8)", "Cách thức thực hiện: một dòng mỗi hình thức nộp, với thời hạn và phí, theo mã thủ tục."),
    ("catalog.xlsx", "Excel (XLSX)", "Ba trang tính: thủ tục, thành phần hồ sơ, cách thức thực hiện."),
)


@dataclass(frozen=True)
class Counts:
    """Headline counts of a set of procedures."""

    total: int
    external: int
    internal: int
    in_force: int
    online: int

    @classmethod
    def of(cls, procedures: Iterable[Procedure]) -> Counts:
        items = list(procedures)
        return cls(
            total=len(items),
            external=sum(1 for p in items if p.kind == "external"),
            internal=sum(1 for p in items if p.kind == "internal"),
            in_force=sum(1 for p in items if p.status == "in_force"),
            online=sum(1 for p in items if p.online),
        )


@dataclass(frozen=True)
class Entry:
    """One procedure in a list: what the list shows."""

    code: str
    name: str
    url: str
    kind: str
    status: str
    agency_name: str
    sector_name: str
    level_names: tuple[str, ...]


@dataclass(frozen=True)
class Group:
    """A titled group of entries on an index page."""

    anchor: str
    title: str
    entries: tuple[Entry, ...]
    url: str | None = None
    link_label: str = ""
    total: int = 0
    continued: bool = False


class _Entries:
    """Each procedure's :class:`Entry` and its place in the lists' order (by the Vietnamese collation
    of its name, then its code), made once: every procedure is listed on four index pages or more,
    and its collation key took most of their rendering time."""

    def __init__(self, catalog: Catalog) -> None:
        self.by_code = {
            p.code: Entry(
                code=p.code, name=p.name, url=p.url, kind=p.kind, status=p.status,
                agency_name=catalog.agency(p.agency).name, sector_name=catalog.sector(p.sector).name,
                level_names=tuple(LEVEL_LABELS[level] for level in p.levels),
            )
            for p in catalog.procedures
        }
        ordered = sorted(self.by_code.values(), key=lambda e: (sort_key(e.name), e.code))
        self.rank = {e.code: rank for rank, e in enumerate(ordered)}

    def sorted(self, procedures: Iterable[Procedure]) -> list[Entry]:
        """The entries of ``procedures`` (of the catalog), in the lists' order."""
        return sorted((self.by_code[p.code] for p in procedures), key=lambda e: self.rank[e.code])


def _groups(catalog: Catalog, procedures: list[Procedure], by: str, entries: _Entries) -> list[Group]:
    """Group ``procedures`` by ``"sector"`` or ``"agency"``, groups in collation order."""
    buckets: dict[str, list[Procedure]] = {}
    for p in procedures:
        buckets.setdefault(getattr(p, by), []).append(p)
    groups = []
    for key, items in buckets.items():
        if by == "sector":
            title, url, label = catalog.sector(key).name, page_url(SECTOR_PREFIX, key), "lĩnh vực"
        else:
            title, url, label = catalog.agency(key).name, page_url(AGENCY_PREFIX, key), ""
        listed = tuple(entries.sorted(items))
        groups.append(Group(anchor=f"{by}-{key}", title=title, entries=listed, url=url, link_label=label, total=len(listed)))
    return sorted(groups, key=lambda g: (sort_key(g.title), g.anchor))


def paginate(groups: list[Group], size: int = PAGE_SIZE) -> list[list[Group]]:
    """Split groups over pages of at most ``size`` entries, in order.

    A group that does not fit in what is left of a page starts the next page
    if it fits in a whole one; a group longer than a page is split, and its
    later parts are marked ``continued``.
    """
    pages: list[list[Group]] = [[]]
    count = 0
    for group in groups:
        rest, part = list(group.entries), 0
        while rest:
            room = size - count
            if room <= 0 or (count and len(rest) > room and len(rest) <= size):
                pages.append([])
                count, room = 0, size
            chunk, rest = rest[:room], rest[room:]
            pages[-1].append(dataclasses.replace(group, entries=tuple(chunk), continued=part > 0))
            count += len(chunk)
            part += 1
    return pages


def _index_pages(
    catalog: Catalog, registry: UrlRegistry, url: str, origin: str, title: str, procedures: list[Procedure],
    group_by: str, entries: _Entries, intro: str | None = None, show_agency: bool = True,
) -> list[GeneratedPage]:
    """The index page at ``url`` (and its continuation pages ``trang-N/`` when long)."""
    chunks = paginate(_groups(catalog, procedures, group_by, entries))
    counts = Counts.of(procedures)
    urls = [url] + [f"{url}trang-{n}/" for n in range(2, len(chunks) + 1)]
    template = environment().get_template("index.html")
    out = []
    for number, (page_url_, groups) in enumerate(zip(urls, chunks), start=1):
        registry.claim(page_url_, origin if number == 1 else f"{origin}, page {number}")
        root = "../" * page_url_.count("/")
        page_title = title if number == 1 else f"{title} (trang {number})"
        html = template.render(
            title=page_title, heading_id="tieu-de", intro=intro if number == 1 else None, counts=counts,
            groups=groups, root=root, labels=schema_labels(),
            pages=[(n, u) for n, u in enumerate(urls, start=1)] if len(urls) > 1 else [], current=number,
            # the page's own agency, and the group's title, are not repeated on every line
            show_agency=show_agency and group_by != "agency", show_sector=group_by != "sector",
        )
        toc = tuple((g.anchor, g.title) for g in groups) if len(groups) <= 60 else ()
        out.append(GeneratedPage(url=page_url_, title=page_title, html=Markup(html), toc=toc,
                                 description=f"{title}: {len(procedures)} thủ tục"))
    return out


def _list_page(
    registry: UrlRegistry, url: str, title: str, caption: str, name_label: str, rows: list[dict[str, Any]],
    intro: str, sort: bool = True,
) -> GeneratedPage:
    registry.claim(url, f"the list page {title!r}")
    if sort:
        rows = sorted(rows, key=lambda r: (sort_key(r["title"]), r["url"]))
    html = environment().get_template("list.html").render(
        title=title, heading_id="tieu-de", intro=intro, caption=caption, name_label=name_label, rows=rows, root="../",
    )
    return GeneratedPage(url=url, title=title, html=Markup(html), in_nav=True, description=intro)


def _by(procedures: Iterable[Procedure], key: Callable[[Procedure], Iterable[str]]) -> dict[str, list[Procedure]]:
    out: dict[str, list[Procedure]] = {}
    for p in procedures:
        for value in key(p):
            out.setdefault(value, []).append(p)
    return out


def render_index_pages(
    catalog: Catalog, registry: UrlRegistry, history: Any = None, file_sizes: dict[str, int] | None = None
) -> list[GeneratedPage]:
    """Home, list pages, one index page per agency, sector, level and kind, and the open-data page.

    Raises:
        BuildError: two inputs map to one URL (e.g. an agency id listed twice).
    """
    labels = schema_labels()
    pages: list[GeneratedPage] = []
    by_agency = _by(catalog.procedures, lambda p: (p.agency,))
    by_sector = _by(catalog.procedures, lambda p: (p.sector,))
    by_level = _by(catalog.procedures, lambda p: p.levels)
    by_kind = _by(catalog.procedures, lambda p: (p.kind,))
    entries = _Entries(catalog)

    agency_rows, sector_rows, level_rows, kind_rows = [], [], [], []
    for agency in catalog.agencies:
        url = page_url(AGENCY_PREFIX, agency.id)
        items = by_agency.get(agency.id, [])
        pages += (_index_pages(catalog, registry, url, f"agency {agency.id!r} of agencies.yaml", agency.name, items, "sector",
                                 entries, show_agency=False))
        agency_rows.append({"title": agency.name, "url": url, "counts": Counts.of(items), "note": agency.code and f"({agency.code})"})
    for sector in catalog.sectors:
        url = page_url(SECTOR_PREFIX, sector.id)
        items = by_sector.get(sector.id, [])
        pages += (_index_pages(catalog, registry, url, f"sector {sector.id!r} of sectors.yaml", f"Lĩnh vực {sector.name}", items, "agency",
                                 entries))
        sector_rows.append({"title": sector.name, "url": url, "counts": Counts.of(items), "note": None})
    for level, label in LEVEL_LABELS.items():
        url = page_url(LEVEL_PREFIX, LEVEL_SLUGS[level])
        items = by_level.get(level, [])
        pages += (_index_pages(catalog, registry, url, f"level {level!r}", f"Thủ tục {label.lower()}", items, "sector", entries,
                                 intro=f"Các thủ tục có {labels['levels'].lower()} gồm {label.lower()}."))
        level_rows.append({"title": label, "url": url, "counts": Counts.of(items), "note": None})
    for kind, label in KIND_LABELS.items():
        url = page_url(KIND_PREFIX, KIND_SLUGS[kind])
        items = by_kind.get(kind, [])
        title = "Thủ tục hành chính nội bộ" if kind == "internal" else "Thủ tục hành chính (đối với người dân, doanh nghiệp)"
        pages += (_index_pages(catalog, registry, url, f"kind {kind!r}", title, items, "sector", entries))
        kind_rows.append({"title": label, "url": url, "counts": Counts.of(items), "note": None})

    pages.append(_list_page(registry, f"{AGENCY_PREFIX}/", "Cơ quan công bố", "Số thủ tục theo cơ quan công bố",
                            "Cơ quan", agency_rows, "Các cơ quan công bố thủ tục, theo thứ tự chữ cái."))
    pages.append(_list_page(registry, f"{SECTOR_PREFIX}/", "Lĩnh vực", "Số thủ tục theo lĩnh vực",
                            "Lĩnh vực", sector_rows, "Các lĩnh vực thủ tục hành chính, theo thứ tự chữ cái."))
    pages.append(_list_page(registry, f"{LEVEL_PREFIX}/", "Cấp thực hiện", "Số thủ tục theo cấp thực hiện",
                            "Cấp", level_rows, "Một thủ tục có thể được thực hiện ở nhiều cấp.", sort=False))
    pages.append(_list_page(registry, f"{KIND_PREFIX}/", "Loại thủ tục", "Số thủ tục theo loại",
                            "Loại", kind_rows, "Thủ tục hành chính đối với người dân, doanh nghiệp và thủ tục hành chính nội bộ.", sort=False))
    pages.append(_home_page(catalog, registry, by_level, history))
    pages.append(_open_data_page(registry, file_sizes or {}))
    return pages


def _home_page(catalog: Catalog, registry: UrlRegistry, by_level: dict[str, list[Procedure]], history: Any) -> GeneratedPage:
    registry.claim("", "the home page")
    latest = []
    if history is not None:
        from generator.render.history import latest_changes

        for rc in latest_changes(history, 10, codes=[p.code for p in catalog.procedures]):
            procedure = catalog.procedure(rc.code)
            note = f"{rc.kind_label}: {rc.summary}" if rc.summary else rc.kind_label
            latest.append((rc.revision.date.date().isoformat(), procedure.url, rc.code, procedure.name, note))
    agencies_with = sorted({p.agency for p in catalog.procedures})
    retrieved = sorted(p.source.retrieved for p in catalog.procedures if p.source and p.source.retrieved)
    portal = sum(1 for p in catalog.procedures if p.source and "dichvucong.gov.vn" in p.source.url)
    coverage = []
    for total in catalog.national_totals:
        have = sum(1 for p in catalog.procedures if p.kind == total.kind)
        coverage.append((total, have, round(have * 100 / total.count, 1) if total.count else None))
    html = environment().get_template("home.html").render(
        site_name=SITE_NAME,
        coverage_agencies=[(catalog.agency(a).name if catalog.agency(a) else a, page_url(AGENCY_PREFIX, a),
                            sum(1 for p in catalog.procedures if p.agency == a)) for a in agencies_with],
        coverage=coverage,
        kind_labels=KIND_LABELS,
        retrieved=(retrieved[0], retrieved[-1]) if retrieved else None,
        portal_count=portal,
        counts=Counts.of(catalog.procedures),
        agency_count=len({p.agency for p in catalog.procedures}),
        sector_count=len({p.sector for p in catalog.procedures}),
        kind_urls={k: page_url(KIND_PREFIX, s) for k, s in KIND_SLUGS.items()},
        levels=[(label, page_url(LEVEL_PREFIX, LEVEL_SLUGS[level]), len(by_level.get(level, ()))) for level, label in LEVEL_LABELS.items()],
        latest=latest,
    )
    return GeneratedPage(url="", title=SITE_NAME, html=Markup(html), in_nav=True,
                         toc=(("so-lieu", "Số liệu chính"), ("pham-vi", "Phạm vi của danh mục"), ("tra-cuu", "Tra cứu")) + ((("thay-doi-gan-day", "Thay đổi gần đây"),) if latest else ()),
                         description="Danh mục mở các thủ tục hành chính và thủ tục hành chính nội bộ.")


def file_size_label(size: int) -> str:
    """``2_345_678`` -> ``"2,2 MB"``; ``900`` -> ``"900 byte"`` (Vietnamese decimal comma, 1 kB = 1024 bytes)."""
    for unit, factor in (("MB", 1024 * 1024), ("kB", 1024)):
        if size >= factor:
            return f"{size / factor:.1f}".replace(".", ",") + f" {unit}"
    return f"{size} byte"


def size_placeholder(name: str) -> str:
    """What the open-data page says of the size of the file ``name`` until the file is made:
    the build renders the page before, and fills the sizes in once the files are written
    (:func:`fill_sizes`)."""
    return f"TTHC-DUNG-LUONG-{name}-TTHC"


def fill_sizes(html: str, file_sizes: dict[str, int]) -> str:
    """``html`` (the open-data page) with each :func:`size_placeholder` of ``file_sizes``
    (name -> bytes) replaced by the size's label (:func:`file_size_label`)."""
    for name, size in file_sizes.items():
        html = html.replace(size_placeholder(name), file_size_label(size))
    return html


def _size_label(size: int | str | None) -> str:
    """The label of a size in bytes; a text (a :func:`size_placeholder`) as it is; "" for None."""
    if size is None:
        return ""
    return size if isinstance(size, str) else file_size_label(size)


def _open_data_page(registry: UrlRegistry, file_sizes: dict[str, int | str]) -> GeneratedPage:
    url = registry.claim(f"{OPEN_DATA_PREFIX}/", "the open-data page")
    schemas = []
    for path in sorted(SCHEMAS_DIR.glob("*.schema.json")):
        schemas.append((path.name, json.loads(path.read_text(encoding="utf-8")).get("title", "")))
    html = environment().get_template("open_data.html").render(
        files=[(name, fmt, about, _size_label(file_sizes.get(name))) for name, fmt, about in OPEN_DATA_FILES],
        schemas=schemas,
    )
    return GeneratedPage(url=url, title="Dữ liệu mở", html=Markup(html), in_nav=True,
                         toc=(("nguon-va-dieu-kien", "Nguồn và điều kiện sử dụng"), ("luoc-do", "Lược đồ dữ liệu (JSON Schema)")),
                         description="Tải toàn bộ danh mục: JSON, CSV, XLSX và JSON Schema.")
