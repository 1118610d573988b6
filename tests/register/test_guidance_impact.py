"""Impact before publishing: what a draft guidance would change, computed by the derivation publishing runs;
publishing applies exactly that, once."""

from __future__ import annotations

import datetime
import io
import json
import threading

import pytest
from django.core.management import call_command
from django.db import connection

from models_catalog.models import (
    AIModel,
    GuidanceReach,
    Jurisdiction,
    Organisation,
    ProvenanceClaim,
    RegulatoryGuidance,
)
from riskreg.register import demo, rules, services
from riskreg.register.models import AdoptionRequest, RiskItem
from riskreg.register.services.guidance import PublishRefused, guidance_impact, guidance_publish
from tests.factories import use

TITLE = "EU: models trained on Huawei Ascend accelerators, under review"


def draft_ascend_guidance() -> RegulatoryGuidance:
    guidance = RegulatoryGuidance.objects.create(
        jurisdiction=Jurisdiction.objects.get(code="EU"),
        issuer="European Commission",
        title=TITLE,
        kind="guidance",
        status="proposed",
        issued_on=datetime.date(2026, 11, 1),
        risk_category="regulatory",
        risk_likelihood=3,
        risk_impact=4,
        risk_sentence="Deploying such a model in the EU may need legal review.",
        publication="draft",
    )
    huawei = Organisation.objects.get(short_name="Huawei")
    GuidanceReach.objects.create(guidance=guidance, kind="accelerator", organisation=huawei, product_prefix="Ascend")
    return guidance


@pytest.fixture
def demo_loaded(requester, legal, security, procurement):
    call_command("load_demo", "--without-memos", stdout=io.StringIO())
    users = {"requester": requester, "legal": legal, "security": security, "procurement": procurement}
    # An approved request on GLM-5 that the new guidance would reopen (the demo's own GLM-5 request is in review).
    demo.approved(AIModel.objects.get(slug="glm-5"), users, "Translation of public documents", classification="public")


def test_the_impact_of_the_eu_ascend_draft_lists_glm5_and_deepseek_v4_and_publishing_does_exactly_that(
    demo_loaded, legal
):
    guidance = draft_ascend_guidance()
    approved_glm5 = AdoptionRequest.objects.get(model__slug="glm-5", state="approved")
    untouched = set(
        AdoptionRequest.objects.exclude(model__slug__in=["glm-5", "deepseek-v4"]).values_list("pk", "state")
    )
    items_before = RiskItem.objects.count()

    impact = guidance_impact(guidance=guidance, reader=None)

    assert [model.name for model in impact.models] == ["DeepSeek-V4", "GLM-5"]
    for model in impact.models:
        assert [gain["rule"] for gain in model.gains] == ["guidance_reaches_model"]
        assert "Ascend" in model.gains[0]["reason"]
    assert [r["id"] for r in impact.requests_reopening] == [approved_glm5.pk]
    assert {a["model"] for a in impact.approvals_lapsing} == {"GLM-5"}
    assert RiskItem.objects.count() == items_before  # the impact changes nothing

    guidance_publish(guidance_id=guidance.pk, actor=legal)

    guidance.refresh_from_db()
    assert (guidance.publication, guidance.published_by) == ("published", legal)
    approved_glm5.refresh_from_db()
    assert approved_glm5.state == "reopened"
    new_items = RiskItem.objects.filter(rule="guidance_reaches_model")
    assert {item.model.name for item in new_items} == {"GLM-5", "DeepSeek-V4"}
    # on GLM-5's open requests (drafts and the reopened one included) and model-level items; DeepSeek-V4's only
    # request is rejected, so only its model-level items take the new item
    assert {item.request_id for item in new_items if item.model.name == "GLM-5"} == {
        None,  # its model-level items
        *AdoptionRequest.objects.filter(model__slug="glm-5", state__in=["draft", "in_review", "reopened"]).values_list(
            "pk", flat=True
        ),
    }
    assert [item.request_id for item in new_items if item.model.name == "DeepSeek-V4"] == [None]
    assert set(
        AdoptionRequest.objects.exclude(model__slug__in=["glm-5", "deepseek-v4"]).values_list("pk", "state")
    ) == (untouched)
    assert guidance_impact(guidance=guidance, reader=None).models == []  # published: nothing left to apply


