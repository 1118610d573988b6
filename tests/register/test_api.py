"""The API as the issue specifies it: file, submit, sign off, read the request with its timeline."""

from __future__ import annotations

import pytest

from models_catalog.models import AIModel
from riskreg.register.models import AdoptionRequest, RequestEvent, RiskItem, SignOff

URL = "/api/adoption-requests/"
#: An internal use of self-hosted weights by staff in the EU and the US (the business owner: the requester).
CONTEXT = {
    "use_case_area": "general",
    "access": "self_hosted",
    "users": "staff",
    "jurisdictions": ["EU", "US"],
    "business_owner": "requester",
}


@pytest.fixture
def filed(as_user, requester, llama4):
    answer = as_user(requester).post(
        URL,
        {
            "model": "llama-4",
            "use_case": "Summarise internal policy documents",
            "data_classification": "confidential",
            "context": CONTEXT,
        },
        format="json",
    )
    assert answer.status_code == 201, answer.content
    return answer.json()


def test_filing_a_request_answers_201_with_its_id_and_state(filed):
    assert filed["state"] == "draft"
    assert AdoptionRequest.objects.filter(pk=filed["id"], model__slug="llama-4").exists()


def test_the_whole_flow_through_the_api(filed, as_user, requester, legal, security, procurement):
    pk = filed["id"]
    assert as_user(requester).post(f"{URL}{pk}/submit/").status_code == 200
    for user in (legal, security, procurement):
        answer = as_user(user).post(
            f"{URL}{pk}/sign-offs/", {"role": user.username, "decision": "approve", "comment": "ok"}, format="json"
        )
        assert answer.status_code == 201, answer.content

    detail = as_user(legal).get(f"{URL}{pk}/").json()

    assert detail["state"] == "approved"
    assert [row["role"] for row in detail["required_sign_offs"]] == ["legal", "security", "procurement"]
    assert all(row["given"] for row in detail["required_sign_offs"])
    assert [s["signer"] for s in detail["sign_offs"]] == ["legal", "security", "procurement"]
    assert all(s["applies_to_current_risk_state"] for s in detail["sign_offs"])
    assert detail["matrix"]["name"] == "Default 5 x 5"
    assert [e["kind"] for e in detail["timeline"]][-2:] == ["signed_off", "approved"]
    assert detail["expires_on"]


def test_the_detail_shows_risk_items_with_their_level_on_the_matrix(filed, as_user, legal):
    answer = as_user(legal).post(
        "/api/risk-items/",
        {
            "request": filed["id"],
            "category": "security",
            "title": "Prompt injection through retrieved documents",
            "inherent_likelihood": 4,
            "inherent_impact": 4,
            "residual_likelihood": 2,
            "residual_impact": 3,
            "treatment": "mitigate",
        },
        format="json",
    )
    assert answer.status_code == 201, answer.content

    item = as_user(legal).get(f"{URL}{filed['id']}/").json()["risk_items"][0]

    assert item["inherent_level"] == {"name": "High", "colour": "#ef6c00", "score": 16}
    assert item["residual_level"]["name"] == "Medium"


def test_anonymous_users_are_refused(api, filed):
    assert api.get(URL).status_code in (401, 403)
    assert api.post(f"{URL}{filed['id']}/sign-offs/", {"role": "legal", "decision": "approve"}).status_code in (
        401,
        403,
    )


def test_requesters_see_their_own_requests_only(filed, as_user, requester, django_user_model, llama4):
    from django.contrib.auth.models import Group

    other = django_user_model.objects.create_user("other-requester")
    other.groups.add(Group.objects.get(name="requester"))

    assert [r["id"] for r in as_user(requester).get(URL).json()["results"]] == [filed["id"]]
    assert as_user(other).get(URL).json()["results"] == []
    assert as_user(other).get(f"{URL}{filed['id']}/").status_code == 404


def test_signers_and_auditors_see_every_request(filed, as_user, legal, auditor):
    assert [r["id"] for r in as_user(legal).get(URL).json()["results"]] == [filed["id"]]
    assert as_user(auditor).get(f"{URL}{filed['id']}/").status_code == 200


def test_the_list_shows_sign_off_progress_and_risk_counts(filed, as_user, requester, legal):
    as_user(requester).post(f"{URL}{filed['id']}/submit/")
    as_user(legal).post(f"{URL}{filed['id']}/sign-offs/", {"role": "legal", "decision": "approve"}, format="json")

    row = as_user(legal).get(URL, {"state": "in_review"}).json()["results"][0]

    assert row["required_sign_offs"][0] == {
        "role": "legal",
        "role_label": "Legal",
        "given": True,
        "decision": "approve",
        "decision_label": "Approve",
        "signer": "legal",
        "signer_name": "legal",  # the full name when the account has one, as every page names people
        "at": row["required_sign_offs"][0]["at"],
    }
    assert row["required_sign_offs"][1]["given"] is False
    assert row["risk_item_count"] == RiskItem.objects.filter(request_id=filed["id"]).count()


def test_risk_matrices_are_listed_and_a_new_version_is_made_by_posting_the_same_name(as_user, legal, requester):
    body = {
        "name": "Default 5 x 5",
        "likelihood_labels": ["Rare", "Unlikely", "Possible", "Likely", "Almost certain"],
        "impact_labels": ["Negligible", "Minor", "Moderate", "Major", "Severe"],
        "bands": [
            {"name": "Low", "min": 1, "max": 5, "colour": "#2e7d32"},
            {"name": "Medium", "min": 6, "max": 11, "colour": "#f9a825"},
            {"name": "High", "min": 12, "max": 25, "colour": "#c62828"},
        ],
    }

    answer = as_user(legal).post("/api/risk-matrices/", body, format="json")

    assert answer.status_code == 201, answer.content
    assert answer.json()["version"] == 2
    assert as_user(requester).post("/api/risk-matrices/", body, format="json").status_code == 403
    assert len(as_user(requester).get("/api/risk-matrices/").json()["results"]) == 2


