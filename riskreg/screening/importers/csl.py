"""The US Consolidated Screening List (trade.gov): CSV (old 28-column and current 29-column headers) and JSON.

The CSL merges eleven US lists (the BIS Entity List among them); each row says which in `source`.
Entity List rows carry no entity number: when the file has no `_id`/`id` either, the row's id is derived
from its source, name and start date, so it stays the same from one download to the next.
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections.abc import Iterator

from riskreg.screening.errors import ListImportError
from riskreg.screening.importers.base import (
    AIRCRAFT,
    ENTITY,
    INDIVIDUAL,
    VESSEL,
    ParsedEntry,
    Source,
    TextLines,
    head,
    identifier,
    iter_json_list,
    open_source,
    parse_iso_date,
    refuse_other_list,
    unique,
)

HEADER_28 = [
    "source",
    "entity_number",
    "type",
    "programs",
    "name",
    "title",
    "addresses",
    "federal_register_notice",
    "start_date",
    "end_date",
    "standard_order",
    "license_requirement",
    "license_policy",
    "call_sign",
    "vessel_type",
    "gross_tonnage",
    "gross_registered_tonnage",
    "vessel_flag",
    "vessel_owner",
    "remarks",
    "source_list_url",
    "alt_names",
    "citizenships",
    "dates_of_birth",
    "nationalities",
    "places_of_birth",
    "source_information_url",
    "ids",
]
HEADER_29 = ["_id", *HEADER_28]
TYPES = {"": ENTITY, "entity": ENTITY, "individual": INDIVIDUAL, "vessel": VESSEL, "aircraft": AIRCRAFT}
ID_SCHEMES = [
    ("social credit code", "uscc"),
    ("legal entity number", "lei"),
    ("d-u-n-s", "duns"),
    ("registration", "registration"),
    ("company number", "registration"),
    ("commercial registry", "registration"),
    ("gazette", "registration"),
    ("matricula mercantil", "registration"),
    ("tax id", "tax"),
    ("nit #", "tax"),
    ("national id", "national_id"),
    ("passport", "passport"),
    ("vessel registration identification", "imo"),
    ("mmsi", "mmsi"),
    ("swift", "swift"),
]
NOT_IDENTIFIERS = ("website", "email address", "phone number", "former vessel flag")
_SOURCE_CODE = re.compile(r"\(([A-Z]{2,6})\)")


def source_code(source: str) -> str:
    """'Entity List (EL) - Bureau of Industry and Security' -> 'EL'."""
    match = _SOURCE_CODE.search(source or "")
    return match.group(1) if match else "CSL"


def source_label(source: str) -> str:
    """'Entity List (EL) - Bureau of Industry and Security' -> 'Entity List (EL)'."""
    return (source or "").split(" - ")[0].strip()


def _split(value) -> list[str]:
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    return [part.strip() for part in (value or "").split(";") if part.strip()]


def _scheme(label: str) -> str | None:
    lowered = label.lower()
    if any(word in lowered for word in NOT_IDENTIFIERS) or lowered.endswith("-"):
        return None
    for needle, scheme in ID_SCHEMES:
        if needle in lowered:
            return scheme
    return "other"


def _csv_identifiers(ids: str) -> list[dict]:
    """'US, 80-0890696, Tax ID No.; IMO 8898831, Vessel Registration Identification' -> identifiers."""
    found = []
    for item in _split(ids):
        parts = [p.strip() for p in item.split(", ")]
        if len(parts) < 2:
            continue
        label, number = parts[-1], parts[-2]
        country = parts[0] if len(parts) >= 3 else ""
        scheme = _scheme(label)
        if scheme is None or not number:
            continue
        if scheme == "imo":
            number = number.removeprefix("IMO ").strip()
        found.append(identifier(scheme, number, label=label, country=country))
    return found


def _json_identifiers(ids) -> list[dict]:
    found = []
    for item in ids or []:
        if not isinstance(item, dict):
            continue
        label, number = str(item.get("type") or ""), str(item.get("number") or "").strip()
        scheme = _scheme(label)
        if scheme and number:
            found.append(identifier(scheme, number, label=label, country=str(item.get("country") or "")))
    return found


def _json_addresses(addresses) -> tuple[list[str], list[str]]:
    lines, countries = [], []
    for item in addresses or []:
        if isinstance(item, dict):
            parts = [item.get(k) for k in ("address", "city", "state", "postal_code", "country")]
            lines.append(", ".join(str(p) for p in parts if p))
            if item.get("country"):
                countries.append(str(item["country"]))
        elif item:
            lines.append(str(item))
    return lines, countries


def _entry(record: dict, *, external_id: str, location: str) -> ParsedEntry:
    name = str(record.get("name") or "").strip()
    if not name:
        raise ListImportError("the row has no name", location=location)
    kind = str(record.get("type") or "").strip().lower()
    if kind not in TYPES:
        raise ListImportError(f"unknown type {kind!r}", location=location)
    source = str(record.get("source") or "").strip()
    if not source:
        raise ListImportError("the row has no source list", location=location)
    programs = [source_label(source), *_split(record.get("programs"))]
    if isinstance(record.get("addresses"), list):
        addresses, address_countries = _json_addresses(record["addresses"])
        identifiers = _json_identifiers(record.get("ids"))
    else:
        addresses = _split(record.get("addresses"))
        tails = [a.rsplit(",", 1)[-1].strip() for a in addresses]
        address_countries = [t for t in tails if re.fullmatch(r"[A-Z]{2}", t)]
        identifiers = _csv_identifiers(record.get("ids") or "")
    countries = [
        *address_countries,
        *_split(record.get("nationalities")),
        *_split(record.get("citizenships")),
        *([record["vessel_flag"]] if record.get("vessel_flag") else []),
        *[i["country"] for i in identifiers if i.get("country")],
    ]
    aliases = [a for a in _split(record.get("alt_names")) if a != name]
    return ParsedEntry(
        external_id=external_id,
        primary_name=name,
        aliases=unique(aliases),
        entity_type=TYPES[kind],
        programs=unique(programs),
        countries=unique(countries),
        addresses=unique(addresses),
        identifiers=identifiers,
        listed_on=parse_iso_date(str(record.get("start_date") or "")),
        citation=str(record.get("federal_register_notice") or "").strip()[:255],
        remarks=str(record.get("remarks") or "").strip(),
        raw={k: v for k, v in record.items() if v not in ("", None, [])},
        location=location,
    )


def _derived_id(record: dict) -> str:
    key = "|".join(str(record.get(k) or "").strip().lower() for k in ("source", "name", "start_date"))
    return f"{source_code(record.get('source', ''))}-{hashlib.sha1(key.encode()).hexdigest()[:12]}"


def _add(seen: dict[str, str], entry: ParsedEntry, *, derived: bool) -> ParsedEntry:
    """Give a derived id that is taken a suffix (-2, -3...); refuse a published id that appears twice. `seen`
    maps the ids so far to where they were (ids and locations only, never the entries)."""
    if entry.external_id in seen:
        if not derived:
            raise ListImportError(
                f"id {entry.external_id} appears twice (first at {seen[entry.external_id]})",
                location=entry.location,
            )
        base, n = entry.external_id, 2
        while f"{base}-{n}" in seen:
            n += 1
        entry.external_id = f"{base}-{n}"
    seen[entry.external_id] = entry.location
    return entry


def parse_csv(data: Source) -> list[ParsedEntry]:
    """Every row at once (tests and small files); the import streams `iter_csv`."""
    return list(iter_csv(data))


def iter_csv(data: Source) -> Iterator[ParsedEntry]:
    """The rows one at a time, the file read a line at a time. Ids seen so far are kept (derived ids that
    collide get a suffix), not the entries."""
    stream = open_source(data)
    refuse_other_list(head(stream), expected="us-csl-csv")
    reader = csv.reader(TextLines(stream, what="Consolidated Screening List CSV"), strict=True)
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        raise ListImportError("the file is empty or not a CSV file", location="line 1") from None
    header = [h.strip().lstrip("\ufeff") for h in header]
    if header not in (HEADER_28, HEADER_29):
        raise ListImportError(
            f"the header has {len(header)} columns starting {', '.join(header[:3])!s}; a Consolidated Screening "
            "List CSV starts 'source,entity_number,type' (28 columns) or '_id,source,entity_number' (29 columns)",
            location="line 1",
        )
    seen: dict[str, str] = {}
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise ListImportError(
                f"the row cannot be read ({exc}); the file looks truncated", location=f"line {reader.line_num}"
            ) from None
        location = f"line {reader.line_num}"
        if not row or (len(row) == 1 and not row[0].strip()):
            continue
        if len(row) != len(header):
            raise ListImportError(
                f"the row has {len(row)} columns where the header has {len(header)}; the file looks truncated",
                location=location,
            )
        record = {k: v.strip() for k, v in zip(header, row, strict=True)}
        if record.get("_id"):
            external_id, derived = record["_id"], False
        elif record.get("entity_number"):
            external_id, derived = f"{source_code(record['source'])}-{record['entity_number']}", True
        else:
            external_id, derived = _derived_id(record), True
        yield _add(seen, _entry(record, external_id=external_id, location=location), derived=derived)
    if not seen:
        raise ListImportError("the file has a header but no rows", location="line 2")


def parse_json(data: Source) -> list[ParsedEntry]:
    """Every result at once (tests and small files); the import streams `iter_json`."""
    return list(iter_json(data))


def iter_json(data: Source) -> Iterator[ParsedEntry]:
    """The results one at a time, the JSON read a chunk at a time (see base.iter_json_list). Ids seen so far are
    kept (derived ids that collide get a suffix), not the entries."""
    stream = open_source(data)
    refuse_other_list(head(stream), expected="us-csl-json")
    results = iter_json_list(stream, what="Consolidated Screening List JSON", key="results")
    seen: dict[str, str] = {}
    for number, record in enumerate(results, start=1):
        location = f"results[{number - 1}]"
        if not isinstance(record, dict):
            raise ListImportError("a result is not an object", location=location)
        if record.get("id"):
            external_id, derived = str(record["id"]), False
        else:
            external_id, derived = _derived_id(record), True
        yield _add(seen, _entry(record, external_id=external_id, location=location), derived=derived)
    if not seen:
        raise ListImportError("the file has no results", location="results")
