"""Issue 14, part 4: an alert from a regulator's source proposes a guidance draft, prefilled with its title, date,
link and the catalog entities it matched, for legal to complete and assess with the impact view."""

from __future__ import annotations

import datetime
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from models_catalog.models import EvidenceSource, Jurisdiction, RegulatoryGuidance
from riskreg.watch.demo import FEDERAL_REGISTER_CAPTURE
from riskreg.watch.guidance_drafts import DraftRefused, guidance_draft_from_alert
from riskreg.watch.models import Alert, SourceKind, WatchSource
from riskreg.watch.services import watch_source_create, watch_source_record
from tests.conftest import staff_client


def _record_capture(source: WatchSource) -> list[int]:
    """The demo's local capture of the Federal Register answer, recorded as a check would (baseline, then it)."""
    body = FEDERAL_REGISTER_CAPTURE.read_bytes()
    baseline = {**json.loads(body), "count": 0, "results": []}
    watch_source_record(source_id=source.pk, body=json.dumps(baseline).encode(), content_type="application/json")
    return watch_source_record(source_id=source.pk, body=body, content_type="application/json").alert_ids


BASELINE = {"items": [{"id": "0", "title": "Welcome", "url": "https://example.org/0"}]}


@pytest.fixture
def us(db) -> Jurisdiction:
    return Jurisdiction.objects.create(code="US", name="United States")


@pytest.fixture
def federal_register(catalog, us, legal) -> WatchSource:
    return watch_source_create(
        name="Federal Register: BIS Entity List rules",
        kind=SourceKind.FEDERAL_REGISTER,
        url="https://www.federalregister.gov/api/v1/documents.json",
        selector="agency=industry-and-security-bureau; term=entity list; type=RULE",
        enabled=False,
        owner=legal,
        jurisdiction=us,
    )


@pytest.fixture
def zhipu_alert(federal_register) -> Alert:
    _record_capture(federal_register)
    return Alert.objects.get(url__contains="2025-00704")


@pytest.fixture
def press_alert(catalog, legal) -> Alert:
    """An alert from a news feed: not a regulator's source (it names no jurisdiction)."""
    source = watch_source_create(
        name="Tech press", kind=SourceKind.JSON, url="https://press.example/items.json", selector="$.items[*]"
    )
    body = {
        "items": [*BASELINE["items"], {"id": "1", "title": "Zhipu AI raises funds", "url": "https://press.example/1"}]
    }
    watch_source_record(source_id=source.pk, body=json.dumps(BASELINE).encode(), content_type="application/json")
    watch_source_record(source_id=source.pk, body=json.dumps(body).encode(), content_type="application/json")
    return Alert.objects.get(change__source=source)


def test_a_federal_register_alert_drafts_us_guidance_with_its_title_date_link_and_the_organisations_it_named(
    zhipu_alert, legal, catalog
):
    result = guidance_draft_from_alert(alert_id=zhipu_alert.pk, actor=legal)

    guidance = result.guidance
    assert result.created
    assert guidance.publication == RegulatoryGuidance.Publication.DRAFT
    assert guidance.jurisdiction.code == "US"
    assert guidance.title == "Addition of Entities to and Revision of Entry on the Entity List"
    assert guidance.issued_on == datetime.date(2025, 1, 16)  # the rule's publication date, not the alert's
    assert guidance.reference == "90 FR 4617"
    assert guidance.source.url == zhipu_alert.url
    assert guidance.source.kind == EvidenceSource.Kind.FEDERAL_REGISTER
    # Zhipu AI and its subsidiary were named: one reach, Zhipu AI and its subsidiaries.
    assert [reach.describe() for reach in guidance.reaches.all()] == ["Zhipu AI and its subsidiaries"]
    assert f"watch alert #{zhipu_alert.pk}" in guidance.summary
    zhipu_alert.refresh_from_db()
    assert zhipu_alert.guidance_draft == guidance
    assert guidance.history.first().history_user == legal


