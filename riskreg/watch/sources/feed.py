"""RSS and Atom feeds (feedparser), items keyed by guid, else link."""

from __future__ import annotations

import re

import feedparser
from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET

from riskreg.watch.models import WatchSource
from riskreg.watch.sources.base import Extract, Item, Kind, SourceError, decode_text, item_key, squash

_TAGS = re.compile(r"<[^>]+>")


def check_xml(body: bytes, *, what: str) -> None:
    """Refuse XML that is not well-formed or that declares entities (entity-expansion bombs)."""
    try:
        SafeET.fromstring(body)
    except DefusedXmlException as exc:
        raise SourceError(
            f"the {what} declares XML entities or a DTD ({type(exc).__name__}: {exc}), a possible "
            "entity-expansion bomb; refused"
        ) from None
    except SafeET.ParseError as exc:
        # A byte wrong for the encoding is the likelier cause; decode_text names the encoding and the byte.
        decode_text(body, "")
        raise SourceError(f"the {what} is not well-formed XML: {exc}") from None


class FeedKind(Kind):
    accept = "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.8, */*;q=0.1"

    def extract(self, *, body: bytes, content_type: str, source: WatchSource) -> Extract:
        check_xml(body, what="feed")
        parsed = feedparser.parse(
            body,
            response_headers={"content-type": content_type} if content_type else None,
            sanitize_html=False,  # tags are stripped below; nothing is rendered as HTML
            resolve_relative_uris=False,
        )
        # The XML is known to be well-formed; a server calling it text/plain or overriding its encoding is fine.
        harmless = (feedparser.CharacterEncodingOverride, feedparser.NonXMLContentType)
        if parsed.get("bozo") and not isinstance(parsed.get("bozo_exception"), harmless):
            raise SourceError(f"the feed cannot be read: {parsed.get('bozo_exception')}")
        if not parsed.get("version"):
            raise SourceError("the answer is XML but not an RSS or Atom feed")
        items: dict[str, Item] = {}
        for entry in parsed.entries:
            link = entry.get("link", "")
            key = item_key(entry.get("id"), link, entry.get("title"))
            if not key:
                continue
            summary = _TAGS.sub(" ", entry.get("summary", "") or "")
            items[key] = Item(key=key, title=squash(entry.get("title", "") or key), url=link, text=squash(summary))
        return Extract(items=items)
