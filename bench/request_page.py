"""Request page figures: server time and SQL queries of /requests/<id>/ on the demo register, against the admin's
page of the same request (what legal used before) measured in the same process.

Run: .venv/bin/python bench/request_page.py   (SQLite by default; DATABASE_URL=postgres://... for PostgreSQL)

Works on a throwaway test database it creates and drops, loads the demo (without rendering its memo), and asks
each page through Django's test client as `legal` (middleware, session, queries, templates; no network). Each
time is the median of ROUNDS requests after one warm-up request. The pages are measured for the demo's GLM-5
request (6 risk items) and again after adding 50 risk items to it, to show the cost per item.
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
from django.test.utils import CaptureQueriesContext

ROUNDS = 20
ADDED_ITEMS = 50


def measure(client: Client, url: str) -> tuple[float, int]:
    response = client.get(url)  # warm-up
    assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    count = len(queries)  # now: later requests empty the query log this counts from
    times = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), count


def main() -> None:
    for name in ("riskreg", "kombu", "django.request", "celery"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    warnings.filterwarnings("ignore")
    with throwaway_database():
        with open(os.devnull, "w") as quiet:
            call_command("load_demo", "--without-memos", stdout=quiet, stderr=quiet)
        from django.contrib.auth.models import User

        from riskreg.register.models import AdoptionRequest, RiskItem

        legal = User.objects.get(username="legal")
        client = Client()
        client.force_login(legal)
        adoption = AdoptionRequest.objects.get(model__slug="glm-5", use_case="Coding assistant for the platform team")
        page, admin_page = f"/requests/{adoption.pk}/", f"/admin/register/adoptionrequest/{adoption.pk}/change/"
        print(f"database: {connection.vendor}; {ROUNDS} requests per page, median server time, as legal")
        for label in ("demo GLM-5 request", f"same request + {ADDED_ITEMS} risk items"):
            items = RiskItem.objects.filter(request=adoption).count()
            base_ms, base_q = measure(client, admin_page)
            ms, q = measure(client, page)
            print(f"{label} ({items} items)")
            print(f"  baseline  admin change page  {base_ms:7.1f} ms  {base_q:3d} queries")
            print(f"  request page                 {ms:7.1f} ms  {q:3d} queries  x{ms / base_ms:4.2f} of the baseline")
            if label.startswith("demo"):
                RiskItem.objects.bulk_create(
                    RiskItem(
                        model=adoption.model,
                        request=adoption,
                        matrix=adoption.matrix,
                        category="security",
                        title=f"Manual risk {number}",
                        inherent_likelihood=3,
                        inherent_impact=3,
                        assessed_by=legal,
                    )
                    for number in range(ADDED_ITEMS)
                )


if __name__ == "__main__":
    main()
