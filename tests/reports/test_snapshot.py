"""The snapshot holds everything the memo shows, in canonical JSON, built with a fixed number of queries."""

from __future__ import annotations

import datetime as dt
import json

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from models_catalog.models import ProvenanceClaim
from reports.services.snapshot import (
    model_snapshot_build,
    portfolio_snapshot_build,
    snapshot_canonical,
    snapshot_sha256,
)
from riskreg.register.models import AdoptionRequest, RiskItem

AT = dt.datetime(2026, 4, 10, 9, 0, tzinfo=dt.UTC)
META = {"id": 1, "kind": "model", "version": 1, "generated_by": None, "template_version": "t", "subject": "x"}


def build(world, request_id=None):
    return model_snapshot_build(model_id=world.model.pk, request_id=request_id, memo=META, at=AT)


def test_overall_level_is_the_highest_residual_band_among_accepted_items(world):
    snapshot = build(world)

    assert snapshot["risk"]["overall"] == {"name": "High", "colour": "#ef6c00", "score": 12, "from_inherent": False}
    drivers = [i for i in snapshot["risk"]["items"] if i["ref"] in snapshot["risk"]["drivers"]]
    assert [d["title"] for d in drivers] == [
        "Developer and affiliates on the BIS Entity List (90 FR 4617)",
        "Reported training on Huawei Ascend 910B (BIS guidance of 13 May 2025)",
        "Behaviour of open weights from a listed developer",
    ]


def test_proposed_items_are_shown_but_never_drive_the_level(world):
    RiskItem.objects.filter(status=RiskItem.Status.PROPOSED).update(inherent_likelihood=5, inherent_impact=5)

    snapshot = build(world)

    proposed = [i for i in snapshot["risk"]["items"] if i["status"] == "proposed"]
    assert proposed and proposed[0]["effective"]["score"] == 25
    assert snapshot["risk"]["overall"]["score"] == 12


def test_an_item_without_residual_counts_with_its_inherent_rating(world):
    RiskItem.objects.filter(category="licence").update(
        inherent_likelihood=5, inherent_impact=5, residual_likelihood=None, residual_impact=None
    )

    overall = build(world)["risk"]["overall"]

    assert overall["name"] == "Critical" and overall["from_inherent"] is True


def test_claims_cite_numbered_sources_in_the_appendix(world):
    snapshot = build(world)

    numbers = {s["n"] for s in snapshot["sources"]}
    hardware = next(c for c in snapshot["claims"] if c["subject"] == "training_hardware")
    assert hardware["citations"] == [1, 2]  # the press report, then the analysis
    assert hardware["confidence_label"] == "Reported, unconfirmed by developer"
    assert all(n in numbers for c in snapshot["claims"] for n in c["citations"])
    assert [s["n"] for s in snapshot["sources"]] == list(range(1, len(snapshot["sources"]) + 1))


def test_supply_chain_carries_list_entries_with_authority_date_citation_and_review(world):
    chain = {link["organisation"]["name"]: link for link in build(world)["supply_chain"]}

    huawei = chain["Huawei Technologies Co., Ltd."]
    assert huawei["role"] == "chip_vendor" and huawei["listed"]
    entry = huawei["list_entries"][0]
    assert (entry["listed_on"], entry["citation"], entry["status"], entry["reviewed_by"]) == (
        "2019-05-16",
        "84 FR 22961",
        "confirmed",
        "legal",
    )
    assert entry["authority"].startswith("US Department of Commerce")
    zhipu = chain["Beijing Zhipu Huazhang Technology Co., Ltd."]
    assert zhipu["organisation"]["native_name"] == "北京智谱华章科技股份有限公司"
    assert [n["citation"] for n in zhipu["sanctions_notes"]] == ["90 FR 4617"]
    assert not chain["Beijing Lingxin Intelligent Technology Co., Ltd."]["listed"]


def test_regulatory_status_lists_guidance_with_references(world):
    regulatory = {r["jurisdiction"]["code"]: r for r in build(world)["regulatory"]}

    assert regulatory["EU"]["status"] == "permitted_with_conditions"
    assert "Regulation (EU) 2024/1689" in [g["reference"] for g in regulatory["EU"]["guidance"]]
    bis = next(g for g in regulatory["US"]["guidance"] if g["kind"] == "guidance")
    assert bis["issued_on"] == "2025-05-13" and bis["reference"] == ""


def test_open_questions_frame_the_entity_list_hardware_and_cloud_questions(world):
    topics = [q["topic"] for q in build(world)["open_questions"]]

    assert topics == [
        "Published weights and the Entity List",
        "Regulators' guidance on models trained on this hardware",
        "Cloud providers' positioning",
    ]


def test_model_memo_is_draft_unless_every_current_request_is_approved(world):
    assert build(world)["approval"]["watermark"] == "DRAFT"

    AdoptionRequest.objects.filter(pk=world.request.pk).update(
        state=AdoptionRequest.State.APPROVED, decided_at=timezone.now(), expires_on=dt.date(2027, 4, 9)
    )
    AdoptionRequest.objects.create(
        model=world.model,
        use_case="Withdrawn idea",
        access="cloud_marketplace",
        data_to="IE",
        data_classification="public",
        requester=world.users["requester"],
        state=AdoptionRequest.State.WITHDRAWN,
        matrix=world.matrix,
    )

    assert build(world)["approval"] == {
        "approved": True,
        "watermark": "",
        "reason": "Every current adoption request for this model is approved.",
    }


