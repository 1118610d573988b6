"""Watch figures: 200 sources on a local server that answers each request after 200 ms.

1. the 200 checks (every source changed: fetch, parse, diff, write) one after another in this process;
2. the same checks (every source changed again) in one sweep by real Celery worker processes (threads
   pool), dispatched by the beat's service; the ratio is 1 / 2;
3. a sweep where all 200 answer 304 Not Modified: time and rows written (no snapshot rows);
4. the real OFAC SDN diff (sdn-2024-03-14.csv then sdn-2024-05-03.csv at one URL): 516 / 15 / 11.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/riskreg_watch REDIS_URL=redis://127.0.0.1:6379/3 \\
        .venv/bin/python bench/watch.py

Parts 2 and 3 need PostgreSQL and Redis (the worker is another process sharing the database); without them
they print "skipped". Works on a throwaway database it creates and drops.

Why threads: a check is almost all waiting on the network; threads keep many requests in flight with
one process's memory and need no extra dependency (gevent would also need a green PostgreSQL driver;
prefork would need 50 processes on a 2-core machine). What is left is CPU (feedparser, the ORM), and one
Python process uses one core, so the worker runs as one process per core: 2 x 25 threads here,
`celery -A riskreg worker --pool threads --concurrency 25` started twice (or under systemd/supervisor).
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from _harness import BASE_DIR, throwaway_database
from django.conf import settings
from django.db import connection
from django.utils import timezone

SOURCES = 200
DELAY = float(os.environ.get("WATCH_BENCH_DELAY", 0.2))
PROCESSES = int(os.environ.get("WATCH_BENCH_PROCESSES", 2))  # one worker process per core
THREADS = int(os.environ.get("WATCH_BENCH_THREADS", 25))  # threads in each: 50 checks in flight
SDN_DIR = BASE_DIR / "tests" / "data" / "lists" / "ofac"  # real list files, in the repository


class Feeds:
    """What the local server answers: a small feed per source, versioned, with an ETag."""

    version = 1
    honour_etag = False
    files: dict[str, bytes] = {}

    @classmethod
    def body(cls, n: int) -> bytes:
        items = "".join(
            f"<item><guid>{n}-{i}</guid><title>Notice {i} of source {n}</title>"
            f"<description>Revision {cls.version if i == 0 else 1}</description></item>"
            for i in range(10)
        )
        return f'<?xml version="1.0"?><rss version="2.0"><channel><title>s{n}</title>{items}</channel></rss>'.encode()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def do_GET(self):  # noqa: N802
        time.sleep(DELAY)
        if self.path in Feeds.files:
            body, etag = Feeds.files[self.path], ""
        else:
            n = int(self.path.rsplit("/", 1)[-1])
            etag = f'"{n}-v{Feeds.version}"'
            if Feeds.honour_etag and self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.end_headers()
                return
            body = Feeds.body(n)
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Content-Length", str(len(body)))
        if etag:
            self.send_header("ETag", etag)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class Server(ThreadingHTTPServer):
    daemon_threads = True
    # A class attribute, because listen() runs in the constructor: set on the instance afterwards (as this
    # bench did until November 2026) it left the default backlog of 5, so when 50 checks connected at once
    # the kernel dropped SYNs and some checks waited for the 1 s retransmit.
    request_queue_size = 256


def services_configured() -> bool:
    return os.environ.get("DATABASE_URL", "").startswith("postgres") and bool(os.environ.get("REDIS_URL"))


def rows() -> dict[str, int]:
    from riskreg.watch.models import Alert, ChangeEvent, CheckRecord, Snapshot

    return {
        "snapshots": Snapshot.objects.count(),
        "changes": ChangeEvent.objects.count(),
        "alerts": Alert.objects.count(),
        "check records": CheckRecord.objects.count(),
    }


def make_all_due() -> None:
    from riskreg.watch.models import WatchSource

    WatchSource.objects.update(next_check_at=timezone.now())


def start_workers(db_name: str) -> list[subprocess.Popen]:
    from riskreg.celery import app

    parts = urlsplit(os.environ["DATABASE_URL"])
    # Persistent connections per thread (DB_CONN_MAX_AGE): without them every check opens a new
    # PostgreSQL connection, and forking a backend per check costs more CPU than the check itself.
    env = {**os.environ, "DATABASE_URL": urlunsplit(parts._replace(path="/" + db_name)), "DB_CONN_MAX_AGE": "300"}
    procs, names = [], []
    for index in range(PROCESSES):
        name = f"bench{index}-{uuid.uuid4().hex[:6]}@localhost"
        log = open(Path(os.environ["RISKREG_DATA_DIR"]) / f"bench-worker-{index}.log", "wb")  # noqa: SIM115
        command = [sys.executable, "-m", "celery", "-A", "riskreg", "worker", "--pool", "threads"]
        command += ["--queues", settings.RISKREG_WATCH_QUEUE]  # the checks' own queue, as in production
        command += ["--concurrency", str(THREADS), "--hostname", name, "--without-gossip", "--without-mingle"]
        procs.append(
            subprocess.Popen([*command, "--loglevel", "WARNING"], cwd=BASE_DIR, env=env, stdout=log, stderr=log)
        )
        names.append(name)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if any(proc.poll() is not None for proc in procs):
            raise SystemExit("a worker exited; see bench-worker-*.log in RISKREG_DATA_DIR")
        if len(app.control.ping(destination=names, timeout=1.0)) == len(names):
            return procs
    for proc in procs:
        proc.kill()
    raise SystemExit("the workers did not answer within 60 s")


def cpu_seconds(procs: list[subprocess.Popen]) -> float:
    """User + system CPU the worker processes used so far (Linux /proc)."""
    total = 0
    for proc in procs:
        fields = Path(f"/proc/{proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def sweep_by_worker(expected_records: int) -> float:
    """Dispatch as beat does, then wait until every source has its check record."""
    from riskreg.watch.models import CheckRecord
    from riskreg.watch.services import watch_due_dispatch

    start = time.perf_counter()
    result = watch_due_dispatch()
    assert result.dispatched == SOURCES, result
    deadline = time.monotonic() + 120
    while CheckRecord.objects.count() < expected_records:
        if time.monotonic() > deadline:
            raise SystemExit(f"the sweep did not finish: {CheckRecord.objects.count()} of {expected_records} checks")
        time.sleep(0.02)
    return time.perf_counter() - start


def sdn_figure(base_url: str) -> None:
    from riskreg.watch.services import watch_source_check, watch_source_create

    if not (SDN_DIR / "sdn-2024-03-14.csv").exists():
        print(f"SDN diff: skipped: {SDN_DIR} not found")
        return
    Feeds.files["/sdn.csv"] = (SDN_DIR / "sdn-2024-03-14.csv").read_bytes()
    source = watch_source_create(name="bench SDN", kind="ofac-sdn-csv", url=f"{base_url}/sdn.csv")
    start = time.perf_counter()
    first = watch_source_check(source_id=source.pk)
    baseline_s = time.perf_counter() - start
    Feeds.files["/sdn.csv"] = (SDN_DIR / "sdn-2024-05-03.csv").read_bytes()
    start = time.perf_counter()
    second = watch_source_check(source_id=source.pk, force=True)
    diff_s = time.perf_counter() - start
    print(
        f"SDN diff: {first.status} in {baseline_s:.1f} s, then {second.status}: +{second.added} -{second.removed} "
        f"~{second.changed} in {diff_s:.1f} s (expected +516 -15 ~11: "
        f"{'ok' if (second.added, second.removed, second.changed) == (516, 15, 11) else 'MISMATCH'})"
    )


def figures(db_name: str) -> None:
    from riskreg.watch.services import watch_source_check, watch_source_create

    server = Server(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base_url = f"http://127.0.0.1:{server.server_address[1]}"
    workers: list[subprocess.Popen] = []
    try:
        ids = [
            watch_source_create(name=f"bench {n}", kind="rss", url=f"{base_url}/s/{n}", every_minutes=60).pk
            for n in range(SOURCES)
        ]
        print(
            f"{SOURCES} sources, each answer delayed {DELAY * 1000:.0f} ms, database {connection.vendor}, "
            f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
        )

        def one_after_another(expected: str) -> float:
            start = time.perf_counter()
            statuses = [watch_source_check(source_id=pk, force=True).status for pk in ids]
            assert statuses == [expected] * SOURCES, set(statuses)
            return time.perf_counter() - start

        if not services_configured():
            sequential = one_after_another("baseline")
            print(
                f"one after another (baseline checks): {sequential:.2f} s "
                f"({sequential / SOURCES * 1000:.0f} ms a check)"
            )
            print("worker sweep: skipped: needs DATABASE_URL=postgres://... and REDIS_URL")
            print("304 sweep: skipped: needs DATABASE_URL=postgres://... and REDIS_URL")
        else:
            workers = start_workers(db_name)
            make_all_due()
            baseline = sweep_by_worker(expected_records=SOURCES)
            print(f"baseline sweep by the worker (parse and store every source): {baseline:.2f} s")

            Feeds.version = 2  # every source changed: fetch, parse, diff, write
            sequential = one_after_another("changed")
            print(
                f"one after another, in this process, every source changed: {sequential:.2f} s "
                f"({sequential / SOURCES * 1000:.0f} ms a check)"
            )

            Feeds.version = 3  # changed again: the same work, now by the worker
            make_all_due()
            cpu = cpu_seconds(workers)
            concurrent = sweep_by_worker(expected_records=3 * SOURCES)
            cpu = cpu_seconds(workers) - cpu
            print(
                f"full sweep by the worker ({PROCESSES} processes x {THREADS} threads), every source changed: "
                f"{concurrent:.2f} s -> {sequential / concurrent:.1f}x faster than one after another (target >= 10x); "
                f"worker CPU {cpu / SOURCES * 1000:.0f} ms a check"
            )

            Feeds.honour_etag = True
            make_all_due()
            before = rows()
            cpu = cpu_seconds(workers)
            not_modified = sweep_by_worker(expected_records=4 * SOURCES)
            cpu = cpu_seconds(workers) - cpu
            after = rows()
            written = {name: after[name] - before[name] for name in after}
            print(
                f"304 sweep by the worker: {not_modified:.2f} s ({sequential / not_modified:.1f}x the sequential "
                f"sweep); rows written: {written} (target: 0 snapshots); "
                f"worker CPU {cpu / SOURCES * 1000:.0f} ms a check"
            )
        sdn_figure(base_url)
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            try:
                worker.wait(30)
            except subprocess.TimeoutExpired:
                worker.kill()
        server.shutdown()


def main() -> None:
    with throwaway_database() as db_name:
        figures(db_name)


if __name__ == "__main__":
    main()
