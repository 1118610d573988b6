"""The UN Security Council consolidated list XML (CONSOLIDATED_LIST of INDIVIDUALS and ENTITIES)."""

from __future__ import annotations

from collections.abc import Iterator
from xml.etree.ElementTree import Element

from riskreg.screening.errors import ListImportError
from riskreg.screening.importers.base import (
    ENTITY,
    INDIVIDUAL,
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
from riskreg.screening.importers.xmlsafe import iter_records

DOCUMENT_SCHEMES = {"passport": "passport", "national identification number": "national_id"}


def _text(node: Element | None) -> str:
    return " ".join((node.text or "").split()) if node is not None else ""


def _flatten(node: Element):
    """An element as JSON: text for leaves, a dict of lists for the rest."""
    children = list(node)
    if not children:
        return _text(node)
    out: dict = {}
    for child in children:
        value = _flatten(child)
        if value not in ("", {}):
            out.setdefault(child.tag, []).append(value)
    return {k: v[0] if len(v) == 1 else v for k, v in out.items()}


def _entry(node: Element, *, kind: str, number: int) -> ParsedEntry:
    location = f"<{node.tag}> #{number}"
    dataid = _text(node.find("DATAID"))
    reference = _text(node.find("REFERENCE_NUMBER"))
    external_id = reference or dataid
    if not external_id:
        raise ListImportError("has neither REFERENCE_NUMBER nor DATAID", location=location)
    location = f"<{node.tag}> #{number} ({external_id})"
    parts = [_text(node.find(tag)) for tag in ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")]
    name = " ".join(p for p in parts if p)
    if not name:
        raise ListImportError("has no FIRST_NAME", location=location)
    aliases = [_text(alias.find("ALIAS_NAME")) for alias in node.findall(f"{node.tag}_ALIAS")]
    aliases.append(_text(node.find("NAME_ORIGINAL_SCRIPT")))
    countries = [_text(v) for v in node.findall("NATIONALITY/VALUE")]
    addresses = []
    for address in node.findall(f"{node.tag}_ADDRESS"):
        fields = [_text(address.find(t)) for t in ("STREET", "CITY", "STATE_PROVINCE", "ZIP_CODE", "COUNTRY")]
        addresses.append(", ".join(f for f in fields if f))
        countries.append(_text(address.find("COUNTRY")))
    identifiers = []
    for document in node.findall(f"{node.tag}_DOCUMENT"):
        number_text = _text(document.find("NUMBER"))
        if number_text:
            label = _text(document.find("TYPE_OF_DOCUMENT"))
            scheme = DOCUMENT_SCHEMES.get(label.lower(), "other")
            identifiers.append(
                identifier(scheme, number_text, label=label, country=_text(document.find("ISSUING_COUNTRY")))
            )
    return ParsedEntry(
        external_id=external_id,
        primary_name=name,
        aliases=[a for a in unique(aliases) if a != name],
        entity_type=kind,
        programs=unique([_text(node.find("UN_LIST_TYPE"))]),
        countries=unique(countries),
        addresses=unique(addresses),
        identifiers=identifiers,
        listed_on=parse_iso_date(_text(node.find("LISTED_ON"))),
        citation=f"UN SC {reference}" if reference else "",
        remarks=_text(node.find("COMMENTS1")),
        raw=_flatten(node),
        location=location,
    )


def _check_root(root: Element) -> None:
    if root.tag != "CONSOLIDATED_LIST":
        raise ListImportError(
            f"the root element is <{root.tag}>, not <CONSOLIDATED_LIST>; this is not the UN consolidated list",
            location=f"element <{root.tag}>",
        )


_RECORDS = {
    ("CONSOLIDATED_LIST", "INDIVIDUALS", "INDIVIDUAL"): INDIVIDUAL,
    ("CONSOLIDATED_LIST", "ENTITIES", "ENTITY"): ENTITY,
}


def parse(data: Source) -> list[ParsedEntry]:
    """Every entry at once (tests and small files); the import streams `iter_entries`."""
    return as_list(iter_entries(data))


def iter_entries(data: Source) -> Iterator[ParsedEntry]:
    """The individuals and entities one at a time, the XML read as a stream (one record in memory at a time).
    Duplicate ids are left to the caller."""
    stream = open_source(data)
    refuse_other_list(head(stream), expected="un-sc-xml")
    numbers = {INDIVIDUAL: 0, ENTITY: 0}
    records = iter_records(
        stream,
        what="UN consolidated list XML",
        check_root=_check_root,
        is_record=lambda path: tuple(path) in _RECORDS,
    )
    for tag, node in records:
        kind = INDIVIDUAL if tag == "INDIVIDUAL" else ENTITY
        numbers[kind] += 1
        yield _entry(node, kind=kind, number=numbers[kind])
    if not any(numbers.values()):
        raise ListImportError("no <INDIVIDUAL> or <ENTITY> elements", location="element <CONSOLIDATED_LIST>")
