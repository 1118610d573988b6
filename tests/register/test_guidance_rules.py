"""Guidance says, as data, what it reaches and what risk it implies; the rules read it (no vendor in code)."""

from __future__ import annotations

import datetime
import pathlib

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from models_catalog.models import GuidanceReach, Organisation, RegulatoryGuidance
from riskreg.register import rules

REGISTER = pathlib.Path(rules.__file__).parent


def ascend_guidance(jurisdiction, vendor, **values) -> RegulatoryGuidance:
    guidance = RegulatoryGuidance.objects.create(
        jurisdiction=jurisdiction,
        issuer="European Commission",
        title="Models trained on Huawei Ascend accelerators",
        kind="guidance",
        status="proposed",
        issued_on=datetime.date(2026, 3, 1),
        risk_category="regulatory",
        risk_likelihood=3,
        risk_impact=4,
        risk_sentence="Deployment in the EU may need a notification.",
        **values,
    )
    GuidanceReach.objects.create(guidance=guidance, kind="accelerator", organisation=vendor, product_prefix="Ascend")
    return guidance


def keys(model) -> set[str]:
    return {risk.key for risk in rules.derive(model=model) if risk.rule == "guidance_reaches_model"}


def test_no_register_module_names_a_vendor():
    for path in REGISTER.glob("*.py"):
        assert "huawei" not in path.read_text().lower(), path


def test_guidance_reaching_an_accelerator_family_raises_its_risk_on_models_trained_on_it(glm5, llama4, eu, huawei):
    guidance = ascend_guidance(eu, huawei)

    risk = next(r for r in rules.derive(model=glm5) if r.rule == "guidance_reaches_model")

    assert risk.key == f"guidance:{guidance.pk}"
    assert (risk.category, risk.likelihood, risk.impact) == ("regulatory", 3, 4)
    assert "Ascend 910B" in risk.description and "notification" in risk.description
    assert keys(llama4) == set()


def test_a_subsidiary_vendor_is_reached_through_its_parent(glm5, eu, huawei, ascend):
    hisilicon = Organisation.objects.create(name="HiSilicon Technologies", country="CN", parent=huawei)
    ascend.vendor = hisilicon
    ascend.save()
    ascend_guidance(eu, huawei)

    assert len(keys(glm5)) == 1


def test_a_draft_reaches_nothing_until_published(glm5, eu, huawei):
    ascend_guidance(eu, huawei, publication="draft")

    assert keys(glm5) == set()


def test_withdrawn_or_superseded_guidance_raises_nothing(glm5, eu, huawei):
    ascend_guidance(eu, huawei, superseded_on=datetime.date(2026, 4, 1))

    assert keys(glm5) == set()


def test_every_kind_of_reach_must_match_and_each_kind_says_why(glm5, llama4, eu, huawei):
    glm5.parameters_total, glm5.parameters_active, glm5.training_tokens = 744 * 10**9, 40 * 10**9, 28_500 * 10**9
    glm5.save()
    guidance = ascend_guidance(eu, huawei)
    GuidanceReach.objects.create(guidance=guidance, kind="compute_above", threshold=1e24, unit="flop")
    GuidanceReach.objects.create(guidance=guidance, kind="developer_country", country="CN")
    GuidanceReach.objects.create(guidance=guidance, kind="open_weights")
    GuidanceReach.objects.create(guidance=guidance, kind="licence", licence="MIT")
    GuidanceReach.objects.create(guidance=guidance, kind="parameters_above", threshold=100, unit="billion_parameters")

    risk = next(r for r in rules.derive(model=glm5) if r.rule == "guidance_reaches_model")
    assert len(risk.facts["reasons"]) == 6
    assert "6.8e+24 FLOP" in risk.description

    GuidanceReach.objects.create(guidance=guidance, kind="compute_above", threshold=1e25, unit="flop")
    assert len(keys(glm5)) == 1  # same kind: alternatives
    guidance.reaches.filter(kind="compute_above", threshold=1e24).delete()
    assert keys(glm5) == set()  # 6.8e24 is not above 1e25


def test_the_hardware_item_cites_whatever_guidance_reaches_the_accelerator(glm5, entity_listed, us, huawei):
    RegulatoryGuidance.objects.create(
        jurisdiction=us, issuer="BIS", title="Unrelated", kind="guidance", status="in_force"
    )
    cited = RegulatoryGuidance.objects.create(
        jurisdiction=us,
        issuer="BIS",
        title="Ascend guidance",
        kind="guidance",
        status="in_force",
        issued_on=datetime.date(2025, 5, 13),
        citation="BIS guidance of 13 May 2025 (General Prohibition 10)",
    )
    GuidanceReach.objects.create(guidance=cited, kind="accelerator", organisation=huawei, product_prefix="Ascend")

    risk = next(r for r in rules.derive(model=glm5) if r.rule == "training_hardware_listed_vendor")

    assert risk.facts["guidance"]["id"] == cited.pk
    assert "General Prohibition 10" in risk.description


