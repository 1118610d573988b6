"""Human units and dates for the workspace pages: one date format ("16 Jan 2025"), counts as 744B / 28.5T,
labels instead of codes. Inputs may be dates, datetimes or the ISO strings the memo snapshot carries."""

from __future__ import annotations

from datetime import date, datetime

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from reports.templatetags.memo import colour as memo_colour
from reports.templatetags.memo import human_count as memo_human_count
from reports.templatetags.memo import ink as memo_ink
from reports.templatetags.memo import role_name as memo_role_name
from riskreg.register.wording import person_name

register = template.Library()

NOTHING = "–"


def _to_date(value) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if isinstance(value, date):
        return value
    try:
        text = str(value)
        if "T" in text:
            return _to_date(datetime.fromisoformat(text))
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


@register.filter
def human_date(value) -> str:
    """date(2025, 1, 16), '2025-01-16' or an ISO datetime -> '16 Jan 2025'."""
    day = _to_date(value)
    if day is None:
        return NOTHING if value in (None, "") else str(value)
    return f"{day.day} {day:%b %Y}"


@register.filter
def human_datetime(value) -> str:
    """A moment -> '16 Jan 2025, 08:28 UTC' (the register keeps time in UTC)."""
    if value in (None, ""):
        return NOTHING
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    if not isinstance(value, datetime):
        return human_date(value)
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return f"{value.day} {value:%b %Y, %H:%M} {value.tzname() or 'UTC'}"


@register.filter
def iso_date(value) -> str:
    """For links: '2025-01-16' (the as_of parameter)."""
    day = _to_date(value)
    return day.isoformat() if day else ""


@register.filter
def human_count(value) -> str:
    """744000000000 -> '744B'; 28500000000000 -> '28.5T'; nothing -> '–'."""
    return memo_human_count(value)


@register.filter
def colour(value) -> str:
    """Only hex colours from the data reach an SVG fill; anything else becomes grey."""
    return memo_colour(value)


@register.filter
def ink(value) -> str:
    """Text colour readable on a band colour."""
    return memo_ink(value)


@register.filter
def role_name(value: str) -> str:
    return memo_role_name(value or "")


@register.filter
def plural(count, words: str = ",s") -> str:
    """{{ n }} subsidiar{{ n|plural:"y,ies" }}."""
    singular, _, many = words.partition(",")
    return singular if count == 1 else many


@register.simple_tag
def request_url(pk) -> str:
    """The request page of an adoption request: /requests/<id>/."""
    return reverse("workspace:request-detail", args=[pk])


@register.simple_tag
def person(user) -> str:
    """One way to name people: the full name, the username on hover (just the username when no name is set)."""
    if user is None:
        return person_name(None)
    if isinstance(user, dict):  # a snapshot's user row: {"username", "name"}
        username, name = user.get("username", ""), user.get("name") or user.get("username", "")
    else:
        username, name = user.get_username(), person_name(user)
    if name == username:
        return format_html("{}", name)
    return format_html('<span class="person" title="{}">{}</span>', username, name)
