"""Issue 26, item 1: every impact, list, count and export answers only what its reader may see.

On the demo register, with a second requester who has a request of their own, every impact page and every list a
role can open (workspace, API with its CSV export, admin) is read as each demo role and as both requesters. A
request one may not see must leave no trace there: not its use case, not its conditions, not a link to its page,
not its id in an impact's consequences. The reviewers and the auditor see every request: the same pages, read by
them, do show both requesters' requests, so the check is not vacuous.
"""

from __future__ import annotations

import datetime

import pytest
from django.db.models import F
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from models_catalog.models import AIModel, GuidanceReach, Jurisdiction, Organisation, RegulatoryGuidance
from reports.models import Memo
from riskreg.core.roles import Role
from riskreg.register import demo, services
from riskreg.register.models import AdoptionRequest, SignOff
from riskreg.register.services.guidance import guidance_impact
from riskreg.register.services.list_impact import list_version_impact
from riskreg.screening.models import ListVersion
from tests.conftest import _user, built_once_for_the_module, cast, demo_load
from tests.factories import use

ROLES = ["requester", "requester2", "legal", "security", "procurement", "auditor"]
ONE_MARK = "Contract translation for the Lisbon office (requester one)"
TWO_MARK = "Pilot of a sales-call summariser (requester two)"
TWO_CONDITION = "Only call recordings with consent (condition on requester two)"


def _world() -> dict:
    demo_load()
    users = cast()
    users["requester2"] = _user("requester2", Role.REQUESTER)
    glm5 = AIModel.objects.get(slug="glm-5")
    # requester one: an approved GLM-5 request (the draft below would reopen it) ...
    one = demo.approved(glm5, users, ONE_MARK, classification="public")
    # ... requester two: a GLM-5 request in review, legal's conditional approval given (it would lapse).
    two = services.adoption_request_create(
        requester=users["requester2"],
        model=glm5,
        use_case=TWO_MARK,
        context=use(users["requester2"]),
        data_classification="public",
    )
    demo._accept_proposals(two, users["legal"], demo.STANDARD_ASSESSMENT)
    services.adoption_request_submit(request_id=two.pk, actor=users["requester2"])
    services.sign_off_create(
        request_id=two.pk,
        signer=users["legal"],
        role="legal",
        decision=SignOff.Decision.APPROVE_WITH_CONDITIONS,
        comment="",
        conditions=TWO_CONDITION,
    )
    for request in (one, two):  # a finished request memo each (the rows as a render leaves them)
        Memo.objects.create(
            kind=Memo.Kind.REQUEST,
            model=glm5,
            request=request,
            version=1,
            status=Memo.Status.DONE,
            snapshot={},
            snapshot_sha256="b" * 64,
            pdf_path=f"r{request.pk}.pdf",
            pdf_sha256="c" * 64,
            pages=1,
        )
    draft = RegulatoryGuidance.objects.create(
        jurisdiction=Jurisdiction.objects.get(code="EU"),
        issuer="European Commission",
        kind="guidance",
        title="EU: models trained on Huawei Ascend accelerators, under review",
        status="proposed",
        issued_on=datetime.date(2026, 11, 1),
        risk_category="regulatory",
        risk_likelihood=3,
        risk_impact=4,
        risk_sentence="Deploying such a model in the EU may need legal review.",
        publication="draft",
    )
    GuidanceReach.objects.create(
        guidance=draft,
        kind="accelerator",
        organisation=Organisation.objects.get(short_name="Huawei"),
        product_prefix="Ascend",
    )
    version = ListVersion.objects.filter(sanctions_list__current_version=F("pk")).order_by("pk").first()
    return {"users": users, "one": one, "two": two, "draft": draft, "version": version, "glm5": glm5}


@pytest.fixture(scope="module")
def world(request, django_db_setup, django_db_blocker):
    yield from built_once_for_the_module(request, django_db_blocker, _world)


def _pages(world) -> list[str]:
    glm5, draft, version = world["glm5"], world["draft"], world["version"]
    today = timezone.localdate().isoformat()
    return [
        "/",
        f"/models/{glm5.slug}/",
        f"/models/{glm5.slug}/?as_of={today}",
        reverse("workspace:guidance-impact", args=[draft.pk]),
        reverse("workspace:list-version-impact", args=[version.pk]),
        f"/api/guidance/{draft.pk}/impact/",
        f"/api/screening/list-versions/{version.pk}/impact/",
        "/api/adoption-requests/",
        "/api/adoption-requests/?format=csv",
        "/api/risk-items/?page_size=500",
        "/api/risk-items/?format=csv",
        "/api/memos/",
        "/api/memos/?format=csv",
        f"/api/models/{glm5.slug}/",
        f"/api/models/{glm5.slug}/?as_of={today}",
        "/admin/register/adoptionrequest/",
        "/admin/register/adoptionrequest/?queue=reopened",
        "/admin/register/riskitem/",
        "/admin/reports/memo/",
        f"/admin/models_catalog/aimodel/{glm5.pk}/change/",
    ]


