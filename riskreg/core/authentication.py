"""API authentication: tokens that expire, and HTTP basic auth that answers 429 while sign-in is locked out."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils import timezone
from drf_spectacular.authentication import BasicScheme
from rest_framework import authentication, exceptions

from riskreg.core.throttling import lockout_message, lockout_seconds


class LockedOut(exceptions.Throttled):
    """429 with Retry-After and the reason, instead of a 401 that invites the next guess."""

    def __init__(self):
        super().__init__(wait=lockout_seconds(), detail=lockout_message())


class BasicAuthentication(authentication.BasicAuthentication):
    """DRF's basic auth; django-axes (the first authentication backend) counts failures per account and per
    address and refuses every attempt, the right password included, while either is locked out."""

    def authenticate_credentials(self, userid, password, request=None):
        try:
            return super().authenticate_credentials(userid, password, request)
        except exceptions.AuthenticationFailed:
            if request is not None and getattr(request, "axes_locked_out", False):
                raise LockedOut() from None
            raise


class ExpiringTokenAuthentication(authentication.TokenAuthentication):
    """DRF's `Authorization: Token ...`, valid for RISKREG_API_TOKEN_DAYS after it was created; an expired
    token is 401 with the date and how to get a new one."""

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        expires = token.created + datetime.timedelta(days=settings.RISKREG_API_TOKEN_DAYS)
        if timezone.now() >= expires:
            raise exceptions.AuthenticationFailed(
                f"This token expired on {expires:%Y-%m-%d %H:%M} UTC (tokens last {settings.RISKREG_API_TOKEN_DAYS} "
                f"days). Ask an administrator for a new one: python manage.py drf_create_token -r {user.get_username()}"
            )
        return user, token


class LockoutAwareBasicScheme(BasicScheme):
    """The OpenAPI schema describes riskreg's basic auth as HTTP basic (drf-spectacular matches by class)."""

    target_class = "riskreg.core.authentication.BasicAuthentication"
