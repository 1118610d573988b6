"""The request's life: draft, review, decisions, rounds; every move through the transition table."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import timezone

from riskreg.register import services
from riskreg.register.models import AdoptionRequest, RequestEvent, SignOff
from riskreg.register.selectors import risk_state_sha256
from riskreg.register.workflow import TRANSITIONS, Action, TransitionRefused, transition_target
from tests.factories import use


def kinds(request) -> list[str]:
    return list(RequestEvent.objects.filter(request=request).order_by("at", "pk").values_list("kind", flat=True))


def test_a_new_request_is_a_draft_on_the_default_matrix_needing_three_sign_offs(draft):
    assert draft.state == "draft"
    assert draft.matrix.is_default
    assert draft.required_roles == ["legal", "security", "procurement"]
    assert kinds(draft)[0] == "created"


def test_submitting_puts_the_request_in_review(in_review):
    assert in_review.state == "in_review"
    assert in_review.submitted_at is not None
    assert "submitted" in kinds(in_review)


def test_all_required_approvals_approve_the_request_until_the_validity_ends(approved, settings):
    assert approved.decided_at is not None
    assert approved.expires_on == timezone.localdate() + datetime.timedelta(
        days=settings.RISKREG_APPROVAL_VALIDITY_DAYS
    )
    assert kinds(approved)[-1] == "approved"


def test_two_of_three_approvals_leave_the_request_in_review(in_review, legal, security):
    services.sign_off_create(request_id=in_review.pk, signer=legal, role="legal", decision="approve")
    services.sign_off_create(
        request_id=in_review.pk,
        signer=security,
        role="security",
        decision="approve_with_conditions",
        conditions="Self-hosted only; no fine-tuning on customer data.",
    )

    in_review.refresh_from_db()
    assert in_review.state == "in_review"


def test_approval_with_conditions_counts_as_approval_and_keeps_the_conditions(in_review, legal, security, procurement):
    services.sign_off_create(
        request_id=in_review.pk,
        signer=legal,
        role="legal",
        decision="approve_with_conditions",
        conditions="Self-hosted only; no fine-tuning on customer data.",
    )
    services.sign_off_create(request_id=in_review.pk, signer=security, role="security", decision="approve")
    services.sign_off_create(request_id=in_review.pk, signer=procurement, role="procurement", decision="approve")

    in_review.refresh_from_db()
    approved_event = RequestEvent.objects.get(request=in_review, kind="approved")
    assert in_review.state == "approved"
    assert approved_event.detail["conditions"] == [
        {"role": "legal", "conditions": "Self-hosted only; no fine-tuning on customer data."}
    ]


def test_one_rejection_rejects_the_request(in_review, legal, security):
    services.sign_off_create(request_id=in_review.pk, signer=legal, role="legal", decision="approve")
    services.sign_off_create(
        request_id=in_review.pk, signer=security, role="security", decision="reject", comment="No SBOM."
    )

    in_review.refresh_from_db()
    assert in_review.state == "rejected"
    assert in_review.decided_at is not None


def test_requested_changes_send_the_request_back_to_draft_and_resubmission_opens_a_new_round(
    in_review, requester, legal
):
    services.sign_off_create(request_id=in_review.pk, signer=legal, role="legal", decision="request_changes")
    in_review.refresh_from_db()
    assert in_review.state == "draft"

    services.adoption_request_submit(request_id=in_review.pk, actor=requester)
    in_review.refresh_from_db()

    assert in_review.state == "in_review"
    assert in_review.review_round == 2
    assert SignOff.objects.get(request=in_review).review_round == 1  # the earlier decision stays on record
    services.sign_off_create(request_id=in_review.pk, signer=legal, role="legal", decision="approve")  # may sign again


def test_the_requester_withdraws_a_draft(draft, requester):
    services.adoption_request_withdraw(request_id=draft.pk, actor=requester, reason="Project cancelled")

    draft.refresh_from_db()
    assert draft.state == "withdrawn"


def test_a_withdrawn_request_cannot_be_submitted(draft, requester):
    services.adoption_request_withdraw(request_id=draft.pk, actor=requester)

    with pytest.raises(ValidationError) as refused:
        services.adoption_request_submit(request_id=draft.pk, actor=requester)

    assert "withdrawn cannot be submitted" in refused.value.message_dict["state"][0]


def test_the_transition_table_refuses_moves_it_does_not_list():
    with pytest.raises(TransitionRefused):
        transition_target(state="rejected", action=Action.APPROVE)
    with pytest.raises(TransitionRefused):
        transition_target(state="draft", action=Action.APPROVE)  # no skipping review
    assert transition_target(state="approved", action=Action.REOPEN) == "reopened"
    assert all(state in AdoptionRequest.State.values for state, _ in TRANSITIONS)
    assert all(target in AdoptionRequest.State.values for target in TRANSITIONS.values())


@override_settings(RISKREG_REQUIRED_SIGN_OFFS={"public": ["legal", "procurement"]})
def test_required_sign_offs_are_configurable_per_data_classification(requester, llama4, legal, procurement):
    request = services.adoption_request_create(
        requester=requester,
        model=llama4,
        use_case="Public FAQ bot",
        context=use(requester, access="developer_api", data_to="CN"),
        data_classification="public",
    )
    services.adoption_request_submit(request_id=request.pk, actor=requester)
    services.sign_off_create(request_id=request.pk, signer=legal, role="legal", decision="approve")
    services.sign_off_create(request_id=request.pk, signer=procurement, role="procurement", decision="approve")

    request.refresh_from_db()
    assert request.required_roles == ["legal", "procurement"]
    assert request.state == "approved"


def test_a_sign_off_records_the_hash_of_the_risk_state_it_applied_to(in_review, legal):
    expected = risk_state_sha256(request=in_review)

    sign_off = services.sign_off_create(request_id=in_review.pk, signer=legal, role="legal", decision="approve")

    assert sign_off.risk_state_sha256 == expected
    assert len(expected) == 64


def test_the_risk_state_hash_changes_when_a_risk_item_changes(in_review, legal, llama4):
    before = risk_state_sha256(request=in_review)

    services.risk_item_create(
        actor=legal,
        model=llama4,
        request=in_review,
        values={"category": "security", "title": "Prompt injection", "inherent_likelihood": 3, "inherent_impact": 3},
    )

    assert risk_state_sha256(request=in_review) != before
    assert "risk_changed" in kinds(in_review)
