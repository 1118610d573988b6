"""Memos in the admin: the generate actions, the memos tab on models and requests, read-only memo pages,
verification and permission-checked downloads."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages

from reports.models import Memo
from reports.services import memo_generate_now

# Every test here runs on the rows the module builds once (tests/conftest.py, built_once_for_the_module).
pytestmark = pytest.mark.usefixtures("_glm5_world")


@pytest.fixture
def staff(db):
    def make(user):
        user.is_staff = True
        user.save()
        return user

    return make


def login(client, user):
    client.force_login(user)
    return client


def test_legal_queues_a_memo_from_the_models_list(world, legal, staff, client, django_capture_on_commit_callbacks):
    login(client, staff(legal))

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(
            "/admin/models_catalog/aimodel/",
            {"action": "generate_model_memo", "_selected_action": [world.model.pk]},
            follow=True,
        )

    memo = Memo.objects.get()
    assert (memo.kind, memo.model, memo.status, memo.generated_by) == ("model", world.model, "pending", legal)
    assert len(callbacks) == 1
    assert "queued" in " ".join(str(m) for m in get_messages(response.wsgi_request))


def test_legal_queues_a_request_memo(world, legal, staff, client, django_capture_on_commit_callbacks):
    login(client, staff(legal))

    with django_capture_on_commit_callbacks(execute=False):
        client.post(
            "/admin/register/adoptionrequest/",
            {"action": "generate_request_memo", "_selected_action": [world.request.pk]},
        )

    assert Memo.objects.get().request == world.request


def test_auditor_cannot_queue_a_memo(world, auditor, staff, client):
    login(client, staff(auditor))

    response = client.post(
        "/admin/models_catalog/aimodel/",
        {"action": "generate_model_memo", "_selected_action": [world.model.pk]},
        follow=True,
    )

    assert not Memo.objects.exists()
    offered = {name for name, _ in response.context["action_form"].fields["action"].choices if name}
    assert offered == {"export_for_auditors"}  # the memo action is not even offered to the auditor


def test_model_page_has_a_memos_tab_with_download_links(world, legal, auditor, staff, client):
    memo = memo_generate_now(kind="model", model=world.model, user=legal)
    login(client, staff(auditor))

    page = client.get(f"/admin/models_catalog/aimodel/{world.model.pk}/change/").content.decode()

    assert "Memos" in page and str(memo) in page and f"/memos/{memo.pk}/download/" in page


def test_request_page_lists_its_memos(world, legal, staff, client):
    pending = Memo.objects.create(kind="request", request=world.request, model=world.model, version=1)
    login(client, staff(legal))

    page = client.get(f"/admin/register/adoptionrequest/{world.request.pk}/change/").content.decode()

    assert str(pending) in page and "Queued" in page


def test_memo_admin_is_read_only_and_verifies(legal, auditor, staff, client, light_memo):
    login(client, staff(auditor))

    page = client.get(f"/admin/reports/memo/{light_memo.pk}/change/")
    response = client.post(
        "/admin/reports/memo/", {"action": "verify_memos", "_selected_action": [light_memo.pk]}, follow=True
    )

    assert page.status_code == 200 and light_memo.pdf_sha256 in page.content.decode()
    assert b'name="_save"' not in page.content
    assert client.get("/admin/reports/memo/add/").status_code == 403
    assert client.post(f"/admin/reports/memo/{light_memo.pk}/delete/").status_code == 403
    assert "verified, PDF SHA-256" in " ".join(str(m) for m in get_messages(response.wsgi_request))


def test_download_view_checks_permissions(world, legal, requester, outsider, staff, client, light_memo):
    assert client.get(f"/memos/{light_memo.pk}/download/").status_code == 302  # to the login page

    login(client, outsider)
    assert client.get(f"/memos/{light_memo.pk}/download/").status_code == 404
    login(client, requester)
    assert client.get(f"/memos/{light_memo.pk}/download/").status_code == 404  # not one of their requests
    login(client, legal)
    response = client.get(f"/memos/{light_memo.pk}/download/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]


def test_a_pending_memo_has_nothing_to_download(world, legal, client):
    memo = Memo.objects.create(kind="model", model=world.model, version=1)
    login(client, legal)

    assert client.get(f"/memos/{memo.pk}/download/").status_code == 404
