"""Read side of the home page: "my work" (counts and the lists they open) and the portfolio of every model.

Live or as the register stood at the end of a day (``as_of``), through the dossier's reader and chains
(riskreg.dossier), in a fixed number of queries whatever the size of the catalog.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from datetime import date

from django.contrib.auth import get_user_model
from django.db.models import CharField, Count, F, Func, OuterRef, Q, Subquery
from django.db.models.fields.json import KeyTextTransform
from django.urls import reverse
from django.utils import timezone

from models_catalog.models import AIModel, Jurisdiction, ModelGuidanceStatus, RegulatoryGuidance, SanctionsNote
from riskreg.dossier.chains import Chains
from riskreg.dossier.presenters import exposure_groups
from riskreg.dossier.readers import Reader
from riskreg.dossier.rows import CURRENT_REQUEST_STATES, chain_row
from riskreg.register.models import (
    AdoptionRequest,
    ApprovalCondition,
    RequestEvent,
    RiskItem,
    RiskMatrix,
    sees_every_request,
)
from riskreg.register.obligations import approvals_to_review
from riskreg.register.selectors import adoption_requests_waiting_for, risk_level
from riskreg.screening.models import ScreeningHit
from riskreg.watch.models import Alert, WatchSource
from riskreg.workspace.selectors import end_of_day

REQUEST_STATES = {value: str(label) for value, label in AdoptionRequest.State.choices}
GUIDANCE_STATUSES = {value: str(label) for value, label in ModelGuidanceStatus.Status.choices}

WORK_LIST_LIMIT = 10


def _waiting_item(request: AdoptionRequest) -> dict:
    return {
        "id": request.pk,
        "model": request.model.name,
        "use_case": request.use_case,
        "when": request.submitted_at,
        "detail": f"by {request.requester.get_username()}",
    }


def reopened_requests(*, user, limit: int = WORK_LIST_LIMIT) -> list[dict]:
    """The reopened requests the user may see, the latest reopened first, each with the reason it was reopened
    (the alert's title or the change, as the register recorded it) and when: one query."""
    latest = RequestEvent.objects.filter(
        request=OuterRef("pk"), kind__in=[RequestEvent.Kind.REOPENED, RequestEvent.Kind.REVIEW_RESTARTED]
    ).order_by("-at", "-pk")
    rows = (
        AdoptionRequest.objects.visible_to(user)
        .filter(state=AdoptionRequest.State.REOPENED)
        .annotate(
            reopened_at=Subquery(latest.values("at")[:1]),
            reopened_reason=Subquery(
                latest.annotate(reason=KeyTextTransform("reason", "detail")).values("reason")[:1],
                output_field=CharField(),
            ),
        )
        .select_related("model")
        .only("pk", "use_case", "model__name")
        .order_by(F("reopened_at").desc(nulls_last=True), "-pk")[:limit]
    )
    return [
        {
            "id": r.pk,
            "model": r.model.name,
            "use_case": r.use_case,
            "when": r.reopened_at,
            "detail": r.reopened_reason or "A material change was recorded.",
        }
        for r in rows
    ]


def _impacts_to_review(*, drafts_count: int, hits: int) -> dict:
    """Legal's drafts and list versions waiting for a reading, each one click from its impact page (issue 23 item
    5): guidance drafts (they change nothing until published) and the lists' versions in force whose matches are
    not all confirmed or dismissed. A query for each kind there is (the counts come with the others')."""
    drafts = list(
        RegulatoryGuidance.objects.filter(publication=RegulatoryGuidance.Publication.DRAFT)
        .select_related("jurisdiction")
        .order_by("-pk")
        .only("pk", "title", "jurisdiction__code")[:WORK_LIST_LIMIT]
        if drafts_count
        else []
    )
    versions = list(
        ScreeningHit.objects.filter(status=ScreeningHit.Status.POTENTIAL)
        .filter(entry__sanctions_list__current_version__isnull=False)
        .values("entry__sanctions_list__current_version", "entry__sanctions_list__name")
        .annotate(matches=Count("pk"))
        .order_by("entry__sanctions_list__name")
        if hits
        else []
    )
    items = [
        {
            "title": f"{g.jurisdiction.code}: {g.title}",
            "url": reverse("workspace:guidance-impact", args=[g.pk]),
            "detail": "Guidance draft: publish it once its impact reads right.",
        }
        for g in drafts
    ] + [
        {
            "title": f"{v['entry__sanctions_list__name']}, the version in force",
            "url": reverse("workspace:list-version-impact", args=[v["entry__sanctions_list__current_version"]]),
            "detail": f"{v['matches']} match{'es' if v['matches'] != 1 else ''} to confirm or dismiss.",
        }
        for v in versions
    ]
    return {
        "key": "impacts",
        "label": "Drafts and list versions to review",
        "count": drafts_count + len(versions),
        "url": f"{reverse('admin:models_catalog_regulatoryguidance_changelist')}?publication__exact=draft",
        "hint": "What each would change, one click away: its impact page.",
        "items": items[:WORK_LIST_LIMIT],
    }


def work_counts(*, user, today: date | None = None) -> list[dict]:
    """ "My work": each count with the filtered list it opens (the admin's changelists), only those the user
    may open. [{"key", "label", "count", "url", "hint"}]"""
    today = today or timezone.localdate()
    counts: list[dict] = []
    if user.has_perm("register.view_adoptionrequest"):
        changelist = reverse("admin:register_adoptionrequest_changelist")
        visible = AdoptionRequest.objects.visible_to(user)
        totals = visible.aggregate(
            reopened=Count("pk", filter=Q(state=AdoptionRequest.State.REOPENED)),
            expiring=Count(
                "pk",
                filter=Q(
                    state=AdoptionRequest.State.APPROVED,
                    expires_on__gte=today,
                    expires_on__lte=today + dt.timedelta(days=30),
                ),
            ),
            drafts=Count("pk", filter=Q(state=AdoptionRequest.State.DRAFT, requester=user)),
        )
        if sees_every_request(user):  # reviewers, auditors, administrators
            waiting = list(
                adoption_requests_waiting_for(user=user)
                .select_related("model", "requester")
                .order_by("submitted_at", "pk")
                .only(
                    "pk",
                    "use_case",
                    "state",
                    "required_roles",
                    "submitted_at",
                    "model__name",
                    "requester__username",
                )
            )
            counts.append(
                {
                    "key": "sign-offs",
                    "label": "Sign-offs waiting for me",
                    "count": len(waiting),
                    "url": f"{changelist}?queue=mine",
                    "hint": "Requests in review that need your role's decision.",
                    "items": [_waiting_item(r) for r in waiting[:WORK_LIST_LIMIT]],
                }
            )
        else:
            counts.append(
                {
                    "key": "drafts",
                    "label": "My draft requests",
                    "count": totals["drafts"],
                    "url": f"{changelist}?state__exact=draft",
                    "hint": "Not yet submitted for review.",
                }
            )
        counts.append(
            {
                "key": "reopened",
                "label": "Requests reopened",
                "count": totals["reopened"],
                "url": f"{changelist}?queue=reopened",
                "hint": "Approved, then reopened by a material change.",
                "items": reopened_requests(user=user) if totals["reopened"] else [],
            }
        )
        approved = list(
            visible.filter(state=AdoptionRequest.State.APPROVED)
            # every field: the obligations of each request's use read its context, and its model's chain
            .select_related("model", "model__developer", "model__developer__parent")
            .order_by("expires_on", "pk")
        )
        flags = approvals_to_review(requests=approved, today=today)
        to_review = sorted((r for r in approved if r.pk in flags), key=lambda r: (flags[r.pk]["review_before"], r.pk))
        counts.append(
            {
                "key": "review-before",
                "label": "Approvals to review before a new obligation",
                "count": len(to_review),
                "url": f"{changelist}?queue=review",
                "hint": "Their validity crosses a day on which a new obligation of their use starts to apply.",
                "items": [
                    {
                        "id": r.pk,
                        "model": r.model.name,
                        "use_case": r.use_case,
                        "label": flags[r.pk]["label"],
                        "overdue": flags[r.pk]["overdue"],
                        "detail": "; ".join(
                            f"{o['jurisdiction_name']}: {o['title']} ({o['citation']})"
                            for o in flags[r.pk]["obligations"]
                        ),
                    }
                    for r in to_review[:WORK_LIST_LIMIT]
                ],
            }
        )
        counts.append(
            {
                "key": "expiring",
                "label": "Approvals expiring in 30 days",
                "count": totals["expiring"],
                "url": f"{changelist}?queue=expiring",
                "hint": "Renew or let them lapse.",
            }
        )
    watch_counts = _one_query_counts(user, today=today)
    if "guidance_drafts" in watch_counts:
        counts.append(
            _impacts_to_review(drafts_count=watch_counts["guidance_drafts"], hits=watch_counts.get("hits", 0))
        )
    if watch_counts.get("conditions"):
        counts.append(
            {
                "key": "conditions",
                "label": "Conditions of approval I own",
                "count": watch_counts["conditions"],
                "url": f"{reverse('admin:register_approvalcondition_changelist')}?state__exact=open",
                "hint": "Open conditions of approved requests that you see to; overdue ones first.",
                "items": _conditions_owned(user, today=today),
            }
        )
    if watch_counts.get("conditions_overdue"):
        counts.append(
            {
                "key": "conditions-overdue",
                "label": "Approvals with an overdue condition",
                "count": watch_counts["conditions_overdue"],
                "url": f"{reverse('admin:register_approvalcondition_changelist')}?state__exact=open",
                "hint": "A condition of the approval is open past its due date: the approval is not kept.",
            }
        )
    if "alerts" in watch_counts:
        counts.append(
            {
                "key": "alerts",
                "label": "Alerts for me",
                "count": watch_counts["alerts"],
                "url": f"{reverse('admin:watch_alert_changelist')}?status__exact=new&assignee__id__exact={user.pk}",
                "hint": "New changes in watched sources that name our models or suppliers.",
            }
        )
    if "hits" in watch_counts:
        counts.append(
            {
                "key": "hits",
                "label": "Screening hits to review",
                "count": watch_counts["hits"],
                "url": f"{reverse('admin:screening_screeninghit_changelist')}?status__exact=potential",
                "hint": "Potential list matches waiting for a person.",
            }
        )
    if "failing" in watch_counts:
        counts.append(
            {
                "key": "failing",
                "label": "Watch sources failing",
                "count": watch_counts["failing"],
                "url": f"{reverse('admin:watch_watchsource_changelist')}?health__exact=failing&enabled__exact=1",
                "hint": "Sources we are not hearing from.",
            }
        )
    order = [
        "sign-offs",
        "drafts",
        "conditions",
        "conditions-overdue",
        "reopened",
        "alerts",
        "hits",
        "impacts",
        "failing",
        "expiring",
        "review-before",
    ]
    return sorted(counts, key=lambda c: order.index(c["key"]))


def _open_conditions():
    """Conditions of approved requests not yet met: what My work counts and lists."""
    return ApprovalCondition.objects.filter(
        state=ApprovalCondition.State.OPEN, request__state=AdoptionRequest.State.APPROVED
    )


def _conditions_owned(user, *, today: date) -> list[dict]:
    """The open conditions of approved requests the user owns, overdue first, then by due date (ongoing last)."""
    owned = list(
        _open_conditions()
        .filter(owner=user)
        .select_related("request__model")
        .order_by(F("due").asc(nulls_last=True), "pk")[:WORK_LIST_LIMIT]
    )
    return [
        {
            "id": c.request_id,
            "model": c.request.model.name,
            "text": c.text,
            "due": c.due,
            "overdue": bool(c.due and c.due < today),
        }
        for c in owned
    ]


def _one_query_counts(user, *, today: date) -> dict[str, int]:
    """The counts of the user's new alerts, potential hits, failing sources, open conditions they own and approvals
    with an overdue condition, of what the user may see, in one query (each a scalar subquery)."""
    wanted = {}
    if user.has_perm("register.view_approvalcondition"):
        open_conditions = _open_conditions()
        wanted["conditions"] = open_conditions.filter(owner=user)
        overdue = open_conditions.filter(due__lt=today, request__in=AdoptionRequest.objects.visible_to(user))
        wanted["conditions_overdue"] = AdoptionRequest.objects.filter(pk__in=overdue.values("request_id"))
    if user.has_perm("watch.view_alert"):
        wanted["alerts"] = Alert.objects.filter(assignee=user, status=Alert.Status.NEW)
    if user.has_perm("screening.view_screeninghit"):
        wanted["hits"] = ScreeningHit.objects.filter(status=ScreeningHit.Status.POTENTIAL)
    if user.has_perm("watch.view_watchsource"):
        wanted["failing"] = WatchSource.objects.filter(enabled=True, health=WatchSource.Health.FAILING)
    if user.has_perm("models_catalog.change_regulatoryguidance"):
        wanted["guidance_drafts"] = RegulatoryGuidance.objects.filter(publication=RegulatoryGuidance.Publication.DRAFT)
    if not wanted:
        return {}
    counts = {
        key: Subquery(queryset.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")[:1])
        for key, queryset in wanted.items()
    }
    row = get_user_model().objects.filter(pk=user.pk).values(**counts).first() or {}
    return {key: row.get(key) or 0 for key in wanted}


def portfolio(*, as_of: date | None = None, visible_request_ids=None) -> dict:
    """Every model with its residual level (the memo's rule), list exposure grouped by listing, guidance status
    per jurisdiction and its requests' states; live or at the end of `as_of`. A fixed number of queries
    whatever the number of models. {"rows": [...], "matrix": RiskMatrix | None}"""
    at = end_of_day(as_of) if as_of else None
    reader = Reader(at)
    models = sorted(reader.rows(AIModel), key=lambda m: m.name.lower())
    ids = [m.pk for m in models]
    chains = Chains.load(reader, models=models)
    links_by_model = {m.pk: chains.chain(m) for m in models}
    org_ids = {link.organisation.pk for links in links_by_model.values() for link in links}
    notes_by_org: dict[int, list[SanctionsNote]] = defaultdict(list)
    for note in reader.rows(SanctionsNote).filter(organisation_id__in=org_ids):
        notes_by_org[note.organisation_id].append(note)
    exposure = reader.exposure(organisation_ids=org_ids)
    statuses: dict[int, list] = defaultdict(list)
    status_query = reader.rows(ModelGuidanceStatus).filter(model_id__in=ids)
    if at is None:
        status_query = status_query.select_related("jurisdiction")
        jurisdictions = {}
    else:
        jurisdictions = {j.pk: j for j in Jurisdiction.objects.all()}
    for status in status_query:
        statuses[status.model_id].append(status)
        if at is None:
            jurisdictions[status.jurisdiction_id] = status.jurisdiction
    matrices = {m.pk: m for m in RiskMatrix.objects.all()}
    items: dict[int, list[RiskItem]] = defaultdict(list)
    for item in reader.rows(RiskItem).filter(model_id__in=ids, status=RiskItem.Status.ACCEPTED).order_by("pk"):
        item.matrix = matrices[item.matrix_id]
        items[item.model_id].append(item)
    requests: dict[int, list[AdoptionRequest]] = defaultdict(list)
    for req in reader.rows(AdoptionRequest).filter(model_id__in=ids).order_by("pk"):
        requests[req.model_id].append(req)

    rows = []
    for model in models:
        own = _top_rating([i for i in items[model.pk] if i.request_id is None])
        request_rows = []
        for req in requests[model.pk]:
            if visible_request_ids is not None and req.pk not in visible_request_ids:
                continue
            request_rows.append(
                {
                    "id": req.pk,
                    "state": req.state,
                    "state_label": REQUEST_STATES.get(req.state, req.state),
                    "current": req.state in CURRENT_REQUEST_STATES,
                    "top": _top_rating([i for i in items[model.pk] if i.request_id == req.pk]),
                }
            )
        top, from_request = own, None
        if top is None:
            rated = [r for r in request_rows if r["current"] and r["top"]]
            if rated:
                best = max(rated, key=lambda r: (r["top"]["score"], -r["id"]))
                top, from_request = best["top"], best["id"]
        chain = [
            chain_row(
                link,
                notes=notes_by_org[link.organisation.pk],
                entries=exposure.get(link.organisation.pk, []),
                cite=None,
            )
            for link in links_by_model[model.pk]
        ]
        rows.append(
            {
                "name": model.name,
                "slug": model.slug,
                "developer": chains.organisations[model.developer_id].display_name
                if model.developer_id in chains.organisations
                else "",
                "level": top,
                "from_request": from_request,
                "likelihood": top["likelihood"] if top else None,
                "impact": top["impact"] if top else None,
                "exposure": exposure_groups(chain),
                "guidance": [
                    {
                        "code": jurisdictions[s.jurisdiction_id].code,
                        "name": jurisdictions[s.jurisdiction_id].name,
                        "status": s.status,
                        "status_label": GUIDANCE_STATUSES.get(s.status, s.status),
                    }
                    for s in sorted(statuses[model.pk], key=lambda s: jurisdictions[s.jurisdiction_id].code)
                ],
                "requests": request_rows,
            }
        )
    # The riskiest first: what needs a decision; unassessed models last, by name.
    rows.sort(key=lambda row: (-(row["level"] or {}).get("score", 0), not row["exposure"], row["name"].lower()))
    default = next((m for m in matrices.values() if m.is_default), None) or next(iter(matrices.values()), None)
    return {"rows": rows, "matrix": default}


def _top_rating(items: list[RiskItem]) -> dict | None:
    """The portfolio's rule (reports.services.snapshot.portfolio_snapshot_build): the highest band among accepted
    items, each rated residual where assessed, else inherent; with the likelihood and impact that place it on
    the heat map. {"name", "colour", "score", "likelihood", "impact"} or None."""
    best = None
    for item in items:
        likelihood = item.residual_likelihood or item.inherent_likelihood
        impact = item.residual_impact or item.inherent_impact
        level = risk_level(matrix=item.matrix, likelihood=likelihood, impact=impact)
        if level and (best is None or level["score"] > best["score"]):
            best = {**level, "likelihood": likelihood, "impact": impact}
    return best
