"""schema.org ``GovernmentService`` JSON-LD for a procedure page.

The object follows https://schema.org/GovernmentService: ``name``,
``identifier`` (the procedure code), ``serviceType`` (TTHC / TTHC nội bộ),
``provider`` (the publishing agency as a ``GovernmentOrganization``),
``areaServed`` (Việt Nam), ``audience`` (đối tượng thực hiện),
``availableChannel`` (one ``ServiceChannel`` per method, with its processing
time), ``url`` and ``termsOfService`` (the legal basis).

The JSON is embedded in ``<script type="application/ld+json">``; text is
made safe for that context by :func:`script_json`: ``<``, ``>`` and ``&``
are written as ``\\u003c``, ``\\u003e``, ``\\u0026`` so ``</script>`` inside a
name can never close the element (and U+2028/U+2029 are escaped as well).
"""

from __future__ import annotations

import json
from typing import Any

from markupsafe import Markup

from generator.model import CHANNEL_LABELS, KIND_LABELS, Agency, Procedure

_SCRIPT_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def script_json(data: Any) -> Markup:
    """Serialise ``data`` as JSON that is safe inside a ``<script>`` element.

    Keys are sorted so the output is byte-identical for the same input.
    """
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    for char, escaped in _SCRIPT_ESCAPES.items():
        text = text.replace(char, escaped)
    return Markup(text)


def government_service(procedure: Procedure, agency: Agency | None, page_url: str) -> dict[str, Any]:
    """The ``GovernmentService`` object of one procedure.

    Args:
        procedure: the procedure.
        agency: its publishing agency (None when unknown).
        page_url: the absolute or site-relative URL of its page.

    Returns:
        A JSON-serialisable dict (schema.org vocabulary).
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
    if agency is not None:
        provider: dict[str, Any] = {"@type": "GovernmentOrganization", "name": agency.name}
        if agency.code:
            provider["identifier"] = agency.code
        service["provider"] = provider
    if procedure.subjects:
        service["audience"] = [{"@type": "Audience", "audienceType": s} for s in procedure.subjects]
    channels = []
    for method in procedure.methods:
        channel: dict[str, Any] = {"@type": "ServiceChannel", "name": CHANNEL_LABELS.get(method.channel, method.channel)}
        if method.processing_time is not None and method.processing_time.label:
            channel["processingTime"] = method.processing_time.label
        channels.append(channel)
    if channels:
        service["availableChannel"] = channels
    if procedure.legal_basis:
        service["termsOfService"] = [
            " ".join(x for x in (doc.number, doc.title) if x) for doc in procedure.legal_basis
        ]
    if procedure.status != "in_force":
        service["additionalProperty"] = {"@type": "PropertyValue", "name": "status", "value": procedure.status}
    return service
