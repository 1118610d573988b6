"""Issue 14: "the same impact view answers 'this list version adds entity X'": for a list version's added (and
removed) entries, the organisations they match, the models reached, and the requests, sign-offs and memos a
confirmed hit would touch, computed by the derivation confirming a hit runs."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db.models.signals import post_init
from django.urls import reverse

from models_catalog.models import AIModel, Organisation
from riskreg.register import demo, rules
from riskreg.register.models import AdoptionRequest
from riskreg.register.services.list_impact import list_version_impact
from riskreg.screening.models import ListEntry, ScreeningHit
from riskreg.screening.services import organisation_screen, sanctions_list_import, screening_hit_review
from tests.conftest import staff_client
from tests.reactions import applied_on_commit

LISTS = Path(__file__).resolve().parents[1] / "data" / "lists"
DEMO_CSL = Path(__file__).resolve().parents[2] / "riskreg" / "screening" / "demo_data" / "entity-list-demo.csv"


def _csl(*names: str) -> bytes:
    """The demo's Entity List file (CSL CSV, real notices) with only the rows of these parties."""
    header, *rows = DEMO_CSL.read_text().splitlines()
    kept = [row for row in rows if any(f",{name}," in row or f',"{name}",' in row for name in names)]
    assert len(kept) == len(names)
    return ("\n".join([header, *kept]) + "\n").encode()


@pytest.fixture
def users(requester, legal, security, procurement):
    return {"requester": requester, "legal": legal, "security": security, "procurement": procurement}


@pytest.fixture
def zhipu_added(glm5, llama4, users):
    """Version 1 lists Huawei; version 2 adds Beijing Zhipu Huazhang Technology (90 FR 4617). GLM-5 (Zhipu AI's)
    has an approved request; Llama 4 one in review."""
    demo.approved(glm5, users, "Translation of public documents", classification="public")
    sanctions_list_import(list_code="us-csl", data=_csl("Huawei Technologies Co., Ltd."), source_name="v1.csv")
    data = _csl("Huawei Technologies Co., Ltd.", "Beijing Zhipu Huazhang Technology Co., Ltd.")
    return sanctions_list_import(list_code="us-csl", data=data, source_name="v2.csv").version


def test_a_version_adding_zhipu_ai_shows_glm5_gaining_a_sanctions_item_and_its_approval_reopening(
    zhipu_added, glm5, zhipu
):
    impact = list_version_impact(version_id=zhipu_added.pk, reader=None)

    assert [entry["name"] for entry in impact.entries_added] == ["Beijing Zhipu Huazhang Technology Co., Ltd."]
    matched = impact.entries_added[0]["organisations"]
    assert [(org["id"], org["hit"]) for org in matched] == [(zhipu.pk, None)]
    assert impact.entries_added[0]["citation"] == "90 FR 4617"
    assert [model.name for model in impact.models] == ["GLM-5"]  # not Llama 4
    gains = impact.models[0].gains
    assert [(gain["rule"], gain["key"]) for gain in gains] == [("sanctions_listed_party", "developer-group")]
    assert "90 FR 4617" in gains[0]["reason"]
    approved = AdoptionRequest.objects.get(model=glm5, state="approved")
    assert [r["id"] for r in impact.requests_reopening] == [approved.pk]
    assert {s["request"] for s in impact.approvals_lapsing} == {approved.pk}
    assert not ScreeningHit.objects.exists()  # nothing written


def test_confirming_the_match_does_exactly_what_the_impact_said(
    zhipu_added, glm5, zhipu, legal, django_capture_on_commit_callbacks
):
    impact = list_version_impact(version_id=zhipu_added.pk, reader=None)
    approved = AdoptionRequest.objects.get(model=glm5, state="approved")

    with applied_on_commit(django_capture_on_commit_callbacks):
        organisation_screen(organisation_id=zhipu.pk)
        hit = ScreeningHit.objects.get(organisation=zhipu, entry__external_id=impact.entries_added[0]["external_id"])
        screening_hit_review(hit_id=hit.pk, user=legal, decision="confirmed", reason="Same party, 90 FR 4617")

    approved.refresh_from_db()
    assert [r["id"] for r in impact.requests_reopening] == [approved.pk]
    assert approved.state == "reopened"
    derived = {(risk.rule, risk.key) for risk in rules.derive(model=glm5)}
    assert ("sanctions_listed_party", "developer-group") in derived
    # Now the hit is confirmed the register has applied it: the version in force has nothing left to change, and
    # says so instead of announcing again what was done (no false alarm).
    again = list_version_impact(version_id=zhipu_added.pk, reader=None)
    assert again.entries_added[0]["organisations"][0]["hit"]["status"] == "confirmed"
    assert (again.models, again.requests_reopening, again.approvals_lapsing) == ([], [], [])


