"""A Content-Security-Policy on every page: scripts only from this site, never framed, no other origin."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tests.conftest import staff_client


def directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.mark.parametrize("path", ["/admin/login/", "/api/docs/"])
def test_public_pages_carry_the_policy(db, path):
    policy = directives(Client().get(path))

    assert policy["script-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"]
    assert policy["img-src"] == ["'self'", "data:"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["style-src"] == ["'self'", "'unsafe-inline'"]
    assert not any("http" in value for values in policy.values() for value in values)  # no external origin


def test_the_swagger_page_has_no_inline_script_and_serves_its_own_as_a_file(db):
    page = Client().get("/api/docs/").content.decode()
    script = Client().get("/api/docs/?script=")

    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)
    assert script.status_code == 200 and script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()


@pytest.mark.parametrize(
    "path",
    [
        "/admin/",
        "/admin/register/riskitem/add/",
        "/admin/register/riskmatrix/add/",
        "/admin/auth/user/",
        "/api/models/",  # the browsable API: its logout link had an inline onclick
    ],
)
def test_admin_and_api_pages_have_no_inline_scripts(path, legal):
    page = staff_client(legal).get(path, HTTP_ACCEPT="text/html")

    assert page.status_code == 200
    assert directives(page)["script-src"] == ["'self'"]
    html = page.content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", html)
    assert not re.search(r"\son[a-z]+=[\"']", html)  # no inline event handlers either
