"""Read-side rules of the register, shared with the API, the admin and the memos."""

from __future__ import annotations

import datetime
import hashlib
import json

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from riskreg.core.roles import user_group_names
from riskreg.register.matrices import HEX_COLOUR, UNBANDED_COLOUR
from riskreg.register.models import (
    AdoptionRequest,
    ApprovalCondition,
    RequestEvent,
    RiskItem,
    RiskMatrix,
    SignOff,
    SignOffRole,
    sees_every_request,
)
from riskreg.register.wording import person_name
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
    return AdoptionRequest.objects.select_related(
        "model", "model__developer", "model__developer__parent", "requester", "matrix", "business_owner"
    ).prefetch_related(
        Prefetch("sign_offs", queryset=SignOff.objects.select_related("signer").order_by("review_round", "created_at")),
        Prefetch("risk_items", queryset=risk_item_queryset().order_by("category", "pk")),
        Prefetch("events", queryset=RequestEvent.objects.select_related("actor").order_by("at", "pk")),
        Prefetch("conditions", queryset=_conditions_queryset()),
    )


def _conditions_queryset():
    return ApprovalCondition.objects.select_related("owner", "sign_off", "met_by").order_by("pk")


def conditions_in_round(*, request: AdoptionRequest, review_round: int) -> list[ApprovalCondition]:
    """The conditions set by the sign-offs of one review round: what an approval of that round carries (its
    notice, its webhook)."""
    return list(_conditions_queryset().filter(request=request, sign_off__review_round=review_round))


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
        AdoptionRequest.objects.select_related("model", "requester", "matrix", "business_owner")
        .prefetch_related(
            Prefetch(
                "sign_offs", queryset=SignOff.objects.select_related("signer").order_by("review_round", "created_at")
            ),
            Prefetch("conditions", queryset=_conditions_queryset()),
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
                "signer_name": person_name(sign_off.signer) if sign_off else None,
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
