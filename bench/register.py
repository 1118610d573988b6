"""Register figures: SQL queries per API page (no N+1), and 50 concurrent sign-offs on PostgreSQL.

Run: .venv/bin/python bench/register.py   (DATABASE_URL=postgres://... for the concurrency part)

Works on a throwaway test database it creates and drops. Each figure is printed with its ratio
against a baseline measured in the same run:
- queries: the same serializers fed a plain queryset (no select_related / prefetch_related);
- concurrency: the same 50 attempts made one after another.
"""

from __future__ import annotations

import logging
import threading
import time
import warnings

from _harness import throwaway_database
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import use

SIZES = (1, 50)
THREADS = 50


def build_world():
    from django.contrib.auth.models import Group, User

    from models_catalog.models import AIModel, Organisation
    from riskreg.register import services
    from riskreg.register.models import AdoptionRequest, RequestEvent, RiskItem, SignOff

    users = {}
    for role in ("requester", "legal", "security", "procurement", "auditor"):
        users[role] = User.objects.create_user(f"bench-{role}", email=f"{role}@example.test")
        users[role].groups.add(Group.objects.get(name=role))
    org = Organisation.objects.create(name="Bench Developer", country="US")
    matrix = services.risk_matrix_default_get()
    worlds = {}
    for size in SIZES:
        model = AIModel.objects.create(
            name=f"Bench Model {size}", family="Bench", developer=org, licence="LicenseRef-Bench", weights="closed"
        )
        requests = []
        for _ in range(size):  # the list page holds `size` requests ...
            request = AdoptionRequest.objects.create(
                model=model,
                use_case="bench",
                access="cloud_marketplace",
                data_to="IE",
                data_classification="internal",
                requester=users["requester"],
                matrix=matrix,
                required_roles=["legal", "security", "procurement"],
                state="in_review",
                submitted_at=timezone.now(),
                review_round=size,
            )
            # ... each with `size` sign-offs (one per round), risk items and timeline events
            SignOff.objects.bulk_create(
                SignOff(
                    request=request,
                    review_round=n + 1,
                    role="legal",
                    signer=users["legal"],
                    decision="approve",
                    risk_state_sha256="0" * 64,
                )
                for n in range(size)
            )
            RiskItem.objects.bulk_create(
                RiskItem(
                    model=model,
                    request=request,
                    matrix=matrix,
                    category="security",
                    title=f"Risk {n}",
                    inherent_likelihood=3,
                    inherent_impact=4,
                    residual_likelihood=2,
                    residual_impact=2,
                    owner=users["legal"],
                )
                for n in range(size)
            )
            RequestEvent.objects.bulk_create(
                RequestEvent(request=request, actor=users["legal"], kind="signed_off", review_round=n + 1)
                for n in range(size)
            )
            requests.append(request)
        worlds[size] = (model, requests)
    return users, worlds


