"""Material changes reopen approvals: watch alerts, confirmed screening hits, changed claims and guidance."""

from __future__ import annotations

import pytest
from django.core import mail
from django.utils import timezone

from models_catalog.models import ModelGuidanceStatus, ProvenanceClaim
from models_catalog.selectors import models_for_organisations
from riskreg.core.events import ChangeKind, material_change_announce
from riskreg.register import services
from riskreg.register.models import RequestEvent, SignOff
from riskreg.register.tasks import request_event_notify_task
from riskreg.screening.models import ListEntry, SanctionsList, ScreeningHit
from tests.factories import use
from tests.reactions import applied_on_commit


def announce(captured, **kwargs):
    with applied_on_commit(captured) as callbacks:
        material_change_announce(**kwargs)
    return callbacks


def test_a_watch_alert_reopens_the_models_approved_requests(approved, llama4, django_capture_on_commit_callbacks):
    announce(
        django_capture_on_commit_callbacks,
        model_ids=[llama4.pk],
        kind=ChangeKind.WATCH_ALERT,
        reason="Federal Register: new Entity List additions mention Meta",
        reference="alert:17",
    )

    approved.refresh_from_db()
    event = RequestEvent.objects.get(request=approved, kind="reopened")
    assert approved.state == "reopened"
    assert approved.review_round == 2
    assert SignOff.objects.filter(request=approved, review_round=1).count() == 3  # kept for the record
    assert event.actor is None
    assert event.detail["reason"] == "Federal Register: new Entity List additions mention Meta"
    assert event.detail["reference"] == "alert:17"
    assert event.detail["kind"] == "watch_alert"


def test_the_signers_are_told_by_email(approved, llama4, django_capture_on_commit_callbacks, requester):
    announce(
        django_capture_on_commit_callbacks,
        model_ids=[llama4.pk],
        kind=ChangeKind.WATCH_ALERT,
        reason="New guidance",
        reference="alert:3",
    )
    event = RequestEvent.objects.get(request=approved, kind="reopened")

    sent = request_event_notify_task(event.pk)

    assert sent == 4  # three signers and the requester
    assert set(mail.outbox[-1].to) == {
        "legal@example.test",
        "security@example.test",
        "procurement@example.test",
        "requester@example.test",
    }
    assert "reopened" in mail.outbox[-1].subject
    assert "New guidance" in mail.outbox[-1].body
    assert request_event_notify_task(event.pk) == 0  # once only


def test_the_email_links_to_the_request_at_the_site_address(
    approved, llama4, django_capture_on_commit_callbacks, settings
):
    settings.RISKREG_SITE_URL = "https://riskreg.example.test"
    announce(
        django_capture_on_commit_callbacks,
        model_ids=[llama4.pk],
        kind=ChangeKind.WATCH_ALERT,
        reason="x",
        reference="r",
    )
    event = RequestEvent.objects.get(request=approved, kind="reopened")

    request_event_notify_task(event.pk)

    link = f"https://riskreg.example.test/requests/{approved.pk}/"  # the request page, where people act
    assert f"Open it at {link}" in mail.outbox[-1].body


