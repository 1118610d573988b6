"""Bad input: each failure is a failed capture with its reason; the claim keeps its source; nothing else moves."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from models_catalog.models import ProvenanceClaim
from riskreg.evidence.models import Capture, CitedSource
from riskreg.evidence.services import evidence_source_capture, evidence_source_recheck
from tests.evidence.conftest import BROKEN_PDF


def point(source, url: str):
    source.url = url
    source.save()
    return source


def fails(source, glm5, expected: str) -> Capture:
    result = evidence_source_capture(source_id=source.pk)
    assert result.status == "failed"
    assert expected in result.error
    capture = Capture.objects.get(source=source)
    assert capture.outcome == "failed" and expected in capture.error
    assert capture.sha256 == "" and capture.path == ""
    state = CitedSource.objects.get(source=source)
    assert state.state == "not_captured" and state.cited_capture is None
    assert state.last_error == result.error and state.consecutive_failures == 1
    assert state.claimed_until is None  # the worker let go
    assert ProvenanceClaim.objects.get(pk=glm5["claim"].pk).source_id == source.pk  # the claim keeps its source
    return capture


def test_a_private_address_is_refused(glm5, settings):
    settings.RISKREG_WATCH_ALLOW_PRIVATE = False
    source = point(glm5["source"], "http://127.0.0.1:9/internal")

    fails(source, glm5, "refused to connect to 127.0.0.1")


def test_a_redirect_loop_stops_at_the_cap(glm5, httpserver, settings):
    settings.RISKREG_WATCH_MAX_REDIRECTS = 3
    httpserver.expect_request("/a").respond_with_data("", status=302, headers={"Location": "/b"})
    httpserver.expect_request("/b").respond_with_data("", status=302, headers={"Location": "/a"})
    source = point(glm5["source"], httpserver.url_for("/a"))

    fails(source, glm5, "more than 3 redirects")


def test_an_oversized_body_is_cut_off_at_the_cap(glm5, settings):
    """A body of any size (a '2 GB' answer without Content-Length): reading stops at the cap."""
    settings.RISKREG_WATCH_MAX_BYTES = 64 * 1024
    server = _Server(_endless)
    try:
        source = point(glm5["source"], server.url("/huge"))
        fails(source, glm5, "over the limit of 65,536 bytes")
    finally:
        server.stop()


def test_a_pdf_that_does_not_parse_is_a_failure_with_its_reason(glm5, httpserver):
    httpserver.expect_request("/broken.pdf").respond_with_data(BROKEN_PDF, content_type="application/pdf")
    source = point(glm5["source"], httpserver.url_for("/broken.pdf"))

    capture = fails(source, glm5, "the PDF does not parse")

    assert capture.http_status == 200 and capture.content_type == "application/pdf"


def test_a_server_error_is_a_failure_with_its_status(glm5, httpserver):
    httpserver.expect_request("/article").respond_with_data("oops", status=500)
    source = point(glm5["source"], httpserver.url_for("/article"))

    capture = fails(source, glm5, "HTTP 500")

    assert capture.http_status == 500


@pytest.mark.timeout(20)
def test_a_server_that_never_answers_frees_the_worker_at_the_deadline(glm5, settings):
    settings.RISKREG_WATCH_TIMEOUT = 1
    release = threading.Event()
    server = _Server(lambda handler: release.wait(10))
    try:
        source = point(glm5["source"], server.url("/slow"))
        fails(source, glm5, "within the time limit")
    finally:
        release.set()
        server.stop()


def test_a_failed_recheck_keeps_the_capture_the_claims_rest_on(cited, glm5, httpserver):
    evidence_source_capture(source_id=cited.pk)
    good = Capture.objects.get()
    httpserver.clear()
    httpserver.expect_request("/article").respond_with_data("oops", status=500)

    result = evidence_source_recheck(source_id=cited.pk)

    assert result.status == "failed" and "HTTP 500" in result.error
    state = CitedSource.objects.get(source=cited)
    assert state.state == "captured" and state.cited_capture == good
    assert state.consecutive_failures == 1 and state.next_check_at > state.last_checked_at
    assert Capture.objects.count() == 1


def _endless(handler: BaseHTTPRequestHandler) -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", "application/octet-stream")
    handler.end_headers()
    chunk = b"x" * 65536
    try:
        for _ in range(32 * 1024):  # up to 2 GB, but the client hangs up at the cap
            handler.wfile.write(chunk)
    except (BrokenPipeError, ConnectionResetError):
        pass


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802
        self.server.respond(self)

    def log_message(self, *args):
        pass


class _Server:
    def __init__(self, respond) -> None:
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.httpd.daemon_threads = True
        self.httpd.respond = respond
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
