"""OpenSanctions FollowTheMoney entities, one JSON object a line (targets.*.json / entities.ftm.json)."""

from __future__ import annotations

import json
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
    as_list,
    head,
    identifier,
    open_source,
    parse_iso_date,
    refuse_other_list,
    unique,
)

SCHEMAS = {
    "Person": INDIVIDUAL,
    "Company": ENTITY,
    "Organization": ENTITY,
    "LegalEntity": ENTITY,
    "PublicBody": ENTITY,
    "Vessel": VESSEL,
    "Airplane": AIRCRAFT,
}
ID_PROPERTIES = {
    "uscCode": "uscc",
    "leiCode": "lei",
    "dunsCode": "duns",
    "registrationNumber": "registration",
    "ogrnCode": "registration",
    "innCode": "tax",
    "taxNumber": "tax",
    "vatCode": "tax",
    "idNumber": "national_id",
    "passportNumber": "passport",
    "imoNumber": "imo",
    "mmsi": "mmsi",
    "swiftBic": "swift",
}


def parse(data: Source) -> list[ParsedEntry]:
    """Every entity at once (tests and small files); the import streams `iter_entries`."""
    return as_list(iter_entries(data))


def iter_entries(data: Source) -> Iterator[ParsedEntry]:
    """The target entities one at a time, the file read a line at a time. Duplicate ids are left to the caller."""
    stream = open_source(data)
    refuse_other_list(head(stream), expected="opensanctions-ftm")
    count = 0
    for line_number, line in enumerate(TextLines(stream, what="FollowTheMoney file"), start=1):
        if not line.strip():
            continue
        location = f"line {line_number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ListImportError(
                f"invalid JSON ({exc.msg} at column {exc.colno}); the file looks truncated or is not JSON lines",
                location=location,
            ) from None
        if not isinstance(record, dict) or "schema" not in record or "id" not in record:
            raise ListImportError("not a FollowTheMoney entity (no 'id' and 'schema')", location=location)
        kind = SCHEMAS.get(record["schema"])
        if kind is None or record.get("target") is False:
            continue  # addresses, sanctions, ownership links and non-target entities are context, not entries
        props = record.get("properties") or {}
        names = unique([*props.get("name", []), record.get("caption") or ""])
        if not names:
            raise ListImportError(f"entity {record['id']} has no name", location=location)
        aliases = unique([*names[1:], *props.get("alias", []), *props.get("previousName", [])])
        identifiers = [
            identifier(scheme, str(value), label=prop)
            for prop, scheme in ID_PROPERTIES.items()
            for value in props.get(prop, [])
        ]
        entry_id = str(record["id"])
        listed = props.get("createdAt") or [record.get("first_seen") or ""]
        count += 1
        yield ParsedEntry(
            external_id=entry_id,
            primary_name=names[0],
            aliases=[a for a in aliases if a != names[0]],
            entity_type=kind,
            programs=unique([*props.get("program", []), *props.get("programId", []), *props.get("topics", [])]),
            countries=unique(
                [*props.get("country", []), *props.get("nationality", []), *props.get("jurisdiction", [])]
            ),
            addresses=unique(props.get("address", [])),
            identifiers=identifiers,
            listed_on=parse_iso_date(str(sorted(listed)[0])),
            citation=", ".join(record.get("datasets", []))[:255],
            remarks=" ".join(props.get("notes", [])),
            raw=record,
            location=location,
        )
    if not count:
        raise ListImportError("no Person, Company, Organization, Vessel or Airplane entities", location="line 1")
