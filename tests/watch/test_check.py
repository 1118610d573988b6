"""Checking a source: baseline, changes, unchanged (304 or same hash), alerts, idempotence, claims, back-off."""

from __future__ import annotations

import gzip
import hashlib
import json
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.utils import timezone
from werkzeug import Response as WerkzeugResponse

from riskreg.core.events import material_change
from riskreg.watch.models import Alert, ChangeEvent, CheckRecord, Snapshot, WatchSource
from riskreg.watch.services import (
    failure_backoff,
    snapshot_file_write,
    watch_snapshots_prune,
    watch_source_check,
    watch_source_claim,
)
from tests.reactions import applied_on_commit
from tests.watch.conftest import rss

NEWS = ("1", "Commission publishes guidance", "General-purpose AI code of practice.")
ZHIPU_NEWS = ("2", "Entity List additions", "BIS adds Zhipu AI and affiliates to the Entity List.")


def serve(httpserver, body, **kwargs):
    httpserver.clear()
    httpserver.expect_request("/feed").respond_with_data(body, **kwargs)
    return httpserver.url_for("/feed")


def test_the_first_check_is_a_baseline_snapshot_stored_compressed(make_source, httpserver):
    source = make_source(serve(httpserver, rss(NEWS), content_type="application/rss+xml"))

    result = watch_source_check(source_id=source.pk)

    assert result.status == "baseline"
    snapshot = Snapshot.objects.get(source=source)
    assert snapshot.item_count == 1 and snapshot.sequence == 1
    stored = Path(django_settings.RISKREG_DATA_DIR) / snapshot.path
    assert stored.is_relative_to(Path(django_settings.RISKREG_DATA_DIR) / "watch")
    assert gzip.decompress(stored.read_bytes()) == rss(NEWS).encode()
    assert snapshot.headers["content-type"] == "application/rss+xml"
    source.refresh_from_db()
    assert source.health == "healthy" and source.last_success_at and source.claim_token == ""
    assert source.next_check_at > timezone.now() + timedelta(minutes=source.every_minutes - 1)
    assert not ChangeEvent.objects.exists() and not Alert.objects.exists()


def test_a_new_item_naming_zhipu_ai_is_an_alert_on_glm_5(
    catalog, make_source, httpserver, legal, django_capture_on_commit_callbacks
):
    source = make_source(serve(httpserver, rss(NEWS)), owner=legal)
    watch_source_check(source_id=source.pk)
    serve(httpserver, rss(NEWS, ZHIPU_NEWS))
    announced = []
    material_change.connect(lambda **kw: announced.append(kw), weak=False, dispatch_uid="test-watch")

    try:
        with applied_on_commit(django_capture_on_commit_callbacks):
            result = watch_source_check(source_id=source.pk, force=True)
    finally:
        material_change.disconnect(dispatch_uid="test-watch")

    assert result.status == "changed"
    assert (result.added, result.removed, result.changed) == (1, 0, 0)
    alert = Alert.objects.get()
    assert result.alert_ids == [alert.pk]
    assert alert.title == "Entity List additions"
    assert alert.url == "https://example.org/2"
    assert set(alert.organisations.all()) == {catalog["zhipu"]}
    assert set(alert.ai_models.all()) == {catalog["glm5"]}
    assert alert.matched_terms == ["Zhipu AI"]
    assert alert.assignee == legal
    assert announced and announced[0]["model_ids"] == [catalog["glm5"].pk]
    assert announced[0]["kind"] == "watch_alert" and announced[0]["reference"] == f"alert:{alert.pk}"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [legal.email]
    assert "GLM-5" in mail.outbox[0].body


def test_an_item_naming_the_accelerator_alerts_on_the_models_trained_on_it(catalog, make_source, httpserver):
    source = make_source(serve(httpserver, rss(NEWS)))
    watch_source_check(source_id=source.pk)
    serve(httpserver, rss(NEWS, ("3", "Guidance on Ascend 910B", "Using these chips risks violating GP10.")))

    watch_source_check(source_id=source.pk, force=True)

    alert = Alert.objects.get()
    assert set(alert.accelerators.all()) == {catalog["ascend"]}
    assert set(alert.ai_models.all()) == {catalog["glm5"]}


