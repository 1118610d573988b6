"""Only http(s) addresses are stored from outside text (issue 26 item 4): a feed item's javascript: link never becomes
an alert's link or a drafted guidance's evidence source, a relative link is made absolute against its source, a BOM
with another scheme is refused whole with where it is, the database refuses the rest, and the migration cleans what
was stored before."""

from __future__ import annotations

import importlib
import json

import pytest
from django.apps import apps as django_apps
from django.db import IntegrityError, connection, transaction

from models_catalog.interchange import InterchangeError
from models_catalog.interchange.cyclonedx import bom_import
from models_catalog.models import EvidenceSource, Jurisdiction, Organisation
from riskreg.core.urls import web_url
from riskreg.watch.guidance_drafts import guidance_draft_from_alert
from riskreg.watch.models import Alert, SourceKind
from riskreg.watch.services import watch_source_create, watch_source_record

BASELINE = {"items": [{"id": "0", "title": "Welcome", "url": "https://ec.example/0"}]}


@pytest.mark.parametrize(
    ("value", "base", "kept"),
    [
        ("https://ec.example/a?b=1", "", "https://ec.example/a?b=1"),
        ("HTTPS://ec.example/a", "", "https://ec.example/a"),
        ("/news/1", "https://ec.example/feed.json", "https://ec.example/news/1"),
        ("javascript:alert(document.cookie)", "https://ec.example/feed.json", ""),
        (" JaVaScRiPt:alert(1)", "", ""),
        ("data:text/html,<script>alert(1)</script>", "", ""),
        ("file:///etc/passwd", "", ""),
        ("https:no-host", "", ""),
        ("", "https://ec.example/", ""),
    ],
)
def test_only_absolute_http_addresses_are_kept(value, base, kept):
    assert web_url(value, base=base) == kept


def _alerts_from(source, *items) -> list[Alert]:
    watch_source_record(source_id=source.pk, body=json.dumps(BASELINE).encode(), content_type="application/json")
    body = {"items": [*BASELINE["items"], *items]}
    ids = watch_source_record(source_id=source.pk, body=json.dumps(body).encode(), content_type="application/json")
    return list(Alert.objects.filter(pk__in=ids.alert_ids).order_by("title"))


def test_a_feed_items_javascript_link_is_never_an_alerts_link_nor_a_drafts_evidence(catalog, legal):
    eu = Jurisdiction.objects.create(code="EU", name="European Union")
    source = watch_source_create(
        name="EU AI Office news",
        kind=SourceKind.JSON,
        url="https://ec.example/ai.json",
        selector="$.items[*]",
        enabled=False,
        jurisdiction=eu,
    )

    hostile, relative = _alerts_from(
        source,
        {"id": "1", "title": "Zhipu AI: guidance A", "url": "javascript:alert(document.cookie)"},
        {"id": "2", "title": "Zhipu AI: guidance B", "url": "/news/2"},
    )
    draft = guidance_draft_from_alert(alert_id=hostile.pk, actor=legal).guidance

    assert hostile.url == "https://ec.example/ai.json"  # the source's own address instead
    assert relative.url == "https://ec.example/news/2"
    assert draft.source.url == "https://ec.example/ai.json"
    assert not EvidenceSource.objects.filter(url__startswith="javascript").exists()


def test_the_database_refuses_a_stored_address_of_another_scheme(db):
    for row in (
        EvidenceSource(title="t", publisher="p", url="javascript:alert(1)"),
        Organisation(name="Org", country="US", website="data:text/html,x"),
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            row.save()


def test_a_bom_naming_a_javascript_address_is_refused_whole_with_where_it_is(db):
    bom = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "version": 1,
        "components": [
            {
                "type": "machine-learning-model",
                "bom-ref": "m1",
                "name": "Hostile Model",
                "supplier": {"name": "Hostile Org", "url": ["javascript:alert(1)"]},
            }
        ],
    }

    refused = r"supplier/url: 'javascript:alert\(1\)' is not an http or https address"
    with pytest.raises(InterchangeError, match=refused):
        bom_import(data=json.dumps(bom).encode(), source_name="hostile.cdx.json")
    assert not Organisation.objects.filter(name="Hostile Org").exists()


def test_the_migration_cleans_addresses_stored_before_and_keeps_good_ones(db):
    """The rows a register held before the constraint: written here with the constraint off (in this test's
    transaction only), then the migration's own function run on them (migrating the schema back and forth took
    10 s of the suite)."""
    migration = importlib.import_module("models_catalog.migrations.0005_web_addresses_only")
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA ignore_check_constraints = 1")
        else:
            cursor.execute(
                f'ALTER TABLE "{EvidenceSource._meta.db_table}" DROP CONSTRAINT "evidence_source_url_web_only"'
            )
        try:
            EvidenceSource.objects.create(
                title="Bad", publisher="feed", url="javascript:alert(1)", summary="From a feed."
            )
            EvidenceSource.objects.create(title="Loud", publisher="feed", url="HTTPS://ec.example/a")
            EvidenceSource.objects.create(title="Good", publisher="feed", url="https://ec.example/b")
        finally:
            if connection.vendor == "sqlite":
                cursor.execute("PRAGMA ignore_check_constraints = 0")

    migration.addresses_check(django_apps, None)

    urls = dict(EvidenceSource.objects.values_list("title", "url"))
    assert urls == {"Bad": "", "Loud": "https://ec.example/a", "Good": "https://ec.example/b"}
    assert "scheme 'javascript' was removed" in EvidenceSource.objects.get(title="Bad").summary


def test_a_json_item_with_a_nul_character_is_recorded_without_it(catalog, legal):
    """Issue 26 item 7: "\\u0000" in a JSON source made PostgreSQL refuse the snapshot and left the source "new"."""
    source = watch_source_create(
        name="Press", kind=SourceKind.JSON, url="https://press.example/items.json", selector="$.items[*]"
    )

    [alert] = _alerts_from(source, {"id": "1", "title": "Zhipu AI\u0000 news", "url": "https://press.example/1\u0000"})

    source.refresh_from_db()
    assert alert.title == "Zhipu AI news" and alert.url == "https://press.example/1"
    assert source.health != "new" and source.last_error == ""