def test_request_memo_is_draft_until_that_request_is_approved(world):
    snapshot = build(world, request_id=world.request.pk)
    assert snapshot["kind"] == "request" and snapshot["approval"]["watermark"] == "DRAFT"
    assert snapshot["request"]["missing_roles"] == ["procurement"]

    AdoptionRequest.objects.filter(pk=world.request.pk).update(
        state=AdoptionRequest.State.APPROVED, decided_at=timezone.now(), expires_on=dt.date(2027, 4, 9)
    )

    assert build(world, request_id=world.request.pk)["approval"]["approved"] is True


def test_request_memo_adds_the_requests_own_risk_items(world):
    RiskItem.objects.create(
        model=world.model,
        request=world.request,
        matrix=world.matrix,
        category="data_protection",
        title="Internal code sent to the model",
        inherent_likelihood=5,
        inherent_impact=4,
    )

    assert "Internal code sent to the model" not in [i["title"] for i in build(world)["risk"]["items"]]
    request_items = build(world, request_id=world.request.pk)["risk"]["items"]
    assert "Internal code sent to the model" in [i["title"] for i in request_items]


def only_a_critical_request_item(world) -> None:
    """No model-level items; the request holds one accepted Critical item (4 x 5)."""
    RiskItem.objects.filter(request__isnull=True).delete()
    RiskItem.objects.create(
        model=world.model,
        request=world.request,
        matrix=world.matrix,
        category="sanctions",
        title="Developer on the Entity List",
        inherent_likelihood=4,
        inherent_impact=5,
    )


def test_a_model_memo_shows_what_its_requests_carry_when_the_model_level_register_is_empty(world):
    """Found in review: a model whose request held a Critical item read "not assessed" in its memo."""
    only_a_critical_request_item(world)

    snapshot = build(world)

    assert snapshot["risk"]["overall"] is None
    highest = snapshot["risk"]["requests_highest"]
    assert (highest["name"], highest["score"], highest["request_id"]) == ("Critical", 20, world.request.pk)
    request = next(r for r in snapshot["requests"] if r["id"] == world.request.pk)
    assert request["risk"]["accepted_count"] == 1


def test_canonical_json_has_sorted_keys_and_no_whitespace(world):
    snapshot = build(world)

    canonical = snapshot_canonical(snapshot)

    assert canonical == json.dumps(snapshot, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    assert snapshot_sha256(json.loads(canonical)) == snapshot_sha256(snapshot)
    assert "北京智谱华章" in canonical.decode()


def test_the_same_register_gives_the_same_snapshot_hash(world):
    assert snapshot_sha256(build(world)) == snapshot_sha256(build(world))


def test_snapshot_query_count_is_the_same_with_5_and_200_claims(world):
    with CaptureQueriesContext(connection) as five:
        build(world)
    for n in range(195):
        claim = ProvenanceClaim.objects.create(
            model=world.model,
            subject="other",
            statement=f"Observation {n}",
            value=f"obs {n}",
            confidence="unverified",
            source=world.sources["analysis"],
            accelerator=world.ascend if n % 7 == 0 else None,
        )
        claim.other_sources.set([world.sources["card"], world.sources["report"]])
    assert world.model.claims.count() == 200

    with CaptureQueriesContext(connection) as two_hundred:
        snapshot = build(world)

    assert len(snapshot["claims"]) == 200
    assert len(two_hundred) == len(five.captured_queries)


def test_portfolio_lists_every_model_with_level_and_request_status(world):
    with CaptureQueriesContext(connection) as queries:
        snapshot = portfolio_snapshot_build(memo=META, at=timezone.now())

    (row,) = snapshot["models"]
    assert (
        row["name"] == "GLM-5"
        and row["overall"]["name"] == "High"
        and row["status"] == f"#{world.request.pk} In review"
    )
    assert len(queries) == 4  # models, model-level items, requests, items of current requests


def test_portfolio_takes_the_level_of_a_current_request_when_the_model_has_no_model_level_items(world):
    only_a_critical_request_item(world)

    (row,) = portfolio_snapshot_build(memo=META, at=timezone.now())["models"]

    assert (row["overall"]["name"], row["overall"]["from_request"]) == ("Critical", world.request.pk)
    assert (row["risk_items"], row["request_risk_items"]) == (0, 1)


def test_a_whole_float_written_with_an_exponent_is_stored_as_the_int_the_database_gives_back():
    from reports.services.snapshot import snapshot_storable

    snapshot = {"requests": [{"context": {"finetune_flop": 4e21}, "score": 95.0, "share": 0.5}]}

    assert snapshot_storable(snapshot) == {
        "requests": [{"context": {"finetune_flop": 4_000_000_000_000_000_000_000}, "score": 95.0, "share": 0.5}]
    }
    assert isinstance(snapshot_storable(snapshot)["requests"][0]["context"]["finetune_flop"], int)
