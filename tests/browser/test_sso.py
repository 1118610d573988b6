"""Single sign-on through a real OpenID Connect provider (issue 23): tests.idp runs in its own process on loopback
(discovery, JWKS, RS256 ID tokens, the authorization-code flow with PKCE required) and Chromium signs in through
it. Roles come from the provider's groups at every sign-in; forged, expired and misdirected ID tokens are refused."""

from __future__ import annotations

import time

import jwt
import pytest
from django.contrib.auth.models import User
from django.core.exceptions import SuspiciousOperation
from django.test import override_settings

from riskreg.core.sso import OIDCBackend, discovery
from tests.browser.conftest import axe_serious_violations
from tests.idp.provider import IdentityProvider, new_rsa_key_pem

PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="module")
def idp(live_server):
    provider = IdentityProvider(redirect_uri=f"{live_server.url}/oidc/callback/").start()
    provider.person("lena", PASSWORD, groups=["ai-legal", "staff"], first="Lena", last="Legal")
    yield provider
    provider.stop()


@pytest.fixture
def sso(idp):
    with override_settings(
        RISKREG_OIDC_ISSUER=idp.issuer,
        RISKREG_OIDC_CLIENT_ID=idp.client_id,
        RISKREG_OIDC_CLIENT_SECRET=idp.client_secret,
        RISKREG_OIDC_NAME="Example Corp",
        RISKREG_OIDC_ROLES={"ai-legal": ["legal"], "ai-security": ["security"]},
    ):
        yield idp


def sso_user() -> User:
    return User.objects.get(username__startswith="sso-")


def test_a_person_in_the_providers_legal_group_signs_in_with_the_legal_role_and_loses_it_with_the_group(
    page, sso, live_server, save_screenshot
):
    page.goto("/admin/login/")
    save_screenshot(page, "sso-login.png")
    assert axe_serious_violations(page) == []
    page.click("text=Sign in with Example Corp")  # 1: to the provider
    page.fill("#id_username", "lena")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")  # 2: signed in there, and back
    page.wait_for_url(f"{live_server.url}/")

    assert page.locator("h1").first.inner_text() == "Home"
    user = sso_user()
    assert user.username == f"sso-{sso.subject('lena')}" and (user.first_name, user.last_name) == ("Lena", "Legal")
    assert list(user.groups.values_list("name", flat=True)) == ["legal"] and user.is_staff
    assert not user.has_usable_password()

    sso.set_groups("lena", ["staff"])  # taken out of the legal group at the provider
    page.context.clear_cookies(name="sessionid")  # signed out of the register; still signed in at the provider
    page.goto("/admin/login/")
    with page.expect_response(lambda answer: answer.url == f"{live_server.url}/") as home:
        page.click("text=Sign in with Example Corp")  # 1 click: the provider's session answers

    assert home.value.status == 403  # no role any more: the register's page saying who can grant one
    user.refresh_from_db()
    assert list(user.groups.values_list("name", flat=True)) == [] and not user.is_staff


def test_local_passwords_can_be_turned_off(page, sso, legal):
    with override_settings(RISKREG_LOCAL_PASSWORDS=False):
        page.goto("/admin/login/")
        assert page.locator("text=Sign in with Example Corp").count() == 1
        assert page.locator("#id_password").count() == 0
        from django.test import Client

        answer = Client().post("/admin/login/", {"username": "legal", "password": "x", "next": "/"})
        assert "_auth_user_id" not in answer.wsgi_request.session


def test_without_a_provider_the_login_page_is_as_before_and_the_sso_addresses_are_404(page, client):
    page.goto("/admin/login/")
    assert page.locator("#id_password").count() == 1 and page.locator("[data-testid=sso]").count() == 0
    assert client.get("/oidc/authenticate/").status_code == 404
    assert client.get("/oidc/callback/?code=x&state=y").status_code == 404


