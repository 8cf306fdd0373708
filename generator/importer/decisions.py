"""Record real simplification and amendment decisions in the catalog (``tthc import-decisions``).

Reads the structured extracts of ``simplification-decisions/`` (one JSON file per
decision, see that folder's ``SOURCE.md``) and adds to each matched procedure
record what the decision says, and only that:

* Nghị quyết 66.7/2025/NQ-CP (Phụ lục I): a ``simplifications`` entry, stage
  ``implemented`` (in force from 01/01/2026), kind ``data_lookup``, one
  ``data_lookups`` item per dossier component replaced by a database look-up,
  with ``document_id`` naming the record's document it matches when one does
  (the site then says whether the record still lists it);
* Quyết định 2109/QĐ-BXD: ``amendments`` for the internal housing procedures
  it amends; the replacement of 5.002583 and 5.002584 by 6.006593 as
  ``replaces`` and a ``merge`` simplification on 6.006593;
* Quyết định 3152/QĐ-BTP (as re-published by 2637/QĐ-UBND Vĩnh Long),
  4008/QĐ-BTC and 3303/QĐ-BTP: ``amendments`` (re-publications that are not
  simplifications);
* Quyết định 1891/QĐ-TTg: ``simplifications`` at stage ``approved`` with what
  the plan promises (time limits, fee cut), matched by name and confirmed in
  :data:`CONFIRMED_NAME_MATCHES`.

A match by code is recorded only when the decision's name and the catalog's
agree (:func:`names_agree`); the others are returned as refusals, never
recorded silently. Running the step again adds nothing (an entry of the same
decision is not added twice), so it survives a re-import: run it after
``tthc import --overwrite``.
"""

from __future__ import annotations

import difflib
import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from generator.errors import UsageError
from generator.load import load_file

#: 1891/QĐ-TTg is known from the Government portal's report, which names procedures, not
#: codes. Each catalog code below was checked by reading both names (lead engineer, 2026-12-01).
CONFIRMED_NAME_MATCHES: dict[str, str] = {
    "3.000346": "tên trùng khớp (Cấp giấy phép lái xe)",
    "3.000347": "tên trùng khớp (Đổi giấy phép lái xe)",
    "3.000348": "tên trùng khớp (Cấp lại giấy phép lái xe)",
    "3.000356": "danh mục tách loại 1, loại 2 và loại 3; bản tin nêu chung cả ba loại",
    "3.000362": "danh mục tách loại 1, loại 2 và loại 3; bản tin nêu chung cả ba loại",
    "1.012575": "bản tin nêu nhóm 'đăng ký xe lần đầu trực tuyến toàn trình đối với xe sản xuất lắp ráp trong nước và nhập khẩu'",
    "1.013066": "bản tin nêu nhóm 'đăng ký xe lần đầu trực tuyến toàn trình đối với xe sản xuất lắp ráp trong nước và nhập khẩu'",
    "1.013079": "bản tin nêu nhóm 'đổi và cấp lại chứng nhận đăng ký xe, biển số xe bằng dịch vụ công trực tuyến một phần hoặc trực tiếp'",
    "1.013082": "bản tin nêu nhóm 'đổi và cấp lại chứng nhận đăng ký xe, biển số xe bằng dịch vụ công trực tuyến một phần hoặc trực tiếp'",
    "1.013083": "tên trùng khớp (Đăng ký xe tạm thời thực hiện bằng dịch vụ công trực tuyến toàn trình)",
    "1.013086": "tên trùng khớp (Đăng ký xe tạm thời ... một phần hoặc trực tiếp)",
    "1.013076": "danh mục chỉ có biến thể dịch vụ công một phần hoặc trực tiếp của thủ tục sang tên xe mà bản tin nêu",
}

#: Below this ratio of the folded names (after dropping parenthesised qualifiers), a match by
#: code is refused unless one name begins with the other.
NAME_SIMILARITY_MIN = 0.85
_ABBREVIATIONS = {"antt": "an ninh trat tu", "tncn": "thu nhap ca nhan", "cccd": "can cuoc cong dan"}


@dataclass(frozen=True)
class Refusal:
    """A match the step would not record: decision, code, both names and why."""

    decision: str
    code: str
    decision_name: str
    catalog_name: str
    reason: str


@dataclass
class DecisionsResult:
    """What ``record_decisions`` did: files written, entries added by decision, refusals, notes."""

    written: list[Path] = field(default_factory=list)
    added: dict[str, int] = field(default_factory=dict)
    refused: list[Refusal] = field(default_factory=list)
    not_in_catalog: list[tuple[str, str]] = field(default_factory=list)