def test_drafting_twice_returns_the_same_draft(zhipu_alert, legal):
    first = guidance_draft_from_alert(alert_id=zhipu_alert.pk, actor=legal)
    second = guidance_draft_from_alert(alert_id=zhipu_alert.pk, actor=legal)

    assert (second.guidance.pk, second.created) == (first.guidance.pk, False)
    assert RegulatoryGuidance.objects.count() == 1
    assert EvidenceSource.objects.filter(url=zhipu_alert.url).count() == 1


def test_an_undated_item_takes_the_alerts_day_and_a_title_already_taken_names_the_alert(catalog, legal, us):
    eu = Jurisdiction.objects.create(code="EU", name="European Union")
    source = watch_source_create(
        name="EU AI Office news",
        kind=SourceKind.JSON,
        url="https://ec.example/ai.json",
        selector="$.items[*]",
        enabled=False,
        jurisdiction=eu,
    )
    body = {"items": [*BASELINE["items"], {"id": "1", "title": "AI Office on Zhipu AI", "url": "https://ec.example/1"}]}
    watch_source_record(source_id=source.pk, body=json.dumps(BASELINE).encode(), content_type="application/json")
    watch_source_record(source_id=source.pk, body=json.dumps(body).encode(), content_type="application/json")
    alert = Alert.objects.get(change__source=source)
    RegulatoryGuidance.objects.create(
        jurisdiction=eu, issuer="European Commission", title="AI Office on Zhipu AI", kind="other", status="in_force"
    )

    guidance = guidance_draft_from_alert(alert_id=alert.pk, actor=legal).guidance

    assert guidance.jurisdiction == eu
    assert guidance.issued_on == alert.created_at.date()
    assert "the day of the alert" in guidance.summary
    assert guidance.title == f"AI Office on Zhipu AI (draft from watch alert #{alert.pk})"
    assert guidance.source.kind == EvidenceSource.Kind.GUIDANCE and guidance.reference == ""


def test_an_alert_from_a_source_with_no_regulator_jurisdiction_is_refused_and_nothing_is_drafted(press_alert, legal):
    with pytest.raises(DraftRefused) as refused:
        guidance_draft_from_alert(alert_id=press_alert.pk, actor=legal)

    assert "not a regulator's source" in str(refused.value)
    assert "Tech press" in str(refused.value)
    assert not RegulatoryGuidance.objects.exists()


def test_a_sanctions_list_source_cannot_name_a_jurisdiction(us):
    source = WatchSource(name="SDN", kind=SourceKind.OFAC_SDN_CSV, url="https://example.org/sdn.csv", jurisdiction=us)
    with pytest.raises(ValidationError) as refused:
        source.full_clean()
    assert "jurisdiction" in refused.value.message_dict


@pytest.mark.parametrize("role", ["security", "auditor", "requester", "outsider"])
def test_only_those_who_may_add_guidance_draft_it(zhipu_alert, role, request):
    with pytest.raises(PermissionDenied):
        guidance_draft_from_alert(alert_id=zhipu_alert.pk, actor=request.getfixturevalue(role))
    assert not RegulatoryGuidance.objects.exists()


# --- API ------------------------------------------------------------------------------------------------------


def test_api_draft_guidance_answers_201_with_the_draft_and_its_impact_page_then_200_with_the_same(
    zhipu_alert, legal, as_user
):
    client = as_user(legal)
    url = f"/api/watch/alerts/{zhipu_alert.pk}/draft-guidance/"

    first = client.post(url)
    second = client.post(url)

    assert first.status_code == 201, first.content
    body = first.json()
    draft_id = body["guidance"]["id"]
    assert body["guidance"]["publication"] == "draft"
    assert body["guidance"]["reference"] == "90 FR 4617"
    assert body["impact_url"].endswith(f"/guidance/{draft_id}/impact/")
    assert body["impact_api_url"].endswith(f"/api/guidance/{draft_id}/impact/")
    assert second.status_code == 200 and second.json()["guidance"]["id"] == draft_id
    assert client.get(body["impact_api_url"]).status_code == 200
    assert client.get(f"/api/watch/alerts/{zhipu_alert.pk}/").json()["guidance_draft"] == draft_id


