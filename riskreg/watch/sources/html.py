"""A web page, narrowed by a CSS selector and compared as text."""

from __future__ import annotations

import soupsieve
from bs4 import BeautifulSoup
from soupsieve import SelectorSyntaxError

from riskreg.watch.models import WatchSource
from riskreg.watch.sources.base import Extract, Kind, SourceError, decode_text


class HtmlKind(Kind):
    accept = "text/html, application/xhtml+xml;q=0.9, */*;q=0.1"

    def validate_selector(self, selector: str) -> None:
        if selector:
            try:
                soupsieve.compile(selector)
            except SelectorSyntaxError as exc:
                raise SourceError(f"the CSS selector {selector!r} is not valid: {exc}") from None

    def extract(self, *, body: bytes, content_type: str, source: WatchSource) -> Extract:
        text = decode_text(body, content_type)
        soup = BeautifulSoup(text, "html.parser")
        for tag in soup(["script", "style", "noscript", "template"]):
            tag.decompose()
        if source.selector:
            try:
                nodes = soup.select(source.selector)
            except SelectorSyntaxError as exc:
                raise SourceError(f"the CSS selector {source.selector!r} is not valid: {exc}") from None
            if not nodes:
                raise SourceError(
                    f"the CSS selector {source.selector!r} matches nothing on the page (its layout may have changed)"
                )
        else:
            nodes = [soup.body or soup]
        lines: list[str] = []
        for node in nodes:
            for line in node.get_text("\n").splitlines():
                line = " ".join(line.split())
                if line:
                    lines.append(line)
        return Extract(text="\n".join(lines))
