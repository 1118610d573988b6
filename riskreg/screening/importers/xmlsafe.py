"""XML parsing through defusedxml: entity expansion, external entities and DTDs are refused."""

from __future__ import annotations

from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException, DTDForbidden
from defusedxml.ElementTree import fromstring

from riskreg.screening.errors import ListImportError


def _line_of(data: bytes, needle: bytes) -> int:
    at = data.find(needle)
    return data.count(b"\n", 0, at) + 1 if at >= 0 else 1


def parse_xml(data: bytes, *, what: str) -> Element:
    try:
        return fromstring(data, forbid_dtd=True)
    except DefusedXmlException as exc:
        needle = b"<!DOCTYPE" if isinstance(exc, DTDForbidden) or b"<!ENTITY" not in data else b"<!ENTITY"
        raise ListImportError(
            f"the {what} declares a DTD or entities ({type(exc).__name__}: {exc}); list files never do, and "
            "entity expansion can exhaust memory (an 'XML bomb'), so the file is refused",
            location=f"line {_line_of(data, needle)}, element <{needle.decode().lstrip('<')}>",
        ) from None
    except ParseError as exc:
        line, column = getattr(exc, "position", (0, 0))
        raise ListImportError(
            f"the {what} is not well-formed XML ({exc}); the file looks truncated or damaged",
            location=f"line {line}, column {column}",
        ) from None


def local(tag: str) -> str:
    """The tag without its namespace: '{http://eu.europa.ec/fpi/fsd/export}export' -> 'export'."""
    return tag.rsplit("}", 1)[-1]
