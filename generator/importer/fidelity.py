"""Fidelity of the catalog to its sources: ``tthc fidelity``.

For every catalog record that an importer can read a source for, each source
field is compared, word by word, with the catalog fields it was imported into,
and counted as:

* ``kept``: every word is in the catalog, as one text (``name``, ``requirements``...);
* ``re-split``: every word is in the catalog, spread over the structure the
  importer split the text into (methods and their cases, documents, cases, notes
  and dossier_sets, legal basis...);
* ``warned``: the importer warned about this field (text kept whole, inferred,
  or left out, with the reason); words the catalog does not have are counted;
* ``dropped``: words of the source that are in no field of the catalog record and
  that no warning names: a silent drop. The check fails (exit 1) when there is one.

Words are compared as a multiset (NFC, lower case), after splitting glued cells
("dụngLuật" -> "dụng", "luật"; a word the catalog holds as two, "CPBỘ" -> "cp" +
"bộ", counts as present). The portal's table headers, the placeholder "Không có
thông tin" and the page's form controls are not words of the field. Enumerations
are compared through their Vietnamese labels (``in_person`` is "Trực tiếp",
``working_days`` "Ngày làm việc"), amounts through the ways the portal writes them
(``150000`` is "150,000", "150.000" and "150").

The source of a record is the source file whose ``source`` (address, portal id,
date retrieved) and publishing decision the record has (the API record of
3.000369 and 3.000353, the two real amendments; the page crawl for 1.011410,
whose later API record differs in its decision); failing that, the page-crawl
file of its code.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import yaml

from generator.importer import ImportedRecord, Problem, collect_files, read_sources
from generator.importer.chatbot import DOCUMENT_HEADER, LEGAL_HEADER, METHOD_HEADER, RELATED_HEADER
from generator.importer.normalise import NO_INFO, clean
from generator.model import CHANNEL_LABELS, FORMALITY_TYPE_LABELS, LEVEL_LABELS, UNIT_LABELS

#: Page-crawl field -> the catalog fields it is imported into.
CRAWL_FIELDS: dict[str, tuple[str, ...]] = {
    "ma_thu_tuc": ("code",),
    "ten_thu_tuc": ("name",),
    "so_quyet_dinh": ("publication",),
    "cap_thuc_hien": ("levels",),
    "loai_thu_tuc": ("formality_type",),
    "linh_vuc": ("sector",),
    "doi_tuong_thuc_hien": ("subjects",),
    "co_quan_co_tham_quyen": ("agencies",),
    "dia_chi_tiep_nhan": ("receiving_address",),
    "co_quan_duoc_uy_quyen": ("agencies",),
    "co_quan_phoi_hop": ("agencies",),
    "thu_tuc_lien_quan": ("related",),
    "trinh_tu_thuc_hien": ("steps",),
    "cach_thuc_thuc_hien": ("methods", "cases"),
    "thanh_phan_ho_so": ("documents", "cases", "document_notes", "dossier_sets"),
    "can_cu_phap_ly": ("legal_basis",),
    "co_quan_thuc_hien": ("agencies",),
    "yeu_cau_dieu_kien": ("requirements",),
    "ket_qua_xu_ly": ("results", "keywords", "description"),
}
#: Fields whose text the importer splits into a structure.
STRUCTURED = {"cach_thuc_thuc_hien", "thanh_phan_ho_so", "can_cu_phap_ly", "ket_qua_xu_ly", "trinh_tu_thuc_hien",
              "thu_tuc_lien_quan", "doi_tuong_thuc_hien", "cap_thuc_hien", "co_quan_co_tham_quyen",
              "co_quan_thuc_hien", "co_quan_duoc_uy_quyen", "co_quan_phoi_hop"}
#: Portal API field -> catalog fields.
API_FIELDS: dict[str, tuple[str, ...]] = {
    "codeNotation": ("code",), "name": ("name",), "description": ("description",), "keywords": ("keywords",),
    "executionSteps": ("steps",), "executionMethods": ("methods", "cases"),
    "executionCases": ("documents", "cases", "document_notes"), "cases": ("cases",),
    "legalBasisesDetails": ("legal_basis",), "resultsDetails": ("results",),
    "requirementsAndConditions": ("requirements",), "subjectTypesDetails": ("subjects",),
    "executingAgencies": ("agencies",), "delegatedAgencies": ("agencies",), "authorizedAgencies": ("agencies",),
    "coordinatingAgencies": ("agencies",), "dossierReceivingAddresses": ("receiving_address",),
    "procedureProposal": ("publication",), "categoriesDetails": ("sector",),
}
#: Keys of the API whose text is what the field says (ids, file paths and flags are not).
_API_TEXT_KEYS = {"name", "description", "value", "code", "codeNotation", "proposalNumber", "fileName",
                  "keywords", "requirementsAndConditions", "executingAgencies", "delegatedAgencies",
                  "authorizedAgencies", "coordinatingAgencies", "dossierReceivingAddresses", "processingTime"}
#: For these API fields, only these keys hold the text that is imported (the others are
#: the portal's own ids and codes of subject types, sectors, components, issuing agencies).
_API_KEYS_OF = {
    "executionCases": {"name", "fileName", "description"},
    "cases": {"name", "code", "fileName", "description"},
    "subjectTypesDetails": {"name"},
    "categoriesDetails": {"name"},
    "procedureProposal": {"proposalNumber"},
}
_PAGE_NOISE = (METHOD_HEADER, DOCUMENT_HEADER, LEGAL_HEADER, RELATED_HEADER, NO_INFO, "Mã:", "Từ khóa", "Mô tả")
_CONTROLS = "Chọn cơ quan thực hiện"
_KIND_BY_CODE = {"NĐ": "Nghị định", "TTLT": "Thông tư liên tịch", "TT": "Thông tư", "QH": "Luật Bộ luật Nghị quyết",
                 "NQ": "Nghị quyết", "QĐ": "Quyết định", "PL": "Pháp lệnh", "L-": "Lệnh", "UBTVQH": "Nghị quyết Pháp lệnh",
                 "VBHN": "Văn bản hợp nhất"}
_NUMBER_WORDS = {1: "một", 2: "hai", 3: "ba", 4: "bốn", 5: "năm", 6: "sáu", 7: "bảy", 8: "tám", 9: "chín", 10: "mười"}


@dataclass
class FieldCount:
    """Counts for one source field over the catalog."""

    kept: int = 0
    resplit: int = 0
    warned: int = 0
    dropped: int = 0
    words_left_out_warned: int = 0
    words_dropped: int = 0
    examples: list[str] = field(default_factory=list)


@dataclass
class FidelityReport:
    """Per source field, how the catalog holds it; plus records without a source."""

    fields: dict[str, FieldCount] = field(default_factory=dict)
    records: int = 0
    without_source: list[str] = field(default_factory=list)

    @property
    def silent_drops(self) -> int:
        return sum(c.dropped for c in self.fields.values())


def tokens(text: str) -> list[str]:
    """Words of ``text``: NFC, lower case, split at non-letters/digits, at a lower-case
    letter glued to a capital and between letters and digits."""
    text = unicodedata.normalize("NFC", text)
    out: list[str] = []
    word = ""
    for i, ch in enumerate(text):
        if not ch.isalnum():
            if word:
                out.append(word)
            word = ""
            continue
        if word:
            prev = text[i - 1]
            if (prev.isdigit() != ch.isdigit()) or (prev.islower() and ch.isupper()):
                out.append(word)
                word = ""
        word += ch
    if word:
        out.append(word)
    return [w.lower() for w in out]


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, bool) or value is None:
        return
    elif isinstance(value, (int, float)):
        yield str(value)
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def _render(data: dict[str, Any], key: str, names: dict[str, list[str]]) -> str:
    """The text of catalog field ``key``, enumerations given their Vietnamese labels."""
    value = data.get(key)
    if value is None:
        return ""
    parts = list(_strings(value))

    def methods(items: list[dict[str, Any]]) -> None:
        for m in items or []:
            parts.append(CHANNEL_LABELS.get(m.get("channel", ""), ""))
            time = m.get("processing_time") or {}
            if "value" in time:
                parts.append(f"{time['value']} {str(time['value']).replace('.', ',')} {UNIT_LABELS.get(time['unit'], '')}")
            for fee in m.get("fees") or []:
                amount = fee.get("amount_vnd")
                if amount == 0:
                    parts.append("Miễn phí")
                elif amount is not None:
                    parts.append(f"{amount:,} {amount // 1000} Việt Nam Đồng VNĐ Đồng")

    if key == "methods":
        methods(value)
    if key == "cases":
        for case in value:
            methods(case.get("methods") or [])
    if key in ("documents", "cases"):
        # A dossier group named only "Thành phần hồ sơ (bao gồm)" is the table itself
        # (chatbot._GENERIC_GROUP): the importer does not keep that heading.
        parts.append("Thành phần hồ sơ bao gồm")
        docs = value if key == "documents" else [d for c in value for d in c.get("documents") or []]
        for doc in docs:
            parts.append(f"{doc.get('originals', '')} bản chính {doc.get('copies', '')} bản sao")
    if key == "legal_basis":
        # The code cell may read "Luật số 32/2024/QH15": the importer keeps the number
        # (chatbot._LEGAL_PREFIX); the kind is in the title.
        # The prefix spells out the kind that the number's own code says (NĐ: Nghị định...).
        for entry in value:
            parts.append("số")
            parts.extend(kind for code, kind in _KIND_BY_CODE.items() if code in entry["number"].split("/")[-1])
        # A title cell that only repeats the number is not kept as a title (normalise.make_legal).
        parts.extend(entry["number"] for entry in value if not entry.get("title"))
    if key == "dossier_sets":
        parts.append(f"Số lượng hồ sơ {value} {value:02d} {_NUMBER_WORDS.get(value, '')} bộ")
    if key == "levels":
        parts.extend(LEVEL_LABELS.get(v, v) for v in value)
    if key == "formality_type":
        parts.append(FORMALITY_TYPE_LABELS.get(value, value))
    if key == "sector":
        parts.extend(names.get(f"sector:{value}", []))
    if key == "related":
        # The page shows the table of related procedures twice (chatbot._related).
        parts.extend(n for code in value for n in names.get(f"code:{code}", []) * 2)
    if key in ("document_notes", "cases"):
        # A note taken out of the dossier table had an empty quantity cell (0 bản chính).
        notes = value if key == "document_notes" else [n for c in value for n in c.get("notes") or []]
        parts.extend("0 bản chính 0 bản sao" for _ in notes)
        if key == "document_notes":
            parts.append("Lưu ý")  # the heading of a notes group ("*Lưu ý:"), shown as the notes' heading
    return "\n".join(parts)


def _source_text(raw: dict[str, Any], name: str) -> str:
    value = raw.get(name)
    if isinstance(value, str):
        text = clean(value)
        if name == "ket_qua_xu_ly" and _CONTROLS in text:
            text = text[: text.index(_CONTROLS)]
        if name == "thu_tuc_lien_quan":
            text = re.sub(r"#\d*Tên thủ tục\d*|#\d*", " ", text)
        for noise in _PAGE_NOISE:
            text = text.replace(noise, " ")
        return text
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return "\n".join(_api_strings(value, name, _API_KEYS_OF.get(name, _API_TEXT_KEYS)))


def _api_strings(value: Any, key: str, keys: set[str]) -> Iterable[str]:
    if isinstance(value, dict):
        for k, v in value.items():
            if k in keys or isinstance(v, (dict, list)):
                yield from _api_strings(v, k, keys)
    elif isinstance(value, list):
        for v in value:
            yield from _api_strings(v, key, keys)
    elif isinstance(value, str) and key in keys:
        yield clean(value)
    elif isinstance(value, (int, float)) and not isinstance(value, bool) and key in ("value", "processingTime"):
        yield f"{value:,} {value}"


def _missing(source: list[str], have: Counter[str]) -> list[str]:
    """Words of ``source`` not in ``have`` (multiset), a glued pair of present words counting as present."""
    need = Counter(source)
    out: list[str] = []
    for word, count in need.items():
        short = count - have.get(word, 0)
        if short <= 0:
            continue
        if any(have.get(word[:i]) and have.get(word[i:]) for i in range(1, len(word))):
            continue
        out.extend([word] * short)
    return out


def check(catalog: Path, sources: list[Path]) -> FidelityReport:
    """Compare every catalog record with its source (see the module docstring).

    Args:
        catalog: The catalog folder (``procedures/<agency>/<code>.yaml``, ``sectors.yaml``).
        sources: Files or folders of page-crawl and/or API records.

    Returns:
        The :class:`FidelityReport`.
    """
    agencies_file = catalog / "agencies.yaml"
    agencies = (yaml.safe_load(agencies_file.read_text(encoding="utf-8")) or {}).get("agencies") or [] \
        if agencies_file.exists() else []
    records, problems = read_sources(sources, known_publishers={a["code"]: a["id"] for a in agencies if a.get("code")})
    raw_by_file = {str(p): json.loads(p.read_bytes().decode("utf-8-sig")) for p in collect_files(sources)}
    by_code: dict[str, list[ImportedRecord]] = {}
    for record in records:
        by_code.setdefault(record.code, []).append(record)
    warned: dict[tuple[str, str], list[Problem]] = {}
    for problem in problems:
        warned.setdefault((problem.file, problem.code), []).append(problem)
    names: dict[str, list[str]] = {}
    sectors_file = catalog / "sectors.yaml"
    if sectors_file.exists():
        for s in (yaml.safe_load(sectors_file.read_text(encoding="utf-8")) or {}).get("sectors") or []:
            names[f"sector:{s['id']}"] = [s["name"], *s.get("variants", [])]
    files = sorted((catalog / "procedures").glob("*/*.yaml"))
    catalog_data = {}
    for path in files:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        catalog_data[path] = data
        names[f"code:{data['code']}"] = [data["name"]]
    report = FidelityReport(fields={})
    for path, data in catalog_data.items():
        report.records += 1
        candidates = by_code.get(data["code"], [])
        # The source the record was imported from: the same `source` and publishing
        # decision (the page crawl and a later API record share the portal id), the
        # newest if several; else the page crawl.
        same = [r for r in candidates if r.data["source"] == data.get("source")
                and r.data["publication"] == data.get("publication")]
        record = max(same, key=lambda r: r.updated_at or 0) if same else next(
            (r for r in candidates if r.updated_at is None), None)
        if record is None:
            report.without_source.append(data["code"])
            continue
        raw = raw_by_file[record.source_file]
        mapping = API_FIELDS if record.updated_at is not None else CRAWL_FIELDS
        record_problems = warned.get((record.source_file, record.code), [])
        for name, keys in mapping.items():
            counts = report.fields.setdefault(name, FieldCount())
            source = tokens(_source_text(raw, name))
            if not source:
                continue
            here = Counter(tokens("\n".join(_render(data, k, names) for k in keys)))
            missing = _missing(source, here)
            field_warned = [p for p in record_problems if p.field.split(".")[0] in keys
                            or (name == "can_cu_phap_ly" and p.field == "methods")]
            if field_warned:
                counts.warned += 1
                counts.words_left_out_warned += len(missing)
            elif missing:
                counts.dropped += 1
                counts.words_dropped += len(missing)
                if len(counts.examples) < 5:
                    counts.examples.append(f"{data['code']}: {' '.join(missing[:12])}")
            elif name in STRUCTURED:
                counts.resplit += 1
            else:
                counts.kept += 1
    return report


def format_report(report: FidelityReport) -> str:
    """The counts as a text table, then the silent drops (with examples)."""
    width = max(len(name) for name in report.fields) if report.fields else 10
    lines = [f"{'source field':<{width}}  {'kept':>6}  {'re-split':>8}  {'warned':>6}  {'dropped':>7}  "
             f"{'words left out (warned)':>23}"]
    total = FieldCount()
    for name, c in report.fields.items():
        lines.append(f"{name:<{width}}  {c.kept:>6}  {c.resplit:>8}  {c.warned:>6}  {c.dropped:>7}  "
                     f"{c.words_left_out_warned:>23}")
        total.kept += c.kept
        total.resplit += c.resplit
        total.warned += c.warned
        total.dropped += c.dropped
        total.words_left_out_warned += c.words_left_out_warned
    lines.append(f"{'all fields':<{width}}  {total.kept:>6}  {total.resplit:>8}  {total.warned:>6}  "
                 f"{total.dropped:>7}  {total.words_left_out_warned:>23}")
    lines.append(f"{report.records} catalog record(s) compared with their source; "
                 f"{len(report.without_source)} without a source; silent drops: {report.silent_drops}")
    for name, c in report.fields.items():
        for example in c.examples:
            lines.append(f"  dropped without a warning in {name}: {example}")
    return "\n".join(lines)
