"""schema.org ``GovernmentService`` JSON-LD for a procedure page.

Only schema.org's own properties and types (https://schema.org/GovernmentService and the types it names;
tests/test_jsonld.py checks every property against the list there):

* ``name``, ``identifier`` (the procedure code), ``serviceType`` (TTHC / TTHC nội bộ), ``url``,
  ``description`` (when the record has one);
* ``provider``: the publishing agency (cơ quan công bố), a ``GovernmentOrganization``;
* ``serviceOperator``: the executing agencies (cơ quan thực hiện, ``agencies.executing``), each a
  ``GovernmentOrganization``;
* ``areaServed``: Việt Nam, a ``Country``; ``audience``: the subjects (đối tượng thực hiện), ``Audience``;
* ``availableChannel``: one ``ServiceChannel`` per method (cách thức thực hiện) with its ``processingTime``
  (thời hạn giải quyết) as an ISO 8601 duration where the record's time is exact in calendar units
  (:func:`iso_duration`);
* ``offers``: the fees (phí, lệ phí), one ``Offer`` per distinct fee with ``price`` in whole đồng and
  ``priceCurrency`` ``VND`` (ISO 4217) when the record gives the amount;
* ``serviceOutput``: the results (kết quả thực hiện), each a ``Thing``;
* ``termsOfService``: the legal basis (căn cứ pháp lý) as text;
* ``disambiguatingDescription``: for a procedure no longer in force, that it was abolished or replaced
  (``Service`` has no status property).

The JSON is embedded in ``<script type="application/ld+json">``; text is
made safe for that context by :func:`script_json`: ``<``, ``>`` and ``&``
are written as ``\\u003c``, ``\\u003e``, ``\\u0026`` so ``</script>`` inside a
name can never close the element (and U+2028/U+2029 are escaped as well).
"""

from __future__ import annotations

import json
from typing import Any

from markupsafe import Markup

from generator.model import CHANNEL_LABELS, FEE_KIND_LABELS, KIND_LABELS, Agency, Method, ProcessingTime, Procedure

_SCRIPT_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def script_json(data: Any) -> Markup:
    """Serialise ``data`` as JSON that is safe inside a ``<script>`` element.

    Keys are sorted so the output is byte-identical for the same input.
    """
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    for char, escaped in _SCRIPT_ESCAPES.items():
        text = text.replace(char, escaped)
    return Markup(text)


#: ISO 8601 designators of the exact, calendar units of ``processing_time.unit``. ``working_days`` (ngày làm
#: việc) is not here on purpose: a working day is not a calendar day (weekends and public holidays are not
#: counted, Labour Code 2019 Art. 111-112), so "15 ngày làm việc" is no fixed duration, and calling it P15D
#: would tell a machine three weeks are two. Such a time is given as text in the channel's ``description``.
#: ``days`` are taken as calendar days because the source says "ngày", not "ngày làm việc" (an inference from
#: the wording; the Civil Code 2015, Art. 144-148 on thời hạn, counts a period of days by the calendar).
_ISO_UNITS = {"days": ("P", "D"), "months": ("P", "M"), "hours": ("PT", "H")}


def iso_duration(time: ProcessingTime | None) -> str | None:
    """The ISO 8601 duration of a processing time (thời hạn giải quyết), or None where it is not exact.

    Args:
        time: the record's time, ``value`` in ``unit`` (``days``, ``months``, ``hours``, ``working_days``).

    Returns:
        ``"P5D"``, ``"P0.5D"``, ``"P3M"``, ``"PT24H"``; None for working days (not a calendar duration), a
        time without a value (only a note) or an unknown unit.
    """
    if time is None or time.value is None or time.unit not in _ISO_UNITS or time.value < 0:
        return None
    prefix, designator = _ISO_UNITS[time.unit]
    number = f"{time.value:.6f}".rstrip("0").rstrip(".")
    return f"{prefix}{number}{designator}"


def _organization(name: str, identifier: str | None = None) -> dict[str, Any]:
    organization: dict[str, Any] = {"@type": "GovernmentOrganization", "name": name}
    if identifier:
        organization["identifier"] = identifier
    return organization


def _channel(method: Method) -> dict[str, Any]:
    channel: dict[str, Any] = {"@type": "ServiceChannel", "name": CHANNEL_LABELS.get(method.channel, method.channel)}
    time = method.processing_time
    duration = iso_duration(time)
    if duration is not None:
        channel["processingTime"] = duration
    elif time is not None and time.label:  # working days, or a time the record gives only as a note
        channel["description"] = f"Thời hạn giải quyết: {time.label}"
    return channel


def _offers(methods: tuple[Method, ...]) -> list[dict[str, Any]]:
    """One ``Offer`` per distinct fee (kind, text, amount) of the methods, naming the channels it applies to."""
    channels: dict[tuple[str, str, int | None], list[str]] = {}
    for method in methods:
        for fee in method.fees:
            label = CHANNEL_LABELS.get(method.channel, method.channel)
            where = channels.setdefault((fee.kind or "", fee.description, fee.amount_vnd), [])
            if label not in where:
                where.append(label)
    offers = []
    for (kind, description, amount), where in channels.items():
        offer: dict[str, Any] = {"@type": "Offer", "name": f"{FEE_KIND_LABELS.get(kind, 'Phí, lệ phí')} ({', '.join(where)})",
                                 "description": description}
        if amount is not None:
            offer["price"] = amount
            offer["priceCurrency"] = "VND"
        offers.append(offer)
    return offers


def government_service(procedure: Procedure, agency: Agency | None, page_url: str,
                       operators: list[tuple[str, str | None]] | None = None) -> dict[str, Any]:
    """The ``GovernmentService`` object of one procedure.

    Args:
        procedure: the procedure.
        agency: its publishing agency (None when unknown).
        page_url: the absolute or site-relative URL of its page.
        operators: the executing agencies (cơ quan thực hiện) as (name, agency code or None), resolved
            from ``agencies.executing`` by the caller.

    Returns:
        A JSON-serialisable dict (schema.org vocabulary only).
    """
    service: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "GovernmentService",
        "identifier": procedure.code,
        "name": procedure.name,
        "serviceType": KIND_LABELS.get(procedure.kind, procedure.kind),
        "url": page_url,
        "areaServed": {"@type": "Country", "name": "Việt Nam"},
    }
    if procedure.description:
        service["description"] = procedure.description
    if agency is not None:
        service["provider"] = _organization(agency.name, agency.code)
    if operators:
        service["serviceOperator"] = [_organization(name, code) for name, code in operators]
    if procedure.subjects:
        service["audience"] = [{"@type": "Audience", "audienceType": s} for s in procedure.subjects]
    if procedure.methods:
        service["availableChannel"] = [_channel(method) for method in procedure.methods]
    offers = _offers(procedure.methods)
    if offers:
        service["offers"] = offers
    if procedure.results:
        service["serviceOutput"] = [{"@type": "Thing", "name": r.name, **({"identifier": r.code} if r.code else {})}
                                    for r in procedure.results]
    if procedure.legal_basis:
        service["termsOfService"] = [
            " ".join(x for x in (doc.number, doc.title) if x) for doc in procedure.legal_basis
        ]
    if procedure.status == "abolished":
        service["disambiguatingDescription"] = "Thủ tục đã bị bãi bỏ."
    elif procedure.status == "replaced":
        service["disambiguatingDescription"] = (f"Thủ tục đã được thay thế bởi thủ tục {procedure.replaced_by}."
                                                if procedure.replaced_by else "Thủ tục đã được thay thế.")
    return service
