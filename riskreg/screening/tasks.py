"""Screening in the background. Tasks take ids, tolerate rows being gone, and are safe to run twice."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.db import OperationalError

from riskreg.screening.models import ListVersion
from riskreg.screening.services import organisation_screen, organisations_screen

RETRY = {
    "autoretry_for": (OperationalError, ConnectionError),
    "retry_backoff": True,
    "retry_jitter": True,
    "max_retries": 5,
}


@shared_task(ignore_result=True, acks_late=True, **RETRY, **settings.RISKREG_TASK_LIMITS["import"])
def screening_run_all(list_version_id: int | None = None) -> dict:
    """Screen every organisation; after an import, only against that version's list (if still in force)."""
    list_codes = None
    if list_version_id is not None:
        version = ListVersion.objects.select_related("sanctions_list").filter(pk=list_version_id).first()
        if version is None or version.sanctions_list.current_version_id != version.pk:
            return {"skipped": "version gone or no longer in force"}
        list_codes = [version.sanctions_list.code]
    return vars(organisations_screen(list_codes=list_codes))


@shared_task(ignore_result=True, acks_late=True, **RETRY, **settings.RISKREG_TASK_LIMITS["default"])
def screening_run_organisation(organisation_id: int) -> dict:
    return vars(organisation_screen(organisation_id=organisation_id))


@shared_task(bind=True, ignore_result=True, acks_late=True, **RETRY, **settings.RISKREG_TASK_LIMITS["import"])
def list_import_job_run(self, job_id: int) -> str | None:
    """Import an uploaded list file (a ListImportJob). Delivered again after its worker was lost, it takes the job
    over at once; a job that is gone is ignored."""
    from riskreg.screening.imports import list_import_job_run as run
    from riskreg.screening.models import ListImportJob

    try:
        return run(job_id=job_id, task_id=self.request.id or "").status
    except ListImportJob.DoesNotExist:
        return None
