"""Webhook notifications: who gets which message, what it says, and sending it.

- ``webhook_deliveries_for_request_event``: a request submitted (or its review restarted) is "waiting for your
  sign-off" for the roles it needs and their members (never the requester); a reopened request goes to the
  roles it needs, to the people who signed the earlier round and to the requester.
- ``webhook_deliveries_for_alert``: a watch alert goes to its source's owner, its assignee and every role webhook
  that asked for alerts.
- One delivery row per webhook and event (a unique constraint), written in the transaction that made the event,
  sent by a Celery task after commit (``webhook_delivery_send``) through riskreg.core.http, whose address rules
  apply (no private addresses unless allowed). Each attempt is recorded: the delivery log in the admin.
"""

from __future__ import annotations

import json

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.urls import NoReverseMatch
from django.utils import timezone

from riskreg.core.http import AddressRefused, FetchError, HTTPStatusError, post
from riskreg.core.services import site_url
from riskreg.notifications.models import Webhook, WebhookDelivery, WebhookEvent, WebhookFormat
from riskreg.register.models import RequestEvent
from riskreg.register.selectors import conditions_in_round
from riskreg.register.services.timeline import conditions_lines
from riskreg.register.wording import roles_sentence
from riskreg.watch.models import Alert

Kind = RequestEvent.Kind
Status = WebhookDelivery.Status
MAX_ATTEMPTS = 6  # the first try and five retries (the task's max_retries)


class WebhookRetry(Exception):
    """A failure worth another try later (timeout, no connection, HTTP 429 or 5xx)."""


# --- who gets what ------------------------------------------------------------------------------------------


def _subscribed(event: str, *, user_ids: set[int], roles: set[str]) -> list[Webhook]:
    hooks = Webhook.objects.filter(enabled=True).filter(Q(user_id__in=user_ids) | Q(role__in=roles))
    return [hook for hook in hooks if event in (hook.events or [])]


def _deliveries(hooks: list[Webhook], *, event: str, reference: str) -> list[int]:
    ids = []
    for hook in hooks:
        delivery, created = WebhookDelivery.objects.get_or_create(webhook=hook, event=event, reference=reference)
        if created:
            ids.append(delivery.pk)
    if ids:
        from riskreg.notifications.tasks import webhook_delivery_send_task as task

        for delivery_id in ids:
            task.delay_on_commit(delivery_id)
    return ids


def webhook_deliveries_for_request_event(*, event: RequestEvent) -> list[int]:
    request = event.request
    User = get_user_model()
    if event.kind in (Kind.SUBMITTED, Kind.REVIEW_RESTARTED):
        kind = WebhookEvent.WAITING_FOR_SIGN_OFF
        roles = set(request.required_roles)
        users = set(
            User.objects.filter(is_active=True, groups__name__in=roles)
            .exclude(pk=request.requester_id)
            .values_list("pk", flat=True)
        )
    elif event.kind == Kind.REOPENED:
        kind = WebhookEvent.REOPENED
        roles = set(request.required_roles)
        users = set((event.detail or {}).get("notify_signers") or []) | {request.requester_id}
    elif event.kind in (Kind.APPROVED, Kind.REJECTED):
        kind = WebhookEvent.DECIDED
        roles = set(request.required_roles)
        owners = [c.owner_id for c in conditions_in_round(request=request, review_round=event.review_round)]
        users = {request.requester_id, request.business_owner_id, *owners}
        users.discard(None)
    else:
        return []
    return _deliveries(
        _subscribed(kind, user_ids=users, roles=roles), event=kind, reference=f"request-event:{event.pk}"
    )


def webhook_deliveries_for_alert(*, alert: Alert) -> list[int]:
    users = {pk for pk in (alert.assignee_id, alert.change.source.owner_id if alert.change_id else None) if pk}
    hooks = [
        hook
        for hook in Webhook.objects.filter(enabled=True).filter(Q(user_id__in=users) | ~Q(role=""))
        if WebhookEvent.ALERT in (hook.events or [])
    ]
    return _deliveries(hooks, event=WebhookEvent.ALERT, reference=f"alert:{alert.pk}")


# --- what it says -------------------------------------------------------------------------------------------


def _page(viewname: str, fallback: str, pk: int) -> str:
    try:
        return site_url(viewname, pk)
    except NoReverseMatch:
        return site_url(fallback, pk)


