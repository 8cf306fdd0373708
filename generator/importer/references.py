"""Agencies and sectors built from imported records (``agencies.yaml``, ``sectors.yaml``).

Sectors: the portal spells one sector in several ways (``Thi đua – Khen thưởng``
and ``Thi đua khen thưởng``). Names are merged by a normalised key (Unicode NFC,
lower case, dashes and punctuation as spaces, runs of spaces as one); the id is
the ASCII slug of that key, so every spelling of a sector maps to one id without
a lookup table. The name shown is the spelling used by most records (ties: the
first in sorted order); the others are kept as ``variants``.

Agencies: the publishing agency's id is the records folder of the crawl
(``bo-cong-an``); its name comes from the portal's exported list
(``lists/*.xlsx``, column "Cơ quan ban hành") or the API's
``departmentPromulgateName``; its portal code is the most frequent ``Gxx`` in the
result codes (``KQ.G01.000186``) of its procedures, or the API's
``departmentPromulgateCode``.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any, Iterable

from generator.importer.normalise import clean, slugify

_PUNCT = re.compile(r"[\s\-‐‑‒–—―_.,;:/()\"'“”]+")


def sector_key(name: str) -> str:
    """Normalised key of a sector name: NFC, lower case, punctuation and dashes as one space."""
    text = unicodedata.normalize("NFC", name).lower()
    return _PUNCT.sub(" ", text).strip()


def sector_id(name: str) -> str:
    """The sector id (slug) of any spelling of a sector name."""
    return slugify(sector_key(name), 80)


def build_sectors(names: Iterable[str], existing: list[dict[str, Any]] | None = None,
                  codes: dict[str, str] | None = None) -> tuple[list[dict[str, Any]], list[list[str]]]:
    """Merge sector names (one per record, so counts are record counts) into sectors.yaml entries.

    Args:
        names: Sector names as written in the records, one per record.
        existing: Entries already in sectors.yaml; they keep their name, and new
            spellings are added to their variants.
        codes: Portal sector codes by sector id (from API records), added when known.

    Returns:
        ``(entries sorted by id, merges)``, where each merge lists the spellings
        that became one sector (only sectors with more than one spelling).
    """
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for name in names:
        name = clean(name)
        if name:
            counts[sector_id(name)][name] += 1
    by_id = {entry["id"]: dict(entry) for entry in existing or []}
    for sid, spellings in counts.items():
        ranked = sorted(spellings.items(), key=lambda item: (-item[1], item[0]))
        entry = by_id.setdefault(sid, {"id": sid, "name": ranked[0][0]})
        variants = set(entry.get("variants", [])) | {name for name, _ in ranked}
        variants.discard(entry["name"])
        if variants:
            entry["variants"] = sorted(variants)
        if codes and sid in codes and "code" not in entry:
            entry["code"] = codes[sid]
    entries = [by_id[k] for k in sorted(by_id)]
    merges = [[e["name"], *e["variants"]] for e in entries if e.get("variants")]
    return entries, merges


def most_frequent_result_agency(results: Iterable[str]) -> str | None:
    """Most frequent ``Gxx`` in result codes ``KQ.Gxx.nnnnnn`` (ties: smallest)."""
    counter = Counter(m.group(1) for code in results if (m := re.match(r"KQ\.([A-Z][0-9A-Z]{1,3})\.", code)))
    if not counter:
        return None
    return sorted(counter.items(), key=lambda item: (-item[1], item[0]))[0][0]


def read_list_publishers(lists_dir: Path) -> dict[str, Counter[str]]:
    """``{code: Counter(publisher name)}`` from the crawl's ``lists/*.xlsx`` (empty if none)."""
    out: dict[str, Counter[str]] = defaultdict(Counter)
    if not lists_dir.is_dir():
        return out
    import openpyxl

    for path in sorted(lists_dir.glob("*.xlsx")):
        sheet = openpyxl.load_workbook(path, read_only=True).active
        for row in sheet.iter_rows(min_row=3, values_only=True):
            if row and row[0] and len(row) > 2 and row[2]:
                out[clean(row[0])][clean(row[2])] += 1
    return out


