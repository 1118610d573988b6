"""Approvals expire on their date and come back for review."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from riskreg.register import services
from riskreg.register.models import RequestEvent
from riskreg.register.tasks import adoption_requests_expire, request_event_notify_task


def test_an_approval_expires_on_its_date(approved):
    expired = services.adoption_requests_expire_due(today=approved.expires_on)

    approved.refresh_from_db()
    assert expired == [approved.pk]
    assert approved.state == "expired"


def test_an_approval_does_not_expire_before_its_date(approved):
    assert services.adoption_requests_expire_due(today=approved.expires_on - datetime.timedelta(days=1)) == []


def test_the_hourly_task_expires_due_approvals_once(approved):
    type(approved).objects.filter(pk=approved.pk).update(expires_on=timezone.localdate())

    assert adoption_requests_expire() == 1
    assert adoption_requests_expire() == 0
    assert RequestEvent.objects.filter(request=approved, kind="expired").count() == 1


def test_the_signers_and_requester_are_told_of_the_expiry(approved):
    services.adoption_requests_expire_due(today=approved.expires_on)
    event = RequestEvent.objects.get(request=approved, kind="expired")

    assert request_event_notify_task(event.pk) == 4
    assert "expired" in mail.outbox[-1].subject


def test_an_expired_approval_is_renewed_by_submitting_it_again(approved, requester, legal):
    services.adoption_requests_expire_due(today=approved.expires_on)

    services.adoption_request_submit(request_id=approved.pk, actor=requester)

    approved.refresh_from_db()
    assert approved.state == "in_review"
    assert approved.review_round == 2
    assert approved.expires_on is None
    services.sign_off_create(request_id=approved.pk, signer=legal, role="legal", decision="approve")


def test_procurement_shortens_an_approval_to_a_pilot_period(approved, procurement):
    pilot_end = timezone.localdate() + datetime.timedelta(days=21)

    services.adoption_request_expiry_set(
        request_id=approved.pk, actor=procurement, expires_on=pilot_end, reason="Three-week pilot"
    )

    approved.refresh_from_db()
    assert approved.expires_on == pilot_end
    assert RequestEvent.objects.get(request=approved, kind="expiry_changed").detail["reason"] == "Three-week pilot"


def test_an_approval_cannot_be_extended_beyond_the_validity(approved, procurement, settings):
    too_late = timezone.localdate() + datetime.timedelta(days=settings.RISKREG_APPROVAL_VALIDITY_DAYS + 1)

    with pytest.raises(ValidationError) as refused:
        services.adoption_request_expiry_set(request_id=approved.pk, actor=procurement, expires_on=too_late, reason="x")

    assert "expires_on" in refused.value.message_dict


def test_the_requester_cannot_change_the_expiry(approved, requester):
    with pytest.raises(PermissionDenied):
        services.adoption_request_expiry_set(
            request_id=approved.pk, actor=requester, expires_on=timezone.localdate(), reason="x"
        )


def test_unsent_notices_are_queued_by_the_hourly_sweep(approved, django_capture_on_commit_callbacks):
    RequestEvent.objects.update(at=timezone.now() - datetime.timedelta(hours=1))

    with django_capture_on_commit_callbacks():
        pending = services.request_events_notify_pending()

    assert set(pending) == set(
        RequestEvent.objects.filter(request=approved, kind__in=["submitted", "approved"]).values_list("pk", flat=True)
    )
