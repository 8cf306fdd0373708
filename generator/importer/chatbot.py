"""Read one page-crawl record (``dvcqg-chatbot-tthc/records/<agency>/<code>.json``).

The crawler stored the portal's tables as flattened text: the cells are
joined with no separator (see that folder's SOURCE.md). This module re-splits
them using the column headers, the channel keywords, the units, the quantity
cells (``1 bản chính,1 bản sao``), the result codes (``Mã: KQ.G01.000186``)
and the shape of legal document numbers. Where a table cannot be split
reliably, its text is kept whole and a warning is recorded: nothing is
guessed and no text is dropped silently.
"""

from __future__ import annotations

import re
from typing import Any, Callable

from generator.importer.normalise import (
    _LOWER,
    LEGAL_NUMBER,
    LIST_MARKER,
    NO_INFO,
    unmark,
    clean,
    dedupe,
    make_document,
    make_fee,
    make_legal,
    make_processing_time,
    make_requirements,
    make_steps,
    split_names,
)
from generator.importer.record import (
    FORMALITY_BY_LABEL,
    RETRIEVED,
    ImportedRecord,
    finish_record,
    levels_of,
)

FIELDS = ("ma_thu_tuc", "ten_thu_tuc", "cach_thuc_thuc_hien", "thanh_phan_ho_so", "raw_text")

METHOD_HEADER = "Hình thức nộpThời gianPhí, lệ phíMô tả"
DOCUMENT_HEADER = "Tên giấy tờMẫu đơn, tờ khaiSố lượng"
LEGAL_HEADER = "Tên văn bản pháp lýMã văn bản"
RELATED_HEADER = "#Tên thủ tục"

CHANNEL_BY_LABEL = {"Trực tiếp": "in_person", "Trực tuyến": "online", "Dịch vụ bưu chính": "postal"}
_UNIT = r"(Ngày làm việc|Ngày|Giờ|Tháng)"
_TIME = rf"\d+(?:[.,]\d+)?(?:\s*{_UNIT})?"
#: A method row starts with a channel label directly followed by its time cell.
#: The time cell is a number, ``Không có thông tin`` or a text starting ``Không``
#: ("Không phải trả kết quả cho người nộp thuế", 4 records whose only channels were lost before).
_ROW = re.compile(r"(Trực tiếp|Trực tuyến|Dịch vụ bưu chính)(?=\d|Không)")
#: Where a text time cell ends: the fee cell starts.
_FEE_START = re.compile(r"Miễn phí|(?:\d{1,3}(?:,\d{3})+|\d+)\s*(?:Việt Nam Đồng|VNĐ|Đồng)|Không có thông tin")
#: A name for the channel rows of one case, read from their description:
#: "- Đối với giấy phép cấp lại do thay đổi nội dung: Trong thời hạn 05 ngày...".
_CASE_LEAD = re.compile(r"^\W*((?:Đối với|Trường hợp|Với)\b[^:\n]{3,200}?)\s*:")
_FEE_HEAD = re.compile(r"(Miễn phí)|(?:(\d{1,3}(?:,\d{3})+|\d+)\s*)?(Việt Nam Đồng|VNĐ|Đồng)")

_QUANTITY = re.compile(r"(\d+) bản chính(?:,(\d+) bản sao)?(?=$|[^\s),;:.])")
_FORM_EXT = re.compile(r"\.(?i:docx|doc|pdf|xlsx|xls|rar|zip|odt)(?![a-z])")
_GENERIC_GROUP = re.compile(r"^(?:-+|[a-zđ]\)\s*)?(?:Thành phần hồ sơ\s*(?:bao gồm)?\s*:?)?$", re.IGNORECASE)

_CAPS_ONSET = re.compile(r"(?:NGH|NG|NH|CH|GH|GI|KH|PH|TH|TR|QU|[BCDĐGHKLMNPRSTVX])?[AEIOUY]*$")
#: Issuers' codes at the end of legal document numbers (Chính phủ, Thủ tướng, Quốc
#: hội, the ministries...), longest first: a capital word glued after one of them is
#: the next title's ("NĐ-CPQUY ĐỊNH" -> "NĐ-CP").
_ISSUERS = sorted({"CP", "QH", "BCA", "BTC", "BXD", "BTP", "NHNN", "BNNMT", "BNNPTNT", "BTNMT", "BGTVT", "BKHĐT",
                   "BCT", "BYT", "BLĐTBXH", "BNV", "BQP", "BGDĐT", "BVHTTDL", "BTTTT", "BKHCN", "UBTVQH", "VPCP",
                   "TANDTC", "VKSNDTC", "KTNN", "HĐTP", "BNG", "TTCP"}, key=lambda s: -len(s))
