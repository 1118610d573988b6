"""The register proposes the risk items the facts imply; people accept; facts never overwrite a person."""

from __future__ import annotations

import pytest
from django.utils import timezone

from models_catalog.models import ModelGuidanceStatus, ProvenanceClaim, SanctionsNote
from riskreg.register import rules, services
from riskreg.register.models import RiskItem
from riskreg.screening.models import ListEntry, SanctionsList, ScreeningHit
from tests.factories import use


def derived_keys(items) -> set[tuple[str, str]]:
    return {(item.rule, item.derivation_key) for item in items}


@pytest.fixture
def glm5_request(requester, glm5, entity_listed, bis_guidance):
    return services.adoption_request_create(
        requester=requester,
        model=glm5,
        use_case="Coding assistant",
        context=use(requester),
        data_classification="internal",
    )


def test_glm5_gets_the_five_kinds_of_risk_the_issue_names(glm5_request, glm5, ascend):
    items = RiskItem.objects.filter(request=glm5_request)
    claim = ProvenanceClaim.objects.get(model=glm5)

    assert derived_keys(items) == {
        ("sanctions_listed_party", "developer-group"),
        ("training_hardware_listed_vendor", f"accelerator:{ascend.pk}"),
        ("regulatory_guidance_status", "jurisdiction:EU"),
        ("licence_open_permissive", "licence"),
        ("provenance_weak_claim", f"claim:{claim.pk}"),
    }
    assert {item.status for item in items} == {"proposed"}
    assert all(item.origin == "derived" and item.facts for item in items)


def test_the_hardware_item_cites_the_bis_guidance_of_13_may_2025_for_huawei(glm5_request, bis_guidance):
    item = RiskItem.objects.get(request=glm5_request, rule="training_hardware_listed_vendor")

    assert item.category == "sanctions"
    assert "13 May 2025" in item.description
    assert "General Prohibition 10" in item.description
    assert item.facts["guidance"]["id"] == bis_guidance.pk
    assert item.facts["claims"][0]["confidence"] == "reported"


def test_the_developer_item_carries_the_entity_list_citation(glm5_request):
    item = RiskItem.objects.get(request=glm5_request, rule="sanctions_listed_party")

    assert "90 FR 4617" in item.description
    assert item.facts["listings"][0]["citation"] == "90 FR 4617"


def test_a_model_with_settled_facts_gets_no_derived_items(draft):
    assert not RiskItem.objects.filter(request=draft, origin="derived").exists()


def test_a_confirmed_screening_hit_on_the_developer_raises_a_sanctions_item(requester, glm5, zhipu, legal):
    csl = SanctionsList.objects.create(code="us-csl", name="Consolidated Screening List", authority="ITA", format="csv")
    entry = ListEntry.objects.create(
        sanctions_list=csl,
        external_id="e1",
        primary_name="Beijing Zhipu Huazhang Technology Co., Ltd.",
        citation="90 FR 4617",
        content_hash="x",
    )
    ScreeningHit.objects.create(
        organisation=zhipu,
        entry=entry,
        query_name=zhipu.name,
        matched_name=entry.primary_name,
        score=100,
        algorithm_version="1",
        status="confirmed",
        reviewed_by=legal,
        reviewed_at=timezone.now(),
        review_reason="Same legal name and USCC",
    )

    request = services.adoption_request_create(
        requester=requester,
        model=glm5,
        use_case="x",
        context=use(requester, access="cloud_marketplace", data_to="IE"),
        data_classification="public",
    )

    item = RiskItem.objects.get(request=request, rule="sanctions_listed_party")
    assert item.facts["listings"][0]["kind"] == "screening_hit"


