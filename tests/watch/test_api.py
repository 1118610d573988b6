"""The watch API: legal manages sources and alerts, security may acknowledge, the auditor reads."""

from __future__ import annotations

import pytest

from riskreg.watch.models import Alert, WatchSource
from riskreg.watch.services import watch_source_check
from tests.watch.conftest import rss

SOURCE = {"name": "BIS", "kind": "rss", "url": "https://www.bis.gov/rss.xml", "every_minutes": 60}


@pytest.fixture
def alert(catalog, make_source, httpserver) -> Alert:
    httpserver.expect_request("/feed").respond_with_data(rss(("1", "Old", "")))
    source = make_source(httpserver.url_for("/feed"))
    watch_source_check(source_id=source.pk)
    httpserver.clear()
    httpserver.expect_request("/feed").respond_with_data(rss(("1", "Old", ""), ("2", "Zhipu AI listed", "")))
    watch_source_check(source_id=source.pk, force=True)
    return Alert.objects.get()


def test_legal_creates_a_source_and_is_its_owner(legal, as_user):
    response = as_user(legal).post("/api/watch/sources/", SOURCE, format="json")

    assert response.status_code == 201, response.content
    source = WatchSource.objects.get()
    assert source.owner == legal and source.next_check_at is not None
    assert response.data["health"] == "new"


def test_legal_changes_the_schedule_but_not_the_health(legal, as_user, make_source):
    source = make_source("https://www.bis.gov/rss.xml")

    response = as_user(legal).patch(
        f"/api/watch/sources/{source.pk}/", {"every_minutes": 30, "health": "healthy"}, format="json"
    )

    source.refresh_from_db()
    assert response.status_code == 200
    assert (source.every_minutes, source.health) == (30, "new")


def test_a_schedule_of_zero_minutes_is_refused_with_the_field_named(legal, as_user, make_source):
    """Found in review: PATCH every_minutes=0 was a 500 (the database constraint), not a 400."""
    source = make_source("https://www.bis.gov/rss.xml")

    response = as_user(legal).patch(f"/api/watch/sources/{source.pk}/", {"every_minutes": 0}, format="json")

    assert response.status_code == 400
    assert "every_minutes" in response.data
    source.refresh_from_db()
    assert source.every_minutes == 1440


def test_a_selector_that_cannot_work_is_refused_on_create_and_on_change(legal, as_user, make_source):
    bad = {**SOURCE, "kind": "html", "selector": "[[["}
    response = as_user(legal).post("/api/watch/sources/", bad, format="json")
    assert response.status_code == 400
    assert "CSS selector" in str(response.data["selector"])

    source = make_source("https://www.federalregister.gov/api/v1/documents.json", kind="federal-register")
    response = as_user(legal).patch(f"/api/watch/sources/{source.pk}/", {"selector": "garbage"}, format="json")
    assert response.status_code == 400
    assert "Federal Register condition" in str(response.data["selector"])


@pytest.mark.parametrize("who", ["requester", "security", "procurement", "auditor", "outsider"])
def test_only_legal_creates_sources(who, request, as_user):
    response = as_user(request.getfixturevalue(who)).post("/api/watch/sources/", SOURCE, format="json")

    assert response.status_code == 403


def test_anonymous_users_see_nothing(db, api):
    assert api.get("/api/watch/alerts/").status_code == 401


def test_the_auditor_reads_sources_snapshots_changes_and_alerts(auditor, as_user, alert):
    client = as_user(auditor)

    for path in ("sources", "snapshots", "changes", "alerts"):
        assert client.get(f"/api/watch/{path}/").status_code == 200
    data = client.get(f"/api/watch/alerts/{alert.pk}/").data
    assert data["models"] == ["GLM-5"] and data["organisations"] == ["Beijing Zhipu Huazhang Technology Co., Ltd."]
    assert client.get("/api/watch/changes/").data["results"][0]["added_count"] == 1


def test_the_auditor_cannot_acknowledge_or_resolve(auditor, as_user, alert):
    client = as_user(auditor)

    assert client.post(f"/api/watch/alerts/{alert.pk}/acknowledge/").status_code == 403
    assert client.post(f"/api/watch/alerts/{alert.pk}/resolve/").status_code == 403


def test_a_requester_cannot_read_alerts(requester, as_user, alert):
    assert as_user(requester).get("/api/watch/alerts/").status_code == 403


def test_security_acknowledges_but_cannot_resolve(security, as_user, alert):
    client = as_user(security)

    assert client.post(f"/api/watch/alerts/{alert.pk}/acknowledge/", {"note": "seen"}).status_code == 200
    assert client.post(f"/api/watch/alerts/{alert.pk}/resolve/").status_code == 403
    alert.refresh_from_db()
    assert (alert.status, alert.handled_by, alert.note) == ("acknowledged", security, "seen")


def test_legal_assigns_and_resolves_and_the_assignee_is_mailed(
    legal, security, as_user, alert, mailoutbox, django_capture_on_commit_callbacks
):
    client = as_user(legal)

    with django_capture_on_commit_callbacks(execute=True):
        assigned = client.post(f"/api/watch/alerts/{alert.pk}/assign/", {"assignee": "security"}, format="json")
    resolved = client.post(f"/api/watch/alerts/{alert.pk}/resolve/", {"note": "not our supplier"}, format="json")

    assert assigned.status_code == 200 and assigned.data["assignee"] == "security"
    assert resolved.status_code == 200 and resolved.data["status"] == "resolved"
    assert [message.to for message in mailoutbox] == [[security.email]]
    assert alert.history.count() >= 3


def test_a_resolved_alert_cannot_be_acknowledged(legal, as_user, alert):
    client = as_user(legal)
    client.post(f"/api/watch/alerts/{alert.pk}/resolve/")

    response = client.post(f"/api/watch/alerts/{alert.pk}/acknowledge/")

    assert response.status_code == 400


def test_check_now_queues_a_forced_check(legal, as_user, make_source, django_capture_on_commit_callbacks, monkeypatch):
    from riskreg.watch.tasks import watch_source_check_task as task

    source = make_source("https://www.bis.gov/rss.xml")
    queued = []
    monkeypatch.setattr(task, "delay", lambda *args, **kwargs: queued.append((args, kwargs)))

    with django_capture_on_commit_callbacks(execute=True):
        response = as_user(legal).post(f"/api/watch/sources/{source.pk}/check/")

    assert response.status_code == 202
    assert queued == [((source.pk,), {"force": True})]


def test_security_cannot_queue_a_check(security, as_user, make_source):
    source = make_source("https://www.bis.gov/rss.xml")

    assert as_user(security).post(f"/api/watch/sources/{source.pk}/check/").status_code == 403


def test_an_alert_cannot_be_assigned_to_someone_who_cannot_see_alerts(legal, requester, as_user, alert):
    """Found in review: an alert assigned to a requester, who gets 403 on the alerts list."""
    response = as_user(legal).post(f"/api/watch/alerts/{alert.pk}/assign/", {"assignee": "requester"}, format="json")

    assert response.status_code == 400
    assert "cannot see alerts" in response.json()["assignee"][0]
    alert.refresh_from_db()
    assert alert.assignee is None
