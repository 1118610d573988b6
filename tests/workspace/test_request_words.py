"""Human words across the admin, the emails and the API: labels not codes, one date format, sentences not JSON."""

from __future__ import annotations

from django.contrib.messages import get_messages

from models_catalog.models import AIModel
from reports.models import Memo
from riskreg.register import services
from riskreg.register.models import AdoptionRequest, RiskItem
from tests.conftest import staff_client
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


def _signed(glm5, requester, legal) -> AdoptionRequest:  # noqa: F811
    adoption = services.adoption_request_create(
        requester=requester, model=glm5, use_case="Coding", context=use(requester), data_classification="internal"
    )
    for item in RiskItem.objects.filter(request=adoption):
        services.risk_item_accept(
            item_id=item.pk, actor=legal, values={"residual_likelihood": 1, "residual_impact": 1, "treatment": "accept"}
        )
    services.adoption_request_submit(request_id=adoption.pk, actor=requester)
    services.sign_off_create(
        request_id=adoption.pk, signer=legal, role="legal", decision="approve_with_conditions", conditions="On premises"
    )
    return adoption


def test_the_admin_request_page_reads_in_labels_and_one_date_format(glm5, entity_listed, requester, legal):  # noqa: F811
    adoption = _signed(glm5, requester, legal)
    page = staff_client(legal).get(f"/admin/register/adoptionrequest/{adoption.pk}/change/").content.decode()
    assert "<td>Legal</td><td>Approve with conditions</td>" in page
    assert "approve_with_conditions" not in page
    assert "Submitted for review: from draft to in review." in page
    assert "draft → in_review" not in page
    assert " UTC" in page and f"{adoption.created_at:%Y-%m-%d}" not in page
    assert f'href="/requests/{adoption.pk}/#sign-off"' in page  # the one sign-off door: the request page


def test_a_risk_items_admin_page_shows_its_facts_as_sentences(glm5, entity_listed, requester, legal):  # noqa: F811
    adoption = _signed(glm5, requester, legal)
    item = RiskItem.objects.get(request=adoption, rule="sanctions_listed_party")
    page = staff_client(legal).get(f"/admin/register/riskitem/{item.pk}/change/").content.decode()
    assert "<cite>90 FR 4617</cite>" in page
    assert "&quot;listings&quot;" not in page


def test_filing_on_the_page_says_what_comes_next(glm5, requester):  # noqa: F811
    form = {
        "model": glm5.slug,
        "use_case": "Coding",
        "use_case_area": "general",
        "access": "self_hosted",
        "modification": "none",
        "users": "staff",
        "jurisdictions": "EU",
        "business_owner": requester.username,
        "data_classification": "internal",
    }
    response = staff_client(requester).post("/requests/new/", form)
    adoption = AdoptionRequest.objects.get()
    assert response.url == f"/requests/{adoption.pk}/"
    text = " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert "submit it for review" in text
    assert "You may edit it again below" not in text


def test_the_api_gives_labels_beside_codes(glm5, entity_listed, requester, legal, as_user):  # noqa: F811
    adoption = _signed(glm5, requester, legal)
    body = as_user(legal).get(f"/api/adoption-requests/{adoption.pk}/").json()
    assert body["context"]["access_label"] == "Self-hosted open weights (we run the published weights ourselves)"
    assert body["context"]["use_case_area_label"].startswith("General or internal productivity")
    assert body["sign_offs"][0]["decision_label"] == "Approve with conditions"
    assert body["required_sign_offs"][0]["role_label"] == "Legal"
    assert "Legal sign-off: approve with conditions (On premises)." in [e["summary"] for e in body["timeline"]]
    item = as_user(legal).get("/api/risk-items/", {"request": adoption.pk, "rule": "sanctions_listed_party"}).json()
    assert item["results"][0]["category_label"] == "Sanctions / export control"
    assert any(fact["citation"] == "90 FR 4617" for fact in item["results"][0]["facts_in_words"])


def test_a_memos_admin_page_shows_its_summary_and_folds_the_snapshot_away(legal, zhipu):  # noqa: F811
    model = AIModel.objects.create(name="Tiny-1", family="Tiny", developer=zhipu, licence="MIT", weights="open")
    snapshot = {
        "kind": "model",
        "risk": {
            "overall": {"name": "High", "score": 12, "from_inherent": False},
            "drivers": ["R1"],
            "items": [{"ref": "R1", "title": "Developer is Entity-Listed"}],
        },
        "approval": {"reason": "No current adoption request for this model.", "watermark": "DRAFT"},
        "open_questions": [{"text": "q"}],
    }
    memo = Memo.objects.create(kind="model", model=model, version=1, snapshot=snapshot, snapshot_sha256="a" * 64)
    page = staff_client(legal).get(f"/admin/reports/memo/{memo.pk}/change/").content.decode()
    assert "Overall residual risk: <strong>High</strong> (score 12, after controls)." in page
    assert "Driven by: Developer is Entity-Listed." in page
    assert "<details><summary>Show data" in page
