"""OFAC's legacy CSV files: sdn.csv, and the alt.csv (aliases) and add.csv (addresses) that go with it.

Quirks handled: no header; `-0-` (often with a trailing space) means empty; CRLF line ends; a trailing
Ctrl-Z (0x1A) byte; programs joined as `A] [B`; aliases, identifiers and `Linked To:` relations
written into the free-text remarks.
"""

from __future__ import annotations

import csv
import re
from array import array
from bisect import bisect_left
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
    refuse_other_list,
    unique,
)

SDN_COLUMNS = [
    "ent_num",
    "SDN_Name",
    "SDN_Type",
    "Program",
    "Title",
    "Call_Sign",
    "Vess_type",
    "Tonnage",
    "GRT",
    "Vess_flag",
    "Vess_owner",
    "Remarks",
]
ALT_COLUMNS = ["ent_num", "alt_num", "alt_type", "alt_name", "alt_remarks"]
ADD_COLUMNS = ["ent_num", "add_num", "address", "city_state_postal", "country", "add_remarks"]
TYPES = {"": ENTITY, "individual": INDIVIDUAL, "vessel": VESSEL, "aircraft": AIRCRAFT}

# Identifier labels as OFAC writes them in remarks, longest first; value: our scheme.
ID_LABELS: list[tuple[str, str]] = sorted(
    [
        ("Unified Social Credit Code (USCC)", "uscc"),
        ("United Social Credit Code Certificate (USCCC)", "uscc"),
        ("Legal Entity Number", "lei"),
        ("LEI", "lei"),
        ("D-U-N-S Number", "duns"),
        ("Registration Number", "registration"),
        ("Business Registration Number", "registration"),
        ("Company Number", "registration"),
        ("Commercial Registry Number", "registration"),
        ("Business Registration Document #", "registration"),
        ("Registration ID", "registration"),
        ("Enterprise Number", "registration"),
        ("Government Gazette Number", "registration"),
        ("Public Registration Number", "registration"),
        ("Trade License No.", "registration"),
        ("Tax ID No.", "tax"),
        ("Identification Number", "registration"),
        ("National ID No.", "national_id"),
        ("Passport", "passport"),
        ("Vessel Registration Identification IMO", "imo"),
        ("IMO", "imo"),
        ("MMSI", "mmsi"),
        ("Aircraft Manufacturer's Serial Number (MSN)", "aircraft_msn"),
        ("SWIFT/BIC", "swift"),
        ("RFC", "tax"),
        ("C.U.R.P.", "national_id"),
        ("Cedula No.", "national_id"),
        ("NIT #", "tax"),
    ],
    key=lambda pair: -len(pair[0]),
)
# One pattern for every label, tried in the order above (the longest first, as the loop it replaces did):
# a remark is matched once instead of tested against each label in turn (a third of an SDN file's parse).
_ID_LABEL = re.compile("|".join(f"({re.escape(label)}) " for label, _ in ID_LABELS))
_ALIAS = re.compile(r"^(a\.k\.a\.|f\.k\.a\.|n\.k\.a\.)\s*'(.+)'\.?$", re.IGNORECASE)
_LINKED = re.compile(r"^Linked To:\s*(.+?)\.?$")
_ID_VALUE = re.compile(r"^(?P<value>.+?)(?:\s+\((?P<country>[^()]+)\))?\.?$")
_NATIONALITY = re.compile(r"^(?:nationality|citizen|Nationality of Registration)\s+(.+?)\.?$")


def _clean(value: str) -> str:
    value = value.strip()
    return "" if value == "-0-" else value


