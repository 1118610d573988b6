"""Concurrent sign-offs on PostgreSQL: exactly the valid ones count and no state is skipped."""

from __future__ import annotations

import threading

import pytest
from django.contrib.auth.models import Group, User
from django.db import connection

from models_catalog.models import AIModel, Organisation
from riskreg.core.roles import roles_sync
from riskreg.register import services
from riskreg.register.models import AdoptionRequest, RequestEvent, RiskItem, SignOff
from tests.factories import LicenceFactory, use

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks need PostgreSQL (DATABASE_URL=postgres://...)"
    ),
]


def make_user(name: str, role: str | None) -> User:
    user = User.objects.create_user(name, email=f"{name}@example.test")
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def race():
    roles_sync()
    services.risk_matrix_default_get()
    requester = make_user("race-requester", "requester")
    org = Organisation.objects.create(name="Race Org", country="US")
    LicenceFactory(identifier="LicenseRef-X")  # terms on record: no unknown-licence item to assess
    model = AIModel.objects.create(
        name="Race Model", family="R", developer=org, licence="LicenseRef-X", weights="closed"
    )
    request = services.adoption_request_create(
        requester=requester,
        model=model,
        use_case="race",
        context=use(requester, access="cloud_marketplace", data_to="IE"),
        data_classification="internal",
    )
    services.adoption_request_submit(request_id=request.pk, actor=requester)
    assessor = make_user("race-assessor", "legal")
    for item in RiskItem.objects.filter(request=request, status=RiskItem.Status.PROPOSED):
        services.risk_item_accept(item_id=item.pk, actor=assessor)  # nobody approves unassessed proposals
    return request, requester


def attempt_all(request_id: int, attempts: list[tuple[User, str]]) -> list[str]:
    barrier = threading.Barrier(len(attempts))
    outcomes: list[str] = [""] * len(attempts)

    def run(index: int, user: User, role: str) -> None:
        try:
            barrier.wait()
            services.sign_off_create(request_id=request_id, signer=user, role=role, decision="approve")
            outcomes[index] = "counted"
        except Exception as exc:  # every refusal is an expected outcome here
            outcomes[index] = type(exc).__name__
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, u, r)) for i, (u, r) in enumerate(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_twenty_concurrent_sign_offs_count_one_per_role_and_approve_once(race):
    request, requester = race
    attempts = [
        (make_user(f"{role}-{i}", role), role) for role in ("legal", "security", "procurement") for i in range(6)
    ]
    attempts += [(requester, "legal"), (make_user("race-auditor", "auditor"), "legal")]

    outcomes = attempt_all(request.pk, attempts)

    request.refresh_from_db()
    assert outcomes.count("counted") == 3
    assert set(outcomes) <= {"counted", "SignOffConflict", "Refused", "BadInput"}  # riskreg.core.errors
    assert sorted(SignOff.objects.filter(request=request).values_list("role", flat=True)) == [
        "legal",
        "procurement",
        "security",
    ]
    assert request.state == "approved"
    assert RequestEvent.objects.filter(request=request, kind="approved").count() == 1


def test_the_last_sign_off_racing_ten_ways_approves_exactly_once(race):
    request, _ = race
    services.sign_off_create(request_id=request.pk, signer=make_user("l", "legal"), role="legal", decision="approve")
    services.sign_off_create(
        request_id=request.pk, signer=make_user("s", "security"), role="security", decision="approve"
    )

    outcomes = attempt_all(request.pk, [(make_user(f"p{i}", "procurement"), "procurement") for i in range(10)])

    request.refresh_from_db()
    assert outcomes.count("counted") == 1
    assert request.state == "approved"
    assert AdoptionRequest.objects.get(pk=request.pk).expires_on is not None
    assert RequestEvent.objects.filter(request=request, kind="approved").count() == 1
