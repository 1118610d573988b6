"""The Celery pipeline works for real: a worker process executes a task through Redis into PostgreSQL."""

from __future__ import annotations

import pytest

from riskreg.core.models import WorkerHeartbeat
from riskreg.core.tasks import worker_heartbeat
from tests.conftest import wait_for


@pytest.mark.services
def test_real_worker_runs_a_task_through_redis_and_writes_postgresql(celery_worker_process, transactional_db):
    worker_heartbeat.delay()

    heartbeat = wait_for(lambda: WorkerHeartbeat.objects.filter(hostname__startswith="test-").first())

    assert heartbeat.beats == 1


def test_heartbeat_task_records_the_worker(db):
    worker_heartbeat.apply(args=()).get()

    assert WorkerHeartbeat.objects.count() == 1