def test_forged_expired_and_misdirected_id_tokens_are_refused(sso):
    backend, now = OIDCBackend(), int(time.time())
    key_id = sso.key_id()
    claims = {"iss": discovery()["issuer"], "aud": sso.client_id, "sub": "7", "iat": now, "exp": now + 300}

    def signed(key_pem: str, **changes) -> str:
        return jwt.encode({**claims, "nonce": "n", **changes}, key_pem, algorithm="RS256", headers={"kid": key_id})

    assert backend.verify_token(signed(sso.key_pem), nonce="n")["sub"] == "7"  # the provider's own: accepted
    refused = {
        "forged": signed(new_rsa_key_pem()),
        "expired": signed(sso.key_pem, iat=now - 7200, exp=now - 3600),
        "for another client": signed(sso.key_pem, aud="another-client"),
        "from another issuer": signed(sso.key_pem, iss="http://127.0.0.1:1/o"),
    }
    for why, token in refused.items():
        with pytest.raises(SuspiciousOperation):
            backend.verify_token(token, nonce="n")
            pytest.fail(f"a token {why} was accepted")
    with pytest.raises(SuspiciousOperation):
        backend.verify_token(signed(sso.key_pem), nonce="another nonce")


def test_without_a_role_mapping_the_provider_signs_in_and_the_register_keeps_the_roles(sso, client):
    """Google Workspace sends no groups claim: roles are then given in the register's admin and kept."""
    from django.contrib.auth.models import Group

    from riskreg.core.sso import OIDCBackend

    backend = OIDCBackend()
    claims = {"sub": "g-1", "email": "ana@example.com", "given_name": "Ana", "groups": ["ai-legal"]}
    with override_settings(RISKREG_OIDC_ROLES={}):
        user = backend.create_user(claims)
        user.groups.add(Group.objects.get(name="security"))  # given in the admin
        backend.update_user(user, claims)

    assert list(user.groups.values_list("name", flat=True)) == ["security"] and user.email == "ana@example.com"


def test_a_wrong_password_sent_with_a_code_in_the_address_is_counted_and_never_reaches_the_provider(sso, legal):
    """Review finding: a password sign-in at /admin/login/?code=... ran the provider's flow, raised, and was never
    counted, so guessing had no lockout."""
    from axes.models import AccessAttempt
    from django.conf import settings as conf
    from django.test import Client

    answers = [
        Client(REMOTE_ADDR="10.1.0.1")
        .post("/admin/login/?code=x&state=y", {"username": "legal", "password": "wrong", "next": "/"})
        .status_code
        for _ in range(conf.AXES_FAILURE_LIMIT)
    ]

    assert answers[:-1] == [200] * (conf.AXES_FAILURE_LIMIT - 1) and answers[-1] == 429
    assert AccessAttempt.objects.filter(username="legal").exists()


def test_an_sso_account_made_inactive_in_the_register_is_signed_out_at_its_next_request(sso, client):
    user = OIDCBackend().create_user({"sub": "left-the-company", "email": "gone@example.com"})
    client.force_login(user, backend="riskreg.core.sso.OIDCBackend")
    User.objects.filter(pk=user.pk).update(is_active=False)

    assert client.get("/").status_code == 302  # to the login page


def test_the_verified_id_tokens_claims_win_over_userinfo_and_userinfo_for_another_subject_is_refused(sso, monkeypatch):
    from mozilla_django_oidc.auth import OIDCAuthenticationBackend

    answers = {"sub": "7", "groups": [], "email": "x@example.com"}
    monkeypatch.setattr(OIDCAuthenticationBackend, "get_userinfo", lambda self, *args: dict(answers))
    backend = OIDCBackend()

    merged = backend.get_userinfo("access", "id", {"sub": "7", "groups": ["ai-legal"]})
    assert merged["groups"] == ["ai-legal"] and merged["email"] == "x@example.com"  # Entra ID: groups in the token
    answers["sub"] = "8"
    with pytest.raises(SuspiciousOperation):
        backend.get_userinfo("access", "id", {"sub": "7"})
