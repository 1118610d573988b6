"""Obligations on a timeline in the pages and the API: the dossier's "Obligations" section (today or as of a day),
the API's `obligations` block, and approvals whose validity crosses a new obligation, flagged on the request page,
in "My work", the admin's queue and the API."""

from __future__ import annotations

import datetime

from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.html import strip_tags
from rest_framework.test import APIClient

from models_catalog.models import AIModel
from riskreg.register import demo as demo_data
from riskreg.register.models import AdoptionRequest


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _section(html: str, testid: str) -> str:
    start = html.index(f'data-testid="{testid}"')
    return " ".join(strip_tags(html[start : html.index("</section>", start)]).split())


def _cv_approval(users: dict | None = None) -> AdoptionRequest:
    """An approved request for GLM-5 to rank job applications in the EU (AI Act Annex III, point 4), valid from
    today to a day past 2 Dec 2027, when the high-risk obligations of its use start to apply."""
    users = users or {
        u.username: u for u in User.objects.filter(username__in=["requester", "legal", "security", "procurement"])
    }
    context = {**demo_data.GLM5_USES["cv"][1], "modification": "none", "finetune_flop": None}
    request = demo_data.approved(
        AIModel.objects.get(slug="glm-5"), users, "Rank job applications", context=context, classification="public"
    )
    AdoptionRequest.objects.filter(pk=request.pk).update(expires_on=datetime.date(2027, 12, 20))
    request.refresh_from_db()
    assert request.decided_at.date() < datetime.date(2027, 12, 2) < request.expires_on
    return request


def test_the_dossier_shows_the_obligations_in_force_today_and_the_next_dates_ahead_with_citations(demo, auditor):
    response = _client(auditor).get("/models/glm-5/")
    assert response.status_code == 200
    text = _section(response.content.decode(), "obligations")
    today = timezone.localdate()
    assert f"In force on {today.day} {today:%b %Y}" in text
    assert "European Union" in text and "United States" in text
    assert "Since 2 Aug 2025 The developer's duty The developer has a copyright policy" in text
    assert "Regulation (EU) 2024/1689, Art. 53(1)(c), (d)" in text
    assert "Since 13 May 2025 On the supply chain BIS guidance" in text
    assert "its training hardware is said to be Huawei Ascend" in text
    assert "Since 16 Jan 2025 On the supply chain Zhipu AI and affiliates on the Entity List" in text
    assert "Reaches it because it may be used in the European Union" in text  # before any use
    assert "Exempt: released with open weights under MIT" in text  # Art. 53(1)(a), (b) for an open model
    ahead = text[text.index("Next dates ahead") :]
    assert "2 Dec 2027 European Union: Ours for our role as deployer; for high-risk uses of Annex III" in ahead


def _recorded_since(day: datetime.date) -> None:
    """Move every history record of the demo back to `day`, as if the register had held it since then."""
    from django.apps import apps

    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(9)))
    for model in apps.get_models():
        if model.__name__.startswith("Historical") and hasattr(model, "history_date"):
            model.objects.update(history_date=moment)


def test_the_dossier_as_of_a_day_shows_what_was_in_force_then(demo, legal):
    _recorded_since(datetime.date(2025, 1, 1))
    response = _client(legal).get("/models/llama-4/?as_of=2025-06-30")
    text = _section(response.content.decode(), "obligations")
    assert "In force on 30 Jun 2025" in text
    assert "Since 2 Feb 2025 Ours, for any use Use it for no practice the AI Act prohibits" in text
    ahead = text[text.index("Next dates ahead") :]
    # Llama 4 was released on 5 Apr 2025, before 2 Aug 2025: its developer's GPAI duties apply from 2 Aug 2027.
    assert "2 Aug 2027 European Union: The developer's duty The developer has a copyright policy" in ahead
    assert "released 5 Apr 2025, before 2 Aug 2025: applies from 2 Aug 2027" in ahead
    assert "2 Aug 2025 European Union: The developer's duty" not in ahead


