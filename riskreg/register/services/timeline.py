"""The timeline: one transition at a time on a locked row, each recorded, and the notices they send."""

from __future__ import annotations

import datetime
import logging

from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.urls import NoReverseMatch
from django.utils import timezone

from riskreg.core.errors import BadInput
from riskreg.core.services import site_url
from riskreg.register.models import AdoptionRequest, ApprovalCondition, RequestEvent
from riskreg.register.selectors import conditions_in_round
from riskreg.register.wording import roles_sentence
from riskreg.register.workflow import Action, TransitionRefused, transition_target

logger = logging.getLogger("riskreg.register.services")
Kind = RequestEvent.Kind


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
    from riskreg.register.tasks import request_event_notify_task as notify_task

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
        raise BadInput({"state": [str(exc)]}) from None
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


def request_page_url(request_id: int) -> str:
    """The request page people act on (the workspace's, when installed; the admin's otherwise), for emails."""
    try:
        return site_url("workspace:request-detail", request_id)
    except NoReverseMatch:
        return site_url("admin:register_adoptionrequest_change", request_id)


def _notice(event: RequestEvent) -> tuple[str, str]:
    request = event.request
    head = f"Adoption request #{request.pk} ({request.model.name}, {request.get_access_display()})"
    lines = [
        f"{head}: {event.get_kind_display().lower()}.",
        f"Use case: {request.use_case}",
        f"State now: {request.get_state_display()} (this event: review round {event.review_round}).",
    ]
    if event.detail.get("reason"):
        lines.append(f"Why: {event.detail['reason']}")
    if event.detail.get("reference"):
        lines.append(f"Reference: {event.detail['reference']}")
    if event.kind == Kind.REOPENED:
        lines.append("The earlier sign-offs stay on record; each required role must sign off again.")
    if event.kind in (Kind.SUBMITTED, Kind.REVIEW_RESTARTED):
        lines.append(f"Sign-offs needed: {roles_sentence(request.required_roles)}.")
    if event.kind == Kind.APPROVED:
        lines.extend(conditions_lines(conditions_in_round(request=request, review_round=event.review_round)))
        if request.expires_on:
            lines.append(f"The approval is valid until {request.expires_on.day} {request.expires_on:%b %Y}.")
    lines.append(f"Open it at {request_page_url(request.pk)}")
    subject = f"[riskreg] {head}: {event.get_kind_display().lower()}"
    return subject, "\n".join(lines)


def conditions_lines(conditions: list[ApprovalCondition]) -> list[str]:
    """The conditions an approval carries, one line each with who sees to it and by when (for notices)."""
    if not conditions:
        return []
    lines = ["Approved with conditions:"]
    for condition in conditions:
        owner = (condition.owner.get_full_name() or condition.owner.get_username()) if condition.owner else "nobody yet"
        due = f"due {condition.due.day} {condition.due:%b %Y}" if condition.due else "ongoing"
        lines.append(
            f"- {condition.text} (set by {condition.sign_off.get_role_display().lower()}; owner: {owner}; {due})"
        )
    return lines


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
