"""The API's answers to failures: one error body for the whole API, a JSON object with `detail`.

DRF's own bodies vary: `{"detail": ...}` for 401/403/404, `{"field": [...]}` for a form error, and a bare
list for a `ValidationError("...")` raised outside a field. Here every error becomes an object that has
`detail` (the first message, prefixed with the field it is about), and keeps DRF's per-field messages
beside it, so clients that read a field's errors still find them:

    {"detail": "names: at most 10,000 names a call; send the rest in another call",
     "names": ["at most 10,000 names a call; send the rest in another call"]}

The register's own errors (riskreg.core.errors) are answered here, for every app: a `Refused` is 403 (a
permission the role lacks) or 409 (not in this state) with `{"detail", "code"}`; a `BadInput` or any Django
`ValidationError` a service raises is 400 with `detail`, the messages by field and, when known, `where`.
Views raise them and need no translation of their own.

The database unreachable is a JSON 503 with Retry-After, not an HTML 500.
"""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, InterfaceError, OperationalError
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from riskreg.core.errors import Refused, error_fields, error_text

logger = logging.getLogger("riskreg.api")

DATABASE_RETRY_SECONDS = 30

#: Errors the database raises for a value a request sent that no column can hold (an id of 20 digits in a
#: filter): the request is wrong, not the server, so 400, not 500.
OUT_OF_RANGE = (OverflowError, DataError)


def _first_message(data, path: str = "") -> str:
    if isinstance(data, dict):
        for key, value in data.items():
            if key == "detail":
                return _first_message(value, path)
            label = key if key in ("non_field_errors",) else (f"{path}.{key}" if path else str(key))
            return _first_message(value, "" if key == "non_field_errors" else label)
        return "Invalid request."
    if isinstance(data, list):
        return _first_message(data[0], path) if data else "Invalid request."
    return f"{path}: {data}" if path else str(data)


def exception_handler(exc, context):
    if isinstance(exc, OperationalError | InterfaceError):
        # Connection refused, closed or timed out: clients can tell an outage from a bug and retry.
        logger.error("database unavailable during %s: %s", context.get("request").path, exc)
        return Response(
            {"detail": "The register's database is unavailable; nothing was changed. Try again shortly."},
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": str(DATABASE_RETRY_SECONDS)},
        )
    if isinstance(exc, OUT_OF_RANGE):
        set_rollback()
        return Response(
            {"detail": "A value in the request is out of range (a number too large, or text too long)."},
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, Refused):
        set_rollback()
        return Response({"detail": exc.message, "code": exc.code}, status=exc.status_code)
    if isinstance(exc, DjangoPermissionDenied) and str(exc):
        set_rollback()  # DRF's own handler would drop the reason
        return Response({"detail": str(exc)}, status=status.HTTP_403_FORBIDDEN)
    if isinstance(exc, DjangoValidationError):
        set_rollback()
        body = {"detail": error_text(exc), **error_fields(exc)}
        if getattr(exc, "where", ""):
            body["where"] = exc.where
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
    response = drf_exception_handler(exc, context)
    if response is None:  # not an API error DRF knows: Django's 500 handling applies
        return None
    data = response.data
    if isinstance(data, dict) and isinstance(data.get("detail"), str):
        return response
    body = dict(data) if isinstance(data, dict) else {"errors": data}
    body["detail"] = _first_message(data)
    response.data = body
    return response
