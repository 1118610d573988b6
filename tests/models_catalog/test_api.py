"""The catalog API: what other systems and reviewers read, and what it refuses."""

from __future__ import annotations

import base64

import pytest

from models_catalog.models import AIModel, EvidenceSource, Organisation, ProvenanceClaim

# Every test here runs on the rows the module builds once (tests/conftest.py, built_once_for_the_module).
pytestmark = pytest.mark.usefixtures("_demo_catalog")


def test_search_for_glm5_answers_its_size_hardware_and_developer(catalog, as_user, admin_user):
    response = as_user(admin_user).get("/api/models/", {"search": "GLM-5"})

    assert response.status_code == 200
    body = response.content.decode()
    assert response.json()["results"][0]["slug"] == "glm-5"
    assert "744" in body and "Ascend" in body and "Zhipu" in body


def test_model_detail_by_slug_has_developer_claims_with_sources_guidance_and_chain(catalog, as_user, legal):
    detail = as_user(legal).get("/api/models/glm-5/").json()

    assert detail["developer"]["short_name"] == "Zhipu AI"
    assert detail["developer"]["sanctions_notes"][0]["citation"] == "90 FR 4617"
    hardware = next(c for c in detail["claims"] if c["subject"] == "training_hardware")
    assert hardware["confidence"] == "reported"
    assert {s["publisher"] for s in hardware["sources"]} >= {"Smart Chunks"}
    assert {g["jurisdiction"] for g in detail["guidance_statuses"]} == {"US", "EU"}
    chain = {link["organisation"]["name"]: link for link in detail["supply_chain"]}
    assert chain["Huawei Technologies Co., Ltd."]["role"] == "chip_vendor"
    assert chain["Huawei Technologies Co., Ltd."]["sanctions_notes"][0]["citation"] == "84 FR 22961"


def test_anonymous_requests_are_refused(catalog, api):
    assert api.get("/api/models/").status_code == 401
    assert api.get("/api/models/glm-5/").status_code == 401


def test_openapi_schema_and_docs_are_served(db, api):
    assert api.get("/api/schema/").status_code == 200
    assert api.get("/api/docs/").status_code == 200


def test_outsider_without_a_role_cannot_read_the_catalog(catalog, as_user, outsider):
    assert as_user(outsider).get("/api/models/").status_code == 403


@pytest.mark.parametrize("role", ["requester", "legal", "security", "procurement", "auditor"])
def test_every_role_can_read_the_catalog(catalog, as_user, role, request):
    assert as_user(request.getfixturevalue(role)).get("/api/organisations/").status_code == 200


def test_auditor_cannot_change_the_catalog(catalog, as_user, auditor):
    response = as_user(auditor).patch("/api/models/glm-5/", {"description": "changed"}, format="json")

    assert response.status_code == 403
    assert AIModel.objects.get(slug="glm-5").description != "changed"


def _new_model(**overrides) -> dict:
    developer = Organisation.objects.get(short_name="Zhipu AI")
    return {
        "name": "GLM-6",
        "family": "GLM",
        "developer": developer.pk,
        "licence": "MIT",
        "weights": "open",
        **overrides,
    }


def test_legal_adds_a_model_and_gets_its_slug(catalog, as_user, legal):
    response = as_user(legal).post("/api/models/", _new_model(name="GLM-6 Air"), format="json")

    assert response.status_code == 201, response.json()
    assert response.json()["slug"] == "glm-6-air"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"developer": None}, "developer"),
        ({"parameters_total": -1}, "parameters_total"),
        ({"licence": "Made-Up-1.0"}, "licence"),
        ({"parameters_total": 10, "parameters_active": 20}, "parameters_active"),
    ],
)
def test_invalid_model_gets_a_field_error_and_nothing_is_saved(catalog, as_user, legal, overrides, field):
    before = AIModel.objects.count()

    response = as_user(legal).post("/api/models/", _new_model(**overrides), format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert AIModel.objects.count() == before


def test_claim_without_a_source_is_refused(catalog, as_user, legal):
    before = ProvenanceClaim.objects.count()

    response = as_user(legal).post(
        "/api/claims/",
        {
            "model": "glm-5",
            "subject": "compute_provider",
            "statement": "x",
            "value": "Some cloud",
            "confidence": "unverified",
        },
        format="json",
    )

    assert response.status_code == 400
    assert "source" in response.json()
    assert ProvenanceClaim.objects.count() == before


def test_claim_with_a_source_is_added_with_its_citations(catalog, as_user, legal):
    source = EvidenceSource.objects.get(citation="arXiv 2602.15763")

    response = as_user(legal).post(
        "/api/claims/",
        {
            "model": "glm-5",
            "subject": "training_location",
            "statement": "Trained in China.",
            "value": "China",
            "country": "CN",
            "confidence": "unverified",
            "source": source.pk,
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    assert response.json()["sources"][0]["citation"] == "arXiv 2602.15763"


def test_filters_by_developer_country_confidence_and_guidance_status(catalog, as_user, legal):
    client = as_user(legal)

    us = client.get("/api/models/", {"developer_country": "US"}).json()["results"]
    disputed = client.get("/api/models/", {"confidence": "disputed"}).json()["results"]
    reviewed = client.get("/api/models/", {"guidance_status": "permitted"}).json()["results"]

    assert [m["slug"] for m in us] == ["llama-4"]
    assert [m["slug"] for m in disputed] == ["deepseek-v4"]
    assert [m["slug"] for m in reviewed] == ["llama-4"]


def test_lists_are_paginated(catalog, as_user, legal):
    body = as_user(legal).get("/api/sources/", {"page_size": 5}).json()

    assert body["count"] > 5
    assert len(body["results"]) == 5
    assert body["next"]


def test_token_and_basic_auth_are_accepted(catalog, api, legal):
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=legal)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert api.get("/api/models/").status_code == 200

    api.credentials(HTTP_AUTHORIZATION="Basic " + base64.b64encode(b"legal:test-password-123").decode())
    assert api.get("/api/models/").status_code == 200
