"""The Federal Register documents API (documents.json): new documents by document number.

The source URL is the API endpoint (https://www.federalregister.gov/api/v1/documents.json), with or without
query conditions. The selector adds conditions, one per line or separated by ';':
``agency=industry-and-security-bureau; term=entity list; type=RULE``.
"""

from __future__ import annotations

import html
import json
import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from riskreg.watch.models import WatchSource
from riskreg.watch.sources.base import Extract, Item, Kind, SourceError, item_key, squash

CONDITIONS = {
    "agency": "conditions[agencies][]",
    "agencies": "conditions[agencies][]",
    "term": "conditions[term]",
    "type": "conditions[type][]",
    "docket": "conditions[docket_id]",
    "since": "conditions[publication_date][gte]",
}
FIELDS = [
    "document_number",
    "title",
    "type",
    "abstract",
    "excerpts",  # the passage matching the search term: it names the parties an abstract often leaves out
    "html_url",
    "publication_date",
    "agencies",
    "citation",
]


def _plain(html_text) -> str:
    """The API's excerpts come as HTML (<span class="match">, &hellip;): keep the words only."""
    return html.unescape(re.sub(r"<[^>]+>", "", str(html_text or "")))


def parse_conditions(selector: str) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for part in selector.replace("\n", ";").split(";"):
        if not part.strip():
            continue
        name, sep, value = part.partition("=")
        name = name.strip().lower()
        if not sep or name not in CONDITIONS or not value.strip():
            raise SourceError(
                f"the Federal Register condition {part.strip()!r} is not understood; "
                f"use name=value with a name among {', '.join(sorted(CONDITIONS))}"
            )
        pairs.append((CONDITIONS[name], value.strip()))
    return pairs


class FederalRegisterKind(Kind):
    accept = "application/json"

    def validate_selector(self, selector: str) -> None:
        parse_conditions(selector)

    def request_url(self, source: WatchSource) -> str:
        parts = urlsplit(source.url)
        query = parse_qsl(parts.query, keep_blank_values=True)
        query += parse_conditions(source.selector)
        if not any(name == "order" for name, _ in query):
            query.append(("order", "newest"))
        if not any(name.startswith("fields") for name, _ in query):
            query += [("fields[]", name) for name in FIELDS]
        return urlunsplit(parts._replace(query=urlencode(query)))

    def extract(self, *, body: bytes, content_type: str, source: WatchSource) -> Extract:
        try:
            document = json.loads(body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise SourceError(f"the Federal Register answer is not valid JSON: {exc}") from None
        if not isinstance(document, dict):
            raise SourceError("the Federal Register answer is not a JSON object")
        if document.get("errors"):
            raise SourceError(f"the Federal Register refused the query: {document['errors']}")
        results = document.get("results", [])
        if not isinstance(results, list):
            raise SourceError("the Federal Register answer has no list of results")
        items: dict[str, Item] = {}
        for doc in results:
            if not isinstance(doc, dict):
                continue
            key = item_key(doc.get("document_number"), doc.get("html_url"))
            if not key:
                continue
            agencies = ", ".join(
                str(agency.get("name", "")) for agency in doc.get("agencies") or [] if isinstance(agency, dict)
            )
            text = " ".join(
                str(part)
                for part in (
                    doc.get("type"),
                    doc.get("citation"),
                    doc.get("publication_date"),
                    agencies,
                    doc.get("abstract"),
                    _plain(doc.get("excerpts")),
                )
                if part
            )
            items[key] = Item(
                key=key, title=squash(str(doc.get("title") or key)), url=doc.get("html_url") or "", text=squash(text)
            )
        return Extract(items=items)
