"""The outbound HTTP module: address checks, schemes, redirects, size cap, timeouts, conditional GET."""

from __future__ import annotations

import gzip
import ipaddress
import threading
import time

import pytest
from werkzeug import Response as WerkzeugResponse

from riskreg.core.http import (
    AddressRefused,
    FetchError,
    FetchTimeout,
    HTTPStatusError,
    TooLarge,
    TooManyRedirects,
    address_is_public,
    fetch,
    post,
)


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",
        "224.0.0.1",
        "240.0.0.1",
        "::1",
        "fe80::1",
        "fc00::1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
        "2002:7f00:1::",
    ],
)
def test_private_loopback_link_local_and_reserved_addresses_are_not_public(address):
    assert not address_is_public(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["8.8.8.8", "1.1.1.1", "2606:4700:4700::1111"])
def test_internet_addresses_are_public(address):
    assert address_is_public(ipaddress.ip_address(address))


def test_loopback_is_refused_at_connect_time_when_private_addresses_are_off(settings, httpserver):
    settings.RISKREG_WATCH_ALLOW_PRIVATE = False
    httpserver.expect_request("/").respond_with_data("secret")

    with pytest.raises(AddressRefused, match="RISKREG_WATCH_ALLOW_PRIVATE is off"):
        fetch(httpserver.url_for("/"))

    assert httpserver.log == []  # never connected


def test_a_host_name_is_refused_when_any_of_its_addresses_is_private(settings, httpserver):
    settings.RISKREG_WATCH_ALLOW_PRIVATE = False

    with pytest.raises(AddressRefused, match="localhost"):
        fetch(f"http://localhost:{httpserver.port}/")


def test_an_explicitly_allowed_address_is_fetched_with_private_addresses_off(settings, httpserver):
    settings.RISKREG_WATCH_ALLOW_PRIVATE = False
    settings.RISKREG_WATCH_ALLOWED_ADDRESSES = [f"127.0.0.1:{httpserver.port}"]
    httpserver.expect_request("/").respond_with_data("intranet mirror")

    assert fetch(httpserver.url_for("/")).body == b"intranet mirror"


def test_the_host_header_names_the_host_not_the_address_connected_to(httpserver):
    httpserver.expect_request("/", headers={"Host": f"localhost:{httpserver.port}"}).respond_with_data("ok")

    assert fetch(f"http://localhost:{httpserver.port}/").body == b"ok"


@pytest.mark.parametrize("url", ["ftp://example.org/file", "file:///etc/passwd", "gopher://x", "//no-scheme"])
def test_only_http_and_https_are_fetched(url):
    with pytest.raises(FetchError, match="only http and https"):
        fetch(url)


def test_redirects_are_followed_and_the_final_url_is_kept(httpserver):
    httpserver.expect_request("/old").respond_with_data("", status=301, headers={"Location": "/new"})
    httpserver.expect_request("/new").respond_with_data("moved here")

    response = fetch(httpserver.url_for("/old"))

    assert response.body == b"moved here"
    assert response.url == httpserver.url_for("/new")


def test_a_redirect_loop_stops_at_the_redirect_cap(httpserver):
    httpserver.expect_request("/a").respond_with_data("", status=302, headers={"Location": "/b"})
    httpserver.expect_request("/b").respond_with_data("", status=302, headers={"Location": "/a"})

    with pytest.raises(TooManyRedirects, match="more than 5 redirects"):
        fetch(httpserver.url_for("/a"))

    assert len(httpserver.log) == 6


def test_a_redirect_to_a_private_address_is_refused_at_that_hop(settings, httpserver):
    settings.RISKREG_WATCH_ALLOW_PRIVATE = False
    settings.RISKREG_WATCH_ALLOWED_ADDRESSES = [f"127.0.0.1:{httpserver.port}"]
    httpserver.expect_request("/").respond_with_data("", status=302, headers={"Location": "http://localhost:9/admin"})

    with pytest.raises(AddressRefused, match="localhost"):
        fetch(httpserver.url_for("/"))


def test_a_redirect_to_another_scheme_is_refused(httpserver):
    httpserver.expect_request("/").respond_with_data("", status=302, headers={"Location": "file:///etc/passwd"})

    with pytest.raises(FetchError, match="only http and https"):
        fetch(httpserver.url_for("/"))


def test_an_answer_over_the_size_cap_is_refused_by_its_content_length(settings, httpserver):
    settings.RISKREG_WATCH_MAX_BYTES = 1000
    httpserver.expect_request("/").respond_with_data(b"x" * 5000)

    with pytest.raises(TooLarge, match="over the limit of 1,000"):
        fetch(httpserver.url_for("/"))


def test_a_streamed_answer_is_cut_off_at_the_size_cap(settings, httpserver):
    settings.RISKREG_WATCH_MAX_BYTES = 100_000

    def endless():
        for _ in range(1000):
            yield b"y" * 10_000

    httpserver.expect_request("/").respond_with_handler(lambda request: WerkzeugResponse(endless()))

    with pytest.raises(TooLarge, match="stopped reading"):
        fetch(httpserver.url_for("/"))