def test_a_dismissed_match_changes_nothing(zhipu_added, zhipu, legal):
    organisation_screen(organisation_id=zhipu.pk)
    hit = ScreeningHit.objects.get(organisation=zhipu)
    screening_hit_review(hit_id=hit.pk, user=legal, decision="dismissed", reason="Different party")

    impact = list_version_impact(version_id=zhipu_added.pk, reader=None)

    assert impact.entries_added[0]["organisations"][0]["hit"]["status"] == "dismissed"
    assert impact.models == []


def test_a_version_removing_a_confirmed_entry_applies_at_import_and_shows_the_listing_going_in_its_history(
    zhipu_added, zhipu, legal, glm5
):
    organisation_screen(organisation_id=zhipu.pk)
    hit = ScreeningHit.objects.get(organisation=zhipu)
    screening_hit_review(hit_id=hit.pk, user=legal, decision="confirmed", reason="Same party")
    v3 = sanctions_list_import(
        list_code="us-csl", data=_csl("Huawei Technologies Co., Ltd."), source_name="v3.csv", allow_older=True
    ).version

    in_force = list_version_impact(version_id=v3.pk, reader=None)
    sanctions_list_import(
        list_code="us-csl",
        data=_csl("Huawei Technologies Co., Ltd.", "Beijing Zhipu Huazhang Technology Co., Ltd."),
        source_name="v4.csv",
        allow_older=True,
    )
    history = list_version_impact(version_id=v3.pk, reader=None)

    assert [entry["name"] for entry in in_force.entries_removed] == ["Beijing Zhipu Huazhang Technology Co., Ltd."]
    assert in_force.models == []  # the import announced the removal: nothing left for it to change
    assert history.version["in_force"] is False
    assert [(m.name, [loss["key"] for loss in m.loses]) for m in history.models] == [("GLM-5", ["developer-group"])]


def test_the_real_sdn_diff_names_the_added_entry_a_catalog_organisation_matches(db, nvidia):
    """sdn-2024-03-14.csv then sdn-2024-05-03.csv (+516 -15 ~11): one added entity is in our catalog."""
    wuhan = Organisation.objects.create(name="Wuhan Global Sensor Technology Co., Ltd.", country="CN")
    model = AIModel.objects.create(name="Sensor-LM", family="Sensor", developer=wuhan, licence="MIT", weights="open")
    sanctions_list_import(
        list_code="ofac-sdn", data=(LISTS / "ofac" / "sdn-2024-03-14.csv").read_bytes(), source_name="03-14"
    )
    version = sanctions_list_import(
        list_code="ofac-sdn", data=(LISTS / "ofac" / "sdn-2024-05-03.csv").read_bytes(), source_name="05-03"
    ).version

    impact = list_version_impact(version_id=version.pk, reader=None)

    assert (impact.version["added"], impact.version["removed"], impact.version["changed"]) == (516, 15, 11)
    assert [(entry["external_id"], [o["name"] for o in entry["organisations"]]) for entry in impact.entries_added] == [
        ("46633", ["Wuhan Global Sensor Technology Co., Ltd."])
    ]
    assert [m.id for m in impact.models] == [model.pk]
    assert impact.entries_removed == []


def test_a_first_import_adding_the_whole_list_reads_only_the_entries_that_match(db, nvidia):
    """A first import adds every entry of the list (the 14,965 of the real SDN file took 18.9 s in the probe): the
    impact names the one our catalog matches and builds that entry alone, not the list. Here the real CSL sample."""
    holding = Organisation.objects.create(name="200G PSA Holdings LLC", country="US")
    AIModel.objects.create(name="Holding-LM", family="Holding", developer=holding, licence="MIT", weights="open")
    version = sanctions_list_import(
        list_code="us-csl", data=(LISTS / "csl" / "consolidated-sample.csv").read_bytes(), source_name="csl.csv"
    ).version
    built = []

    def count(sender, instance, **kwargs):
        built.append(instance.primary_name)

    post_init.connect(count, sender=ListEntry)
    try:
        impact = list_version_impact(version_id=version.pk, reader=None)
    finally:
        post_init.disconnect(count, sender=ListEntry)

    assert impact.version["added"] == version.entry_count > 100
    assert [entry["name"] for entry in impact.entries_added] == ["200G PSA HOLDINGS LLC"]
    assert built == ["200G PSA HOLDINGS LLC"]


