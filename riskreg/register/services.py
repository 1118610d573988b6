"""Write-side rules of the register: adoption requests, sign-offs, risk items and matrices.

Every state change of a request locks its row (``select_for_update``) inside
``transaction.atomic`` and goes through the transition table in ``workflow``; every change is
recorded as a ``RequestEvent`` (the timeline) and in the models' history. Refusals:
``django.core.exceptions.PermissionDenied`` (separation of duties, with the reason),
``ValidationError`` (bad input, by field) and ``SignOffConflict`` (a role already signed).
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from models_catalog.models import AIModel
from riskreg.register import rules
from riskreg.register.matrices import DEFAULT_MATRIX, matrix_problems
from riskreg.register.models import (
    AdoptionRequest,
    DataClassification,
    Deployment,
    RequestEvent,
    RiskItem,
    RiskMatrix,
    SignOff,
    SignOffRole,
)
from riskreg.register.selectors import (
    risk_matrix_in_use,
    risk_state_sha256,
    user_is_reviewer,
    user_sign_off_roles,
)
from riskreg.register.workflow import (
    OPEN_STATES,
    REVIEW_STATES,
    Action,
    TransitionRefused,
    required_roles_for,
    transition_allowed,
    transition_target,
)

logger = logging.getLogger(__name__)
State = AdoptionRequest.State
Decision = SignOff.Decision
Kind = RequestEvent.Kind

APPROVING = (Decision.APPROVE, Decision.APPROVE_WITH_CONDITIONS)


class SignOffConflict(Exception):
    """The role has already signed off in this review round (answered 409)."""


def approval_validity_days() -> int:
    return int(getattr(settings, "RISKREG_APPROVAL_VALIDITY_DAYS", 365))


# --- matrices --------------------------------------------------------------------------------


def risk_matrix_default_get() -> RiskMatrix:
    """The default matrix for new assessments; created from DEFAULT_MATRIX on first use."""
    matrix = RiskMatrix.objects.filter(is_default=True).first()
    if matrix is not None:
        return matrix
    with transaction.atomic():
        matrix, _ = RiskMatrix.objects.get_or_create(
            name=DEFAULT_MATRIX["name"],
            version=DEFAULT_MATRIX["version"],
            defaults={k: v for k, v in DEFAULT_MATRIX.items() if k not in ("name", "version")},
        )
        if not matrix.is_default and not RiskMatrix.objects.filter(is_default=True).exists():
            RiskMatrix.objects.filter(pk=matrix.pk).update(is_default=True)
            matrix.is_default = True
    return matrix


def risk_matrix_create(
    *,
    actor,
    name: str,
    likelihood_labels: list[str],
    impact_labels: list[str],
    bands: list[dict],
    is_default: bool = False,
    description: str = "",
) -> RiskMatrix:
    """A new matrix, or the next version of one with this name. Matrices are never edited in place
    once an assessment uses them."""
    if not actor.has_perm("register.add_riskmatrix"):
        raise PermissionDenied("Only legal may define risk matrices.")
    name = (name or "").strip()
    problems = matrix_problems(likelihood_labels=likelihood_labels, impact_labels=impact_labels, bands=bands)
    if not name:
        problems["name"] = ["Give the matrix a name."]
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        latest = RiskMatrix.objects.select_for_update().filter(name=name).order_by("-version").first()
        if is_default:
            RiskMatrix.objects.filter(is_default=True).update(is_default=False)
        matrix = RiskMatrix(
            name=name,
            version=(latest.version + 1) if latest else 1,
            likelihood_labels=likelihood_labels,
            impact_labels=impact_labels,
            bands=bands,
            is_default=is_default,
            description=description,
        )
        matrix._history_user = actor
        matrix.save()
    return matrix


def risk_matrix_update(*, matrix: RiskMatrix, actor, changes: dict) -> RiskMatrix:
    """Edit a matrix nobody uses yet; one in use is frozen (make a new version instead)."""
    if not actor.has_perm("register.change_riskmatrix"):
        raise PermissionDenied("Only legal may change risk matrices.")
    if risk_matrix_in_use(matrix=matrix) and set(changes) - {"is_default", "description"}:
        raise ValidationError(
            {"matrix": [f"{matrix} is used by assessments and is frozen; create a new version instead."]}
        )
    for name, value in changes.items():
        setattr(matrix, name, value)
    problems = matrix_problems(
        likelihood_labels=matrix.likelihood_labels, impact_labels=matrix.impact_labels, bands=matrix.bands
    )
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        if changes.get("is_default"):
            RiskMatrix.objects.filter(is_default=True).exclude(pk=matrix.pk).update(is_default=False)
        matrix._history_user = actor
        matrix.save()
    return matrix


def levels_problems(*, matrix: RiskMatrix, values: dict) -> dict[str, list[str]]:
    """Likelihoods and impacts must lie within the matrix (a 7 on a 5 x 5 is refused, by field)."""
    problems: dict[str, list[str]] = {}
    limits = {
        "inherent_likelihood": (matrix.likelihood_levels, "likelihood"),
        "residual_likelihood": (matrix.likelihood_levels, "likelihood"),
        "inherent_impact": (matrix.impact_levels, "impact"),
        "residual_impact": (matrix.impact_levels, "impact"),
    }
    for name, (top, axis) in limits.items():
        if name not in values or values[name] is None:
            continue
        value = values[name]
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= top:
            problems[name] = [
                f"{value} is outside the matrix {matrix} ({matrix.likelihood_levels} x {matrix.impact_levels}): "
                f"{axis} runs from 1 to {top}."
            ]
    return problems


def _scaled(value: int, levels: int) -> int:
    """A suggestion on a 1-5 scale, placed on a matrix with `levels` levels."""
    return max(1, min(levels, round(value * levels / 5)))


# --- events and notices ----------------------------------------------------------------------


def _event(
    request: AdoptionRequest,
    kind: str,
    *,
    actor=None,
    from_state: str = "",
    to_state: str = "",
    detail: dict | None = None,
    notify: bool = False,
) -> RequestEvent:
    event = RequestEvent.objects.create(
        request=request,
        actor=actor,
        kind=kind,
        from_state=from_state,
        to_state=to_state,
        review_round=request.review_round,
        detail=detail or {},
    )
    if notify:
        transaction.on_commit(lambda: _notice_dispatch(event.pk))
    return event


NOTIFIED_KINDS = (
    Kind.SUBMITTED,
    Kind.REVIEW_RESTARTED,
    Kind.REOPENED,
    Kind.EXPIRED,
    Kind.APPROVED,
    Kind.REJECTED,
    Kind.CHANGES_REQUESTED,
)


def _notice_dispatch(event_id: int) -> None:
    """Queue the notice (after commit). A broker outage must not undo a decision that committed:
    the notice stays unsent and the hourly sweep (``request_events_notify_pending``) sends it."""
    from riskreg.register.tasks import request_event_notify as notify_task

    try:
        notify_task.delay(event_id)
    except Exception:
        logger.exception("could not queue the notice for request event %s; the hourly sweep will send it", event_id)


def request_events_notify_pending(*, older_than_minutes: int = 10, limit: int = 200) -> list[int]:
    """Queue the notices that were never sent (broker down when the event happened)."""
    cutoff = timezone.now() - datetime.timedelta(minutes=older_than_minutes)
    pending = list(
        RequestEvent.objects.filter(kind__in=NOTIFIED_KINDS, notified_at__isnull=True, at__lte=cutoff)
        .order_by("at")
        .values_list("pk", flat=True)[:limit]
    )
    for event_id in pending:
        _notice_dispatch(event_id)
    return pending


def _move(request: AdoptionRequest, action: str, *, actor, detail: dict | None = None, **extra) -> RequestEvent:
    """Apply one transition to a locked request row and record it."""
    before = request.state
    try:
        after = transition_target(state=before, action=action)
    except TransitionRefused as exc:
        raise ValidationError({"state": [str(exc)]}) from None
    request.state = after
    for name, value in extra.items():
        setattr(request, name, value)
    request._history_user = actor
    request.save()
    kinds = {
        Action.SUBMIT: Kind.SUBMITTED,
        Action.APPROVE: Kind.APPROVED,
        Action.REJECT: Kind.REJECTED,
        Action.REQUEST_CHANGES: Kind.CHANGES_REQUESTED,
        Action.WITHDRAW: Kind.WITHDRAWN,
        Action.REOPEN: Kind.REOPENED,
        Action.RESTART_REVIEW: Kind.REVIEW_RESTARTED,
        Action.EXPIRE: Kind.EXPIRED,
    }
    kind = kinds[action]
    return _event(
        request, kind, actor=actor, from_state=before, to_state=after, detail=detail, notify=kind in NOTIFIED_KINDS
    )


def _locked(request_id: int) -> AdoptionRequest:
    return AdoptionRequest.objects.select_for_update(of=("self",)).select_related("matrix", "model").get(pk=request_id)


def _recipients(event: RequestEvent) -> list[str]:
    request = event.request
    User = get_user_model()
    users = []
    if event.kind in (Kind.SUBMITTED, Kind.REVIEW_RESTARTED):
        users = list(
            User.objects.filter(is_active=True, groups__name__in=request.required_roles)
            .exclude(pk=request.requester_id)
            .distinct()
        )
    elif event.kind in (Kind.REOPENED, Kind.EXPIRED):
        signer_ids = event.detail.get("notify_signers") or []
        users = list(User.objects.filter(is_active=True, pk__in=signer_ids)) + [request.requester]
    elif event.kind in (Kind.APPROVED, Kind.REJECTED, Kind.CHANGES_REQUESTED):
        users = [request.requester]
    return sorted({u.email for u in users if u.email})


def _notice(event: RequestEvent) -> tuple[str, str]:
    request = event.request
    head = f"Adoption request #{request.pk} ({request.model.name}, {request.get_deployment_display()})"
    lines = [
        f"{head}: {event.get_kind_display().lower()}.",
        f"Use case: {request.use_case}",
        f"State: {request.get_state_display()} (review round {event.review_round}).",
    ]
    if event.detail.get("reason"):
        lines.append(f"Why: {event.detail['reason']}")
    if event.detail.get("reference"):
        lines.append(f"Reference: {event.detail['reference']}")
    if event.kind == Kind.REOPENED:
        lines.append("The earlier sign-offs stay on record; each required role must sign off again.")
    if event.kind in (Kind.SUBMITTED, Kind.REVIEW_RESTARTED):
        lines.append(f"Sign-offs needed: {', '.join(request.required_roles)}.")
    lines.append(f"Open it at /admin/register/adoptionrequest/{request.pk}/change/")
    subject = f"[riskreg] {head}: {event.get_kind_display().lower()}"
    return subject, "\n".join(lines)


def request_event_notify(*, event_id: int) -> int:
    """Email the people an event concerns, once. Returns how many addresses were written to."""
    event = RequestEvent.objects.select_related("request", "request__model", "request__requester").filter(pk=event_id)
    event = event.first()
    if event is None:
        return 0
    claimed = RequestEvent.objects.filter(pk=event.pk, notified_at__isnull=True).update(notified_at=timezone.now())
    if not claimed:
        return 0
    recipients = _recipients(event)
    if not recipients:
        return 0
    subject, body = _notice(event)
    try:
        send_mail(subject, body, None, recipients)
    except Exception:
        RequestEvent.objects.filter(pk=event.pk).update(notified_at=None)  # let the retry send it
        raise
    return len(recipients)


# --- adoption requests -----------------------------------------------------------------------


@dataclass
class DeriveResult:
    created: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)  # the register's own untouched proposals, refreshed
    proposed: list[int] = field(default_factory=list)  # a pending proposal on an item a person assessed
    retired: list[int] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.proposed or self.retired)


def adoption_request_create(
    *, requester, model: AIModel, use_case: str, deployment: str, data_classification: str
) -> AdoptionRequest:
    """File a request (draft) on the default matrix, and propose the risk items the facts imply."""
    if not requester.has_perm("register.add_adoptionrequest"):
        raise PermissionDenied("Your role cannot file adoption requests.")
    problems = {}
    if not (use_case or "").strip():
        problems["use_case"] = ["Say what the model will be used for."]
    if deployment not in Deployment.values:
        problems["deployment"] = [f"Choose one of {', '.join(Deployment.values)}."]
    if data_classification not in DataClassification.values:
        problems["data_classification"] = [f"Choose one of {', '.join(DataClassification.values)}."]
    if problems:
        raise ValidationError(problems)
    matrix = risk_matrix_default_get()
    with transaction.atomic():
        request = AdoptionRequest(
            model=model,
            use_case=use_case.strip(),
            deployment=deployment,
            data_classification=data_classification,
            requester=requester,
            matrix=matrix,
            required_roles=required_roles_for(data_classification=data_classification),
        )
        request._history_user = requester
        request.save()
        _event(request, Kind.CREATED, actor=requester, to_state=request.state)
        risk_items_derive(model=model, request=request, actor=None)
    return request


def adoption_request_submit(*, request_id: int, actor) -> AdoptionRequest:
    """Send a draft (or an expired approval, for renewal) to the reviewers. A resubmission opens a
    new review round; the sign-off roles are fixed now from the data classification."""
    with transaction.atomic():
        request = _locked(request_id)
        if actor.pk != request.requester_id:
            raise PermissionDenied("Only the requester can submit this request.")
        new_round = SignOff.objects.filter(request=request, review_round=request.review_round).exists()
        _move(
            request,
            Action.SUBMIT,
            actor=actor,
            required_roles=required_roles_for(data_classification=request.data_classification),
            review_round=request.review_round + 1 if new_round else request.review_round,
            submitted_at=timezone.now(),
            decided_at=None,
            expires_on=None,
        )
    return request


def adoption_request_withdraw(*, request_id: int, actor, reason: str = "") -> AdoptionRequest:
    with transaction.atomic():
        request = _locked(request_id)
        if actor.pk != request.requester_id:
            raise PermissionDenied("Only the requester can withdraw this request.")
        _move(request, Action.WITHDRAW, actor=actor, detail={"reason": reason} if reason else None)
    return request


def sign_off_create(
    *, request_id: int, signer, role: str, decision: str, comment: str = "", conditions: str = ""
) -> SignOff:
    """Record one sign-off and move the request if it decides it.

    Separation of duties (403): the requester never signs their own request; a person signs at
    most once per review round; a role's sign-off needs that role's group; auditors change
    nothing. Bad input (400): unknown role or decision, a request not in review, a role the
    request does not need, conditions missing. A role that already signed this round: 409.
    All under a lock on the request row, so concurrent sign-offs are counted one at a time.
    """
    problems = {}
    if role not in SignOffRole.values:
        problems["role"] = [f'"{role}" is not a sign-off role; use one of {", ".join(SignOffRole.values)}.']
    if decision not in Decision.values:
        problems["decision"] = [f'"{decision}" is not a decision; use one of {", ".join(Decision.values)}.']
    if decision == Decision.APPROVE_WITH_CONDITIONS and not (conditions or "").strip():
        problems["conditions"] = ["State the conditions of an approval with conditions."]
    if problems:
        raise ValidationError(problems)
    own = "You filed this request; the requester never signs off their own request."
    if AdoptionRequest.objects.filter(pk=request_id, requester_id=signer.pk).exists():
        raise PermissionDenied(own)
    if not signer.has_perm("register.add_signoff"):
        raise PermissionDenied("Your role cannot sign off adoption requests (auditors and requesters read only).")
    with transaction.atomic():
        request = _locked(request_id)
        if signer.pk == request.requester_id:
            raise PermissionDenied(own)
        if role not in user_sign_off_roles(signer):
            raise PermissionDenied(f"A {role} sign-off needs a member of the {role} group; you are not one.")
        if request.state not in REVIEW_STATES:
            raise ValidationError(
                {
                    "state": [
                        f"This request is {request.get_state_display().lower()}; sign-offs are taken only while "
                        "it is in review or reopened."
                    ]
                }
            )
        if role not in request.required_roles:
            raise ValidationError(
                {"role": [f"This request needs sign-offs from {', '.join(request.required_roles)}, not {role}."]}
            )
        current = list(SignOff.objects.filter(request=request, review_round=request.review_round))
        mine = next((s for s in current if s.signer_id == signer.pk), None)
        if mine is not None:
            raise PermissionDenied(
                f"You already signed off this request in round {request.review_round} (as {mine.role}); "
                "one person gives at most one sign-off per request and round."
            )
        taken = next((s for s in current if s.role == role), None)
        if taken is not None:
            raise SignOffConflict(
                f"The {role} sign-off for round {request.review_round} was already given by "
                f"{taken.signer.get_username()} at {taken.created_at:%Y-%m-%d %H:%M} UTC."
            )
        sign_off = SignOff(
            request=request,
            review_round=request.review_round,
            role=role,
            signer=signer,
            decision=decision,
            comment=(comment or "").strip(),
            conditions=(conditions or "").strip(),
            risk_state_sha256=risk_state_sha256(request=request),
        )
        sign_off._history_user = signer
        sign_off.save()
        _event(
            request,
            Kind.SIGNED_OFF,
            actor=signer,
            detail={
                "sign_off": sign_off.pk,
                "role": role,
                "decision": decision,
                "conditions": sign_off.conditions,
                "risk_state_sha256": sign_off.risk_state_sha256,
            },
        )
        current.append(sign_off)
        if decision == Decision.REJECT:
            _move(request, Action.REJECT, actor=signer, detail={"by_role": role}, decided_at=timezone.now())
        elif decision == Decision.REQUEST_CHANGES:
            _move(request, Action.REQUEST_CHANGES, actor=signer, detail={"by_role": role})
        else:
            approved = {s.role for s in current if s.decision in APPROVING}
            if set(request.required_roles) <= approved:
                now = timezone.now()
                _move(
                    request,
                    Action.APPROVE,
                    actor=signer,
                    detail={
                        "conditions": [{"role": s.role, "conditions": s.conditions} for s in current if s.conditions]
                    },
                    decided_at=now,
                    expires_on=timezone.localdate(now) + datetime.timedelta(days=approval_validity_days()),
                )
    return sign_off


def adoption_requests_reopen(*, model_ids: Iterable[int], kind: str, reason: str, reference: str = "") -> list[int]:
    """A material change on these models: approved requests reopen (new review round, the old
    sign-offs stay on record, the signers are told); requests whose current round already has
    sign-offs restart it; open requests get fresh risk proposals. Announcing the same reference
    twice changes nothing the second time. Returns the ids of the requests reopened."""
    ids = sorted(set(model_ids))
    detail = {"kind": kind, "reason": reason, "reference": reference}
    reopened: list[int] = []
    candidates = AdoptionRequest.objects.filter(model_id__in=ids, state__in=[State.APPROVED, *REVIEW_STATES])
    for request_id in candidates.order_by("pk").values_list("pk", flat=True):
        with transaction.atomic():
            request = _locked(request_id)
            if (
                reference
                and RequestEvent.objects.filter(
                    request=request,
                    review_round=request.review_round,
                    kind__in=[Kind.REOPENED, Kind.REVIEW_RESTARTED],
                    detail__reference=reference,
                ).exists()
            ):
                continue
            signers = list(
                SignOff.objects.filter(request=request, review_round=request.review_round).values_list(
                    "signer_id", flat=True
                )
            )
            if request.state == State.APPROVED:
                _move(
                    request,
                    Action.REOPEN,
                    actor=None,
                    detail={**detail, "previous_round": request.review_round, "notify_signers": signers},
                    review_round=request.review_round + 1,
                )
                reopened.append(request.pk)
            elif signers:
                _move(
                    request,
                    Action.RESTART_REVIEW,
                    actor=None,
                    detail={**detail, "previous_round": request.review_round, "notify_signers": signers},
                    review_round=request.review_round + 1,
                )
    for model in AIModel.objects.filter(pk__in=ids):
        risk_items_refresh(model=model)
    return reopened


def risk_items_refresh(*, model: AIModel) -> None:
    """Re-run the rules for the model's open requests and its model-level derived items."""
    for request in AdoptionRequest.objects.filter(model=model, state__in=OPEN_STATES).select_related("matrix"):
        risk_items_derive(model=model, request=request, actor=None)
    if RiskItem.objects.filter(model=model, request__isnull=True, origin=RiskItem.Origin.DERIVED).exists():
        risk_items_derive(model=model, request=None, actor=None)


