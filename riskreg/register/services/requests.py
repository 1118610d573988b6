"""Adoption requests and sign-offs: filing, review, decisions, reopening on change, expiry."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from models_catalog.models import AIModel
from models_catalog.uses import jurisdiction_of
from riskreg.core.errors import PERMISSION, BadInput, Refused
from riskreg.register.context import context_clean
from riskreg.register.matrices import residual_assessment_missing
from riskreg.register.models import (
    AdoptionRequest,
    DataClassification,
    RequestEvent,
    RiskItem,
    SignOff,
    SignOffRole,
)
from riskreg.register.selectors import risk_state_sha256, user_is_reviewer, user_sign_off_roles
from riskreg.register.services.approvals import conditions_record
from riskreg.register.services.matrices import risk_matrix_default_get
from riskreg.register.services.risks import risk_items_derive, risk_items_refresh
from riskreg.register.services.timeline import _event, _locked, _move
from riskreg.register.workflow import REVIEW_STATES, Action, required_roles_for, transition_allowed

State = AdoptionRequest.State
Decision = SignOff.Decision
Kind = RequestEvent.Kind

APPROVING = (Decision.APPROVE, Decision.APPROVE_WITH_CONDITIONS)


class SignOffConflict(Refused):
    """The role has already signed off in this review round (answered 409)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, code="conflict")


def approval_validity_days() -> int:
    return settings.RISKREG_APPROVAL_VALIDITY_DAYS


def adoption_request_create(
    *, requester, model: AIModel, use_case: str, data_classification: str, context: dict
) -> AdoptionRequest:
    """File a request (draft) with its adoption context on the default matrix, and propose the risk items the
    facts and the use imply. Bad input is refused whole, every field named (riskreg.register.context)."""
    if not requester.has_perm("register.add_adoptionrequest"):
        raise Refused("Your role cannot file adoption requests.", code=PERMISSION)
    values = _request_values(use_case=use_case, data_classification=data_classification, context=context)
    matrix = risk_matrix_default_get()
    with transaction.atomic():
        request = AdoptionRequest(
            model=model,
            requester=requester,
            matrix=matrix,
            required_roles=required_roles_for(data_classification=values["data_classification"]),
            **values,
        )
        request._history_user = requester
        request.save()
        _event(request, Kind.CREATED, actor=requester, to_state=request.state)
        risk_items_derive(model=model, request=request, actor=None)
    return request


def _request_values(*, use_case: str, data_classification: str, context: dict) -> dict:
    problems = {}
    try:
        clean = context_clean(context)
    except BadInput as error:
        problems.update(error.message_dict)
        clean = {}
    if not (use_case or "").strip():
        problems["use_case"] = ["Say what the model will be used for."]
    if data_classification not in DataClassification.values:
        problems["data_classification"] = [f"Choose one of {', '.join(DataClassification.values)}."]
    if problems:
        raise BadInput(problems)
    return {**clean, "use_case": use_case.strip(), "data_classification": data_classification}


def adoption_request_update(
    *, request_id: int, actor, use_case: str, data_classification: str, context: dict
) -> AdoptionRequest:
    """The requester changes their draft (purpose, classification, context): the risk items the register proposed
    are derived again for the new use. Only a draft changes; a request in review is withdrawn and filed again."""
    values = _request_values(use_case=use_case, data_classification=data_classification, context=context)
    with transaction.atomic():
        request = _locked(request_id)
        if actor.pk != request.requester_id:
            raise Refused("Only the requester changes their request.", code=PERMISSION)
        if request.state != State.DRAFT:
            raise Refused(
                f"Request #{request.pk} is {request.get_state_display().lower()}; only a draft can be changed.",
                code="state",
            )
        changed = sorted(name for name, value in values.items() if getattr(request, name) != value)
        if not changed:
            return request
        for name in changed:
            setattr(request, name, values[name])
        request.required_roles = required_roles_for(data_classification=request.data_classification)
        request._history_user = actor
        request.save()
        _event(request, Kind.CONTEXT_CHANGED, actor=actor, detail={"fields": changed})
        risk_items_derive(model=request.model, request=request, actor=None)
    return request


def adoption_requests_open_for(*, model: AIModel, use_case_area: str, jurisdictions) -> list[AdoptionRequest]:
    """Open requests for the same model and use (the same use-case area, a place of use in common): filing
    another one is probably a duplicate, so the new-request page says so, with links."""
    places = {jurisdiction_of(code) for code in jurisdictions or ()}
    found = []
    for request in AdoptionRequest.objects.filter(
        model=model, use_case_area=use_case_area, state__in=[State.DRAFT, *REVIEW_STATES, State.APPROVED]
    ).order_by("pk"):
        if not places or places & {jurisdiction_of(code) for code in request.jurisdictions or ()}:
            found.append(request)
    return found


