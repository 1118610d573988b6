"""One error contract: a refusal (403 for a person, 409 for a state) and bad input (400), for every app."""

from __future__ import annotations

from rest_framework.test import APIRequestFactory

from models_catalog.interchange import InterchangeError
from reports.models import MemoImmutable
from riskreg.core.errors import BadInput, Refused, error_text, permission_refused
from riskreg.core.exceptions import exception_handler
from riskreg.register.workflow import TransitionRefused
from riskreg.screening.errors import ListImportError


def _answer(exc):
    return exception_handler(exc, {"request": APIRequestFactory().post("/api/x/")})


def test_a_refusal_for_a_person_is_403_and_for_a_state_409_with_its_reason():
    person = _answer(permission_refused(perm="watch.change_alert", what="Resolving an alert"))
    state = _answer(TransitionRefused("approved", "submit"))

    assert person.status_code == 403
    assert person.data["detail"].startswith("Resolving an alert needs the permission watch.change_alert")
    assert state.status_code == 409
    assert state.data == {"detail": "A request that is approved cannot be submitted.", "code": "transition"}


def test_bad_input_is_400_with_the_message_by_field_and_where():
    by_field = _answer(BadInput({"reason": ["give the reason"]}))
    in_a_file = _answer(ListImportError("not a number", location="line 12"))

    assert by_field.status_code == 400
    assert by_field.data == {"detail": "reason: give the reason", "reason": ["give the reason"]}
    assert in_a_file.status_code == 400
    assert in_a_file.data["detail"] == "line 12: not a number" and in_a_file.data["where"] == "line 12"


def test_the_apps_errors_are_the_two_types_and_keep_their_plain_message():
    assert isinstance(MemoImmutable("done"), Refused) and isinstance(InterchangeError("bad"), BadInput)
    assert str(InterchangeError("components[0]: no name")) == "components[0]: no name"
    assert error_text(BadInput({"__all__": ["both dates"], "owner": ["who?"]})) == "both dates; owner: who?"
