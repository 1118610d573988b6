"""List imports as background jobs: 202 and a job to poll, progress, size caps on every path, and crash
recovery (a redelivered task takes its job over; the sweep re-sends stuck jobs)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import timezone

from riskreg.core.tasks import stuck_work_sweep
from riskreg.screening.errors import ListImportError
from riskreg.screening.imports import (
    MAX_ATTEMPTS,
    import_stale_after,
    list_import_job_create,
    list_import_job_run,
    list_import_jobs_stuck_resend,
)
from riskreg.screening.models import ListImportJob, ListVersion
from riskreg.screening.services import sanctions_list_ensure, sanctions_list_import
from riskreg.screening.tasks import list_import_job_run as run_task


@pytest.fixture
def job(db, small_sdn, legal) -> ListImportJob:
    return list_import_job_create(
        list_code="ofac-sdn", file=SimpleUploadedFile("sdn.csv", small_sdn), source_name="upload:sdn.csv", user=legal
    )


def importing(job: ListImportJob, *, ago: timedelta = timedelta(0), task_id: str = "task-1", attempts: int = 1):
    ListImportJob.objects.filter(pk=job.pk).update(
        status="importing", started_at=timezone.now() - ago, task_id=task_id, attempts=attempts
    )


def test_an_upload_is_stored_and_queued_after_commit(
    db, small_sdn, legal, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as queued:
        job = list_import_job_create(
            list_code="ofac-sdn", file=SimpleUploadedFile("sdn.csv", small_sdn), source_name="upload:sdn.csv"
        )

    assert len(queued) == 1
    assert job.status == "pending" and job.size == len(small_sdn)
    assert (Path(settings.RISKREG_DATA_DIR) / job.folder / "file").read_bytes() == small_sdn
    assert not ListVersion.objects.exists()


def test_the_worker_imports_the_job_and_removes_the_stored_upload(job, settings):
    done = list_import_job_run(job_id=job.pk, task_id="task-1")

    assert done.status == "done" and done.stage == "imported" and done.attempts == 1
    assert done.version.entry_count == 4 and done.entries_total == 4 and done.entries_written == 4
    assert not (Path(settings.RISKREG_DATA_DIR) / job.folder).exists()
    assert list_import_job_run(job_id=job.pk, task_id="task-2").attempts == 1  # done: nothing runs twice


def test_the_import_reports_its_stages(db, small_sdn):
    stages = []

    sanctions_list_import(
        list_code="ofac-sdn",
        data=small_sdn,
        source_name="sdn.csv",
        progress=lambda stage, **counts: stages.append((stage, counts)),
    )

    assert stages == [
        ("reading and checking the file", {}),
        ("reading, comparing and writing the entries in one transaction (all or nothing)", {}),
    ]


def test_a_refused_file_fails_the_job_with_its_line_and_keeps_the_version_in_force(db, legal):
    job = list_import_job_create(
        list_code="ofac-sdn", file=SimpleUploadedFile("x.csv", b"1,2\n"), source_name="upload:x.csv", user=legal
    )

    failed = list_import_job_run(job_id=job.pk)

    assert failed.status == "failed" and failed.error_location == "line 1"
    assert failed.error.endswith("The version in force is unchanged.")
    assert not ListVersion.objects.exists()


def test_an_import_stopped_at_the_soft_time_limit_fails_with_the_reason(job, monkeypatch):
    def too_slow(**kwargs):
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr("riskreg.screening.imports.sanctions_list_import", too_slow)

    with pytest.raises(SoftTimeLimitExceeded):
        list_import_job_run(job_id=job.pk)

    job.refresh_from_db()
    assert job.status == "failed"
    assert "longer than the time limit of 1800 s (RISKREG_IMPORT_TIME_LIMIT)" in job.error


def test_a_redelivered_task_takes_over_the_job_its_lost_worker_was_importing(job):
    importing(job, task_id="task-1")

    assert list_import_job_run(job_id=job.pk, task_id="task-2").status == "importing"  # another task: left alone
    assert run_task.apply(args=(job.pk,), task_id="task-1").get() == "done"


def test_a_job_importing_past_the_hard_time_limit_can_be_claimed_again(job):
    importing(job, ago=import_stale_after() + timedelta(seconds=1))

    assert list_import_job_run(job_id=job.pk, task_id="task-2").status == "done"


def test_the_sweep_sends_stuck_imports_again_and_gives_up_after_the_last_attempt(
    db, small_sdn, django_capture_on_commit_callbacks
):
    def upload() -> ListImportJob:
        return list_import_job_create(
            list_code="ofac-sdn", file=SimpleUploadedFile("sdn.csv", small_sdn), source_name="sdn.csv"
        )

    lost, dead, hopeless, fresh = upload(), upload(), upload(), upload()
    ListImportJob.objects.filter(pk=lost.pk).update(created_at=timezone.now() - import_stale_after() - timedelta(1))
    importing(dead, ago=import_stale_after() + timedelta(seconds=1))
    importing(hopeless, ago=import_stale_after() + timedelta(seconds=1), attempts=MAX_ATTEMPTS)

    with django_capture_on_commit_callbacks() as sent:
        counts = stuck_work_sweep.apply().get()

    assert counts["imports resent"] == 2 and counts["imports given up"] == 1
    assert len(sent) == 2
    hopeless.refresh_from_db()
    assert hopeless.status == "failed" and f"stopped {MAX_ATTEMPTS} times" in hopeless.error
    assert ListImportJob.objects.get(pk=fresh.pk).status == "pending"
    assert list_import_jobs_stuck_resend() == {"imports resent": 2, "imports given up": 0}


def test_the_api_refuses_a_file_over_the_size_cap_with_a_clear_400(as_user, legal, settings, small_sdn):
    settings.RISKREG_IMPORT_MAX_BYTES = 100
    sanctions_list_ensure(list_code="ofac-sdn")
    uploads = Path(settings.RISKREG_DATA_DIR) / "imports"
    before = set(uploads.glob("*"))

    response = as_user(legal).post(
        "/api/screening/lists/ofac-sdn/import/", {"file": SimpleUploadedFile("sdn.csv", small_sdn)}, format="multipart"
    )

    assert response.status_code == 400
    assert f"the file is {len(small_sdn):,} bytes, over the limit of 100 (RISKREG_IMPORT_MAX_BYTES)" in str(
        response.json()["detail"]
    )
    assert not ListImportJob.objects.exists()
    assert set(uploads.glob("*")) == before  # nothing kept


def test_a_stream_without_a_declared_size_is_cut_at_the_cap(db, settings):
    """The cap counts what is written, not only what the upload declares."""
    settings.RISKREG_IMPORT_MAX_BYTES = 1024

    class Stream:
        def __init__(self):
            self.left = 10

        def read(self, size):
            self.left -= 1
            return b"x" * 512 if self.left > 0 else b""

    with pytest.raises(ListImportError, match="over the limit of 1,024"):
        list_import_job_create(list_code="ofac-sdn", file=Stream(), source_name="stream")
    assert not ListImportJob.objects.exists()


def test_the_command_line_refuses_a_file_over_the_size_cap_before_reading_it(db, tmp_path, settings):
    """Found by the fault probe: a 200 MB file through the CLI passed 3.5 GB of memory; there was no cap."""
    settings.RISKREG_IMPORT_MAX_BYTES = 1024
    path = tmp_path / "sdn.csv"
    path.write_bytes(b"x" * 2048)

    with pytest.raises(CommandError, match=r"2,048 bytes, over the limit of 1,024 \(RISKREG_IMPORT_MAX_BYTES\)"):
        call_command("import_sanctions", "ofac-sdn", str(path))
    assert not ListVersion.objects.exists()


def test_every_import_path_is_capped_in_the_service_too(db, settings):
    settings.RISKREG_IMPORT_MAX_BYTES = 1024

    with pytest.raises(ListImportError, match="the alt.csv is 2,048 bytes"):
        sanctions_list_import(list_code="ofac-sdn", data=b"1", alt_data=b"x" * 2048, source_name="watch")


@pytest.mark.parametrize("who, expected", [("auditor", 200), ("legal", 200), ("requester", 403)])
def test_who_may_follow_an_import(as_user, request, job, who, expected):
    assert as_user(request.getfixturevalue(who)).get(f"/api/screening/import-jobs/{job.pk}/").status_code == expected


def test_a_finished_job_links_its_version_without_carrying_the_diff(as_user, legal, job):
    list_import_job_run(job_id=job.pk)

    version = as_user(legal).get(f"/api/screening/import-jobs/{job.pk}/").json()["version"]

    assert version["entry_count"] == 4 and version["added_count"] == 4 and "diff" not in version
    assert version["url"].endswith(f"/api/screening/versions/{version['id']}/")
