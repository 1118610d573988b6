"""Single sign-on with OpenID Connect (issue 23): the company's identity provider signs people in, and its groups
give their roles.

Built on mozilla-django-oidc (the authorization-code flow with PKCE, the state and nonce, the callback), with
what a register needs on top:

- **Discovery**: the provider is named by its issuer (``RISKREG_OIDC_ISSUER``); its endpoints and keys are read
  from ``<issuer>/.well-known/openid-configuration`` when first needed (cached for an hour), as Entra ID, Okta,
  Google and Keycloak publish them. Nothing is fetched while SSO is off.
- **ID tokens checked in full**: RS256 signature against the provider's JWKS, issuer, audience (this client),
  expiry and nonce; a token failing any of them is refused (``SuspiciousOperation``: the sign-in fails).
- **Accounts by the provider's subject**: ``sso-<sub>`` (stable, never an e-mail address another account could
  claim), made at first sign-in, names and e-mail refreshed at each.
- **Roles from the groups claim** (``RISKREG_OIDC_GROUPS_CLAIM``), through ``RISKREG_OIDC_ROLES``
  (``idp-group=role[,role];...``), set at every sign-in: taken out of the group at the provider, the next sign-in
  has no role. Holders of a role are staff (they work in the admin), as local accounts are. With no mapping the
  provider only signs people in, and roles are given in the register's admin (Google gives no groups claim).
- ``RISKREG_LOCAL_PASSWORDS=0`` turns local passwords off: the login page offers the provider only.
"""

from __future__ import annotations

import logging
import time

import jwt
import requests
from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group
from django.core.exceptions import SuspiciousOperation
from django.http import Http404
from django.urls import reverse
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from riskreg.core.backends import OneQueryModelBackend
from riskreg.core.roles import Role

logger = logging.getLogger(__name__)

_DISCOVERY_SECONDS = 3600
_discovered: dict[str, tuple[float, dict]] = {}
# mozilla-django-oidc's endpoint settings, and where discovery says them.
_ENDPOINTS = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
}


def sso_enabled() -> bool:
    return bool(settings.RISKREG_OIDC_ISSUER and settings.RISKREG_OIDC_CLIENT_ID)


def discovery() -> dict:
    """The provider's OpenID configuration, fetched once an hour; its issuer must be the one configured."""
    issuer = settings.RISKREG_OIDC_ISSUER.rstrip("/")
    cached = _discovered.get(issuer)
    if cached and time.monotonic() - cached[0] < _DISCOVERY_SECONDS:
        return cached[1]
    response = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=settings.RISKREG_OIDC_TIMEOUT)
    response.raise_for_status()
    document = response.json()
    if document.get("issuer", "").rstrip("/") != issuer:
        raise SuspiciousOperation(f"the provider's discovery names issuer {document.get('issuer')!r}, not {issuer!r}")
    _discovered[issuer] = (time.monotonic(), document)
    return document


def oidc_setting(attr: str, *args):
    """mozilla-django-oidc's settings, from the register's: endpoints by discovery, the client from RISKREG_OIDC_*."""
    if attr in _ENDPOINTS:
        return discovery()[_ENDPOINTS[attr]]
    own = {
        "OIDC_RP_CLIENT_ID": settings.RISKREG_OIDC_CLIENT_ID,
        "OIDC_RP_CLIENT_SECRET": settings.RISKREG_OIDC_CLIENT_SECRET,
        "OIDC_RP_SIGN_ALGO": "RS256",
        "OIDC_RP_SCOPES": "openid email profile",
        "OIDC_USE_PKCE": True,
        "OIDC_TIMEOUT": settings.RISKREG_OIDC_TIMEOUT,
        "OIDC_CREATE_USER": True,
        "OIDC_STORE_ID_TOKEN": False,
        "OIDC_AUTHENTICATION_CALLBACK_URL": "oidc_authentication_callback",
    }
    if attr in own:
        return own[attr]
    return import_from_settings(attr, *args)


def roles_from_groups(groups) -> set[str]:
    """The register roles the provider's groups give, by RISKREG_OIDC_ROLES."""
    if isinstance(groups, str):
        groups = [groups]
    mapping = settings.RISKREG_OIDC_ROLES
    return {role for group in groups or [] for role in mapping.get(str(group), []) if role in Role.values}