def test_the_legal_name_in_capitals_matches_but_a_generic_word_alone_never_does(catalog, make_source, httpserver):
    source = make_source(serve(httpserver, rss(NEWS)))
    watch_source_check(source_id=source.pk)
    serve(
        httpserver,
        rss(
            NEWS,
            ("4", "HUAWEI TECHNOLOGIES CO., LTD. affiliates", "Additions"),
            ("5", "Technology export rules", "Beijing technology company limited"),
        ),
    )

    watch_source_check(source_id=source.pk, force=True)

    alert = Alert.objects.get()
    assert alert.title == "HUAWEI TECHNOLOGIES CO., LTD. affiliates"
    assert set(alert.organisations.all()) == {catalog["huawei"]}
    assert set(alert.ai_models.all()) == {catalog["glm5"]}  # trained on Huawei's Ascend 910B


def test_a_source_keyword_makes_an_alert_without_catalog_links(catalog, make_source, httpserver):
    source = make_source(serve(httpserver, rss(NEWS)), keywords=["advanced computing"])
    watch_source_check(source_id=source.pk)
    serve(httpserver, rss(NEWS, ("6", "Advanced Computing rule", "Interim final rule")))

    watch_source_check(source_id=source.pk, force=True)

    alert = Alert.objects.get()
    assert alert.matched_terms == ["advanced computing"]
    assert not alert.ai_models.exists()


def test_a_changed_item_is_counted_as_changed_and_can_alert(catalog, make_source, httpserver):
    source = make_source(serve(httpserver, rss(NEWS, ("7", "Rule", "Draft"))))
    watch_source_check(source_id=source.pk)
    serve(httpserver, rss(NEWS, ("7", "Rule", "Final: adds Huawei affiliates")))

    result = watch_source_check(source_id=source.pk, force=True)

    assert (result.added, result.removed, result.changed) == (0, 0, 1)
    change = ChangeEvent.objects.get()
    assert change.diff["changed"][0]["before"]["text"] == "Draft"
    assert Alert.objects.count() == 1


def test_a_304_writes_only_the_check_record(make_source, httpserver):
    httpserver.expect_request("/feed").respond_with_data(rss(NEWS), headers={"ETag": '"v1"'})
    source = make_source(httpserver.url_for("/feed"))
    watch_source_check(source_id=source.pk)
    httpserver.clear()
    httpserver.expect_request("/feed", headers={"If-None-Match": '"v1"'}).respond_with_data("", status=304)

    result = watch_source_check(source_id=source.pk, force=True)

    assert result.status == "unchanged"
    assert Snapshot.objects.count() == 1
    assert list(CheckRecord.objects.order_by("started_at").values_list("outcome", "http_status")) == [
        ("baseline", 200),
        ("unchanged", 304),
    ]


def test_without_validators_the_same_hash_is_unchanged(make_source, httpserver):
    source = make_source(serve(httpserver, rss(NEWS)))
    watch_source_check(source_id=source.pk)

    result = watch_source_check(source_id=source.pk, force=True)

    assert result.status == "unchanged"
    assert Snapshot.objects.count() == 1 and not ChangeEvent.objects.exists()


def test_a_repeated_check_of_the_same_change_creates_no_second_snapshot_or_alert(catalog, make_source, httpserver):
    source = make_source(serve(httpserver, rss(NEWS)))
    watch_source_check(source_id=source.pk)
    serve(httpserver, rss(NEWS, ZHIPU_NEWS))
    watch_source_check(source_id=source.pk, force=True)

    again = watch_source_check(source_id=source.pk, force=True)

    assert again.status == "unchanged"
    assert Snapshot.objects.count() == 2 and ChangeEvent.objects.count() == 1 and Alert.objects.count() == 1


def test_content_that_returns_to_an_earlier_state_is_a_change(make_source, httpserver):
    source = make_source(serve(httpserver, rss(NEWS)))
    watch_source_check(source_id=source.pk)
    serve(httpserver, rss(NEWS, ZHIPU_NEWS))
    watch_source_check(source_id=source.pk, force=True)
    serve(httpserver, rss(NEWS))

    result = watch_source_check(source_id=source.pk, force=True)

    assert (result.status, result.removed) == ("changed", 1)
    assert list(Snapshot.objects.order_by("sequence").values_list("sequence", flat=True)) == [1, 2, 3]


