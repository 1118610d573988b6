"""Snapshot -> PDF with WeasyPrint: safe (own static files only) and reproducible (same snapshot, same bytes).

Reproducibility: WeasyPrint writes the document dates from <meta name="dcterms.created|modified">
(we set both to the snapshot's timestamp), no /ID unless asked (we derive one from the snapshot
hash), and fontTools stamps each embedded font subset with "now" unless SOURCE_DATE_EPOCH is set
(we set it, for the duration of the render, to the snapshot's timestamp). With the same WeasyPrint,
fonts and template version, two renders of one snapshot are byte-identical, so verification compares
the re-rendered PDF's SHA-256 with the stored one.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import re
import shutil
import subprocess
import tempfile
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import unquote

import weasyprint
from django.template.loader import render_to_string
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from reports.services.context import memo_context
from reports.services.snapshot import snapshot_sha256
from reports.services.versions import template_version
from reports.services.weasyprint_compat import WEASYPRINT_PATCHED_FOR  # noqa: F401  (the patches below; checked)

RENDERER = f"WeasyPrint {weasyprint.__version__}"

STATIC_SCHEME = "riskreg-static:"
STATIC_ROOT = (Path(__file__).resolve().parent.parent / "static").resolve()
STATIC_TYPES = {".css": "text/css", ".svg": "image/svg+xml", ".png": "image/png"}

_env_lock = threading.Lock()
_font_config: FontConfiguration | None = None

logger = logging.getLogger(__name__)


# --- Patch 1 of 2 (written for WeasyPrint WEASYPRINT_PATCHED_FOR; reports.W002 warns on another version) --------
# Why: speed. Touches private weasyprint.html.UA and HTML._ua_stylesheets; only MemoHTML uses it (never the process's
# other WeasyPrint documents); falls back to the stock sheet when its shape differs (reports.W003).
def _memo_ua_stylesheet() -> weasyprint.CSS | None:
    """WeasyPrint's HTML user-agent stylesheet without the rules that cost every element six styles.

    The stock sheet has `::marker`, `::footnote-call`, `::footnote-marker`, `::note-call`, `::note-marker`
    and `::note-callback` rules with a universal subject, so the cascade computes six pseudo-element
    styles for each of the memo's ~800 elements (most of the cascade time). Our memos use no footnotes
    or notes and only `li` elements have markers, so we scope the marker rule to `li` and drop the note
    rules: the PDF is byte-identical, the cascade does a sixth of the work. If the stock sheet ever
    changes shape (a WeasyPrint upgrade), we fall back to it rather than guess.
    """
    from weasyprint import html as weasyprint_html

    stock = getattr(weasyprint_html, "UA", None)
    if not isinstance(stock, str) or not hasattr(weasyprint.HTML, "_ua_stylesheets"):
        return None
    trimmed, markers = re.subn(r"(?m)^::marker \{", "li::marker {", stock)
    trimmed, notes = re.subn(r"(?m)^::(?:footnote|note)-(?:call|marker|callback) \{[^}]*\}\n", "", trimmed)
    if markers != 1 or notes != 5:
        logger.warning("WeasyPrint's user-agent stylesheet changed shape; memos render with the stock one")
        return None
    # The document's counter styles come from WeasyPrint's own copy (HTML._ua_counter_style); this sheet's
    # @counter-style rules go to a throwaway dict. The stock sheet's two rules WeasyPrint itself ignores
    # with a warning at import time would warn again here: quiet for the build.
    weasyprint_logger = logging.getLogger("weasyprint")
    level = weasyprint_logger.level
    weasyprint_logger.setLevel(logging.ERROR)
    try:
        return weasyprint.CSS(string=trimmed, counter_style={})
    finally:
        weasyprint_logger.setLevel(level)


MEMO_UA_STYLESHEET = _memo_ua_stylesheet()


class MemoHTML(weasyprint.HTML):
    """weasyprint.HTML with the trimmed user-agent stylesheet (see `_memo_ua_stylesheet`)."""

    def _ua_stylesheets(self, forms=False):
        if MEMO_UA_STYLESHEET is None or forms:
            return super()._ua_stylesheets(forms=forms)
        return [MEMO_UA_STYLESHEET]


class RefusedURL(ValueError):
    pass


class StaticOnlyFetcher(URLFetcher):
    """Serves riskreg-static:reports/... from reports/static/reports and refuses everything else.

    Also serves riskreg-figure:NAME.svg for the figures the renderer drew for this memo (held in memory,
    never read from disk or the network). No file://, http(s)://, ftp:// or data: URL is ever opened;
    refusals are recorded so tests can see them.
    """

    def __init__(self) -> None:
        super().__init__(timeout=1, allowed_protocols=(), allow_redirects=False, fail_on_errors=False)
        self.served: list[str] = []
        self.refused: list[str] = []
        self.figures: dict[str, bytes] = {}

    def fetch(self, url, headers=None):
        if url in self.figures:
            self.served.append(url)
            return URLFetcherResponse(
                url, body=self.figures[url], headers={"Content-Type": "image/svg+xml"}, status=200
            )
        path = self._static_path(url)
        if path is None:
            self.refused.append(url)
            raise RefusedURL(f"memo rendering fetches only the project's own static files, not {url[:200]!r}")
        self.served.append(url)
        return URLFetcherResponse(
            url, body=path.read_bytes(), headers={"Content-Type": STATIC_TYPES[path.suffix]}, status=200
        )

    @staticmethod
    def _static_path(url: str) -> Path | None:
        if not url.startswith(STATIC_SCHEME):
            return None
        relative = unquote(url[len(STATIC_SCHEME) :].split("?", 1)[0].split("#", 1)[0]).lstrip("/")
        if not relative.startswith("reports/"):
            return None
        path = (STATIC_ROOT / relative).resolve()
        if not path.is_relative_to(STATIC_ROOT / "reports") or path.suffix not in STATIC_TYPES or not path.is_file():
            return None
        return path


@dataclass
class RenderResult:
    pdf: bytes
    pages: int
    refused: list[str] = field(default_factory=list)
    served: list[str] = field(default_factory=list)


@contextlib.contextmanager
def _source_date_epoch(epoch: int):
    """fontTools reads SOURCE_DATE_EPOCH when it writes font subsets; held under a lock while rendering."""
    with _env_lock:
        previous = os.environ.get("SOURCE_DATE_EPOCH")
        os.environ["SOURCE_DATE_EPOCH"] = str(epoch)
        try:
            yield
        finally:
            if previous is None:
                os.environ.pop("SOURCE_DATE_EPOCH", None)
            else:
                os.environ["SOURCE_DATE_EPOCH"] = previous


# --- Patch 2 of 2 (written for WeasyPrint WEASYPRINT_PATCHED_FOR; reports.W002 warns on another version) --------
# Why: speed. Wraps private Font._harfbuzz_subset, and only while a memo renders (under _env_lock, which every
# memo render holds): the rest of the process always sees WeasyPrint's own method. Falls back to uncached subsets
# when the method is gone (reports.W004).
FONT_SUBSET_CACHE_SIZE = 16
#: The last font subsets made while rendering memos in this process, keyed by font face and glyphs kept.
FONT_SUBSET_CACHE: OrderedDict[tuple, bytes] = OrderedDict()


def _font_subset_original():
    from weasyprint.pdf import fonts as weasyprint_fonts

    return getattr(weasyprint_fonts.Font, "_harfbuzz_subset", None)


@contextlib.contextmanager
def _font_subset_cache():
    """Remember WeasyPrint's last font subsets in this process, keyed by the font face and the glyphs kept.

    Subsetting Noto Sans CJK keeps every glyph id up to the highest one used (WeasyPrint subsets with
    HB_SUBSET_FLAGS_RETAIN_GIDS), so the four characters of a Chinese company name cost a 480 KB subset and
    about 20 ms in every render, a tenth of a memo. The same faces and glyphs come back for every memo that
    names the same organisations, and for every verification; the cache hands back the same bytes HarfBuzz
    made (the PDF is byte-identical, tested). Bounded to FONT_SUBSET_CACHE_SIZE subsets. Installed on
    WeasyPrint's private `Font._harfbuzz_subset` for the duration of the block only (the caller holds
    _env_lock); if a WeasyPrint upgrade renames it, memos render uncached rather than fail.
    """
    from weasyprint.pdf import fonts as weasyprint_fonts

    original = _font_subset_original()
    if original is None:
        yield False
        return

    @functools.wraps(original)
    def subset(font, to_unicode, hinting):
        key = (
            font.hash,
            font.index,
            len(font.file_content),
            tuple(sorted(to_unicode)),
            bool(hinting),
            tuple(sorted(font.missing.items())),
            # A subset made under another SOURCE_DATE_EPOCH is never handed back, should the subsetter stamp it.
            os.environ.get("SOURCE_DATE_EPOCH"),
        )
        cached = FONT_SUBSET_CACHE.get(key)
        if cached is not None:
            FONT_SUBSET_CACHE.move_to_end(key)
            font.file_content = cached
            return
        original(font, to_unicode, hinting)
        FONT_SUBSET_CACHE[key] = font.file_content
        while len(FONT_SUBSET_CACHE) > FONT_SUBSET_CACHE_SIZE:
            FONT_SUBSET_CACHE.popitem(last=False)

    weasyprint_fonts.Font._harfbuzz_subset = subset
    try:
        yield True
    finally:
        weasyprint_fonts.Font._harfbuzz_subset = original


def _shared_font_config() -> FontConfiguration:
    """One FontConfiguration per process, so Pango opens and shapes with the system fonts (the 20 MB CJK
    collection among them) once, not in every render: about a tenth of a memo's render time, same bytes.
    Pango's font map is not thread-safe; it is only used under _env_lock, which every render holds."""
    global _font_config
    if _font_config is None:
        _font_config = FontConfiguration()
    return _font_config


