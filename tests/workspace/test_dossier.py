"""The model dossier /models/<slug>/: the risk first, facts in human units, evidence one click away."""

from __future__ import annotations

import datetime

from django.test import Client
from django.utils import timezone
from django.utils.html import strip_tags

from reports.services.snapshot import model_snapshot_build
from riskreg.dossier import dossier_build
from riskreg.workspace.selectors import dossier_snapshot


def _get(user, url):
    client = Client()
    client.force_login(user)
    return client.get(url)


def _text(response) -> str:
    return " ".join(strip_tags(response.content.decode()).split())


def test_legal_reads_the_glm5_dossier_and_may_edit_the_auditor_reads_it_without_edit_controls(
    demo, legal, auditor, requester, outsider
):
    response = _get(legal, "/models/glm-5/")

    assert response.status_code == 200
    html, text = response.content.decode(), _text(response)
    assert 'data-testid="model-risk-level"' in html and 'data-testid="exposure-flags"' in html
    assert "744B, 40B active" in text and "28.5T tokens" in text
    assert "744000000000" not in text
    assert "Reported, unconfirmed by developer" in text and 'href="#source-1"' in html
    assert 'data-testid="supply-chain-graph"' in html and "#b71c1c" in html  # listed nodes are red
    assert "Counsel to advise whether use of published weights is affected." in text  # US rationale
    assert "Developer Zhipu AI or its group is on a sanctions or export-control list" in text
    assert "16 Jan 2025" in text and "2025-01-16" not in text
    assert 'data-testid="generate-memo"' in html
    assert 'data-testid="edit-model"' in html
    assert 'data-testid="request-adoption"' not in html  # legal reviews requests, it does not file them
    # each sign-off links to the dossier as of its day
    assert f'href="/models/glm-5/?as_of={timezone.localdate().isoformat()}"' in html

    today = _text(_get(legal, f"/models/glm-5/?as_of={timezone.localdate().isoformat()}"))
    assert "As of " in today and "rebuilt from its history" in today
    assert "Zhipu AI and 6 subsidiaries — BIS Entity List, 90 FR 4617" in today
    assert "Generate memo" not in today  # a memo is of today, not of a past day

    before = _get(legal, "/models/glm-5/?as_of=2020-01-01")
    assert before.status_code == 200
    assert "GLM-5 was not yet in the register on 1 Jan 2020." in _text(before)
    assert _get(legal, "/models/no-such-model/").status_code == 404

    response = _get(auditor, "/models/glm-5/")

    html = response.content.decode()
    assert response.status_code == 200 and 'data-testid="supply-chain-graph"' in html
    assert 'data-testid="edit-model"' not in html
    assert 'data-testid="generate-memo"' not in html
    assert 'data-testid="request-adoption"' not in html
    assert _get(outsider, "/models/glm-5/").status_code == 403

    html = _get(requester, "/models/glm-5/").content.decode()
    assert 'href="/requests/new/?model=glm-5" data-testid="request-adoption"' in html
    assert 'data-testid="request-adoption"' not in _get(requester, "/models/glm-5/?as_of=2020-01-01").content.decode()


def test_dossier_as_of_a_past_day_shows_the_earlier_state(demo, legal):
    from django.apps import apps

    from models_catalog.models import ProvenanceClaim

    claim = ProvenanceClaim.objects.get(model=demo, subject="training_hardware")
    yesterday = timezone.now() - datetime.timedelta(days=1)
    # Move every history record of the demo back a day, then change the claim today.
    for model in apps.get_models():
        if model.__name__.startswith("Historical") and hasattr(model, "history_date"):
            model.objects.update(history_date=yesterday)
    claim.confidence = ProvenanceClaim.Confidence.DISPUTED
    claim.save()

    then = dossier_snapshot(model=demo, as_of=yesterday.date())
    now = dossier_snapshot(model=demo)

    assert then["claims"][0]["confidence"] == "reported"
    assert now["claims"][0]["confidence"] == "disputed"


def test_the_page_and_the_memo_read_one_dossier_and_the_api_reads_it_as_of_a_day(demo, auditor, as_user):
    at = timezone.now()
    dossier = dossier_build(model_id=demo.pk, now=at)
    memo = model_snapshot_build(model_id=demo.pk, request_id=None, memo={}, at=at)
    page = dossier_snapshot(model=demo)

    shared = ("kind", "model", "request", "requests", "approval", "claims", "supply_chain", "regulatory")
    for key in (*shared, "obligations", "risk", "sources", "captures"):
        assert memo[key] == dossier[key], key
    for key in (*shared, "risk", "sources"):
        assert page[key] == dossier[key], key
    assert page["obligations"]["in_force"] == dossier["obligations"]["in_force"]
    assert {"alerts", "open_questions", "memo", "schema"} <= set(memo) - set(dossier)  # what only a memo shows

    api = as_user(auditor)
    before = api.get("/api/models/glm-5/?as_of=2020-01-01")
    today = api.get(f"/api/models/glm-5/?as_of={timezone.localdate().isoformat()}")
    malformed = api.get("/api/models/glm-5/?as_of=yesterday")

    assert before.status_code == 404 and "not yet in the register" in before.json()["detail"]
    assert today.status_code == 200
    body = today.json()
    assert body["slug"] == "glm-5" and body["residual_level"]["name"] == "High"
    assert {flag["citation"] for flag in body["exposure"]} == {"90 FR 4617", "84 FR 22961"}
    assert malformed.status_code == 400 and "YYYY-MM-DD" in malformed.json()["as_of"]


def test_the_register_as_of_a_day_finds_each_organisation_by_its_own_id_not_its_history_records(demo):
    """On PostgreSQL a table's ids and its history's ids drift apart (a bulk insert writes no history, rolled-back
    work spends both sequences differently); the as-of chain once looked organisations up by history id and lost
    GLM-5's chip vendor."""
    from models_catalog.models import Accelerator, Organisation, ProvenanceClaim

    Organisation.objects.bulk_create([Organisation(name=f"No history {n}", country="US") for n in range(3)])
    vendor = Organisation.objects.create(name="Late Chips Ltd.", country="US")
    chip = Accelerator.objects.create(product="LC-1", vendor=vendor)
    ProvenanceClaim.objects.create(
        model=demo,
        subject=ProvenanceClaim.Subject.TRAINING_HARDWARE,
        statement="Also trained on LC-1.",
        value="LC-1",
        accelerator=chip,
        confidence=ProvenanceClaim.Confidence.REPORTED,
        source=ProvenanceClaim.objects.filter(model=demo).first().source,
    )
    assert Organisation.history.get(id=vendor.pk).history_id != vendor.pk

    dossier = dossier_build(model_id=demo.pk, at=timezone.now() + datetime.timedelta(seconds=1))

    names = [link["organisation"]["name"] for link in dossier["supply_chain"]]
    assert "Late Chips Ltd." in names and "Huawei Technologies Co., Ltd." in names
