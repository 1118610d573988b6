"""End to end on the real services: a real worker runs the beat's dispatch and the check through Redis into
PostgreSQL; a check process killed mid-fetch leaves nothing half-written and the next run completes it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from riskreg.watch.models import CheckRecord, Snapshot, WatchSource
from riskreg.watch.services import watch_source_check
from riskreg.watch.tasks import watch_dispatch_due
from tests.conftest import BASE_DIR, _test_database_url, wait_for
from tests.watch.conftest import rss


@pytest.mark.services
def test_a_real_worker_runs_the_dispatched_check_and_the_snapshot_lands_in_postgresql(
    celery_worker_process, transactional_db, httpserver, make_source
):
    httpserver.expect_request("/feed").respond_with_data(rss(("1", "Entity List rule", "BIS")))
    source = make_source(httpserver.url_for("/feed"), name="worker e2e")

    watch_dispatch_due.delay()  # what beat sends every minute

    snapshot = wait_for(lambda: Snapshot.objects.filter(source=source).first(), timeout=60)
    assert snapshot.item_count == 1
    source.refresh_from_db()
    assert source.health == "healthy" and source.claim_token == ""
    assert CheckRecord.objects.get(source=source).outcome == "baseline"


@pytest.mark.services
def test_a_check_killed_mid_fetch_leaves_no_snapshot_and_the_next_run_completes_it(
    transactional_db, make_source, local_server, data_dir
):
    requested = threading.Event()
    release = threading.Event()

    def dripping(handler):
        handler.send_response(200)
        handler.send_header("Content-Length", "100000")
        handler.end_headers()
        requested.set()
        release.wait(30)

    server = local_server(dripping)
    source = make_source(server.url("/feed"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": _test_database_url(),
        "RISKREG_DATA_DIR": str(data_dir),
    }
    proc = subprocess.Popen(
        [sys.executable, "manage.py", "watch", "check", "--source", str(source.pk)],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert requested.wait(30), "the check process never reached the server"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
    finally:
        release.set()
        if proc.poll() is None:
            proc.kill()

    source.refresh_from_db()
    assert source.claim_token and source.claimed_until > timezone.now()  # the dead check's claim
    assert not Snapshot.objects.exists() and not CheckRecord.objects.exists()
    assert not list(Path(data_dir).rglob("*.gz"))
    assert watch_source_check(source_id=source.pk).status == "skipped"  # the claim still keeps others away

    WatchSource.objects.filter(pk=source.pk).update(claimed_until=timezone.now() - timedelta(seconds=1))
    server.httpd.respond = lambda handler: (
        handler.send_response(200),
        handler.send_header("Content-Length", str(len(rss(("1", "a", "b"))))),
        handler.end_headers(),
        handler.wfile.write(rss(("1", "a", "b")).encode()),
    )

    assert watch_source_check(source_id=source.pk).status == "baseline"
    assert Snapshot.objects.count() == 1


@pytest.mark.services
def test_a_threads_worker_with_db_conn_max_age_keeps_its_database_connection_between_checks(
    celery_worker_process, transactional_db, httpserver, make_source, tmp_path
):
    # Celery's Django fixup used to close the connection after every task whatever CONN_MAX_AGE said, so
    # each check paid for a new PostgreSQL backend. Its own queue, so the session's worker takes none of it.
    from django.db import connection

    from riskreg.watch.tasks import watch_source_check_task as check_task

    httpserver.expect_request("/feed").respond_with_data(rss(("1", "Entity List rule", "BIS")))
    first, second = make_source(httpserver.url_for("/feed"), name="one"), make_source(httpserver.url_for("/feed"))
    queue, name = f"conn-reuse-{uuid.uuid4().hex[:8]}", f"reuse-{uuid.uuid4().hex[:8]}@localhost"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": _test_database_url(),
        "CELERY_QUEUE": queue,
        "DB_CONN_MAX_AGE": "300",
    }
    command = [sys.executable, "-m", "celery", "-A", "riskreg", "worker", "--pool", "threads", "--concurrency", "1"]
    log = tmp_path / "worker.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [*command, "--hostname", name, "--without-gossip", "--without-mingle", "--loglevel", "INFO"],
            cwd=BASE_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )

    def worker_backends() -> set[int]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                [connection.settings_dict["NAME"]],
            )
            return {row[0] for row in cursor.fetchall()} - session_backends

    try:
        session_backends: set[int] = set()
        session_backends = worker_backends()  # the session's worker, if it holds any
        check_task.apply_async(args=[first.pk], queue=queue)
        wait_for(lambda: CheckRecord.objects.filter(source=first).exists(), timeout=60)
        after_first = wait_for(worker_backends)
        check_task.apply_async(args=[second.pk], queue=queue)
        wait_for(lambda: CheckRecord.objects.filter(source=second).exists(), timeout=60)

        assert worker_backends() == after_first, log.read_text()[-4000:]
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
