"""The ``GovernmentService`` JSON-LD of the real procedure pages uses schema.org's own vocabulary only.

Every page of the real catalog is rendered; its ``<script type="application/ld+json">`` is parsed and walked:
every property of every object must be one schema.org defines for the object's type, and every nested object
must be of a type the property's range allows. The lists below are copied from schema.org (version 29,
https://schema.org/GovernmentService, /Service, /Thing, /ServiceChannel, /Offer, /GovernmentOrganization,
/Organization, /Audience, /Country, /AdministrativeArea, /Place), reduced to what a procedure could use.
Processing times must be ISO 8601 durations equal to the record's time (https://schema.org/processingTime:
range Duration, ISO 8601), and the offers' prices the record's fee amounts in VND.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from generator.catalog import read_catalog
from generator.load import load_file
from generator.render.jsonld import iso_duration
from generator.render.procedures import render_procedure_pages
from generator.render.urls import UrlRegistry

ROOT = Path(__file__).resolve().parents[1]
CATALOG = ROOT / "catalog"

# https://schema.org/Thing
THING = {"additionalType", "alternateName", "description", "disambiguatingDescription", "identifier", "image",
         "mainEntityOfPage", "name", "potentialAction", "sameAs", "subjectOf", "url"}
# https://schema.org/Service, and https://schema.org/GovernmentService's own two
SERVICE = THING | {"aggregateRating", "areaServed", "audience", "availableChannel", "award", "brand", "broker", "category",
                   "hasCertification", "hasOfferCatalog", "hoursAvailable", "isRelatedTo", "isSimilarTo", "logo", "offers",
                   "provider", "providerMobility", "review", "serviceOutput", "serviceType", "slogan", "termsOfService"}
PROPERTIES: dict[str, set[str]] = {
    "GovernmentService": SERVICE | {"jurisdiction", "serviceOperator"},
    # https://schema.org/Organization (GovernmentOrganization adds none)
    "GovernmentOrganization": THING | {"address", "alumni", "areaServed", "email", "legalName", "parentOrganization",
                                       "subOrganization", "telephone"},
    # https://schema.org/ServiceChannel
    "ServiceChannel": THING | {"availableLanguage", "processingTime", "providesService", "serviceLocation", "servicePhone",
                               "servicePostalAddress", "serviceSmsNumber", "serviceUrl"},
    # https://schema.org/Offer
    "Offer": THING | {"availability", "category", "eligibleCustomerType", "eligibleRegion", "itemOffered", "offeredBy",
                      "price", "priceCurrency", "priceSpecification", "validFrom", "validThrough"},
    # https://schema.org/Audience
    "Audience": THING | {"audienceType", "geographicArea"},
    # https://schema.org/Country < AdministrativeArea < Place
    "Country": THING | {"address", "containedInPlace", "containsPlace", "geo"},
    "Thing": THING,
}
# The types each property's range allows (a subtype counts as its type: GovernmentOrganization is an Organization,
# Country an AdministrativeArea; any type is a Thing). Text-valued properties hold strings.
RANGES: dict[str, set[str]] = {
    "provider": {"GovernmentOrganization"}, "serviceOperator": {"GovernmentOrganization"},
    "areaServed": {"Country"}, "audience": {"Audience"}, "availableChannel": {"ServiceChannel"},
    "offers": {"Offer"}, "serviceOutput": set(PROPERTIES),
}
TEXT = {"name", "description", "disambiguatingDescription", "identifier", "url", "serviceType", "termsOfService",
        "audienceType", "processingTime", "priceCurrency"}
# ISO 8601 duration (https://en.wikipedia.org/wiki/ISO_8601#Durations): PnYnMnWnDTnHnMnS, a decimal on a unit allowed
DURATION = re.compile(r"P(?!$)(?:(\d+(?:\.\d+)?)Y)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?"
                      r"(?:T(?=\d)(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?")


@pytest.fixture(scope="module")
def pages() -> dict[str, dict[str, Any]]:
    """The JSON-LD of every real procedure page, by code."""
    catalog, _ = read_catalog(CATALOG)
    out = {}
    for page in render_procedure_pages(catalog, UrlRegistry()):
        html = str(page.html)
        script = html.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0]
        data = json.loads(script)
        out[data["identifier"]] = data
    assert len(out) == len(catalog.procedures) > 1000
    return out


def _walk(node: dict[str, Any], where: str, problems: list[str]) -> None:
    kind = node.get("@type")
    if kind not in PROPERTIES:
        problems.append(f"{where}: @type {kind!r} is not among the schema.org types allowed here")
        return
    for key, value in node.items():
        if key in ("@context", "@type"):
            continue
        if key not in PROPERTIES[kind]:
            problems.append(f"{where}: {key!r} is not a schema.org property of {kind}")
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, dict):
                if item.get("@type") not in RANGES.get(key, set()):
                    problems.append(f"{where}.{key}: a {item.get('@type')} is outside the range of {key}")
                _walk(item, f"{where}.{key}", problems)
            elif key in TEXT and not isinstance(item, str):
                problems.append(f"{where}.{key}: expected text, got {item!r}")


def test_every_property_and_type_is_schema_orgs_own(pages: dict[str, dict[str, Any]]) -> None:
    problems: list[str] = []
    for code, data in pages.items():
        assert data["@context"] == "https://schema.org" and data["@type"] == "GovernmentService"
        _walk(data, code, problems)
    assert problems == [], "\n".join(problems[:20])
    used = {key for data in pages.values() for key in data}
    assert {"provider", "serviceOperator", "availableChannel", "offers", "serviceOutput", "areaServed", "audience"} <= used


def test_processing_times_are_iso_8601_durations_equal_to_the_records(pages: dict[str, dict[str, Any]]) -> None:
    checked = {"days": 0, "hours": 0, "months": 0, "working_days": 0}
    for code, data in pages.items():
        record = load_file(next(CATALOG.glob(f"procedures/*/{code}.yaml")), "procedure").data
        methods = record.get("methods") or []
        channels = data.get("availableChannel", [])
        assert len(channels) == len(methods), code
        for method, channel in zip(methods, channels):
            time = method.get("processing_time") or {}
            unit, value = time.get("unit"), time.get("value")
            if unit in ("days", "hours", "months") and value is not None:
                match = DURATION.fullmatch(channel["processingTime"])
                assert match, (code, channel["processingTime"])
                group = {"months": 2, "days": 4, "hours": 5}[unit]
                assert float(match.group(group)) == float(value), (code, channel, time)
                assert sum(g is not None for g in match.groups()) == 1, channel
                checked[unit] += 1
            else:  # working days are no calendar duration: no processingTime, the time in words
                assert "processingTime" not in channel, (code, channel, time)
                if unit == "working_days" and value is not None:
                    assert channel["description"].startswith("Thời hạn giải quyết: ") and "ngày làm việc" in channel["description"]
                    checked[unit] += 1
    assert checked["days"] > 10 and checked["working_days"] > 100 and checked["hours"] > 0, checked


def test_offers_are_the_records_fees_in_vnd(pages: dict[str, dict[str, Any]]) -> None:
    priced = 0
    for code, data in pages.items():
        record = load_file(next(CATALOG.glob(f"procedures/*/{code}.yaml")), "procedure").data
        fees = [fee for method in record.get("methods") or [] for fee in method.get("fees") or []]
        offers = data.get("offers", [])
        assert {o["description"] for o in offers} == {f["description"] for f in fees}, code
        assert sorted({o["price"] for o in offers if "price" in o}) == sorted({f["amount_vnd"] for f in fees if "amount_vnd" in f}), code
        for offer in offers:
            assert ("price" in offer) == ("priceCurrency" in offer)
            if "price" in offer:
                assert offer["priceCurrency"] == "VND" and isinstance(offer["price"], int) and offer["price"] >= 0
                priced += 1
    assert priced > 100


def test_iso_duration_is_given_only_for_exact_calendar_units() -> None:
    from generator.model import ProcessingTime

    assert iso_duration(ProcessingTime(5, "days")) == "P5D"
    assert iso_duration(ProcessingTime(0.5, "days")) == "P0.5D"
    assert iso_duration(ProcessingTime(24, "hours")) == "PT24H"
    assert iso_duration(ProcessingTime(3, "months")) == "P3M"
    assert iso_duration(ProcessingTime(15, "working_days")) is None
    assert iso_duration(ProcessingTime(None, None, "Trong ngày")) is None
