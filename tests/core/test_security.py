"""Every endpoint checks permissions: anonymous users and users in no role read nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from riskreg.api import router

LIST_ENDPOINTS = sorted({f"{basename}-list" for _prefix, _viewset, basename in router.registry})
# POST endpoints that compute an answer and write nothing (ad-hoc screening): auditors may use them.
COMPUTE_ONLY = {"screening-screen-list"}


@pytest.mark.parametrize("name", LIST_ENDPOINTS)
def test_anonymous_requests_to_every_endpoint_are_refused(db, api, name):
    url = reverse(name)

    assert api.get(url).status_code == 401
    assert api.post(url, {}, format="json").status_code == 401


@pytest.mark.parametrize("name", LIST_ENDPOINTS)
def test_a_user_in_no_role_reads_nothing(db, as_user, outsider, name):
    assert as_user(outsider).get(reverse(name)).status_code == 403


@pytest.mark.parametrize("name", sorted(set(LIST_ENDPOINTS) - COMPUTE_ONLY))
def test_an_auditor_creates_nothing(db, as_user, auditor, name):
    assert as_user(auditor).post(reverse(name), {}, format="json").status_code in (403, 405)


def test_the_admin_sends_anonymous_users_to_log_in(db, client):
    response = client.get("/admin/models_catalog/aimodel/")

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_the_api_and_a_signed_in_readers_pages_are_never_kept_by_a_shared_cache(db, legal, as_user):
    """Issue 26 item 7: the API sent no Cache-Control, so a shared proxy could keep one reader's answer."""
    from django.test import Client

    api = as_user(legal).get("/api/models/")
    page = Client()
    page.force_login(legal)
    home = page.get("/")

    assert api.status_code == 200 and "private" in api["Cache-Control"] and "no-cache" in api["Cache-Control"]
    assert home.status_code == 200 and "private" in home["Cache-Control"]