def memo_source(*, snapshot: dict) -> tuple[str, dict[str, bytes]]:
    """The HTML of a memo and the SVG figures it shows (by riskreg-figure: URL), from the snapshot alone
    (Django autoescaping on every value; figure text through format_html)."""
    version = template_version(snapshot)
    context = memo_context(snapshot)
    context["stylesheet"] = static_url(version.stylesheet)
    return render_to_string(version.template(snapshot["kind"]), context), context.get("figures", {})


def memo_html(*, snapshot: dict) -> str:
    return memo_source(snapshot=snapshot)[0]


def memo_render(*, snapshot: dict, fetcher: StaticOnlyFetcher | None = None) -> RenderResult:
    """Render a snapshot to PDF bytes. Never reads the database."""
    fetcher = fetcher or StaticOnlyFetcher()
    html, figures = memo_source(snapshot=snapshot)
    fetcher.figures.update({url: svg.encode("utf-8") for url, svg in figures.items()})
    generated_at = datetime.fromisoformat(snapshot["generated_at"])
    identifier = snapshot_sha256(snapshot)[:32].encode("ascii")
    with _source_date_epoch(int(generated_at.timestamp())), _font_subset_cache():
        document = MemoHTML(string=html, url_fetcher=fetcher).render(font_config=_shared_font_config())
        pdf = document.write_pdf(pdf_identifier=identifier, pdf_variant=template_version(snapshot).pdf_variant)
    return RenderResult(pdf=pdf, pages=len(document.pages), refused=fetcher.refused, served=fetcher.served)


def pdf_text(pdf: bytes) -> str | None:
    """The PDF's text by pdftotext (poppler-utils), for diagnostics; None when pdftotext is missing."""
    if not shutil.which("pdftotext"):
        return None
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(pdf)
        handle.flush()
        out = subprocess.run(
            ["pdftotext", "-layout", "-enc", "UTF-8", handle.name, "-"], capture_output=True, check=False, timeout=60
        )
    return out.stdout.decode("utf-8", "replace") if out.returncode == 0 else None


def static_url(relative: str) -> str:
    return f"{STATIC_SCHEME}{relative}"