#: Two cells glued with no space: a lower-case letter or digit directly followed by
#: a capitalised word ("...khen thưởng 202206Quy định...").
_GLUED = re.compile(rf"[0-9{_LOWER}](?=[A-ZĐ][{_LOWER}])")
_RESULT_CODE = re.compile(r"Mã:\s*(KQ\.[A-Z0-9]+\.\d+)")
_LEGAL_PREFIX = re.compile(
    r"(?:(?<=[^\s])(?=[A-ZĐ])|(?<=[^\s])(?=số))"
    r"((?:Luật|Bộ luật|Thông tư liên tịch|Thông tư|Nghị định|Quyết định|Nghị quyết|Pháp lệnh|Lệnh|Văn bản hợp nhất)?"
    r"\s*(?:số)?\s*:?)\s*$"
)
#: A title made only of a document kind and "số" (``Thông tư số``): a number right
#: after it is inside the title, even when a lower-case word is glued to it
#: (``Thông tư số 53/2025/TT-BCAngày 01/7/2025...``).
_ONLY_PREFIX = re.compile(
    r"^\W*(?:Luật|Bộ luật|Thông tư liên tịch|Thông tư|Nghị định|Quyết định|Nghị quyết|Pháp lệnh|Lệnh|Văn bản hợp nhất)"
    r"\s*(?:số)?\s*:?\s*$", re.IGNORECASE)



#: Every field of a page-crawl record the importer reads: text (SOURCE.md: "all strings").
SHAPE = {key: "text" for key in (
    "ma_thu_tuc", "ten_thu_tuc", "detail_url", "formality_id", "so_quyet_dinh", "cap_thuc_hien", "loai_thu_tuc",
    "linh_vuc", "doi_tuong_thuc_hien", "co_quan_co_tham_quyen", "dia_chi_tiep_nhan", "co_quan_duoc_uy_quyen",
    "co_quan_phoi_hop", "thu_tuc_lien_quan", "trinh_tu_thuc_hien", "cach_thuc_thuc_hien", "thanh_phan_ho_so",
    "can_cu_phap_ly", "co_quan_thuc_hien", "yeu_cau_dieu_kien", "ket_qua_xu_ly", "raw_text")}


def looks_like(data: Any) -> bool:
    """True when ``data`` is a page-crawl record (it has the crawler's field names)."""
    return isinstance(data, dict) and all(k in data for k in FIELDS)


def parse_record(data: dict[str, Any], agency: str, source_file: str,
                 sector_id: Callable[[str], str],
                 code_by_name: Callable[[str], str | None] = lambda name: None) -> ImportedRecord:
    """Turn one page-crawl record into a procedure dict.

    Args:
        data: The JSON object of one record (all values strings).
        agency: The publishing agency id (the records folder name, e.g. ``bo-cong-an``).
        source_file: Path shown in warnings.
        sector_id: Maps a sector name (any spelling variant) to its id in sectors.yaml.
        code_by_name: Maps a procedure name to its code, for "Thủ tục hành chính liên quan"
            (which the page lists by name only); ``None`` when unknown.

    Returns:
        The :class:`ImportedRecord`, with a warning for each part kept unsplit.

    Raises:
        ValueError: The record has no valid code or name (it cannot be imported at all).
    """
    warnings: list[str] = []
    code = clean(data.get("ma_thu_tuc"))
    name = clean(data.get("ten_thu_tuc"))
    if not re.fullmatch(r"[0-9]\.[0-9]{6}", code):
        raise ValueError(f"no valid procedure code (ma_thu_tuc {code!r})")
    if not name:
        raise ValueError("no procedure name (ten_thu_tuc)")
    url = clean(data.get("detail_url"))
    extra: dict[str, Any] = {}
    methods_text, legal_text = clean(data.get("cach_thuc_thuc_hien")), clean(data.get("can_cu_phap_ly"))
    if legal_text and not legal_text.startswith(LEGAL_HEADER) and _ROW.search(legal_text):
        # The crawler cut the page at the words "Căn cứ pháp lý" inside a fee's text
        # ("100 VNĐ(Căn cứ pháp lý: Thông tư..."): the rest of the methods table is in
        # can_cu_phap_ly, and the page's own legal basis table is not in the record.
        warnings.append("methods table cut by the crawl at 'Căn cứ pháp lý' inside a fee text: re-joined from the "
                        "legal basis field; the record holds no legal basis table")
        methods_text, legal_text = f"{methods_text}Căn cứ pháp lý{legal_text}", ""
    record: dict[str, Any] = {
        "code": code,
        "name": name,
        "formality_type": _formality(data.get("loai_thu_tuc"), warnings),
        "levels": levels_of(split_names(data.get("cap_thuc_hien")), warnings),
        "sector": sector_id(clean(data.get("linh_vuc"))) if clean(data.get("linh_vuc")) else "",
        "agencies": {
            "competent": split_names(data.get("co_quan_co_tham_quyen")),
            "executing": split_names(data.get("co_quan_thuc_hien")),
            "authorized": split_names(data.get("co_quan_duoc_uy_quyen")),
            "coordinating": split_names(data.get("co_quan_phoi_hop")),
        },
        "receiving_address": clean(data.get("dia_chi_tiep_nhan")),
        "subjects": split_names(data.get("doi_tuong_thuc_hien")),
        "steps": make_steps(data.get("trinh_tu_thuc_hien")),
        "methods": [],
        "requirements": make_requirements(data.get("yeu_cau_dieu_kien")),
        "results": parse_results(data.get("ket_qua_xu_ly"), warnings, extra),
        "legal_basis": parse_legal_basis(legal_text, warnings),
        "related": _related(data.get("thu_tuc_lien_quan"), code_by_name, warnings),
        "publication": {"decision": clean(data.get("so_quyet_dinh"))},
        "status": "in_force",
        "source": {"url": url, "portal_id": clean(data.get("formality_id")) or url.rstrip("/").rsplit("/", 1)[-1],
                   "retrieved": RETRIEVED},
    }
    record.update(extra)
    if not record["sector"]:
        warnings.append("no sector (linh_vuc)")
    record["methods"], method_cases = split_method_sets(parse_methods(methods_text, warnings), warnings)
    documents, cases, notes = parse_documents(data.get("thanh_phan_ho_so"), warnings)
    record["documents"] = documents
    record["document_notes"] = notes
    record["cases"] = cases + method_cases
    record["dossier_sets"] = dossier_sets(
        [clean(data.get("thanh_phan_ho_so")), clean(data.get("trinh_tu_thuc_hien")), methods_text,
         record.get("description", ""), clean(data.get("yeu_cau_dieu_kien"))], warnings)
    if not record["publication"]["decision"]:
        warnings.append("no publishing decision (so_quyet_dinh)")
    record = finish_record(record, warnings)
    return ImportedRecord(code=code, agency=agency, data=record, source_file=source_file, warnings=warnings,
                          sector_name=clean(data.get("linh_vuc")))