def test_the_impact_takes_the_same_queries_for_10_and_40_reached_models(zhipu_added, zhipu):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries() -> int:
        # warm: the screening index is built once per process
        list_version_impact(version_id=zhipu_added.pk, reader=None)
        with CaptureQueriesContext(connection) as captured:
            list_version_impact(version_id=zhipu_added.pk, reader=None)
        return len(captured)

    for n in range(9):
        AIModel.objects.create(name=f"GLM-x{n}", family="GLM", developer=zhipu, licence="MIT", weights="open")
    ten = queries()
    for n in range(30):
        AIModel.objects.create(name=f"GLM-y{n}", family="GLM", developer=zhipu, licence="MIT", weights="open")
    forty = queries()
    assert forty == ten


# --- page, API, command ---------------------------------------------------------------------------------------


def test_the_page_lists_the_added_entry_its_organisation_and_the_request_that_would_reopen(zhipu_added, legal):
    page = staff_client(legal).get(reverse("workspace:list-version-impact", args=[zhipu_added.pk]))

    text = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="impact"' in text
    assert "Beijing Zhipu Huazhang Technology Co., Ltd." in text and "90 FR 4617" in text
    assert "GLM-5" in text and "Translation of public documents" in text


@pytest.mark.parametrize(
    ("role", "status"), [("auditor", 200), ("security", 200), ("requester", 403), ("outsider", 403)]
)
def test_the_page_and_the_api_are_for_those_who_read_list_versions(zhipu_added, role, status, request, as_user):
    user = request.getfixturevalue(role)
    assert staff_client(user).get(reverse("workspace:list-version-impact", args=[zhipu_added.pk])).status_code == status
    assert as_user(user).get(f"/api/screening/list-versions/{zhipu_added.pk}/impact/").status_code == status


def test_the_api_answers_the_impact_as_json_and_404_for_an_unknown_version(zhipu_added, auditor, as_user, api):
    client = as_user(auditor)
    body = client.get(f"/api/screening/list-versions/{zhipu_added.pk}/impact/").json()

    assert body["version"]["list"] == "us-csl"
    assert body["entries_added"][0]["name"] == "Beijing Zhipu Huazhang Technology Co., Ltd."
    assert [m["name"] for m in body["models"]] == ["GLM-5"]
    assert client.get("/api/screening/list-versions/999999/impact/").status_code == 404
    assert api.get(f"/api/screening/list-versions/{zhipu_added.pk}/impact/").status_code == 401


def test_the_list_version_admin_page_links_the_impact(zhipu_added, legal):
    page = staff_client(legal).get(reverse("admin:screening_listversion_change", args=[zhipu_added.pk]))
    assert reverse("workspace:list-version-impact", args=[zhipu_added.pk]) in page.content.decode()


def test_the_command_prints_the_impact_as_json(zhipu_added):
    out = io.StringIO()
    call_command("list_version_impact", str(zhipu_added.pk), "--json", stdout=out)
    body = json.loads(out.getvalue())
    assert [m["name"] for m in body["models"]] == ["GLM-5"]


def test_the_command_prints_the_impact_in_words(zhipu_added):
    out = io.StringIO()
    call_command("list_version_impact", str(zhipu_added.pk), stdout=out)
    text = out.getvalue()
    as_json = io.StringIO()
    call_command("list_version_impact", str(zhipu_added.pk), "--json", stdout=as_json)
    body = json.loads(as_json.getvalue())
    assert text.startswith(f"{body['version']['list']} version #{zhipu_added.pk}:")
    for model in body["models"]:
        for risk in model["gains"] + model["loses"] + model["changes"]:
            assert f"  {model['name']} " in text and f": {risk['title']}" in text
    for request in body["requests_reopening"]:
        assert f"request #{request['id']} ({request['model']}, {request['use_case']}) reopens" in text
