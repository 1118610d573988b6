"""Memo generation on the worker: takes an id, tolerates the row being gone, calls one service."""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.db import DatabaseError

from reports.models import Memo
from reports.services import memo_generate

logger = logging.getLogger(__name__)


@shared_task(
    name="reports.tasks.memo_generate",
    bind=True,
    ignore_result=True,
    **settings.RISKREG_TASK_LIMITS["memo"],
    autoretry_for=(DatabaseError, OSError),
    retry_backoff=5,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=3,
)
def memo_generate_task(self, memo_id: int) -> str | None:
    """Render memo `memo_id`. Idempotent: a done memo is not rendered again. Database and file-system
    errors are retried; a template or data error fails the memo (status failed, error kept) without retry.
    Delivered again after its worker was lost (late acknowledgement), it takes its memo over at once."""
    try:
        memo = memo_generate(memo_id=memo_id, task_id=self.request.id or "")
    except Memo.DoesNotExist:
        logger.warning("memo %s is gone; nothing to render", memo_id)
        return None
    return memo.status
