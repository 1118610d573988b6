"""The use figures (issue 21): the demo's three GLM-5 requests, whose uses differ, side by side (our role, the
obligations that apply, the risk items with their suggested levels, each with its source), then the pages'
budget: SQL queries and median server time of each request page, the home page and the dossier, against the
admin's change page of the same request (what legal used before) measured in the same process.

Run: .venv/bin/python bench/uses.py   (SQLite by default; DATABASE_URL=postgres://... for PostgreSQL)

Works on a throwaway test database it creates and drops and loads the demo into (without its memos). Pages are
asked through Django's test client as `legal` (middleware, session, queries, templates; no network); each time is
the median of ROUNDS requests after one warm-up. Prints the machine's load average first, so a rerun elsewhere
can be compared.
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

ROUNDS = 15
BUDGET_QUERIES, BUDGET_MS = 25, 150


def measure(client: Client, url: str) -> tuple[float, int]:
    response = client.get(url)  # warm-up
    assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    count = len(queries)
    times = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), count


def use_table() -> None:
    from riskreg.register import rules
    from riskreg.register.context import AdoptionContext
    from riskreg.register.demo import GLM5_USES
    from riskreg.register.models import AdoptionRequest
    from riskreg.register.obligations import request_obligations
    from riskreg.register.our_role import our_roles

    for key, (use_case, _context, _classification) in GLM5_USES.items():
        request = AdoptionRequest.objects.select_related("model", "model__developer").get(use_case=use_case)
        context = AdoptionContext.of(request)
        print(f"\n## {key}: request #{request.pk}, {use_case} ({request.get_state_display().lower()})")
        print(
            f"   use: {request.get_use_case_area_display()}; {request.get_access_display()}; "
            f"{request.get_modification_display()}; output for {request.get_users_display().lower()}; "
            f"in {', '.join(request.jurisdictions)}; personal data: {', '.join(request.personal_data) or 'none'}"
            + (f"; data to {request.data_to}" if request.data_to else "")
        )
        for where, role in our_roles(context=context, model=request.model).items():
            also = "".join(f"; also {a['role_label']} ({a['citation']})" for a in role.get("also", []))
            print(f"   role {where}: {role['role_label']} ({role.get('citation') or 'no role in law'}){also}")
        obligations = request_obligations(request=request)
        for holder, label in (("us", "ours"), ("developer", "the developer's")):
            rows = [o for o in obligations if o["holder"] == holder]
            print(f"   obligations, {label}: {len(rows)}")
            for o in rows:
                state = "in force" if o["in_force"] else f"from {o['applies_from']}"
                exempt = " [exempt]" if o["exempt"] else ""
                print(f"     - {o['jurisdiction']} {state}: {o['title'][:70]}{exempt} | {o['citation'][:90]}")
        risks = sorted(rules.derive(model=request.model, context=context), key=lambda r: -r.likelihood * r.impact)
        print(f"   risk items proposed: {len(risks)}")
        for risk in risks:
            print(f"     - L{risk.likelihood} x I{risk.impact} = {risk.likelihood * risk.impact:2d}  {risk.title[:95]}")


def page_budget() -> None:
    from django.contrib.auth.models import User

    from riskreg.register.demo import GLM5_USES
    from riskreg.register.models import AdoptionRequest

    client = Client()
    client.force_login(User.objects.get(username="legal"))
    print(f"\n## pages as legal: {ROUNDS} requests each, median server time (budget {BUDGET_QUERIES} queries)")
    for key, (use_case, _context, _classification) in GLM5_USES.items():
        request = AdoptionRequest.objects.get(use_case=use_case)
        base_ms, base_q = measure(client, f"/admin/register/adoptionrequest/{request.pk}/change/")
        ms, q = measure(client, f"/requests/{request.pk}/")
        print(
            f"   request #{request.pk} ({key:7s}) {ms:7.1f} ms {q:3d} queries | baseline admin page "
            f"{base_ms:7.1f} ms {base_q:3d} queries | x{ms / base_ms:4.2f}"
        )
    for label, url in (("home", "/"), ("GLM-5 dossier", "/models/glm-5/")):
        ms, q = measure(client, url)
        print(f"   {label:22s} {ms:7.1f} ms {q:3d} queries")
    requester = Client()
    requester.force_login(User.objects.get(username="requester"))
    for label, url in (("new request (requester)", "/requests/new/?model=glm-5"), ("home (requester)", "/")):
        ms, q = measure(requester, url)
        print(f"   {label:22s} {ms:7.1f} ms {q:3d} queries")


def main() -> None:
    for name in ("riskreg", "kombu", "django.request", "celery"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    warnings.filterwarnings("ignore")
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; cores: {os.cpu_count()}")
    with throwaway_database():
        with open(os.devnull, "w") as quiet:
            call_command("load_demo", "--without-memos", stdout=quiet, stderr=quiet)
        print(f"database: {connection.vendor}")
        use_table()
        page_budget()


if __name__ == "__main__":
    main()
