"""Parsers of the real list formats. Each takes the file's bytes and returns ParsedEntry records,
or raises ListImportError naming the line or element. They never touch the database."""

from __future__ import annotations

from collections.abc import Callable

from riskreg.screening.importers import csl, eu, ofac, opensanctions, un
from riskreg.screening.importers.base import FORMAT_LABELS, ParsedEntry, identifier_key, sniff

PARSERS: dict[str, Callable[[bytes], list[ParsedEntry]]] = {
    "ofac-sdn-csv": ofac.parse_sdn,
    "us-csl-csv": csl.parse_csv,
    "us-csl-json": csl.parse_json,
    "un-sc-xml": un.parse,
    "eu-fsf-xml": eu.parse,
    "opensanctions-ftm": opensanctions.parse,
}

__all__ = ["FORMAT_LABELS", "PARSERS", "ParsedEntry", "identifier_key", "sniff"]