def fold(text: str) -> str:
    """Lower case, no diacritics, đ → d, no parenthesised parts, words separated by one space."""
    from generator.search import fold as fold_diacritics

    text = fold_diacritics(re.sub(r"\([^)]*\)", " ", unicodedata.normalize("NFC", text or ""))).casefold()
    words = re.sub(r"[^a-z0-9]+", " ", text).split()
    if words and words[0] == "thu" and words[1:2] == ["tuc"]:
        words = words[2:]
    return " ".join(_ABBREVIATIONS.get(w, w) for w in words)


def names_agree(decision_name: str, catalog_name: str) -> tuple[bool, float]:
    """Whether two names of one code name the same procedure, and their similarity (0–1).

    They agree when their folded forms (:func:`fold`) have a similarity ratio of at
    least :data:`NAME_SIMILARITY_MIN`, or one begins with the other and the shorter
    has at least three words (a case or level qualifier added to the same name).
    """
    a, b = fold(decision_name), fold(catalog_name)
    ratio = round(difflib.SequenceMatcher(None, a, b).ratio(), 2)
    shorter, longer = sorted((a, b), key=len)
    prefix = len(shorter.split()) >= 3 and (longer == shorter or longer.startswith(shorter + " "))
    return ratio >= NAME_SIMILARITY_MIN or prefix, ratio


def _catalog_files(catalog: Path) -> dict[str, Path]:
    return {p.stem: p for p in sorted((catalog / "procedures").glob("*/*.yaml"))}


def _load_record(path: Path) -> dict[str, Any]:
    loaded = load_file(path, "procedure")
    if loaded.data is None or any(d.severity == "error" for d in loaded.diagnostics):
        first = next((d.format() for d in loaded.diagnostics if d.severity == "error"), "")
        raise UsageError(f"{path}: cannot be read ({first}); run `tthc validate` and fix it first")
    return loaded.data


def _same_entry(entries: Iterable[dict[str, Any]], decision: str, key: str = "decision") -> bool:
    return any(isinstance(e, dict) and e.get(key) == decision for e in entries)


def _match_document(record: dict[str, Any], document: str) -> str | None:
    """The id of the record's document that is the component named ``document``, if one is."""
    wanted = fold(document)
    if not wanted:
        return None
    for item in record.get("documents") or []:
        name = fold(str(item.get("name", "")))
        if re.search(rf"(^| ){re.escape(wanted)}( |$)", name):
            return item.get("id")
    return None


class _Recorder:
    def __init__(self, catalog: Path, result: DecisionsResult) -> None:
        self.files = _catalog_files(catalog)
        self.records: dict[str, dict[str, Any]] = {}
        self.changed: set[str] = set()
        self.result = result

    def record(self, code: str) -> dict[str, Any] | None:
        if code not in self.files:
            return None
        if code not in self.records:
            self.records[code] = _load_record(self.files[code])
        return self.records[code]

    def check_name(self, decision: str, code: str, decision_name: str) -> dict[str, Any] | None:
        record = self.record(code)
        if record is None:
            self.result.not_in_catalog.append((decision, code))
            return None
        agree, ratio = names_agree(decision_name, str(record.get("name", "")))
        if not agree:
            self.result.refused.append(Refusal(decision, code, decision_name, str(record.get("name", "")),
                                               f"tên không khớp (độ giống {ratio:.2f})"))
            return None
        return record

    def add(self, code: str, key: str, entry: dict[str, Any], decision: str, stage: str | None = None) -> None:
        record = self.records[code]
        entries = list(record.get(key) or [])
        if any(isinstance(e, dict) and e.get("decision") == entry["decision"] and e.get("stage") == stage for e in entries):
            return
        entries.append(entry)
        entries.sort(key=lambda e: (e.get("date") or "9999", ))
        record[key] = entries
        self.changed.add(code)
        self.result.added[decision] = self.result.added.get(decision, 0) + 1


def _read(source: Path, name: str) -> dict[str, Any]:
    path = source / name
    if not path.is_file():
        raise UsageError(f"{path} not found: pass the simplification-decisions folder (it holds {name})")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise UsageError(f"{path}: not readable JSON ({err})") from None


