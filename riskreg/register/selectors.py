"""Read-side rules of the register, shared with the API, the admin and the memos."""

from __future__ import annotations

import datetime
import hashlib
import json

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery, prefetch_related_objects
from django.db.models.functions import Coalesce
from django.utils import timezone

from models_catalog.selectors import supply_chain
from riskreg.core.roles import user_group_names
from riskreg.register.matrices import HEX_COLOUR, UNBANDED_COLOUR
from riskreg.register.models import (
    AdoptionRequest,
    RequestEvent,
    RiskItem,
    RiskMatrix,
    SignOff,
    SignOffRole,
    sees_every_request,
)
from riskreg.register.workflow import OPEN_STATES, REVIEW_STATES


def risk_level(*, matrix: RiskMatrix, likelihood: int | None, impact: int | None) -> dict | None:
    """The band a likelihood x impact falls in: {"name", "colour", "score"}; None when not assessed."""
    if not likelihood or not impact:
        return None
    score = likelihood * impact
    for band in matrix.bands:
        if band["min"] <= score <= band["max"]:
            colour = band.get("colour")
            # Only a hex colour reaches a page's style attribute, whatever an old row holds.
            if not isinstance(colour, str) or not HEX_COLOUR.match(colour):
                colour = UNBANDED_COLOUR
            return {"name": band["name"], "colour": colour, "score": score}
    return {"name": "Unbanded", "colour": UNBANDED_COLOUR, "score": score}


def risk_matrix_in_use(*, matrix: RiskMatrix) -> bool:
    """A matrix an assessment uses is frozen: a change means a new version."""
    return AdoptionRequest.objects.filter(matrix=matrix).exists() or RiskItem.objects.filter(matrix=matrix).exists()


# --- who sees what ---------------------------------------------------------------------------
# One idiom: AdoptionRequest.objects.visible_to(user), and the same on sign-offs, events, risk items and memos
# (riskreg/register/models.py, reports/models.py).


def request_ids_visible_to(user) -> set[int] | None:
    """For data already read as dicts (a dossier snapshot): None when the user sees every request, otherwise
    the ids of those they may see."""
    if sees_every_request(user):
        return None
    return set(AdoptionRequest.objects.visible_to(user).values_list("pk", flat=True))


def adoption_requests_open_for_risk_items(*, user) -> QuerySet[AdoptionRequest]:
    """The requests a person may add risk items to (for choice lists; the service decides): their own
    drafts, and, for a reviewer, the open requests of others."""
    own_drafts = Q(requester=user, state=AdoptionRequest.State.DRAFT)
    visible = AdoptionRequest.objects.visible_to(user)
    if user_is_reviewer(user):
        return visible.filter(own_drafts | (Q(state__in=OPEN_STATES) & ~Q(requester=user)))
    return visible.filter(own_drafts)


# --- querysets with everything a page shows, in a fixed number of queries -------------------


def risk_item_queryset() -> QuerySet[RiskItem]:
    return RiskItem.objects.select_related("matrix", "owner", "assessed_by", "model", "request")


def adoption_request_detail_queryset() -> QuerySet[AdoptionRequest]:
    return AdoptionRequest.objects.select_related("model", "model__developer", "requester", "matrix").prefetch_related(
        Prefetch("sign_offs", queryset=SignOff.objects.select_related("signer").order_by("review_round", "created_at")),
        Prefetch("risk_items", queryset=risk_item_queryset().order_by("category", "pk")),
        Prefetch("events", queryset=RequestEvent.objects.select_related("actor").order_by("at", "pk")),
    )


def adoption_request_list_queryset() -> QuerySet[AdoptionRequest]:
    item_count = (
        RiskItem.objects.filter(request=OuterRef("pk"))
        .exclude(status=RiskItem.Status.RETIRED)
        .order_by()
        .values("request")
        .annotate(n=Count("pk"))
        .values("n")
    )
    pending = (
        RiskItem.objects.filter(request=OuterRef("pk"))
        .filter(Q(status=RiskItem.Status.PROPOSED) | Q(proposal__isnull=False))
        .order_by()
        .values("request")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        AdoptionRequest.objects.select_related("model", "requester", "matrix")
        .prefetch_related(
            Prefetch(
                "sign_offs", queryset=SignOff.objects.select_related("signer").order_by("review_round", "created_at")
            )
        )
        .annotate(
            risk_item_count=Coalesce(Subquery(item_count), 0),
            pending_proposal_count=Coalesce(Subquery(pending), 0),
        )
    )