def test_the_notice_is_dispatched_after_commit(approved, llama4, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        services.adoption_requests_reopen(model_ids=[llama4.pk], kind="watch_alert", reason="x", reference="r")

    assert len(callbacks) == 1  # the notice task for the reopen event, sent only if the reopen commits


def test_a_reopened_request_is_signed_again_in_the_new_round(approved, llama4, legal, security, procurement):
    services.adoption_requests_reopen(model_ids=[llama4.pk], kind="claim", reason="Claim changed", reference="claim:1")
    for user in (legal, security, procurement):
        services.sign_off_create(request_id=approved.pk, signer=user, role=user.username, decision="approve")

    approved.refresh_from_db()
    assert approved.state == "approved"
    assert SignOff.objects.filter(request=approved).count() == 6


def test_announcing_the_same_change_twice_reopens_once(approved, llama4, legal):
    services.adoption_requests_reopen(model_ids=[llama4.pk], kind="watch_alert", reason="x", reference="alert:9")
    services.sign_off_create(request_id=approved.pk, signer=legal, role="legal", decision="approve")
    services.adoption_requests_reopen(model_ids=[llama4.pk], kind="watch_alert", reason="x", reference="alert:9")

    approved.refresh_from_db()
    assert approved.review_round == 2
    assert RequestEvent.objects.filter(request=approved, kind__in=["reopened", "review_restarted"]).count() == 1


def test_changing_a_provenance_claim_reopens_the_approval(approved, llama4, django_capture_on_commit_callbacks):
    claim = ProvenanceClaim.objects.get(model=llama4)

    with applied_on_commit(django_capture_on_commit_callbacks):
        claim.confidence = "disputed"
        claim.save()

    approved.refresh_from_db()
    event = RequestEvent.objects.get(request=approved, kind="reopened")
    assert approved.state == "reopened"
    assert event.detail["kind"] == "claim"
    assert event.detail["reference"] == f"claim:{claim.pk}"


def test_changing_a_guidance_status_reopens_the_approval(approved, llama4, django_capture_on_commit_callbacks):
    status = ModelGuidanceStatus.objects.get(model=llama4)

    with applied_on_commit(django_capture_on_commit_callbacks):
        status.status = "under_review"
        status.save()

    approved.refresh_from_db()
    assert approved.state == "reopened"


def test_a_confirmed_screening_hit_in_the_chain_reopens_the_approval(
    approved, llama4, meta, legal, django_capture_on_commit_callbacks
):
    csl = SanctionsList.objects.create(code="us-csl", name="CSL", authority="ITA", format="csv")
    entry = ListEntry.objects.create(
        sanctions_list=csl, external_id="e9", primary_name="Meta Platforms", content_hash="x"
    )

    with applied_on_commit(django_capture_on_commit_callbacks):
        hit = ScreeningHit.objects.create(
            organisation=meta,
            entry=entry,
            query_name=meta.name,
            matched_name=entry.primary_name,
            score=97,
            algorithm_version="1",
            status="confirmed",
            reviewed_by=legal,
            reviewed_at=timezone.now(),
            review_reason="Same name and address",
        )
        material_change_announce(  # as screening announces a confirmed hit
            model_ids=models_for_organisations(organisation_ids=[meta.pk]).values_list("pk", flat=True),
            kind=ChangeKind.SCREENING_HIT,
            reason=f"Confirmed screening hit: {meta.display_name} on {csl.name}",
            reference=f"screening-hit:{hit.pk}",
        )

    approved.refresh_from_db()
    assert approved.state == "reopened"


def test_a_change_that_is_rolled_back_reopens_nothing(approved, llama4, django_capture_on_commit_callbacks):
    from django.db import transaction

    with applied_on_commit(django_capture_on_commit_callbacks), pytest.raises(RuntimeError):
        with transaction.atomic():
            material_change_announce(model_ids=[llama4.pk], kind="watch_alert", reason="x", reference="a")
            raise RuntimeError("rolled back")

    approved.refresh_from_db()
    assert approved.state == "approved"


def test_a_review_in_progress_restarts_its_round_and_keeps_the_earlier_sign_offs(in_review, llama4, legal):
    services.sign_off_create(request_id=in_review.pk, signer=legal, role="legal", decision="approve")

    services.adoption_requests_reopen(model_ids=[llama4.pk], kind="guidance", reason="EU status changed", reference="g")

    in_review.refresh_from_db()
    assert in_review.state == "in_review"
    assert in_review.review_round == 2
    assert RequestEvent.objects.filter(request=in_review, kind="review_restarted").exists()


def test_other_models_requests_are_left_alone(approved, glm5):
    assert services.adoption_requests_reopen(model_ids=[glm5.pk], kind="claim", reason="x", reference="y") == []
    approved.refresh_from_db()
    assert approved.state == "approved"


def test_a_material_change_refreshes_the_proposals_of_open_requests(requester, glm5, entity_listed):
    request = services.adoption_request_create(
        requester=requester,
        model=glm5,
        use_case="x",
        context=use(requester, access="cloud_marketplace", data_to="IE"),
        data_classification="public",
    )
    ProvenanceClaim.objects.filter(model=glm5).update(confidence="disputed")  # no signal: a bulk update

    services.adoption_requests_reopen(model_ids=[glm5.pk], kind="claim", reason="x", reference="claim")

    item = request.risk_items.get(rule="provenance_weak_claim")
    assert item.facts["confidence"] == "disputed"


def test_an_edited_cited_page_reopens_the_models_approved_requests(
    approved, llama4, model_card, httpserver, django_capture_on_commit_callbacks
):
    from riskreg.evidence.services import evidence_source_capture, evidence_source_recheck

    httpserver.expect_request("/card").respond_with_data(
        "<p>Trained on Nvidia H100-80GB.</p>", content_type="text/html"
    )
    model_card.url = httpserver.url_for("/card")
    model_card.save()
    evidence_source_capture(source_id=model_card.pk)
    httpserver.clear()
    httpserver.expect_request("/card").respond_with_data("<p>Trained on Nvidia H200.</p>", content_type="text/html")

    with applied_on_commit(django_capture_on_commit_callbacks):
        evidence_source_recheck(source_id=model_card.pk)

    approved.refresh_from_db()
    event = RequestEvent.objects.get(request=approved, kind="reopened")
    assert approved.state == "reopened"
    assert event.detail["kind"] == "evidence" and event.detail["reason"].startswith("Cited source changed since cited")
