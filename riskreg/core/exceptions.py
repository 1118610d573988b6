"""The API's answers to failures outside the request: the database down is a JSON 503, not an HTML 500."""

from __future__ import annotations

import logging

from django.db import InterfaceError, OperationalError
from rest_framework.response import Response
from rest_framework.views import exception_handler

logger = logging.getLogger("riskreg.api")

DATABASE_RETRY_SECONDS = 30


def api_exception_handler(exc, context):
    """DRF's handler, plus: the database unreachable (connection refused, closed, timed out) is 503 with
    Retry-After and a sentence, so API clients can tell an outage from a bug and retry."""
    if isinstance(exc, OperationalError | InterfaceError):
        logger.error("database unavailable during %s: %s", context.get("request").path, exc)
        return Response(
            {"detail": "The register's database is unavailable; nothing was changed. Try again shortly."},
            status=503,
            headers={"Retry-After": str(DATABASE_RETRY_SECONDS)},
        )
    return exception_handler(exc, context)
