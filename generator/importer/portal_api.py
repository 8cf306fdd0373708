"""Read one record of the portal API (``POST .../formality/get-formality-by-citizen``).

Files: ``dvcqg-api-sample/<uuid>.json`` and ``dvcqg-api-crawler-tthc/details/<uuid>.json``
(field list in ``dvcqg-api-sample/SOURCE.md``). The record is mapped to the
same shape, through the same normalising functions, as the page crawl
(:mod:`generator.importer.chatbot`), so that a procedure whose content did
not change reads the same from both sources.

Mapping notes:

* ``executionCases[]`` (named groups of ``profileComponents``) are what the page
  shows as the dossier table, sorted into documents, cases and notes as the page's
  (:func:`generator.importer.chatbot.groups_to_fields`); ``cases[]`` (``1.000358.01``
  with ``processingDay``) are not shown on the page: one that only repeats the
  procedure's name and time (or a code already read) adds nothing and is left out;
  any other is a case with its code, name, time limit and own dossier components.
* ``returningMethods`` (cách thức trả kết quả), ``isNonTerritorial`` (không phụ thuộc
  địa giới hành chính), ``type`` ``INTERCONNECTED*`` (liên thông) and
  ``isFullProcess`` (dịch vụ công trực tuyến toàn trình; an online channel that is
  not is "một phần", Art. 11 of Decree 42/2022/NĐ-CP) are kept as the API says.
* The page shows the text fields ``executingAgencies``, ``delegatedAgencies``
  (as "Cơ quan có thẩm quyền"), ``authorizedAgencies`` (as "Cơ quan được ủy quyền")
  and ``coordinatingAgencies``; they are used rather than the department lists.
* ``required`` of a dossier component is not shown on the page; it is kept only when true.
* ``procedureProposal.decisionDate`` (ms since the epoch, midnight Asia/Ho_Chi_Minh)
  gives the publication date.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import Any, Callable

from generator.importer.chatbot import dossier_sets, groups_to_fields
from generator.importer.normalise import (
    clean,
    make_document,
    make_fee,
    make_legal,
    make_processing_time,
    make_requirements,
    make_steps,
    slugify,
    split_names,
)
from generator.importer.record import FORMALITY_BY_API, ImportedRecord, finish_record

VIETNAM = timezone(timedelta(hours=7))
CHANNEL_BY_API = {"DIRECT": "in_person", "ONLINE": "online", "POSTAL": "postal"}
LEVEL_FLAGS = (("isMinistry", "ministry"), ("isProvince", "province"), ("isWard", "commune"), ("isOtherAgency", "other"))
PORTAL_URL = "https://dichvucong.gov.vn/thu-tuc-hanh-chinh/"


def looks_like(data: Any) -> bool:
    """True when ``data`` is a portal API detail record."""
    return isinstance(data, dict) and "codeNotation" in data and "executionMethods" in data


def local_date(epoch_ms: int | None) -> str:
    """Date (``YYYY-MM-DD``) in Asia/Ho_Chi_Minh of a time in ms since the epoch; ``""`` for none."""
    if not epoch_ms:
        return ""
    return datetime.fromtimestamp(epoch_ms / 1000, VIETNAM).date().isoformat()


_COMPONENT = {"name": "text", "originalQty": "number", "copyQty": "number", "attachments": [{"fileName": "text"}]}
_NAMED = [{"name": "text", "code": "text"}]
#: Every field of an API record the importer reads, with the type the portal gives it (checked on the
#: records of data/raw/dvcqg-api-sample and dvcqg-api-crawler-tthc); other fields are not read.
SHAPE: dict[str, Any] = {
    **{key: "text" for key in ("codeNotation", "code", "name", "description", "keywords", "formalityType",
                               "delegatedAgencies", "executingAgencies", "authorizedAgencies", "coordinatingAgencies",
                               "dossierReceivingAddresses", "requirementsAndConditions", "id",
                               "departmentPromulgateCode", "departmentPromulgateName", "type")},
    "categoriesDetails": _NAMED, "subjectTypesDetails": _NAMED, "resultsDetails": _NAMED, "legalBasisesDetails": _NAMED,
    "executionSteps": [{"name": "text", "description": "text"}],
    "executionMethods": [{"submissionMethod": "text", "processingTime": "number", "processingTimeUnit": "text",
                          "description": "text",
                          "fees": [{"value": "number", "currencyName": "text", "description": "text"}]}],
    "procedureProposal": {"proposalNumber": "text", "decisionDate": "number"},
    "executionCases": [{"name": "text", "profileComponents": [_COMPONENT]}],
    "cases": [{"code": "text", "name": "text", "processingDay": {"qty": "number", "type": "text"},
               "profileComponents": [_COMPONENT]}],
    "returningMethods": [{"type": "text", "value": ["text"]}],
    "updatedAt": "number",
}


def parse_record(data: dict[str, Any], source_file: str, sector_id: Callable[[str], str],
                 agency_id: Callable[[str, str], str], retrieved: str = "") -> ImportedRecord:
    """Turn one API record into a procedure dict.

    Args:
        data: The JSON object returned by the API.
        source_file: Path shown in warnings.
        sector_id: Maps a sector name to its id in sectors.yaml.
        agency_id: Maps (``departmentPromulgateCode``, ``departmentPromulgateName``) to an agency id.
        retrieved: Date the record was fetched (``YYYY-MM-DD``), if known.

    Returns:
        The :class:`ImportedRecord`, with ``updated_at`` set from ``updatedAt``.

    Raises:
        ValueError: The record has no valid code or name.
    """
    warnings: list[str] = []
    code = clean(data.get("codeNotation") or data.get("code"))
    name = clean(data.get("name"))
    if not re.fullmatch(r"[0-9]\.[0-9]{6}", code):
        raise ValueError(f"no valid procedure code (codeNotation {code!r})")
    if not name:
        raise ValueError("no procedure name")
    proposal = data.get("procedureProposal") or {}
    categories = [clean(c.get("name")) for c in data.get("categoriesDetails") or [] if clean(c.get("name"))]
    if len(categories) > 1:
        warnings.append(f"several sectors; the first is used: {categories}")
    levels = [key for flag, key in LEVEL_FLAGS if data.get(flag)]
    formality = FORMALITY_BY_API.get(str(data.get("formalityType") or ""), "")
    if data.get("formalityType") and not formality:
        warnings.append(f"unknown formalityType {data.get('formalityType')!r}")
    if bool(data.get("isInternal")) != (code[:1] in "56"):
        warnings.append(f"isInternal={data.get('isInternal')} disagrees with the code group of {code}")
    record: dict[str, Any] = {
        "code": code,
        "name": name,
        "description": clean(data.get("description")),
        "keywords": clean(data.get("keywords")),
        "formality_type": formality if code[:1] not in "56" else "",
        "levels": levels,
        "sector": sector_id(categories[0]) if categories else "",
        "agencies": {
            "competent": split_names(data.get("delegatedAgencies")),
            "executing": split_names(data.get("executingAgencies")),
            "authorized": split_names(data.get("authorizedAgencies")),
            "coordinating": split_names(data.get("coordinatingAgencies")),
        },
        "receiving_address": clean(data.get("dossierReceivingAddresses")),
        "subjects": [clean(s.get("name")) for s in data.get("subjectTypesDetails") or [] if clean(s.get("name"))],
        "steps": _steps(data.get("executionSteps") or []),
        "methods": [_method(m, warnings) for m in data.get("executionMethods") or []],
        "requirements": make_requirements(data.get("requirementsAndConditions")),
        "results": [{"name": clean(r.get("name")), "code": clean(r.get("code"))}
                    for r in data.get("resultsDetails") or []],
        "legal_basis": [make_legal(lb.get("name"), lb.get("code") or lb.get("name"), warnings)
                        for lb in data.get("legalBasisesDetails") or []],
        "related": _related(data.get("procedureRelatedGroup")),
        "publication": {"decision": clean(proposal.get("proposalNumber")),
                        "date": local_date(proposal.get("decisionDate"))},
        "status": "in_force",
        "source": {"url": PORTAL_URL + clean(data.get("id")), "portal_id": clean(data.get("id")),
                   "retrieved": retrieved},
    }
    groups = [(clean(c.get("name")), [_document(p) for p in c.get("profileComponents") or []])
              for c in data.get("executionCases") or []]
    documents, cases, notes = groups_to_fields(groups, warnings) if groups else ([], [], [])
    times = {repr(m.get("processing_time")) for m in record["methods"]}
    seen_codes: set[str] = set()
    for case in data.get("cases") or []:
        day = case.get("processingDay") or {}
        time = make_processing_time(day.get("qty"), day.get("type"))
        case_code = clean(case.get("code"))
        restates = clean(case.get("name")) == name and times == {repr(time)} and not case.get("profileComponents")
        if case_code in seen_codes or restates:
            warnings.append(f"API case {case_code or '-'} only repeats "
                            + ("a case already read" if case_code in seen_codes else "the procedure's name and time")
                            + "; left out")
            seen_codes.add(case_code)
            continue
        seen_codes.add(case_code)
        item = {"code": case_code if re.fullmatch(r"[0-9]\.[0-9]{6}\.[0-9]{2}", case_code) else "",
                "name": clean(case.get("name")), "processing_time": time,
                "documents": [_document(p) for p in case.get("profileComponents") or []]}
        if case_code and not item["code"]:
            warnings.append(f"case code {case_code!r} is not of the form {code}.NN; left out")
        cases.append(item)
    record["documents"], record["cases"], record["document_notes"] = documents, cases, notes
    record["dossier_sets"] = dossier_sets(
        [clean(c.get("name")) for g in data.get("executionCases") or [] for c in [g, *(g.get("profileComponents") or [])]]
        + [clean(s.get("description")) for s in data.get("executionSteps") or []]
        + [clean(m.get("description")) for m in data.get("executionMethods") or []]
        + [record["description"], clean(data.get("requirementsAndConditions"))], warnings)
    record["returning_methods"] = _returning(data.get("returningMethods"), warnings)
    if isinstance(data.get("isNonTerritorial"), bool):
        record["non_territorial"] = data["isNonTerritorial"]
    if data.get("type"):
        record["interconnected"] = str(data["type"]).startswith("INTERCONNECTED")
    if any(m["channel"] == "online" for m in record["methods"]) and isinstance(data.get("isFullProcess"), bool):
        record["online_service"] = "full" if data["isFullProcess"] else "partial"
    if not record["sector"]:
        warnings.append("no sector (categoriesDetails)")
    if not record["publication"]["decision"]:
        warnings.append("no publishing decision (procedureProposal.proposalNumber)")
    for result in record["results"]:
        if not re.fullmatch(r"KQ\.[A-Z0-9]+\.[0-9]+", result["code"]):
            warnings.append(f"result code {result['code']!r} is not a KQ. code; dropped from the result")
            result.pop("code")
    agency = agency_id(clean(data.get("departmentPromulgateCode")), clean(data.get("departmentPromulgateName")))
    record = finish_record(record, warnings)
    details = data.get("categoriesDetails") or [{}]
    return ImportedRecord(code=code, agency=agency, data=record, source_file=source_file,
                          warnings=warnings, updated_at=data.get("updatedAt"),
                          sector_name=categories[0] if categories else "",
                          sector_code=clean(details[0].get("code")) if categories else "",
                          publisher=(clean(data.get("departmentPromulgateCode")),
                                     clean(data.get("departmentPromulgateName"))))


SUBMISSION_BY_API = {"ONLINE": "online", "OFFLINE": "offline"}
RETURN_BY_API = {"AT_HOME": "at_home", "AT_SUBMISSION_PLACE": "at_submission_place", "ONLINE": "online"}


def _returning(items: Any, warnings: list[str]) -> list[dict[str, Any]]:
    """``returningMethods`` ``[{type: ONLINE|OFFLINE, value: [AT_HOME, ...]}]`` as
    ``[{submission: online|offline, ways: [at_home, at_submission_place, online]}]``;
    an unknown value is reported and left out."""
    out = []
    for item in items or []:
        submission = SUBMISSION_BY_API.get(str(item.get("type")))
        ways = []
        for value in item.get("value") or []:
            way = RETURN_BY_API.get(str(value))
            if way is None:
                warnings.append(f"unknown returningMethods value {value!r}; left out")
            elif way not in ways:
                ways.append(way)
        if submission is None:
            warnings.append(f"unknown returningMethods type {item.get('type')!r}; left out")
        elif ways:
            out.append({"submission": submission, "ways": ways})
    return out


def _steps(steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if all(not clean(s.get("name")) for s in steps):
        return make_steps("\n".join(clean(s.get("description")) for s in steps))
    return [{"title": clean(s.get("name")), "description": clean(s.get("description")) or clean(s.get("name"))}
            for s in steps]


def _method(method: dict[str, Any], warnings: list[str]) -> dict[str, Any]:
    channel = CHANNEL_BY_API.get(str(method.get("submissionMethod")))
    if channel is None:
        raise ValueError(f"unknown submissionMethod {method.get('submissionMethod')!r}")
    fees = []
    for fee in method.get("fees") or []:
        value = fee.get("value")
        amount = int(value) if isinstance(value, (int, float)) and float(value).is_integer() else None
        headline = "Miễn phí" if amount == 0 else (f"{value} {clean(fee.get('currencyName')) or 'VNĐ'}"
                                                 if value is not None else "")
        item, warning = make_fee(amount, headline, fee.get("description"))
        if warning:
            warnings.append(f"{channel}: {warning}")
        fees.append(item)
    return {
        "channel": channel,
        "processing_time": make_processing_time(method.get("processingTime"), method.get("processingTimeUnit")),
        "fees": fees,
        "description": clean(method.get("description")),
    }


def _document(component: dict[str, Any]) -> dict[str, Any]:
    forms = [a.get("fileName") for a in component.get("attachments") or [] if a.get("fileName")]
    return make_document(component.get("name"), component.get("originalQty"), component.get("copyQty"),
                         forms, True if component.get("required") else None)


def _related(group: Any) -> list[str]:
    """Codes named anywhere in ``procedureRelatedGroup``."""
    return sorted(set(re.findall(r"\b[0-9]\.[0-9]{6}\b", repr(group or []))))


def agency_slug(name: str) -> str:
    """Fallback agency id for a publisher not in agencies.yaml: the slug of its name."""
    return slugify(name, 60)
