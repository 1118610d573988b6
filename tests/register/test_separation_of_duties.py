"""Separation of duties: who may sign what; every refusal is 403 with the reason."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied

from riskreg.register import services
from riskreg.register.models import AdoptionRequest, RequestEvent, RiskItem, SignOff
from tests.conftest import staff_client
from tests.factories import use

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


# --- no back door: the requester never assesses, changes or accepts risk items on their own request --


@pytest.fixture
def requester_and_legal(requester, django_user_model):
    """The probe's user: a requester who is also a legal reviewer."""
    requester.groups.add(Group.objects.get(name="legal"))
    return django_user_model.objects.get(pk=requester.pk)  # forget the cached permissions


@pytest.fixture
def own_glm5_draft(requester_and_legal, glm5, entity_listed, bis_guidance):
    return services.adoption_request_create(
        requester=requester_and_legal,
        model=glm5,
        use_case="Coding assistant",
        context=use(requester_and_legal),
        data_classification="internal",
    )


def _derived(request, rule="provenance_weak_claim") -> RiskItem:
    return RiskItem.objects.get(request=request, rule=rule)


DOWNGRADE = {
    "inherent_likelihood": 1,
    "inherent_impact": 1,
    "residual_likelihood": 1,
    "residual_impact": 1,
    "treatment": "accept",
}


def test_a_requester_who_is_also_legal_cannot_downgrade_a_derived_item_that_another_legal_then_accepts(
    own_glm5_draft, requester_and_legal, legal, as_user
):
    item = _derived(own_glm5_draft)
    RiskItem.objects.filter(pk=item.pk).update(inherent_likelihood=3, inherent_impact=2)  # the probe's 3x2

    patched = as_user(requester_and_legal).patch(f"/api/risk-items/{item.pk}/", DOWNGRADE, format="json")
    accepted = as_user(legal).post(f"/api/risk-items/{item.pk}/accept/", {}, format="json")

    assert patched.status_code == 403
    assert "you filed" in patched.json()["detail"].lower()
    assert accepted.status_code == 200, accepted.content
    item.refresh_from_db()
    assert (item.inherent_likelihood, item.inherent_impact) == (3, 2)
    assert (item.residual_likelihood, item.residual_impact, item.treatment) == (None, None, "")
    assert (item.accepted_by, item.assessed_by) == (legal, legal)


def test_the_requester_cannot_accept_or_change_items_of_their_own_request_through_the_services(
    own_glm5_draft, requester_and_legal
):
    item = _derived(own_glm5_draft)

    with pytest.raises(PermissionDenied, match="you filed"):
        services.risk_item_update(item_id=item.pk, actor=requester_and_legal, values=DOWNGRADE)
    with pytest.raises(PermissionDenied, match="you filed"):
        services.risk_item_accept(item_id=item.pk, actor=requester_and_legal, values={})
    item.refresh_from_db()
    assert item.status == "proposed" and item.assessed_by is None


def test_a_superuser_who_filed_the_request_has_no_back_door_either(glm5, entity_listed, bis_guidance, admin_user):
    own = services.adoption_request_create(
        requester=admin_user,
        model=glm5,
        use_case="x",
        context=use(admin_user, access="cloud_marketplace", data_to="IE"),
        data_classification="public",
    )

    with pytest.raises(PermissionDenied, match="you filed"):
        services.risk_item_accept(item_id=_derived(own).pk, actor=admin_user, values={})


def test_accept_refuses_an_item_last_changed_by_the_requester_until_a_reviewer_assesses_it(
    own_glm5_draft, requester_and_legal, legal, as_user
):
    item = _derived(own_glm5_draft)
    # A downgrade the requester made before this rule existed (or through any other path).
    RiskItem.objects.filter(pk=item.pk).update(assessed_by=requester_and_legal, **DOWNGRADE)

    refused = as_user(legal).post(f"/api/risk-items/{item.pk}/accept/", {}, format="json")
    confirmed = as_user(legal).patch(f"/api/risk-items/{item.pk}/", {"inherent_likelihood": 1}, format="json")
    accepted = as_user(legal).post(f"/api/risk-items/{item.pk}/accept/", {}, format="json")

    assert refused.status_code == 403
    assert "last changed by the requester" in refused.json()["detail"]
    assert confirmed.status_code == 200, confirmed.content
    assert accepted.status_code == 200, accepted.content
    item.refresh_from_db()
    assert (item.status, item.accepted_by, item.assessed_by) == ("accepted", legal, legal)


def test_accept_records_exactly_what_was_accepted_and_by_whom(own_glm5_draft, legal):
    item = _derived(own_glm5_draft)

    services.risk_item_accept(
        item_id=item.pk, actor=legal, values={"residual_likelihood": 2, "residual_impact": 2, "treatment": "mitigate"}
    )

    item.refresh_from_db()
    event = RequestEvent.objects.filter(request=own_glm5_draft, kind="risk_changed").last()
    assert event.actor == legal
    assert event.detail["accepted_by"] == "legal"
    assert event.detail["accepted"] == {
        "category": item.category,
        "title": item.title,
        "inherent_likelihood": item.inherent_likelihood,
        "inherent_impact": item.inherent_impact,
        "existing_controls": "",
        "planned_controls": "",
        "residual_likelihood": 2,
        "residual_impact": 2,
        "treatment": "mitigate",
        "owner": None,
        "next_review_on": None,
        "status": "accepted",
    }
    assert (item.accepted_by, item.accepted_at is not None) == (legal, True)


