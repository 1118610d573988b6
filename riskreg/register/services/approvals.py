"""What an approval carries after the sign-offs: its conditions, and the new obligations reviewers considered.

- Conditions of approval are tracked as obligations of ours: each condition a sign-off sets becomes a record with
  an owner, a due date (or "ongoing"), a state and the evidence that shows it met, so that none is lost after the
  approval: the requester's page, the approval email and webhook, the API, the memo and the auditors' export all
  read these records.
- An obligation of the request that starts within the approval's validity flags it for review
  (riskreg.register.obligations.approvals_to_review) until a reviewer records that it was considered, and why the
  approval stands.
"""

from __future__ import annotations

import datetime
import re

from django.db import transaction
from django.utils import timezone

from riskreg.core.errors import PERMISSION, BadInput, Refused
from riskreg.register.models import ApprovalCondition, ObligationConsidered, RequestEvent, SignOff
from riskreg.register.obligations import request_obligations
from riskreg.register.selectors import user_is_reviewer
from riskreg.register.services.timeline import _event, _locked

Kind = RequestEvent.Kind
MAX_CONDITIONS = 20


def conditions_split(text: str) -> list[str]:
    """One condition per line, or per sentence part separated by a semicolon: "Self-hosted only; no payment to
    the developer." -> ["Self-hosted only.", "No payment to the developer."]."""
    parts = [part.strip(" \t-•*.") for part in re.split(r"[;\n]+", text or "")]
    found = []
    for part in parts:
        if part:
            found.append(part[0].upper() + part[1:] + ".")
    return found[:MAX_CONDITIONS]


def conditions_record(*, sign_off: SignOff) -> list[ApprovalCondition]:
    """The conditions a sign-off sets, as records owned by the request's business owner (else its requester),
    ongoing until someone gives a due date. Called by sign_off_create in its transaction."""
    request = sign_off.request
    owner_id = request.business_owner_id or request.requester_id
    made = []
    for text in conditions_split(sign_off.conditions):
        condition = ApprovalCondition(request=request, sign_off=sign_off, text=text, owner_id=owner_id)
        condition._history_user = sign_off.signer
        condition.save()
        made.append(condition)
    return made


def _condition_locked(condition_id: int) -> ApprovalCondition:
    condition = ApprovalCondition.objects.select_related("request").get(pk=condition_id)
    _locked(condition.request_id)
    return (
        ApprovalCondition.objects.select_for_update(of=("self",))
        .select_related("request", "owner")
        .get(pk=condition_id)
    )


def approval_condition_update(
    *, condition_id: int, actor, owner=None, due: datetime.date | None = None, clear_due: bool = False
) -> ApprovalCondition:
    """A reviewer (legal, security, procurement) gives a condition its owner and due date (or makes it ongoing)."""
    if not user_is_reviewer(actor):
        raise Refused("Legal, security or procurement set who sees to a condition and by when.", code=PERMISSION)
    with transaction.atomic():
        condition = _condition_locked(condition_id)
        if actor.pk == condition.request.requester_id:
            raise Refused("Whoever filed the request does not set the terms of its conditions.", code=PERMISSION)
        if due is not None and due < timezone.localdate():
            raise BadInput({"due": ["Give a day from today on, or leave it empty for an ongoing condition."]})
        changed = {}
        if owner is not None and owner.pk != condition.owner_id:
            changed["owner"] = owner.get_username()
            condition.owner = owner
        if clear_due and condition.due is not None:
            changed["due"] = None
            condition.due = None
        elif due is not None and due != condition.due:
            changed["due"] = due.isoformat()
            condition.due = due
        if not changed:
            return condition
        condition._history_user = actor
        condition.save()
        _event(condition.request, Kind.CONDITION_CHANGED, actor=actor, detail={"condition": condition.pk, **changed})
    return condition


def approval_condition_meet(*, condition_id: int, actor, evidence: str) -> ApprovalCondition:
    """The condition's owner, or a reviewer, records the evidence that shows the condition met."""
    evidence = (evidence or "").strip()
    if not evidence:
        raise BadInput({"evidence": ["Say what shows the condition met (a document, a setting, a link)."]})
    with transaction.atomic():
        condition = _condition_locked(condition_id)
        if actor.pk != condition.owner_id and not user_is_reviewer(actor):
            raise Refused("The condition's owner, or a reviewer, records that it is met.", code=PERMISSION)
        if condition.state == ApprovalCondition.State.MET:
            raise Refused(
                f"Already recorded as met on {condition.met_at:%d %b %Y} by {condition.met_by.get_username()}.",
                code="already_met",
            )
        condition.state = ApprovalCondition.State.MET
        condition.evidence = evidence[:4000]
        condition.met_by = actor
        condition.met_at = timezone.now()
        condition._history_user = actor
        condition.save()
        _event(
            condition.request,
            Kind.CONDITION_CHANGED,
            actor=actor,
            detail={"condition": condition.pk, "state": "met", "evidence": condition.evidence},
        )
    return condition


def obligation_consider(*, request_id: int, obligation_id: int, actor, reason: str) -> ObligationConsidered:
    """A reviewer records that an obligation starting within the approval's validity was considered, and why the
    approval stands; the review flag no longer counts it. Recorded once per request and obligation, in the
    timeline."""
    reason = (reason or "").strip()
    if not reason:
        raise BadInput({"reason": ["Say why the approval stands with this obligation (e.g. the duty is planned)."]})
    if not user_is_reviewer(actor):
        raise Refused("Legal, security or procurement mark an obligation considered.", code=PERMISSION)
    with transaction.atomic():
        request = _locked(request_id)
        if actor.pk == request.requester_id:
            raise Refused("Whoever filed the request does not review its approval.", code=PERMISSION)
        entry = next((o for o in request_obligations(request=request) if o["obligation_id"] == obligation_id), None)
        if entry is None:
            raise BadInput({"obligation": ["Not an obligation of this request's use."]})
        if ObligationConsidered.objects.filter(request=request, obligation_id=obligation_id).exists():
            raise Refused("This obligation was already marked considered for this request.", code="already_considered")
        record = ObligationConsidered.objects.create(
            request=request, obligation_id=obligation_id, by=actor, reason=reason[:4000]
        )
        _event(
            request,
            Kind.OBLIGATION_CONSIDERED,
            actor=actor,
            detail={
                "obligation": obligation_id,
                "what": entry["title"],
                "citation": entry["citation"],
                "applies_from": entry["applies_from"],
                "reason": record.reason,
            },
        )
    return record
