"""Bad input and faults: each leaves the source failing with a clear message, keeps the last good
snapshot, and raises no alert (the good content names Zhipu AI, so a false diff would alert)."""

from __future__ import annotations

import time

import pytest

from riskreg.watch.models import Alert, ChangeEvent, Snapshot
from riskreg.watch.services import watch_source_check
from tests.watch.conftest import rss

GOOD = rss(("1", "Zhipu AI on the Entity List", "BIS adds Zhipu AI."), ("2", "Other news", "Nothing"))
PAGE = "<html><body><div id='news'><p>Zhipu AI added</p></div></body></html>"
BOMB = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0"><channel><title>&lol9;</title>
<item><guid>9</guid><title>Zhipu AI &lol9;</title></item></channel></rss>"""


@pytest.fixture
def watched(catalog, make_source, httpserver):
    """A source with a good baseline naming Zhipu AI; `then(...)` makes the server answer differently."""

    def start(kind="rss", body=GOOD, **extra):
        httpserver.expect_request("/src").respond_with_data(body, content_type="text/xml; charset=utf-8")
        source = make_source(httpserver.url_for("/src"), kind=kind, **extra)
        assert watch_source_check(source_id=source.pk).status == "baseline"
        httpserver.clear()
        return source

    return start


def check_fails(source, expected: str):
    result = watch_source_check(source_id=source.pk, force=True)
    assert result.status == "error"
    assert expected in result.error
    source.refresh_from_db()
    assert source.health == "failing" and source.consecutive_failures == 1
    assert source.last_error == result.error
    assert Snapshot.objects.filter(source=source).count() == 1  # the last good one, kept
    assert source.snapshots.get().sequence == 1
    assert not ChangeEvent.objects.exists()
    assert not Alert.objects.exists()
    return result


def test_a_malformed_feed_is_an_error(watched, httpserver):
    source = watched()
    httpserver.expect_request("/src").respond_with_data('<rss version="2.0"><channel><item><title>Huawei</channel>')

    result = check_fails(source, "not well-formed XML")

    assert "line 1" in result.error


def test_well_formed_xml_that_is_not_a_feed_is_an_error(watched, httpserver):
    source = watched()
    httpserver.expect_request("/src").respond_with_data("<html><body><p>Huawei</p></body></html>")

    check_fails(source, "not an RSS or Atom feed")


def test_an_xml_entity_bomb_is_refused(watched, httpserver):
    source = watched()
    httpserver.expect_request("/src").respond_with_data(BOMB)

    check_fails(source, "entity-expansion bomb")


def test_a_50_mb_answer_stops_at_the_size_cap(watched, local_server):
    source = watched()

    def huge(handler):
        handler.send_response(200)
        handler.send_header("Content-Type", "application/rss+xml")
        handler.end_headers()  # no Content-Length: the client must count
        chunk = b"<!-- padding -->" * 65536  # 1 MiB
        try:
            for _ in range(50):
                handler.wfile.write(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass

    server = local_server(huge)
    source.url = server.url("/src")
    source.save()

    check_fails(source, "over the limit of 41,943,040 bytes; stopped reading")


def test_a_redirect_loop_is_an_error(watched, httpserver):
    source = watched()
    httpserver.expect_request("/src").respond_with_data("", status=302, headers={"Location": "/loop"})
    httpserver.expect_request("/loop").respond_with_data("", status=302, headers={"Location": "/src"})

    check_fails(source, "more than 5 redirects")


def test_a_redirect_to_a_private_address_is_an_error(watched, httpserver, settings):
    source = watched()
    settings.RISKREG_WATCH_ALLOW_PRIVATE = False
    settings.RISKREG_WATCH_ALLOWED_ADDRESSES = [f"127.0.0.1:{httpserver.port}"]
    httpserver.expect_request("/src").respond_with_data("", status=302, headers={"Location": "http://localhost:6379/"})

    check_fails(source, "refused to connect to localhost")


def test_a_timeout_is_an_error(watched, local_server, settings):
    source = watched()
    settings.RISKREG_WATCH_TIMEOUT = 0.3

    def slow(handler):
        time.sleep(1.5)
        try:
            handler.send_response(200)
            handler.end_headers()
            handler.wfile.write(GOOD.encode())
        except (BrokenPipeError, ConnectionResetError):
            pass

    source.url = local_server(slow).url("/src")
    source.save()

    check_fails(source, "within the time limit")


def test_a_source_sending_one_byte_a_second_fails_within_the_timeout_plus_two_seconds(watched, local_server, settings):
    source = watched()
    settings.RISKREG_WATCH_TIMEOUT = 1

    def trickle(handler):
        handler.send_response(200)
        handler.send_header("Content-Type", "application/rss+xml")
        handler.end_headers()
        try:
            for byte in GOOD.encode():
                handler.wfile.write(bytes([byte]))
                handler.wfile.flush()
                time.sleep(1)
        except (BrokenPipeError, ConnectionResetError):
            pass

    source.url = local_server(trickle).url("/src")
    source.save()
    started = time.monotonic()

    check_fails(source, "did not finish within the time limit")

    assert time.monotonic() - started < settings.RISKREG_WATCH_TIMEOUT + 2


def test_a_server_error_is_an_error(watched, httpserver):
    source = watched()
    httpserver.expect_request("/src").respond_with_data("Internal error", status=500)

    check_fails(source, "HTTP 500")


def test_an_empty_body_where_content_was_before_is_an_error_not_everything_removed(watched, httpserver):
    source = watched()
    httpserver.expect_request("/src").respond_with_data("")

    check_fails(source, "empty body")


def test_a_feed_with_no_items_where_there_were_some_is_an_error(watched, httpserver):
    source = watched()
    httpserver.expect_request("/src").respond_with_data(rss())

    check_fails(source, "no items where the last snapshot had 2")


def test_a_page_that_is_not_valid_utf8_and_declares_no_charset_is_an_error(watched, httpserver):
    source = watched(kind="html", body=PAGE, selector="#news")
    latin1 = "<html><body><div id='news'><p>Zhipu AI added</p><p>Société Huawei</p></div></body></html>"
    httpserver.expect_request("/src").respond_with_data(latin1.encode("latin-1"), content_type="text/html")

    check_fails(source, "not valid UTF-8 (byte 0xe9")


def test_a_feed_with_a_byte_wrong_for_its_encoding_names_the_encoding_and_the_byte(watched, httpserver):
    """Found in review: a Latin-1 byte in a UTF-8 feed was reported only as "not well-formed (invalid token)"."""
    source = watched()
    body = rss(("1", "Zhipu AI", ""), ("2", "Société Huawei", "")).encode("latin-1")
    httpserver.expect_request("/src").respond_with_data(body, content_type="text/xml")

    check_fails(source, "not valid utf-8 (byte 0xe9")


def test_a_page_in_a_declared_charset_is_read(watched, httpserver):
    source = watched(kind="html", body=PAGE, selector="#news")
    latin1 = "<html><body><div id='news'><p>Zhipu AI added</p><p>Société générale</p></div></body></html>"
    httpserver.expect_request("/src").respond_with_data(
        latin1.encode("latin-1"), content_type="text/html; charset=iso-8859-1"
    )

    result = watch_source_check(source_id=source.pk, force=True)

    assert result.status == "changed"
    assert "+Société générale" in ChangeEvent.objects.get().diff["unified"]


def test_a_css_selector_that_matches_nothing_is_an_error(watched, httpserver):
    source = watched(kind="html", body=PAGE, selector="#news")
    httpserver.expect_request("/src").respond_with_data("<html><body><p>Redesigned</p></body></html>")

    check_fails(source, "matches nothing on the page")


def test_malformed_json_is_an_error(watched, httpserver):
    source = watched(kind="json", body='{"items": [{"id": 1, "title": "Zhipu AI"}]}', selector="$.items")
    httpserver.expect_request("/src").respond_with_data('{"items": [{"id": 1, ')

    check_fails(source, "not valid JSON")


def test_one_failing_source_does_not_stop_the_others(catalog, make_source, httpserver):
    httpserver.expect_request("/bad").respond_with_data("no", status=500)
    httpserver.expect_request("/good").respond_with_data(GOOD)
    bad = make_source(httpserver.url_for("/bad"))
    good = make_source(httpserver.url_for("/good"))

    statuses = [watch_source_check(source_id=s.pk).status for s in (bad, good)]

    assert statuses == ["error", "baseline"]
