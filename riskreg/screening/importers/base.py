"""What every importer returns, and the checks they share (decoding, line numbers, identifiers)."""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, fields
from datetime import date
from typing import BinaryIO

from riskreg.screening.errors import ListImportError

ENTITY = "entity"
INDIVIDUAL = "individual"
VESSEL = "vessel"
AIRCRAFT = "aircraft"
OTHER = "other"


@dataclass
class ParsedEntry:
    """One record of a list file, in the shape of ListEntry."""

    external_id: str
    primary_name: str
    aliases: list[str] = field(default_factory=list)
    entity_type: str = ENTITY
    programs: list[str] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    addresses: list[str] = field(default_factory=list)
    identifiers: list[dict] = field(default_factory=list)
    listed_on: date | None = None
    citation: str = ""
    remarks: str = ""
    linked_to: list[str] = field(default_factory=list)
    raw: dict = field(default_factory=dict)
    location: str = ""  # where it was in the file, for error messages; not stored

    def content_hash(self) -> str:
        """SHA-256 of everything the list says about the entry (its raw record included)."""
        # The fields as they are (asdict's deep copy costs a third of an import; the JSON is the same).
        payload = {name: getattr(self, name) for name in _HASHED}
        payload["listed_on"] = self.listed_on.isoformat() if self.listed_on else None
        text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


_HASHED = [f.name for f in fields(ParsedEntry) if f.name != "location"]


def unique(values) -> list:
    """Drop empties and duplicates, keep the order."""
    seen: list = []
    for value in values:
        if isinstance(value, str):
            value = " ".join(value.split())
        if value and value not in seen:
            seen.append(value)
    return seen


def decode_text(data: bytes, *, what: str) -> str:
    """UTF-8 text (a BOM and OFAC's trailing Ctrl-Z removed), or ListImportError naming the line."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    data = data.rstrip(b"\x1a")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise ListImportError(
            f"broken character encoding in the {what}: byte 0x{data[exc.start]:02x} at column {column} is not "
            "valid UTF-8; the file may be damaged or saved in another encoding",
            location=f"line {line}",
        ) from None


#: What an importer reads: the file's bytes, a path to it, or a binary file open for reading (seekable).
Source = bytes | str | os.PathLike | BinaryIO


def open_source(source: Source) -> BinaryIO:
    """A seekable binary file over `source`. A path is opened (the caller closes it); bytes are wrapped."""
    if isinstance(source, bytes | bytearray | memoryview):
        return io.BytesIO(source)
    if isinstance(source, str | os.PathLike):
        return open(source, "rb")  # noqa: SIM115 - the caller closes it
    return source


def head(stream: BinaryIO, size: int = 4096) -> bytes:
    """The first `size` bytes of the file; the file is left at its start."""
    stream.seek(0)
    data = stream.read(size)
    stream.seek(0)
    return data


class TextLines:
    """The lines of a UTF-8 file, read one at a time (a BOM and OFAC's trailing Ctrl-Z removed), for
    csv.reader or JSON lines. `line` is the number of the last line read, `offset` the byte offset just
    after it. A byte that is not UTF-8 raises ListImportError naming its line and column, as decode_text."""

    def __init__(self, stream: BinaryIO, *, what: str, start: int = 0) -> None:
        self.stream, self.what = stream, what
        self.line, self.offset = 0, start
        stream.seek(start)

    def __iter__(self) -> Iterator[str]:
        readline = self.stream.readline
        raw = readline()
        while raw:
            following = readline()
            self.line += 1
            self.offset += len(raw)
            if not following:
                raw = raw.rstrip(b"\x1a")
                if not raw:
                    return
            if self.line == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            try:
                yield raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise ListImportError(
                    f"broken character encoding in the {self.what}: byte 0x{raw[exc.start]:02x} at column "
                    f"{exc.start + 1} is not valid UTF-8; the file may be damaged or saved in another encoding",
                    location=f"line {self.line}",
                ) from None
            raw = following


def as_list(entries: Iterable[ParsedEntry]) -> list[ParsedEntry]:
    """Every entry of a parse, refusing an id that appears twice (the import checks this in the database)."""
    seen: dict[str, ParsedEntry] = {}
    for entry in entries:
        if entry.external_id in seen:
            raise ListImportError(
                f"{entry.external_id} appears twice (first at {seen[entry.external_id].location})",
                location=entry.location,
            )
        seen[entry.external_id] = entry
    return list(seen.values())


def sniff(data: bytes) -> str:
    """A guess at what kind of list file this is, for 'this is a file of another list' messages."""
    head = data[:4096].lstrip(b"\xef\xbb\xbf \r\n\t").decode("utf-8", "replace")
    if head.startswith("<"):
        if "CONSOLIDATED_LIST" in head:
            return "un-sc-xml"
        if "fpi/fsd/export" in head or "<export" in head:
            return "eu-fsf-xml"
        if "sdnList" in head:
            return "ofac-sdn-xml"
        return "xml"
    if head.startswith(("{", "[")):
        first = head.splitlines()[0] if head else ""
        if '"schema"' in first and '"properties"' in first:
            return "opensanctions-ftm"
        return "us-csl-json" if '"results"' in head or '"source"' in head else "json"
    first = head.splitlines()[0] if head else ""
    if first.startswith("_id,source,") or first.startswith("source,entity_number,"):
        return "us-csl-csv"
    if re.match(r'^\d+,"', first):
        return "ofac-sdn-csv"
    return "unknown"


FORMAT_LABELS = {
    "ofac-sdn-csv": "OFAC sdn.csv",
    "ofac-sdn-xml": "OFAC SDN XML",
    "us-csl-csv": "US Consolidated Screening List CSV",
    "us-csl-json": "US Consolidated Screening List JSON",
    "un-sc-xml": "UN Security Council consolidated list XML",
    "eu-fsf-xml": "EU Financial Sanctions Files XML",
    "opensanctions-ftm": "OpenSanctions FollowTheMoney JSON lines",
    "xml": "an XML file",
    "json": "a JSON file",
    "unknown": "an unrecognised file",
}


def refuse_other_list(data: bytes, *, expected: str) -> None:
    """Refuse early and clearly when the file is obviously of another format than `expected`."""
    found = sniff(data)
    if found in (expected, "unknown", "xml", "json"):
        return
    raise ListImportError(
        f"this looks like {FORMAT_LABELS[found]} ({found}), not {FORMAT_LABELS[expected]} ({expected}); "
        "check the list code and --format",
        location="line 1",
    )


# --- identifiers -------------------------------------------------------------------------------

_ID_CLEAN = re.compile(r"[^A-Z0-9]")


def identifier_key(value: str) -> str:
    """The form identifiers are compared in: upper-case letters and digits only."""
    return _ID_CLEAN.sub("", (value or "").upper())


def identifier(scheme: str, value: str, *, label: str = "", country: str = "") -> dict:
    out = {"scheme": scheme, "value": value.strip()}
    if label:
        out["label"] = label
    if country:
        out["country"] = country
    return out


def parse_iso_date(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None
