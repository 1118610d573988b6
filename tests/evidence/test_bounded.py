"""Captures bounded by work and failures recorded (issue 26 item 3): a PDF whose pages share one huge content stream
gives bounded text, fast; a cited page with a NUL byte is captured without it; a capture that runs out of time is
a failure of the source, counted and backed off with its claim released, never sent again in a loop."""

from __future__ import annotations

from celery.exceptions import SoftTimeLimitExceeded
from django.utils import timezone

from riskreg.evidence import services, text
from riskreg.evidence.models import Capture, CitedSource
from riskreg.evidence.services import evidence_source_capture, evidence_source_recheck
from tests.evidence.conftest import article


def pdf_of_pages_sharing_one_stream(pages: int, words: int) -> bytes:
    """A small PDF whose `pages` pages all draw the same content stream of `words` words: a few KB on the wire,
    pages x words of text once extracted (the probe's 34.5 KB file held 200 pages of one 1 MB stream)."""
    import zlib

    body = zlib.compress(b"BT /F1 12 Tf 72 720 Td " + b"(riskreg words ) Tj " * words + b"ET")
    kids = " ".join(f"{4 + n} 0 R" for n in range(pages))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + kids.encode() + b"] /Count %d >>" % pages,
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(body) + body + b"\nendstream",
        *[
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 3 0 R "
            b"/Resources << /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >> >>"
            for _ in range(pages)
        ],
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return out


def test_a_pdf_whose_pages_share_one_huge_stream_gives_text_cut_at_the_cap(monkeypatch):
    monkeypatch.setattr(text, "MAX_TEXT_CHARS", 60_000)  # the same rule, at a size a test reads quickly
    body = pdf_of_pages_sharing_one_stream(pages=200, words=2_000)  # 200 pages x ~30 KB of text

    extracted = text.readable_text(body=body, content_type="application/pdf")

    assert len(body) < 50_000  # 41 KB: the probe's was 34.5 KB
    assert extracted.startswith("riskreg words")
    assert extracted.endswith("[text cut at 60,000 characters]")
    assert len(extracted) < 60_100


def test_a_cited_page_with_a_nul_byte_is_captured_without_it(glm5, httpserver):
    page = article().replace("744B total", "744B\x00 total").encode()
    httpserver.expect_request("/nul").respond_with_data(page, content_type="text/html; charset=utf-8")
    source = glm5["source"]
    source.url = httpserver.url_for("/nul")
    source.save()

    result = evidence_source_capture(source_id=source.pk)

    capture = Capture.objects.get(source=source)
    assert (result.status, capture.outcome) == ("captured", Capture.Outcome.OK)
    assert "\x00" not in capture.text and "744B total parameters" in capture.text


def _times_out(**kwargs):
    raise SoftTimeLimitExceeded()


def test_a_capture_that_runs_out_of_time_is_a_failure_backed_off_with_its_claim_released(cited, monkeypatch):
    monkeypatch.setattr(services, "readable_text", _times_out)  # the task's soft limit, raised where it bites

    result = evidence_source_capture(source_id=cited.pk)

    row = CitedSource.objects.get(source=cited)
    assert result.status == "failed" and "time limit" in result.error
    assert (row.consecutive_failures, row.claim_token, row.claimed_until) == (1, "", None)
    assert "time limit" in row.last_error
    assert row.next_check_at > timezone.now()  # backed off: not sent again at the next dispatch


def test_a_re_check_that_runs_out_of_time_is_recorded_too(cited, monkeypatch):
    assert evidence_source_capture(source_id=cited.pk).status == "captured"
    monkeypatch.setattr(services, "readable_text", _times_out)

    result = evidence_source_recheck(source_id=cited.pk)

    row = CitedSource.objects.get(source=cited)
    assert result.status == "failed"
    assert (row.consecutive_failures, row.claim_token) == (1, "")
    assert row.next_check_at > timezone.now()


def test_a_pdf_with_more_pages_than_the_cap_says_the_rest_was_not_read():
    body = pdf_of_pages_sharing_one_stream(pages=text.MAX_PDF_PAGES + 5, words=1)

    extracted = text.readable_text(body=body, content_type="application/pdf")

    assert extracted.endswith(f"[text of the pages after page {text.MAX_PDF_PAGES} not read]")
