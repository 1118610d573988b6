"""The Celery pipeline works for real: a worker process executes a task through Redis into PostgreSQL."""

from __future__ import annotations

import pytest
from django.conf import settings

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


def _riskreg_tasks():
    from riskreg.celery import app

    app.loader.import_default_modules()
    return {name: task for name, task in app.tasks.items() if not name.startswith("celery.")}


def test_every_task_declares_a_soft_and_a_hard_time_limit():
    """Found by the fault probe: no task had a time limit, so two slow sources held both worker slots."""
    tasks = _riskreg_tasks()

    assert len(tasks) >= 8
    for name, task in tasks.items():
        assert task.soft_time_limit and task.time_limit, name
        assert task.soft_time_limit < task.time_limit, name


OUTBOUND_AND_FAN_OUT = (
    "watch_source_check_task",
    "evidence_source_capture_task",
    "evidence_source_check_task",
    "webhook_delivery_send_task",
    "material_change_apply_task",
)


def test_what_talks_to_the_outside_or_fans_out_has_its_own_queue_so_memos_never_wait_behind_it():
    """Issue 26 item 3: with ten evidence sources answering at 1 byte/s a memo waited 24.5 s behind them."""
    from riskreg.celery import app

    for name in _riskreg_tasks():
        queue = app.amqp.router.route({}, name)["queue"].name
        expected = (
            settings.RISKREG_WATCH_QUEUE
            if name.rsplit(".", 1)[-1] in OUTBOUND_AND_FAN_OUT
            else settings.CELERY_TASK_DEFAULT_QUEUE
        )
        assert queue == expected, name
    memo_queue = app.amqp.router.route({}, "reports.tasks.memo_generate_task")["queue"].name
    assert memo_queue == settings.CELERY_TASK_DEFAULT_QUEUE != settings.RISKREG_WATCH_QUEUE


def test_a_worker_started_without_queues_consumes_both():
    assert [queue.name for queue in settings.CELERY_TASK_QUEUES] == [
        settings.CELERY_TASK_DEFAULT_QUEUE,
        settings.RISKREG_WATCH_QUEUE,
    ]


def test_a_watch_check_is_killed_before_its_claim_runs_out():
    from riskreg.watch.tasks import watch_source_check_task

    assert watch_source_check_task.time_limit < settings.RISKREG_WATCH_CLAIM_SECONDS
    assert watch_source_check_task.soft_time_limit > settings.RISKREG_WATCH_TIMEOUT


def test_the_stuck_work_sweep_has_its_own_beat_entry_that_expires_before_the_next():
    entry = settings.CELERY_BEAT_SCHEDULE["core-stuck-work-sweep"]

    assert entry["task"] == "riskreg.core.tasks.stuck_work_sweep"
    assert entry["options"]["expires"] < entry["schedule"]


def test_make_runs_default_worker_has_no_pool_to_lose_on_the_embedded_broker(settings):
    """Issue 26 item 5: on the SQLite broker a prefork pool process killed while idle deadlocked the worker."""
    from riskreg.core.management.commands.run_local import default_worker_command

    settings.REDIS_URL = ""
    embedded = default_worker_command(["celery"])
    settings.REDIS_URL = "redis://127.0.0.1:6379/0"
    redis = default_worker_command(["celery"])

    assert embedded[embedded.index("--pool") + 1] == "solo"
    assert "--pool" not in redis and redis[redis.index("--concurrency") + 1] == "2"  # prefork: time limits apply


def test_make_run_serves_with_gunicorn_as_a_server_would_and_runserver_only_for_developers(settings):
    """Issue 23 item 9: `make run` ran with DEBUG on, so a mistyped address showed Django's URL patterns."""
    from riskreg.core.management.commands.run_local import web_command

    settings.DEBUG = False
    assert web_command("python", "127.0.0.1", 8000)[1:4] == ["-m", "gunicorn", "riskreg.wsgi"]
    settings.DEBUG = True
    assert web_command("python", "127.0.0.1", 8000)[1:3] == ["manage.py", "runserver"]


def test_the_register_has_its_icon_and_browsers_asking_for_favicon_ico_find_it(client):
    answer = client.get("/favicon.ico")

    assert (answer.status_code, answer["Location"]) == (301, "/static/workspace/favicon.svg")
    assert 'rel="icon" href="/static/workspace/favicon.svg"' in client.get("/admin/login/").content.decode()