def _formality(label: Any, warnings: list[str]) -> str:
    text = clean(label)
    if not text:
        return ""
    key = FORMALITY_BY_LABEL.get(text.lower())
    if key is None:
        warnings.append(f"unknown formality type {text!r}")
        return ""
    return key


# --- methods -----------------------------------------------------------------
def parse_methods(text: Any, warnings: list[str]) -> list[dict[str, Any]]:
    """Split "Cách thức thực hiện" (Hình thức nộp / Thời gian / Phí, lệ phí / Mô tả).

    Returns:
        One method per row, in page order: ``{channel, processing_time?, fees?, description?}``.
    """
    text = clean(text)
    if not text:
        return []
    if not text.startswith(METHOD_HEADER):
        warnings.append("methods table has no header; kept unsplit is impossible without a channel, skipped: "
                        + text[:60])
        return []
    body = text[len(METHOD_HEADER):]
    starts = list(_ROW.finditer(body))
    if not starts:
        warnings.append(f"methods table has no channel row: {body[:60]!r}")
        return []
    lead = clean(body[: starts[0].start()])
    methods = []
    for i, start in enumerate(starts):
        end = starts[i + 1].start() if i + 1 < len(starts) else len(body)
        methods.append(_parse_method_row(start.group(1), body[start.end():end], warnings))
    if lead:
        warnings.append(f"text before the first method row kept in the first method: {lead[:60]!r}")
        first = methods[0]
        first["description"] = clean(f"{lead}\n{first.get('description', '')}")
    return methods


def _parse_method_row(label: str, row: str, warnings: list[str]) -> dict[str, Any]:
    method: dict[str, Any] = {"channel": CHANNEL_BY_LABEL[label]}
    pos = 0
    if row.startswith("Không có thông tin"):
        pos = len("Không có thông tin")
    elif not row[:1].isdigit():
        # A time cell in words ("Không phải trả kết quả cho người nộp thuế"): kept as the note.
        fee = _FEE_START.search(row)
        pos = fee.start() if fee else len(row)
        if clean(row[:pos]):
            method["processing_time"] = {"note": clean(row[:pos])}
    else:
        match = re.match(_TIME, row)
        value = match.group(0)
        unit = match.group(1)
        number = value[: len(value) - len(unit)].strip() if unit else value
        if unit is None:
            # A bare number: the unit cell is empty on the page; do not guess it.
            warnings.append(f"{label}: processing time {number!r} has no unit; kept as a note")
        method["processing_time"] = make_processing_time(number, unit)
        pos = match.end()
    fees, pos = _parse_fees(row, pos, label, warnings)
    method["fees"] = fees
    method["description"] = clean(row[pos:])
    return method