def test_a_threshold_with_no_unit_is_refused_by_the_form_and_the_database(glm5, eu, huawei):
    guidance = ascend_guidance(eu, huawei)
    reach = GuidanceReach(guidance=guidance, kind="compute_above", threshold=1e25)

    with pytest.raises(ValidationError) as error:
        reach.full_clean()
    assert "unit" in error.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        reach.save()


def test_a_unit_of_the_wrong_kind_is_refused(eu, huawei):
    guidance = ascend_guidance(eu, huawei)
    reach = GuidanceReach(guidance=guidance, kind="compute_above", threshold=1e25, unit="billion_parameters")

    with pytest.raises(ValidationError, match="not a unit for training compute"):
        reach.full_clean()


def test_an_effective_date_before_the_issue_date_is_refused_by_the_form_and_the_database(eu):
    guidance = RegulatoryGuidance(
        jurisdiction=eu,
        issuer="EC",
        title="Backdated",
        kind="guidance",
        status="in_force",
        issued_on=datetime.date(2026, 3, 1),
        effective_from=datetime.date(2026, 2, 1),
    )

    with pytest.raises(ValidationError) as error:
        guidance.full_clean()
    assert "before the issue date" in str(error.value.message_dict["effective_from"])
    with pytest.raises(IntegrityError), transaction.atomic():
        guidance.save()


def test_a_risk_category_without_likelihood_and_impact_is_refused(eu):
    guidance = RegulatoryGuidance(
        jurisdiction=eu, issuer="EC", title="Half", kind="guidance", status="in_force", risk_category="regulatory"
    )

    with pytest.raises(ValidationError, match="likelihood and impact"):
        guidance.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        guidance.save()


def test_legal_writes_guidance_with_what_it_reaches_through_the_api_as_a_draft(as_user, legal, eu, huawei):
    response = as_user(legal).post(
        "/api/guidance/",
        {
            "jurisdiction": "EU",
            "issuer": "European Commission",
            "title": "Models trained on Huawei Ascend accelerators",
            "kind": "guidance",
            "status": "proposed",
            "risk_category": "regulatory",
            "risk_likelihood": 3,
            "risk_impact": 4,
            "reaches": [{"kind": "accelerator", "organisation": huawei.pk, "product_prefix": "Ascend"}],
            "publication": "published",
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["publication"] == "draft"
    assert body["reaches"][0]["described"] == "Huawei Ascend accelerators"


def test_the_api_refuses_guidance_that_implies_a_risk_and_reaches_nothing(as_user, legal, eu):
    response = as_user(legal).post(
        "/api/guidance/",
        {
            "jurisdiction": "EU",
            "issuer": "EC",
            "title": "Reaches nothing",
            "kind": "guidance",
            "status": "proposed",
            "risk_category": "regulatory",
            "risk_likelihood": 3,
            "risk_impact": 4,
        },
        format="json",
    )

    assert response.status_code == 400
    assert "reaches nothing" in response.json()["reaches"][0]
    assert not RegulatoryGuidance.objects.filter(title="Reaches nothing").exists()


def test_the_api_refuses_a_threshold_with_no_unit_and_keeps_nothing(as_user, legal, eu):
    response = as_user(legal).post(
        "/api/guidance/",
        {
            "jurisdiction": "EU",
            "issuer": "EC",
            "title": "Systemic risk",
            "kind": "legislation",
            "status": "in_force",
            "reaches": [{"kind": "compute_above", "threshold": 1e25}],
        },
        format="json",
    )

    assert response.status_code == 400
    assert "unit" in str(response.json()["reaches"])
    assert not RegulatoryGuidance.objects.filter(title="Systemic risk").exists()


def test_an_outsider_cannot_write_guidance(as_user, outsider, eu):
    response = as_user(outsider).post("/api/guidance/", {"jurisdiction": "EU", "title": "x"}, format="json")

    assert response.status_code == 403


def test_legal_edits_what_guidance_reaches_in_the_admin_and_the_auditor_only_reads_it(legal, auditor):
    assert legal.has_perm("models_catalog.add_guidancereach")
    assert legal.has_perm("models_catalog.change_guidancereach")
    assert auditor.has_perm("models_catalog.view_guidancereach")
    assert not auditor.has_perm("models_catalog.change_guidancereach")
