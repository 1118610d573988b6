"""Memos never wait behind evidence (issue 26 item 3): the probe's memo took 24.5 s instead of 1.6 s while ten cited
sources answered at one byte a second, because captures shared the memos' queue.

Real workers on the real broker, as `compose.yaml` runs them: the default worker (prefork, 2 processes: memos,
imports, screening) and the watch worker (threads: captures, webhooks, watch checks, material changes).

1. baseline: a model memo requested with both workers idle, until it is done;
2. ten evidence sources added whose pages answer at one byte a second (a loopback server), which queues their
   captures, then the same memo requested again at once: until it is done. The ratio printed is 2 / 1.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/riskreg REDIS_URL=redis://127.0.0.1:6379/1 \\
        .venv/bin/python bench/queues.py

Needs PostgreSQL and Redis (a worker cannot share an in-memory SQLite database); works on a throwaway database.
"""

from __future__ import annotations

import os
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from _harness import throwaway_database

SLOW_SOURCES = 10


class OneBytePerSecond(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (the standard library's name)
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", "60")
        self.end_headers()
        try:
            for _ in range(60):
                self.wfile.write(b"x")
                self.wfile.flush()
                time.sleep(1)
        except OSError:
            pass

    def log_message(self, *args):
        pass


def memo_time(model) -> float:
    from reports.models import Memo
    from reports.services.memos import memo_request

    started = time.perf_counter()
    memo = memo_request(kind="model", model=model)
    while not Memo.objects.filter(pk=memo.pk, status__in=["done", "failed"]).exists():
        if time.perf_counter() - started > 300:
            raise SystemExit("the memo was not done within 300 s")
        time.sleep(0.05)
    assert Memo.objects.get(pk=memo.pk).status == "done", Memo.objects.get(pk=memo.pk).error
    return time.perf_counter() - started


def main() -> None:
    from django.db import connection

    from models_catalog.models import EvidenceSource
    from riskreg.evidence.models import CitedSource
    from tests.conftest import Worker
    from tests.reports.factories import light_model

    if connection.vendor != "postgresql" or not os.environ.get("REDIS_URL"):
        raise SystemExit("needs DATABASE_URL=postgres://... and REDIS_URL (see the docstring)")
    server = ThreadingHTTPServer(("127.0.0.1", 0), OneBytePerSecond)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    with throwaway_database():
        logs = Path(tempfile.mkdtemp(prefix="riskreg-bench-queues-"))
        prefix = os.environ["CELERY_QUEUE"]  # this process sends there; the workers take from there
        workers = [
            Worker(log=logs / "default.log", prefix=prefix, concurrency=2).start(),
            Worker(log=logs / "watch.log", prefix=prefix, watch=True, pool="threads", concurrency=25).start(),
        ]
        try:
            model = light_model()
            memo_time(model)  # the workers' first memo loads fonts and templates
            baseline = memo_time(model)
            started = time.perf_counter()
            for n in range(SLOW_SOURCES):
                EvidenceSource.objects.create(
                    title=f"Slow page {n}",
                    publisher="Loopback",
                    kind="other",
                    url=f"http://127.0.0.1:{server.server_port}/page-{n}",
                )
            loaded = memo_time(model)
            capturing = CitedSource.objects.filter(source__publisher="Loopback").count()
            print(f"database: {connection.vendor}; captures queued for {capturing} slow sources")
            print(f"baseline: a model memo with idle workers: {baseline:6.2f} s")
            print(
                f"the same memo requested right after {SLOW_SOURCES} sources answering 1 byte/s were added: "
                f"{loaded:6.2f} s ({loaded / baseline:4.2f}x the baseline; "
                f"{time.perf_counter() - started:5.1f} s after the sources were added)"
            )
        finally:
            for worker in workers:
                worker.stop()
            server.shutdown()


if __name__ == "__main__":
    main()
