"""A JSON document, narrowed by a JSON path (jsonpath-ng); records keyed by their id, else their content."""

from __future__ import annotations

import hashlib
import json

from jsonpath_ng.ext import parse as jsonpath_parse

from riskreg.watch.models import WatchSource
from riskreg.watch.sources.base import Extract, Item, Kind, SourceError, item_key, squash

KEY_FIELDS = ("id", "guid", "uid", "document_number", "entity_number", "url", "link", "href")
TITLE_FIELDS = ("title", "name", "headline", "label")


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for item in value.values() for text in _strings(item)]
    if isinstance(value, list):
        return [text for item in value for text in _strings(item)]
    if value is None or isinstance(value, bool):
        return []
    return [str(value)]


def record_item(record) -> Item:
    canonical = json.dumps(record, sort_keys=True, ensure_ascii=False)
    if isinstance(record, dict):
        key = item_key(*(record.get(name) for name in KEY_FIELDS))
        title = item_key(*(record.get(name) for name in TITLE_FIELDS))
        url = str(record.get("url") or record.get("link") or "").replace("\x00", "")
    else:
        key = title = url = ""
    key = key or "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()[:32]
    return Item(key=key, title=squash(title or canonical[:200]), url=url, text=squash(" ".join(_strings(record))))


class JsonKind(Kind):
    accept = "application/json"

    def validate_selector(self, selector: str) -> None:
        if selector:
            try:
                jsonpath_parse(selector)
            except Exception as exc:  # noqa: BLE001  (jsonpath-ng also raises bare Exception)
                raise SourceError(f"the JSON path {selector!r} is not valid: {exc}") from None

    def extract(self, *, body: bytes, content_type: str, source: WatchSource) -> Extract:
        try:
            document = json.loads(body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise SourceError(f"the answer is not valid JSON: {exc}") from None
        if source.selector:
            try:
                expression = jsonpath_parse(source.selector)
            except Exception as exc:  # noqa: BLE001  (jsonpath-ng also raises bare Exception)
                raise SourceError(f"the JSON path {source.selector!r} is not valid: {exc}") from None
            matches = [match.value for match in expression.find(document)]
            if not matches:
                raise SourceError(f"the JSON path {source.selector!r} matches nothing in the document")
        else:
            matches = [document]
        records = matches[0] if len(matches) == 1 and isinstance(matches[0], list) else matches
        items: dict[str, Item] = {}
        for record in records:
            item = record_item(record)
            items[item.key] = item
        return Extract(items=items)