def test_a_source_claimed_by_another_worker_is_not_checked(make_source, httpserver):
    source = make_source(serve(httpserver, rss(NEWS)))
    assert watch_source_claim(source_id=source.pk) is not None

    result = watch_source_check(source_id=source.pk, force=True)

    assert result.status == "skipped"
    assert httpserver.log == [] and not Snapshot.objects.exists()


def test_of_two_claims_exactly_one_wins(make_source, httpserver):
    source = make_source(serve(httpserver, rss(NEWS)))

    assert [watch_source_claim(source_id=source.pk) is not None for _ in range(2)] == [True, False]


def test_a_check_cut_off_by_a_killed_worker_is_completed_once_its_claim_expires(make_source, httpserver):
    body = rss(NEWS)
    source = make_source(serve(httpserver, body))
    # The killed worker held the claim and had renamed the snapshot file into place, but wrote no rows.
    WatchSource.objects.filter(pk=source.pk).update(
        claimed_until=timezone.now() - timedelta(seconds=1), claim_token="dead-worker"
    )
    path = snapshot_file_write(
        source_id=source.pk, sha256=hashlib.sha256(body.encode()).hexdigest(), body=body.encode()
    )

    result = watch_source_check(source_id=source.pk)

    assert result.status == "baseline"
    assert list(Snapshot.objects.values_list("path", flat=True)) == [path]
    assert list(Path(django_settings.RISKREG_DATA_DIR, "watch", str(source.pk)).iterdir()) == [
        Path(django_settings.RISKREG_DATA_DIR) / path
    ]


def test_a_claim_that_has_not_expired_keeps_the_next_run_away(make_source, httpserver):
    source = make_source(serve(httpserver, rss(NEWS)))
    WatchSource.objects.filter(pk=source.pk).update(
        claimed_until=timezone.now() + timedelta(minutes=5), claim_token="live-worker"
    )

    assert watch_source_check(source_id=source.pk).status == "skipped"


def test_a_check_whose_claim_was_taken_over_writes_nothing(make_source, httpserver, monkeypatch):
    from riskreg.watch import services

    source = make_source(serve(httpserver, rss(NEWS)))
    real_write = services.snapshot_file_write

    def slow_worker_loses_claim(**kwargs):
        WatchSource.objects.filter(pk=source.pk).update(claim_token="another-worker")
        return real_write(**kwargs)

    monkeypatch.setattr(services, "snapshot_file_write", slow_worker_loses_claim)

    result = watch_source_check(source_id=source.pk)

    assert result.status == "skipped"
    assert not Snapshot.objects.exists() and not CheckRecord.objects.exists()


def test_a_failing_source_backs_off_further_with_each_failure_and_shows_failing(make_source, httpserver):
    httpserver.expect_request("/feed").respond_with_data("down", status=503)
    source = make_source(httpserver.url_for("/feed"), every_minutes=60)
    waits = []
    for _ in range(3):
        before = timezone.now()
        watch_source_check(source_id=source.pk, force=True)
        source.refresh_from_db()
        waits.append(source.next_check_at - before)

    assert source.health == "failing" and source.consecutive_failures == 3
    assert "HTTP 503" in source.last_error
    assert waits[0] < waits[1] < waits[2]


def test_backoff_doubles_and_is_capped():
    assert failure_backoff(every_minutes=60, failures=1) == timedelta(minutes=5)
    assert failure_backoff(every_minutes=60, failures=2) == timedelta(minutes=10)
    assert failure_backoff(every_minutes=60, failures=30) == timedelta(days=1)


def test_a_success_after_failures_makes_the_source_healthy_again(make_source, httpserver):
    httpserver.expect_request("/feed").respond_with_data("down", status=500)
    source = make_source(httpserver.url_for("/feed"))
    watch_source_check(source_id=source.pk, force=True)
    serve(httpserver, rss(NEWS))

    watch_source_check(source_id=source.pk, force=True)

    source.refresh_from_db()
    assert (source.health, source.consecutive_failures, source.last_error) == ("healthy", 0, "")


def test_old_snapshots_are_pruned_but_never_the_latest_and_changes_stay(make_source, httpserver):
    source = make_source(serve(httpserver, rss(NEWS)))
    watch_source_check(source_id=source.pk)
    serve(httpserver, rss(NEWS, ZHIPU_NEWS))
    watch_source_check(source_id=source.pk, force=True)
    old = timezone.now() - timedelta(days=400)
    Snapshot.objects.update(fetched_at=old)
    first, latest = Snapshot.objects.order_by("sequence")

    deleted = watch_snapshots_prune(retention_days=365)

    assert deleted == 1
    assert list(Snapshot.objects.all()) == [latest]
    assert not (Path(django_settings.RISKREG_DATA_DIR) / first.path).exists()
    assert (Path(django_settings.RISKREG_DATA_DIR) / latest.path).exists()
    assert ChangeEvent.objects.count() == 1


