"""Small helpers that read settings from the environment and fail loudly on bad values."""

from __future__ import annotations

import os
import re

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}

#: Every variable the settings read through these helpers, and those read elsewhere (below): what `manage.py check`
#: compares the environment's RISKREG_* variables with, so a mistyped one is named, not silently ignored.
READ: set[str] = set()
READ_ELSEWHERE = {
    "RISKREG_DEMO_PASSWORD": "the demo users' password (manage.py load_demo, make run)",
    "RISKREG_TEST_RUN": "set by the test settings for the workers a test run starts",
    "RISKREG_TEST_CACHE_PREFIX": "set by the test settings for the workers a test run starts",
    "RISKREG_SCREENSHOTS": "make screenshots: the browser tests write docs/*.png",
    "RISKREG_CHROMIUM": "the browser tests' Chromium",
}


def _read(name: str) -> str | None:
    READ.add(name)
    return os.environ.get(name)


def env_str(name: str, default: str | None = None) -> str | None:
    value = _read(name)
    if value is None:
        return default
    return value.strip()


def env_bool(name: str, default: bool = False) -> bool:
    value = _read(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean; use 1/0, true/false, yes/no or on/off.")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    value = _read(name)
    if value is None or not value.strip():
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number.") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name}={number} is below the minimum of {minimum}.")
    return number


def env_list(name: str, default: list[str]) -> list[str]:
    value = _read(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_mapping(name: str) -> dict[str, list[str]]:
    """`key=a,b;other=c` -> {"key": ["a", "b"], "other": ["c"]}."""
    value = (_read(name) or "").strip()
    result: dict[str, list[str]] = {}
    for part in filter(None, (p.strip() for p in value.split(";"))):
        key, sep, items = part.partition("=")
        if not sep or not key.strip():
            raise ImproperlyConfigured(f"{name}: {part!r} is not key=value[,value...].")
        result[key.strip()] = [item.strip() for item in items.split(",") if item.strip()]
    return result


_RATE = re.compile(r"^\s*(\d+)\s*/\s*(s|sec|second|m|min|minute|h|hour|d|day)\s*$")


def env_rate(name: str, default: str) -> str:
    """A request rate such as `120/minute` (per second, minute, hour or day), as DRF's throttles read it."""
    value = _read(name)
    if value is None or not value.strip():
        return default
    match = _RATE.match(value)
    if not match or int(match.group(1)) < 1:
        raise ImproperlyConfigured(f"{name}={value!r} is not a rate; use e.g. 120/minute (second, minute, hour, day).")
    return f"{int(match.group(1))}/{match.group(2)}"


# Values published in documentation and tutorials (and ours for development): never secret.
_KNOWN_SECRET_KEYS = {
    "changeme",
    "change-me",
    "secret",
    "secret-key",
    "your-secret-key",
    "django-insecure",
}


def secret_key_weakness(value: str, *, known: list[str] = ()) -> str:
    """Why a SECRET_KEY is too weak to sign sessions and tokens in production, or ''. Django's own deployment
    check (security.W009: 50 characters, 5 different ones, no django-insecure-), and neither a word repeated nor
    fewer than 16 different characters (50 random URL-safe characters have about 35)."""
    if value.lower() in _KNOWN_SECRET_KEYS or value in known:
        return "it is a published example or development value"
    if value.startswith("django-insecure-"):
        return "it is the key startproject generates for development (django-insecure-...)"
    if len(value) < 50:
        return f"it has {len(value)} characters, fewer than 50"
    if len(set(value)) < 5:
        return f"it has only {len(set(value))} different characters"
    for size in range(1, len(value) // 3 + 1):  # "abcde" * 10 has five characters but is one word repeated
        if len(value) % size == 0 and value == value[:size] * (len(value) // size):
            return f"it is {value[:size]!r} repeated"
    if len(set(value)) < 16:
        return f"it has only {len(set(value))} different characters, fewer than a random key of its length has"
    return ""