def model_risk_items(*, model_ids) -> dict[int, list[RiskItem]]:
    """Model-level risk items (not tied to one request), by model, in one query."""
    items: dict[int, list[RiskItem]] = {pk: [] for pk in model_ids}
    for item in risk_item_queryset().filter(model_id__in=items, request__isnull=True).order_by("category", "pk"):
        items[item.model_id].append(item)
    return items


# --- sign-offs -------------------------------------------------------------------------------


def sign_offs_in_round(request: AdoptionRequest) -> list[SignOff]:
    """Sign-offs of the request's current review round (uses the prefetched set when there is one)."""
    return [s for s in request.sign_offs.all() if s.review_round == request.review_round]


def sign_off_status(request: AdoptionRequest) -> list[dict]:
    """For each required role: given or not, by whom, with which decision (current round)."""
    given = {s.role: s for s in sign_offs_in_round(request)}
    rows = []
    for role in request.required_roles:
        sign_off = given.get(role)
        rows.append(
            {
                "role": role,
                "given": sign_off is not None,
                "decision": sign_off.decision if sign_off else None,
                "signer": sign_off.signer.get_username() if sign_off else None,
                "at": sign_off.created_at if sign_off else None,
            }
        )
    return rows


def roles_missing(request: AdoptionRequest) -> list[str]:
    given = {s.role for s in sign_offs_in_round(request)}
    return [role for role in request.required_roles if role not in given]


def adoption_requests_waiting_for(*, user) -> QuerySet[AdoptionRequest]:
    """Requests in review that need a sign-off in one of the user's roles, which the user may give."""
    roles = user_sign_off_roles(user)
    if not roles:
        return AdoptionRequest.objects.none()
    candidates = (
        AdoptionRequest.objects.filter(state__in=REVIEW_STATES)
        .exclude(requester=user)
        .prefetch_related("sign_offs")
        .only("pk", "required_roles", "review_round")
    )
    wanted = []
    for request in candidates:
        current = sign_offs_in_round(request)
        if any(s.signer_id == user.pk for s in current):
            continue
        given = {s.role for s in current}
        if roles & (set(request.required_roles) - given):
            wanted.append(request.pk)
    return AdoptionRequest.objects.filter(pk__in=wanted)


def adoption_requests_expiring(*, within_days: int = 30, today: datetime.date | None = None):
    today = today or timezone.localdate()
    return AdoptionRequest.objects.filter(
        state=AdoptionRequest.State.APPROVED,
        expires_on__gte=today,
        expires_on__lte=today + datetime.timedelta(days=within_days),
    )


def user_sign_off_roles(user) -> set[str]:
    if not user.is_authenticated:
        return set()
    return set(user_group_names(user)) & set(SignOffRole.values)


def user_is_reviewer(user) -> bool:
    """Legal, security and procurement reviewers (and administrators) assess risk items."""
    return user.is_authenticated and (user.is_superuser or bool(user_sign_off_roles(user)))


# --- the risk state a sign-off applies to ----------------------------------------------------

RISK_ITEM_STATE_FIELDS = (
    "id",
    "model_id",
    "request_id",
    "category",
    "title",
    "description",
    "inherent_likelihood",
    "inherent_impact",
    "existing_controls",
    "planned_controls",
    "residual_likelihood",
    "residual_impact",
    "treatment",
    "owner_id",
    "next_review_on",
    "origin",
    "rule",
    "derivation_key",
    "facts",
    "status",
    "proposal",
)


def risk_state(*, request: AdoptionRequest) -> dict:
    """The risk picture a sign-off applies to: the request's items and its model's, on its matrix."""
    items = RiskItem.objects.filter(Q(request=request) | Q(model_id=request.model_id, request__isnull=True)).order_by(
        "pk"
    )
    matrix = request.matrix
    return {
        "request": request.pk,
        "model": request.model_id,
        "matrix": {"id": matrix.pk, "name": matrix.name, "version": matrix.version},
        "risk_items": [
            {name: _jsonable(value) for name, value in zip(RISK_ITEM_STATE_FIELDS, row, strict=True)}
            for row in items.values_list(*RISK_ITEM_STATE_FIELDS)
        ],
    }


