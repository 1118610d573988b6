from __future__ import annotations

from celery import shared_task

from riskreg.core.services import worker_heartbeat_record


@shared_task(bind=True, ignore_result=True)
def worker_heartbeat(self) -> int:
    return worker_heartbeat_record(hostname=self.request.hostname or "unknown").pk