def adoption_request_submit(*, request_id: int, actor) -> AdoptionRequest:
    """Send a draft (or an expired approval, for renewal) to the reviewers. A resubmission opens a
    new review round; the sign-off roles are fixed now from the data classification."""
    with transaction.atomic():
        request = _locked(request_id)
        if actor.pk != request.requester_id:
            raise Refused("Only the requester can submit this request.", code=PERMISSION)
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
            raise Refused("Only the requester can withdraw this request.", code=PERMISSION)
        _move(request, Action.WITHDRAW, actor=actor, detail={"reason": reason} if reason else None)
    return request


def sign_off_create(
    *, request_id: int, signer, role: str, decision: str, comment: str = "", conditions: str = ""
) -> SignOff:
    """Record one sign-off and move the request if it decides it.

    Separation of duties (403): the requester never signs their own request; a person signs at
    most once per review round; a role's sign-off needs that role's group; auditors change
    nothing. A request not in review (decided meanwhile, say) and a role that already signed this round: 409.
    Bad input (400): unknown role or decision, a role the request does not need, conditions missing.
    All under a lock on the request row, so concurrent sign-offs are counted one at a time.
    """
    _sign_off_input_check(role=role, decision=decision, conditions=conditions)
    own = "You filed this request; the requester never signs off their own request."
    if AdoptionRequest.objects.filter(pk=request_id, requester_id=signer.pk).exists():
        raise Refused(own, code=PERMISSION)
    if not signer.has_perm("register.add_signoff"):
        raise Refused(
            "Your role cannot sign off adoption requests (auditors and requesters read only).", code=PERMISSION
        )
    with transaction.atomic():
        request = _locked(request_id)
        if signer.pk == request.requester_id:
            raise Refused(own, code=PERMISSION)
        _sign_off_request_check(request=request, signer=signer, role=role)
        if decision in APPROVING:
            approval_gate_check(request=request)
        current = list(SignOff.objects.filter(request=request, review_round=request.review_round))
        _sign_off_once_check(request=request, signer=signer, role=role, current=current)
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
        if sign_off.decision == Decision.APPROVE_WITH_CONDITIONS:
            conditions_record(sign_off=sign_off)
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
        _sign_off_decide(request=request, sign_off=sign_off, current=current)
    return sign_off


def _sign_off_input_check(*, role: str, decision: str, conditions: str) -> None:
    """A known role and decision, and the conditions of an approval with conditions (400 by field)."""
    problems = {}
    if role not in SignOffRole.values:
        problems["role"] = [f'"{role}" is not a sign-off role; use one of {", ".join(SignOffRole.values)}.']
    if decision not in Decision.values:
        problems["decision"] = [f'"{decision}" is not a decision; use one of {", ".join(Decision.values)}.']
    if decision == Decision.APPROVE_WITH_CONDITIONS and not (conditions or "").strip():
        problems["conditions"] = ["State the conditions of an approval with conditions."]
    if problems:
        raise BadInput(problems)


def _sign_off_request_check(*, request: AdoptionRequest, signer, role: str) -> None:
    """The signer holds the role, the request is in review and needs this role (on the locked row)."""
    if role not in user_sign_off_roles(signer):
        raise Refused(f"A {role} sign-off needs a member of the {role} group; you are not one.", code=PERMISSION)
    if request.state not in REVIEW_STATES:  # decided, withdrawn or not yet submitted: a conflict with its state
        raise Refused(
            f"This request is {request.get_state_display().lower()}; sign-offs are taken only while it is in review "
            "or reopened.",
            code="not_in_review",
        )
    if role not in request.required_roles:
        raise BadInput(
            {"role": [f"This request needs sign-offs from {', '.join(request.required_roles)}, not {role}."]}
        )


def approval_gate_check(*, request: AdoptionRequest) -> None:
    """A request is approved on assessed risk: no proposed item or pending proposal left, and every item in the
    matrix's two highest bands has its residual assessment. Raises BadInput (``risk_items``) saying what is left."""
    items = list(RiskItem.objects.filter(request=request).select_related("matrix"))
    proposed = sum(item.status == RiskItem.Status.PROPOSED for item in items)
    pending = sum(item.status != RiskItem.Status.PROPOSED and item.proposal is not None for item in items)
    if proposed or pending:
        what = []
        if proposed:
            what.append(f"{proposed} proposed risk item(s) of this request are not assessed yet")
        if pending:
            what.append(f"{pending} risk item(s) have a pending change the register proposed after the facts changed")
        raise BadInput(
            {
                "risk_items": [
                    f"{'; '.join(what)}; accept or assess them before approving (rejecting or requesting "
                    "changes is still possible)."
                ]
            }
        )
    unassessed = [item for item in items if residual_assessment_missing(item)]
    if unassessed:
        names = "; ".join(f"#{item.pk} {item.title}" for item in unassessed)
        raise BadInput(
            {
                "risk_items": [
                    f"{len(unassessed)} risk item(s) in the matrix's two highest bands have no residual "
                    f"likelihood, residual impact and treatment yet ({names}); a request is approved on its "
                    "residual risk, so assess them first."
                ]
            }
        )