def test_an_item_the_requester_adds_to_their_draft_waits_for_a_reviewer(draft, requester, legal, llama4):
    added = services.risk_item_create(
        actor=requester,
        model=llama4,
        request=draft,
        values={"category": "security", "title": "Prompt injection", "inherent_likelihood": 1, "inherent_impact": 1},
    )

    assert added.status == "proposed"
    with pytest.raises(PermissionDenied, match="last changed by the requester"):
        services.risk_item_accept(item_id=added.pk, actor=legal, values={})
    with pytest.raises(PermissionDenied, match="you filed"):
        services.risk_item_update(item_id=added.pk, actor=requester, values={"inherent_impact": 2})
    services.risk_item_update(item_id=added.pk, actor=legal, values={"inherent_impact": 3})
    assert services.risk_item_accept(item_id=added.pk, actor=legal).status == "accepted"


def test_the_risk_item_add_form_lists_only_the_requests_and_users_a_requester_may_see(
    draft, requester, legal, llama4, django_user_model
):
    someone = django_user_model.objects.create_user("someone-else")
    someone.groups.add(Group.objects.get(name="requester"))
    theirs = services.adoption_request_create(
        requester=someone,
        model=llama4,
        use_case="Secret use case",
        context=use(someone, access="cloud_marketplace", data_to="IE"),
        data_classification="public",
    )

    html = staff_client(requester).get("/admin/register/riskitem/add/").content.decode()

    assert f'<option value="{draft.pk}"' in html
    assert f'<option value="{theirs.pk}"' not in html and "Secret use case" not in html
    assert f'<option value="{requester.pk}"' in html
    assert "someone-else" not in html and f'<option value="{legal.pk}"' not in html


def test_the_api_does_not_reveal_usernames_to_a_requester(draft, requester, legal, as_user):
    answer = as_user(requester).post(
        "/api/risk-items/",
        {
            "request": draft.pk,
            "category": "security",
            "title": "x",
            "inherent_likelihood": 2,
            "inherent_impact": 2,
            "owner": "legal",
        },
        format="json",
    )

    assert answer.status_code == 400
    assert "owner" in answer.json()


def test_the_admin_shows_a_requester_who_is_also_legal_their_own_items_read_only(own_glm5_draft, requester_and_legal):
    item = _derived(own_glm5_draft)
    browser = staff_client(requester_and_legal)

    page = browser.get(f"/admin/register/riskitem/{item.pk}/change/")
    posted = browser.post(f"/admin/register/riskitem/{item.pk}/change/", {**DOWNGRADE, "category": item.category})

    assert page.status_code == 200 and 'name="inherent_likelihood"' not in page.content.decode()
    assert posted.status_code == 403
    item.refresh_from_db()
    assert item.inherent_likelihood != 1 and item.assessed_by is None


def test_the_add_form_offers_a_requester_who_is_also_legal_only_drafts_of_their_own_and_others_open_requests(
    own_glm5_draft, requester_and_legal, in_review, draft, django_user_model, llama4
):
    someone = django_user_model.objects.create_user("someone-else")
    someone.groups.add(Group.objects.get(name="requester"))
    theirs = services.adoption_request_create(
        requester=someone,
        model=llama4,
        use_case="Their use",
        context=use(someone, access="cloud_marketplace", data_to="IE"),
        data_classification="public",
    )

    html = staff_client(requester_and_legal).get("/admin/register/riskitem/add/").content.decode()
    offered = set(re.findall(r'<option value="(\d+)"', re.search(r'<select name="request".*?</select>', html, re.S)[0]))

    # their own draft (they may propose items) and another person's open request (they review it), but not
    # their own request in review: no back door
    assert offered == {str(own_glm5_draft.pk), str(theirs.pk)}
    assert str(in_review.pk) not in offered


def test_whoever_has_an_open_request_for_a_model_does_not_touch_the_models_own_items(
    own_glm5_draft, requester_and_legal, legal, glm5
):
    model_item = services.risk_item_create(
        actor=legal,
        model=glm5,
        values={"category": "security", "title": "Weights tampering", "inherent_likelihood": 3, "inherent_impact": 4},
    )

    with pytest.raises(PermissionDenied, match=f"You filed request #{own_glm5_draft.pk} for GLM-5"):
        services.risk_item_update(item_id=model_item.pk, actor=requester_and_legal, values={"inherent_impact": 1})
    with pytest.raises(PermissionDenied, match="still open"):
        services.risk_item_create(
            actor=requester_and_legal,
            model=glm5,
            values={"category": "security", "title": "x", "inherent_likelihood": 1, "inherent_impact": 1},
        )
    assert (
        services.risk_item_update(item_id=model_item.pk, actor=legal, values={"inherent_impact": 5}).inherent_impact
        == 5
    )