def adoption_requests_expire_due(*, today: datetime.date | None = None) -> list[int]:
    """Approvals whose date has come move to expired (each under its own lock). Idempotent."""
    today = today or timezone.localdate()
    due = AdoptionRequest.objects.filter(
        state__in=[State.APPROVED, State.REOPENED], expires_on__isnull=False, expires_on__lte=today
    )
    expired = []
    for request_id in due.order_by("pk").values_list("pk", flat=True):
        with transaction.atomic():
            request = _locked(request_id)
            if not request.expires_on or request.expires_on > today:
                continue
            if not transition_allowed(state=request.state, action=Action.EXPIRE):
                continue
            signers = list(
                SignOff.objects.filter(request=request).order_by().values_list("signer_id", flat=True).distinct()
            )
            _move(
                request,
                Action.EXPIRE,
                actor=None,
                detail={"expires_on": request.expires_on.isoformat(), "notify_signers": signers},
            )
            expired.append(request.pk)
    return expired


def adoption_request_expiry_set(*, request_id: int, actor, expires_on: datetime.date, reason: str) -> AdoptionRequest:
    """Shorten (or restore) an approval's validity, e.g. to a pilot period. Never beyond the
    configured validity from the decision date."""
    if not actor.has_perm("register.change_adoptionrequest") or not user_is_reviewer(actor):
        raise PermissionDenied("Only legal or procurement may change when an approval expires.")
    if not (reason or "").strip():
        raise ValidationError({"reason": ["Say why the expiry changes."]})
    with transaction.atomic():
        request = _locked(request_id)
        if actor.pk == request.requester_id:
            raise PermissionDenied("The requester cannot change their own approval's expiry.")
        if request.state != State.APPROVED:
            raise ValidationError({"state": ["Only an approved request has an expiry to change."]})
        latest = timezone.localdate(request.decided_at) + datetime.timedelta(days=approval_validity_days())
        if not timezone.localdate() < expires_on <= latest:
            raise ValidationError({"expires_on": [f"Choose a date after today and no later than {latest}."]})
        before = request.expires_on
        request.expires_on = expires_on
        request._history_user = actor
        request.save(update_fields=["expires_on", "updated_at"])
        _event(
            request,
            Kind.EXPIRY_CHANGED,
            actor=actor,
            detail={"from": before.isoformat() if before else None, "to": expires_on.isoformat(), "reason": reason},
        )
    return request


