"""Separation of duties: who may sign what; every refusal is 403 with the reason."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from riskreg.register.models import AdoptionRequest, SignOff

URL = "/api/adoption-requests/"


def sign(client, request, role, decision="approve", **extra):
    return client.post(f"{URL}{request.pk}/sign-offs/", {"role": role, "decision": decision, **extra}, format="json")


@pytest.fixture
def legal_and_security(django_user_model):
    user = django_user_model.objects.create_user("both")
    user.groups.add(Group.objects.get(name="legal"), Group.objects.get(name="security"))
    return user


def test_requester_cannot_sign_off_own_request(in_review, as_user, requester, django_user_model):
    requester.groups.add(Group.objects.get(name="legal"))  # even when they are also a legal reviewer
    requester = django_user_model.objects.get(pk=requester.pk)  # forget the cached permissions

    answer = sign(as_user(requester), in_review, "legal")

    assert answer.status_code == 403
    assert "requester never signs off their own request" in answer.json()["detail"]
    assert not SignOff.objects.exists()


def test_one_person_gives_at_most_one_sign_off_per_request(in_review, as_user, legal_and_security):
    assert sign(as_user(legal_and_security), in_review, "legal").status_code == 201

    answer = sign(as_user(legal_and_security), in_review, "security")

    assert answer.status_code == 403
    assert "at most one sign-off" in answer.json()["detail"]
    assert SignOff.objects.count() == 1


def test_a_roles_sign_off_needs_that_roles_group(in_review, as_user, legal):
    answer = sign(as_user(legal), in_review, "procurement")

    assert answer.status_code == 403
    assert "procurement group" in answer.json()["detail"]


def test_auditors_read_everything_and_change_nothing(in_review, as_user, auditor):
    client = as_user(auditor)

    assert client.get(f"{URL}{in_review.pk}/").status_code == 200
    refused = sign(client, in_review, "legal")
    assert refused.status_code == 403
    assert "auditors" in refused.json()["detail"]
    assert client.post(f"{URL}{in_review.pk}/withdraw/").status_code == 403
    assert (
        client.post(
            URL, {"model": "llama-4", "use_case": "x", "deployment": "cloud", "data_classification": "public"}
        ).status_code
        == 403
    )
    assert client.post("/api/risk-items/", {"request": in_review.pk, "title": "x"}).status_code == 403
    assert AdoptionRequest.objects.get(pk=in_review.pk).state == "in_review"


def test_an_outsider_is_refused_with_a_reason(in_review, as_user, outsider):
    answer = sign(as_user(outsider), in_review, "legal")

    assert answer.status_code == 403
    assert answer.json()["detail"] == "Your role has no access to adoption requests."


def test_only_the_requester_submits_or_withdraws(draft, as_user, legal):
    answer = as_user(legal).post(f"{URL}{draft.pk}/submit/")

    assert answer.status_code == 403
    assert "Only the requester" in answer.json()["detail"]


def test_a_second_sign_off_for_a_role_already_given_is_a_conflict(in_review, as_user, legal, django_user_model):
    colleague = django_user_model.objects.create_user("legal-2")
    colleague.groups.add(Group.objects.get(name="legal"))
    sign(as_user(legal), in_review, "legal")

    answer = sign(as_user(colleague), in_review, "legal")

    assert answer.status_code == 409
    assert "already given by legal" in answer.json()["detail"]


def test_an_approval_with_conditions_must_state_them(in_review, as_user, legal):
    answer = sign(as_user(legal), in_review, "legal", "approve_with_conditions")

    assert answer.status_code == 400
    assert "conditions" in answer.json()


def test_a_requester_cannot_assess_risk_items_once_the_request_is_in_review(in_review, as_user, requester, llama4):
    answer = as_user(requester).post(
        "/api/risk-items/",
        {"request": in_review.pk, "category": "security", "title": "x", "inherent_likelihood": 2, "inherent_impact": 2},
        format="json",
    )

    assert answer.status_code == 403
    assert "only while the request is a draft" in answer.json()["detail"]