class OIDCBackend(OIDCAuthenticationBackend, OneQueryModelBackend):
    """Signs in through the provider when SSO is configured; does nothing otherwise (a password sign-in passes
    through it untouched). Permissions as every account's (OneQueryModelBackend)."""

    get_settings = staticmethod(oidc_setting)

    def __init__(self, *args, **kwargs):
        from django.contrib.auth import get_user_model

        self.UserModel = get_user_model()  # the endpoints are read when a sign-in needs them, not here

    def __getattr__(self, name: str):
        if name.startswith("OIDC_"):
            return oidc_setting(name, None)
        raise AttributeError(name)

    def authenticate(self, request, username=None, password=None, **kwargs):
        """Only the provider's callback signs in here (it passes the nonce it kept); a password sign-in, whatever
        its address says, never reaches the provider, so a wrong password is counted as a failure (django-axes).
        A provider that cannot be reached or answers wrongly fails the sign-in, not the page."""
        if not sso_enabled() or request is None or username is not None or password is not None:
            return None
        if "nonce" not in kwargs or request.path != reverse("oidc_authentication_callback"):
            return None
        try:
            return super().authenticate(request, **kwargs)
        except (requests.RequestException, SuspiciousOperation, KeyError, ValueError) as exc:
            logger.warning("SSO: sign-in failed: %s", exc)
            return None

    # Django's: an account made inactive in the register is signed out at its next request (mozilla-django-oidc's
    # own get_user does not look).
    get_user = ModelBackend.get_user

    def get_userinfo(self, access_token, id_token, payload):
        """The provider's userinfo, under the verified ID token's claims: the token's subject, groups and names win
        (Entra ID sends groups in the token only), and userinfo for another subject is refused (OIDC Core 5.3.2)."""
        info = super().get_userinfo(access_token, id_token, payload)
        if info.get("sub") != payload.get("sub"):
            raise SuspiciousOperation("the provider's userinfo is for another subject than the ID token")
        return {**info, **payload}

    def _verify_jws(self, payload, key):
        """The signature, and what mozilla-django-oidc leaves unchecked: issuer, audience and expiry."""
        header = jwt.get_unverified_header(payload)
        if header.get("alg") != "RS256":
            raise SuspiciousOperation(f"ID token signed with {header.get('alg')!r}, not RS256")
        try:
            return jwt.decode(
                payload,
                key,
                algorithms=["RS256"],
                audience=settings.RISKREG_OIDC_CLIENT_ID,
                issuer=discovery()["issuer"],
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
                leeway=30,
            )
        except jwt.InvalidTokenError as exc:
            logger.warning("SSO: ID token refused: %s", exc)
            raise SuspiciousOperation(f"ID token refused: {exc}") from None

    @staticmethod
    def username(claims: dict) -> str:
        return f"sso-{claims['sub']}"[:150]

    def filter_users_by_claims(self, claims):
        if not claims.get("sub"):
            return self.UserModel.objects.none()
        return self.UserModel.objects.filter(username=self.username(claims))

    def verify_claims(self, claims) -> bool:
        return bool(claims.get("sub"))

    def create_user(self, claims):
        user = self.UserModel.objects.create_user(self.username(claims))
        user.set_unusable_password()
        return self.update_user(user, claims)

    def update_user(self, user, claims):
        """Names, e-mail and roles as the provider says them now."""
        user.first_name = str(claims.get("given_name") or "")[:150]
        user.last_name = str(claims.get("family_name") or "")[:150]
        user.email = str(claims.get("email") or "")[:254]
        if not settings.RISKREG_OIDC_ROLES:  # roles kept in the register (a provider without a groups claim)
            user.save()
            return user
        roles = roles_from_groups(claims.get(settings.RISKREG_OIDC_GROUPS_CLAIM))
        user.is_staff = bool(roles)
        user.save()
        role_groups = Group.objects.filter(name__in=Role.values)
        user.groups.remove(*role_groups.exclude(name__in=roles))
        user.groups.add(*role_groups.filter(name__in=roles))
        logger.info("SSO: %s signed in with roles %s", user.username, sorted(roles) or "none")
        return user


class SignInView(OIDCAuthenticationRequestView):
    """/oidc/authenticate/: to the provider (404 while SSO is off)."""

    get_settings = staticmethod(oidc_setting)

    def __init__(self, *args, **kwargs):
        super(OIDCAuthenticationRequestView, self).__init__(*args, **kwargs)

    def get(self, request):
        if not sso_enabled():
            raise Http404("Single sign-on is not configured.")
        self.OIDC_OP_AUTH_ENDPOINT = oidc_setting("OIDC_OP_AUTHORIZATION_ENDPOINT")
        self.OIDC_RP_CLIENT_ID = settings.RISKREG_OIDC_CLIENT_ID
        return super().get(request)


class CallbackView(OIDCAuthenticationCallbackView):
    """/oidc/callback/: back from the provider, signed in or told why not."""

    get_settings = staticmethod(oidc_setting)

    @property
    def failure_url(self) -> str:
        return "/admin/login/?sso=failed"

    @property
    def success_url(self) -> str:
        next_url = self.request.session.get("oidc_login_next")
        return next_url or "/"

    def get(self, request):
        if not sso_enabled():
            raise Http404("Single sign-on is not configured.")
        return super().get(request)
