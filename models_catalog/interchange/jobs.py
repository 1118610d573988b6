"""BOM (CycloneDX, SPDX) and model card uploads as background jobs (issue 26): the API keeps the document and
answers at once, a worker imports it and records its progress and its result, the uploader polls the job.

pending -> importing -> done | failed, claimed as every job table's is (``riskreg.core.jobs``). The import itself is
``bom_import`` or ``model_card_import`` (all or nothing; a refusal says what and where, and nothing is kept). The
command line imports in its own process and needs no job.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import OperationalError, transaction
from django.utils import timezone

from models_catalog.interchange import MAX_DOCUMENT_BYTES, InterchangeError
from models_catalog.models import InterchangeImportJob
from riskreg.core.jobs import job_claim, jobs_stuck

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
Kind = InterchangeImportJob.Kind
Status = InterchangeImportJob.Status


def stale_after() -> timedelta:
    """An import running longer than its task's hard time limit has lost its worker (the limit kills it)."""
    return timedelta(seconds=settings.RISKREG_TASK_LIMITS["import"]["time_limit"])


def interchange_job_create(
    *, kind: str, data: bytes, source_name: str, options: dict | None = None, user=None
) -> InterchangeImportJob:
    """Keep the document and queue its import once this transaction commits. A document over the size limit is
    refused here (InterchangeError), before anything is kept."""
    from models_catalog.tasks import interchange_import_job_run as run_task

    if len(data) > MAX_DOCUMENT_BYTES:
        raise InterchangeError(
            f"{source_name}: {len(data):,} bytes is over the {MAX_DOCUMENT_BYTES // (1024 * 1024)} MiB limit"
        )
    job = InterchangeImportJob.objects.create(
        kind=kind,
        source_name=source_name[:1000],
        size=len(data),
        document=data,
        options={key: value for key, value in (options or {}).items() if value},
        created_by=user if getattr(user, "is_authenticated", False) else None,
        stage="queued",
    )
    transaction.on_commit(lambda: run_task.delay(job.pk))
    return job


def _progress(job_id: int):
    def report(stage: str) -> None:
        InterchangeImportJob.objects.filter(pk=job_id, status=Status.IMPORTING).update(stage=stage[:200])

    return report


def _import(job: InterchangeImportJob) -> dict:
    data = bytes(job.document)
    progress = _progress(job.pk)
    options = job.options or {}
    if job.kind in (Kind.CYCLONEDX, Kind.SPDX):
        if job.kind == Kind.CYCLONEDX:
            from models_catalog.interchange.cyclonedx import bom_import as document_import
        else:
            from models_catalog.interchange.spdx import spdx_import as document_import

        return document_import(
            data=data,
            source_name=job.source_name,
            developer=options.get("developer"),
            developer_country=options.get("developer_country"),
            progress=progress,
        ).as_dict()
    from models_catalog.interchange.modelcard import model_card_import

    return model_card_import(
        data=data,
        source_name=job.source_name,
        name=options.get("name"),
        developer=options.get("developer"),
        repo=options.get("repo"),
        developer_country=options.get("developer_country"),
        progress=progress,
    ).as_dict()


def _end(job_id: int, **fields) -> None:
    InterchangeImportJob.objects.filter(pk=job_id, status=Status.IMPORTING).update(
        document=b"", finished_at=timezone.now(), **fields
    )


def interchange_job_run(*, job_id: int, task_id: str = "") -> InterchangeImportJob:
    """Import the job's document. Idempotent: a finished job is returned untouched, and one being imported by
    another task is left to it unless that task has been at it past the hard time limit, or ``task_id`` is the
    task that claimed it (delivered again because its worker was lost)."""
    claimed = job_claim(
        InterchangeImportJob,
        pk=job_id,
        task_id=task_id,
        working=Status.IMPORTING,
        stale_after=stale_after(),
        stage="starting",
    )
    job = InterchangeImportJob.objects.get(pk=job_id)
    if not claimed:
        return job
    try:
        result = _import(job)
    except OperationalError:
        raise  # the database: the task retries, and its retry (same task id) takes the job over
    except Exception as exc:
        if isinstance(exc, SoftTimeLimitExceeded):
            error = (
                f"The import took longer than the time limit of {settings.RISKREG_IMPORT_TIME_LIMIT} s "
                "(RISKREG_IMPORT_TIME_LIMIT) and was stopped. Nothing was imported."
            )
        elif isinstance(exc, InterchangeError):
            error = f"{str(exc).rstrip('.')}. Nothing was imported."
        else:
            logger.exception("document import job %s failed", job.pk)
            error = f"{type(exc).__name__}: {exc}. Nothing was imported."[:4000]
        _end(job.pk, status=Status.FAILED, stage="refused", error=error)
        if not isinstance(exc, InterchangeError):
            raise
    else:
        _end(job.pk, status=Status.DONE, stage="imported" if result["changed"] else "unchanged", result=result)
    job.refresh_from_db()
    return job


def interchange_jobs_stuck_resend(*, now: datetime | None = None) -> dict[str, int]:
    """The sweep's part for document imports: send again jobs stuck pending (a lost message) or importing (a lost
    worker) past the hard time limit; fail one whose attempts have all been lost."""
    from models_catalog.tasks import interchange_import_job_run as run_task

    now = now or timezone.now()
    stuck, given_up = jobs_stuck(
        InterchangeImportJob,
        working=Status.IMPORTING,
        stale_after=stale_after(),
        max_attempts=MAX_ATTEMPTS,
        now=now,
        status=Status.FAILED,
        stage="stopped",
        finished_at=now,
        document=b"",
        error=(
            f"The import was stopped {MAX_ATTEMPTS} times by the time limit or a lost worker; nothing was imported. "
            "Upload the document again, or import it with manage.py import_bom / import_model_card."
        ),
    )
    for job_id in stuck:
        run_task.delay_on_commit(job_id)
    return {"document imports resent": len(stuck), "document imports given up": given_up}