def _jsonable(value):
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    return value


def canonical_json(value) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def risk_state_sha256(*, request: AdoptionRequest) -> str:
    """SHA-256 of the canonical JSON of ``risk_state``: sorted keys, no spaces, UTF-8."""
    return hashlib.sha256(canonical_json(risk_state(request=request))).hexdigest()


# --- obligations on a timeline ----------------------------------------------------------------


def _day_label(day: datetime.date) -> str:
    return f"{day.day} {day:%b %Y}"


def obligations_timelines(*, model_ids=(), on: datetime.date | None = None, models=None) -> dict[int, dict]:
    """Per model: the obligations in force on a day and the next dates ahead, each with the reason it applies.

    An obligation belongs to a guidance record; the guidance's reaches (the same matching the rules use) decide
    whether it applies to a model, and the obligation's own dates decide from when (a transition for models
    placed on the market before a day uses the model's release date). At most five queries whatever the number
    of models: the obligations of the published guidance applying that day, those records' reaches, the models
    with their claims (and their developers' subsidiaries when a reach names a subsidiary): what reaches read.
    Obligations and reaches are read as they are today: the day chooses what is in force.
    """
    from models_catalog.models import (
        AIModel,
        GuidanceReach,
        Obligation,
        Organisation,
        ProvenanceClaim,
        RegulatoryGuidance,
    )
    from riskreg.register.rules import GUIDANCE_NOT_APPLYING, ModelFacts

    on = on or timezone.localdate()
    model_ids = [model.pk for model in models] if models is not None else list(model_ids)
    if not model_ids:
        return {}
    obligations: dict[int, list] = {}
    for obligation in (
        Obligation.objects.filter(guidance__publication=RegulatoryGuidance.Publication.PUBLISHED)
        .exclude(guidance__status__in=GUIDANCE_NOT_APPLYING)
        .filter(Q(guidance__superseded_on__isnull=True) | Q(guidance__superseded_on__gt=on))
        .filter(Q(guidance__effective_to__isnull=True) | Q(guidance__effective_to__gte=on))
        .select_related("guidance", "guidance__jurisdiction", "source")
        .order_by("applies_from", "pk")
    ):
        obligations.setdefault(obligation.guidance_id, []).append(obligation)
    reaches: dict[int, dict[str, list]] = {}
    if obligations:
        for reach in (
            GuidanceReach.objects.filter(guidance_id__in=list(obligations))
            .select_related("organisation", "jurisdiction")
            .order_by("pk")
        ):
            reaches.setdefault(reach.guidance_id, {}).setdefault(reach.kind, []).append(reach)
    names_a_subsidiary = any(
        reach.organisation is not None and reach.organisation.parent_id
        for kinds in reaches.values()
        for rows in kinds.values()
        for reach in rows
    )
    subsidiaries = Organisation.objects.order_by("name") if names_a_subsidiary else Organisation.objects.none()
    timelines = {}
    lookups = (
        Prefetch(
            "claims",
            queryset=ProvenanceClaim.objects.select_related(
                "accelerator", "accelerator__vendor", "organisation"
            ).order_by("pk"),
        ),
        # A developer's subsidiaries matter only to a reach naming a subsidiary (an organisation with a
        # parent); otherwise the prefetch is empty and costs no query.
        Prefetch("developer__subsidiaries", queryset=subsidiaries),
    )
    if models is not None and obligations:
        # The caller's model objects (with developer and its parent selected): only their claims are read.
        prefetch_related_objects(models, *lookups)
    elif models is None:
        models = (
            AIModel.objects.select_related("developer", "developer__parent")
            .prefetch_related(*lookups)
            .filter(pk__in=model_ids)
        )
    for model in models if obligations else []:
        facts = ModelFacts(
            model=model,
            chain=supply_chain(model=model),
            claims=list(model.claims.all()),
            listings={},
            statuses=[],
            guidance=[],
        )
        in_force, ahead = [], []
        for guidance_id, rows in obligations.items():
            reasons = _reach_reasons(facts, reaches.get(guidance_id, {}))
            if reasons is None:
                continue
            for obligation in rows:
                record = obligation.guidance
                day, timing = obligation.applies_to_release(model.release_date)
                if record.effective_to and day > record.effective_to:
                    continue
                if record.superseded_on and day >= record.superseded_on:
                    continue
                item = {
                    "obligation_id": obligation.pk,
                    "date": day.isoformat(),
                    "date_label": _day_label(day),
                    "what": obligation.what,
                    "citation": obligation.citation,
                    "timing": timing,
                    "jurisdiction": record.jurisdiction.code,
                    "jurisdiction_name": record.jurisdiction.name,
                    "guidance_id": record.pk,
                    "guidance": record.title,
                    "reasons": reasons,
                    "source": (
                        {"id": obligation.source.pk, "title": obligation.source.title, "url": obligation.source.url}
                        if obligation.source
                        else None
                    ),
                }
                (in_force if day <= on else ahead).append(item)
        in_force.sort(key=lambda item: (item["jurisdiction"], item["date"], item["obligation_id"]))
        ahead.sort(key=lambda item: (item["date"], item["jurisdiction"], item["obligation_id"]))
        timelines[model.pk] = {"on": on.isoformat(), "on_label": _day_label(on), "in_force": in_force, "ahead": ahead}
    return {
        pk: timelines.get(pk) or {"on": on.isoformat(), "on_label": _day_label(on), "in_force": [], "ahead": []}
        for pk in model_ids
    }