def test_publishing_twice_applies_once_and_says_who_published(glm5, eu, huawei, legal, security):
    guidance = RegulatoryGuidance.objects.create(
        jurisdiction=eu,
        issuer="EC",
        title=TITLE,
        kind="guidance",
        status="proposed",
        publication="draft",
        risk_category="regulatory",
        risk_likelihood=3,
        risk_impact=4,
    )
    GuidanceReach.objects.create(guidance=guidance, kind="accelerator", organisation=huawei, product_prefix="Ascend")

    guidance_publish(guidance_id=guidance.pk, actor=legal)
    with pytest.raises(PublishRefused, match="Already published by legal"):
        guidance_publish(guidance_id=guidance.pk, actor=security)

    assert RegulatoryGuidance.objects.get(pk=guidance.pk).published_by == legal


def test_guidance_that_reaches_nothing_cannot_be_published_and_stays_a_draft(eu, legal):
    guidance = RegulatoryGuidance.objects.create(
        jurisdiction=eu, issuer="EC", title="Nothing", kind="guidance", status="proposed", publication="draft"
    )

    with pytest.raises(PublishRefused, match="reaches nothing"):
        guidance_publish(guidance_id=guidance.pk, actor=legal)

    assert RegulatoryGuidance.objects.get(pk=guidance.pk).publication == "draft"


def test_the_impact_api_and_command_give_the_same_models(glm5, llama4, eu, huawei, as_user, legal, auditor, outsider):
    guidance = RegulatoryGuidance.objects.create(
        jurisdiction=eu,
        issuer="EC",
        title=TITLE,
        kind="guidance",
        status="proposed",
        publication="draft",
        risk_category="regulatory",
        risk_likelihood=3,
        risk_impact=4,
    )
    GuidanceReach.objects.create(guidance=guidance, kind="accelerator", organisation=huawei, product_prefix="Ascend")

    body = as_user(auditor).get(f"/api/guidance/{guidance.pk}/impact/").json()
    out = io.StringIO()
    call_command("guidance", "impact", str(guidance.pk), "--json", stdout=out)

    assert [m["name"] for m in body["models"]] == ["GLM-5"]
    assert json.loads(out.getvalue())["models"] == body["models"]
    assert as_user(outsider).get(f"/api/guidance/{guidance.pk}/impact/").status_code == 403
    assert as_user(auditor).post(f"/api/guidance/{guidance.pk}/publish/").status_code == 403
    published = as_user(legal).post(f"/api/guidance/{guidance.pk}/publish/")
    assert published.status_code == 200, published.json()
    again = as_user(legal).post(f"/api/guidance/{guidance.pk}/publish/")
    assert again.status_code == 409
    assert "Already published" in str(again.json())


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_publishes_at_once_on_postgresql_apply_once(glm5, eu, huawei, legal, security, requester):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL (DATABASE_URL=postgres://...)")
    guidance = RegulatoryGuidance.objects.create(
        jurisdiction=eu,
        issuer="EC",
        title=TITLE,
        kind="guidance",
        status="proposed",
        publication="draft",
        risk_category="regulatory",
        risk_likelihood=3,
        risk_impact=4,
    )
    GuidanceReach.objects.create(guidance=guidance, kind="accelerator", organisation=huawei, product_prefix="Ascend")
    request = services.adoption_request_create(
        requester=requester, model=glm5, use_case="Coding", context=use(requester), data_classification="internal"
    )
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def publish(actor):
        barrier.wait()
        try:
            guidance_publish(guidance_id=guidance.pk, actor=actor)
            outcomes.append("published")
        except PublishRefused:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=publish, args=(user,)) for user in (legal, security)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes) == ["published", "refused"]
    assert RiskItem.objects.filter(request=request, rule="guidance_reaches_model").count() == 1
    assert RegulatoryGuidance.objects.filter(pk=guidance.pk, publication="published").count() == 1


