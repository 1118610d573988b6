"""Fault suite for watch checks, on real workers and real brokers (Redis, and the embedded SQLite broker of
`make run`): kill -9 of the worker checking a source that stalls mid-body, and the check is still completed
once: one new snapshot, one check record, one alert, the claim released. A killed pool process's task is
delivered again and takes its claim over at once; a worker killed whole is replaced, and once the dead
check's claim expires (its time limit, simulated) one run of the dispatch sends the source again; the dead
worker's message, when Redis gives it back, does nothing."""

from __future__ import annotations

import json
import os
import re
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone
from kombu import Connection

from riskreg.watch.models import Alert, ChangeEvent, CheckRecord, Snapshot, WatchSource
from riskreg.watch.services import watch_due_dispatch, watch_source_check, watch_source_claim, watch_source_record
from riskreg.watch.tasks import watch_dispatch_due
from tests.conftest import wait_for
from tests.watch.conftest import rss

BEFORE = rss(("1", "Other news", "Nothing to report."))
AFTER = rss(("1", "Other news", "Nothing to report."), ("2", "Zhipu AI on the Entity List", "BIS adds Zhipu AI."))


class StallingFeed:
    """The source's server: the first request gets its headers and half the body, then nothing more (a
    server that hangs mid-body) until the test ends; every later request gets the whole feed."""

    def __init__(self, local_server) -> None:
        self.body = AFTER.encode()
        self.requests = 0
        self.stalled = threading.Event()
        self.release = threading.Event()
        self._lock = threading.Lock()
        self.url = local_server(self.respond).url("/feed")

    def respond(self, handler) -> None:
        with self._lock:
            self.requests += 1
            first = self.requests == 1
        handler.send_response(200)
        handler.send_header("Content-Type", "application/rss+xml")
        handler.send_header("Content-Length", str(len(self.body)))
        handler.end_headers()
        try:
            if first:
                handler.wfile.write(self.body[: len(self.body) // 2])
                handler.wfile.flush()
                self.stalled.set()
                self.release.wait(120)
                return
            handler.wfile.write(self.body)
        except (BrokenPipeError, ConnectionResetError):
            pass


class Broker:
    """The broker a test's worker uses, and a way for the test to send it tasks."""

    def __init__(self, name: str, data_dir: Path) -> None:
        self.name = name
        self.env = {"RISKREG_DATA_DIR": str(data_dir)}  # the worker stores snapshots where the test looks
        self.url = None
        if name == "sqlite":  # this test process is configured for Redis; the worker is not
            self.env["REDIS_URL"] = ""
            self.url = f"sqla+sqlite:///{data_dir / 'celery-broker.sqlite3'}"

    def send(self, task, **options) -> None:
        if self.url is None:
            task.apply_async(**options)
            return
        with Connection(self.url) as connection:
            task.apply_async(connection=connection, **options)

    def give_back_unacknowledged(self, queue: str) -> None:
        """What Redis does with the messages of a worker killed whole once its visibility timeout (an hour)
        has passed: any consumer puts them back in their queue. Here at once, for `queue` only."""
        with Connection(settings.CELERY_BROKER_URL) as connection:
            channel = connection.default_channel
            for tag, unacknowledged in channel.client.hgetall(channel.unacked_key).items():
                _message, _exchange, routing_key = json.loads(unacknowledged)
                if routing_key == queue:
                    channel.qos.restore_by_tag(tag)


@pytest.fixture(params=["redis", "sqlite"])
def broker(request, data_dir) -> Broker:
    return Broker(request.param, data_dir)


@pytest.fixture
def feed(local_server):
    feed = StallingFeed(local_server)
    yield feed
    feed.release.set()  # before the server stops


@pytest.fixture
def source(transactional_db, catalog, make_source, feed) -> WatchSource:
    """A source with a baseline that names nothing; its next content names Zhipu AI (one alert). Due now."""
    source = make_source(feed.url, name="Entity List news")
    assert watch_source_record(source_id=source.pk, body=BEFORE.encode()).status == "baseline"
    WatchSource.objects.filter(pk=source.pk).update(next_check_at=timezone.now())
    return source


def dispatch(broker: Broker, worker) -> None:
    """What beat sends every minute. In production the default queue's worker runs it; here the test's one
    worker takes it from its watch queue, and the checks it sends go, as routed, to that same watch queue."""
    broker.send(watch_dispatch_due, queue=worker.watch_queue)


def checked(source: WatchSource):
    def the_change_is_recorded():
        return CheckRecord.objects.filter(source=source, outcome=CheckRecord.Outcome.CHANGED).exists()

    return the_change_is_recorded


def task_outcome(worker, task_id: str) -> str | None:
    """What the worker's log says a check task came to: its status, "expired", or None (not yet)."""
    log = worker.log.read_text()
    if match := re.search(rf"watch_source_check_task\[{task_id}\] succeeded in \S+: '(\w+)'", log):
        return match[1]
    if f"Discarding revoked task: riskreg.watch.tasks.watch_source_check_task[{task_id}]" in log:
        return "expired"
    return None


def assert_checked_once(source: WatchSource, feed: StallingFeed, data_dir: Path) -> None:
    source.refresh_from_db()
    assert source.claim_token == "" and source.claimed_until is None  # the claim released
    assert source.health == WatchSource.Health.HEALTHY and source.next_check_at > timezone.now()
    assert sorted(CheckRecord.objects.filter(source=source).values_list("outcome", flat=True)) == [
        "baseline",
        "changed",
    ]  # one record per real check: the killed attempt left none
    assert list(Snapshot.objects.filter(source=source).values_list("sequence", flat=True).order_by("sequence")) == [
        1,
        2,
    ]
    assert ChangeEvent.objects.filter(source=source).count() == 1
    alert = Alert.objects.get()  # one alert, not one per attempt
    assert alert.title == "Zhipu AI on the Entity List"
    assert feed.requests == 2  # the killed fetch and the one that completed
    stored = {path.name for path in (data_dir / "watch" / str(source.pk)).iterdir()}
    assert stored == {f"{sha}.gz" for sha in Snapshot.objects.values_list("sha256", flat=True)}  # no half file
    # The next dispatch finds nothing due: nothing is checked twice.
    assert watch_due_dispatch().due == 0


@pytest.mark.services
def test_a_check_whose_pool_process_is_killed_mid_body_is_completed_once_by_its_redelivery(
    broker, start_worker, source, feed, data_dir
):
    """Found by this test: the redelivered task found the source claimed by its own dead attempt and did
    nothing, so the source waited for its claim to expire (RISKREG_WATCH_CLAIM_SECONDS, 10 minutes)."""
    worker = start_worker(watch=True, env=broker.env)  # prefork: one pool process
    dispatch(broker, worker)
    assert feed.stalled.wait(60), "the worker never fetched the source"

    for pid in worker.pool_pids():
        os.kill(pid, 9)

    # Well within the check's time limit: the dead attempt's claim is taken over, not waited out.
    wait_for(checked(source), timeout=30)
    assert_checked_once(source, feed, data_dir)


@pytest.mark.services
def test_a_check_whose_whole_worker_is_killed_mid_body_is_completed_once_by_one_dispatch(
    broker, start_worker, source, feed, data_dir
):
    # The watch worker as `make run` and compose start it: threads, so the kill takes the whole process.
    worker = start_worker(watch=True, pool="threads", concurrency=4, env=broker.env)
    dispatch(broker, worker)
    assert feed.stalled.wait(60), "the worker never fetched the source"

    worker.kill_all()
    worker.start()
    source.refresh_from_db()
    assert source.claim_token and source.claimed_until > timezone.now()  # the dead check's claim keeps others off
    assert not CheckRecord.objects.filter(source=source, outcome=CheckRecord.Outcome.CHANGED).exists()
    dead_task = source.claim_token  # a check task claims with its id

    # The check's time limit passes (simulated: its claim ends), and beat's dispatch runs once.
    WatchSource.objects.filter(pk=source.pk).update(claimed_until=timezone.now() - timedelta(seconds=1))
    dispatch(broker, worker)

    wait_for(checked(source), timeout=30)
    assert_checked_once(source, feed, data_dir)

    if broker.name == "redis":  # the SQLite broker lost the dead worker's message; Redis still holds it
        broker.give_back_unacknowledged(worker.watch_queue)
        # Run, it finds its source checked and not due; if its 50 s have passed, the worker drops it.
        assert wait_for(lambda: task_outcome(worker, dead_task), timeout=30) in {"skipped", "expired"}
        assert_checked_once(source, feed, data_dir)


def test_the_same_task_delivered_again_takes_over_the_claim_of_its_lost_attempt_and_no_other_check_does(
    make_source, httpserver
):
    httpserver.expect_request("/feed").respond_with_data(BEFORE, content_type="application/rss+xml")
    source = make_source(httpserver.url_for("/feed"))
    assert watch_source_claim(source_id=source.pk, task_id="task-1") == "task-1"  # and its worker dies

    assert watch_source_check(source_id=source.pk, task_id="task-2").status == "skipped"  # the dispatch's next
    assert watch_source_check(source_id=source.pk, force=True).status == "skipped"  # the command, "check now"
    assert watch_source_check(source_id=source.pk, task_id="task-1").status == "baseline"  # its redelivery

    source.refresh_from_db()
    assert source.claim_token == "" and CheckRecord.objects.get(source=source).outcome == "baseline"
    assert watch_source_check(source_id=source.pk, task_id="task-1").status == "skipped"  # done: not due
