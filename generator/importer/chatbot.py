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
_ROW = re.compile(rf"(Trực tiếp|Trực tuyến|Dịch vụ bưu chính)(?=\d|{re.escape('Không có thông tin')})")
_FEE_HEAD = re.compile(r"(Miễn phí)|(?:(\d{1,3}(?:,\d{3})+|\d+)\s*)?(Việt Nam Đồng|VNĐ|Đồng)")

_QUANTITY = re.compile(r"(\d+) bản chính(?:,(\d+) bản sao)?(?=$|[^\s),;:.])")
_FORM_EXT = re.compile(r"\.(?i:docx|doc|pdf|xlsx|xls|rar|zip|odt)(?![a-z])")
_GENERIC_GROUP = re.compile(r"^(?:-+|[a-zđ]\)\s*)?(?:Thành phần hồ sơ\s*(?:bao gồm)?\s*:?)?$", re.IGNORECASE)

_CAPS_ONSET = re.compile(r"(?:NGH|NG|NH|CH|GH|GI|KH|PH|TH|TR|QU|[BCDĐGHKLMNPRSTVX])?[AEIOUY]*$")
#: Two cells glued with no space: a lower-case letter or digit directly followed by
#: a capitalised word ("...khen thưởng 202206Quy định...").
_GLUED = re.compile(rf"[0-9{_LOWER}](?=[A-ZĐ][{_LOWER}])")
_RESULT_CODE = re.compile(r"Mã:\s*(KQ\.[A-Z0-9]+\.\d+)")
_LEGAL_PREFIX = re.compile(
    r"(?:(?<=[^\s])(?=[A-ZĐ])|(?<=[^\s])(?=số))"
    r"((?:Luật|Bộ luật|Thông tư liên tịch|Thông tư|Nghị định|Quyết định|Nghị quyết|Pháp lệnh|Lệnh|Văn bản hợp nhất)?"
    r"\s*(?:số)?)\s*$"
)


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
        "methods": parse_methods(data.get("cach_thuc_thuc_hien"), warnings),
        "requirements": make_requirements(data.get("yeu_cau_dieu_kien")),
        "results": parse_results(data.get("ket_qua_xu_ly"), warnings, extra),
        "legal_basis": parse_legal_basis(data.get("can_cu_phap_ly"), warnings),
        "related": _related(data.get("thu_tuc_lien_quan"), code_by_name, warnings),
        "publication": {"decision": clean(data.get("so_quyet_dinh"))},
        "status": "in_force",
        "source": {"url": url, "portal_id": clean(data.get("formality_id")) or url.rstrip("/").rsplit("/", 1)[-1],
                   "retrieved": RETRIEVED},
    }
    record.update(extra)
    if not record["sector"]:
        warnings.append("no sector (linh_vuc)")
    documents, cases = parse_documents(data.get("thanh_phan_ho_so"), warnings)
    record["documents"] = documents
    record["cases"] = cases
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
def parse_documents(text: Any, warnings: list[str]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Split "Thành phần hồ sơ" into documents, grouped by case when the page has groups.

    The page repeats the header (Tên giấy tờ / Mẫu đơn, tờ khai / Số lượng) for each
    group; the text before a header is the group's name (``--`` when it has none).
    Each row ends with its quantity cell ``N bản chính`` or ``N bản chính,M bản sao``.

    Returns:
        ``(documents, cases)``: one unnamed group gives ``documents``; named groups
        give ``cases`` ``[{name, documents}]``.
    """
    text = clean(text)
    if not text:
        return [], []
    if DOCUMENT_HEADER not in text:
        warnings.append("dossier table has no header; kept as one document")
        return [make_document(text, None, None, [])], []
    parts = text.split(DOCUMENT_HEADER)
    group_name = parts[0]
    groups: list[tuple[str, list[dict[str, Any]]]] = []
    for i, body in enumerate(parts[1:]):
        last = i == len(parts) - 2
        rows, rest = _split_rows(body)
        docs = [_parse_document_row(row, warnings) for row in rows]
        if last and clean(rest):
            warnings.append(f"text after the dossier table kept as a document: {clean(rest)[:60]!r}")
            docs.append(make_document(rest, None, None, []))
            rest = ""
        groups.append((clean(group_name), docs))
        group_name = rest
    return groups_to_fields(groups)


def groups_to_fields(groups: list[tuple[str, list[dict[str, Any]]]]
                      ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Shared by both importers: one generic group -> documents; else cases."""
    if len(groups) == 1 and _GENERIC_GROUP.match(groups[0][0]):
        return groups[0][1], []
    cases = []
    for name, docs in groups:
        cases.append({"name": name if not _GENERIC_GROUP.match(name) else "Thành phần hồ sơ", "documents": docs})
    return [], cases


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
    """Split ``name`` + ``form file names`` (``Mẫu 01.docxMẫu 02.docx``) glued together."""
    ends = [m.end() for m in _FORM_EXT.finditer(text)]
    if not ends or ends[-1] != len(text.rstrip()):
        return text, []
    first_ext = min(m.start() for m in _FORM_EXT.finditer(text))
    prefix = text[:first_ext]
    # The file name starts where a new word is glued to the name with no space:
    # "xã hội.Mau 01.docx", "hộiMau 01.docx", "Chính phủ)Giấy đề nghị.pdf", "Bộ Công an.12-Mẫu NA14.doc".
    starts = [i for i in range(1, len(prefix))
              if not prefix[i].isspace() and not prefix[i - 1].isspace()
              and (prefix[i].isupper() and (prefix[i - 1].islower() or prefix[i - 1] in ".;:)”\"")
                   or (prefix[i - 1] in ".;:)" and prefix[i].isalpha())
                   or (prefix[i - 1] in ".;:)" and re.match(r"\d+-\S", prefix[i:])))]
    if not starts:
        warnings.append(f"form file names could not be told apart from the document name: {clean(text)[-60:]!r}")
        return text, []
    start = starts[-1]
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
    """Split "Căn cứ pháp lý" (Tên văn bản pháp lý / Mã văn bản) into ``{number, title}``.

    A row ends with its code cell, whose document number is directly followed by
    the next row's title (no space) or by the end of the text. A code-cell prefix
    glued to the title (``...tín dụngLuật số``) is removed from the title. A row
    whose title is empty and whose number repeats the previous row's is the code
    cell of that row. Text after the last number is kept as the last row's title
    with a warning.
    """
    text = clean(text)
    if not text:
        return []
    if text.startswith(LEGAL_HEADER):
        text = text[len(LEGAL_HEADER):]
    else:
        warnings.append("legal basis table has no header")
    rows: list[list[str]] = []  # [title, number]
    pos = 0
    for match in LEGAL_NUMBER.finditer(text):
        after = text[match.end(): match.end() + 1]
        if after and (after.isspace() or after in ",;.)]:-–"):
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
        if after.isupper() and after not in "ABCDEFGHIJKLMNOPQRSTUVWXYZĐ" and text[end + 1: end + 2].isupper():
            # The next title is in capitals ("...NĐ-CPLUẬT HÀNG KHÔNG"): its first
            # word's unaccented start (a Vietnamese onset and plain vowels) was read
            # into the number; give it back.
            onset = _CAPS_ONSET.search(number.rsplit("-", 1)[-1])
            if onset and onset.group(0) and len(onset.group(0)) < len(number.rsplit("-", 1)[-1]):
                number, end = number[: -len(onset.group(0))], end - len(onset.group(0))
            warnings.append(f"legal basis: number glued to a title in capitals, read as {number!r}: "
                            f"{text[start: match.end() + 12]!r}")
        title = text[pos: start]
        prefix = _LEGAL_PREFIX.search(title)
        if prefix:
            title = title[: prefix.start()]
        title = clean(title)
        if _GLUED.search(title):
            warnings.append(f"legal basis: title may hold two rows glued together (kept as one): {title[:60]!r}")
        if not title and rows and rows[-1][1] == number:
            rows[-1][0] = clean(f"{rows[-1][0]} {number}") if rows[-1][0] else number
        else:
            rows.append([title, number])
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
    return [make_legal(title, number) for title, number in rows]


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
