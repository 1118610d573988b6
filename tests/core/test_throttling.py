"""Login lockout (django-axes) and API throttles, with the production limits: 429 and Retry-After."""

from __future__ import annotations

import base64
import datetime

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.core.cache import cache
from django.test import Client, override_settings
from rest_framework.test import APIClient

from tests.conftest import PASSWORD

LIMIT = settings.AXES_FAILURE_LIMIT
ADDRESS_LIMIT = settings.RISKREG_LOGIN_ADDRESS_FAILURE_LIMIT
ACCOUNT_LIMIT = settings.RISKREG_LOGIN_ACCOUNT_FAILURE_LIMIT
SMALL = 2 * LIMIT  # the address and account limits, lowered in a test to keep it quick (still above LIMIT)
LOGIN = "/admin/login/"


def test_the_production_limits_are_the_ones_tested():
    assert (LIMIT, settings.AXES_COOLOFF_TIME) == (10, datetime.timedelta(minutes=15))
    assert (ADDRESS_LIMIT, ACCOUNT_LIMIT) == (50, 100)
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"], "ip_address", "username"]
    assert settings.API_THROTTLE_RATES == {"anon": "60/minute", "user": "120/minute"}


def admin_login(username: str, password: str, address: str = "10.0.0.1"):
    return Client(REMOTE_ADDR=address).post(LOGIN, {"username": username, "password": password, "next": "/admin/"})


def basic(username: str, password: str, address: str = "10.0.0.1"):
    client = APIClient(REMOTE_ADDR=address)
    client.credentials(HTTP_AUTHORIZATION="Basic " + base64.b64encode(f"{username}:{password}".encode()).decode())
    return client.get("/api/models/")


def test_one_persons_typos_lock_their_account_at_their_address_and_nobody_else_behind_the_same_proxy(legal, security):
    """Issue 23: 15 wrong passwords for one account from an office's address refused everyone at that address."""
    answers = [admin_login("legal", "wrong", "10.0.1.1").status_code for _ in range(LIMIT)]
    right = admin_login("legal", PASSWORD, "10.0.1.1")

    assert answers[: LIMIT - 1] == [200] * (LIMIT - 1)  # the form again, with its error
    assert answers[-1] == 429
    assert right.status_code == 429  # the right password does not work while locked out
    assert right["Retry-After"] == "900"
    assert "locked for 15 minute(s)" in right.content.decode()
    assert "_auth_user_id" not in right.wsgi_request.session
    assert admin_login("security", PASSWORD, "10.0.1.1").status_code == 302  # a colleague at the same address
    assert admin_login("legal", PASSWORD, "10.0.1.2").status_code == 302  # legal from home


@override_settings(RISKREG_LOGIN_ADDRESS_FAILURE_LIMIT=SMALL)  # the same rule at a size a test runs quickly
def test_an_address_is_locked_past_its_own_higher_limit_whatever_the_accounts_tried(legal, security):
    answers = [admin_login(f"nobody-{n}", "wrong", "10.0.3.1").status_code for n in range(SMALL)]

    assert answers[: SMALL - 1] == [200] * (SMALL - 1) and answers[-1] == 429
    assert admin_login("security", PASSWORD, "10.0.3.1").status_code == 429
    assert admin_login("security", PASSWORD, "10.0.3.2").status_code == 302  # another address signs in


@override_settings(RISKREG_LOGIN_ACCOUNT_FAILURE_LIMIT=SMALL)
def test_a_guess_spread_over_many_addresses_locks_the_account_past_its_own_limit(legal):
    answers = [admin_login("legal", "wrong", f"10.0.7.{n}").status_code for n in range(SMALL)]

    assert answers[: SMALL - 1] == [200] * (SMALL - 1) and answers[-1] == 429
    assert admin_login("legal", PASSWORD, "10.0.8.1").status_code == 429


@override_settings(RISKREG_LOGIN_ADDRESS_FAILURE_LIMIT=SMALL)
def test_signing_in_to_ones_own_account_does_not_clear_what_others_tried_from_the_address(legal, security):
    for n in range(SMALL - 1):
        admin_login(f"nobody-{n}", "wrong", "10.0.9.1")

    assert admin_login("security", PASSWORD, "10.0.9.1").status_code == 302
    assert admin_login("nobody-x", "wrong", "10.0.9.1").status_code == 429  # the last failure the address may make


def test_basic_auth_locks_out_with_429_and_retry_after_and_the_lockout_ends(legal):
    answers = [basic("legal", "wrong", "10.0.4.1").status_code for _ in range(LIMIT - 1)]
    locked = basic("legal", "wrong", "10.0.4.1")
    right = basic("legal", PASSWORD, "10.0.4.1")

    assert answers == [401] * (LIMIT - 1)
    assert locked.status_code == right.status_code == 429
    assert right["Retry-After"] == "900"
    assert "locked for 15 minute(s)" in right.json()["detail"]

    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.first().attempt_time - datetime.timedelta(minutes=16)
    )
    assert basic("legal", PASSWORD, "10.0.4.1").status_code == 200


@pytest.fixture
def production_rates():
    keys = [f"throttle_anon_{ip}" for ip in ("10.0.6.1",)]
    with override_settings(
        REST_FRAMEWORK={**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": settings.API_THROTTLE_RATES}
    ):
        yield keys
    cache.delete_many(keys)


def test_a_signed_in_client_gets_429_with_retry_after_past_its_rate(production_rates, legal, as_user):
    client = as_user(legal)
    production_rates.append(f"throttle_user_{legal.pk}")
    cache.delete_many(production_rates)

    answers = [client.get("/api/").status_code for _ in range(121)]

    assert answers[:120] == [200] * 120
    assert answers[120] == 429
    refused = client.get("/api/models/")
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60
    assert "throttled" in refused.json()["detail"]


def test_an_anonymous_client_gets_429_past_its_rate(production_rates, db):
    cache.delete_many(production_rates)
    client = APIClient(REMOTE_ADDR="10.0.6.1")

    answers = [client.get("/api/docs/").status_code for _ in range(61)]

    assert answers[:60] == [200] * 60
    assert answers[60] == 429
    assert int(client.get("/api/docs/").headers["Retry-After"]) > 0
