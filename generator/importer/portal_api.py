"""Read one record of the portal API (``POST .../formality/get-formality-by-citizen``).

Files: ``dvcqg-api-sample/<uuid>.json`` and ``dvcqg-api-crawler-tthc/details/<uuid>.json``
(field list in ``dvcqg-api-sample/SOURCE.md``). The record is mapped to the
same shape, through the same normalising functions, as the page crawl
(:mod:`generator.importer.chatbot`), so that a procedure whose content did
not change reads the same from both sources.

Mapping notes:

* ``executionCases[]`` (named groups of ``profileComponents``) are what the page
  shows as the dossier table; ``cases[]`` (``1.000358.01`` with ``processingDay``)
  are not shown on the page and repeat the procedure's name and time: they are
  imported only when they carry dossier components of their own.
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

from generator.importer.chatbot import groups_to_fields
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
        "legal_basis": [make_legal(lb.get("name"), lb.get("code") or lb.get("name"))
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
    documents, cases = groups_to_fields(groups) if groups else ([], [])
    for case in data.get("cases") or []:
        if case.get("profileComponents"):
            day = case.get("processingDay") or {}
            cases.append({"code": clean(case.get("code")), "name": clean(case.get("name")),
                          "processing_time": make_processing_time(day.get("qty"), day.get("type")),
                          "documents": [_document(p) for p in case["profileComponents"]]})
    record["documents"], record["cases"] = documents, cases
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
