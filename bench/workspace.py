"""Workspace figures: server time per page on the demo register, against the admin's model list in the same run.

Run: .venv/bin/python bench/workspace.py   (SQLite by default; DATABASE_URL=postgres://... for PostgreSQL)

Works on a throwaway test database it creates and drops, loads the demo (without rendering its memo) and asks
each page through Django's test client as `legal` (the whole request: middleware, session, queries,
templates; no network). Each figure is the median of ROUNDS requests after one warm-up request, printed with its
ratio against the baseline measured in the same process: the admin's changelist of AI models
(/admin/models_catalog/aimodel/), the page a user had before the workspace existed. Target: < 150 ms per page.
"""

from __future__ import annotations

import logging
import os
import statistics
import time
import warnings

from _harness import throwaway_database
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone

ROUNDS = 30
TARGET_MS = 150
BASELINE = "/admin/models_catalog/aimodel/"


def median_ms(client: Client, url: str) -> float:
    response = client.get(url)  # warm-up: template loading, caches
    assert response.status_code == 200, (url, response.status_code)
    times = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    for name in ("riskreg", "kombu", "django.request", "celery"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    warnings.filterwarnings("ignore")
    with throwaway_database():
        with open(os.devnull, "w") as quiet:
            call_command("load_demo", "--without-memos", stdout=quiet, stderr=quiet)
        from django.contrib.auth.models import User

        client = Client()
        client.force_login(User.objects.get(username="legal"))
        today = timezone.localdate().isoformat()
        print(f"database: {connection.vendor}; {ROUNDS} requests per page, median server time, as legal")
        baseline = median_ms(client, BASELINE)
        print(f"baseline  {BASELINE:<34} {baseline:7.1f} ms")
        for url in ("/", "/models/glm-5/", f"/?as_of={today}", f"/models/glm-5/?as_of={today}"):
            ms = median_ms(client, url)
            verdict = "ok" if ms < TARGET_MS else f"OVER {TARGET_MS} ms"
            print(f"page      {url:<34} {ms:7.1f} ms  x{ms / baseline:4.2f} of the baseline  {verdict}")


if __name__ == "__main__":
    main()