def _nq_66_7(source: Path, rec: _Recorder) -> None:
    data = _read(source, "nq-66.7-2025-nq-cp_phu-luc-i.json")
    decision, url = "66.7/2025/NQ-CP", data["source"]["url"]
    by_code: dict[str, list[dict[str, Any]]] = {}
    for row in data["procedures"]:
        match = row.get("catalog_match")
        if not match:
            continue
        if rec.check_name(decision, match["code"], row["name"]) is None:
            continue
        by_code.setdefault(match["code"], []).append(row)
    for code, rows in by_code.items():
        record = rec.records[code]
        lookups, seen = [], set()
        for row in rows:
            for item in row.get("replacements") or []:
                document = " ".join(str(item.get("tphs", "")).split())
                database = " ".join(str(item.get("csdl", "")).split())
                if not document or not database or (document, database) in seen:
                    continue
                seen.add((document, database))
                lookup: dict[str, Any] = {"document": document, "database": database}
                if item.get("bo_chu_quan_csdl"):
                    lookup["database_owner"] = " ".join(str(item["bo_chu_quan_csdl"]).split())
                doc_id = _match_document(record, document)
                if doc_id:
                    lookup["document_id"] = doc_id
                basis = ", ".join(x for x in (item.get("dieu_khoan"), item.get("vbqppl")) if x)
                if basis:
                    lookup["legal_basis"] = " ".join(basis.split())
                lookups.append(lookup)
        if not lookups:
            continue
        listed = ", ".join(f"{x['document']} → {x['database']}" for x in lookups)
        rec.add(code, "simplifications", {
            "stage": "implemented", "date": "2025-11-15", "effective": "2026-01-01", "until": "2027-02-28", "decision": decision,
            "issuer": "Chính phủ", "kinds": ["data_lookup"],
            "summary": f"Thành phần hồ sơ được thay thế bằng thông tin khai thác từ cơ sở dữ liệu: {listed}. "
                       "Nghị quyết có hiệu lực từ ngày 01/01/2026 đến hết ngày 28/02/2027 (Phụ lục I).",
            "reason": "Cắt giảm, đơn giản hóa thủ tục hành chính dựa trên dữ liệu.",
            "data_lookups": lookups, "source": url,
        }, decision, "implemented")


def _amendments(source: Path, rec: _Recorder, name: str, decision: str, entry: dict[str, Any],
                rows_key: str = "rows") -> None:
    data = _read(source, name)
    for row in data[rows_key]:
        match = row.get("catalog_match")
        if not match:
            if row.get("change", "").startswith("bãi bỏ"):
                rec.result.not_in_catalog.append((decision, row.get("code", "?")))
            continue
        if rec.check_name(decision, match["code"], row.get("name") or row.get("name_in_decision") or "") is None:
            continue
        rec.add(match["code"], "amendments", {**entry, "decision": decision}, decision)


def _qd_2109(source: Path, rec: _Recorder) -> None:
    data = _read(source, "qd-2109-qd-bxd-2025.json")
    decision, url = "2109/QĐ-BXD", data["source"]["url"]
    names = {p["code"]: p["name_in_decision"] for p in data["part_II_procedures"] if p.get("code")}
    for row in data["part_I_amended"]:
        if rec.check_name(decision, row["code"], names.get(row["code"], "")) is None:
            continue
        rec.add(row["code"], "amendments", {
            "date": "2025-11-25", "effective": "2025-11-25", "decision": decision, "issuer": "Bộ Xây dựng",
            "summary": "Công bố TTHC nội bộ được sửa đổi, bổ sung trong lĩnh vực nhà ở, căn cứ Nghị định 140/2025/NĐ-CP "
                       "(phân định thẩm quyền của chính quyền địa phương 02 cấp); thay thế các mục tương ứng của Quyết định 497/QĐ-BXD ngày 26/4/2025.",
            "source": url,
        }, decision)
    target = data["replacement_catalog_code"]
    record = rec.check_name(decision, target["code"], target["name"])
    if record is None:
        return
    replaced = [{"code": r["replaced_code"], "decision": decision, **({"name": r["replaced_name"]} if r.get("replaced_name") else {})}
                for r in data["part_I_replaced"]]
    existing = {e.get("code") for e in record.get("replaces") or []}
    new = [r for r in replaced if r["code"] not in existing]
    if new:
        record["replaces"] = list(record.get("replaces") or []) + new
        rec.changed.add(target["code"])
    rec.add(target["code"], "simplifications", {
        "stage": "implemented", "date": "2025-11-25", "effective": "2025-11-25", "decision": decision, "issuer": "Bộ Xây dựng",
        "kinds": ["merge", "replace"],
        "summary": "Thủ tục này thay thế 02 thủ tục chuyển đổi công năng nhà ở 5.002583 và 5.002584 (gộp thành 01 thủ tục), "
                   "căn cứ Nghị định 144/2025/NĐ-CP về phân quyền, phân cấp. Dòng về 5.002584 bị cắt trong bản sao; việc nó được "
                   "thay bởi cùng thủ tục này là suy luận từ Phần II (chỉ nêu một thủ tục thay thế).",
        "source": url,
    }, decision, "implemented")


