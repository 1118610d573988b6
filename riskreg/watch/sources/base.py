"""The one small interface every kind of source implements, and the pieces they share.

A kind turns a response body into an ``Extract``: either items keyed by a stable id (feeds, Federal
Register documents, JSON records) or text (a web page narrowed by a CSS selector). Diffs, alerts and
storage are the same for every kind. List files (``ListFileKind``) are the exception: their body goes to
the sanctions importer, whose entry diff is the change.
"""

from __future__ import annotations

import codecs
import hashlib
import re
from dataclasses import dataclass, field
from email.message import Message

from riskreg.watch.models import WatchSource


class SourceError(Exception):
    """The answer cannot be used; the message says why, and the last good snapshot is kept."""


@dataclass(frozen=True)
class Item:
    key: str  # guid, link, document number, record id
    title: str
    url: str = ""
    text: str = ""  # what alerts are matched against, besides the title

    @property
    def fingerprint(self) -> str:
        return hashlib.sha256("\x1f".join((self.title, self.url, self.text)).encode()).hexdigest()

    def as_json(self, *, text_limit: int = 1000) -> dict:
        return {"key": self.key, "title": self.title, "url": self.url, "text": self.text[:text_limit]}


@dataclass
class Extract:
    items: dict[str, Item] | None = None  # kinds with items
    text: str | None = None  # kinds compared as text
    notes: list[str] = field(default_factory=list)

    def as_json(self) -> dict:
        if self.items is not None:
            return {"items": [[i.key, i.title, i.url, i.text] for i in self.items.values()]}
        return {"text": self.text or ""}

    @classmethod
    def from_json(cls, data: dict) -> Extract | None:
        if "items" in data:
            return cls(items={row[0]: Item(*row) for row in data["items"]})
        if "text" in data:
            return cls(text=data["text"])
        return None

    @property
    def count(self) -> int:
        if self.items is not None:
            return len(self.items)
        return len((self.text or "").splitlines())


class Kind:
    """Base of every kind: how to ask for the document, and how to read it."""

    accept = "*/*"

    def request_url(self, source: WatchSource) -> str:
        return source.url

    def extract(self, *, body: bytes, content_type: str, source: WatchSource) -> Extract:
        raise NotImplementedError

    def validate_selector(self, selector: str) -> None:
        """Raise SourceError when the selector cannot work, so a source is refused when it is configured,
        not at its first check. Kinds without a selector accept any (it is ignored)."""


class ListFileKind(Kind):
    """A sanctions list file: imported by the screening importer; see sources/lists.py."""

    list_code = ""
    fmt = ""


_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_\-:.]+)""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""^<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_\-.]+)["']""")


def declared_charset(body: bytes, content_type: str) -> str:
    """The charset the server or the document declares, or '' when neither does."""
    if content_type:
        message = Message()
        message["content-type"] = content_type
        charset = message.get_param("charset")
        if isinstance(charset, str) and charset.strip():
            return charset.strip().strip('"').lower()
    for bom, name in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if body.startswith(bom):
            return name
    head = body[:4096]
    match = _XML_ENCODING.match(head.lstrip()) or _META_CHARSET.search(head)
    return match.group(1).decode("ascii").lower() if match else ""


def decode_text(body: bytes, content_type: str) -> str:
    """Decode with the declared charset, or UTF-8; refuse to guess (a guess makes false diffs)."""
    charset = declared_charset(body, content_type)
    try:
        return body.decode(charset or "utf-8")
    except LookupError:
        raise SourceError(f"the answer declares an unknown charset {charset!r}; nothing was compared") from None
    except UnicodeDecodeError as exc:
        declared = f"declared as {charset}" if charset else "declares no charset and"
        raise SourceError(
            f"the answer is not valid text: it {declared} is not valid {charset or 'UTF-8'} "
            f"(byte 0x{body[exc.start]:02x} at offset {exc.start}); nothing was compared"
        ) from None


def item_key(*candidates: object) -> str:
    for candidate in candidates:
        if candidate not in (None, ""):
            return str(candidate).strip()
    return ""


def squash(text: str) -> str:
    """Whitespace collapsed and NUL characters dropped (no database column holds them)."""
    return " ".join(text.replace("\x00", " ").split())
