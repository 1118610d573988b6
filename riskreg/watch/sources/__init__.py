"""Kinds of watch sources, one module each, behind the interface in base.py."""

from __future__ import annotations

from riskreg.watch.models import SourceKind
from riskreg.watch.sources.base import Extract, Item, Kind, ListFileKind, SourceError
from riskreg.watch.sources.federal_register import FederalRegisterKind
from riskreg.watch.sources.feed import FeedKind
from riskreg.watch.sources.html import HtmlKind
from riskreg.watch.sources.jsondoc import JsonKind
from riskreg.watch.sources.lists import list_kinds

__all__ = ["Extract", "Item", "Kind", "ListFileKind", "SourceError", "kind_for", "selector_problem"]

KINDS: dict[str, Kind] = {
    SourceKind.RSS: FeedKind(),
    SourceKind.ATOM: FeedKind(),
    SourceKind.FEDERAL_REGISTER: FederalRegisterKind(),
    SourceKind.HTML: HtmlKind(),
    SourceKind.JSON: JsonKind(),
    **list_kinds(),
}


def selector_problem(kind: str, selector: str) -> str | None:
    """Why this selector cannot work for this kind of source, or None when it can."""
    try:
        kind_for(kind).validate_selector(selector or "")
    except SourceError as exc:
        return str(exc)
    return None


def kind_for(kind: str) -> Kind:
    try:
        return KINDS[kind]
    except KeyError:
        raise SourceError(f"unknown source kind {kind!r}") from None
