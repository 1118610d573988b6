"""The 403, 404 and 500 pages in the register's look, and an expected refusal that is not logged as an error."""

from __future__ import annotations

import logging

from django.contrib.auth.models import User
from django.template.loader import render_to_string
from django.test import Client


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_403_says_why_and_who_can_grant_the_role(outsider, admin_user):
    admin_user.first_name, admin_user.last_name = "Ada", "Admin"
    admin_user.save()
    response = client_for(outsider).get("/")
    assert response.status_code == 403
    page = response.content.decode()
    assert "Your account has no role in the register yet." in page
    assert "with no role in the register yet" in page
    assert "Ada Admin" in page and "admin@example.test" in page
    assert "riskreg: AI model risk register" in page  # the register's header, not a bare "403 Forbidden"


def test_403_in_the_admin_names_the_users_roles(requester, admin_user):
    response = client_for(requester).get("/admin/watch/watchsource/")
    assert response.status_code == 403
    assert "with the role Requester" in response.content.decode()


def test_an_expected_refusal_is_one_info_line_without_a_traceback(outsider, caplog):
    with caplog.at_level(logging.INFO, logger="django.request"):
        client_for(outsider).get("/")
    records = [record for record in caplog.records if record.name == "django.request"]
    assert records, "the refusal is still recorded"
    assert all(record.levelno == logging.INFO and record.exc_info is None for record in records)


def test_404_explains_what_a_requester_may_not_see(requester):
    response = client_for(requester).get("/requests/999999/")
    assert response.status_code == 404
    assert "Requesters see only their own adoption requests" in response.content.decode()


def test_500_renders_with_no_context_at_all():
    page = render_to_string("500.html")
    assert "Something went wrong on our side" in page


def test_404_renders_for_someone_not_signed_in(db, client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Nothing here" in response.content.decode()