# --- risk items ------------------------------------------------------------------------------

ASSESSMENT_FIELDS = (
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
    "owner",
    "next_review_on",
)


def _proposal_body(proposal: dict | None) -> dict | None:
    if proposal is None:
        return None
    return {k: v for k, v in proposal.items() if k != "proposed_at"}


def risk_items_derive(*, model: AIModel, request: AdoptionRequest | None = None, actor=None) -> DeriveResult:
    """Propose the risk items the facts imply, for a request (on its matrix) or for the model.

    New facts make new items with status "proposed". When the facts behind an item change, an
    item nobody has assessed is refreshed; an item a person assessed keeps every value and gets
    a pending ``proposal`` that a person accepts. An item whose rule no longer fires is retired
    the same way (directly if nobody assessed it, by proposal otherwise).
    """
    result = DeriveResult()
    matrix = request.matrix if request is not None else risk_matrix_default_get()
    derived = rules.derive(model=model)
    now = timezone.now()
    with transaction.atomic():
        if request is not None:
            request = _locked(request.pk)
            if request.state not in OPEN_STATES:
                return result
        scope = RiskItem.objects.select_for_update().filter(model=model, origin=RiskItem.Origin.DERIVED)
        scope = scope.filter(request=request) if request is not None else scope.filter(request__isnull=True)
        existing = {(item.rule, item.derivation_key): item for item in scope}
        for risk in derived:
            values = {
                "category": risk.category,
                "title": risk.title[:255],
                "description": risk.description,
                "inherent_likelihood": _scaled(risk.likelihood, matrix.likelihood_levels),
                "inherent_impact": _scaled(risk.impact, matrix.impact_levels),
                "facts": risk.facts,
            }
            item = existing.pop((risk.rule, risk.key), None)
            if item is None:
                item = RiskItem(
                    model=model,
                    request=request,
                    matrix=matrix,
                    origin=RiskItem.Origin.DERIVED,
                    rule=risk.rule,
                    derivation_key=risk.key,
                    status=RiskItem.Status.PROPOSED,
                    **values,
                )
                item._history_user = actor
                item.save()
                result.created.append(item.pk)
                continue
            untouched = item.assessed_by_id is None and item.status == RiskItem.Status.PROPOSED
            if untouched:
                if any(getattr(item, k) != v for k, v in values.items()) or item.proposal is not None:
                    for name, value in values.items():
                        setattr(item, name, value)
                    item.proposal = None
                    item._history_user = actor
                    item.save()
                    result.updated.append(item.pk)
                continue
            if item.facts == risk.facts and item.status != RiskItem.Status.RETIRED:
                if item.proposal is not None:  # the facts went back to what the person accepted
                    item.proposal = None
                    item._history_user = actor
                    item.save(update_fields=["proposal", "updated_at"])
                    result.updated.append(item.pk)
                continue
            proposal = {**values, "retire": False, "reason": "The facts behind this item changed."}
            if item.status == RiskItem.Status.RETIRED:
                proposal["reason"] = "The rule fires again: reinstate this item."
            if _proposal_body(item.proposal) != proposal:
                item.proposal = {**proposal, "proposed_at": now.isoformat()}
                item._history_user = actor
                item.save(update_fields=["proposal", "updated_at"])
                result.proposed.append(item.pk)
        for item in existing.values():  # the rule no longer fires
            if item.status == RiskItem.Status.RETIRED:
                continue
            if item.assessed_by_id is None and item.status == RiskItem.Status.PROPOSED:
                item.status = RiskItem.Status.RETIRED
                item.proposal = None
                item._history_user = actor
                item.save(update_fields=["status", "proposal", "updated_at"])
                result.retired.append(item.pk)
                continue
            proposal = {"retire": True, "reason": "The facts that raised this item no longer hold.", "facts": {}}
            if _proposal_body(item.proposal) != proposal:
                item.proposal = {**proposal, "proposed_at": now.isoformat()}
                item._history_user = actor
                item.save(update_fields=["proposal", "updated_at"])
                result.proposed.append(item.pk)
        if request is not None and result.changed:
            _event(
                request,
                Kind.RISKS_DERIVED,
                actor=actor,
                detail={
                    "created": result.created,
                    "updated": result.updated,
                    "proposed": result.proposed,
                    "retired": result.retired,
                },
            )
    return result


