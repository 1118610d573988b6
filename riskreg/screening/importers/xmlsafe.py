"""XML parsing through defusedxml: entity expansion, external entities and DTDs are refused.

`iter_records` reads a file as a stream (defusedxml's iterparse): each record element is handed over once it is
complete, then cleared and dropped from its parent, so memory holds one record, not the document.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import BinaryIO
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException, DTDForbidden
from defusedxml.ElementTree import iterparse

from riskreg.screening.errors import ListImportError

_HEAD = 1024 * 1024  # where a DTD would be: before the root element


def _line_of(data: bytes, needle: bytes) -> int:
    at = data.find(needle)
    return data.count(b"\n", 0, at) + 1 if at >= 0 else 1


def _refused_dtd(exc: DefusedXmlException, data: bytes, *, what: str) -> ListImportError:
    needle = b"<!DOCTYPE" if isinstance(exc, DTDForbidden) or b"<!ENTITY" not in data else b"<!ENTITY"
    return ListImportError(
        f"the {what} declares a DTD or entities ({type(exc).__name__}: {exc}); list files never do, and "
        "entity expansion can exhaust memory (an 'XML bomb'), so the file is refused",
        location=f"line {_line_of(data, needle)}, element <{needle.decode().lstrip('<')}>",
    )


def _not_well_formed(exc: ParseError, *, what: str) -> ListImportError:
    line, column = getattr(exc, "position", (0, 0))
    return ListImportError(
        f"the {what} is not well-formed XML ({exc}); the file looks truncated or damaged",
        location=f"line {line}, column {column}",
    )


def iter_records(
    stream: BinaryIO, *, what: str, check_root: Callable[[Element], None], is_record: Callable[[list[str]], bool]
) -> Iterator[tuple[str, Element]]:
    """(local tag, element) for each complete element whose path of local tags from the root (root included)
    `is_record` accepts. `check_root` sees the root element as soon as it opens (it may refuse the file). The
    element is cleared and removed from its parent when the consumer asks for the next one."""
    stream.seek(0)
    path: list[str] = []
    parents: list[Element] = []
    try:
        for event, element in iterparse(stream, events=("start", "end"), forbid_dtd=True):
            if event == "start":
                if not parents:
                    check_root(element)
                path.append(local(element.tag))
                parents.append(element)
                continue
            parents.pop()
            if is_record(path):
                yield path[-1], element
                element.clear()
                if parents:
                    parents[-1].remove(element)
            elif len(parents) == 1:  # a child of the root that is not a record (or a container, now read)
                element.clear()
                parents[0].remove(element)
            path.pop()
    except DefusedXmlException as exc:
        stream.seek(0)
        raise _refused_dtd(exc, stream.read(_HEAD), what=what) from None
    except ParseError as exc:
        raise _not_well_formed(exc, what=what) from None


def local(tag: str) -> str:
    """The tag without its namespace: '{http://eu.europa.ec/fpi/fsd/export}export' -> 'export'."""
    return tag.rsplit("}", 1)[-1]
