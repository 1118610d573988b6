"""The EU Financial Sanctions Files (FSF) consolidated list XML (namespace http://eu.europa.ec/fpi/fsd/export)."""

from __future__ import annotations

from collections.abc import Iterator
from xml.etree.ElementTree import Element

from riskreg.screening.errors import ListImportError
from riskreg.screening.importers.base import (
    ENTITY,
    INDIVIDUAL,
    OTHER,
    ParsedEntry,
    Source,
    as_list,
    head,
    identifier,
    open_source,
    parse_iso_date,
    refuse_other_list,
    unique,
)
from riskreg.screening.importers.xmlsafe import iter_records, local

SUBJECT_TYPES = {"person": INDIVIDUAL, "enterprise": ENTITY}
ID_SCHEMES = {
    "passport": "passport",
    "id": "national_id",
    "regnumber": "registration",
    "tradelicence": "registration",
    "fiscalcode": "tax",
    "swiftbic": "swift",
    "imo": "imo",
    "other": "other",
}


def _children(node: Element, name: str) -> list[Element]:
    return [child for child in node if local(child.tag) == name]


def _flatten(node: Element) -> dict:
    out: dict = {k: v for k, v in node.attrib.items() if v}
    text = " ".join((node.text or "").split())
    if text:
        out["text"] = text
    for child in node:
        out.setdefault(local(child.tag), []).append(_flatten(child))
    return out


def _entry(node: Element, *, number: int) -> ParsedEntry:
    external_id = node.get("euReferenceNumber") or node.get("logicalId") or ""
    location = f"<sanctionEntity> #{number}" + (f" ({external_id})" if external_id else "")
    if not external_id:
        raise ListImportError("has neither euReferenceNumber nor logicalId", location=location)
    subject = _children(node, "subjectType")
    kind = SUBJECT_TYPES.get(subject[0].get("code", "") if subject else "", OTHER)
    names = [alias.get("wholeName", "").strip() for alias in _children(node, "nameAlias")]
    names = unique(n for n in names if n)
    if not names:
        raise ListImportError("has no <nameAlias wholeName=...>", location=location)
    regulations = _children(node, "regulation")
    programs = unique(r.get("programme", "") for r in regulations)
    citation = "; ".join(unique(r.get("numberTitle", "") for r in regulations))[:255]
    dates = [node.get("designationDate")] + [r.get("entryIntoForceDate") for r in regulations]
    listed = sorted(d for d in (parse_iso_date(v) for v in dates) if d)
    countries, addresses, identifiers = [], [], []
    for citizenship in _children(node, "citizenship"):
        countries.append(citizenship.get("countryIso2Code", ""))
    for address in _children(node, "address"):
        parts = [address.get(k, "") for k in ("street", "poBox", "city", "zipCode", "region", "countryDescription")]
        addresses.append(", ".join(p for p in parts if p and p != "UNKNOWN"))
        countries.append(address.get("countryIso2Code", ""))
    for document in _children(node, "identification"):
        value = document.get("number") or document.get("latinNumber") or ""
        if value:
            code = document.get("identificationTypeCode", "other")
            identifiers.append(
                identifier(
                    ID_SCHEMES.get(code, "other"),
                    value,
                    label=document.get("identificationTypeDescription", code),
                    country=document.get("countryIso2Code", ""),
                )
            )
    remarks = " ".join(" ".join((r.text or "").split()) for r in _children(node, "remark"))
    return ParsedEntry(
        external_id=external_id,
        primary_name=names[0],
        aliases=names[1:],
        entity_type=kind,
        programs=programs,
        countries=unique(c for c in countries if c and c != "00"),
        addresses=unique(addresses),
        identifiers=identifiers,
        listed_on=listed[0] if listed else None,
        citation=citation,
        remarks=remarks,
        raw=_flatten(node),
        location=location,
    )


def _check_root(root: Element) -> None:
    if local(root.tag) != "export":
        raise ListImportError(
            f"the root element is <{local(root.tag)}>, not <export>; this is not the EU Financial Sanctions File",
            location=f"element <{local(root.tag)}>",
        )


def parse(data: Source) -> list[ParsedEntry]:
    """Every entry at once (tests and small files); the import streams `iter_entries`."""
    return as_list(iter_entries(data))


def iter_entries(data: Source) -> Iterator[ParsedEntry]:
    """The sanction entities one at a time, the XML read as a stream (one record in memory at a time).
    Duplicate ids are left to the caller."""
    stream = open_source(data)
    refuse_other_list(head(stream), expected="eu-fsf-xml")
    number = 0
    records = iter_records(
        stream,
        what="EU consolidated list XML",
        check_root=_check_root,
        is_record=lambda path: len(path) == 2 and path[1] == "sanctionEntity",
    )
    for _tag, node in records:
        number += 1
        yield _entry(node, number=number)
    if not number:
        raise ListImportError("no <sanctionEntity> elements", location="element <export>")
