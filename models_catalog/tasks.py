"""The catalog in the background: BOM and model card uploads. Tasks take ids, tolerate rows being gone, and are safe
to run twice."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.db import OperationalError

RETRY = {
    "autoretry_for": (OperationalError, ConnectionError),
    "retry_backoff": True,
    "retry_jitter": True,
    "max_retries": 5,
}


@shared_task(bind=True, ignore_result=True, acks_late=True, **RETRY, **settings.RISKREG_TASK_LIMITS["import"])
def interchange_import_job_run(self, job_id: int) -> str | None:
    """Import an uploaded BOM or model card (an InterchangeImportJob). Delivered again after its worker was lost, it
    takes the job over at once; a job that is gone is ignored."""
    from models_catalog.interchange.jobs import interchange_job_run
    from models_catalog.models import InterchangeImportJob

    try:
        return interchange_job_run(job_id=job_id, task_id=self.request.id or "").status
    except InterchangeImportJob.DoesNotExist:
        return None