@pytest.mark.parametrize(("role", "expected"), [("security", 403), ("auditor", 403), ("requester", 403)])
def test_api_draft_guidance_is_refused_to_other_roles(zhipu_alert, role, expected, as_user, request):
    answer = as_user(request.getfixturevalue(role)).post(f"/api/watch/alerts/{zhipu_alert.pk}/draft-guidance/")
    assert answer.status_code == expected
    assert not RegulatoryGuidance.objects.exists()


def test_api_draft_guidance_needs_authentication(zhipu_alert, api):
    assert api.post(f"/api/watch/alerts/{zhipu_alert.pk}/draft-guidance/").status_code == 401


def test_api_draft_guidance_from_a_press_alert_is_a_400_saying_why(press_alert, legal, as_user):
    answer = as_user(legal).post(f"/api/watch/alerts/{press_alert.pk}/draft-guidance/")
    assert answer.status_code == 400
    assert "not a regulator's source" in json.dumps(answer.json())


def test_api_sources_carry_the_regulator_jurisdiction_and_refuse_it_on_a_list_file(federal_register, legal, as_user):
    client = as_user(legal)
    assert client.get(f"/api/watch/sources/{federal_register.pk}/").json()["jurisdiction"] == "US"
    answer = client.post(
        "/api/watch/sources/",
        {"name": "SDN", "kind": "ofac-sdn-csv", "url": "https://example.org/sdn.csv", "jurisdiction": "US"},
        format="json",
    )
    assert answer.status_code == 400 and "jurisdiction" in answer.json()


# --- admin ----------------------------------------------------------------------------------------------------


def test_admin_alert_page_offers_the_button_to_legal_only_and_it_opens_the_drafts_impact_page(
    zhipu_alert, legal, auditor
):
    change_url = reverse("admin:watch_alert_change", args=[zhipu_alert.pk])
    button_url = reverse("admin:watch_alert_draft_guidance", args=[zhipu_alert.pk])
    assert 'data-testid="draft-guidance"' not in staff_client(auditor).get(change_url).content.decode()
    assert staff_client(auditor).post(button_url).status_code == 403

    client = staff_client(legal)
    assert 'data-testid="draft-guidance"' in client.get(change_url).content.decode()
    answer = client.post(button_url)

    draft = RegulatoryGuidance.objects.get()
    assert answer.status_code == 302
    assert answer["Location"] == reverse("workspace:guidance-impact", args=[draft.pk])
    page = client.get(change_url).content.decode()
    assert 'data-testid="alert-guidance-impact"' in page and 'data-testid="draft-guidance"' not in page


def test_admin_action_drafts_for_regulator_alerts_and_says_why_not_for_the_others(zhipu_alert, press_alert, legal):
    client = staff_client(legal)
    answer = client.post(
        reverse("admin:watch_alert_changelist"),
        {"action": "draft_guidance", "_selected_action": [zhipu_alert.pk, press_alert.pk]},
        follow=True,
    )

    assert RegulatoryGuidance.objects.get().source_alert == zhipu_alert
    text = answer.content.decode()
    assert "1 draft(s)" in text
    assert "not a regulator&#x27;s source" in text or "not a regulator's source" in text


def test_admin_action_is_not_offered_to_security(zhipu_alert, security):
    page = staff_client(security).get(reverse("admin:watch_alert_changelist")).content.decode()
    assert "draft_guidance" not in page


@pytest.mark.django_db(transaction=True)
def test_eight_clicks_at_once_make_one_draft(catalog, us, legal):
    """Row locks need PostgreSQL; on SQLite the writes are serialised by the database file anyway."""
    import threading

    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL (DATABASE_URL=postgres://...)")
    source = watch_source_create(
        name="Federal Register",
        kind=SourceKind.FEDERAL_REGISTER,
        url="https://www.federalregister.gov/api/v1/documents.json",
        enabled=False,
        jurisdiction=us,
    )
    _record_capture(source)
    alert = Alert.objects.get(url__contains="2025-00704")
    drafts: list[int] = []

    def click():
        try:
            drafts.append(guidance_draft_from_alert(alert_id=alert.pk, actor=legal).guidance.pk)
        finally:
            connection.close()

    threads = [threading.Thread(target=click) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(drafts) == 8 and len(set(drafts)) == 1
    assert RegulatoryGuidance.objects.count() == 1
