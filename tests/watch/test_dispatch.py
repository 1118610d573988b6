"""The beat's dispatch: one task per due source; nothing is marked when the broker is down."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from riskreg.celery import app
from riskreg.watch.models import Snapshot, WatchSource
from riskreg.watch.services import watch_due_dispatch
from riskreg.watch.tasks import watch_dispatch_due, watch_source_check_task
from tests.watch.conftest import rss


def test_only_enabled_due_and_unclaimed_sources_are_dispatched(make_source, monkeypatch):
    now = timezone.now()
    due = make_source("http://127.0.0.1:9/due")
    make_source("http://127.0.0.1:9/disabled", enabled=False)
    later = make_source("http://127.0.0.1:9/later")
    claimed = make_source("http://127.0.0.1:9/claimed")
    WatchSource.objects.filter(pk=later.pk).update(next_check_at=now + timedelta(minutes=5))
    WatchSource.objects.filter(pk=claimed.pk).update(claimed_until=now + timedelta(minutes=5), claim_token="x")
    sent = []
    monkeypatch.setattr(watch_source_check_task, "apply_async", lambda args, **kw: sent.append(args[0]))

    result = watch_due_dispatch()

    assert sent == [due.pk]
    assert (result.due, result.dispatched) == (1, 1)


def test_when_the_broker_is_down_nothing_is_marked_and_the_next_beat_dispatches_them(make_source, monkeypatch):
    sources = [make_source(f"http://127.0.0.1:9/{n}") for n in range(3)]
    before = list(WatchSource.objects.order_by("pk").values_list("next_check_at", flat=True))

    # Nothing listens there; kombu gives up at the first refusal instead of after its reconnect backoff (6 s).
    with app.connection_for_write("redis://127.0.0.1:1/0", transport_options={"max_retries": 0}) as unreachable:
        down = watch_due_dispatch(connection=unreachable)

    assert (down.due, down.dispatched) == (3, 0)
    assert down.error
    assert list(WatchSource.objects.order_by("pk").values_list("next_check_at", flat=True)) == before
    sent = []
    monkeypatch.setattr(watch_source_check_task, "apply_async", lambda args, **kw: sent.append(args[0]))
    assert watch_due_dispatch().dispatched == 3
    assert sent == [source.pk for source in sources]


def test_a_duplicate_task_for_a_source_already_checked_does_nothing(make_source, httpserver):
    httpserver.expect_request("/feed").respond_with_data(rss(("1", "a", "b")))
    source = make_source(httpserver.url_for("/feed"))
    watch_source_check_task.apply(args=[source.pk]).get()

    watch_source_check_task.apply(args=[source.pk]).get()  # the same message delivered twice

    assert len(httpserver.log) == 1 and Snapshot.objects.count() == 1


def test_the_check_task_declares_its_retries():
    assert watch_source_check_task.max_retries == 5
    assert watch_source_check_task.retry_backoff and watch_source_check_task.retry_jitter
    assert watch_source_check_task.autoretry_for


def test_the_beat_task_dispatches_the_due_sources(make_source, monkeypatch):
    source = make_source("http://127.0.0.1:9/feed")
    sent = []
    monkeypatch.setattr(watch_source_check_task, "apply_async", lambda args, **kw: sent.append((args[0], kw)))

    assert watch_dispatch_due.apply().get() == 1

    assert sent[0][0] == source.pk and sent[0][1]["expires"] == 50
