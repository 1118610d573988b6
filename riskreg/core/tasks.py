from __future__ import annotations

from celery import shared_task
from django.conf import settings

from riskreg.core.services import stuck_work_sweep_run, worker_heartbeat_record


@shared_task(bind=True, ignore_result=True, **settings.RISKREG_TASK_LIMITS["default"])
def worker_heartbeat(self) -> int:
    return worker_heartbeat_record(hostname=self.request.hostname or "unknown").pk


@shared_task(ignore_result=True, **settings.RISKREG_TASK_LIMITS["default"])
def stuck_work_sweep() -> dict[str, int]:
    """Beat, every few minutes: send again the work a lost message or a dead worker left stuck."""
    return stuck_work_sweep_run()