def _read(client: Client, url: str) -> tuple[int, str]:
    response = client.get(url)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response.status_code, body.decode("utf-8", "replace")


def _traces(request: AdoptionRequest) -> list[str]:
    """What of a request would show on a page: its use case, its conditions, the link to its page."""
    traces = [request.use_case, f"/requests/{request.pk}/", f"/adoptionrequest/{request.pk}/"]
    traces += [s.conditions for s in request.sign_offs.all() if s.conditions]
    return traces


@pytest.mark.parametrize("role", ROLES)
def test_no_page_shows_a_request_its_reader_may_not_see(db, world, role):
    user = world["users"][role]
    client = Client()
    client.force_login(user)
    hidden = AdoptionRequest.objects.exclude(pk__in=AdoptionRequest.objects.visible_to(user).values("pk"))
    read = {url: _read(client, url) for url in _pages(world)}
    leaks = [
        f"{url} shows {trace!r}"
        for request in hidden.prefetch_related("sign_offs")
        for trace in _traces(request)
        for url, (status, body) in read.items()
        if status == 200 and trace in body
    ]
    assert leaks == []
    assert all(status in (200, 403) for status, _body in read.values()), {u: s for u, (s, _b) in read.items()}


@pytest.mark.parametrize("role", ["requester", "requester2"])
def test_a_requester_reads_the_guidance_impact_but_only_their_own_requests_in_it(db, world, role):
    user = world["users"][role]
    own = world["one"] if role == "requester" else world["two"]
    other = world["two"] if role == "requester" else world["one"]
    client = Client()
    client.force_login(user)

    status, body = _read(client, reverse("workspace:guidance-impact", args=[world["draft"].pk]))
    impact = client.get(f"/api/guidance/{world['draft'].pk}/impact/").json()

    assert status == 200 and "GLM-5" in body  # the catalog part is for every role
    requests = {r["id"] for r in impact["requests_reopening"]} | {a["request"] for a in impact["approvals_lapsing"]}
    requests |= {m["request"] for m in impact["memos_out_of_date"]}
    assert other.pk not in requests
    assert requests <= set(AdoptionRequest.objects.filter(requester=user).values_list("pk", flat=True))
    if own.state == "approved":
        assert own.pk in {r["id"] for r in impact["requests_reopening"]}


def test_a_requester_may_not_open_a_list_versions_impact(db, world):
    for role in ("requester", "requester2"):
        client = Client()
        client.force_login(world["users"][role])
        assert client.get(reverse("workspace:list-version-impact", args=[world["version"].pk])).status_code == 403
        assert client.get(f"/api/screening/list-versions/{world['version'].pk}/impact/").status_code == 403


@pytest.mark.parametrize("role", ["legal", "security", "procurement", "auditor"])
def test_reviewers_and_auditors_see_both_requesters_requests_in_the_impacts(db, world, role):
    user = world["users"][role]
    client = Client()
    client.force_login(user)

    _status, page = _read(client, reverse("workspace:guidance-impact", args=[world["draft"].pk]))
    impact = client.get(f"/api/guidance/{world['draft'].pk}/impact/").json()

    assert world["one"].pk in {r["id"] for r in impact["requests_reopening"]}
    assert world["two"].pk in {a["request"] for a in impact["approvals_lapsing"]}
    assert {world["one"].pk, world["two"].pk} <= {m["request"] for m in impact["memos_out_of_date"]}
    assert ONE_MARK in page or f"/requests/{world['one'].pk}/" in page


def test_the_services_filter_by_reader_and_the_register_itself_reads_everything(db, world):
    users, one, two = world["users"], world["one"], world["two"]
    everything = guidance_impact(guidance=world["draft"], reader=None)
    for_two = guidance_impact(guidance=world["draft"], reader=users["requester2"])
    lapsing = {a["request"] for a in everything.approvals_lapsing}

    assert {one.pk, two.pk} <= {m["request"] for m in everything.memos_out_of_date}
    assert two.pk in lapsing
    assert {a["request"] for a in for_two.approvals_lapsing} == {two.pk}
    assert for_two.requests_reopening == []
    assert [m["request"] for m in for_two.memos_out_of_date] == [two.pk]
    assert for_two.model_ids == everything.model_ids  # the catalog's part does not depend on the reader
    version_for_two = list_version_impact(version_id=world["version"].pk, reader=users["requester2"])
    assert {r["id"] for r in version_for_two.requests_reopening} <= {two.pk}
