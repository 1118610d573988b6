"""Sending webhooks: a thin task over the service, by id, with declared retries."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from riskreg.notifications.services import WebhookRetry, webhook_delivery_send


@shared_task(
    ignore_result=True,
    autoretry_for=(WebhookRetry, OperationalError),
    retry_backoff=10,
    retry_backoff_max=3600,
    retry_jitter=True,
    max_retries=5,
)
def webhook_delivery_send_task(delivery_id: int) -> str:
    """Send one webhook delivery; a timeout, a refused connection, HTTP 429 or 5xx is tried again later."""
    return webhook_delivery_send(delivery_id=delivery_id)
