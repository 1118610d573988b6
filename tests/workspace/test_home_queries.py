"""Every workspace page answers in at most 25 SQL queries whatever the size of the catalog (10 or 200 models)."""

from __future__ import annotations

import datetime

from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from models_catalog.models import (
    Accelerator,
    AIModel,
    EvidenceSource,
    Jurisdiction,
    ModelGuidanceStatus,
    Organisation,
    ProvenanceClaim,
    SanctionsNote,
)
from riskreg.register import demo as demo_data
from riskreg.register.models import AdoptionRequest, RequestEvent, RiskItem, SignOff
from tests.reports.factories import risk_matrix

BUDGET = 25


def _catalog(size: int, *, requester, legal, start: int = 0) -> None:
    """`size` models, each with a developer and two subsidiaries, a listed chip vendor, two claims, guidance in
    two jurisdictions, two risk items and a request (every third reopened by an alert; half of them waiting for
    legal's sign-off): rows that grow with the catalog."""
    matrix = risk_matrix()
    source, _ = EvidenceSource.objects.get_or_create(title="Report", publisher="Press", kind="press")
    vendor, created = Organisation.objects.get_or_create(name="Chips Co", country="CN")
    if created:
        SanctionsNote.objects.create(organisation=vendor, authority="US, BIS", list_name="Entity List", citation="1 FR")
    chip, _ = Accelerator.objects.get_or_create(product="X1", vendor=vendor)
    eu, _ = Jurisdiction.objects.get_or_create(code="EU", name="European Union")
    us, _ = Jurisdiction.objects.get_or_create(code="US", name="United States")
    numbers = range(start, start + size)
    developers = bulk_create_with_history(
        [Organisation(name=f"Developer {n}", country="CN") for n in numbers], Organisation
    )
    bulk_create_with_history(
        [
            Organisation(name=f"Sub {n}-{k}", country="CN", parent=d)
            for n, d in zip(numbers, developers, strict=True)
            for k in (1, 2)
        ],
        Organisation,
    )
    models = bulk_create_with_history(
        [
            AIModel(name=f"Model {n}", slug=f"model-{n}", family="M", developer=d, licence="MIT", weights="open")
            for n, d in zip(numbers, developers, strict=True)
        ],
        AIModel,
    )
    bulk_create_with_history(
        [
            ProvenanceClaim(
                model=m,
                subject=subject,
                statement="s",
                value="v",
                confidence="reported",
                source=source,
                accelerator=chip,
            )
            for m in models
            for subject in ("training_hardware", "other")
        ],
        ProvenanceClaim,
    )
    bulk_create_with_history(
        [ModelGuidanceStatus(model=m, jurisdiction=j, status="under_review") for m in models for j in (eu, us)],
        ModelGuidanceStatus,
    )
    requests = bulk_create_with_history(
        [
            AdoptionRequest(
                model=m,
                use_case="u",
                access="self_hosted",
                jurisdictions=["EU", "US"],
                data_classification="internal",
                requester=requester,
                state="reopened" if n % 3 == 0 else "in_review",
                required_roles=["legal", "security"],
                matrix=matrix,
                submitted_at=timezone.now(),
            )
            for n, m in zip(numbers, models, strict=True)
        ],
        AdoptionRequest,
    )
    RequestEvent.objects.bulk_create(
        RequestEvent(request=r, kind="reopened", detail={"reason": f"Watch alert: {r.model.name}"})
        for r in requests
        if r.state == "reopened"
    )
    bulk_create_with_history(
        [
            SignOff(
                request=r, review_round=1, role="legal", signer=legal, decision="approve", risk_state_sha256="0" * 64
            )
            for r in requests
            if r.pk % 2  # the others wait for legal's sign-off ("My work" lists them)
        ],
        SignOff,
    )
    bulk_create_with_history(
        [
            RiskItem(
                model=r.model,
                request=req,
                matrix=matrix,
                category="sanctions",
                title="t",
                inherent_likelihood=4,
                inherent_impact=5,
                residual_likelihood=2,
                residual_impact=5,
                owner=legal,
            )
            for r in requests
            for req in (None, r)
        ],
        RiskItem,
    )


def _queries(user, url: str) -> int:
    """The queries of one request in a warm process: a first request fills the process's caches (content types),
    which other tests of the same worker may have emptied or filled."""
    client = Client()
    client.force_login(user)
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured.captured_queries)


def test_home_and_dossier_stay_within_25_queries_with_10_and_200_models(requester, legal):
    today = timezone.localdate().isoformat()
    urls = ("/", f"/?as_of={today}", "/models/model-3/", f"/models/model-3/?as_of={today}")

    _catalog(10, requester=requester, legal=legal)
    with_10 = {(user.username, url): _queries(user, url) for user in (legal, requester) for url in urls}
    _catalog(190, requester=requester, legal=legal, start=10)
    with_200 = {(user.username, url): _queries(user, url) for user in (legal, requester) for url in urls}

    assert AIModel.objects.count() == 200
    home = Client()
    home.force_login(legal)
    html = home.get("/").content.decode()
    assert html.count('data-testid="work-item"') == 20  # ten waiting for legal, ten reopened: the first ten each
    assert max(with_200.values()) <= BUDGET, with_200
    assert with_200 == with_10  # the same whatever the catalog's size


def test_the_demo_home_and_dossiers_with_obligations_in_play_stay_within_25_queries(demo, legal, requester, auditor):
    """The demo has obligations (AI Act, GDPR, BIS, Entity List) and, here, an approval whose validity crosses one
    of its use: the timeline and the review-before flag fit in the same budget."""
    cv = {**demo_data.GLM5_USES["cv"][1], "modification": "none", "finetune_flop": None}
    users = {
        u.username: u
        for u in (requester, legal, User.objects.get(username="security"), User.objects.get(username="procurement"))
    }
    approval = demo_data.approved(demo, users, "Rank job applications", context=cv, classification="public")
    AdoptionRequest.objects.filter(pk=approval.pk).update(expires_on=datetime.date(2027, 12, 20))
    html = Client()
    html.force_login(legal)
    assert 'data-testid="work-list-review-before"' in html.get("/").content.decode()
    assert 'data-testid="obligations"' in html.get("/models/glm-5/").content.decode()

    counts = {
        (user.username, url): _queries(user, url)
        for user in (legal, requester, auditor)
        for url in ("/", "/models/glm-5/", "/models/llama-4/", f"/requests/{approval.pk}/")
    }
    assert max(counts.values()) <= BUDGET, counts
