"""Band colours are hex colours; the default matrix changes with history, through the API and the admin."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError

from riskreg.register import services
from riskreg.register.matrices import DEFAULT_MATRIX, matrix_problems
from riskreg.register.models import RiskMatrix
from riskreg.register.selectors import risk_level
from tests.conftest import staff_client

HOSTILE = 'red;background:url("http://169.254.169.254/")'


def body(name: str = "Strict 5 x 5", **changes) -> dict:
    data = {k: v for k, v in DEFAULT_MATRIX.items() if k not in ("version", "is_default")}
    return {**data, "name": name, **changes}


def bands_with(colour: str) -> list[dict]:
    return [
        {**band, "colour": colour if band["name"] == "High" else band["colour"]} for band in DEFAULT_MATRIX["bands"]
    ]


@pytest.mark.parametrize("colour", [HOSTILE, "red", "#fff", "#12345g", 12])
def test_a_band_colour_must_be_a_hex_colour(colour):
    problems = matrix_problems(
        likelihood_labels=DEFAULT_MATRIX["likelihood_labels"],
        impact_labels=DEFAULT_MATRIX["impact_labels"],
        bands=bands_with(colour),
    )

    assert "Band High: the colour must be a hex colour" in problems["bands"][0]


def test_the_api_refuses_a_hostile_colour_by_field_and_writes_nothing(db, as_user, legal):
    answer = as_user(legal).post("/api/risk-matrices/", body(bands=bands_with(HOSTILE)), format="json")

    assert answer.status_code == 400
    assert "hex colour" in answer.json()["bands"][0]
    assert RiskMatrix.objects.count() == 1


def test_a_colour_stored_before_the_check_never_reaches_a_style_attribute(db):
    matrix = RiskMatrix.objects.get()
    RiskMatrix.objects.filter(pk=matrix.pk).update(bands=bands_with(HOSTILE))
    matrix.refresh_from_db()

    assert risk_level(matrix=matrix, likelihood=4, impact=4)["colour"] == "#777777"


def test_a_new_matrix_becomes_the_default_through_the_api_with_history(db, as_user, legal):
    old = RiskMatrix.objects.get(is_default=True)

    answer = as_user(legal).post("/api/risk-matrices/", body(is_default=True), format="json")

    assert answer.status_code == 201, answer.content
    assert answer.json()["is_default"] is True
    old.refresh_from_db()
    assert not old.is_default
    withdrawn = old.history.order_by("-history_date").first()
    assert (withdrawn.is_default, withdrawn.history_user) == (False, legal)
    assert services.risk_matrix_default_get().name == "Strict 5 x 5"


def test_an_existing_matrix_is_made_the_default_through_the_api(db, as_user, legal, requester):
    old = RiskMatrix.objects.get(is_default=True)
    strict = services.risk_matrix_create(actor=legal, **body())

    refused = as_user(requester).post(f"/api/risk-matrices/{strict.pk}/make-default/")
    done = as_user(legal).post(f"/api/risk-matrices/{strict.pk}/make-default/")

    assert refused.status_code == 403
    assert done.status_code == 200 and done.json()["is_default"] is True
    assert list(RiskMatrix.objects.filter(is_default=True)) == [strict]
    assert strict.history.order_by("-history_date").first().history_user == legal
    assert old.history.order_by("-history_date").first().history_change_reason.startswith("Another matrix")


def test_legal_makes_a_matrix_the_default_in_the_admin(db, legal):
    strict = services.risk_matrix_create(actor=legal, **body())

    answer = staff_client(legal).post(
        "/admin/register/riskmatrix/", {"action": "make_default", "_selected_action": [strict.pk]}
    )

    assert answer.status_code == 302
    assert RiskMatrix.objects.get(is_default=True) == strict


def test_the_admin_add_form_takes_a_new_default(db, legal):
    data = body(name="Admin 5 x 5", is_default="on")
    form = {k: (v if isinstance(v, str) else json.dumps(v)) for k, v in data.items()}

    answer = staff_client(legal).post("/admin/register/riskmatrix/add/", form)

    assert answer.status_code == 302, answer.content.decode()[:3000]
    assert RiskMatrix.objects.get(is_default=True).name == "Admin 5 x 5"


def test_the_admin_form_refuses_a_hostile_colour(db, legal):

    data = body(name="Bad colours", bands=bands_with(HOSTILE))
    form = {k: (v if isinstance(v, str) else json.dumps(v)) for k, v in data.items()}

    answer = staff_client(legal).post("/admin/register/riskmatrix/add/", form)

    assert answer.status_code == 200
    assert "hex colour" in answer.content.decode()
    assert not RiskMatrix.objects.filter(name="Bad colours").exists()


def test_services_refuse_a_hostile_colour(db, legal):
    with pytest.raises(ValidationError):
        services.risk_matrix_create(actor=legal, **body(bands=bands_with(HOSTILE)))
