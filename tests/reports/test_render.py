"""The PDF: every section, page numbers, running header, watermark, CJK fonts, vector heat map, same bytes twice."""

from __future__ import annotations

import copy
import hashlib
import io
import subprocess
import tempfile

import pytest

from reports.services import memo_generate_now, memo_pdf_path, memo_render
from reports.services.render import pdf_text


def pdffonts(pdf: bytes) -> str:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(pdf)
        handle.flush()
        return subprocess.run(["pdffonts", handle.name], capture_output=True, text=True, check=True).stdout


def pdfimages(pdf: bytes) -> str:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(pdf)
        handle.flush()
        return subprocess.run(["pdfimages", "-list", handle.name], capture_output=True, text=True, check=True).stdout


@pytest.fixture
def rendered(glm5_render):
    return glm5_render


def test_two_renders_of_one_snapshot_are_byte_identical(glm5_snapshot, glm5_render):
    again = memo_render(snapshot=copy.deepcopy(glm5_snapshot))

    assert hashlib.sha256(again.pdf).hexdigest() == hashlib.sha256(glm5_render[0].pdf).hexdigest()


def test_cached_font_subsets_give_the_same_bytes_as_fresh_ones(glm5_snapshot):
    from reports.services.render import FONT_SUBSET_CACHE as cache

    cache.clear()
    fresh = memo_render(snapshot=copy.deepcopy(glm5_snapshot)).pdf
    subsets = len(cache)

    cached = memo_render(snapshot=copy.deepcopy(glm5_snapshot)).pdf

    assert subsets >= 3 and len(cache) == subsets  # regular, bold and CJK faces; the second render hit them all
    assert cached == fresh


def test_the_font_subset_cache_is_installed_only_while_a_memo_renders(glm5_snapshot):
    """WeasyPrint's private Font._harfbuzz_subset is wrapped for a memo render only: any other WeasyPrint document
    in the process uses WeasyPrint's own method, and so does the process after the render."""
    import weasyprint
    from weasyprint.pdf.fonts import Font

    from reports.services.render import FONT_SUBSET_CACHE

    original = Font._harfbuzz_subset
    FONT_SUBSET_CACHE.clear()
    weasyprint.HTML(string="<p>Zhipu AI 北京智谱华章科技股份有限公司</p>").write_pdf()
    assert len(FONT_SUBSET_CACHE) == 0  # not a memo: stock WeasyPrint

    memo_render(snapshot=copy.deepcopy(glm5_snapshot))

    assert len(FONT_SUBSET_CACHE) >= 3
    assert Font._harfbuzz_subset is original


def test_each_template_version_renders_with_its_own_templates(glm5_snapshot):
    from reports.services import StaticOnlyFetcher

    older = copy.deepcopy(glm5_snapshot)
    older["memo"]["template_version"] = "memo-2"
    current_fetcher, older_fetcher = StaticOnlyFetcher(), StaticOnlyFetcher()

    current = pdf_text(memo_render(snapshot=copy.deepcopy(glm5_snapshot), fetcher=current_fetcher).pdf)
    before = pdf_text(memo_render(snapshot=older, fetcher=older_fetcher).pdf)

    assert current_fetcher.served[0] == "riskreg-static:reports/memo-4.css"  # memo-5 kept memo-4's stylesheet
    assert older_fetcher.served[0] == "riskreg-static:reports/memo-2.css"
    assert "LIST AND AUTHORITY" in before and "LIST AND AUTHORITY" not in current


def test_memo_has_every_section_a_counsel_needs(rendered):
    _result, text = rendered

    for heading in [
        "1. Executive summary",
        "Open questions for counsel",
        "2. Model facts",
        "3. Provenance claims",
        "4. Supply-chain exposure",
        "5. Regulatory status",
        "6. Risk register",
        "7. Adoption requests and sign-offs",
        "8. Recent alerts",
        "9. Sources",
    ]:
        assert heading in text, heading
    for fact in ["84 FR 22961", "90 FR 4617", "Regulation (EU) 2024/1689", "13 May 2025", "16 May 2019", "[1] [2]"]:
        assert fact in text, fact
    assert "https://arxiv.org/abs/2602.15763" in text and "retrieved 6 Apr 2026" in text