def _qd_1891(source: Path, rec: _Recorder) -> None:
    data = _read(source, "qd-1891-qd-ttg-2025_news-report.json")
    decision, url = "1891/QĐ-TTg", data["source"]["url_of_report"]
    for row in data["rows"]:
        kinds: list[str] = []
        promised: dict[str, Any] = {}
        parts = []
        for change in row["changes"]:
            kind = change["type"]
            if kind.startswith("rút ngắn thời hạn"):
                kinds.append("cut_time")
                b, a = change["before"], change["after"]
                unit = "working_days" if b["unit"] == "ngày làm việc" else None
                if unit:
                    promised["processing_time"] = {"before": {"value": b["value"], "unit": unit}, "after": {"value": a["value"], "unit": unit}}
                parts.append(f"rút ngắn thời hạn giải quyết từ {_vi(b['value'])} xuống {_vi(a['value'])} {b['unit']}")
            elif kind.startswith("giảm phí"):
                kinds.append("cut_fees")
                promised["fees"] = {"cut_percent": 30}
                parts.append("giảm 30% phí, lệ phí theo mức đang áp dụng tại các tỉnh, thành phố")
            elif kind.startswith("bãi bỏ"):
                kinds.append("abolish")
                parts.append("bãi bỏ đối với trường hợp giấy phép bị hỏng, mất hoặc thay đổi tên trung tâm sát hạch "
                             "(dùng giấy phép điện tử, điều chỉnh trên môi trường điện tử)")
            elif kind.startswith("thay thế giấy tờ bằng dữ liệu"):
                kinds.append("data_lookup")
                parts.append("thí điểm giao dịch chuyển quyền sở hữu điện tử thay cho hợp đồng mua bán xe công chứng, chứng thực")
            elif "VNeID" in kind:
                kinds.append("standardise")
                parts.append("kết quả đăng ký xe được tích hợp trên VNeID")
        for candidate in row["catalog_candidates"]:
            code = candidate["code"]
            if code not in CONFIRMED_NAME_MATCHES:
                rec.result.refused.append(Refusal(decision, code, row["procedure_as_reported"], candidate["name"],
                                                  "khớp theo tên chưa được xác nhận"))
                continue
            if rec.record(code) is None:
                rec.result.not_in_catalog.append((decision, code))
                continue
            entry: dict[str, Any] = {
                "stage": "approved", "date": "2025-09-03", "decision": decision, "issuer": "Thủ tướng Chính phủ",
                "kinds": list(dict.fromkeys(kinds)),
                "summary": "Phương án cắt giảm, đơn giản hóa TTHC liên quan đến hoạt động sản xuất, kinh doanh của Bộ Công an năm 2025: "
                           + "; ".join(parts) + ". Chưa thực thi: bản ghi vẫn theo quyết định công bố trước đó.",
                "reason": f"Theo bản tin của Cổng Thông tin điện tử Chính phủ (chưa có văn bản quyết định); khớp với danh mục theo tên: {CONFIRMED_NAME_MATCHES[code]}.",
                "source": url,
            }
            if promised:
                entry["promised"] = promised
            rec.add(code, "simplifications", entry, decision, "approved")


def _vi(value: float) -> str:
    return f"{value:g}".replace(".", ",")


#: The decisions the step knows, in the order it records them.
DECISIONS = ("66.7/2025/NQ-CP", "2109/QĐ-BXD", "3152/QĐ-BTP", "4008/QĐ-BTC", "3303/QĐ-BTP", "1891/QĐ-TTg")


