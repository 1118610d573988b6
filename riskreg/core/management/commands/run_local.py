"""Run the web server, the Celery workers and Celery beat together, for `make run`.

Two workers, one per queue, so memos, imports and notifications never wait behind slow watch sources:
"worker" (prefork, the default queue, where Celery's time limits apply) and "watch" (threads, the source
checks, bounded by the fetch deadline and the check's claim). With no REDIS_URL they and beat talk through
the SQLite broker file under RISKREG_DATA_DIR, so a laptop needs neither Redis nor Docker, and a task whose
worker is killed is not lost. Ctrl-C stops them all; if one dies, the others are stopped.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand


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
            "web": [python, "manage.py", "runserver", f"{options['host']}:{options['port']}", "--noreload"],
            "worker": [
                *celery,
                "worker",
                "--queues",
                settings.CELERY_TASK_DEFAULT_QUEUE,
                "--hostname",
                "default@%h",
                "--concurrency",
                "2",
                "--loglevel",
                "INFO",
            ],
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
        try:
            while not stopping:
                for name, proc in processes.items():
                    if proc.poll() is not None:
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
