"""The result of importing one source record, and the rules both importers share.

An :class:`ImportedRecord` is the procedure as a plain dict in the shape of
``procedure.schema.json`` plus where it came from and what could not be read
fully. :func:`finish_record` applies the rules that do not depend on the
source format (kind, internal group, levels, formality type, document ids).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from generator.importer.normalise import document_ids

RETRIEVED = "2026-06-10"
"""Date of the page crawl (upper bound: the crawl's files were committed upstream on 2026-06-10 +0700)."""

LEVEL_BY_LABEL = {"cấp bộ": "ministry", "cấp tỉnh": "province", "cấp xã": "commune", "cơ quan khác": "other"}

FORMALITY_BY_LABEL = {
    "tthc được giao luật quy định chi tiết": "assigned_regulation",
    "tthc không được luật giao cho địa phương quy định": "not_assigned_local",
    "loại khác": "other",
}
FORMALITY_BY_API = {"ASSIGNED_REGULATION": "assigned_regulation", "OTHER": "other"}

#: Internal group by code prefix. Inferred from the data of Bộ Xây dựng (the only
#: publisher of internal procedures in the crawl): the 41 procedures coded 5.x are
#: decisions and consultations between state bodies (Thủ tướng Chính phủ, Bộ Công an,
#: Bộ Quốc phòng, Bộ Xây dựng...: e.g. "Lấy ý kiến về nội dung trong quy hoạch...");
#: the 70 coded 6.x run inside one body or its own system (Sở Xây dựng, thi đua -
#: khen thưởng of the sector...). Decision 1085/QĐ-TTg names the two groups
#: ("TTHC nội bộ giữa các cơ quan hành chính nhà nước" and TTHC nội bộ within one
#: ministry, sector or locality). That the portal's 5.x / 6.x numbering matches
#: these two groups is inferred from the data above, not from a published rule.
INTERNAL_SCOPE_BY_PREFIX = {"5": "between_agencies", "6": "within_agency"}

CODE = re.compile(r"^[0-9]\.[0-9]{6}$")

#: The kinds of value a source field may hold (:func:`wrong_types`): text, a number (never a boolean).
TEXT, NUMBER = "text", "number"


def wrong_types(data: Any, shape: Any, path: str = "") -> list[tuple[str, str, Any]]:
    """The values of ``data`` whose type is not the one ``shape`` expects, as ``(field path, expected, value)``.

    ``shape`` is :data:`TEXT`, :data:`NUMBER`, a dict (an object whose listed keys
    have those shapes; other keys are not read, so not checked) or a one-item list
    (a list of that shape). ``None`` (JSON ``null``) is always allowed: a missing
    value. Paths are JSON-style (``executionMethods[0].fees[1].value``).

    Both importers read only values of the expected type: a mapping where text is
    expected would otherwise be written into the record as its Python repr.
    """
    if data is None:
        return []
    if shape == TEXT:
        return [] if isinstance(data, str) else [(path, "text", data)]
    if shape == NUMBER:
        return [] if isinstance(data, (int, float)) and not isinstance(data, bool) else [(path, "a number", data)]
    if isinstance(shape, list):
        if not isinstance(data, list):
            return [(path, "a list", data)]
        return [w for i, item in enumerate(data) for w in wrong_types(item, shape[0], f"{path}[{i}]")]
    if not isinstance(data, dict):
        return [(path, "an object", data)]
    return [w for key, sub in shape.items() for w in wrong_types(data.get(key), sub, f"{path}.{key}" if path else key)]


def describe_value(value: Any) -> str:
    """``a mapping ({'a': 1})``: what a wrong-typed source value is, shortened."""
    kind = ("a mapping" if isinstance(value, dict) else "a list" if isinstance(value, list) else
            "a boolean" if isinstance(value, bool) else "a number" if isinstance(value, (int, float)) else
            "text" if isinstance(value, str) else type(value).__name__)
    shown = repr(value)
    return f"{kind} ({shown if len(shown) <= 40 else shown[:39] + '…'})"


@dataclass
class ImportedRecord:
    """One procedure read from a source file.

    Attributes:
        code: Mã thủ tục, e.g. ``"1.000178"``.
        agency: Publishing agency id (folder under ``catalog/procedures/``).
        data: The record in the shape of ``procedure.schema.json``.
        source_file: The file it was read from (as given on the command line).
        warnings: What could not be parsed fully (text kept unsplit, amounts not read...).
        updated_at: For API records, ``updatedAt`` in ms since the epoch (else ``None``).
        sector_name: The sector as spelt in the source (for sectors.yaml).
        sector_code: The portal's sector code (``G01-CA28``), API records only.
        publisher: ``(portal code, name)`` of the publishing agency, API records only.
    """

    code: str
    agency: str
    data: dict[str, Any]
    source_file: str
    warnings: list[str] = field(default_factory=list)
    updated_at: int | None = None
    sector_name: str = ""
    sector_code: str = ""
    publisher: tuple[str, str] | None = None


def kind_of(code: str) -> str:
    """``internal`` for codes 5.x and 6.x (TTHC nội bộ), else ``external``."""
    return "internal" if code[:1] in INTERNAL_SCOPE_BY_PREFIX else "external"


def levels_of(labels: list[str], warnings: list[str]) -> list[str]:
    """Map portal level labels (``Cấp bộ``...) to level keys, warning on unknown ones."""
    levels: list[str] = []
    for label in labels:
        key = LEVEL_BY_LABEL.get(label.strip().lower())
        if key is None:
            warnings.append(f"unknown level {label!r}")
        elif key not in levels:
            levels.append(key)
    return levels


def finish_record(data: dict[str, Any], warnings: list[str]) -> dict[str, Any]:
    """Apply the source-independent rules and drop empty fields.

    Sets ``kind`` from the code and ``internal_scope`` from the code's prefix: neither
    source states the group (see :data:`INTERNAL_SCOPE_BY_PREFIX`), so each internal
    record gets a warning saying it was inferred. Gives documents their ids (unique
    across the procedure, in order: procedure documents, then each case's), and
    removes empty lists, dicts and strings.
    """
    code = data["code"]
    data["kind"] = kind_of(code)
    if data["kind"] == "internal" and not data.get("internal_scope"):
        data["internal_scope"] = INTERNAL_SCOPE_BY_PREFIX[code[0]]
        warnings.append(f"internal_scope {data['internal_scope']!r} inferred from the code prefix {code[0]}.x; "
                        "the source does not state the group of an internal procedure")
    taken: set[str] = set()
    document_ids(data.get("documents", []), taken)
    for case in data.get("cases", []):
        document_ids(case.get("documents", []), taken)
    if not data.get("levels"):
        warnings.append("no level given (Cấp thực hiện); recorded as 'other'")
        data["levels"] = ["other"]
    return _prune(data)


def _prune(value: Any) -> Any:
    if isinstance(value, dict):
        out = {k: _prune(v) for k, v in value.items()}
        return {k: v for k, v in out.items() if v not in (None, "", [], {})}
    if isinstance(value, list):
        return [v for v in (_prune(v) for v in value) if v not in (None, "", [], {})]
    return value