def split_method_sets(rows: list[dict[str, Any]], warnings: list[str]
                      ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Methods of the procedure and per-case methods, from the rows of the methods table.

    The portal repeats the channels when time limits differ by case: rows
    ``Trực tuyến 5 ngày, Dịch vụ bưu chính 5 ngày, Trực tiếp 5 ngày, Trực tiếp 3
    ngày, Trực tuyến 3 ngày...`` are two sets, a new set starting where a channel
    comes again (48 records). One set gives the methods as they are. Several sets
    give:

    * ``methods``: one per channel, in first-seen order (no channel is lost), with
      the time, fees and description only where every set agrees;
    * one case per set ``{name, processing_time?, methods}``, named by its
      description's lead ("Đối với giấy phép cấp lại do bị mất, rách, hỏng"), or by
      the short description all its rows share, or, when the description names no
      case, "Nhóm N trong bảng Cách thức thực hiện" with a warning; the time when all
      its rows agree.

    Returns:
        ``(methods, cases)``.
    """
    sets: list[list[dict[str, Any]]] = []
    for row in rows:
        if not sets or any(r["channel"] == row["channel"] for r in sets[-1]):
            sets.append([])
        sets[-1].append(row)
    if len(sets) <= 1:
        return rows, []
    methods: list[dict[str, Any]] = []
    for channel in dict.fromkeys(r["channel"] for r in rows):
        same = [r for r in rows if r["channel"] == channel]
        method: dict[str, Any] = {"channel": channel}
        for key in ("processing_time", "fees", "description"):
            values = [r.get(key) for r in same]
            if len(same) == len(sets) and all(v == values[0] for v in values):
                method[key] = values[0]
        methods.append(method)
    cases = []
    for number, group in enumerate(sets, 1):
        lead = _CASE_LEAD.match(group[0].get("description") or "")
        if lead and all(_CASE_LEAD.match(r.get("description") or "") and
                        _CASE_LEAD.match(r.get("description") or "").group(1) == lead.group(1) for r in group):
            name = clean(lead.group(1))
        elif (len({r.get("description") or "" for r in group}) == 1 and group[0].get("description")
              and len(group[0]["description"]) <= 120 and "\n" not in group[0]["description"]):
            # A short description shared by the set says what it is for
            # ("Thời gian thẩm định nhiệm vụ quy hoạch đô thị và nông thôn").
            name = unmark(group[0]["description"]).rstrip(" .;:")
        else:
            name = f"Nhóm {number} trong bảng Cách thức thực hiện"
            warnings.append(f"methods table repeats its channels ({len(sets)} sets of rows); set {number} names no "
                            f"case in its description, kept as '{name}'")
        case: dict[str, Any] = {"name": name}
        times = [r.get("processing_time") for r in group]
        if times[0] and all(t == times[0] for t in times):
            case["processing_time"] = times[0]
        case["methods"] = group
        cases.append(case)
    return methods, cases


def _parse_fees(row: str, pos: int, label: str, warnings: list[str]) -> tuple[list[dict[str, Any]], int]:
    """Read the fee cells at ``row[pos:]``: ``Miễn phí``, ``150 VNĐ``, ``140,000,000 Việt Nam Đồng``,
    each optionally followed by its description in parentheses; or ``Không có thông tin``."""
    if row.startswith("Không có thông tin", pos):
        return [], pos + len("Không có thông tin")
    fees = []
    while True:
        match = _FEE_HEAD.match(row, pos)
        if not match:
            break
        headline = match.group(0)
        amount = 0 if match.group(1) else (int(match.group(2).replace(",", "")) if match.group(2) else None)
        pos = match.end()
        description = ""
        if row.startswith("(", pos):
            close = _matching_paren(row, pos)
            if close is not None and re.fullmatch(r"[a-zđ]|[ivx]{1,4}|\d", row[pos + 1: close]):
                # "Miễn phí(a) Cung cấp…: 5.000.000 đồng.)": the ")" of the label "a)" does
                # not close the description; the first unmatched ")" after it does.
                close = _unmatched_close(row, close + 1)
            if close is None:
                warnings.append(f"{label}: fee description has unbalanced parentheses; kept whole")
                description, pos = row[pos + 1:], len(row)
            else:
                description, pos = row[pos + 1: close], close + 1
        fee, warning = make_fee(amount, headline, description)
        if warning:
            warnings.append(f"{label}: {warning}")
        fees.append(fee)
    return fees, pos


def _unmatched_close(text: str, start: int) -> int | None:
    """Index of the first ``)`` at or after ``start`` that closes no ``(`` opened after
    ``start`` and ends no enumeration label (`` b)``, ``;ii)``, `` 2)``)."""
    depth = 0
    for i in range(start, len(text)):
        if text[i] == "(":
            depth += 1
        elif text[i] == ")":
            if depth == 0:
                if re.search(r"(?:^|[\s;:.,])(?:[a-zđ]|[ivx]{1,4}|\d)$", text[max(start, i - 6):i]):
                    continue
                return i
            depth -= 1
    return None


def _matching_paren(text: str, start: int) -> int | None:
    depth = 0
    for i in range(start, len(text)):
        if text[i] == "(":
            depth += 1
        elif text[i] == ")":
            depth -= 1
            if depth == 0:
                return i
    return None


# --- documents ---------------------------------------------------------------
def parse_documents(text: Any, warnings: list[str]
                    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[str]]:
    """Split "Thành phần hồ sơ" into documents, grouped by case when the page has groups.

    The page repeats the header (Tên giấy tờ / Mẫu đơn, tờ khai / Số lượng) for each
    group; the text before a header is the group's name (``--`` when it has none).
    Each row ends with its quantity cell ``N bản chính`` or ``N bản chính,M bản sao``.
    Rows are then sorted into documents and notes by :func:`groups_to_fields`.

    Returns:
        ``(documents, cases, notes)``: one unnamed group gives ``documents``; named
        groups give ``cases`` ``[{name, documents, notes?}]``; ``notes`` are the notes
        of the whole dossier (a group named "Lưu ý").
    """
    text = clean(text)
    if not text:
        return [], [], []
    if DOCUMENT_HEADER not in text:
        if not text.strip("-–—*•.:; "):
            warnings.append(f"dossier field holds only {text!r}; dropped")
            return [], [], []
        warnings.append("dossier table has no header; kept as one document")
        return [make_document(text, None, None, [])], [], []
    parts = text.split(DOCUMENT_HEADER)
    group_name = parts[0]
    groups: list[tuple[str, list[dict[str, Any]]]] = []
    for i, body in enumerate(parts[1:]):
        last = i == len(parts) - 2
        rows, rest = _split_rows(body)
        docs = [_parse_document_row(row, warnings) for row in rows]
        if last and clean(rest):
            if not _NOTE_START.match(unmark(clean(rest))):
                warnings.append(f"text after the dossier table kept as a document: {clean(rest)[:60]!r}")
            docs.append(make_document(rest, None, None, []))
            rest = ""
        groups.append((clean(group_name), docs))
        group_name = rest
    return groups_to_fields(groups, warnings)


#: How a note of the dossier begins (not a document to submit): "Lưu ý", "Ví dụ",
#: conditions ("Trường hợp…", "Đối với…", "Khi…") and instructions to the receiving
#: officer ("Người tiếp nhận…"). A row of the table that begins so and asks for no
#: copy (0 bản chính, 0 bản sao) is a note; "Lưu ý"/"Ví dụ"/"Ghi chú"/"Chú ý" are
#: notes whatever their quantity cell says.
_NOTE_START = re.compile(
    r"^(?:\*\s*)?(?:Lưu ý|Chú ý|Ghi chú|Ví dụ|Trường hợp|Trong trường hợp|Đối với|Người tiếp nhận|Khi\b|Trong đó"
    r"|Trong thời hạn|Có thể|Việc\b|Các trường hợp|Số lượng hồ sơ|Nếu\b)", re.IGNORECASE)
_ALWAYS_NOTE = re.compile(r"^(?:\*\s*)?(?:Lưu ý|Chú ý|Ghi chú|Ví dụ)", re.IGNORECASE)
#: "Số lượng hồ sơ: 01 (một) bộ" (Số lượng hồ sơ, Art. 8 of Decree 63/2010/NĐ-CP).
_SETS = re.compile(r"Số lượng hồ sơ\s*(?:là|gồm)?\s*:?\s*(\d{1,2})\s*(?:\([^)]{0,12}\))?\s*bộ(?: hồ sơ)?\s*\.?",
                   re.IGNORECASE)
#: "nộp 01 bộ hồ sơ", "gửi 02 bộ hồ sơ": the number of sets submitted, as the steps state it.
_SETS_SUBMITTED = re.compile(r"\b(?:nộp|gửi)\s+(\d{1,2})\s*(?:\([^)]{0,12}\))?\s*bộ hồ sơ", re.IGNORECASE)
#: "Bản chính hoặc bản sao", "bản sao … hoặc bản chính": the two are alternatives.
_ORIGINAL_OR_COPY = re.compile(r"bản (?:chính|sao)\b[^.;]{0,80}?\bhoặc\b[^.;]{0,60}?\bbản (?:sao|chính)\b",
                               re.IGNORECASE)


def groups_to_fields(groups: list[tuple[str, list[dict[str, Any]]]], warnings: list[str] | None = None
                     ) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[str]]:
    """Sort dossier groups into documents, cases and notes (shared by both importers).

    * A row whose name is empty or only dashes (``--``) is dropped, with a warning.
    * A note (:data:`_NOTE_START`) becomes a note of its group: ``notes`` of its case,
      or of the whole dossier (the returned ``notes``) for the unnamed group or a
      group named "Lưu ý".
    * "Số lượng hồ sơ: 01 (một) bộ" is not a document: it is left out here and read
      into ``dossier_sets`` by :func:`dossier_sets`.
    * A document asking for no copy at all (0 bản chính, 0 bản sao) that is not a note
      is kept, with a warning.
    * Leading list markers (``- ``, ``+ ``, ``•``) are removed from names; a name that
      says "bản chính hoặc bản sao" with both counts above 0 gets ``original_or_copy``.
    * One generic group gives ``documents``; else each group is a case.

    Returns:
        ``(documents, cases, notes)``.
    """
    warnings = warnings if warnings is not None else []
    shaped: list[tuple[str, list[dict[str, Any]], list[str]]] = []
    notes: list[str] = []
    for name, docs in groups:
        title = clean(unmark(name)) if name else ""
        note_group = bool(_ALWAYS_NOTE.match(title))
        kept: list[dict[str, Any]] = []
        group_notes: list[str] = []
        if note_group and re.sub(r"\W", "", title).lower() not in {"lưuý", "chúý", "ghichú"}:
            group_notes.append(title)
        for doc in docs:
            text = clean(unmark(doc["name"]))
            if not text.strip("-–—*•.:; "):
                warnings.append(f"dossier row with no name ({doc['name']!r}) dropped")
                continue
            if _SETS.search(text) and not clean(_SETS.sub("", text)).strip("*-.;: "):
                if "originals" in doc:
                    warnings.append(f"dossier row {text[:40]!r} read into dossier_sets; its quantity cell "
                                    f"({doc.get('originals')} bản chính, {doc.get('copies')} bản sao) left out")
                continue
            empty = not doc.get("originals") and not doc.get("copies")
            if note_group or _ALWAYS_NOTE.match(text) or (empty and _NOTE_START.match(text)):
                if not empty:
                    warnings.append(f"note {text[:40]!r} kept as a note of the dossier; its quantity cell "
                                    f"({doc.get('originals')} bản chính, {doc.get('copies')} bản sao) left out")
                group_notes.append(text)
                continue
            if empty and "originals" in doc:
                warnings.append(f"document asks for 0 originals and 0 copies, kept as a document: {text[:60]!r}")
            doc = dict(doc, name=text)
            if doc.get("originals") and doc.get("copies") and _ORIGINAL_OR_COPY.search(text):
                doc["original_or_copy"] = True
            kept.append(doc)
        if note_group or (not kept and group_notes and _GENERIC_GROUP.match(name)):
            notes.extend(group_notes)
            continue
        shaped.append((name, kept, group_notes))
    if len(shaped) == 1 and _GENERIC_GROUP.match(shaped[0][0]):
        if re.match(r"[a-zđ]\)", shaped[0][0]):
            warnings.append(f"dossier heading {shaped[0][0]!r} of the only group left out (the table is the dossier)")
        return shaped[0][1], [], notes + shaped[0][2]
    if not shaped:
        return [], [], notes
    cases = []
    for name, docs, group_notes in shaped:
        case: dict[str, Any] = {"name": name if not _GENERIC_GROUP.match(name) else "Thành phần hồ sơ",
                                "documents": docs}
        if group_notes:
            case["notes"] = group_notes
        cases.append(case)
    return [], cases, notes


def dossier_sets(texts: list[str], warnings: list[str]) -> int | None:
    """Số lượng hồ sơ (bộ), where the source states it.

    Read from "Số lượng hồ sơ: 01 (một) bộ" anywhere in ``texts`` and, failing that,
    from "nộp 01 bộ hồ sơ" / "gửi 01 bộ hồ sơ". One value gives it; different
    values give ``None`` with a warning (the number is then left to the text).
    """
    joined = "\n".join(t for t in texts if t)
    values = {int(m.group(1)) for m in _SETS.finditer(joined)} or {
        int(m.group(1)) for m in _SETS_SUBMITTED.finditer(joined)}
    values.discard(0)
    if len(values) == 1:
        return values.pop()
    if values:
        warnings.append(f"the source states several numbers of dossier sets {sorted(values)}; dossier_sets left out")
    return None


def _split_rows(body: str) -> tuple[list[str], str]:
    """Rows of one dossier table, each ending with its quantity cell, and the text after them.

    Two quantities in a row (``...: 01 bản chính1 bản chính``) mean the first one
    is part of the document's name, so the two are one row.
    """
    rows: list[str] = []
    pos = 0
    for match in _QUANTITY.finditer(body):
        if rows and not body[pos: match.start()].strip():
            rows[-1] += body[pos: match.end()]
        else:
            rows.append(body[pos: match.end()])
        pos = match.end()
    return rows, body[pos:]


def _parse_document_row(row: str, warnings: list[str]) -> dict[str, Any]:
    match = list(_QUANTITY.finditer(row))[-1]
    originals_text, copies_text = match.group(1), match.group(2)
    before = row[: match.start()]
    if len(originals_text) > 1:
        # The name ends in digits glued to the quantity ("... ngày 25/6/2024" + "1 bản chính").
        # Quantities on the portal are single digits (7,213 of 7,277 cells); read the last digit.
        warnings.append(f"document quantity glued to digits of its name, read as {originals_text[-1]}: "
                        f"{clean(before)[-40:]!r}")
        before, originals_text = before + originals_text[:-1], originals_text[-1]
    name, forms = _split_forms(before, warnings)
    return make_document(name, int(originals_text), int(copies_text) if copies_text else 0, forms)


def _split_forms(text: str, warnings: list[str]) -> tuple[str, list[str]]:
    """Split ``name`` + ``form file names`` (``Mẫu 01.docxMẫu 02.docx``) glued together.

    A file name starts where a new word is glued to the name with no space. Two kinds
    of glue are told apart: after punctuation (``...TT-BCA);1.MuCT01...(3).doc``,
    ``...NĐ-CP.Mẫu số 05.docx``, ``(theo mẫu)12.1.PLC...docx``) and a lower-case letter
    glued to a capital (``xã hộiMau 01.docx``). The first glue after punctuation whose
    rest reads as one file name (at most 60 characters, or no ``". "``, ``"; "`` or
    ``", "`` in it) is taken, so a file name with capitals or dots inside
    (``MuCT01banhnhkmtheoThngts53 (3).doc``) stays whole; failing that, the first glued
    capital (``hộiMau``, ``NĐ-CPMau04.docx``) or glued ``mau``/``Mẫu``.
    """
    ends = [m.end() for m in _FORM_EXT.finditer(text)]
    if not ends or ends[-1] != len(text.rstrip()):
        return text, []
    first_ext = min(m.start() for m in _FORM_EXT.finditer(text))
    prefix = text[:first_ext]

    def one_name(i: int) -> bool:
        rest = prefix[i:]
        return len(rest) <= 60 or (not re.search(r"[.;,:]\s", rest) and len(rest) <= 120)

    punct = [i for i in range(1, len(prefix)) if prefix[i - 1] in ".;:,)”\"" and prefix[i].isalnum()]
    camel = [i for i in range(1, len(prefix))
             if prefix[i].isupper() and (prefix[i - 1].islower() or (
                 prefix[i - 1].isupper() and i + 1 < len(prefix) and prefix[i + 1].islower()))
             or (re.match(r"(?i:m[aẫ]u)", prefix[i:]) and prefix[i - 1].isalpha())]
    start = next((i for i in punct if one_name(i)), None)
    if start is None:
        start = next((i for i in camel if one_name(i)), None)
    if start is None:
        warnings.append(f"form file names could not be told apart from the document name: {clean(text)[-60:]!r}")
        return text, []
    files, pos = [], start
    for end in ends:
        if end > start:
            files.append(text[pos:end])
            pos = end
    return text[:start], files


# --- results, legal basis, related ----------------------------------------------
def parse_results(text: Any, warnings: list[str], extra: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Split "Kết quả xử lý" into results ``{name, code?}`` at each ``Mã: KQ.xxx`` code.

    The page appends the procedure's "Từ khóa" (keywords), "Mô tả" (description)
    and form controls after the results; keywords and description are put into
    ``extra`` (keys ``keywords``, ``description``) when they hold text.
    """
    text = clean(text)
    if not text:
        return []
    cut = text.rfind("Từ khóa")
    tail = text[cut:] if cut >= 0 else ""
    if cut >= 0:
        text = text[:cut]
        controls = tail.find("Chọn cơ quan thực hiện")
        tail = tail[: controls if controls >= 0 else None]
        keywords, _, description = tail[len("Từ khóa"):].partition("Mô tả")
        for key, value in (("keywords", keywords), ("description", description)):
            if clean(value) and extra is not None:
                extra[key] = clean(value)
    results, pos = [], 0
    for match in _RESULT_CODE.finditer(text):
        name = clean(text[pos: match.start()])
        results.append({"name": name or match.group(1), "code": match.group(1)})
        pos = match.end()
    rest = clean(text[pos:])
    if rest:
        if results:
            warnings.append(f"result without a code: {rest[:60]!r}")
        results.append({"name": rest})
    return results


