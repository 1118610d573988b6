"""API authentication: HTTP basic auth that answers 429 while sign-in is locked out (django-axes)."""

from __future__ import annotations

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