def test_the_size_cap_applies_to_the_decompressed_body(settings, httpserver):
    settings.RISKREG_WATCH_MAX_BYTES = 100_000
    bomb = gzip.compress(b"\0" * 10_000_000)  # 10 MB of zeros in about 10 kB
    httpserver.expect_request("/").respond_with_data(bomb, headers={"Content-Encoding": "gzip"})

    with pytest.raises(TooLarge):
        fetch(httpserver.url_for("/"))


def test_gzip_answers_are_decompressed(httpserver):
    httpserver.expect_request("/").respond_with_data(gzip.compress(b"hello"), headers={"Content-Encoding": "gzip"})

    assert fetch(httpserver.url_for("/")).body == b"hello"


def test_a_server_slower_than_the_timeout_gives_a_timeout_error(settings, local_server):
    settings.RISKREG_WATCH_TIMEOUT = 0.3

    def slow(handler):
        time.sleep(1.5)
        handler.send_response(200)
        handler.end_headers()

    server = local_server(slow)

    with pytest.raises(FetchTimeout, match="time limit"):
        fetch(server.url("/"))


def _trickle(handler, data: bytes, *, seconds_per_byte: float = 1.0) -> None:
    """Write data one byte at a time, slowly, until done or the client hangs up."""
    try:
        for byte in data:
            handler.wfile.write(bytes([byte]))
            handler.wfile.flush()
            time.sleep(seconds_per_byte)
    except (BrokenPipeError, ConnectionResetError):
        pass


def test_a_body_sent_at_one_byte_a_second_ends_at_the_whole_fetch_deadline(settings, local_server):
    """Found by the fault probe: the timeout applied between reads, so 1 byte/s took 129 s with a 10 s limit."""
    settings.RISKREG_WATCH_TIMEOUT = 1

    def one_byte_a_second(handler):
        handler.send_response(200)
        handler.send_header("Content-Type", "text/plain")
        handler.end_headers()
        _trickle(handler, b"x" * 120)

    server = local_server(one_byte_a_second)
    started = time.monotonic()

    with pytest.raises(FetchTimeout, match="did not finish within the time limit"):
        fetch(server.url("/"))

    assert time.monotonic() - started < settings.RISKREG_WATCH_TIMEOUT + 2


def test_headers_sent_at_one_byte_a_second_end_at_the_whole_fetch_deadline(settings, local_server):
    """Found by the fault probe: slow headers held a check for 95 s with a 10 s limit."""
    settings.RISKREG_WATCH_TIMEOUT = 1

    def slow_headers(handler):
        _trickle(handler, b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX-Padding: " + b"y" * 100)

    server = local_server(slow_headers)
    started = time.monotonic()

    with pytest.raises(FetchTimeout, match="within the time limit"):
        fetch(server.url("/"))

    assert time.monotonic() - started < settings.RISKREG_WATCH_TIMEOUT + 2


def test_a_webhook_answering_at_one_byte_a_second_ends_at_the_whole_fetch_deadline(settings, local_server):
    """A POST (webhook) goes through the same deadline as a fetch: it held a worker while headers trickled."""
    settings.RISKREG_WATCH_TIMEOUT = 1

    def slow_headers(handler):
        _trickle(handler, b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX-Padding: " + b"y" * 100)

    server = local_server(slow_headers)
    started = time.monotonic()

    with pytest.raises(FetchTimeout, match="within the time limit"):
        post(server.url("/hook"), body=b"{}")

    assert time.monotonic() - started < settings.RISKREG_WATCH_TIMEOUT + 2


def test_a_fast_answer_leaves_no_deadline_or_socket_behind(httpserver):
    from riskreg.core.http import watchdog

    httpserver.expect_request("/").respond_with_data("ok")
    fetch(httpserver.url_for("/"))
    threads = threading.active_count()

    for _ in range(5):
        assert fetch(httpserver.url_for("/")).body == b"ok"

    assert threading.active_count() == threads  # one watchdog thread, not one per fetch
    assert watchdog._pending == []


def test_an_error_status_raises_with_the_status_and_url(httpserver):
    httpserver.expect_request("/").respond_with_data("boom", status=500)

    with pytest.raises(HTTPStatusError, match="HTTP 500") as caught:
        fetch(httpserver.url_for("/"))

    assert caught.value.status == 500


def test_conditional_get_sends_the_validators_and_a_304_has_no_body(httpserver):
    httpserver.expect_request(
        "/", headers={"If-None-Match": '"v1"', "If-Modified-Since": "Wed, 01 May 2024 00:00:00 GMT"}
    ).respond_with_data("", status=304, headers={"ETag": '"v1"'})

    response = fetch(httpserver.url_for("/"), etag='"v1"', last_modified="Wed, 01 May 2024 00:00:00 GMT")

    assert response.not_modified
    assert response.body == b""


def test_a_connection_refused_is_a_clear_error():
    with pytest.raises(FetchError, match="cannot connect"):
        fetch("http://127.0.0.1:9/")