def _sign_off_once_check(*, request: AdoptionRequest, signer, role: str, current: list[SignOff]) -> None:
    """One sign-off per person (403) and per role (409) in this review round."""
    mine = next((s for s in current if s.signer_id == signer.pk), None)
    if mine is not None:
        raise Refused(
            f"You already signed off this request in round {request.review_round} (as {mine.role}); "
            "one person gives at most one sign-off per request and round.",
            code=PERMISSION,
        )
    taken = next((s for s in current if s.role == role), None)
    if taken is not None:
        raise SignOffConflict(
            f"The {role} sign-off for round {request.review_round} was already given by "
            f"{taken.signer.get_username()} at {taken.created_at:%Y-%m-%d %H:%M} UTC."
        )


def _sign_off_decide(*, request: AdoptionRequest, sign_off: SignOff, current: list[SignOff]) -> None:
    """Move the request when this sign-off decides it: a rejection, a request for changes, or the last approval."""
    role, signer = sign_off.role, sign_off.signer
    if sign_off.decision == Decision.REJECT:
        _move(request, Action.REJECT, actor=signer, detail={"by_role": role}, decided_at=timezone.now())
    elif sign_off.decision == Decision.REQUEST_CHANGES:
        _move(request, Action.REQUEST_CHANGES, actor=signer, detail={"by_role": role})
    else:
        approved = {s.role for s in current if s.decision in APPROVING}
        if set(request.required_roles) <= approved:
            now = timezone.now()
            _move(
                request,
                Action.APPROVE,
                actor=signer,
                detail={"conditions": [{"role": s.role, "conditions": s.conditions} for s in current if s.conditions]},
                decided_at=now,
                expires_on=timezone.localdate(now) + datetime.timedelta(days=approval_validity_days()),
            )


def adoption_requests_reopen(
    *,
    model_ids: Iterable[int],
    kind: str,
    reason: str,
    reference: str = "",
    change_id: int | None = None,
    changed_at: datetime.datetime | None = None,
) -> list[int]:
    """A material change on these models: approved requests reopen (new review round, the old
    sign-offs stay on record, the signers are told); requests whose current round already has
    sign-offs restart it; open requests get fresh risk proposals. Announcing the same reference
    twice changes nothing the second time, nor does applying the same recorded change (``change_id``,
    kept on the request event) again. A change applied after it was recorded (``changed_at``: the worker was
    down, a retry) leaves alone the requests filed, and the approvals decided, after it: they saw the fact.
    Returns the ids of the requests reopened."""
    ids = sorted(set(model_ids))
    detail = {"kind": kind, "reason": reason, "reference": reference}
    if change_id is not None:
        detail["change_id"] = change_id
    reopened: list[int] = []
    candidates = AdoptionRequest.objects.filter(model_id__in=ids, state__in=[State.APPROVED, *REVIEW_STATES])
    if changed_at is not None:
        candidates = candidates.filter(created_at__lte=changed_at).exclude(decided_at__gt=changed_at)
    for request_id in candidates.order_by("pk").values_list("pk", flat=True):
        with transaction.atomic():
            request = _locked(request_id)
            if (
                change_id is not None
                and RequestEvent.objects.filter(
                    request=request, kind__in=[Kind.REOPENED, Kind.REVIEW_RESTARTED], detail__change_id=change_id
                ).exists()
            ):
                continue
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
        raise Refused("Only legal or procurement may change when an approval expires.", code=PERMISSION)
    if not (reason or "").strip():
        raise BadInput({"reason": ["Say why the expiry changes."]})
    with transaction.atomic():
        request = _locked(request_id)
        if actor.pk == request.requester_id:
            raise Refused("The requester cannot change their own approval's expiry.", code=PERMISSION)
        if request.state != State.APPROVED:
            raise BadInput({"state": ["Only an approved request has an expiry to change."]})
        latest = timezone.localdate(request.decided_at) + datetime.timedelta(days=approval_validity_days())
        if not timezone.localdate() < expires_on <= latest:
            raise BadInput({"expires_on": [f"Choose a date after today and no later than {latest}."]})
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