def test_a_reviewer_accepts_a_proposed_risk_item_with_residual_levels(
    as_user, requester, legal, glm5, entity_listed, bis_guidance
):
    pk = (
        as_user(requester)
        .post(
            URL,
            {
                "model": "glm-5",
                "use_case": "Code review",
                "data_classification": "internal",
                "context": CONTEXT,
            },
            format="json",
        )
        .json()["id"]
    )
    proposed = RiskItem.objects.filter(request_id=pk, status="proposed").first()

    answer = as_user(legal).post(
        f"/api/risk-items/{proposed.pk}/accept/",
        {"residual_likelihood": 2, "residual_impact": 4, "treatment": "mitigate", "planned_controls": "Self-host"},
        format="json",
    )

    assert answer.status_code == 200, answer.content
    assert answer.json()["status"] == "accepted"
    assert answer.json()["assessed_by"] == "legal"
    assert as_user(requester).post(f"/api/risk-items/{proposed.pk}/accept/", {}, format="json").status_code == 403


# --- bad input: 400 naming the field and the reason, and nothing written ----------------------


def counts() -> tuple[int, ...]:
    return (
        AdoptionRequest.objects.count(),
        SignOff.objects.count(),
        RequestEvent.objects.count(),
        RiskItem.objects.count(),
    )


def test_an_unknown_role_is_refused_by_field_and_nothing_is_written(filed, as_user, requester, legal):
    as_user(requester).post(f"{URL}{filed['id']}/submit/")
    before = counts()

    answer = as_user(legal).post(
        f"{URL}{filed['id']}/sign-offs/", {"role": "ceo", "decision": "approve"}, format="json"
    )

    assert answer.status_code == 400
    assert "ceo" in answer.json()["role"][0]
    assert counts() == before


def test_an_unknown_decision_is_refused_by_field_and_nothing_is_written(filed, as_user, requester, legal):
    as_user(requester).post(f"{URL}{filed['id']}/submit/")
    before = counts()

    answer = as_user(legal).post(
        f"{URL}{filed['id']}/sign-offs/", {"role": "legal", "decision": "maybe"}, format="json"
    )

    assert answer.status_code == 400
    assert "maybe" in answer.json()["decision"][0]
    assert counts() == before


def test_a_sign_off_on_a_draft_is_a_conflict_with_its_state_and_nothing_is_written(filed, as_user, legal):
    before = counts()

    answer = as_user(legal).post(
        f"{URL}{filed['id']}/sign-offs/", {"role": "legal", "decision": "approve"}, format="json"
    )

    assert answer.status_code == 409
    assert "This request is draft; sign-offs are taken only while it is in review" in answer.json()["detail"]
    assert counts() == before


def test_a_sign_off_on_a_closed_request_is_a_conflict_and_nothing_is_written(filed, as_user, requester, legal):
    as_user(requester).post(f"{URL}{filed['id']}/withdraw/")
    before = counts()

    answer = as_user(legal).post(
        f"{URL}{filed['id']}/sign-offs/", {"role": "legal", "decision": "approve"}, format="json"
    )

    assert answer.status_code == 409  # as after an approval: the request was decided (docs/register.md)
    assert "withdrawn" in answer.json()["detail"]
    assert counts() == before


def test_a_request_for_a_model_not_in_the_catalog_is_refused_by_field_and_nothing_is_written(as_user, requester, db):
    before = counts()

    answer = as_user(requester).post(
        URL,
        {"model": "gpt-9", "use_case": "x", "data_classification": "public", "context": CONTEXT},
        format="json",
    )

    assert answer.status_code == 400
    assert answer.json()["model"] == ['No model with slug "gpt-9" in the catalog.']
    assert counts() == before
    assert not AIModel.objects.filter(slug="gpt-9").exists()


def test_a_likelihood_of_7_on_a_5_by_5_matrix_is_refused_by_field_and_nothing_is_written(filed, as_user, legal):
    before = counts()

    answer = as_user(legal).post(
        "/api/risk-items/",
        {"request": filed["id"], "category": "security", "title": "x", "inherent_likelihood": 7, "inherent_impact": 3},
        format="json",
    )

    assert answer.status_code == 400
    assert "likelihood runs from 1 to 5" in answer.json()["inherent_likelihood"][0]
    assert counts() == before


def test_a_residual_impact_of_7_on_an_existing_item_is_refused_by_field_and_the_item_is_unchanged(
    filed, as_user, legal
):
    created = as_user(legal).post(
        "/api/risk-items/",
        {"request": filed["id"], "category": "security", "title": "x", "inherent_likelihood": 3, "inherent_impact": 3},
        format="json",
    )
    pk = created.json()["id"]

    answer = as_user(legal).patch(
        f"/api/risk-items/{pk}/", {"residual_likelihood": 2, "residual_impact": 7}, format="json"
    )

    assert answer.status_code == 400
    assert "impact runs from 1 to 5" in answer.json()["residual_impact"][0]
    assert RiskItem.objects.get(pk=pk).residual_impact is None