def _may_write_item(*, actor, request: AdoptionRequest | None, accepting: bool = False) -> None:
    needed = "register.change_riskitem"
    if not actor.has_perm(needed) and not actor.has_perm("register.add_riskitem"):
        raise PermissionDenied("Your role cannot change risk items (auditors read only).")
    reviewer = user_is_reviewer(actor)
    if request is None:
        if not reviewer:
            raise PermissionDenied("Only legal, security or procurement assess a model's own risk items.")
        return
    if request.state not in OPEN_STATES:
        raise ValidationError(
            {
                "request": [
                    f"Request #{request.pk} is {request.get_state_display().lower()}; its risk items can no longer "
                    "change."
                ]
            }
        )
    if reviewer and actor.pk != request.requester_id:
        return
    if accepting:
        raise PermissionDenied("A reviewer (legal, security or procurement) accepts proposed risk items.")
    if actor.pk != request.requester_id:
        raise PermissionDenied("Only the requester or a reviewer may change this request's risk items.")
    if request.state != State.DRAFT:
        raise PermissionDenied("The requester may change risk items only while the request is a draft.")


def _clean_assessment(*, matrix: RiskMatrix, values: dict) -> dict:
    unknown = set(values) - set(ASSESSMENT_FIELDS)
    if unknown:
        raise ValidationError({name: ["This field cannot be set here."] for name in sorted(unknown)})
    problems = levels_problems(matrix=matrix, values=values)
    if "category" in values and values["category"] not in RiskItem.Category.values:
        problems["category"] = [f"Choose one of {', '.join(RiskItem.Category.values)}."]
    if values.get("treatment") not in (None, "", *RiskItem.Treatment.values):
        problems["treatment"] = [f"Choose one of {', '.join(RiskItem.Treatment.values)}."]
    if "title" in values and not (values["title"] or "").strip():
        problems["title"] = ["Give the risk a title."]
    if problems:
        raise ValidationError(problems)
    return values


