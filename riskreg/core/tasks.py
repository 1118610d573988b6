from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError

from riskreg.core.services import (
    MaterialChangeIncomplete,
    material_change_apply,
    stuck_work_sweep_run,
    worker_heartbeat_record,
)


@shared_task(bind=True, ignore_result=True, **settings.RISKREG_TASK_LIMITS["default"])
def worker_heartbeat(self) -> int:
    return worker_heartbeat_record(hostname=self.request.hostname or "unknown").pk


@shared_task(ignore_result=True, **settings.RISKREG_TASK_LIMITS["default"])
def stuck_work_sweep() -> dict[str, int]:
    """Beat, every few minutes: send again the work a lost message or a dead worker left stuck."""
    return stuck_work_sweep_run()


# A receiver that failed (the database, a lock, a bug since fixed) is retried with the whole change; receivers skip
# what they already did for it. Delivered again after its worker was lost (late acknowledgement), it simply runs
# again. Past its retries the change stays unapplied and the stuck-work sweep sends it again.
@shared_task(
    ignore_result=True,
    acks_late=True,
    **settings.RISKREG_TASK_LIMITS["default"],
    autoretry_for=(MaterialChangeIncomplete, OperationalError, InterfaceError),
    retry_backoff=5,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=5,
)
def material_change_apply_task(change_id: int) -> str:
    """Apply a recorded material change (reopen, notify, refresh risk items); a change that is gone is ignored."""
    change = material_change_apply(change_id=change_id)
    return "gone" if change is None else "applied"
