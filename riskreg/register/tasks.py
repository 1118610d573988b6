"""Background work of the register: thin tasks over services, taking ids, safe to run twice."""

from __future__ import annotations

import smtplib

from celery import shared_task
from django.conf import settings
from django.db import OperationalError

from riskreg.register.services import adoption_requests_expire_due, request_event_notify, request_events_notify_pending


@shared_task(
    ignore_result=True,
    **settings.RISKREG_TASK_LIMITS["default"],
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    retry_jitter=True,
    max_retries=3,
)
def adoption_requests_expire() -> int:
    """Beat, hourly (register-expire-approvals): move approvals whose date has come to expired. Returns how many
    requests expired."""
    return len(adoption_requests_expire_due())


@shared_task(
    ignore_result=True,
    **settings.RISKREG_TASK_LIMITS["default"],
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    retry_jitter=True,
    max_retries=3,
)
def request_notices_send_pending() -> int:
    """Beat, hourly (register-send-pending-notices): queue the notices a broker outage left unsent. Returns how
    many were queued."""
    return len(request_events_notify_pending())


@shared_task(
    ignore_result=True,
    **settings.RISKREG_TASK_LIMITS["default"],
    autoretry_for=(OperationalError, smtplib.SMTPException, OSError),
    retry_backoff=True,
    retry_jitter=True,
    max_retries=5,
)
def request_event_notify_task(event_id: int) -> int:
    """Email the people a request event concerns (once; a missing event is ignored)."""
    return request_event_notify(event_id=event_id)
