"""End to end: the API queues a memo, a real Celery worker renders it through Redis into PostgreSQL."""

from __future__ import annotations

import pytest

from reports.models import Memo
from tests.conftest import wait_for
from tests.reports.factories import light_model


@pytest.mark.services
def test_real_worker_renders_a_memo_queued_through_the_api(celery_worker_process, transactional_db, legal, as_user):
    light_model()

    response = as_user(legal).post("/api/memos/", {"kind": "model", "model": "tiny-1"}, format="json")
    assert response.status_code == 202

    memo = wait_for(lambda: Memo.objects.filter(pk=response.json()["id"], status="done").first(), timeout=60)
    assert memo.pdf_sha256 and memo.pages >= 1
    assert as_user(legal).post(f"/api/memos/{memo.pk}/verify/").json()["ok"] is True