def test_the_api_model_detail_carries_the_obligations_block_and_honours_as_of(demo, auditor):
    api = APIClient()
    api.force_authenticate(auditor)
    today = api.get("/api/models/glm-5/").json()["obligations"]
    assert today["on"] == timezone.localdate().isoformat()
    assert any(item["citation"].startswith("Regulation (EU) 2024/1689, Art. 53(1)(c)") for item in today["in_force"])
    _recorded_since(datetime.date(2025, 1, 1))
    past = api.get("/api/models/glm-5/?as_of=2025-05-12").json()["obligations"]
    assert past["on"] == "2025-05-12"
    assert list(dict.fromkeys(item["date"] for item in past["ahead"]))[:2] == ["2025-05-13", "2025-08-02"]
    bis = past["ahead"][0]
    assert bis["jurisdiction"] == "US" and bis["reasons"] and bis["source"]["title"]
    assert api.get("/api/models/glm-5/?as_of=2025-13-01").status_code == 400
    assert APIClient().get("/api/models/glm-5/").status_code == 401


def test_the_request_page_flags_an_approval_whose_validity_crosses_a_new_obligation_of_its_use(demo, legal):
    request = _cv_approval()
    html = _client(legal).get(f"/requests/{request.pk}/").content.decode()
    start = html.index('data-testid="review-before"')
    text = " ".join(strip_tags(html[start : html.index("</div>", start)]).split())
    assert "Review before 2 Dec 2027 The approval runs until 20 Dec 2027" in text
    assert "As deployer of a high-risk AI system" in text and "Regulation (EU) 2024/1689, Art. 26" in text
    assert "Mark considered" in text  # a reviewer can record why the approval stands


def test_the_internal_approvals_of_the_demo_are_not_flagged(demo, legal):
    """The demo's approvals (an internal assistant in the US, a three-week pilot) cross no obligation of their use:
    approving them no longer flags them at once."""
    assert 'data-testid="work-list-review-before"' not in _client(legal).get("/").content.decode()
    for request in AdoptionRequest.objects.filter(state="approved"):
        assert 'data-testid="review-before"' not in _client(legal).get(f"/requests/{request.pk}/").content.decode()


def _home_queries(user) -> tuple[int, str]:
    client = _client(user)
    with CaptureQueriesContext(connection) as queries:
        html = client.get("/").content.decode()
    return len(queries), html


def test_my_work_lists_the_approvals_to_review(demo, legal, requester, outsider):
    request = _cv_approval()
    _, html = _home_queries(legal)
    text = _section(html, "work-list-review-before")
    assert f"#{request.pk} GLM-5" in text and "Review before 2 Dec 2027" in text
    assert f'href="/requests/{request.pk}/"' in html
    assert "Approvals to review before a new obligation" in html  # the count
    assert 'data-testid="work-list-review-before"' in _client(requester).get("/").content.decode()  # their own
    assert _client(outsider).get("/").status_code == 403


def test_the_home_page_takes_the_same_queries_for_one_approval_to_review_and_for_many(demo, legal):
    first = _cv_approval()
    one, _ = _home_queries(legal)
    for model in AIModel.objects.exclude(pk=first.model_id):  # an approval crossing 2 Dec 2027 on every model
        values = {f.name: getattr(first, f.name) for f in AdoptionRequest._meta.concrete_fields if f.name != "id"}
        AdoptionRequest.objects.create(**{**values, "model": model, "use_case": f"Ranking with {model.name}"})
    many, html = _home_queries(legal)
    assert html.count('data-testid="review-flag"') == AIModel.objects.count()
    assert many == one


def test_the_api_says_review_before_on_the_request_detail_and_in_the_list(demo, legal):
    request = _cv_approval()
    api = APIClient()
    api.force_authenticate(legal)
    detail = api.get(f"/api/adoption-requests/{request.pk}/").json()
    assert detail["review"]["review_before"] == "2027-12-02"
    assert detail["review"]["label"] == "Review before 2 Dec 2027"
    rows = {row["id"]: row for row in api.get("/api/adoption-requests/?page_size=100").json()["results"]}
    assert rows[request.pk]["review"]["review_before"] == "2027-12-02"
    assert all(row["review"] is None for pk, row in rows.items() if pk != request.pk)


def test_the_admin_queue_lists_the_approvals_to_review(demo, legal):
    request = _cv_approval()
    legal.is_staff = True
    legal.save()
    client = _client(legal)
    html = client.get("/admin/register/adoptionrequest/?queue=review").content.decode()
    assert "To review before a new obligation applies" in html
    assert f"/admin/register/adoptionrequest/{request.pk}/change/" in html
    others = AdoptionRequest.objects.exclude(pk=request.pk).values_list("pk", flat=True)
    assert not any(f"/admin/register/adoptionrequest/{pk}/change/" in html for pk in others)