@pytest.mark.parametrize(
    ("kind", "selector", "before", "after", "counts"),
    [
        (
            "atom",
            "",
            '<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><entry><id>urn:1</id><title>A</title></entry></feed>',
            '<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><entry><id>urn:1</id><title>A</title></entry>'
            "<entry><id>urn:2</id><title>B</title></entry></feed>",
            (1, 0, 0),
        ),
        (
            "json",
            "$.items",
            json.dumps({"items": [{"id": 1, "title": "a"}, {"id": 2, "title": "b"}]}),
            json.dumps({"items": [{"id": 1, "title": "a2"}, {"id": 3, "title": "c"}]}),
            (1, 1, 1),
        ),
        (
            "html",
            "#news",
            "<html><body><nav>menu</nav><div id='news'><p>One</p><p>Two</p></div></body></html>",
            "<html><body><nav>other menu</nav><div id='news'><p>One</p><p>Three</p></div></body></html>",
            (1, 1, 0),
        ),
    ],
)
def test_each_kind_reads_and_diffs_its_content(make_source, httpserver, kind, selector, before, after, counts):
    source = make_source(serve(httpserver, before), kind=kind, selector=selector)
    assert watch_source_check(source_id=source.pk).status == "baseline"
    serve(httpserver, after)

    result = watch_source_check(source_id=source.pk, force=True)

    assert (result.status, (result.added, result.removed, result.changed)) == ("changed", counts)


def test_a_page_diff_is_a_unified_text_diff_of_the_selected_part(make_source, httpserver):
    source = make_source(serve(httpserver, "<div id='n'><p>One</p></div>"), kind="html", selector="#n")
    watch_source_check(source_id=source.pk)
    serve(httpserver, "<div id='n'><p>One</p><p>Huawei added</p></div>")

    watch_source_check(source_id=source.pk, force=True)

    unified = ChangeEvent.objects.get().diff["unified"]
    assert "+Huawei added" in unified and unified.startswith("---")


def test_a_federal_register_source_asks_with_its_conditions_and_keys_documents_by_number(
    catalog, make_source, httpserver
):
    def documents(*numbers):
        return json.dumps(
            {
                "count": len(numbers),
                "results": [
                    {
                        "document_number": number,
                        "title": title,
                        "type": "Rule",
                        "abstract": abstract,
                        "html_url": f"https://www.federalregister.gov/d/{number}",
                        "agencies": [{"name": "Industry and Security Bureau"}],
                    }
                    for number, title, abstract in numbers
                ],
            }
        )

    older = ("2024-10000", "Additions to the Entity List", "Adds entities in Russia.")
    zhipu = ("2025-00704", "Additions to the Entity List", "Adds Beijing Zhipu Huazhang Technology Co., Ltd.")
    asked = []

    def answer(request):
        asked.append(request.args)
        return WerkzeugResponse(documents(older), content_type="application/json")

    httpserver.expect_request("/api/v1/documents.json").respond_with_handler(answer)
    source = make_source(
        httpserver.url_for("/api/v1/documents.json"),
        kind="federal-register",
        selector="agency=industry-and-security-bureau; term=entity list; type=RULE",
    )
    assert watch_source_check(source_id=source.pk).status == "baseline"
    assert asked[0]["conditions[agencies][]"] == "industry-and-security-bureau"
    assert asked[0]["conditions[term]"] == "entity list"
    assert asked[0]["conditions[type][]"] == "RULE"
    assert asked[0]["order"] == "newest"
    httpserver.clear()
    httpserver.expect_request("/api/v1/documents.json").respond_with_data(
        documents(zhipu, older), content_type="application/json"
    )

    result = watch_source_check(source_id=source.pk, force=True)

    assert (result.status, result.added) == ("changed", 1)
    alert = Alert.objects.get()
    assert alert.url == "https://www.federalregister.gov/d/2025-00704"
    assert set(alert.ai_models.all()) == {catalog["glm5"]}
