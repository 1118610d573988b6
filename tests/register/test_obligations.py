"""Obligations on a timeline: what applies to a model on a day, per jurisdiction, and approvals whose validity
crosses a day on which a new obligation starts to apply."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from models_catalog.models import AIModel, Obligation, RegulatoryGuidance
from riskreg.register import demo
from riskreg.register.models import AdoptionRequest
from riskreg.register.selectors import approvals_to_review, obligations_timeline, obligations_timelines

D = datetime.date
GPAI = "general-purpose AI models"


@pytest.fixture
def demo_loaded(demo_register, requester, legal, security, procurement, auditor):
    return {"requester": requester, "legal": legal, "security": security, "procurement": procurement}


def model(slug: str) -> AIModel:
    return AIModel.objects.get(slug=slug)


def whats(items: list[dict]) -> list[str]:
    return [item["what"] for item in items]


def gpai(items: list[dict]) -> list[dict]:
    return [item for item in items if GPAI in item["what"]]


def test_eu_gpai_obligations_apply_from_2_aug_2025_to_a_model_released_after_that_day(demo_loaded):
    glm5 = model("glm-5")  # released 1 Feb 2026
    before = obligations_timeline(model=glm5, on=D(2025, 8, 1))
    on_the_day = obligations_timeline(model=glm5, on=D(2025, 8, 2))
    assert not gpai(before["in_force"])
    assert [item["date"] for item in gpai(before["ahead"])] == ["2025-08-02"]
    [item] = gpai(on_the_day["in_force"])
    assert item["date_label"] == "2 Aug 2025"
    assert item["jurisdiction"] == "EU"
    assert "Art. 113(b)" in item["citation"]
    assert "released 1 Feb 2026, on or after 2 Aug 2025" in item["timing"]
    assert item["reasons"] == ["it may be deployed in European Union"]


def test_a_gpai_model_placed_on_the_market_before_2_aug_2025_applies_from_2_aug_2027(demo_loaded):
    llama = model("llama-4")  # released 5 Apr 2025
    timeline = obligations_timeline(model=llama, on=D(2026, 11, 28))
    assert not gpai(timeline["in_force"])
    [item] = gpai(timeline["ahead"])
    assert item["date"] == "2027-08-02"
    assert item["timing"] == "released 5 Apr 2025, before 2 Aug 2025: applies from 2 Aug 2027"
    assert gpai(obligations_timeline(model=llama, on=D(2027, 8, 1))["ahead"])
    assert gpai(obligations_timeline(model=llama, on=D(2027, 8, 2))["in_force"])


def test_a_model_with_no_release_date_is_shown_the_earlier_date_and_told_why(demo_loaded):
    llama = model("llama-4")
    llama.release_date = None
    llama.save()
    [item] = gpai(obligations_timeline(model=llama, on=D(2025, 9, 1))["in_force"])
    assert item["date"] == "2025-08-02"
    assert item["timing"].startswith("release date not recorded")


def test_the_bis_ascend_guidance_applies_from_13_may_2025_only_to_models_said_to_be_trained_on_ascend(demo_loaded):
    bis = "General Prohibition 10"
    glm5 = model("glm-5")
    assert not [w for w in whats(obligations_timeline(model=glm5, on=D(2025, 5, 12))["in_force"]) if bis in w]
    [item] = [i for i in obligations_timeline(model=glm5, on=D(2025, 5, 13))["in_force"] if bis in i["what"]]
    assert item["jurisdiction"] == "US"
    assert item["citation"] == "BIS guidance of 13 May 2025 (General Prohibition 10)"
    assert item["reasons"][0].startswith("its training hardware is said to be Huawei Ascend")
    assert item["source"]["title"].startswith("Guidance on the use of Huawei Ascend")
    llama = obligations_timeline(model=model("llama-4"), on=D(2026, 1, 1))
    assert not [w for w in whats(llama["in_force"] + llama["ahead"]) if bis in w]


def test_entity_list_listings_apply_to_models_whose_supply_chain_they_reach(demo_loaded):
    timeline = obligations_timeline(model=model("glm-5"), on=D(2026, 1, 1))
    citations = [item["citation"] for item in timeline["in_force"] if item["jurisdiction"] == "US"]
    assert "90 FR 4617 (Federal Register)" in citations  # Zhipu AI, the developer
    assert "84 FR 22961 (Federal Register)" in citations  # Huawei, the chip vendor
    assert not [c for c in citations_of(model("llama-4")) if "FR" in c]


def citations_of(ai_model: AIModel) -> list[str]:
    timeline = obligations_timeline(model=ai_model, on=D(2026, 1, 1))
    return [item["citation"] for item in timeline["in_force"] + timeline["ahead"]]


def test_the_next_dates_ahead_come_in_date_order_and_in_force_is_grouped_by_jurisdiction(demo_loaded):
    timeline = obligations_timeline(model=model("glm-5"), on=D(2025, 1, 1))
    ahead = [item["date"] for item in timeline["ahead"]]
    assert ahead == sorted(ahead)
    assert ahead[:3] == ["2025-01-16", "2025-02-02", "2025-05-13"]
    assert [item["jurisdiction"] for item in timeline["in_force"]] == ["EU", "US"]  # AI Act in force; Huawei listed


def test_a_superseded_guidance_stops_applying_and_a_draft_never_applies(demo_loaded):
    bis = RegulatoryGuidance.objects.get(title__startswith="Guidance on Huawei Ascend")
    bis.superseded_on = D(2026, 1, 1)
    bis.save()
    assert "General Prohibition" not in str(
        whats(obligations_timeline(model=model("glm-5"), on=D(2026, 2, 1))["in_force"])
    )
    assert "General Prohibition" in str(whats(obligations_timeline(model=model("glm-5"), on=D(2025, 6, 1))["in_force"]))
    bis.superseded_on = None
    bis.publication = RegulatoryGuidance.Publication.DRAFT
    bis.save()
    assert "General Prohibition" not in str(
        whats(obligations_timeline(model=model("glm-5"), on=D(2025, 6, 1))["in_force"])
    )


def test_the_timeline_takes_the_same_number_of_queries_for_one_model_and_for_all(demo_loaded):
    ids = list(AIModel.objects.values_list("pk", flat=True))
    with CaptureQueriesContext(connection) as one:
        obligations_timelines(model_ids=ids[:1], on=D(2026, 1, 1))
    with CaptureQueriesContext(connection) as every:
        timelines = obligations_timelines(model_ids=ids, on=D(2026, 1, 1))
    assert len(ids) > 5 and len(timelines) == len(ids)
    assert len(every) == len(one)


def test_an_obligation_with_half_a_transition_is_refused_by_the_form_and_the_database(demo_loaded):
    guidance = RegulatoryGuidance.objects.get(title="AI Act: obligations for general-purpose AI models")
    half = Obligation(
        guidance=guidance, applies_from=D(2025, 8, 2), placed_before=D(2025, 8, 2), what="x", citation="Art. 1"
    )
    with pytest.raises(ValidationError) as error:
        half.full_clean()
    assert "placed_before_applies_from" in error.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        half.save()
    backwards = Obligation(
        guidance=guidance,
        applies_from=D(2025, 8, 2),
        placed_before=D(2025, 8, 2),
        placed_before_applies_from=D(2024, 1, 1),
        what="x",
        citation="Art. 2",
    )
    with pytest.raises(ValidationError) as error:
        backwards.full_clean()
    assert "must come after" in str(error.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        Obligation.objects.create(guidance=guidance, applies_from=D(2025, 8, 2), what="", citation="Art. 3")


def test_load_demo_twice_keeps_one_row_per_obligation_and_records_history(demo_loaded):
    count = Obligation.objects.count()
    call_command("load_demo", "--without-memos", stdout=io.StringIO())
    assert Obligation.objects.count() == count == 8
    assert Obligation.history.count() == count  # the second load changed nothing


# --- approvals whose validity crosses a new obligation -----------------------------------------------


def test_an_approval_whose_validity_crosses_a_new_obligation_is_flagged_for_review_before_that_day(demo_loaded):
    llama = AdoptionRequest.objects.get(model__slug="llama-4", state="approved")
    llama.decided_at = timezone.make_aware(datetime.datetime(2026, 11, 1, 12))
    llama.expires_on = D(2027, 11, 1)
    llama.save()
    flag = approvals_to_review(requests=[llama], today=D(2026, 11, 28))[llama.pk]
    assert flag["label"] == "Review before 2 Aug 2027"
    assert flag["overdue"] is False
    assert {item["date"] for item in flag["obligations"]} == {"2027-08-02"}
    assert any(GPAI in item["what"] for item in flag["obligations"])  # released before 2 Aug 2025: 2027 for it


def test_an_approval_expiring_before_the_next_obligation_is_not_flagged(demo_loaded):
    llama = AdoptionRequest.objects.get(model__slug="llama-4", state="approved")
    llama.decided_at = timezone.make_aware(datetime.datetime(2026, 11, 1, 12))
    llama.expires_on = D(2027, 8, 1)  # the day before
    llama.save()
    assert approvals_to_review(requests=[llama], today=D(2026, 11, 28)) == {}
    llama.expires_on = D(2027, 8, 2)  # the day itself is inside the validity
    llama.save()
    assert approvals_to_review(requests=[llama], today=D(2026, 11, 28))[llama.pk]["review_before"] == "2027-08-02"


def test_an_obligation_that_began_after_the_approval_and_has_passed_is_overdue(demo_loaded):
    llama = AdoptionRequest.objects.get(model__slug="llama-4", state="approved")
    llama.decided_at = timezone.make_aware(datetime.datetime(2026, 3, 1, 12))
    llama.expires_on = D(2027, 3, 1)
    llama.save()
    flag = approvals_to_review(requests=[llama], today=D(2026, 11, 28))[llama.pk]
    assert flag["review_before"] == "2026-08-02"  # Annex III high-risk provisions, since approval
    assert flag["label"] == "Review overdue: a new obligation applies since 2 Aug 2026"


def test_only_approved_requests_are_flagged(demo_loaded):
    requests = list(AdoptionRequest.objects.exclude(state="approved"))
    assert requests
    assert approvals_to_review(requests=requests, today=D(2026, 11, 28)) == {}


def test_a_transition_uses_the_model_release_date_for_the_flag_too(demo_loaded):
    glm5 = model("glm-5")  # released after 2 Aug 2025: GPAI already applies, nothing new in 2027 but Art. 6(1)
    filed = demo._approved(glm5, demo_loaded, "Translation of public documents", "self-hosted", "public")
    request = AdoptionRequest.objects.get(pk=filed.pk, state="approved")
    request.decided_at = timezone.make_aware(datetime.datetime(2026, 11, 1, 12))
    request.expires_on = D(2027, 11, 1)
    request.save()
    flag = approvals_to_review(requests=[request], today=D(2026, 11, 28))[request.pk]
    assert [item["citation"] for item in flag["obligations"]] == ["Regulation (EU) 2024/1689, Art. 113(c)"]


# --- admin -------------------------------------------------------------------------------------------


def _admin(user):
    from django.test import Client

    user.is_staff = True
    user.save()
    client = Client()
    client.force_login(user)
    return client


def test_legal_edits_obligations_inline_on_the_guidance_and_the_auditor_only_reads_them(demo_loaded, auditor):
    guidance = RegulatoryGuidance.objects.get(title="AI Act: obligations for general-purpose AI models")
    url = f"/admin/models_catalog/regulatoryguidance/{guidance.pk}/change/"
    html = _admin(demo_loaded["legal"]).get(url).content.decode()
    assert "Obligations on a timeline" in html and 'name="obligations-TOTAL_FORMS"' in html
    assert "Art. 111(3)" in html
    assert Obligation.objects.filter(guidance=guidance).count() == 5
    legal = demo_loaded["legal"]
    assert legal.has_perm("models_catalog.change_obligation") and legal.has_perm("models_catalog.add_obligation")
    assert auditor.has_perm("models_catalog.view_obligation") and not auditor.has_perm(
        "models_catalog.change_obligation"
    )
