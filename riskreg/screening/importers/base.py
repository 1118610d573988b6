"""What every importer returns, and the checks they share (decoding, line numbers, identifiers)."""

from __future__ import annotations

import codecs
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


class JsonReader:
    """A JSON document read a chunk at a time: values are decoded one by one from a window of the text, so a
    list of results is never held whole. Errors name the line and column."""

    CHUNK = 1024 * 1024
    MAX_VALUE = 32 * 1024 * 1024  # one result larger than this is refused rather than read on and on

    def __init__(self, stream: BinaryIO, *, what: str) -> None:
        self.stream, self.what = stream, what
        self.decoder = codecs.getincrementaldecoder("utf-8")()
        self.json = json.JSONDecoder()
        self.text, self.pos, self.eof = "", 0, False
        self.dropped_lines, self.dropped_column, self.raw_lines = 0, 0, 0
        stream.seek(0)

    def _fill(self) -> bool:
        if self.eof:
            return False
        raw = self.stream.read(self.CHUNK)
        try:
            more = self.decoder.decode(raw, final=not raw)
        except UnicodeDecodeError as exc:  # exc.object: the bytes decoded (this chunk, after any held back)
            line = self.raw_lines + exc.object.count(b"\n", 0, exc.start) + 1
            raise ListImportError(
                f"broken character encoding in the {self.what}: byte 0x{exc.object[exc.start]:02x} is not valid "
                "UTF-8; the file may be damaged or saved in another encoding",
                location=f"line {line}",
            ) from None
        self.raw_lines += raw.count(b"\n")
        if self.pos > self.CHUNK:  # drop what has been read
            done = self.text[: self.pos]
            newlines = done.count("\n")
            self.dropped_column = len(done) - done.rfind("\n") - 1 if newlines else self.dropped_column + len(done)
            self.dropped_lines += newlines
            self.text, self.pos = self.text[self.pos :], 0
        if not self.text and self.dropped_lines == 0 and self.dropped_column == 0:
            more = more.lstrip("\ufeff")
        self.text += more
        self.eof = not raw
        return True

    def where(self, pos: int) -> str:
        newlines = self.text.count("\n", 0, pos)
        line = self.dropped_lines + newlines + 1
        column = pos - self.text.rfind("\n", 0, pos) if newlines else self.dropped_column + pos + 1
        return f"line {line}, column {column}"

    def invalid(self, message: str, pos: int) -> ListImportError:
        return ListImportError(
            f"invalid JSON ({message}); the file looks truncated or is not JSON", location=self.where(pos)
        )

    def peek(self) -> str:
        """The next character that is not white space ('' at the end of the file)."""
        while True:
            while self.pos < len(self.text) and self.text[self.pos] in " \t\r\n":
                self.pos += 1
            if self.pos < len(self.text):
                return self.text[self.pos]
            if not self._fill():
                return ""

    def value(self):
        self.peek()
        while True:
            try:
                value, end = self.json.raw_decode(self.text, self.pos)
            except json.JSONDecodeError as exc:
                if not self.eof and len(self.text) - self.pos < self.MAX_VALUE and self._fill():
                    continue
                raise self.invalid(exc.msg, exc.pos) from None
            if end == len(self.text) and not self.eof and self._fill():
                continue  # a number or literal may go on in the next chunk
            self.pos = end
            return value

    def expect(self, char: str, what: str) -> None:
        if self.peek() != char:
            raise self.invalid(f"Expecting {what}", self.pos)
        self.pos += 1


def iter_json_list(stream: BinaryIO, *, what: str, key: str) -> Iterator:
    """The elements of a JSON list, one at a time: the document itself, or its member `key` (read a chunk at a
    time; other members are read and dropped). ListImportError names the line and column of what is wrong."""
    reader = JsonReader(stream, what=what)

    def elements():
        reader.expect("[", "'['")
        if reader.peek() == "]":
            reader.pos += 1
            return
        while True:
            yield reader.value()
            following = reader.peek()
            if following not in (",", "]"):
                raise reader.invalid("Expecting ',' delimiter", reader.pos)
            reader.pos += 1
            if following == "]":
                return

    found = False
    first = reader.peek()
    if first == "[":
        found = True
        yield from elements()
    elif first == "{":
        reader.pos += 1
        while reader.peek() != "}":
            name = reader.value()
            reader.expect(":", "':' delimiter")
            if name == key and reader.peek() == "[":
                found = True
                yield from elements()
            else:
                reader.value()
            if reader.peek() == ",":
                reader.pos += 1
            elif reader.peek() != "}":
                raise reader.invalid("Expecting ',' delimiter", reader.pos)
        reader.pos += 1
    elif first:
        reader.value()  # a JSON error, or a document that is not a list nor an object
    else:
        raise reader.invalid("Expecting value", reader.pos)
    if reader.peek():
        raise reader.invalid("Extra data", reader.pos)
    if not found:
        raise ListImportError(f"expected a list of results (or an object with '{key}')", location="line 1")
