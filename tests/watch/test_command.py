"""`manage.py watch add / check / alerts`, with the JSON shapes of the issue."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from riskreg.watch.models import WatchSource
from tests.watch.conftest import rss


def run(*args) -> str:
    out = StringIO()
    call_command("watch", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_add_prints_the_new_id_as_json(db):
    out = run("add", "BIS news", "--kind", "rss", "--url", "https://www.bis.gov/rss.xml", "--every", "60", "--json")

    source = WatchSource.objects.get()
    assert json.loads(out) == {"id": source.pk}
    assert (source.name, source.kind, source.every_minutes, source.enabled) == ("BIS news", "rss", 60, True)


def test_add_takes_an_owner_who_is_told_of_alerts(legal):
    out = run("add", "BIS news", "--kind", "rss", "--url", "https://www.bis.gov/rss.xml", "--owner", "legal", "--json")

    assert WatchSource.objects.get(pk=json.loads(out)["id"]).owner == legal
    with pytest.raises(CommandError, match="owner: no active user 'nobody'"):
        run("add", "Other", "--kind", "rss", "--url", "https://www.bis.gov/x.xml", "--owner", "nobody")


def test_add_refuses_a_non_http_url_with_the_field_named(db):
    with pytest.raises(CommandError, match="url"):
        run("add", "Local file", "--kind", "rss", "--url", "file:///etc/passwd")


@pytest.mark.parametrize(
    ("kind", "selector", "message"),
    [
        ("html", "[[[", "CSS selector"),
        ("json", "$[[", "JSON path"),
        ("federal-register", "garbage", "Federal Register condition"),
    ],
)
def test_add_refuses_a_selector_that_cannot_work_before_any_check(db, kind, selector, message):
    with pytest.raises(CommandError, match=f"selector.*{message}"):
        run("add", "Broken", "--kind", kind, "--url", "https://example.org/x", "--selector", selector)

    assert not WatchSource.objects.exists()


def test_add_refuses_checking_every_zero_minutes(db):
    with pytest.raises(CommandError, match="every_minutes"):
        run("add", "Too often", "--kind", "rss", "--url", "https://www.bis.gov/rss.xml", "--every", "0")


def test_check_prints_baseline_then_changed_with_the_diff_and_alert_ids(catalog, httpserver):
    httpserver.expect_request("/feed").respond_with_data(rss(("1", "Old", "news")))
    source_id = json.loads(run("add", "Feed", "--kind", "rss", "--url", httpserver.url_for("/feed"), "--json"))["id"]

    first = json.loads(run("check", "--source", str(source_id), "--json"))
    httpserver.clear()
    httpserver.expect_request("/feed").respond_with_data(
        rss(("1", "Old", "news"), ("2", "Huawei affiliates added", "Entity List"))
    )
    second = json.loads(run("check", "--all", "--json"))

    assert first == {
        "source": source_id,
        "status": "baseline",
        "diff": {"added": 0, "removed": 0, "changed": 0},
        "alerts": [],
        "error": "",
    }
    assert second["status"] == "changed"
    assert second["diff"] == {"added": 1, "removed": 0, "changed": 0}
    assert len(second["alerts"]) == 1


def test_check_due_checks_only_due_sources_and_reports_errors(db, httpserver):
    httpserver.expect_request("/x").respond_with_data("broken", status=500)
    run("add", "Broken", "--kind", "rss", "--url", httpserver.url_for("/x"))
    run("add", "Off", "--kind", "rss", "--url", httpserver.url_for("/x"), "--disabled")

    out = StringIO()
    with pytest.raises(SystemExit) as exit_code:
        call_command("watch", "check", "--due", "--json", stdout=out, stderr=StringIO())
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    again = run("check", "--due", "--json")

    assert exit_code.value.code == 1  # a failed check is a failed command, for scripts and cron
    assert [line["status"] for line in lines] == ["error"]
    assert "HTTP 500" in lines[0]["error"]
    assert again == ""  # backed off: not due any more


def test_check_of_an_unknown_source_is_a_command_error(db):
    with pytest.raises(CommandError, match="no watch source with id 999"):
        run("check", "--source", "999")


def test_alerts_lists_models_and_organisations_by_name(catalog, httpserver):
    httpserver.expect_request("/feed").respond_with_data(rss(("1", "Old", "news")))
    source_id = json.loads(run("add", "Feed", "--kind", "rss", "--url", httpserver.url_for("/feed"), "--json"))["id"]
    run("check", "--source", str(source_id))
    httpserver.clear()
    httpserver.expect_request("/feed").respond_with_data(rss(("1", "Old", "news"), ("2", "Zhipu AI listed", "")))
    run("check", "--source", str(source_id))

    alerts = json.loads(run("alerts", "--json"))
    text = run("alerts")

    assert len(alerts) == 1
    assert alerts[0]["models"] == ["GLM-5"]
    assert alerts[0]["organisations"] == ["Beijing Zhipu Huazhang Technology Co., Ltd."]
    assert alerts[0]["status"] == "new" and alerts[0]["title"] == "Zhipu AI listed"
    assert "models: GLM-5" in text
