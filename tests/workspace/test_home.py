"""The home page: my work first, then the portfolio and the heat map; every role lands here after login."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone
from django.utils.html import strip_tags

from riskreg.register.models import AdoptionRequest
from riskreg.workspace.templatetags.workspace import human_date
from tests.conftest import PASSWORD

# Every test here runs on the rows the module builds once (tests/conftest.py, built_once_for_the_module).
pytestmark = pytest.mark.usefixtures("demo_register")


def _text(response) -> str:
    return " ".join(strip_tags(response.content.decode()).split())


def test_each_role_sees_its_work_counts_linking_to_filtered_lists_then_the_portfolio_and_heat_map(
    demo, legal, requester, outsider
):
    client = Client()
    client.force_login(legal)

    response = client.get("/")

    assert response.status_code == 200
    html = response.content.decode()
    text = _text(response)
    assert "Sign-offs waiting for me" in text and "/admin/register/adoptionrequest/?queue=mine" in html
    assert "/admin/register/adoptionrequest/?queue=reopened" in html
    assert "/admin/screening/screeninghit/?status__exact=potential" in html
    assert "/admin/watch/watchsource/?health__exact=failing" in html
    assert "Zhipu AI and 6 subsidiaries — BIS Entity List, 90 FR 4617" in text
    assert 'data-testid="risk-heatmap"' in html
    assert 'href="/models/glm-5/" aria-label="GLM-5: High' in html
    for url in (
        "/admin/register/adoptionrequest/?queue=mine",
        "/admin/register/adoptionrequest/?queue=expiring",
        f"/admin/watch/alert/?status__exact=new&assignee__id__exact={legal.pk}",
        "/admin/screening/screeninghit/?status__exact=potential",
        "/admin/watch/watchsource/?health__exact=failing&enabled__exact=1",
    ):
        assert url.replace("&", "&amp;") in html
        response = client.get(url)
        assert response.status_code == 200, url
        assert "?e=1" not in response.get("Location", ""), url

    # The requests behind the counts, each a link straight to its request page (not the admin's queue).
    reopened = AdoptionRequest.objects.get(state=AdoptionRequest.State.REOPENED)  # the demo's GLM-4.5 request
    link = f'<a href="/requests/{reopened.pk}/">#{reopened.pk} GLM-4.5: {reopened.use_case}</a>'
    assert html.count(link) == 2  # it waits for legal's sign-off again, and it was reopened
    assert f"Submitted {human_date(reopened.submitted_at)} by requester" in text
    reason = reopened.events.get(kind="reopened").detail["reason"]
    assert reason.startswith("Watch alert from ")
    assert f"Reopened {human_date(timezone.localdate())}: {reason}" in text

    past = _text(client.get("/?as_of=2020-01-01"))
    assert "As of 1 Jan 2020." in past
    assert "No model was in the register on 1 Jan 2020." in past
    assert "My work" not in past

    client = Client()
    client.force_login(requester)

    response = client.get("/")
    text = _text(response)

    assert "My draft requests" in text
    assert "Waiting for your sign-off" not in text
    mine = response.content.decode()
    assert mine.count(link) == 1  # the demo's requester filed it: reopened, not theirs to sign
    assert f"Reopened {human_date(timezone.localdate())}: {reason}" in text
    assert "Sign-offs waiting for me" not in text
    assert "Screening hits to review" not in text
    assert Client().get("/").status_code == 302
    client.force_login(outsider)
    assert client.get("/").status_code == 403


def test_the_admin_login_without_next_lands_on_the_home_page(legal):
    response = Client().post("/admin/login/", {"username": "legal", "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == "/"


def test_the_admin_login_keeps_an_explicit_next(legal):
    response = Client().post("/admin/login/?next=/admin/", {"username": "legal", "password": PASSWORD})

    assert response["Location"] == "/admin/"


def test_a_malformed_or_future_as_of_is_refused_with_the_reason(legal):
    client = Client()
    client.force_login(legal)

    bad = client.get("/?as_of=16-01-2025")
    future = client.get("/?as_of=2999-01-01")

    assert bad.status_code == 400 and "as_of must be a date written YYYY-MM-DD" in _text(bad)
    assert future.status_code == 400 and "is in the future" in _text(future)


def test_legals_home_lists_the_drafts_and_list_versions_to_review_each_a_click_from_its_impact(demo, legal, requester):
    """Issue 23 item 5: a guidance draft's impact was four clicks deep through the admin."""
    from models_catalog.models import RegulatoryGuidance
    from riskreg.screening.models import ScreeningHit

    draft = RegulatoryGuidance.objects.order_by("pk").first()
    RegulatoryGuidance.objects.filter(pk=draft.pk).update(publication="draft")
    hit = ScreeningHit.objects.select_related("entry__sanctions_list").first()
    ScreeningHit.objects.filter(pk=hit.pk).update(status="potential")
    client = Client()
    client.force_login(legal)

    html = client.get("/").content.decode()

    assert 'data-testid="work-list-impacts"' in html
    assert f'href="/guidance/{draft.pk}/impact/"' in html
    assert f'href="/lists/versions/{hit.entry.sanctions_list.current_version_id}/impact/"' in html
    assert "1 match to confirm or dismiss." in html
    client.force_login(requester)
    assert 'data-testid="work-list-impacts"' not in client.get("/").content.decode()
