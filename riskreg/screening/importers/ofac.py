"""OFAC's legacy CSV files: sdn.csv, and the alt.csv (aliases) and add.csv (addresses) that go with it.

Quirks handled: no header; `-0-` (often with a trailing space) means empty; CRLF line ends; a trailing
Ctrl-Z (0x1A) byte; programs joined as `A] [B`; aliases, identifiers and `Linked To:` relations
written into the free-text remarks.
"""

from __future__ import annotations

import csv
import io
import re

from riskreg.screening.errors import ListImportError
from riskreg.screening.importers.base import (
    AIRCRAFT,
    ENTITY,
    INDIVIDUAL,
    VESSEL,
    ParsedEntry,
    decode_text,
    identifier,
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
_ALIAS = re.compile(r"^(a\.k\.a\.|f\.k\.a\.|n\.k\.a\.)\s*'(.+)'\.?$", re.IGNORECASE)
_LINKED = re.compile(r"^Linked To:\s*(.+?)\.?$")
_ID_VALUE = re.compile(r"^(?P<value>.+?)(?:\s+\((?P<country>[^()]+)\))?\.?$")
_NATIONALITY = re.compile(r"^(?:nationality|citizen|Nationality of Registration)\s+(.+?)\.?$")


def _clean(value: str) -> str:
    value = value.strip()
    return "" if value == "-0-" else value


def _read_rows(text: str, *, columns: list[str], what: str):
    """Yield (line number, row dict), refusing rows of the wrong width or an unterminated quote."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    while True:
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
        if not row[0].strip().isdigit():
            raise ListImportError(
                f"{what}: the first column (ent_num) is {row[0][:40]!r}, not a number; "
                "this is not an OFAC file of that kind",
                location=f"line {line}",
            )
        yield line, dict(zip(columns, row, strict=True))


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
        for label, scheme in ID_LABELS:
            if part.startswith(label + " "):
                found = _ID_VALUE.match(part[len(label) + 1 :])
                if found:
                    country = (found.group("country") or "").strip()
                    entry.identifiers.append(identifier(scheme, found.group("value"), label=label, country=country))
                    if country:
                        entry.countries.append(country)
                break


def parse_sdn(data: bytes, *, alt: bytes | None = None, add: bytes | None = None) -> list[ParsedEntry]:
    refuse_other_list(data, expected="ofac-sdn-csv")
    text = decode_text(data, what="sdn.csv")
    entries: dict[str, ParsedEntry] = {}
    for line, row in _read_rows(text, columns=SDN_COLUMNS, what="sdn.csv"):
        ent_num = row["ent_num"].strip()
        name = _clean(row["SDN_Name"])
        if not name:
            raise ListImportError(f"entry {ent_num} has no name (SDN_Name)", location=f"line {line}")
        if ent_num in entries:
            raise ListImportError(
                f"ent_num {ent_num} appears twice (first at {entries[ent_num].location})", location=f"line {line}"
            )
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
        entries[ent_num] = entry
    if not entries:
        raise ListImportError("sdn.csv has no entries", location="line 1")
    if alt is not None:
        for line, row in _read_rows(decode_text(alt, what="alt.csv"), columns=ALT_COLUMNS, what="alt.csv"):
            entry = entries.get(row["ent_num"].strip())
            if entry is None:
                raise ListImportError(
                    f"alt.csv names ent_num {row['ent_num']}, which is not in sdn.csv; "
                    "give the alt.csv of the same publication",
                    location=f"alt.csv line {line}",
                )
            if alias := _clean(row["alt_name"]):
                entry.aliases.append(alias)
                entry.raw.setdefault("alt", []).append({k: _clean(v) for k, v in row.items() if _clean(v)})
    if add is not None:
        for line, row in _read_rows(decode_text(add, what="add.csv"), columns=ADD_COLUMNS, what="add.csv"):
            entry = entries.get(row["ent_num"].strip())
            if entry is None:
                raise ListImportError(
                    f"add.csv names ent_num {row['ent_num']}, which is not in sdn.csv; "
                    "give the add.csv of the same publication",
                    location=f"add.csv line {line}",
                )
            parts = [_clean(row["address"]), _clean(row["city_state_postal"]), _clean(row["country"])]
            if address := ", ".join(p for p in parts if p):
                entry.addresses.append(address)
            if country := _clean(row["country"]):
                entry.countries.append(country)
            entry.raw.setdefault("add", []).append({k: _clean(v) for k, v in row.items() if _clean(v)})
    for entry in entries.values():
        entry.aliases = [a for a in unique(entry.aliases) if a != entry.primary_name]
        entry.countries = unique(entry.countries)
        entry.addresses = unique(entry.addresses)
        entry.linked_to = unique(entry.linked_to)
    return list(entries.values())