def _read_rows(lines: TextLines, *, columns: list[str], what: str):
    """Yield (line number, byte offset where the row starts, row dict), refusing rows of the wrong width or an
    unterminated quote. The file is read one line at a time."""
    reader = csv.reader(lines, strict=True)
    while True:
        start = lines.offset
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise ListImportError(
                f"{what} cannot be read ({exc}); the file looks truncated or is not a CSV file",
                location=f"line {reader.line_num}",
            ) from None
        line = reader.line_num
        if not row or (len(row) == 1 and not row[0].strip()):
            continue
        if len(row) != len(columns):
            raise ListImportError(
                f"{what} row has {len(row)} columns where {len(columns)} are expected "
                f"({', '.join(columns)}); the file looks truncated or is another list's file",
                location=f"line {line}",
            )
        if not row[0].strip().isdecimal():
            raise ListImportError(
                f"{what}: the first column (ent_num) is {row[0][:40]!r}, not a number; "
                "this is not an OFAC file of that kind",
                location=f"line {line}",
            )
        yield line, start, dict(zip(columns, row, strict=True))


class _Companion:
    """alt.csv or add.csv, indexed by entry number without holding its rows: three arrays (entry number, byte
    offset, line number; 24 bytes a row) sorted by entry number, and a flag a row for 'claimed by an entry of
    sdn.csv'. An entry's rows are read back from the file when sdn.csv reaches it."""

    def __init__(self, source: Source, *, columns: list[str], what: str) -> None:
        self.stream = open_source(source)
        self.columns, self.what = columns, what
        numbers, offsets, lines = array("q"), array("q"), array("q")
        for line, start, row in _read_rows(TextLines(self.stream, what=what), columns=columns, what=what):
            number = int(row["ent_num"].strip())
            if number >= 2**63:
                raise ListImportError(f"{what}: ent_num {number} is out of range", location=f"{what} line {line}")
            numbers.append(number)
            offsets.append(start)
            lines.append(line)
        if any(numbers[i] > numbers[i + 1] for i in range(len(numbers) - 1)):  # OFAC sorts them; sort if not
            order = sorted(range(len(numbers)), key=numbers.__getitem__)
            numbers = array("q", (numbers[i] for i in order))
            offsets = array("q", (offsets[i] for i in order))
            lines = array("q", (lines[i] for i in order))
        self.numbers, self.offsets, self.lines = numbers, offsets, lines
        self.claimed = bytearray(len(numbers))

    def rows(self, ent_num: str):
        """The rows of this entry number, in the order of the file."""
        number = int(ent_num)
        at = bisect_left(self.numbers, number)
        while at < len(self.numbers) and self.numbers[at] == number:
            self.claimed[at] = 1
            reader = csv.reader(TextLines(self.stream, what=self.what, start=self.offsets[at]), strict=True)
            row = next(reader)
            if self.offsets[at] == 0 and row:
                row[0] = row[0].lstrip("\ufeff")
            yield dict(zip(self.columns, row, strict=True))
            at += 1

    def refuse_unclaimed(self) -> None:
        """A row whose entry number is not in sdn.csv: the files are of different publications."""
        unclaimed = [i for i, claimed in enumerate(self.claimed) if not claimed]
        if unclaimed:
            first = min(unclaimed, key=self.lines.__getitem__)
            raise ListImportError(
                f"{self.what} names ent_num {self.numbers[first]}, which is not in sdn.csv; "
                f"give the {self.what} of the same publication",
                location=f"{self.what} line {self.lines[first]}",
            )


def parse_remarks(remarks: str, entry: ParsedEntry) -> None:
    """Aliases, identifiers, nationalities and relations written into the Remarks column."""
    for part in re.split(r";\s+", remarks):
        part = part.strip().rstrip(".") if not part.strip().endswith("'.") else part.strip()
        if not part:
            continue
        if match := _ALIAS.match(part):
            entry.aliases.append(match.group(2).strip())
            continue
        if match := _LINKED.match(part):
            entry.linked_to.append(match.group(1).strip())
            continue
        if match := _NATIONALITY.match(part):
            entry.countries.append(match.group(1).strip())
            continue
        if labelled := _ID_LABEL.match(part):
            label, scheme = ID_LABELS[labelled.lastindex - 1]
            found = _ID_VALUE.match(part[labelled.end() :])
            if found:
                country = (found.group("country") or "").strip()
                entry.identifiers.append(identifier(scheme, found.group("value"), label=label, country=country))
                if country:
                    entry.countries.append(country)


