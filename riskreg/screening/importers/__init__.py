"""Parsers of the real list formats. Each reads the file (bytes, a path or a binary file) and yields ParsedEntry
records one at a time, or raises ListImportError naming the line or element. They never touch the database.
`PARSERS` maps a format to its streaming parser; the `parse*` functions of each module return a list."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from riskreg.screening.importers import csl, eu, ofac, opensanctions, un
from riskreg.screening.importers.base import FORMAT_LABELS, ParsedEntry, Source, identifier_key, sniff

PARSERS: dict[str, Callable[[Source], Iterable[ParsedEntry]]] = {
    "ofac-sdn-csv": ofac.iter_sdn,
    "us-csl-csv": csl.iter_csv,
    "us-csl-json": csl.iter_json,
    "un-sc-xml": un.iter_entries,
    "eu-fsf-xml": eu.iter_entries,
    "opensanctions-ftm": opensanctions.iter_entries,
}

__all__ = ["FORMAT_LABELS", "PARSERS", "ParsedEntry", "Source", "identifier_key", "sniff"]