def parse_legal_basis(text: Any, warnings: list[str]) -> list[dict[str, Any]]:
    """Split "Căn cứ pháp lý" (Tên văn bản pháp lý / Mã văn bản) into ``{number, title, articles?}``.

    A row ends with its code cell, whose document number (:data:`LEGAL_NUMBER`, with
    decimal numbers such as ``66.7/2025/NQ-CP``) is directly followed by the next
    row's title (no space) or by the end of the text. A code-cell prefix glued to the
    title (``...tín dụngLuật số``) is removed from the title. A number right after a
    title that is only a prefix (``Thông tư số``) is part of the title. A row whose
    title is empty and whose number repeats the previous row's is the code cell of that
    row. A title in capitals followed by the same words again (``BỘ LUẬT HÀNG HẢI VIỆT
    NAMBỘ LUẬT  HÀNG HẢI VIỆT NAM``) is a row whose code cell holds no number: it is
    kept with the code cell as written, with a warning. Text after the last number is
    kept as the last row's title with a warning.
    """
    text = clean(text)
    if not text:
        return []
    if text.startswith(NO_INFO) and not LEGAL_NUMBER.search(text):
        # "Không có thông tinCơ quan thực hiện…": the placeholder, then the page's next section.
        warnings.append(f"legal basis field holds only the placeholder and the next section of the page; "
                        f"dropped: {text[:60]!r}")
        return []
    if text.startswith(LEGAL_HEADER):
        text = text[len(LEGAL_HEADER):]
    else:
        warnings.append("legal basis table has no header")
    rows: list[list[str]] = []  # [title, number]
    pos = 0
    for match in LEGAL_NUMBER.finditer(text):
        after = text[match.end(): match.end() + 1]
        glued_before = match.start() > pos and text[match.start() - 1].isalpha()
        if after and (after.isspace() or after in ",;.)]:-–") and not (
                after in "-–" and text[match.end() + 1: match.end() + 2] == " ") and not (
                after == " " and glued_before and text[match.end() + 1: match.end() + 2].isupper()):
            # Ends a row all the same: "...QH15- Luật Doanh nghiệp" (a list marker glued to
            # the number starts the next title) and "...quản lý thuế21/2026/TT-BTC Hướng dẫn"
            # (a code cell glued to its title, then the next title after a space).
            continue
        if after.islower() and _ONLY_PREFIX.match(text[pos: match.start()]):
            continue
        number, start, end = match.group(0), match.start(), match.end()
        run_start = start
        while run_start > pos and text[run_start - 1].isdigit():
            run_start -= 1
        if run_start < start:
            # Digits of the title run into the number: "...năm 2020" + "72/2020/QH14"
            # reads "202072/2020/QH14". When the digit run starts with the number's own
            # year, the title ends with that year and the number follows it.
            digits, rest = number.split("/", 1)
            run = text[run_start:start] + digits
            year = rest.split("/", 1)[0]
            if len(year) == 4 and year.isdigit() and run.startswith(year) and len(run) > 4:
                number, start = run[4:] + "/" + rest, run_start + 4
            else:
                warnings.append(f"legal basis: number {number!r} is glued to digits of the text before it "
                                f"({text[max(0, start - 12): end]!r}); check where it starts")
        last = number.rsplit("-", 1)[-1]
        glued_word = next((last[len(issuer):] for issuer in _ISSUERS
                           if last.startswith(issuer) and len(last) > len(issuer)
                           and _CAPS_ONSET.fullmatch(last[len(issuer):]) and re.search("[AEIOUY]", last[len(issuer):])),
                          None)
        if glued_word and (after.isupper() or (after == " " and text[end + 1: end + 2].isupper())):
            # "...NĐ-CPQUY ĐỊNH VIỆC...": a known issuer followed by the start of a word in
            # capitals; the word belongs to the next title.
            number, end = number[: -len(glued_word)], end - len(glued_word)
            warnings.append(f"legal basis: number glued to a title in capitals, read as {number!r}: "
                            f"{text[start: match.end() + 12]!r}")
        elif after.isupper() and after not in "ABCDEFGHIJKLMNOPQRSTUVWXYZĐ":
            # The next title is in capitals ("...NĐ-CPBỘ LUẬT HÀNG HẢI"): its first
            # word's unaccented start (a Vietnamese onset and plain vowels) was read
            # into the number; give it back.
            onset = _CAPS_ONSET.search(number.rsplit("-", 1)[-1])
            if onset and onset.group(0) and len(onset.group(0)) < len(number.rsplit("-", 1)[-1]):
                number, end = number[: -len(onset.group(0))], end - len(onset.group(0))
            warnings.append(f"legal basis: number glued to a title in capitals, read as {number!r}: "
                            f"{text[start: match.end() + 12]!r}")
        _add_legal_rows(rows, text[pos: start], number, warnings)
        pos = end
    rest = clean(text[pos:])
    if rest:
        if rows and not rows[-1][0]:
            warnings.append(f"legal basis: text after the number {rows[-1][1]!r} kept as its title: {rest[:60]!r}")
            rows[-1][0] = rest
        elif rows:
            warnings.append(f"legal basis: text with no document number kept in the last entry's title: {rest[:60]!r}")
            rows[-1][0] = clean(f"{rows[-1][0]}\n{rest}")
        else:
            warnings.append(f"legal basis has no document number; kept as written: {rest[:60]!r}")
            rows.append(["", rest])
    return [make_legal(title, number, warnings) for title, number in rows]