def test_the_impact_page_shows_legal_what_publishing_changes_and_publishes(glm5, llama4, eu, huawei, client, legal):
    guidance = RegulatoryGuidance.objects.create(
        jurisdiction=eu,
        issuer="EC",
        title=TITLE,
        kind="guidance",
        status="proposed",
        publication="draft",
        risk_category="regulatory",
        risk_likelihood=3,
        risk_impact=4,
    )
    GuidanceReach.objects.create(guidance=guidance, kind="accelerator", organisation=huawei, product_prefix="Ascend")
    client.force_login(legal)
    url = f"/guidance/{guidance.pk}/impact/"

    page = client.get(url).content.decode()

    assert 'data-testid="impact"' in page and "GLM-5" in page and "Llama 4" not in page
    assert 'data-testid="publish"' in page
    assert client.post(url).status_code == 302
    assert RegulatoryGuidance.objects.get(pk=guidance.pk).published_by == legal
    assert 'data-testid="publish"' not in client.get(url).content.decode()


def test_the_impact_page_refuses_outsiders_and_lets_the_auditor_read_but_not_publish(
    eu, huawei, client, outsider, auditor
):
    guidance = RegulatoryGuidance.objects.create(
        jurisdiction=eu, issuer="EC", title=TITLE, kind="guidance", status="proposed", publication="draft"
    )
    url = f"/guidance/{guidance.pk}/impact/"
    client.force_login(outsider)
    assert client.get(url).status_code == 403
    client.force_login(auditor)
    assert client.get(url).status_code == 200
    assert client.post(url).status_code == 403
    assert RegulatoryGuidance.objects.get(pk=guidance.pk).publication == "draft"


def portfolio(size: int, huawei, ascend, press) -> list[AIModel]:
    developer = Organisation.objects.create(name=f"Developer of {size}", country="CN")
    models = AIModel.objects.bulk_create(
        AIModel(
            name=f"M{size}-{n}", slug=f"m{size}-{n}", family="M", developer=developer, licence="MIT", weights="closed"
        )
        for n in range(size)
    )
    ProvenanceClaim.objects.bulk_create(
        ProvenanceClaim(
            model=model,
            subject="training_hardware",
            statement="Trained on Ascend.",
            value="Ascend 910B",
            accelerator=ascend,
            confidence="reported",
            source=press,
        )
        for model in models
    )
    return models


def test_the_impact_and_the_derivation_take_a_constant_number_of_queries_per_model(eu, huawei, ascend, press):
    from django.test.utils import CaptureQueriesContext

    guidance = RegulatoryGuidance.objects.create(
        jurisdiction=eu,
        issuer="EC",
        title=TITLE,
        kind="guidance",
        status="proposed",
        publication="draft",
        risk_category="regulatory",
        risk_likelihood=3,
        risk_impact=4,
    )
    GuidanceReach.objects.create(guidance=guidance, kind="accelerator", organisation=huawei, product_prefix="Ascend")
    counts = {}
    for size in (10, 200):
        models = portfolio(size, huawei, ascend, press)
        with CaptureQueriesContext(connection) as impact_queries:
            impact = guidance_impact(guidance=guidance, reader=None)
        applying = rules.guidance_applying()
        with CaptureQueriesContext(connection) as first:
            rules.derive(model=models[0], guidance=applying)
        with CaptureQueriesContext(connection) as last:
            rules.derive(model=models[-1], guidance=applying)
        counts[size] = (len(impact_queries), len(first), len(last))
        assert len(impact.models) == AIModel.objects.count()

    assert counts[10] == counts[200]