def build_agencies(records: Iterable[Any], existing: list[dict[str, Any]] | None = None,
                   list_publishers: dict[str, Counter[str]] | None = None,
                   api_names: dict[str, tuple[str, str]] | None = None) -> list[dict[str, Any]]:
    """agencies.yaml entries for the publishing agencies of ``records``.

    Args:
        records: Imported records (``.agency``, ``.code``, ``.data``).
        existing: Entries already in agencies.yaml (kept; missing name or code filled).
        list_publishers: From :func:`read_list_publishers`: publisher names by procedure code.
        api_names: ``{agency id: (portal code, name)}`` from API records.

    Returns:
        Entries sorted by id: ``{id, name, code?, level}``. The level is ``ministry``,
        except ``other`` for the court (Tòa án nhân dân), which is not a ministry.
    """
    results: dict[str, list[str]] = defaultdict(list)
    names: dict[str, Counter[str]] = defaultdict(Counter)
    for record in records:
        results[record.agency].extend(r.get("code", "") for r in record.data.get("results", []))
        for name, count in (list_publishers or {}).get(record.code, Counter()).items():
            names[record.agency][name] += count
    by_id = {entry["id"]: dict(entry) for entry in existing or []}
    for agency in sorted(set(results) | set(api_names or {})):
        entry = by_id.setdefault(agency, {"id": agency})
        api_code, api_name = (api_names or {}).get(agency, ("", ""))
        if "name" not in entry:
            # A spelling with a note in parentheses ("Bộ xây dựng (Giao thông vận tải cũ)")
            # gives way to a plain one; the others are kept as variants.
            ranked = sorted(names[agency].items(), key=lambda item: ("(" in item[0], -item[1], item[0]))
            entry["name"] = ranked[0][0] if ranked else (api_name or agency)
            # Only other spellings of the same name are variants: a list row naming
            # another issuer (one Bộ Công an row says "Bộ Xây dựng") is not one.
            same = _spelling_key(entry["name"])
            variants = sorted(n for n, _ in ranked[1:] if _spelling_key(n) == same)
            if variants:
                entry["variants"] = variants
        code = api_code or most_frequent_result_agency(results[agency])
        if code and "code" not in entry:
            entry["code"] = code
        entry.setdefault("level", "other" if agency.startswith("toa-an") else "ministry")
    return [_ordered_agency(by_id[k]) for k in sorted(by_id)]


def _spelling_key(name: str) -> str:
    """``"Bộ xây dựng (Giao thông vận tải cũ)"`` and ``"Bộ Xây dựng"`` give the same key."""
    return " ".join(re.sub(r"\([^)]*\)", " ", name).casefold().split())


def _ordered_agency(entry: dict[str, Any]) -> dict[str, Any]:
    order = ["id", "name", "code", "level", "parent", "variants"]
    return {k: entry[k] for k in order if k in entry}


PLAN_1085: dict[str, Any] = {
    "id": "qd-1085-ttg",
    "decision": "1085/QĐ-TTg",
    "title": "Kế hoạch rà soát, đơn giản hóa thủ tục hành chính nội bộ trong hệ thống hành chính "
             "nhà nước giai đoạn 2022 - 2025",
    "date": "2022-09-15",
    "scope": "internal",
    "period": {"start": "2022-09-15", "end": "2025-12-31"},
    "targets": [
        {"metric": "published", "percent": 100, "deadline": "2023-04-01",
         "description": "Công bố, công khai 100% TTHC nội bộ giữa các cơ quan hành chính nhà nước"},
        {"metric": "reviewed", "percent": 100, "deadline": "2025-01-01",
         "description": "Rà soát 100% TTHC nội bộ"},
        {"metric": "procedures_cut", "percent": 20, "deadline": "2025-12-31",
         "description": "Cắt giảm, đơn giản hóa tối thiểu 20% TTHC nội bộ"},
        {"metric": "compliance_cost_cut", "percent": 20, "deadline": "2025-12-31",
         "description": "Cắt giảm tối thiểu 20% chi phí tuân thủ TTHC nội bộ"},
    ],
    "source": "Quyết định số 1085/QĐ-TTg ngày 15/9/2022 của Thủ tướng Chính phủ",
}
"""Decision 1085/QĐ-TTg of 15 Sep 2022 (DESIGN.md §1): targets 100% published by
1 Apr 2023, 100% reviewed by 1 Jan 2025, at least 20% of procedures and 20% of
compliance cost cut by the end of 2025."""
