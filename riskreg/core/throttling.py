"""API throttles and the login lockout answer: 429 with Retry-After, for the admin and for the API.

DRF's own throttles read their rates once, when the class is defined; these read them when a request
comes, so the settings (and a test that sets the production rates) apply at once.
"""

from __future__ import annotations

from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.contrib import admin
from django.db.models import Sum
from django.http import HttpResponse, JsonResponse
from django.template.response import TemplateResponse
from rest_framework import throttling
from rest_framework.settings import api_settings


class AnonRateThrottle(throttling.AnonRateThrottle):
    """Anonymous clients, by address: the schema and Swagger page, and refused calls."""

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES[self.scope]


class UserRateThrottle(throttling.UserRateThrottle):
    """Signed-in clients (token, session or basic auth), by user."""

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES[self.scope]


class LockoutHandler(AxesDatabaseHandler):
    """django-axes' database handler with a limit per lockout parameter set (AXES_LOCKOUT_PARAMETERS, in that order):
    an account at one address (AXES_FAILURE_LIMIT), an address whatever the accounts
    (RISKREG_LOGIN_ADDRESS_FAILURE_LIMIT) and an account whatever the addresses (RISKREG_LOGIN_ACCOUNT_FAILURE_LIMIT).
    Axes compares one count with one limit, so a set past its own limit counts as the first limit reached. A
    successful sign-in clears only its own account-at-address count: signing in to one's own account does not
    wipe what others tried from the address, nor a guess spread over addresses."""

    def get_failures(self, request, credentials=None) -> int:
        limits = (
            settings.AXES_FAILURE_LIMIT,
            settings.RISKREG_LOGIN_ADDRESS_FAILURE_LIMIT,
            settings.RISKREG_LOGIN_ACCOUNT_FAILURE_LIMIT,
        )
        counts = [
            attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        ]
        if any(count >= limit for count, limit in zip(counts[1:], limits[1:], strict=False)):
            return settings.AXES_FAILURE_LIMIT
        return counts[0] if counts else 0

    def reset_user_attempts(self, request, credentials=None) -> int:
        attempts = self.filter_user_attempts(request, credentials)[:1]
        return sum(found.delete()[0] for found in attempts)


def lockout_seconds() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds())


def lockout_message() -> str:
    minutes = max(1, lockout_seconds() // 60)
    return (
        f"Too many failed sign-ins for this account or from this address: sign-in is locked for {minutes} "
        "minute(s). An administrator can lift it earlier (python manage.py axes_reset_username USERNAME)."
    )


def lockout_response(request, original_response=None, credentials=None) -> HttpResponse:
    """django-axes' answer to a locked-out sign-in (AXES_LOCKOUT_CALLABLE): 429 with Retry-After."""
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": lockout_message()}, status=429)
    else:
        context = {
            **admin.site.each_context(request),
            "title": "Sign-in locked",
            "message": lockout_message(),
        }
        response = TemplateResponse(request, "core/locked_out.html", context, status=429).render()
    response["Retry-After"] = str(lockout_seconds())
    return response


def client_address(request) -> str | None:
    """Behind one TLS proxy (BEHIND_TLS_PROXY=1): the address the proxy appended to X-Forwarded-For."""
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    return forwarded[-1] if forwarded else request.META.get("REMOTE_ADDR")
