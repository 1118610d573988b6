"""Readable text from a captured body (HTML, PDF, plain text), and the diff between two texts.

The text is what a reader sees: for HTML the words outside scripts, styles and other non-content markup,
one block per line, whitespace collapsed; so a page whose markup, scripts or layout change but whose words
do not has the same text, and its re-check raises nothing.
"""

from __future__ import annotations

import difflib
import hashlib
import io
import logging
import re

from bs4 import BeautifulSoup

from riskreg.core.errors import BadInput

MAX_DIFF_LINES = 80
# What a captured body's text may cost, whatever its bytes (a 34 KB PDF whose 200 pages share one 1 MB content
# stream is 67 MB of text): pages read and characters kept. Deterministic, so the same body always gives the
# same text and a re-check compares like with like; the text says where it was cut.
MAX_PDF_PAGES = 300
MAX_TEXT_CHARS = 1_000_000
NOT_CONTENT = ("script", "style", "noscript", "template", "svg", "iframe", "object", "embed", "canvas", "head")
_SPACE = re.compile(r"[ \t\r\f\v\u00a0\u200b]+")


class TextError(BadInput, ValueError):
    """The body says it is a PDF (or HTML) but cannot be read as one; the message says why."""


def _lines(text: str) -> str:
    """One block per line, whitespace collapsed, NUL characters dropped (no database column holds them)."""
    lines = (_SPACE.sub(" ", line).strip() for line in text.replace("\x00", "").splitlines())
    return _bounded("\n".join(line for line in lines if line))


def _bounded(text: str) -> str:
    if len(text) <= MAX_TEXT_CHARS:
        return text
    return text[:MAX_TEXT_CHARS] + f"\n[text cut at {MAX_TEXT_CHARS:,} characters]"


def kind_of(*, body: bytes, content_type: str) -> str:
    """'pdf', 'html', 'text' or 'other', from the content type, and the first bytes where it is vague."""
    mime = content_type.split(";", 1)[0].strip().lower()
    head = body[:1024].lstrip().lower()
    if mime == "application/pdf" or body[:5] == b"%PDF-":
        return "pdf"
    if mime in ("text/html", "application/xhtml+xml") or head.startswith((b"<!doctype html", b"<html")):
        return "html"
    if mime.startswith("text/") or mime in ("application/json", "application/xml"):
        return "text"
    return "other"


def _charset(content_type: str) -> str | None:
    match = re.search(r"charset=([\w.:-]+)", content_type, re.IGNORECASE)
    return match.group(1) if match else None


def html_text(body: bytes, *, content_type: str = "") -> str:
    soup = BeautifulSoup(body, "html.parser", from_encoding=_charset(content_type))
    for tag in soup(NOT_CONTENT):
        tag.decompose()
    return _lines(soup.get_text("\n"))


def pdf_text(body: bytes) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError, PyPdfError

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # a damaged file is reported as our error, once
    try:
        reader = PdfReader(io.BytesIO(body), strict=False)
        pages, size = [], 0
        for number, page in enumerate(reader.pages, start=1):
            if number > MAX_PDF_PAGES:
                pages.append(f"[text of the pages after page {MAX_PDF_PAGES} not read]")
                break
            pages.append(page.extract_text() or "")
            size += len(pages[-1])
            if size > MAX_TEXT_CHARS:  # cut by _bounded; the pages after it cost nothing
                break
    except (PdfReadError, PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError) as exc:
        raise TextError(f"the PDF does not parse ({type(exc).__name__}: {str(exc)[:200]})") from None
    except RecursionError:
        raise TextError("the PDF does not parse (its structure nests too deeply)") from None
    return _lines("\n".join(pages))


def readable_text(*, body: bytes, content_type: str) -> str:
    """The readable text of the body; '' for kinds that carry none (images). Raises TextError."""
    kind = kind_of(body=body, content_type=content_type)
    if kind == "pdf":
        return pdf_text(body)
    if kind == "html":
        return html_text(body, content_type=content_type)
    if kind == "text":
        return _lines(body.decode(_charset(content_type) or "utf-8", errors="replace"))
    return ""


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def text_diff(before: str, after: str, *, label_before: str = "as cited", label_after: str = "now") -> str:
    """A unified diff of the two texts, line by line, cut at MAX_DIFF_LINES lines."""
    lines = list(
        difflib.unified_diff(
            before.splitlines(), after.splitlines(), fromfile=label_before, tofile=label_after, lineterm="", n=1
        )
    )
    if len(lines) > MAX_DIFF_LINES:
        lines = [*lines[:MAX_DIFF_LINES], f"... ({len(lines) - MAX_DIFF_LINES} more diff lines)"]
    return "\n".join(lines)
