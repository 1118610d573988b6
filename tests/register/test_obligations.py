"""Obligations on a timeline: what applies to a model on a day, per jurisdiction, and approvals whose validity
crosses a day on which a new obligation starts to apply."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from models_catalog.demo import EU_AI_ACT_OBLIGATIONS
from models_catalog.models import AIModel, Obligation, RegulatoryGuidance
from riskreg.register import demo, services
from riskreg.register.models import AdoptionRequest
from riskreg.register.obligations import approvals_to_review, obligations_timeline, obligations_timelines

D = datetime.date
GPAI = "Art. 53(1)(c), (d)"  # the developer's copyright policy and training summary: no open-source exemption


@pytest.fixture
def demo_loaded(demo_register, requester, legal, security, procurement, auditor):
    return {"requester": requester, "legal": legal, "security": security, "procurement": procurement}


def model(slug: str) -> AIModel:
    return AIModel.objects.get(slug=slug)


def whats(items: list[dict]) -> list[str]:
    return [item["what"] for item in items]


def gpai(items: list[dict]) -> list[dict]:
    return [item for item in items if GPAI in item["citation"]]


def test_eu_gpai_obligations_apply_from_2_aug_2025_to_a_model_released_after_that_day(demo_loaded):
    glm5 = model("glm-5")  # released 1 Feb 2026
    before = obligations_timeline(model=glm5, on=D(2025, 8, 1))
    on_the_day = obligations_timeline(model=glm5, on=D(2025, 8, 2))
    assert not gpai(before["in_force"])
    assert [item["date"] for item in gpai(before["ahead"])] == ["2025-08-02"]
    [item] = gpai(on_the_day["in_force"])
    assert item["date_label"] == "2 Aug 2025"
    assert (item["jurisdiction"], item["holder"]) == ("EU", "developer")
    assert "Art. 111(3)" in item["citation"]
    assert "released 1 Feb 2026, on or after 2 Aug 2025" in item["timing"]
    assert item["reasons"] == ["it may be used in the European Union"]  # the model's timeline, before any use


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
    in_force = obligations_timeline(model=glm5, on=D(2025, 5, 13))["in_force"]
    [item] = [i for i in in_force if bis in i["what"] and i["holder"] == "supply_chain"]
    [ours] = [i for i in in_force if bis in i["citation"] and i["holder"] == "us"]
    assert ours["when"] == "when we run it on a listed vendor's chips"  # a duty only of a use that does
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
    assert list(dict.fromkeys(ahead))[:3] == ["2025-01-16", "2025-02-02", "2025-05-13"]
    in_force = timeline["in_force"]
    assert {item["jurisdiction"] for item in in_force} == {"EU", "US"}  # the GDPR's duties; Huawei listed
    assert [item["holder"] for item in in_force] == sorted((i["holder"] for i in in_force), key=lambda h: h != "us")


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
    assert Obligation.objects.count() == count
    assert Obligation.history.count() == count  # the second load changed nothing


# --- approvals whose validity crosses a new obligation of their use --------------------------------------


def cv_screening_approval(users, *, decided: datetime.datetime, expires: datetime.date) -> AdoptionRequest:
    """An approved request for GLM-5 to rank job applications (EU AI Act Annex III, point 4), decided on a day."""
    glm5 = model("glm-5")
    context = {**demo.GLM5_USES["cv"][1], "modification": "none", "finetune_flop": None}
    filed = demo.approved(glm5, users, "Rank job applications", context=context, classification="public")
    AdoptionRequest.objects.filter(pk=filed.pk).update(decided_at=decided, expires_on=expires)
    return AdoptionRequest.objects.get(pk=filed.pk)


def test_an_approval_whose_validity_crosses_a_new_obligation_of_its_use_is_flagged_for_review_before_that_day(
    demo_loaded,
):
    request = cv_screening_approval(
        demo_loaded, decided=timezone.make_aware(datetime.datetime(2027, 1, 10, 12)), expires=D(2028, 1, 10)
    )
    flag = approvals_to_review(requests=[request], today=D(2027, 2, 1))[request.pk]
    assert flag["label"] == "Review before 2 Dec 2027"
    assert flag["overdue"] is False
    cited = {item["citation"].split(";")[0] for item in flag["obligations"]}
    assert cited == {"Regulation (EU) 2024/1689, Art. 26", "Regulation (EU) 2024/1689, Art. 16 and Art. 25(1)"}
    assert all(item["holder"] == "us" for item in flag["obligations"])  # the developer's duties are not ours


def test_the_same_model_for_an_internal_use_is_not_flagged(demo_loaded):
    coding = AdoptionRequest.objects.get(use_case=demo.GLM5_USES["coding"][0])
    AdoptionRequest.objects.filter(pk=coding.pk).update(
        state="approved", decided_at=timezone.make_aware(datetime.datetime(2027, 1, 10, 12)), expires_on=D(2028, 1, 10)
    )
    coding.refresh_from_db()
    assert approvals_to_review(requests=[coding], today=D(2027, 2, 1)) == {}


def test_an_approval_expiring_before_the_next_obligation_is_not_flagged(demo_loaded):
    decided = timezone.make_aware(datetime.datetime(2027, 1, 10, 12))
    request = cv_screening_approval(demo_loaded, decided=decided, expires=D(2027, 12, 1))  # the day before
    assert approvals_to_review(requests=[request], today=D(2027, 2, 1)) == {}
    AdoptionRequest.objects.filter(pk=request.pk).update(expires_on=D(2027, 12, 2))  # the day itself counts
    request.refresh_from_db()
    assert approvals_to_review(requests=[request], today=D(2027, 2, 1))[request.pk]["review_before"] == "2027-12-02"


def test_an_obligation_that_began_after_the_approval_and_has_passed_is_overdue(demo_loaded):
    request = cv_screening_approval(
        demo_loaded, decided=timezone.make_aware(datetime.datetime(2026, 3, 1, 12)), expires=D(2027, 3, 1)
    )
    flag = approvals_to_review(requests=[request], today=D(2026, 11, 28))[request.pk]
    assert flag["review_before"] == "2026-08-02"  # Art. 50(2): marking generated content, since approval
    assert flag["label"] == "Review overdue: a new obligation applies since 2 Aug 2026"


def test_a_reviewer_marks_an_obligation_considered_with_a_reason_and_it_no_longer_counts(demo_loaded):
    request = cv_screening_approval(
        demo_loaded, decided=timezone.make_aware(datetime.datetime(2026, 3, 1, 12)), expires=D(2027, 3, 1)
    )
    flag = approvals_to_review(requests=[request], today=D(2026, 11, 28))[request.pk]
    first = flag["obligations"][0]
    with pytest.raises(ValidationError):
        services.obligation_consider(
            request_id=request.pk, obligation_id=first["obligation_id"], actor=demo_loaded["legal"], reason=" "
        )
    with pytest.raises(PermissionDenied):  # whoever filed it does not review its approval
        services.obligation_consider(
            request_id=request.pk, obligation_id=first["obligation_id"], actor=demo_loaded["requester"], reason="x"
        )

    services.obligation_consider(
        request_id=request.pk,
        obligation_id=first["obligation_id"],
        actor=demo_loaded["legal"],
        reason="The system marks its output as generated since August.",
    )

    after = approvals_to_review(requests=[request], today=D(2026, 11, 28)).get(request.pk)
    assert first["obligation_id"] not in {item["obligation_id"] for item in (after or {}).get("obligations", [])}
    event = request.events.get(kind="obligation_considered")
    assert (event.actor, event.detail["reason"]) == (
        demo_loaded["legal"],
        "The system marks its output as generated since August.",
    )
    assert first["citation"] == event.detail["citation"]


def test_only_approved_requests_are_flagged(demo_loaded):
    requests = list(AdoptionRequest.objects.exclude(state="approved"))
    assert requests
    assert approvals_to_review(requests=requests, today=D(2026, 11, 28)) == {}


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
    assert Obligation.objects.filter(guidance=guidance).count() == len(EU_AI_ACT_OBLIGATIONS)
    legal = demo_loaded["legal"]
    assert legal.has_perm("models_catalog.change_obligation") and legal.has_perm("models_catalog.add_obligation")
    assert auditor.has_perm("models_catalog.view_obligation") and not auditor.has_perm(
        "models_catalog.change_obligation"
    )
