"""Celery tasks of watch: thin, take ids, idempotent, retries declared."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError

from riskreg.watch.services import watch_due_dispatch, watch_snapshots_prune
from riskreg.watch.services import watch_source_check as check


@shared_task(ignore_result=True, **settings.RISKREG_TASK_LIMITS["default"])
def watch_dispatch_due() -> int:
    """Beat, every minute (watch-dispatch-due): one check task per due source."""
    return watch_due_dispatch().dispatched


@shared_task(ignore_result=True, **settings.RISKREG_TASK_LIMITS["default"])
def watch_snapshots_prune_due() -> int:
    """Beat, hourly (watch-prune-snapshots): delete snapshots (and their files) past the retention days."""
    return watch_snapshots_prune()


# Failures of the source itself (network, HTTP status, bad content) are recorded on the source and
# retried by its own back-off schedule; Celery retries only what went wrong on our side: the database
# or the disk. The claim is released before the retry, and a check is idempotent. Delivered again after its
# worker was lost (late acknowledgement), the task takes over the claim its lost attempt left.
@shared_task(
    bind=True,
    ignore_result=True,
    acks_late=True,
    **settings.RISKREG_TASK_LIMITS["watch"],
    autoretry_for=(OperationalError, InterfaceError, OSError),
    retry_backoff=5,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=5,
)
def watch_source_check_task(self, source_id: int, force: bool = False) -> str:
    return check(source_id=source_id, force=force, task_id=self.request.id or "").status
