"""The memos API: legal, security and procurement generate (202, rendered after commit by a worker);
auditors and signers read, download and verify; requesters see only the memos of their own requests."""

from __future__ import annotations

import hashlib

import pytest

from reports.models import Memo
from reports.services import memo_generate_now
from reports.tasks import memo_generate_task
from tests.reports.factories import light_model

# Every test here runs on the rows the module builds once (tests/conftest.py, built_once_for_the_module).
pytestmark = pytest.mark.usefixtures("_glm5_world")


@pytest.mark.parametrize("role", ["legal", "security", "procurement"])
def test_signers_generate_a_memo_and_get_202_at_once(role, request, world, as_user, django_capture_on_commit_callbacks):
    user = request.getfixturevalue(role)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = as_user(user).post("/api/memos/", {"kind": "model", "model": "glm-5"}, format="json")

    assert response.status_code == 202, response.content
    body = response.json()
    assert body["status"] == "pending" and body["version"] == 1 and body["download_url"] is None
    assert body["status_url"].endswith(f"/api/memos/{body['id']}/")
    assert len(callbacks) == 1  # dispatched to the worker only once the transaction commits
    assert Memo.objects.get(pk=body["id"]).generated_by == user


def test_generation_progress_is_visible_and_the_pdf_downloads(world, legal, auditor, as_user):
    memo = memo_generate_now(kind="request", request=world.request, user=legal)

    detail = as_user(auditor).get(f"/api/memos/{memo.pk}/").json()
    download = as_user(auditor).get(f"/api/memos/{memo.pk}/download/")

    assert detail["status"] == "done" and detail["pdf_sha256"] == memo.pdf_sha256 and detail["pages"] == memo.pages
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert hashlib.sha256(b"".join(download.streaming_content)).hexdigest() == memo.pdf_sha256
    assert download["X-Memo-SHA256"] == memo.pdf_sha256


def test_the_queued_memo_is_rendered_by_the_task(legal, as_user, django_capture_on_commit_callbacks):
    light_model()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = as_user(legal).post("/api/memos/", {"kind": "model", "model": "tiny-1"}, format="json")
    memo_id = response.json()["id"]
    assert len(callbacks) == 1

    memo_generate_task(memo_id)

    assert as_user(legal).get(f"/api/memos/{memo_id}/").json()["status"] == "done"


def test_request_and_portfolio_memos_can_be_generated(world, procurement, as_user, django_capture_on_commit_callbacks):
    client = as_user(procurement)
    with django_capture_on_commit_callbacks(execute=False):
        by_request = client.post("/api/memos/", {"kind": "request", "request": world.request.pk}, format="json")
        portfolio = client.post("/api/memos/", {"kind": "portfolio"}, format="json")

    assert by_request.status_code == portfolio.status_code == 202
    assert Memo.objects.get(pk=by_request.json()["id"]).model == world.model


def test_a_model_memo_without_a_model_is_refused_with_the_reason(legal, as_user):
    response = as_user(legal).post("/api/memos/", {"kind": "model"}, format="json")

    assert response.status_code == 400 and "needs a model" in response.json()["detail"]


@pytest.mark.parametrize("role", ["auditor", "requester", "outsider"])
def test_others_cannot_generate(role, request, world, as_user):
    response = as_user(request.getfixturevalue(role)).post("/api/memos/", {"kind": "portfolio"}, format="json")

    assert response.status_code == 403 and not Memo.objects.exists()


def test_anonymous_gets_401(client, db):
    assert client.get("/api/memos/").status_code == 401


def test_auditor_verifies_a_memo(legal, auditor, as_user, light_memo):
    response = as_user(auditor).post(f"/api/memos/{light_memo.pk}/verify/")

    assert response.status_code == 200 and response.json()["ok"] is True


def test_memos_cannot_be_changed_or_deleted_through_the_api(admin_user, as_user, light_memo):
    client = as_user(admin_user)  # not even a superuser

    assert client.patch(f"/api/memos/{light_memo.pk}/", {"status": "failed"}, format="json").status_code == 405
    assert client.delete(f"/api/memos/{light_memo.pk}/").status_code == 405


def test_requester_sees_only_memos_of_own_requests(world, legal, requester, as_user, django_user_model):
    own = memo_generate_now(kind="request", request=world.request, user=legal)
    model_memo = Memo.objects.create(kind="model", model=world.model, version=1)
    other = django_user_model.objects.create_user("other-requester")
    other.groups.add(*requester.groups.all())

    listed = [m["id"] for m in as_user(requester).get("/api/memos/").json()["results"]]

    assert listed == [own.pk]
    assert as_user(requester).get(f"/api/memos/{own.pk}/download/").status_code == 200
    assert as_user(requester).get(f"/api/memos/{model_memo.pk}/").status_code == 404
    assert as_user(other).get("/api/memos/").json()["results"] == []
    assert as_user(other).get(f"/api/memos/{own.pk}/download/").status_code == 404


def test_outsider_cannot_list_or_download(outsider, as_user, light_memo):
    assert as_user(outsider).get("/api/memos/").status_code == 403
    assert as_user(outsider).get(f"/api/memos/{light_memo.pk}/download/").status_code == 403
    assert as_user(outsider).post(f"/api/memos/{light_memo.pk}/verify/").status_code == 403


def test_list_filters_by_model_and_status(world, legal, as_user):
    Memo.objects.create(kind="model", model=world.model, version=1)

    assert as_user(legal).get("/api/memos/?model__slug=glm-5&status=pending").json()["count"] == 1
    assert as_user(legal).get("/api/memos/?status=done").json()["count"] == 0


def test_task_is_registered_under_its_name():
    assert memo_generate_task.name == "reports.tasks.memo_generate"


def test_a_tampered_stored_pdf_is_not_served(legal, as_user, light_memo):
    """Found in review: a PDF changed on disk still downloaded with 200 as if it were the filed memo."""
    import os

    from reports.services import memo_pdf_path

    path = memo_pdf_path(memo=light_memo)
    os.chmod(path, 0o644)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))

    response = as_user(legal).get(f"/api/memos/{light_memo.pk}/download/")

    assert response.status_code == 409
    assert "does not match the SHA-256 recorded" in response.content.decode()


def test_an_intact_pdf_downloads_with_its_hash(legal, as_user, light_memo):
    response = as_user(legal).get(f"/api/memos/{light_memo.pk}/download/")

    assert response.status_code == 200
    assert hashlib.sha256(b"".join(response.streaming_content)).hexdigest() == light_memo.pdf_sha256