def _add_legal_rows(rows: list[list[str]], title: str, number: str, warnings: list[str]) -> None:
    """Append the row ``title`` / ``number`` (and any number-less rows glued before it)."""
    prefix = _LEGAL_PREFIX.search(title)
    if prefix:
        title = title[: prefix.start()]
    title = clean(LIST_MARKER.sub("", clean(title)))
    while True:
        doubled = _doubled_caps(title)
        if doubled is None:
            break
        head, cell, title = doubled
        warnings.append(f"legal basis: {head[:50]!r} has no document number (its code cell repeats the title); "
                        "kept with the code cell as written")
        rows.append([head, cell])
    if _GLUED.search(title):
        warnings.append(f"legal basis: title may hold two rows glued together (kept as one): {title[:60]!r}")
    if not title and rows and rows[-1][1] == number:
        rows[-1][0] = clean(f"{rows[-1][0]} {number}") if rows[-1][0] else number
    else:
        rows.append([title, number])


def _doubled_caps(title: str) -> tuple[str, str, str] | None:
    """``("BỘ LUẬT X", "BỘ LUẬT  X", rest)`` when ``title`` starts with a title in capitals
    glued to the same words again (the code cell), else ``None``."""
    for k in range(4, len(title) - 3):
        head = title[:k]
        if not title[k].isupper() or title[k - 1].isspace() or any(ch.islower() for ch in head):
            continue
        want = " ".join(head.split())
        end = k
        got = ""
        while end < len(title) and len(got) < len(want):
            end += 1
            got = " ".join(title[k:end].split())
        if got == want:
            return clean(head), clean(title[k:end]), clean(title[end:])
    return None


def _related(text: Any, code_by_name: Callable[[str], str | None], warnings: list[str]) -> list[str]:
    """"Thủ tục hành chính liên quan": the page lists names only, as a table shown twice
    (``#Tên thủ tục1<name>#1Tên thủ tục<name>``). Each name is linked to the code of
    the procedure with exactly that name; a name that matches none is reported."""
    text = clean(text)
    if not text:
        return []
    body = text[len(RELATED_HEADER):] if text.startswith(RELATED_HEADER) else text
    names = dedupe(clean(re.sub(r"^\d+", "", part)) for part in re.split(r"#\d+Tên thủ tục", body))
    codes = []
    for name in (n for n in names if n):
        code = code_by_name(name)
        if code:
            codes.append(code)
        else:
            warnings.append(f"related procedure not found by name, not linked: {name[:60]!r}")
    return dedupe(codes)