def test_a_potential_screening_hit_alone_raises_nothing(requester, glm5, zhipu):
    csl = SanctionsList.objects.create(code="us-csl", name="CSL", authority="ITA", format="csv")
    entry = ListEntry.objects.create(sanctions_list=csl, external_id="e1", primary_name="Zhipu", content_hash="x")
    ScreeningHit.objects.create(
        organisation=zhipu, entry=entry, query_name="Zhipu AI", matched_name="Zhipu", score=80, algorithm_version="1"
    )

    facts = rules.model_facts(model=glm5)

    assert rules.sanctions_listed_party(facts, None) == []


def test_guidance_restricted_in_a_jurisdiction_raises_a_regulatory_item(llama4, us, requester):
    ModelGuidanceStatus.objects.create(model=llama4, jurisdiction=us, status="restricted", rationale="Test rationale")

    risks = rules.regulatory_guidance_status(rules.model_facts(model=llama4), None)

    assert [(r.key, r.facts["status"]) for r in risks] == [("jurisdiction:US", "restricted")]


def test_changed_facts_refresh_an_untouched_proposal(glm5_request, glm5):
    claim = ProvenanceClaim.objects.get(model=glm5)
    claim.confidence = "disputed"
    claim.save()

    result = services.risk_items_derive(model=glm5, request=glm5_request)

    item = RiskItem.objects.get(request=glm5_request, rule="provenance_weak_claim")
    assert item.pk in result.updated
    assert item.facts["confidence"] == "disputed"
    assert item.inherent_likelihood == 4
    assert item.proposal is None


def test_changed_facts_never_overwrite_a_persons_assessment_they_propose(glm5_request, glm5, legal):
    item = RiskItem.objects.get(request=glm5_request, rule="provenance_weak_claim")
    services.risk_item_accept(
        item_id=item.pk, actor=legal, values={"inherent_likelihood": 2, "residual_likelihood": 1, "residual_impact": 2}
    )
    claim = ProvenanceClaim.objects.get(model=glm5)
    claim.confidence = "disputed"
    claim.save()

    result = services.risk_items_derive(model=glm5, request=glm5_request)

    item.refresh_from_db()
    assert item.pk in result.proposed
    assert item.inherent_likelihood == 2  # the person's value stays
    assert item.facts["confidence"] == "reported"
    assert item.proposal["facts"]["confidence"] == "disputed"
    assert item.status == "accepted"


def test_a_person_accepts_a_pending_proposal(glm5_request, glm5, legal, security):
    item = RiskItem.objects.get(request=glm5_request, rule="provenance_weak_claim")
    services.risk_item_accept(item_id=item.pk, actor=legal, values={"residual_likelihood": 1, "residual_impact": 2})
    ProvenanceClaim.objects.filter(model=glm5).update(confidence="disputed")
    services.risk_items_derive(model=glm5, request=glm5_request)

    services.risk_item_accept(item_id=item.pk, actor=security)

    item.refresh_from_db()
    assert item.proposal is None
    assert item.facts["confidence"] == "disputed"
    assert item.inherent_likelihood == 4
    assert (item.residual_likelihood, item.residual_impact) == (1, 2)  # the assessment the person gave stays
    assert item.assessed_by == security


def test_an_item_whose_facts_are_gone_is_proposed_for_retirement(glm5_request, glm5, legal, zhipu):
    item = RiskItem.objects.get(request=glm5_request, rule="sanctions_listed_party")
    services.risk_item_accept(item_id=item.pk, actor=legal)
    SanctionsNote.objects.filter(organisation=zhipu).delete()

    services.risk_items_derive(model=glm5, request=glm5_request)
    item.refresh_from_db()
    assert item.status == "accepted"
    assert item.proposal["retire"] is True

    services.risk_item_accept(item_id=item.pk, actor=legal)
    item.refresh_from_db()
    assert item.status == "retired"


def test_deriving_twice_with_the_same_facts_changes_nothing(glm5_request, glm5):
    result = services.risk_items_derive(model=glm5, request=glm5_request)

    assert not result.changed


