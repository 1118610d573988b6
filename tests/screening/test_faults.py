"""Fault suite for list imports, on a real worker and the real Redis broker: kill -9 of the pool process
during an import, and the file is still imported once (one version, each entry once)."""

from __future__ import annotations

import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from riskreg.screening.imports import list_import_job_create
from riskreg.screening.models import ListEntry, ListImportJob, ListVersion
from tests.conftest import wait_for
from tests.screening.conftest import SDN_NEW

pytestmark = pytest.mark.services


def test_an_import_whose_pool_process_is_killed_mid_import_is_imported_once(start_worker, transactional_db, legal):
    worker = start_worker()
    # The whole real file (14,965 entries, a few seconds to import), so the kill lands while it is importing;
    # sent to this test's worker only (the session's worker, when one runs, consumes the default queue).
    job = list_import_job_create(
        list_code="ofac-sdn",
        file=SimpleUploadedFile("sdn.csv", SDN_NEW.read_bytes()),
        source_name="sdn.csv",
        user=legal,
        queue=worker.queue,
    )

    wait_for(lambda: ListImportJob.objects.filter(pk=job.pk, status="importing").exists(), timeout=30, interval=0.01)
    for pid in worker.pool_pids():
        os.kill(pid, 9)

    wait_for(lambda: ListImportJob.objects.filter(pk=job.pk, status="done").exists(), timeout=60)
    job.refresh_from_db()
    assert job.attempts == 2  # the killed attempt and its redelivery
    assert ListVersion.objects.count() == 1 and job.version.entry_count == 14965
    assert ListEntry.objects.count() == 14965
