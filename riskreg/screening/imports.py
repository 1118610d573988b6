"""List imports as background jobs: the upload is stored and queued, a worker imports it and records its
progress, the person who uploaded it polls the job (API) or watches its page (admin).

pending -> importing -> done | failed. The import itself is `sanctions_list_import` (all or nothing). A job
is claimed as every job table's is (``riskreg.core.jobs``): a redelivered task (its worker was lost) takes its job
over at once, a job importing past the import's hard time limit may be claimed by any task, and the stuck-work
sweep sends pending and stuck jobs again (failing one after MAX_ATTEMPTS lost attempts).
"""

from __future__ import annotations

import logging
import shutil
import uuid
from datetime import datetime, timedelta
from pathlib import Path

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import OperationalError, transaction
from django.utils import timezone

from riskreg.core.jobs import job_claim, jobs_stuck
from riskreg.screening.errors import ListImportError
from riskreg.screening.models import ListImportJob
from riskreg.screening.services import sanctions_list_ensure, sanctions_list_import

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
_CHUNK = 1024 * 1024
_PARTS = ("file", "alt", "add")


def import_stale_after() -> timedelta:
    """An import running longer than its task's hard time limit has lost its worker (the limit kills it)."""
    return timedelta(seconds=settings.RISKREG_TASK_LIMITS["import"]["time_limit"])


def _job_dir(job: ListImportJob) -> Path:
    return Path(settings.RISKREG_DATA_DIR) / job.folder


def _too_large(name: str, size: int) -> ListImportError:
    limit = settings.RISKREG_IMPORT_MAX_BYTES
    return ListImportError(
        f"the {name} is {size:,} bytes, over the limit of {limit:,} (RISKREG_IMPORT_MAX_BYTES); nothing was imported"
    )


def _store(upload, target: Path, *, name: str) -> int:
    """Copy an uploaded file (anything with .chunks() or .read()) to target in chunks, within the size cap."""
    limit = settings.RISKREG_IMPORT_MAX_BYTES
    declared = getattr(upload, "size", None)
    if declared is not None and declared > limit:
        raise _too_large(name, declared)
    written = 0
    chunks = upload.chunks(_CHUNK) if hasattr(upload, "chunks") else iter(lambda: upload.read(_CHUNK), b"")
    with open(target, "wb") as out:
        for chunk in chunks:
            written += len(chunk)
            if written > limit:
                raise _too_large(name, written)
            out.write(chunk)
    return written


def list_import_job_create(
    *,
    list_code: str,
    file,
    source_name: str,
    user=None,
    fmt: str = "",
    alt=None,
    add=None,
    allow_shrink: bool = False,
    allow_older: bool = False,
    queue: str | None = None,
) -> ListImportJob:
    """Store the uploaded file(s) under RISKREG_DATA_DIR/imports and queue their import once this transaction
    commits, on `queue` if given (a worker kept for imports) or else the default queue. A file over
    RISKREG_IMPORT_MAX_BYTES is refused here (ListImportError), before anything is kept."""
    from riskreg.screening.tasks import list_import_job_run as run_task

    sanctions_list = sanctions_list_ensure(list_code=list_code)
    folder = Path("imports") / uuid.uuid4().hex
    target = Path(settings.RISKREG_DATA_DIR) / folder
    target.mkdir(parents=True)
    size = 0
    try:
        for name, upload in zip(_PARTS, (file, alt, add), strict=True):
            if upload is not None:
                size += _store(upload, target / name, name={"file": "file", "alt": "alt.csv", "add": "add.csv"}[name])
    except BaseException:
        shutil.rmtree(target, ignore_errors=True)
        raise
    job = ListImportJob.objects.create(
        sanctions_list=sanctions_list,
        source_name=source_name[:1000],
        size=size,
        folder=folder.as_posix(),
        format=fmt or "",
        allow_shrink=allow_shrink,
        allow_older=allow_older,
        created_by=user if getattr(user, "is_authenticated", False) else None,
        stage="queued",
    )
    transaction.on_commit(lambda: run_task.apply_async(args=[job.pk], queue=queue))
    return job


