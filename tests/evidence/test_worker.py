"""End to end on the real services: saving a source with a URL queues, after commit, a capture that a real
worker runs through Redis into PostgreSQL; the beat's dispatch re-checks it and an edit alerts."""

from __future__ import annotations

import pytest

from models_catalog.models import EvidenceSource
from riskreg.evidence.models import Capture, CitedSource
from riskreg.evidence.tasks import evidence_dispatch_due
from riskreg.watch.models import Alert
from tests.conftest import wait_for
from tests.evidence.conftest import article


@pytest.mark.services
def test_a_real_worker_captures_a_cited_source_and_its_recheck_alerts(
    celery_worker_process, transactional_db, glm5, httpserver
):
    httpserver.expect_request("/article").respond_with_data(article(), content_type="text/html")
    source = glm5["source"]
    source.url = httpserver.url_for("/article")
    source.save()  # no transaction open here: the capture is queued at once

    capture = wait_for(lambda: Capture.objects.filter(source=source, outcome="ok").first(), timeout=60)
    assert CitedSource.objects.get(source=source).cited_capture == capture

    httpserver.clear()
    httpserver.expect_request("/article").respond_with_data(article("partly"), content_type="text/html")
    CitedSource.objects.filter(source=source).update(next_check_at=capture.retrieved_at)  # due now
    evidence_dispatch_due.delay()  # what beat sends every ten minutes

    alert = wait_for(lambda: Alert.objects.filter(evidence_source=source).first(), timeout=60)
    assert list(alert.claims.all()) == [glm5["claim"]]
    assert EvidenceSource.objects.get(pk=source.pk).cited.state == "changed"