def record_decisions(source: Path, catalog: Path, *, write: bool = True, only: Iterable[str] | None = None) -> DecisionsResult:
    """Add the decisions of ``source`` (the simplification-decisions folder) to the catalog.

    Args:
        source: the folder with the decisions' JSON extracts.
        catalog: the catalog folder.
        write: False computes everything and writes nothing (``--dry-run``).
        only: record only these decisions (numbers of :data:`DECISIONS`); None: all.

    Returns:
        A :class:`DecisionsResult`: files written, entries added, refused matches.

    Raises:
        UsageError: a missing or unreadable source file, a catalog record that does not load,
            or an unknown decision in ``only``.
    """
    from generator.importer.writer import dump_yaml

    if not source.is_dir():
        raise UsageError(f"{source} is not a folder: pass the simplification-decisions folder")
    wanted = set(DECISIONS if only is None else only)
    unknown = wanted - set(DECISIONS)
    if unknown:
        raise UsageError(f"unknown decision {', '.join(sorted(unknown))}: known are {', '.join(DECISIONS)}")
    result = DecisionsResult()
    rec = _Recorder(catalog, result)
    try:
        _record_all(source, rec, wanted)
    except (KeyError, TypeError, AttributeError, IndexError, ValueError) as err:
        raise UsageError(f"{source}: a decision file does not have the expected shape ({type(err).__name__}: {err}); "
                         "use the files of simplification-decisions/ as published (see its SOURCE.md)") from None
    texts: dict[str, str] = {}
    for code in sorted(rec.changed):
        text = dump_yaml(rec.records[code], "procedure")
        problems = _problems(text, rec.files[code])
        if problems:
            raise UsageError(f"{rec.files[code]}: the entry would not be valid ({problems[0]}); nothing was written")
        texts[code] = text
    for code, text in texts.items():
        path = rec.files[code]
        head = _leading_comments(path)
        if write:
            path.write_bytes((head + text).encode("utf-8"))
        result.written.append(path)
    return result


def _problems(text: str, path: Path) -> list[str]:
    """Loader and schema errors of a record about to be written (formatted), if any."""
    from generator.load import load_bytes
    from generator.validate import schema_diagnostics

    loaded = load_bytes(text.encode("utf-8"), path.as_posix(), "procedure")
    found = [d for d in loaded.diagnostics if d.severity == "error"]
    if loaded.data is not None:
        found += [d for d in schema_diagnostics(loaded) if d.severity == "error"]
    return [d.format() for d in found]


def _record_all(source: Path, rec: _Recorder, wanted: set[str]) -> None:
    if "66.7/2025/NQ-CP" in wanted:
        _nq_66_7(source, rec)
    if "2109/QĐ-BXD" in wanted:
        _qd_2109(source, rec)
    if "3152/QĐ-BTP" in wanted:
        _amendments(source, rec, "qd-3152-qd-btp-2025_via-vinh-long-2637.json", "3152/QĐ-BTP", {
        "date": "2025-10-31", "issuer": "Bộ Tư pháp",
        "summary": "Công bố TTHC lĩnh vực chứng thực được sửa đổi, bổ sung theo Nghị định 280/2025/NĐ-CP ngày 27/10/2025 "
                   "(sửa đổi Nghị định 23/2015/NĐ-CP). Danh mục theo Quyết định 2637/QĐ-UBND ngày 16/11/2025 của Chủ tịch UBND "
                   "tỉnh Vĩnh Long công bố lại quyết định này; văn bản của Bộ Tư pháp chưa thu thập được.",
        "source": _read(source, "qd-3152-qd-btp-2025_via-vinh-long-2637.json")["source"]["url"],
    })
    if "4008/QĐ-BTC" in wanted:
        _amendments(source, rec, "qd-4008-qd-btc-2025.json", "4008/QĐ-BTC", {
        "date_note": "bản sao không ghi ngày ban hành; quyết định ban hành sau ngày 14/10/2025, ngày của Thông tư 94/2025/TT-BTC mà nó căn cứ",
        "issuer": "Bộ Tài chính",
        "summary": "Công bố TTHC lĩnh vực quản lý thuế được sửa đổi, bổ sung theo Thông tư 94/2025/TT-BTC ngày 14/10/2025.",
        "source": _read(source, "qd-4008-qd-btc-2025.json")["source"]["url"],
    })
    if "3303/QĐ-BTP" in wanted:
        _amendments(source, rec, "qd-3303-qd-btp-2025.json", "3303/QĐ-BTP", {
        "date": "2025-11-19", "effective": "2025-07-01", "until": "2026-12-31", "issuer": "Bộ Tư pháp",
        "summary": "Công bố TTHC lĩnh vực đăng ký biện pháp bảo đảm được sửa đổi, bổ sung theo Thông tư 64/2025/TT-BTC ngày 30/6/2025 "
                   "(mức thu, miễn một số khoản phí, lệ phí); áp dụng từ 01/7/2025 đến hết 31/12/2026.",
        "source": _read(source, "qd-3303-qd-btp-2025.json")["source"]["url"],
    })
    if "1891/QĐ-TTg" in wanted:
        _qd_1891(source, rec)


def _leading_comments(path: Path) -> str:
    """The comment lines at the top of a file (e.g. the editor's schema line), kept as they are."""
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines(keepends=True):
        if not line.startswith("#"):
            break
        lines.append(line)
    return "".join(lines)