def _progress(job_id: int):
    def report(stage: str, *, entries_total: int | None = None) -> None:
        fields = {"stage": stage[:200]}
        if entries_total is not None:
            fields["entries_total"] = entries_total
        ListImportJob.objects.filter(pk=job_id, status=ListImportJob.Status.IMPORTING).update(**fields)

    return report


def list_import_job_run(*, job_id: int, task_id: str = "") -> ListImportJob:
    """Import the job's stored file. Idempotent: a finished job is returned untouched, and one being imported by
    another task is left to it unless that task has been at it past the hard time limit, or `task_id` is the
    task that claimed it (delivered again because its worker was lost)."""
    claimed = job_claim(
        ListImportJob,
        pk=job_id,
        task_id=task_id,
        working=ListImportJob.Status.IMPORTING,
        stale_after=import_stale_after(),
        stage="starting",
    )
    job = ListImportJob.objects.select_related("sanctions_list", "created_by").get(pk=job_id)
    if not claimed:
        return job
    folder = _job_dir(job)
    parts = {name: folder / name for name in _PARTS if (folder / name).is_file()}
    try:
        if "file" not in parts:
            raise ListImportError("the uploaded file is no longer stored; upload it again")
        result = sanctions_list_import(
            list_code=job.sanctions_list.code,
            data=parts["file"],  # read as a stream, never whole
            source_name=job.source_name,
            fmt=job.format or None,
            user=job.created_by,
            alt_data=parts.get("alt"),
            add_data=parts.get("add"),
            allow_shrink=job.allow_shrink,
            allow_older=job.allow_older,
            progress=_progress(job.pk),
        )
    except OperationalError:
        raise  # the database: the task retries, and its retry (same task id) takes the job over
    except Exception as exc:
        if isinstance(exc, SoftTimeLimitExceeded):
            error, location = (
                f"The import took longer than the time limit of {settings.RISKREG_IMPORT_TIME_LIMIT} s "
                "(RISKREG_IMPORT_TIME_LIMIT) and was stopped. The version in force is unchanged.",
                "",
            )
        elif isinstance(exc, ListImportError):
            error, location = f"{exc.message}. The version in force is unchanged.", exc.location
        else:
            logger.exception("list import job %s failed", job.pk)
            error, location = f"{type(exc).__name__}: {exc}. The version in force is unchanged."[:4000], ""
        ListImportJob.objects.filter(pk=job.pk, status=ListImportJob.Status.IMPORTING).update(
            status=ListImportJob.Status.FAILED,
            stage="refused",
            error=error,
            error_location=location[:200],
            finished_at=timezone.now(),
        )
        shutil.rmtree(folder, ignore_errors=True)
        if not isinstance(exc, ListImportError):
            raise
        job.refresh_from_db()
        return job
    version = result.version
    ListImportJob.objects.filter(pk=job.pk, status=ListImportJob.Status.IMPORTING).update(
        status=ListImportJob.Status.DONE,
        stage="unchanged: this file is the version in force" if result.unchanged else "imported",
        version=version,
        unchanged=result.unchanged,
        entries_total=version.entry_count,
        entries_written=0 if result.unchanged else len(result.added) + len(result.changed),
        finished_at=timezone.now(),
    )
    shutil.rmtree(folder, ignore_errors=True)
    job.refresh_from_db()
    return job


def list_import_jobs_stuck_resend(*, now: datetime | None = None) -> dict[str, int]:
    """The sweep's part for imports: send again jobs stuck "pending" (a lost message) or "importing" (a lost
    worker) past the import's hard time limit; fail one whose attempts have all been lost."""
    from riskreg.screening.tasks import list_import_job_run as run_task

    now = now or timezone.now()
    stuck, given_up = jobs_stuck(
        ListImportJob,
        working=ListImportJob.Status.IMPORTING,
        stale_after=import_stale_after(),
        max_attempts=MAX_ATTEMPTS,
        now=now,
        status=ListImportJob.Status.FAILED,
        stage="stopped",
        finished_at=now,
        error=(
            f"The import was stopped {MAX_ATTEMPTS} times by the time limit or a lost worker; the version in "
            "force is unchanged. Upload the file again, or raise RISKREG_IMPORT_TIME_LIMIT."
        ),
    )
    for job_id in stuck:
        run_task.delay_on_commit(job_id)
    return {"imports resent": len(stuck), "imports given up": given_up}
