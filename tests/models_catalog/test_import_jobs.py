"""BOM and model card uploads as background jobs (issue 26): the web answers at once with a job, a worker imports
the document, the job shows its progress and then what was imported or why not; crash recovery as for list
imports (a redelivered task takes its job over, the sweep sends stuck jobs again)."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.utils import timezone

from models_catalog.interchange import MAX_COMPONENTS
from models_catalog.interchange.cyclonedx import model_bom_export
from models_catalog.interchange.jobs import (
    MAX_ATTEMPTS,
    interchange_job_create,
    interchange_job_run,
    interchange_jobs_stuck_resend,
    stale_after,
)
from models_catalog.models import AIModel, InterchangeImportJob, Organisation
from models_catalog.tasks import interchange_import_job_run as run_task
from riskreg.core.tasks import stuck_work_sweep
from tests.conftest import wait_for


def tiny_bom() -> bytes:
    """The BOM the register exports for a small model, with the model then taken out of the catalog."""
    developer = Organisation.objects.create(name="Tiny Labs Ltd", country="GB")
    model = AIModel.objects.create(name="Tiny-1", family="Tiny", developer=developer, licence="MIT", weights="open")
    bom = model_bom_export(model=model)
    model.delete()
    return json.dumps(bom).encode()


@pytest.fixture
def job(db, legal) -> InterchangeImportJob:
    return interchange_job_create(kind="cyclonedx", data=tiny_bom(), source_name="upload:tiny.cdx.json", user=legal)


def importing(job, *, ago: timedelta = timedelta(0), task_id: str = "task-1", attempts: int = 1) -> None:
    InterchangeImportJob.objects.filter(pk=job.pk).update(
        status="importing", started_at=timezone.now() - ago, task_id=task_id, attempts=attempts
    )


def test_an_upload_is_kept_and_queued_after_commit_and_nothing_is_imported_yet(
    db, legal, django_capture_on_commit_callbacks
):
    data = tiny_bom()
    with django_capture_on_commit_callbacks() as queued:
        job = interchange_job_create(kind="cyclonedx", data=data, source_name="upload:tiny.cdx.json", user=legal)

    assert len(queued) == 1
    assert (job.status, job.stage, job.size, bytes(job.document)) == ("pending", "queued", len(data), data)
    assert not AIModel.objects.filter(name="Tiny-1").exists()


def test_the_worker_imports_the_job_records_its_result_and_drops_the_document(job):
    done = interchange_job_run(job_id=job.pk, task_id="task-1")

    assert (done.status, done.stage, done.attempts) == ("done", "imported", 1)
    assert done.result["models_created"] == ["tiny-1"] and done.document == b""
    assert AIModel.objects.get(name="Tiny-1").developer.name == "Tiny Labs Ltd"
    assert interchange_job_run(job_id=job.pk, task_id="task-2").finished_at == done.finished_at  # done stays done


def test_a_bom_of_92000_components_ends_as_a_failed_job_in_the_worker_never_in_the_web(db, legal):
    components = [{"type": "library", "name": f"c{n}"} for n in range(92_000)]  # 3.0 MB, under the 5 MiB cap
    document = {"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1, "components": components}
    job = interchange_job_create(
        kind="cyclonedx", data=json.dumps(document, separators=(",", ":")).encode(), source_name="big.json"
    )

    failed = interchange_job_run(job_id=job.pk)

    assert failed.status == "failed" and "over the limit of 2,000 for one list" in failed.error
    assert failed.document == b"" and MAX_COMPONENTS < 92_000


def test_an_import_stopped_at_the_soft_time_limit_fails_with_the_reason(job, monkeypatch):
    def too_slow(**kwargs):
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr("models_catalog.interchange.cyclonedx.bom_import", too_slow)

    with pytest.raises(SoftTimeLimitExceeded):
        interchange_job_run(job_id=job.pk)

    job.refresh_from_db()
    assert job.status == "failed" and "longer than the time limit" in job.error and job.document == b""


def test_a_redelivered_task_takes_over_the_job_its_lost_worker_was_importing(job):
    importing(job, task_id="task-1")

    assert interchange_job_run(job_id=job.pk, task_id="task-2").status == "importing"  # another task: left alone
    assert run_task.apply(args=(job.pk,), task_id="task-1").get() == "done"


def test_a_job_importing_past_the_hard_time_limit_can_be_claimed_again(job):
    importing(job, ago=stale_after() + timedelta(seconds=1))

    assert interchange_job_run(job_id=job.pk, task_id="task-2").status == "done"


def test_the_sweep_sends_stuck_imports_again_and_gives_up_after_the_last_attempt(
    db, django_capture_on_commit_callbacks
):
    data = tiny_bom()

    def upload() -> InterchangeImportJob:
        return interchange_job_create(kind="cyclonedx", data=data, source_name="tiny.json")

    lost, dead, hopeless, fresh = upload(), upload(), upload(), upload()
    InterchangeImportJob.objects.filter(pk=lost.pk).update(created_at=timezone.now() - stale_after() - timedelta(1))
    importing(dead, ago=stale_after() + timedelta(seconds=1))
    importing(hopeless, ago=stale_after() + timedelta(seconds=1), attempts=MAX_ATTEMPTS)

    with django_capture_on_commit_callbacks() as sent:
        counts = stuck_work_sweep.apply().get()

    assert counts["document imports resent"] == 2 and counts["document imports given up"] == 1
    assert len(sent) == 2
    hopeless.refresh_from_db()
    assert hopeless.status == "failed" and f"stopped {MAX_ATTEMPTS} times" in hopeless.error
    assert hopeless.document == b""
    assert InterchangeImportJob.objects.get(pk=fresh.pk).status == "pending"
    assert interchange_jobs_stuck_resend() == {"document imports resent": 2, "document imports given up": 0}


def test_the_admin_lists_the_imports_read_only(job, legal, client):
    client.force_login(legal)
    listing = client.get("/admin/models_catalog/interchangeimportjob/")
    page = client.get(f"/admin/models_catalog/interchangeimportjob/{job.pk}/change/")

    assert listing.status_code == 200 and b"upload:tiny.cdx.json" in listing.content
    assert page.status_code == 200 and b"Queued" in page.content
    assert client.get("/admin/models_catalog/interchangeimportjob/add/").status_code == 403


@pytest.mark.services
def test_a_real_worker_imports_a_bom_uploaded_through_the_api(celery_worker_process, transactional_db, legal, as_user):
    data = tiny_bom()

    response = as_user(legal).post("/api/interchange/cyclonedx/", {"file": io.BytesIO(data)}, format="multipart")

    assert response.status_code == 202
    job = wait_for(
        lambda: InterchangeImportJob.objects.filter(pk=response.json()["id"], status="done").first(), timeout=60
    )
    assert job.result["models_created"] == ["tiny-1"]
    assert as_user(legal).get(response["Location"]).json()["status_label"] == "Imported"
