"""The admin pages: sources with health, snapshots with their diff, the alerts inbox with actions."""

from __future__ import annotations

from django.test import Client

from riskreg.watch.models import Alert, Snapshot
from riskreg.watch.services import watch_source_check
from tests.watch.conftest import rss


def setup_alert(make_source, httpserver) -> Alert:
    httpserver.expect_request("/feed").respond_with_data(rss(("1", "Old", "")))
    source = make_source(httpserver.url_for("/feed"), name="BIS press")
    watch_source_check(source_id=source.pk)
    httpserver.clear()
    httpserver.expect_request("/feed").respond_with_data(rss(("1", "Old", ""), ("2", "Zhipu AI listed", "")))
    watch_source_check(source_id=source.pk, force=True)
    return Alert.objects.get()


def test_the_sources_page_shows_health(admin_user, catalog, make_source, httpserver):
    setup_alert(make_source, httpserver)
    client = Client()
    client.force_login(admin_user)

    page = client.get("/admin/watch/watchsource/").content.decode()

    assert "BIS press" in page and "Healthy" in page


def test_a_snapshot_page_renders_its_diff(admin_user, catalog, make_source, httpserver):
    setup_alert(make_source, httpserver)
    client = Client()
    client.force_login(admin_user)
    snapshot = Snapshot.objects.get(sequence=2)

    page = client.get(f"/admin/watch/snapshot/{snapshot.pk}/change/").content.decode()

    assert "Added (1)" in page and "Zhipu AI listed" in page


def test_legal_acknowledges_from_the_inbox(legal, catalog, make_source, httpserver):
    alert = setup_alert(make_source, httpserver)
    legal.is_staff = True
    legal.save()
    client = Client()
    client.force_login(legal)

    inbox = client.get("/admin/watch/alert/")
    client.post("/admin/watch/alert/", {"action": "acknowledge", "_selected_action": [alert.pk]})

    assert inbox.status_code == 200 and "Zhipu AI listed" in inbox.content.decode()
    alert.refresh_from_db()
    assert alert.status == "acknowledged" and alert.handled_by == legal


def test_check_now_queues_the_selected_sources(
    admin_user, make_source, monkeypatch, django_capture_on_commit_callbacks
):
    from riskreg.watch.tasks import watch_source_check_task as task

    source = make_source("https://www.bis.gov/rss.xml")
    queued = []
    monkeypatch.setattr(task, "delay", lambda *args, **kwargs: queued.append(args[0]))
    client = Client()
    client.force_login(admin_user)

    with django_capture_on_commit_callbacks(execute=True):
        client.post("/admin/watch/watchsource/", {"action": "check_now", "_selected_action": [source.pk]})

    assert queued == [source.pk]
