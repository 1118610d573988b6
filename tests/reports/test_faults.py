"""Fault suite for memos, on real workers and real brokers: kill -9 during a render, and the memo is still
rendered once, within its time limit (plus one sweep when the whole worker died with the message)."""

from __future__ import annotations

import os
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone
from kombu import Connection

from reports.models import Memo
from reports.services import memo_create, memo_storage_dir
from reports.services.memos import memo_render_stale_after
from reports.tasks import memo_generate_task
from riskreg.core.tasks import stuck_work_sweep
from tests.conftest import wait_for
from tests.reports.factories import light_model

pytestmark = pytest.mark.services


def kill_mid_render(worker, memo: Memo) -> None:
    """Wait until the memo is being rendered, then kill -9 the pool process rendering it."""
    wait_for(lambda: Memo.objects.filter(pk=memo.pk, status=Memo.Status.RENDERING).exists(), timeout=30, interval=0.01)
    for pid in worker.pool_pids():
        os.kill(pid, 9)


def rendered_once(memo: Memo) -> Memo:
    memo.refresh_from_db()
    assert memo.status == Memo.Status.DONE and memo.version == 1
    assert len(list(memo_storage_dir().rglob(f"memo-{memo.pk}-v*.pdf"))) == 1  # one PDF: nothing done twice
    return memo


def sqlite_broker(data_dir: Path) -> Connection:
    """A connection to the embedded broker the worker uses (this test process is configured for Redis)."""
    return Connection(f"sqla+sqlite:///{data_dir / 'celery-broker.sqlite3'}")


def test_a_memo_whose_pool_process_is_killed_mid_render_on_redis_is_rendered_once(
    start_worker, transactional_db, legal
):
    """Found by the fault probe: the redelivered task did nothing and the memo stayed "rendering" for good."""
    worker = start_worker()
    memo = memo_create(kind=Memo.Kind.MODEL, model=light_model(), user=legal)

    memo_generate_task.apply_async(args=[memo.pk], queue=worker.queue)
    kill_mid_render(worker, memo)

    wait_for(lambda: Memo.objects.filter(pk=memo.pk, status=Memo.Status.DONE).exists(), timeout=30)
    assert rendered_once(memo).attempts == 2  # the killed attempt and its redelivery


def test_the_embedded_sqlite_broker_loses_no_memo_when_its_worker_is_killed(start_worker, transactional_db, legal):
    """Found by the fault probes: on `make run`'s embedded broker the killed task was lost (memo "pending" for
    good), and a prefork pool process killed while idle left the job queue's lock held (memos pending after
    241 s). Now `make run`'s default worker there is one process with no pool (--pool solo, run_local): killed
    idle, it is started again and the next memo renders; killed mid-render, its message dies with it, and after
    the restart one sweep sends the memo again."""
    data_dir = Path(settings.RISKREG_DATA_DIR)
    embedded = {"REDIS_URL": "", "RISKREG_DATA_DIR": str(data_dir)}
    worker = start_worker(env=embedded, pool="solo")
    first, second = (
        memo_create(kind=Memo.Kind.MODEL, model=light_model(name=name), user=legal) for name in ("Tiny-A", "Tiny-B")
    )

    worker.kill_all()  # idle: nothing of the job queue is held by anyone after it
    worker.start()  # what run_local does with a worker that exited
    with sqlite_broker(data_dir) as broker:
        memo_generate_task.apply_async(args=[first.pk], connection=broker, queue=worker.queue)
    wait_for(lambda: Memo.objects.filter(pk=first.pk, status=Memo.Status.DONE).exists(), timeout=30)
    assert rendered_once(first).attempts == 1

    with sqlite_broker(data_dir) as broker:
        memo_generate_task.apply_async(args=[second.pk], connection=broker, queue=worker.queue)
    wait_for(lambda: Memo.objects.filter(pk=second.pk, status=Memo.Status.RENDERING).exists(), interval=0.01)
    worker.kill_all()
    worker.start()
    time.sleep(1)
    assert Memo.objects.get(pk=second.pk).status == Memo.Status.RENDERING  # the message died with the worker

    # Its time limit passes (simulated), and the sweep, from beat, runs on the worker.
    Memo.objects.filter(pk=second.pk).update(started_at=timezone.now() - memo_render_stale_after() - timedelta(1))
    with sqlite_broker(data_dir) as broker:
        stuck_work_sweep.apply_async(connection=broker, queue=worker.queue)
    wait_for(lambda: Memo.objects.filter(pk=second.pk, status=Memo.Status.DONE).exists(), timeout=30)
    assert rendered_once(second).attempts == 2


def test_after_a_whole_worker_is_killed_on_redis_one_sweep_renders_the_memo(start_worker, transactional_db, legal):
    worker = start_worker()
    memo = memo_create(kind=Memo.Kind.MODEL, model=light_model(), user=legal)

    memo_generate_task.apply_async(args=[memo.pk], queue=worker.queue)
    wait_for(lambda: Memo.objects.filter(pk=memo.pk, status=Memo.Status.RENDERING).exists(), interval=0.01)
    worker.kill_all()
    worker.start()
    Memo.objects.filter(pk=memo.pk).update(started_at=timezone.now() - memo_render_stale_after() - timedelta(1))

    stuck_work_sweep.apply_async(queue=worker.queue)  # from beat; runs on the worker, which re-sends the memo

    wait_for(lambda: Memo.objects.filter(pk=memo.pk, status=Memo.Status.DONE).exists(), timeout=30)
    assert rendered_once(memo).attempts == 2
