"""Logging filters. An expected refusal (PermissionDenied: a role that may not do something) is not an error:
Django logs it on `django.request` as a warning with the full traceback; this filter keeps one INFO line."""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied


class ExpectedRefusalFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], PermissionDenied):
            record.exc_info = None
            record.exc_text = None
            record.levelno = logging.INFO
            record.levelname = logging.getLevelName(logging.INFO)
        return True
