"""No false alarms (issue 21 item 7): on the demo, after legal, security and procurement have signed, the impact of
the list version in force, of a re-import of the same file and of a guidance record saved unchanged is empty; and
what a change detector compares is canonical (listings in one stable order, whatever the database returns)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from models_catalog.models import RegulatoryGuidance
from riskreg.register import rules, services
from riskreg.register.models import AdoptionRequest, RequestEvent, RiskItem
from riskreg.register.services.guidance import guidance_impact
from riskreg.register.services.list_impact import list_version_impact
from riskreg.screening.demo import DEMO_FILE
from riskreg.screening.models import SanctionsList
from riskreg.screening.services import sanctions_list_import


@pytest.fixture
def demo(demo_register, db):
    """The demo register, built once for the module (tests/conftest.py)."""


@pytest.fixture
def journey_done(demo, security, procurement):
    """GLM-5's coding assistant (#2, legal signed in the demo) signed by security and procurement: approved."""
    request = AdoptionRequest.objects.get(model__slug="glm-5", use_case="Coding assistant for the platform team")
    for user in (security, procurement):
        services.sign_off_create(request_id=request.pk, signer=user, role=user.username, decision="approve")
    request.refresh_from_db()
    assert request.state == "approved"
    return request


def _items() -> dict:
    return {item.pk: (item.title, item.description, item.facts) for item in RiskItem.objects.all()}


def _empty(impact) -> bool:
    return (impact.models, impact.requests_reopening, impact.approvals_lapsing, impact.memos_out_of_date) == (
        [],
        [],
        [],
        [],
    )


def test_the_list_version_in_force_has_no_impact_after_the_whole_sign_off_journey(journey_done, legal):
    csl = SanctionsList.objects.get(code="us-csl")

    impact = list_version_impact(version_id=csl.current_version_id, reader=None)
    client = Client()
    client.force_login(legal)
    page = client.get(reverse("workspace:list-version-impact", args=[csl.current_version_id])).content.decode()

    assert impact.entries_added  # it did add Zhipu AI, Huawei ... when it came in
    assert _empty(impact), impact.as_dict()
    assert 'data-testid="no-impact"' in page


def test_re_importing_the_file_in_force_changes_nothing(journey_done, legal):
    csl = SanctionsList.objects.get(code="us-csl")
    before, items, events = csl.current_version_id, _items(), RequestEvent.objects.count()

    result = sanctions_list_import(
        list_code="us-csl", data=DEMO_FILE.read_bytes(), source_name="again.csv", fmt="us-csl-csv", user=legal
    )

    csl.refresh_from_db()
    assert csl.current_version_id == before and result.version.pk == before
    assert _empty(list_version_impact(version_id=before, reader=None))
    assert (_items(), RequestEvent.objects.count()) == (items, events)
    journey_done.refresh_from_db()
    assert journey_done.state == "approved"


def test_guidance_saved_unchanged_has_no_impact_and_reopens_nothing(journey_done, legal):
    items, events = _items(), RequestEvent.objects.count()
    client = Client()
    client.force_login(legal)
    for guidance in RegulatoryGuidance.objects.filter(publication="published"):
        assert _empty(guidance_impact(guidance=guidance, reader=None)), guidance.title
        guidance.save()  # as the admin's Save with nothing changed

    assert (_items(), RequestEvent.objects.count()) == (items, events)


def test_derived_texts_list_listings_in_one_order_whatever_the_database_returns(journey_done):
    glm5 = journey_done.model
    facts = rules.model_facts(model=glm5)
    reversed_facts = rules.model_facts(model=glm5)
    reversed_facts.listings = {org: list(reversed(items)) for org, items in reversed_facts.listings.items()}

    assert rules.derive_from(facts) == rules.derive_from(reversed_facts)