def count_queries(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def query_figures(users, worlds) -> None:
    from django.contrib.auth.models import User
    from rest_framework.test import APIClient

    from riskreg.register.api import AdoptionRequestDetailSerializer, AdoptionRequestListSerializer
    from riskreg.register.models import AdoptionRequest

    def client():
        c = APIClient()
        c.force_authenticate(User.objects.get(pk=users["legal"].pk))  # a fresh user: no cached permissions
        return c

    def get(url):
        c = client()

        def call():
            answer = c.get(url)
            assert answer.status_code == 200, answer.content

        return call

    print("SQL queries per page (legal reviewer; each request with N sign-offs, N risk items, N events)")
    results = {}
    for page in ("detail", "list"):
        for size in SIZES:
            model, requests = worlds[size]
            if page == "detail":
                optimised = count_queries(get(f"/api/adoption-requests/{requests[0].pk}/"))
                baseline = count_queries(
                    lambda r=requests[0]: AdoptionRequestDetailSerializer(AdoptionRequest.objects.get(pk=r.pk)).data
                )
            else:
                optimised = count_queries(get(f"/api/adoption-requests/?model__slug={model.slug}"))
                baseline = count_queries(
                    lambda m=model: (
                        AdoptionRequestListSerializer(AdoptionRequest.objects.filter(model=m), many=True).data
                    )
                )
            results[(page, size)] = (optimised, baseline)
            label = f"{page:6} N={size:<2}" + (f" ({size} requests on the page)" if page == "list" else "")
            print(
                f"  {label:42} {optimised:4d} queries   baseline (no prefetch) {baseline:5d}   "
                f"ratio {baseline / optimised:5.1f}x fewer"
            )
    for page in ("detail", "list"):
        small, large = results[(page, 1)][0], results[(page, 50)][0]
        verdict = "same count, no N+1" if small == large else f"DIFFERS ({small} vs {large})"
        print(f"  {page}: N=1 {small} vs N=50 {large}: {verdict}")


def concurrency_figures(users) -> None:
    from django.contrib.auth.models import Group, User

    from models_catalog.models import AIModel, Organisation
    from riskreg.register import services
    from riskreg.register.models import RequestEvent, RiskItem, SignOff

    org = Organisation.objects.create(name="Race Developer", country="US")
    model = AIModel.objects.create(
        name="Race Model", family="R", developer=org, licence="LicenseRef-R", weights="closed"
    )
    signers = []
    for role in ("legal", "security", "procurement"):
        for i in range(16):
            user = User.objects.create_user(f"race-{role}-{i}")
            user.groups.add(Group.objects.get(name=role))
            signers.append((user, role))
    attempts = signers + [(users["requester"], "legal"), (users["auditor"], "security")]
    assert len(attempts) == THREADS

    def fresh_request():
        request = services.adoption_request_create(
            requester=users["requester"],
            model=model,
            use_case="race",
            context=use(users["requester"], access="cloud_marketplace", data_to="IE"),
            data_classification="internal",
        )
        services.adoption_request_submit(request_id=request.pk, actor=users["requester"])
        for item in RiskItem.objects.filter(request=request, status=RiskItem.Status.PROPOSED):
            services.risk_item_accept(  # approval needs assessed items, High and Critical with residual levels
                item_id=item.pk,
                actor=signers[0][0],
                values={"residual_likelihood": 1, "residual_impact": 2, "treatment": "mitigate"},
            )
        return request

    def attempt(request_id, user, role, outcomes, index):
        try:
            services.sign_off_create(request_id=request_id, signer=user, role=role, decision="approve")
            outcomes[index] = "counted"
        except Exception as exc:
            outcomes[index] = type(exc).__name__

    def check(request, outcomes) -> str:
        request.refresh_from_db()
        counted = outcomes.count("counted")
        rows = SignOff.objects.filter(request=request).count()
        approvals = RequestEvent.objects.filter(request=request, kind="approved").count()
        ok = counted == rows == 3 and request.state == "approved" and approvals == 1
        refused = {name: outcomes.count(name) for name in sorted(set(outcomes)) if name != "counted"}
        return (
            f"counted {counted} (rows {rows}), state {request.state}, approved events {approvals}, "
            f"refused {refused}: {'consistent' if ok else 'INCONSISTENT'}"
        )

    # Baseline: the same 50 attempts one after another.
    request = fresh_request()
    outcomes = [""] * THREADS
    started = time.perf_counter()
    for index, (user, role) in enumerate(attempts):
        attempt(request.pk, user, role, outcomes, index)
    sequential = time.perf_counter() - started
    print(
        f"50 sign-off attempts, one after another (baseline): {sequential * 1000:7.1f} ms; {check(request, outcomes)}"
    )

    trials = 5
    for trial in range(1, trials + 1):
        request = fresh_request()
        outcomes = [""] * THREADS
        barrier = threading.Barrier(THREADS)

        def run(index, user, role, request_id=request.pk, outcomes=outcomes, barrier=barrier):
            try:
                barrier.wait()
                attempt(request_id, user, role, outcomes, index)
            finally:
                connection.close()

        threads = [threading.Thread(target=run, args=(i, u, r)) for i, (u, r) in enumerate(attempts)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
        print(
            f"50 concurrent sign-off attempts from 50 threads, trial {trial}: {elapsed * 1000:7.1f} ms "
            f"(ratio {elapsed / sequential:4.2f}x the sequential time); {check(request, outcomes)}"
        )


def main() -> None:
    # Decisions queue their e-mail notices after commit; without a broker here the notices stay for the
    # hourly sweep, which the register logs loudly. That is not what this script measures.
    for name in ("riskreg.register.services", "kombu", "django.request"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    warnings.filterwarnings("ignore", message="No directory at")
    with throwaway_database():
        print(f"database: {connection.vendor}")
        users, worlds = build_world()
        query_figures(users, worlds)
        if connection.vendor == "postgresql":
            concurrency_figures(users)
        else:
            print("concurrency: skipped (needs DATABASE_URL=postgres://...; SQLite has no row locks)")


if __name__ == "__main__":
    main()