def parse_sdn(data: Source, *, alt: Source | None = None, add: Source | None = None) -> list[ParsedEntry]:
    """Every entry of the files at once (tests and small files); the import streams `iter_sdn`."""
    return as_list(iter_sdn(data, alt=alt, add=add))


def iter_sdn(data: Source, *, alt: Source | None = None, add: Source | None = None) -> Iterator[ParsedEntry]:
    """The entries of sdn.csv one at a time, with their aliases (alt.csv) and addresses (add.csv). The file is
    read a line at a time; the companion files are indexed by entry number (see _Companion), so memory does not
    grow with the files. Duplicate entry numbers are left to the caller (the import finds them in the
    database; `parse_sdn` in a dict)."""
    stream = open_source(data)
    refuse_other_list(head(stream), expected="ofac-sdn-csv")
    alt_rows = _Companion(alt, columns=ALT_COLUMNS, what="alt.csv") if alt is not None else None
    add_rows = _Companion(add, columns=ADD_COLUMNS, what="add.csv") if add is not None else None
    count = 0
    for line, _start, row in _read_rows(TextLines(stream, what="sdn.csv"), columns=SDN_COLUMNS, what="sdn.csv"):
        ent_num = row["ent_num"].strip()
        name = _clean(row["SDN_Name"])
        if not name:
            raise ListImportError(f"entry {ent_num} has no name (SDN_Name)", location=f"line {line}")
        sdn_type = _clean(row["SDN_Type"]).lower()
        if sdn_type not in TYPES:
            raise ListImportError(f"unknown SDN_Type {sdn_type!r} for entry {ent_num}", location=f"line {line}")
        remarks = _clean(row["Remarks"])
        entry = ParsedEntry(
            external_id=ent_num,
            primary_name=name,
            entity_type=TYPES[sdn_type],
            programs=unique(p.strip(" []") for p in _clean(row["Program"]).split("] [")),
            remarks=remarks,
            raw={key: _clean(value) for key, value in row.items() if _clean(value)},
            location=f"line {line}",
        )
        if flag := _clean(row["Vess_flag"]):
            entry.countries.append(flag)
        if call_sign := _clean(row["Call_Sign"]):
            entry.identifiers.append(identifier("call_sign", call_sign, label="Call Sign"))
        parse_remarks(remarks, entry)
        if alt_rows is not None:
            for alt_row in alt_rows.rows(ent_num):
                if alias := _clean(alt_row["alt_name"]):
                    entry.aliases.append(alias)
                    entry.raw.setdefault("alt", []).append({k: _clean(v) for k, v in alt_row.items() if _clean(v)})
        if add_rows is not None:
            for add_row in add_rows.rows(ent_num):
                parts = [_clean(add_row["address"]), _clean(add_row["city_state_postal"]), _clean(add_row["country"])]
                if address := ", ".join(p for p in parts if p):
                    entry.addresses.append(address)
                if country := _clean(add_row["country"]):
                    entry.countries.append(country)
                entry.raw.setdefault("add", []).append({k: _clean(v) for k, v in add_row.items() if _clean(v)})
        entry.aliases = [a for a in unique(entry.aliases) if a != entry.primary_name]
        entry.countries = unique(entry.countries)
        entry.addresses = unique(entry.addresses)
        entry.linked_to = unique(entry.linked_to)
        count += 1
        yield entry
    if not count:
        raise ListImportError("sdn.csv has no entries", location="line 1")
    for companion in (alt_rows, add_rows):
        if companion is not None:
            companion.refuse_unclaimed()
