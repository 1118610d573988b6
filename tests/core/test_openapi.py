"""The API keeps its OpenAPI contract: every GET operation, a few generated requests each, no server error and
no response outside the schema (schemathesis). Also one error body shape, and ETags with 304."""

from __future__ import annotations

import base64
import io

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from models_catalog import demo
from models_catalog.models import AIModel
from tests.conftest import PASSWORD


def _schema():
    from riskreg.wsgi import application

    # The schema view is public and reads no table, so it can be loaded when the tests are collected.
    return schemathesis.openapi.from_wsgi("/api/schema/", application).include(method="GET")


schema = _schema()


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Requests go through the WSGI application itself, whose request_finished signal closes database
    connections; the test's own connection (its transaction) must stay open, as Django's test client keeps it."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def auditor_auth(auditor) -> dict:
    token = base64.b64encode(f"auditor:{PASSWORD}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


@schema.parametrize()
# Bounded: three generated requests per operation, no coverage or shrinking phases, so the whole contract
# test takes seconds. A failure prints the request to replay.
@settings(
    max_examples=3,
    phases=[Phase.generate],
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
    database=None,
)
def test_get_operations_keep_to_the_schema(case, auditor_auth):
    case.call_and_validate(headers=auditor_auth, checks=[not_a_server_error, response_schema_conformance])


def test_every_error_is_an_object_with_a_readable_detail(db, as_user, auditor, legal):
    not_found = as_user(auditor).get("/api/models/no-such-model/")
    assert not_found.status_code == 404 and isinstance(not_found.json()["detail"], str)
    invalid = as_user(legal).post("/api/screening/screen/", {"names": []}, format="json")
    assert invalid.status_code == 400
    assert invalid.json()["detail"] == "give names and/or identifiers"
    too_many = as_user(legal).post("/api/screening/screen/", {"names": ["x"] * 10_001}, format="json")
    assert too_many.json()["detail"] == "names: at most 10,000 names a call; send the rest in another call"
    assert too_many.json()["names"] == ["at most 10,000 names a call; send the rest in another call"]
    field = as_user(legal).post("/api/organisations/", {"name": "X", "country": "china"}, format="json")
    assert field.status_code == 400 and field.json()["detail"].startswith("country: ")


def test_a_number_too_large_for_the_database_is_a_400_not_a_500(db, as_user, auditor):
    response = as_user(auditor).get("/api/watch/alerts/", {"organisations": "99999999999999999999"})
    # SQLite cannot hold the number (riskreg/core/exceptions.py answers); PostgreSQL's filter refuses the choice.
    assert response.status_code == 400 and isinstance(response.json()["detail"], str)


def test_detail_endpoints_carry_an_etag_and_answer_304_when_unchanged(db, as_user, auditor):
    demo.load(stdout=io.StringIO())
    catalog = AIModel.objects.get(slug="glm-5")
    client = as_user(auditor)
    first = client.get("/api/models/glm-5/")
    assert first.status_code == 200 and first["ETag"]

    again = client.get("/api/models/glm-5/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and again.content == b""

    catalog.description = "Changed."
    catalog.save()
    changed = client.get("/api/models/glm-5/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200 and changed["ETag"] != first["ETag"]
