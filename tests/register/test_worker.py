"""End to end on the real broker: a watch alert reopens an approval and a real worker sends the notice."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User
from django.db import transaction

from models_catalog.models import AIModel, Organisation
from riskreg.core.events import ChangeKind, material_change_announce
from riskreg.core.roles import roles_sync
from riskreg.register import services
from riskreg.register.models import RequestEvent, RiskItem
from tests.conftest import wait_for
from tests.factories import use


@pytest.mark.services
def test_a_watch_alert_reopens_an_approval_and_the_worker_tells_the_signers(celery_worker_process, transactional_db):
    roles_sync()
    services.risk_matrix_default_get()
    users = {}
    for role in ("requester", "legal", "security", "procurement"):
        users[role] = User.objects.create_user(f"w-{role}", email=f"{role}@example.test")
        users[role].groups.add(Group.objects.get(name=role))
    org = Organisation.objects.create(name="Worker Org", country="US")
    model = AIModel.objects.create(name="Worker Model", family="W", developer=org, licence="MIT", weights="api_only")
    request = services.adoption_request_create(
        requester=users["requester"],
        model=model,
        use_case="e2e",
        context=use(users["requester"], access="cloud_marketplace", data_to="IE"),
        data_classification="public",
    )
    services.adoption_request_submit(request_id=request.pk, actor=users["requester"])
    for item in RiskItem.objects.filter(request=request, status=RiskItem.Status.PROPOSED):
        services.risk_item_accept(item_id=item.pk, actor=users["legal"])  # approval needs assessed items
    for role in ("legal", "security", "procurement"):
        services.sign_off_create(request_id=request.pk, signer=users[role], role=role, decision="approve")

    with transaction.atomic():
        material_change_announce(
            model_ids=[model.pk], kind=ChangeKind.WATCH_ALERT, reason="Alert on the developer", reference="alert:e2e"
        )

    # The change is on record at commit; the worker applies it (reopens) and then sends the notice.
    wait_for(lambda: RequestEvent.objects.filter(request=request, kind="reopened").exists(), timeout=60)
    request.refresh_from_db()
    assert request.state == "reopened"
    event = RequestEvent.objects.get(request=request, kind="reopened")
    wait_for(lambda: RequestEvent.objects.filter(pk=event.pk, notified_at__isnull=False).exists(), timeout=60)
