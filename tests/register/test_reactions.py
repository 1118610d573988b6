"""Durable reactions: a material change is a row first, applied by a retried task, and nothing is applied twice."""

from __future__ import annotations

import datetime
import os

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from riskreg.core.events import ChangeKind, material_change, material_change_announce
from riskreg.core.models import MaterialChange
from riskreg.core.services import (
    MATERIAL_CHANGE_MAX_ATTEMPTS,
    MaterialChangeIncomplete,
    material_change_stale_after,
    material_changes_resend_stuck,
)
from riskreg.core.tasks import material_change_apply_task, stuck_work_sweep
from riskreg.register import services
from riskreg.register.models import AdoptionRequest, RequestEvent
from riskreg.register.tasks import request_event_notify_task, request_notices_send_pending
from tests.conftest import staff_client, wait_for
from tests.factories import use


def second_approval(llama4, requester, legal, security, procurement) -> AdoptionRequest:
    request = services.adoption_request_create(
        requester=requester,
        model=llama4,
        use_case="Draft replies",
        context=use(requester, access="cloud_marketplace", data_to="IE"),
        data_classification="public",
    )
    services.adoption_request_submit(request_id=request.pk, actor=requester)
    for user in (legal, security, procurement):
        services.sign_off_create(request_id=request.pk, signer=user, role=user.username, decision="approve")
    request.refresh_from_db()
    assert request.state == "approved"
    return request


def announce_alert(llama4) -> MaterialChange:
    with transaction.atomic():
        return material_change_announce(
            model_ids=[llama4.pk],
            kind=ChangeKind.WATCH_ALERT,
            reason="Entity List rule names Meta",
            reference="alert:9",
        )


def reopen_events(request: AdoptionRequest):
    return RequestEvent.objects.filter(request=request, kind=RequestEvent.Kind.REOPENED)


def test_a_material_change_is_a_row_written_with_the_fact_and_rolled_back_with_it(
    approved, llama4, django_capture_on_commit_callbacks
):
    recorded = MaterialChange.objects.count()  # the fixtures' claims were changes too
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(RuntimeError):
        with transaction.atomic():
            material_change_announce(model_ids=[llama4.pk], kind="claim", reason="x", reference="claim:1")
            raise RuntimeError("the fact rolled back")
    assert MaterialChange.objects.count() == recorded and callbacks == []

    with django_capture_on_commit_callbacks() as callbacks:
        change = material_change_announce(model_ids=[llama4.pk, llama4.pk], kind="claim", reason="x", reference="c:2")

    change.refresh_from_db()
    assert (change.model_ids, change.kind, change.attempts, change.applied_at) == ([llama4.pk], "claim", 0, None)
    assert len(callbacks) == 1  # the apply task, queued only once the fact committed
    approved.refresh_from_db()
    assert approved.state == "approved"  # nothing applied until the task runs


def test_applying_a_change_twice_reopens_once_and_tells_the_signers_once(approved, llama4):
    change = announce_alert(llama4)

    assert material_change_apply_task(change.pk) == "applied"
    assert material_change_apply_task(change.pk) == "applied"

    change.refresh_from_db()
    assert change.applied_at is not None and change.attempts == 1  # the second call saw it applied
    event = reopen_events(approved).get()
    assert event.detail["change_id"] == change.pk
    assert request_event_notify_task(event.pk) == 4 and request_event_notify_task(event.pk) == 0
    assert len([m for m in mail.outbox if "reopened" in m.subject]) == 1


def test_a_reaction_that_fails_half_way_is_completed_on_retry_with_nothing_applied_twice(
    approved, llama4, requester, legal, security, procurement, django_capture_on_commit_callbacks
):
    other = second_approval(llama4, requester, legal, security, procurement)
    change = announce_alert(llama4)
    failures = ["the notification service is down"]

    def flaky_receiver(sender, **kwargs):  # runs after the register has reopened both requests
        if failures:
            raise ConnectionError(failures.pop())

    material_change.connect(flaky_receiver, weak=False, dispatch_uid="test-flaky-reaction")
    try:
        with django_capture_on_commit_callbacks(execute=False) as notices, pytest.raises(MaterialChangeIncomplete):
            material_change_apply_task(change.pk)
        change.refresh_from_db()
        assert change.applied_at is None and change.attempts == 1
        assert "ConnectionError: the notification service is down" in change.last_error
        assert reopen_events(approved).count() == 1 and reopen_events(other).count() == 1  # half done, committed

        with django_capture_on_commit_callbacks(execute=False) as more_notices:
            material_change_apply_task(change.pk)  # the retry
    finally:
        material_change.disconnect(dispatch_uid="test-flaky-reaction")

    change.refresh_from_db()
    assert change.applied_at is not None and change.attempts == 2
    for request in (approved, other):
        request.refresh_from_db()
        assert request.state == "reopened" and request.review_round == 2  # reopened once, not twice
        assert reopen_events(request).count() == 1
    assert len(notices) == 2 and more_notices == []  # one notice per reopened request, none from the retry
    for event in RequestEvent.objects.filter(kind=RequestEvent.Kind.REOPENED):
        request_event_notify_task(event.pk)
        request_event_notify_task(event.pk)
    assert len([m for m in mail.outbox if "reopened" in m.subject]) == 2


