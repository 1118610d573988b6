"""Run the web server, the Celery workers and Celery beat together, for `make run`.

The web server is gunicorn with DEBUG off (as a server runs the register), Django's runserver with DEBUG on.

Two workers, one per queue, so memos and imports never wait behind watch checks, evidence captures, webhooks and
material changes: "worker" (the default queue) and "watch" (threads, bounded by the fetch deadline and the
check's claim). With no REDIS_URL they and beat talk through the SQLite broker file under RISKREG_DATA_DIR, so a
laptop needs neither Redis nor Docker. On that broker the default worker runs one task at a time in its own
process (``--pool solo``): a prefork pool process killed while idle left billiard's job-queue lock held and the
worker waited forever (issue 26 item 5); a solo worker has no pool to lose. A worker that dies is started again
(the stuck-work sweep sends again what it held); Ctrl-C stops them all; if the web or beat dies, all stop.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand

WORKERS = ("worker", "watch")
MAX_RESTARTS_A_MINUTE = 5


def default_worker_command(celery: list[str]) -> list[str]:
    """The default queue's worker: prefork with two processes on Redis (Celery's time limits apply); on the
    embedded SQLite broker one process, one task at a time (``--pool solo``), which no lost pool process can
    deadlock."""
    pool = ["--pool", "solo"] if not settings.REDIS_URL else ["--concurrency", "2"]
    return [
        *celery,
        "worker",
        "--queues",
        settings.CELERY_TASK_DEFAULT_QUEUE,
        "--hostname",
        "default@%h",
        *pool,
        "--loglevel",
        "INFO",
    ]


def web_command(python: str, host: str, port: int) -> list[str]:
    """gunicorn, as a server runs the register (static files through WhiteNoise, the register's own error pages);
    with DEBUG on, Django's runserver and its technical pages, for developers."""
    if settings.DEBUG:
        return [python, "manage.py", "runserver", f"{host}:{port}", "--noreload"]
    return [
        python,
        "-m",
        "gunicorn",
        "riskreg.wsgi",
        "--bind",
        f"{host}:{port}",
        "--workers",
        "2",
        "--timeout",
        "120",
        "--access-logfile",
        "-",
    ]


class Command(BaseCommand):
    help = "Run web + Celery workers (default and watch queues) + Celery beat in the foreground (local use)."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--host", default="127.0.0.1")

    def handle(self, *args, **options):
        python = sys.executable
        schedule = settings.RISKREG_DATA_DIR / "celerybeat-schedule"
        celery = [python, "-m", "celery", "-A", "riskreg"]
        commands = {
            "web": web_command(python, options["host"], options["port"]),
            "worker": default_worker_command(celery),
            "watch": [
                *celery,
                "worker",
                "--queues",
                settings.RISKREG_WATCH_QUEUE,
                "--hostname",
                "watch@%h",
                "--pool",
                "threads",
                "--concurrency",
                "8",
                "--loglevel",
                "INFO",
            ],
            "beat": [
                *celery,
                "beat",
                "--loglevel",
                "INFO",
                "--schedule",
                str(schedule),
            ],
        }
        broker = "Redis" if settings.REDIS_URL else f"SQLite broker in {settings.RISKREG_DATA_DIR}"
        self.stdout.write(f"starting web, workers (default and watch queues) and beat ({broker}); Ctrl-C stops them")
        processes = {name: subprocess.Popen(cmd, start_new_session=True) for name, cmd in commands.items()}
        self.stdout.write(
            self.style.SUCCESS(
                f"riskreg: http://{options['host']}:{options['port']}/admin/  "
                f"API: http://{options['host']}:{options['port']}/api/  docs: /api/docs/"
            )
        )
        stopping = False

        def stop(*_args):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        restarts: list[float] = []
        try:
            while not stopping:
                for name, proc in processes.items():
                    if proc.poll() is None:
                        continue
                    recent = [at for at in restarts if at > time.monotonic() - 60]
                    if name in WORKERS and len(recent) < MAX_RESTARTS_A_MINUTE:
                        self.stderr.write(f"{name} exited with {proc.returncode}; starting it again")
                        restarts[:] = [*recent, time.monotonic()]
                        processes[name] = subprocess.Popen(commands[name], start_new_session=True)
                        continue
                    self.stderr.write(f"{name} exited with {proc.returncode}; stopping the others")
                    stopping = True
                    break
                time.sleep(0.5)
        finally:
            for proc in processes.values():
                if proc.poll() is None:
                    os.killpg(proc.pid, signal.SIGTERM)
            deadline = time.monotonic() + 15
            for proc in processes.values():
                try:
                    proc.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