def test_a_model_level_derivation_uses_the_default_matrix(glm5, entity_listed, legal):
    services.risk_items_derive(model=glm5, request=None, actor=legal)

    items = RiskItem.objects.filter(model=glm5, request__isnull=True)
    assert items.count() == 5
    assert all(item.matrix.is_default for item in items)


ASSESSED = {"residual_likelihood": 1, "residual_impact": 2, "treatment": "mitigate"}


def test_nobody_approves_while_proposed_risk_items_are_unassessed(glm5_request, requester, legal):
    """Found in review: a request reached `approved` with every derived item still a proposal."""
    from django.core.exceptions import ValidationError

    services.adoption_request_submit(request_id=glm5_request.pk, actor=requester)

    with pytest.raises(ValidationError) as refused:
        services.sign_off_create(request_id=glm5_request.pk, signer=legal, role="legal", decision="approve")

    assert "not assessed yet" in str(refused.value.message_dict["risk_items"])
    assert not glm5_request.sign_offs.exists()
    for item in RiskItem.objects.filter(request=glm5_request):
        services.risk_item_accept(item_id=item.pk, actor=legal, values=ASSESSED)
    services.sign_off_create(request_id=glm5_request.pk, signer=legal, role="legal", decision="approve")
    assert glm5_request.sign_offs.count() == 1


def test_nobody_approves_while_a_change_the_register_proposed_is_pending(glm5_request, glm5, requester, legal):
    """Found in review: a reopened request was approved again with the change that reopened it unreviewed."""
    from django.core.exceptions import ValidationError

    for item in RiskItem.objects.filter(request=glm5_request):
        services.risk_item_accept(item_id=item.pk, actor=legal, values=ASSESSED)
    ProvenanceClaim.objects.filter(model=glm5).update(confidence="disputed")
    services.risk_items_derive(model=glm5, request=glm5_request)
    assert RiskItem.objects.filter(request=glm5_request, proposal__isnull=False).exists()
    services.adoption_request_submit(request_id=glm5_request.pk, actor=requester)

    with pytest.raises(ValidationError) as refused:
        services.sign_off_create(request_id=glm5_request.pk, signer=legal, role="legal", decision="approve")

    assert "pending change" in str(refused.value.message_dict["risk_items"])
    for item in RiskItem.objects.filter(request=glm5_request, proposal__isnull=False):
        services.risk_item_accept(item_id=item.pk, actor=legal)
    services.sign_off_create(request_id=glm5_request.pk, signer=legal, role="legal", decision="approve")
    assert glm5_request.sign_offs.count() == 1


def test_high_and_critical_items_need_a_residual_assessment_and_a_treatment_before_approval(
    glm5_request, requester, legal
):
    """Found in review: a request with a Critical sanctions item was approved with no residual level."""
    from django.core.exceptions import ValidationError

    for item in RiskItem.objects.filter(request=glm5_request):
        services.risk_item_accept(item_id=item.pk, actor=legal)  # accepted, residual not assessed
    services.adoption_request_submit(request_id=glm5_request.pk, actor=requester)

    with pytest.raises(ValidationError) as refused:
        services.sign_off_create(request_id=glm5_request.pk, signer=legal, role="legal", decision="approve")

    assert "two highest bands" in str(refused.value.message_dict["risk_items"])
    for item in RiskItem.objects.filter(request=glm5_request):
        if item.inherent_likelihood * item.inherent_impact >= 10:  # High and Critical on the default matrix
            services.risk_item_update(item_id=item.pk, actor=legal, values=ASSESSED)
    services.sign_off_create(request_id=glm5_request.pk, signer=legal, role="legal", decision="approve")
    assert glm5_request.sign_offs.count() == 1


def test_a_reviewer_may_still_reject_or_request_changes_with_proposals_open(glm5_request, requester, legal):
    services.adoption_request_submit(request_id=glm5_request.pk, actor=requester)

    services.sign_off_create(request_id=glm5_request.pk, signer=legal, role="legal", decision="request_changes")

    glm5_request.refresh_from_db()
    assert glm5_request.state == "draft"