def test_the_stuck_work_sweep_sends_again_a_change_not_applied_past_its_limit(approved, llama4):
    stale = timezone.now() - material_change_stale_after() - datetime.timedelta(seconds=1)
    lost = announce_alert(llama4)  # its message was lost: never attempted
    retried = material_change_announce(model_ids=[llama4.pk], kind="claim", reason="x", reference="claim:3")
    fresh = material_change_announce(model_ids=[llama4.pk], kind="claim", reason="y", reference="claim:4")
    given_up = material_change_announce(model_ids=[llama4.pk], kind="claim", reason="z", reference="claim:5")
    MaterialChange.objects.filter(pk=lost.pk).update(created_at=stale)
    MaterialChange.objects.filter(pk=retried.pk).update(attempts=2, last_attempt_at=stale, last_error="boom")
    MaterialChange.objects.filter(pk=fresh.pk).update(attempts=1, last_attempt_at=timezone.now())
    MaterialChange.objects.filter(pk=given_up.pk).update(attempts=MATERIAL_CHANGE_MAX_ATTEMPTS, last_attempt_at=stale)

    assert material_changes_resend_stuck() == {"material changes": 2, "material changes failed": 1}
    assert stuck_work_sweep()["material changes"] == 2  # the beat task asks core too

    material_change_apply_task(retried.pk)  # what the re-sent task does
    assert reopen_events(approved).get().detail["change_id"] == retried.pk


def test_a_change_applied_late_leaves_alone_the_requests_filed_after_it(
    llama4, requester, legal, security, procurement
):
    """The worker was down: the change is applied after a request was filed and approved knowing the fact."""
    change = announce_alert(llama4)
    later = second_approval(llama4, requester, legal, security, procurement)

    material_change_apply_task(change.pk)

    later.refresh_from_db()
    assert later.state == "approved" and not reopen_events(later).exists()
    assert MaterialChange.objects.get(pk=change.pk).applied_at is not None


def test_legal_and_auditors_read_the_material_changes_and_nobody_edits_them(approved, llama4, legal, auditor):
    change = announce_alert(llama4)
    MaterialChange.objects.filter(pk=change.pk).update(attempts=1, last_error="ConnectionError: mail server down")

    for user in (legal, auditor):
        client = staff_client(user)
        page = client.get("/admin/core/materialchange/")
        assert page.status_code == 200
        assert "Being retried. Last error: ConnectionError: mail server down" in page.text and "alert:9" in page.text
        assert client.get(f"/admin/core/materialchange/{change.pk}/change/").status_code == 200
        assert client.get("/admin/core/materialchange/add/").status_code == 403
        assert client.post(f"/admin/core/materialchange/{change.pk}/delete/", {"post": "yes"}).status_code == 403
    assert MaterialChange.objects.filter(pk=change.pk).exists()


def test_a_requester_cannot_read_the_material_changes(requester):
    assert staff_client(requester).get("/admin/core/materialchange/").status_code == 403


@pytest.mark.services
def test_a_worker_killed_mid_reaction_on_redis_completes_it_once_on_redelivery(
    start_worker, transactional_db, approved, llama4, requester, legal, security, procurement
):
    """kill -9 of the pool process while it applies a change: the first request is reopened (committed), the
    second is locked by this test so the worker waits there. The redelivered task reopens the second one and
    leaves the first alone: one reopen event and one notice each."""
    other = second_approval(llama4, requester, legal, security, procurement)
    worker = start_worker()
    change = MaterialChange.objects.create(
        kind=ChangeKind.WATCH_ALERT, model_ids=[llama4.pk], reason="Entity List rule names Meta", reference="alert:9"
    )

    with transaction.atomic():
        AdoptionRequest.objects.select_for_update().get(pk=max(approved.pk, other.pk))  # the worker waits on it
        material_change_apply_task.apply_async(args=[change.pk], queue=worker.queue)
        first = AdoptionRequest.objects.get(pk=min(approved.pk, other.pk))
        wait_for(lambda: reopen_events(first).exists(), timeout=30, interval=0.05)
        for pid in worker.pool_pids():
            os.kill(pid, 9)

    wait_for(lambda: MaterialChange.objects.filter(pk=change.pk, applied_at__isnull=False).exists(), timeout=60)
    change.refresh_from_db()
    assert change.attempts == 2  # the killed attempt and its redelivery
    for request in (approved, other):
        request.refresh_from_db()
        assert request.state == "reopened" and request.review_round == 2
        assert reopen_events(request).count() == 1
    # The first reopen's notice is queued after its commit, so the kill may take it along; the hourly notice sweep
    # (its 10 minutes pass, simulated) sends what is unsent, and a notice is claimed per event: sent once.
    RequestEvent.objects.filter(kind=RequestEvent.Kind.REOPENED).update(at=timezone.now() - datetime.timedelta(hours=1))
    request_notices_send_pending.apply_async(queue=worker.queue)
    wait_for(
        lambda: not RequestEvent.objects.filter(kind=RequestEvent.Kind.REOPENED, notified_at__isnull=True).exists(),
        timeout=60,
    )