def _residual_pair(item: RiskItem) -> None:
    if (item.residual_likelihood is None) != (item.residual_impact is None):
        missing = "residual_impact" if item.residual_impact is None else "residual_likelihood"
        raise ValidationError({missing: ["Give residual likelihood and residual impact together."]})


def _record_risk_change(item: RiskItem, *, actor, what: str, fields: list[str]) -> None:
    if item.request_id is not None:
        _event(
            item.request, Kind.RISK_CHANGED, actor=actor, detail={"risk_item": item.pk, "what": what, "fields": fields}
        )


def risk_item_create(*, actor, model: AIModel, request: AdoptionRequest | None = None, values: dict) -> RiskItem:
    """A risk item entered by a person, on the request's matrix (or the default for a model item)."""
    if not actor.has_perm("register.add_riskitem"):
        raise PermissionDenied("Your role cannot add risk items (auditors read only).")
    with transaction.atomic():
        if request is not None:
            request = _locked(request.pk)
            if request.model_id != model.pk:
                raise ValidationError({"model": ["The model must be the request's model."]})
        _may_write_item(actor=actor, request=request)
        matrix = request.matrix if request is not None else risk_matrix_default_get()
        values = _clean_assessment(matrix=matrix, values=dict(values))
        for required in ("category", "title", "inherent_likelihood", "inherent_impact"):
            if values.get(required) in (None, ""):
                raise ValidationError({required: ["This field is required."]})
        item = RiskItem(
            model=model,
            request=request,
            matrix=matrix,
            origin=RiskItem.Origin.MANUAL,
            status=RiskItem.Status.ACCEPTED,
            assessed_by=actor,
            assessed_at=timezone.now(),
            **values,
        )
        _residual_pair(item)
        item._history_user = actor
        item.save()
        _record_risk_change(item, actor=actor, what="added", fields=sorted(values))
    return item


