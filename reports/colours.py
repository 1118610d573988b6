"""Colours from data (a risk band's colour) that reach a style attribute: the memo context and templates use it."""

from __future__ import annotations

import re

_COLOUR = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")


def safe_colour(value: str | None) -> str:
    """Only hex colours reach a style attribute; anything else (a data value trying CSS) becomes grey."""
    return value if isinstance(value, str) and _COLOUR.match(value) else "#777777"
