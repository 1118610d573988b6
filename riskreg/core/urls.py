"""Web addresses taken from outside text (a feed item's link, a BOM's or a model card's URL): only http(s) ones are
kept, so no stored address can be a ``javascript:`` or ``data:`` link, whatever page later shows it as a link. The
database refuses the others too (CheckConstraint ``web_address_only`` on every URL column filled from outside)."""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

from django.db.models import Q

WEB_SCHEMES = ("http", "https")


def web_url(value, *, base: str = "") -> str:
    """``value`` as an absolute http(s) address (resolved against ``base`` when relative), or "" when it is not
    one. The scheme is written in lower case, as the database constraint expects."""
    text = str(value or "").strip()
    if not text:
        return ""
    if base:
        text = urljoin(base, text)
    parts = urlsplit(text)
    if parts.scheme.lower() not in WEB_SCHEMES or not parts.netloc:
        return ""
    return parts.scheme.lower() + text[len(parts.scheme) :]


def web_address_only(field: str) -> Q:
    """The constraint's condition: empty, or starting with http:// or https://."""
    return Q(**{field: ""}) | Q(**{f"{field}__startswith": "http://"}) | Q(**{f"{field}__startswith": "https://"})