def risk_item_update(*, item_id: int, actor, values: dict) -> RiskItem:
    """A person's assessment of an item. The register never overwrites it afterwards."""
    with transaction.atomic():
        item = RiskItem.objects.select_related("matrix", "request").get(pk=item_id)
        if item.request_id is not None:
            _locked(item.request_id)
        item = RiskItem.objects.select_for_update(of=("self",)).select_related("matrix", "request").get(pk=item_id)
        _may_write_item(actor=actor, request=item.request)
        if item.origin == RiskItem.Origin.DERIVED and not user_is_reviewer(actor):
            raise PermissionDenied("Derived risk items are assessed by a reviewer.")
        values = _clean_assessment(matrix=item.matrix, values=dict(values))
        changed = [name for name, value in values.items() if getattr(item, name) != value]
        if not changed:
            return item
        for name in changed:
            setattr(item, name, values[name])
        _residual_pair(item)
        item.assessed_by = actor
        item.assessed_at = timezone.now()
        item._history_user = actor
        item.save()
        _record_risk_change(item, actor=actor, what="assessed", fields=changed)
    return item


def risk_item_accept(*, item_id: int, actor, values: dict | None = None) -> RiskItem:
    """A reviewer accepts what the register proposed: a new derived item, or a pending proposal
    (changed facts, or retirement). ``values`` may complete the assessment at the same time
    (residual levels, treatment, owner, controls, next review)."""
    with transaction.atomic():
        item = RiskItem.objects.select_related("request").get(pk=item_id)
        if item.request_id is not None:
            _locked(item.request_id)
        item = RiskItem.objects.select_for_update(of=("self",)).select_related("matrix", "request").get(pk=item_id)
        _may_write_item(actor=actor, request=item.request, accepting=True)
        if item.status != RiskItem.Status.PROPOSED and item.proposal is None:
            raise ValidationError({"status": ["Nothing to accept: this item has no pending proposal."]})
        values = _clean_assessment(matrix=item.matrix, values=dict(values or {}))
        what = "accepted"
        if item.proposal is not None:
            proposal = item.proposal
            if proposal.get("retire"):
                item.status = RiskItem.Status.RETIRED
                what = "retired"
            else:
                for name in ("category", "title", "description", "facts"):
                    if name in proposal:
                        setattr(item, name, proposal[name])
                for name in ("inherent_likelihood", "inherent_impact"):
                    if name in proposal and name not in values:
                        setattr(item, name, proposal[name])
                item.status = RiskItem.Status.ACCEPTED
                what = "accepted the proposed update"
            item.proposal = None
        else:
            item.status = RiskItem.Status.ACCEPTED
        for name, value in values.items():
            setattr(item, name, value)
        _residual_pair(item)
        item.assessed_by = actor
        item.assessed_at = timezone.now()
        item._history_user = actor
        item.save()
        _record_risk_change(item, actor=actor, what=what, fields=sorted(values))
    return item