def _reach_reasons(facts, by_kind: dict[str, list]) -> list[str] | None:
    """Why a guidance reaches the model (one reason per kind of reach; several of a kind are alternatives), or
    None: the rules' matching (ModelFacts.reach_reason), over reaches fetched once for every model."""
    if not by_kind:
        return None
    reasons = []
    for rows in by_kind.values():
        reason = next((found for reach in rows if (found := facts.reach_reason(reach))), None)
        if reason is None:
            return None
        reasons.append(reason)
    return reasons


def obligations_timeline(*, model, on: datetime.date | None = None) -> dict:
    """One model's timeline on a day: {"on", "in_force": [...], "ahead": [...]} (see obligations_timelines)."""
    return obligations_timelines(models=[model], on=on)[model.pk]


def approvals_to_review(*, requests, today: datetime.date | None = None) -> dict[int, dict]:
    """Approved requests whose validity crosses a day on which a new obligation starts to apply to their model:
    {request id: {"review_before", "review_before_label", "overdue", "obligations": [...]}}.

    The validity runs from the decision day to the expiry day. An obligation that starts after the decision and
    on or before the expiry was not in force when the reviewers signed: the approval is flagged for review before
    the earliest such day ("overdue" when that day has already come). Read on demand, so an
    edited date moves the flag at once; a fixed number of queries whatever the number of requests.
    """
    today = today or timezone.localdate()
    approved = [r for r in requests if r.state == AdoptionRequest.State.APPROVED and r.expires_on and r.decided_at]
    if not approved:
        return {}
    timelines = obligations_timelines(model_ids={r.model_id for r in approved}, on=today)
    flags = {}
    for request in approved:
        decided_on = timezone.localdate(request.decided_at)
        timeline = timelines.get(request.model_id)
        if timeline is None:
            continue
        crossing = [
            item
            for item in timeline["in_force"] + timeline["ahead"]
            if decided_on < datetime.date.fromisoformat(item["date"]) <= request.expires_on
        ]
        if not crossing:
            continue
        crossing.sort(key=lambda item: (item["date"], item["jurisdiction"], item["obligation_id"]))
        first = crossing[0]
        overdue = first["date"] <= today.isoformat()
        flags[request.pk] = {
            "review_before": first["date"],
            "review_before_label": first["date_label"],
            "overdue": overdue,
            "label": (
                f"Review overdue: a new obligation applies since {first['date_label']}"
                if overdue
                else f"Review before {first['date_label']}"
            ),
            "obligations": crossing,
        }
    return flags
