"""Formatting for memo templates. Inputs are snapshot values (ISO strings, numbers); outputs are plain text
that Django autoescapes like any other value."""

from __future__ import annotations

import re
from datetime import date, datetime

from django import template

from reports.colours import safe_colour

register = template.Library()


@register.filter
def memo_date(value: str | None) -> str:
    """'2019-05-16' -> '16 May 2019'; an ISO datetime -> '6 Apr 2026, 10:00 UTC'."""
    if not value:
        return "–"
    try:
        if "T" in value:
            moment = datetime.fromisoformat(value)
            return f"{moment.day} {moment:%b %Y, %H:%M} UTC"
        day = date.fromisoformat(value)
        return f"{day.day} {day:%b %Y}"
    except (TypeError, ValueError):
        return str(value)


_ISO_DAY = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})(?:T[\d:.]+(?:Z|[+-]\d{2}:\d{2})?)?\b")


_LONG_DAY = re.compile(
    r"\b(\d{1,2}) (January|February|March|April|June|July|August|September|October|November|December) (\d{4})\b"
)


@register.filter
def memo_dates(value: str | None) -> str:
    """Free text with its dates in the memo's one format: 'listed 2025-01-16' and 'effective 16 January 2025'
    -> '16 Jan 2025'. Anything that is not a real date is left as it was."""
    if not value:
        return value or ""

    def human(match: re.Match) -> str:
        try:
            day = date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        except ValueError:
            return match.group(0)
        return f"{day.day} {day:%b %Y}"

    def short_month(match: re.Match) -> str:
        return f"{match.group(1)} {match.group(2)[:3]} {match.group(3)}"

    return _LONG_DAY.sub(short_month, _ISO_DAY.sub(human, str(value)))


@register.filter
def memo_day(value: str | None) -> str:
    """Only the day of an ISO date or datetime."""
    if not value:
        return "–"
    return memo_date(value[:10])


@register.filter
def human_count(value: int | None) -> str:
    """744000000000 -> '744B'; 28500000000000 -> '28.5T'."""
    if value in (None, ""):
        return "–"
    for size, suffix in ((10**12, "T"), (10**9, "B"), (10**6, "M"), (10**3, "K")):
        if value >= size:
            number = value / size
            text = f"{number:.1f}".rstrip("0").rstrip(".")
            return f"{text}{suffix}"
    return str(value)


@register.filter
def cites(numbers) -> str:
    """[1, 3] -> '[1] [3]'."""
    return " ".join(f"[{n}]" for n in numbers or [] if n)


@register.filter
def current_round(sign_offs) -> list:
    """The sign-offs of the request's current review round (earlier rounds are superseded)."""
    return [so for so in sign_offs or [] if so.get("current_round")]


@register.filter
def in_sentence(value: str) -> str:
    """A label read inside a sentence: its first letter in lower case, names and acronyms kept ("The developer's
    API (...)" -> "the developer's API (...)", "EU member state" stays)."""
    value = str(value or "")
    if len(value) > 1 and value[1].isupper():
        return value
    return value[:1].lower() + value[1:]


@register.filter
def role_name(value: str) -> str:
    return {"legal": "Legal", "security": "Security", "procurement": "Procurement"}.get(value, value.title())


@register.filter
def short_sha(value: str) -> str:
    return f"{value[:12]}…" if value else ""


colour = register.filter("colour", safe_colour)


@register.filter
def ink(value: str | None) -> str:
    """Text colour readable on a band colour: dark on light bands (amber), white on dark ones."""
    hex_value = colour(value).lstrip("#")
    if len(hex_value) == 3:
        hex_value = "".join(ch * 2 for ch in hex_value)
    red, green, blue = (int(hex_value[i : i + 2], 16) for i in (0, 2, 4))
    luminance = 0.299 * red + 0.587 * green + 0.114 * blue
    return "#1d1d1d" if luminance > 150 else "#ffffff"
