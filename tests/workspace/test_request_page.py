"""The request page: who reads it, filing with a preview, submitting, assessing inline and signing off."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client

from riskreg.register import services
from riskreg.register.models import AdoptionRequest, RiskItem, SignOff
from tests.factories import use
from tests.register.conftest import (  # noqa: F401  (fixtures)
    ascend,
    bis_guidance,
    entity_listed,
    eu,
    glm5,
    huawei,
    press,
    us,
    zhipu,
)


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


ASSESSED = {
    "residual_likelihood": 2,
    "residual_impact": 3,
    "treatment": "mitigate",
    "planned_controls": "Self-hosted only.",
}
#: The request form as a requester fills it: an internal coding assistant on our servers, EU and US.
FORM = {
    "model": "glm-5",
    "use_case": "Drafting",
    "use_case_area": "general",
    "access": "self_hosted",
    "modification": "none",
    "users": "staff",
    "jurisdictions": "EU, US",
    "business_owner": "requester",
    "data_classification": "internal",
}


@pytest.fixture
def glm5_assessed(glm5, entity_listed, bis_guidance, requester, legal):  # noqa: F811
    """GLM-5 with its own register assessed by legal, and an earlier request for the same use whose items legal
    assessed (what a new request for that use is prefilled from)."""
    services.risk_items_derive(model=glm5, request=None, actor=legal)
    for item in RiskItem.objects.filter(model=glm5, request=None, status="proposed"):
        services.risk_item_accept(item_id=item.pk, actor=legal, values=ASSESSED)
    earlier = services.adoption_request_create(
        requester=requester,
        model=glm5,
        use_case="Earlier pilot",
        context=use(requester),
        data_classification="internal",
    )
    services.adoption_request_submit(request_id=earlier.pk, actor=requester)
    for item in RiskItem.objects.filter(request=earlier, status="proposed"):
        services.risk_item_accept(item_id=item.pk, actor=legal, values=ASSESSED)
    return glm5


@pytest.fixture
def filed(glm5_assessed, requester) -> AdoptionRequest:
    return services.adoption_request_create(
        requester=requester,
        model=glm5_assessed,
        use_case="Coding assistant",
        context=use(requester),
        data_classification="internal",
    )


@pytest.fixture
def submitted(filed, requester) -> AdoptionRequest:
    services.adoption_request_submit(request_id=filed.pk, actor=requester)
    filed.refresh_from_db()
    return filed


def test_requester_reads_own_request_and_gets_404_on_anothers(filed, requester):
    other = User.objects.create_user("other-requester", password="x", is_staff=True)
    other.groups.add(Group.objects.get(name="requester"))
    assert client_for(requester).get(f"/requests/{filed.pk}/").status_code == 200
    assert client_for(other).get(f"/requests/{filed.pk}/").status_code == 404


def test_a_user_in_no_role_is_refused_and_an_auditor_reads_without_forms(filed, outsider, auditor):
    assert client_for(outsider).get(f"/requests/{filed.pk}/").status_code == 403
    page = client_for(auditor).get(f"/requests/{filed.pk}/").content.decode()
    assert "Coding assistant" in page
    assert 'data-testid="accept-risk-item"' not in page
    assert 'data-testid="sign-off"' not in page
    assert "Only legal, security and procurement reviewers assess risk items" in page
    assert 'data-testid="generate-memo"' not in page


def test_a_reviewer_generates_the_requests_memo_from_its_page_the_requester_does_not(filed, legal, requester):
    page = client_for(legal).get(f"/requests/{filed.pk}/").content.decode()
    assert f'action="/api/memos/" data-kind="request" data-request="{filed.pk}"' in page
    assert 'data-testid="generate-memo"' in page and "workspace/memos.js" in page
    assert 'data-testid="generate-memo"' not in client_for(requester).get(f"/requests/{filed.pk}/").content.decode()


def test_new_request_page_previews_what_the_register_proposes_for_the_model(glm5_assessed, requester):
    page = client_for(requester).get("/requests/new/?model=glm-5").content.decode()
    assert "What the register will propose for GLM-5" in page
    assert "on a sanctions or export-control list" in page
    assert "assessed in the model's own register" in page
    fragment = client_for(requester).get("/requests/new/preview/?model=glm-5").content.decode()
    assert fragment.startswith("<div") or "request-preview" in fragment
    assert "<html" not in fragment


def test_filing_with_a_missing_field_keeps_what_was_typed_and_files_nothing(glm5_assessed, requester):
    before = AdoptionRequest.objects.count()
    response = client_for(requester).post(
        "/requests/new/", {"model": "glm-5", "use_case": "Drafting contracts", "access": "self_hosted"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Drafting contracts" in page
    assert "This field is required." in page
    assert AdoptionRequest.objects.count() == before


def test_requester_files_then_submits_from_the_page(glm5_assessed, requester):
    client = client_for(requester)
    response = client.post("/requests/new/", FORM)
    assert response.status_code == 200 and 'data-testid="duplicates"' in response.content.decode()  # the pilot
    response = client.post("/requests/new/", {**FORM, "file_anyway": "1"})
    adoption = AdoptionRequest.objects.get(use_case="Drafting")
    assert response.status_code == 302 and response.url == f"/requests/{adoption.pk}/"
    page = client.get(response.url).content.decode()
    assert 'data-testid="submit-request"' in page
    assert "You filed this request, so a reviewer" in page
    assert client.post(f"/requests/{adoption.pk}/submit/").status_code == 302
    adoption.refresh_from_db()
    assert adoption.state == "in_review"


def test_a_reviewer_cannot_submit_someone_elses_request(filed, legal):
    response = client_for(legal).post(f"/requests/{filed.pk}/submit/")
    assert response.status_code == 403
    assert "Only the requester can submit this request." in response.content.decode()
    filed.refresh_from_db()
    assert filed.state == "draft"


def test_proposed_items_are_prefilled_from_an_earlier_request_for_the_same_use_and_say_which(submitted, legal):
    page = client_for(legal).get(f"/requests/{submitted.pk}/").content.decode()
    earlier = AdoptionRequest.objects.get(use_case="Earlier pilot")
    assert f"Prefilled from request #{earlier.pk}, filed for the same use, where this risk was accepted (legal" in page
    assert "Self-hosted only.</textarea>" in page


def test_a_request_for_another_use_is_not_prefilled_from_a_pilots_assessment(glm5_assessed, requester, legal):
    other = services.adoption_request_create(
        requester=requester,
        model=glm5_assessed,
        use_case="Customer chatbot",
        context=use(requester, access="developer_api", data_to="CN", users="customers", personal_data=["customers"]),
        data_classification="confidential",
    )
    services.adoption_request_submit(request_id=other.pk, actor=requester)
    page = client_for(legal).get(f"/requests/{other.pk}/").content.decode()
    assert "Prefilled from" not in page and "Self-hosted only.</textarea>" not in page


def test_facts_are_sentences_with_citations_not_json(submitted, legal):
    page = client_for(legal).get(f"/requests/{submitted.pk}/").content.decode()
    assert "<cite>90 FR 4617</cite>" in page
    assert "On the Entity List, listed on 16 Jan 2025" in page
    assert "&quot;listings&quot;" not in page and '"listings"' not in page


def test_sign_off_form_names_what_is_missing_before_the_reviewer_tries(submitted, legal):
    page = client_for(legal).get(f"/requests/{submitted.pk}/").content.decode()
    assert "An approval would be refused now." in page
    assert "proposed risk items not assessed yet" in page


def test_an_approval_refused_by_the_service_shows_why_and_keeps_the_conditions(submitted, legal):
    response = client_for(legal).post(
        f"/requests/{submitted.pk}/sign-off/",
        {"role": "legal", "decision": "approve_with_conditions", "conditions": "Only on premises", "comment": ""},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "accept or assess them before approving" in page
    assert "Only on premises" in page
    assert not SignOff.objects.exists()


def test_accept_all_then_sign_off_with_no_refusal(submitted, legal):
    client = client_for(legal)
    assert client.post(f"/requests/{submitted.pk}/accept-all/").status_code == 302
    items = RiskItem.objects.filter(request=submitted)
    assert all(item.status == "accepted" and item.residual_likelihood == 2 for item in items)
    assert "An approval would be refused now." not in client.get(f"/requests/{submitted.pk}/").content.decode()
    response = client.post(
        f"/requests/{submitted.pk}/sign-off/", {"role": "legal", "decision": "approve", "conditions": "", "comment": ""}
    )
    assert response.status_code == 302
    assert SignOff.objects.get(request=submitted).decision == "approve"


def test_requester_cannot_accept_items_of_their_own_request(submitted, requester):
    item = RiskItem.objects.filter(request=submitted).first()
    response = client_for(requester).post(
        f"/requests/{submitted.pk}/risk-items/{item.pk}/", {f"item-{item.pk}-residual_likelihood": "1"}
    )
    assert response.status_code == 403
    item.refresh_from_db()
    assert item.status == "proposed"


def test_a_residual_level_outside_the_matrix_is_refused_by_field(submitted, legal):
    item = RiskItem.objects.filter(request=submitted).first()
    response = client_for(legal).post(
        f"/requests/{submitted.pk}/risk-items/{item.pk}/",
        {f"item-{item.pk}-residual_likelihood": "7", f"item-{item.pk}-residual_impact": "2"},
    )
    assert response.status_code == 400
    assert "Select a valid choice." in response.content.decode()
    item.refresh_from_db()
    assert item.status == "proposed"


def test_requester_sees_separation_of_duties_in_words(submitted, requester):
    page = client_for(requester).get(f"/requests/{submitted.pk}/").content.decode()
    assert "You filed this request, so you cannot sign it off" in page


def test_a_reviewer_who_signed_is_told_why_they_cannot_sign_again(submitted, legal):
    from riskreg.register.models import RiskItem as Item

    for item in Item.objects.filter(request=submitted):
        services.risk_item_accept(
            item_id=item.pk, actor=legal, values={"residual_likelihood": 1, "residual_impact": 1, "treatment": "accept"}
        )
    services.sign_off_create(request_id=submitted.pk, signer=legal, role="legal", decision="approve")
    page = client_for(legal).get(f"/requests/{submitted.pk}/").content.decode()
    assert "You signed this round already (as legal)" in page
    assert datetime.date.today().strftime("%Y") in page


def test_the_page_takes_the_same_number_of_queries_whatever_the_number_of_items(submitted, legal):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(legal)
    client.get(f"/requests/{submitted.pk}/")  # warm the session and content types
    with CaptureQueriesContext(connection) as few:
        assert client.get(f"/requests/{submitted.pk}/").status_code == 200
    for number in range(20):
        RiskItem.objects.create(
            model=submitted.model,
            request=submitted,
            matrix=submitted.matrix,
            category="security",
            title=f"Manual risk {number}",
            inherent_likelihood=2,
            inherent_impact=2,
            owner=legal,
            assessed_by=legal,
        )
    with CaptureQueriesContext(connection) as many:
        assert client.get(f"/requests/{submitted.pk}/").status_code == 200
    assert 10 < len(few) == len(many), [q["sql"][:120] for q in many.captured_queries]


def test_the_request_page_shows_the_request_its_address_names_not_the_first_one_the_user_may_read(demo, legal):
    """Bug fixed: request_page ignored request_id, so every /requests/<id>/ showed the first visible request."""
    client = Client()
    client.force_login(legal)
    requests = list(AdoptionRequest.objects.select_related("model").order_by("pk"))
    assert len(requests) > 1
    for request in requests:
        html = client.get(f"/requests/{request.pk}/").content.decode()
        assert f"<dd>{request.model.name} " in html, request