def test_a_source_nobody_captured_says_so_instead_of_leaving_the_date_out(glm5_snapshot):
    """Found in review: demo sources with no retrieval date or address showed neither, silently."""
    snapshot = copy.deepcopy(glm5_snapshot)
    snapshot["sources"][0].update(retrieved_on=None, url="")

    text = pdf_text(memo_render(snapshot=snapshot).pdf)

    assert "Not captured: not captured yet" in text and "No address recorded." in text


def test_pages_are_numbered_with_a_running_header_and_a_draft_watermark(rendered):
    result, text = rendered

    assert f"Page 1 of {result.pages}" in text and f"Page {result.pages} of {result.pages}" in text
    assert "Risk memo: GLM-5 · v1" in text
    assert text.count("DRAFT") >= result.pages


def test_approved_memo_has_no_watermark(glm5_snapshot):
    snapshot = copy.deepcopy(glm5_snapshot)
    snapshot["approval"] = {"approved": True, "watermark": "", "reason": "Every current request is approved."}

    text = pdf_text(memo_render(snapshot=snapshot).pdf)

    assert "DRAFT" not in text and "Approved" in text


def test_native_script_names_render_with_the_cjk_font(rendered):
    result, text = rendered

    assert "北京智谱华章科技股份有限公司" in text and "华为技术有限公司" in text
    assert "Noto-Sans-CJK-SC" in pdffonts(result.pdf)


def test_heat_map_is_vector_not_an_image(rendered):
    result, text = rendered

    listing = pdfimages(result.pdf).strip().splitlines()
    assert len(listing) == 2  # the header lines only: no raster image anywhere
    assert "Likelihood" in text and "Impact" in text and "R1" in text


def test_pdf_dates_come_from_the_snapshot(glm5_render):
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(glm5_render[0].pdf)
        handle.flush()
        info = subprocess.run(["pdfinfo", "-isodates", handle.name], capture_output=True, text=True).stdout

    assert "CreationDate:    2026-04-10T09:00:00Z" in info and "ModDate:         2026-04-10T09:00:00Z" in info


def test_portfolio_report_lists_the_models(world, legal):
    memo = memo_generate_now(kind="portfolio", user=legal)

    text = pdf_text(memo_pdf_path(memo=memo).read_bytes())
    assert (
        "Models in the register" in text
        and "GLM-5" in text
        and "High" in text
        and f"#{world.request.pk} In review" in text
    )


def test_memo_user_agent_stylesheet_is_trimmed_and_changes_no_byte():
    import weasyprint

    from reports.services.render import MEMO_UA_STYLESHEET, MemoHTML

    html = (
        "<html><body><h1>Memo</h1><ol><li>one</li><li>two</li></ol><ul><li>dot</li></ul>"
        "<table><tr><td>cell<br>next line</td></tr></table><p>text <span>span</span></p></body></html>"
    )

    assert MEMO_UA_STYLESHEET is not None  # the pinned WeasyPrint's sheet has the shape we trim
    assert MemoHTML(string=html).write_pdf(pdf_identifier=b"t") == weasyprint.HTML(string=html).write_pdf(
        pdf_identifier=b"t"
    )


def test_memos_from_memo_7_on_are_tagged_pdfs_and_older_versions_render_untagged_as_they_were(glm5_snapshot):
    """Issue 23 item 10: memos were untagged PDFs, which screen readers cannot follow."""
    older = copy.deepcopy(glm5_snapshot)
    older["memo"]["template_version"] = "memo-6"

    tagged = memo_render(snapshot=copy.deepcopy(glm5_snapshot)).pdf  # a version not kept: today's, memo-7
    untagged = memo_render(snapshot=older).pdf

    def catalog(pdf: bytes):
        from pypdf import PdfReader

        return PdfReader(io.BytesIO(pdf)).trailer["/Root"]

    tagged_catalog, untagged_catalog = catalog(tagged), catalog(untagged)
    assert "/StructTreeRoot" in tagged_catalog and bool(tagged_catalog["/MarkInfo"]["/Marked"])
    assert tagged_catalog["/Lang"] == "en" and bool(tagged_catalog["/ViewerPreferences"]["/DisplayDocTitle"])
    assert "/StructTreeRoot" not in untagged_catalog