def message_for(delivery: WebhookDelivery) -> dict:
    """{"title", "text", "url", "facts": {...}} in words, for every format."""
    kind, _, pk = delivery.reference.partition(":")
    if kind == "request-event":
        event = RequestEvent.objects.select_related("request__model", "request__requester").get(pk=int(pk))
        request = event.request
        url = _page("workspace:request-detail", "admin:register_adoptionrequest_change", request.pk)
        what = f"adoption request #{request.pk}: {request.model.name} for {request.use_case[:120]}"
        conditions = []
        if delivery.event == WebhookEvent.DECIDED:
            conditions = conditions_in_round(request=request, review_round=event.review_round)
            decided = event.get_kind_display().lower()
            title = f"{event.get_kind_display()}: {request.model.name} (request #{request.pk})"
            lines = conditions_lines(conditions)
            text = f"{what[0].upper()}{what[1:]} is {decided}." + (" " + " ".join(lines) if lines else "")
        elif delivery.event == WebhookEvent.WAITING_FOR_SIGN_OFF:
            title = f"Waiting for your sign-off: {request.model.name} (request #{request.pk})"
            text = (
                f"{request.requester.get_username()} submitted {what}. It needs sign-off from "
                f"{roles_sentence(request.required_roles)}; the page names what is still missing."
            )
        else:
            reason = (event.detail or {}).get("reason") or "a material change"
            title = f"Reopened: {request.model.name} (request #{request.pk})"
            text = f"The approval of {what} is reopened. Why: {reason} Every required role signs again."
        facts = {
            "request": request.pk,
            "model": request.model.name,
            "state": request.get_state_display(),
            "required_sign_offs": roles_sentence(request.required_roles),
        }
        if delivery.event == WebhookEvent.DECIDED:
            facts["conditions"] = [
                {
                    "text": c.text,
                    "owner": c.owner.get_username() if c.owner else None,
                    "due": c.due.isoformat() if c.due else None,
                    "state": c.state,
                }
                for c in conditions
            ]
        return {"title": title, "text": text, "url": url, "facts": facts}
    alert = Alert.objects.select_related("change__source").prefetch_related("ai_models").get(pk=int(pk))
    models = ", ".join(model.name for model in alert.ai_models.all()) or "none in the catalog"
    source = alert.change.source.name if alert.change_id else "a watched source"
    return {
        "title": f"Watch alert: {alert.title}",
        "text": f"From {source}. Models concerned: {models}. Names matched: {', '.join(alert.matched_terms)}.",
        "url": _page("admin:watch_alert_change", "admin:watch_alert_change", alert.pk),
        "facts": {"alert": alert.pk, "source": source, "models": models, "link": alert.url},
    }


def webhook_body(*, format: str, event: str, message: dict) -> bytes:
    """The body each tool expects: Slack's {"text"}, a Teams Adaptive Card message, or plain JSON."""
    if format == WebhookFormat.SLACK:
        payload = {"text": f"*{message['title']}*\n{message['text']}\n<{message['url']}|Open it in riskreg>"}
    elif format == WebhookFormat.TEAMS:
        payload = {
            "type": "message",
            "attachments": [
                {
                    "contentType": "application/vnd.microsoft.card.adaptive",
                    "contentUrl": None,
                    "content": {
                        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                        "type": "AdaptiveCard",
                        "version": "1.4",
                        "body": [
                            {"type": "TextBlock", "text": message["title"], "weight": "Bolder", "wrap": True},
                            {"type": "TextBlock", "text": message["text"], "wrap": True},
                        ],
                        "actions": [{"type": "Action.OpenUrl", "title": "Open it in riskreg", "url": message["url"]}],
                    },
                }
            ],
        }
    else:
        payload = {
            "event": event,
            "event_label": str(WebhookEvent(event).label),
            "title": message["title"],
            "text": message["text"],
            "url": message["url"],
            **message["facts"],
        }
    return json.dumps(payload, ensure_ascii=False).encode("utf-8")


# --- sending ------------------------------------------------------------------------------------------------


def webhook_delivery_send(*, delivery_id: int) -> str:
    """One attempt. Returns the status; raises WebhookRetry when another attempt should follow. A delivery
    already sent (a retried task after success) is not sent again; a missing one is ignored."""
    with transaction.atomic():
        delivery = WebhookDelivery.objects.select_for_update().select_related("webhook").filter(pk=delivery_id).first()
        if delivery is None or delivery.status in (Status.SENT, Status.FAILED):
            return delivery.status if delivery else "missing"
        message = message_for(delivery)
        body = webhook_body(format=delivery.webhook.format, event=delivery.event, message=message)
        delivery.attempts += 1
        delivery.title = message["title"][:300]
        delivery.body = body.decode("utf-8")
        try:
            response = post(delivery.webhook.url, body=body)
        except FetchError as exc:
            status = getattr(exc, "status", None)
            if isinstance(exc, AddressRefused):
                retry = False  # a configuration error: trying again changes nothing
            elif isinstance(exc, HTTPStatusError):
                retry = status == 429 or (status or 0) >= 500
            else:
                retry = True  # timeout, refused or broken connection
            delivery.response_status = status
            delivery.error = str(exc)[:2000]
            delivery.status = Status.RETRYING if retry and delivery.attempts < MAX_ATTEMPTS else Status.FAILED
            delivery.save()
        else:
            delivery.response_status = response.status
            delivery.error = ""
            delivery.status = Status.SENT
            delivery.sent_at = timezone.now()
            delivery.save()
    if delivery.status == Status.RETRYING:
        raise WebhookRetry(delivery.error)
    return delivery.status
