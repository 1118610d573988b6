"""Watch checks have their own queue: a memo requested while slow sources hold every watch worker is
rendered at once by the default queue's worker (found by the fault probe: a memo waited over 75 s)."""

from __future__ import annotations

import time

import pytest

from reports.models import Memo
from reports.services import memo_create
from reports.tasks import memo_generate_task
from riskreg.watch.models import WatchSource
from riskreg.watch.tasks import watch_source_check_task
from tests.conftest import wait_for
from tests.reports.factories import light_model

SLOW_SOURCES = 50


@pytest.mark.services
def test_a_memo_is_ready_while_fifty_slow_sources_are_being_checked(
    start_worker, transactional_db, make_source, local_server, legal
):
    def one_byte_a_second(handler):
        handler.send_response(200)
        handler.send_header("Content-Type", "application/rss+xml")
        handler.end_headers()
        try:
            for _ in range(60):
                handler.wfile.write(b" ")
                handler.wfile.flush()
                time.sleep(1)
        except (BrokenPipeError, ConnectionResetError):
            pass

    server = local_server(one_byte_a_second)
    sources = [make_source(server.url(f"/feed/{n}"), name=f"slow {n}") for n in range(SLOW_SOURCES)]
    watch = start_worker(watch=True, pool="threads", concurrency=10)
    default = start_worker()
    for source in sources:
        watch_source_check_task.apply_async(args=[source.pk], queue=watch.watch_queue)  # as routed: the watch queue
    wait_for(lambda: WatchSource.objects.exclude(claim_token="").count() == 10, timeout=30)  # every watch slot busy

    memo = memo_create(kind=Memo.Kind.MODEL, model=light_model(), user=legal)
    memo_generate_task.apply_async(args=[memo.pk], queue=default.queue)  # as routed: the default queue

    wait_for(lambda: Memo.objects.filter(pk=memo.pk, status=Memo.Status.DONE).exists(), timeout=15)
    assert WatchSource.objects.exclude(claim_token="").count() == 10  # the slow checks are still running
    assert not WatchSource.objects.filter(last_checked_at__isnull=False).exists()
