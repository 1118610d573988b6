"""Webhooks per person or per role, in Slack, Teams and plain JSON, against a real HTTP receiver on loopback."""

from __future__ import annotations

import json

import pytest
from werkzeug import Response

from riskreg.core.events import ChangeKind
from riskreg.notifications.models import Webhook, WebhookDelivery
from riskreg.notifications.services import WebhookRetry, webhook_delivery_send
from riskreg.notifications.tasks import webhook_delivery_send_task
from riskreg.register import services
from riskreg.watch.services import watch_source_create, watch_source_record
from tests.watch.conftest import rss


@pytest.fixture(scope="session")
def httpserver_listen_address():
    return ("127.0.0.1", 0)


def hook(httpserver, name: str, *, format: str, events: list[str], user=None, role: str = "") -> Webhook:
    return Webhook.objects.create(
        name=name, url=httpserver.url_for(f"/{name}"), format=format, events=events, user=user, role=role
    )


def test_submitting_tells_the_roles_and_reviewers_in_their_formats_but_not_the_requester(
    draft,
    requester,
    security,
    httpserver,
    django_capture_on_commit_callbacks,
):
    legal_channel = hook(httpserver, "legal", format="slack", events=["waiting_for_sign_off"], role="legal")
    security_own = hook(httpserver, "security", format="json", events=["waiting_for_sign_off"], user=security)
    hook(httpserver, "requester", format="json", events=["waiting_for_sign_off"], user=requester)
    hook(httpserver, "alerts-only", format="json", events=["alert"], role="procurement")
    httpserver.expect_request("/legal", method="POST").respond_with_data("ok")
    httpserver.expect_request("/security", method="POST").respond_with_data("ok")

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.adoption_request_submit(request_id=draft.pk, actor=requester)

    deliveries = list(WebhookDelivery.objects.order_by("webhook__name"))
    assert [d.webhook for d in deliveries] == [legal_channel, security_own]
    assert sum("webhook_delivery_send" in repr(cb) for cb in callbacks) == 2  # one task each, after commit
    for delivery in deliveries:
        assert webhook_delivery_send_task(delivery.pk) == "sent"

    bodies = {request.path: json.loads(request.data) for request, _ in httpserver.log}
    assert set(bodies) == {"/legal", "/security"}
    slack = bodies["/legal"]["text"]
    assert slack.startswith(f"*Waiting for your sign-off: Llama 4 (request #{draft.pk})*")
    assert f"/requests/{draft.pk}/|Open it in riskreg>" in slack
    plain = bodies["/security"]
    assert plain["event"] == "waiting_for_sign_off" and plain["request"] == draft.pk
    assert plain["required_sign_offs"] == "legal, security and procurement"
    assert WebhookDelivery.objects.filter(status="sent").count() == 2


def test_a_reopened_approval_reaches_a_teams_channel_with_the_reason(
    in_review,
    legal,
    security,
    procurement,
    httpserver,
    django_capture_on_commit_callbacks,
):
    for user in (legal, security, procurement):
        services.sign_off_create(request_id=in_review.pk, signer=user, role=user.username, decision="approve")
    teams = hook(httpserver, "teams", format="teams", events=["reopened"], role="legal")
    httpserver.expect_request("/teams", method="POST").respond_with_data("1")

    services.adoption_requests_reopen(
        model_ids=[in_review.model_id], kind=ChangeKind.WATCH_ALERT, reason="Entity List rule.", reference="r1"
    )

    delivery = WebhookDelivery.objects.get(webhook=teams)
    assert webhook_delivery_send(delivery_id=delivery.pk) == "sent"
    card = json.loads(httpserver.log[0][0].data)["attachments"][0]
    assert card["contentType"] == "application/vnd.microsoft.card.adaptive"
    texts = [block["text"] for block in card["content"]["body"]]
    assert texts[0] == f"Reopened: Llama 4 (request #{in_review.pk})"
    assert "Why: Entity List rule." in texts[1]
    assert card["content"]["actions"][0]["url"].endswith(f"/requests/{in_review.pk}/")


def test_a_server_error_is_tried_again_and_a_client_error_is_given_up(in_review, legal, httpserver):
    flaky = hook(httpserver, "flaky", format="json", events=["reopened"], role="legal")
    gone = hook(httpserver, "gone", format="json", events=["reopened"], role="legal")
    answers = iter([Response("busy", status=503), Response("ok", status=200)])
    httpserver.expect_request("/flaky", method="POST").respond_with_handler(lambda request: next(answers))
    httpserver.expect_request("/gone", method="POST").respond_with_data("no such hook", status=404)
    event = in_review.events.first()
    first = WebhookDelivery.objects.create(webhook=flaky, event="reopened", reference=f"request-event:{event.pk}")
    second = WebhookDelivery.objects.create(webhook=gone, event="reopened", reference=f"request-event:{event.pk}")

    with pytest.raises(WebhookRetry, match="HTTP 503"):
        webhook_delivery_send(delivery_id=first.pk)
    first.refresh_from_db()
    assert (first.status, first.attempts, first.response_status) == ("retrying", 1, 503)
    assert webhook_delivery_send(delivery_id=first.pk) == "sent"
    assert webhook_delivery_send(delivery_id=first.pk) == "sent"  # a retried task sends nothing twice
    assert len([r for r, _ in httpserver.log if r.path == "/flaky"]) == 2

    assert webhook_delivery_send(delivery_id=second.pk) == "failed"
    second.refresh_from_db()
    assert second.response_status == 404 and "no such hook" in second.error


def test_a_private_address_is_refused_and_not_retried(in_review, legal, settings):
    settings.RISKREG_WATCH_ALLOW_PRIVATE = False
    intranet = Webhook.objects.create(
        name="intranet", url="http://10.1.2.3/hook", format="json", events=["reopened"], role="legal"
    )
    event = in_review.events.first()
    delivery = WebhookDelivery.objects.create(webhook=intranet, event="reopened", reference=f"request-event:{event.pk}")
    assert webhook_delivery_send(delivery_id=delivery.pk) == "failed"
    delivery.refresh_from_db()
    assert "10.1.2.3" in delivery.error


def test_a_webhook_is_for_a_person_or_a_role_not_both(legal):
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        Webhook.objects.create(name="x", url="https://hooks.example/x", format="json", user=legal, role="legal")


def test_a_watch_alert_reaches_the_sources_owner(catalog, legal, httpserver, settings, tmp_path):
    settings.RISKREG_DATA_DIR = tmp_path
    own = hook(httpserver, "legal-own", format="slack", events=["alert"], user=legal)
    httpserver.expect_request("/legal-own", method="POST").respond_with_data("ok")
    source = watch_source_create(kind="rss", url="https://example.org/feed.xml", name="BIS news", owner=legal)
    watch_source_record(source_id=source.pk, body=rss(("a", "Nothing", "Nothing of ours.")).encode())
    result = watch_source_record(
        source_id=source.pk,
        body=rss(("a", "Nothing", "Nothing of ours."), ("b", "Entity List additions", "Adds Zhipu AI.")).encode(),
    )

    delivery = WebhookDelivery.objects.get(webhook=own, event="alert")
    assert delivery.reference == f"alert:{result.alert_ids[0]}"
    assert webhook_delivery_send(delivery_id=delivery.pk) == "sent"
    text = json.loads(httpserver.log[0][0].data)["text"]
    assert text.startswith("*Watch alert: Entity List additions*") and "Models concerned: GLM-5" in text


def test_an_approval_with_conditions_reaches_the_requesters_hook_with_each_condition(
    in_review, requester, legal, security, procurement, httpserver, django_capture_on_commit_callbacks
):
    own = hook(httpserver, "requester", format="json", events=["decided"], user=requester)
    httpserver.expect_request("/requester", method="POST").respond_with_data("ok")

    services.sign_off_create(
        request_id=in_review.pk,
        signer=legal,
        role="legal",
        decision="approve_with_conditions",
        conditions="Self-hosted only; no payment to the developer.",
    )
    for user in (security, procurement):
        services.sign_off_create(request_id=in_review.pk, signer=user, role=user.username, decision="approve")

    delivery = WebhookDelivery.objects.get(webhook=own)
    assert (delivery.event, webhook_delivery_send(delivery_id=delivery.pk)) == ("decided", "sent")
    body = json.loads(httpserver.log[0][0].data)
    assert body["event"] == "decided" and body["state"] == "Approved"
    assert body["conditions"] == [
        {"text": "Self-hosted only.", "owner": "requester", "due": None, "state": "open"},
        {"text": "No payment to the developer.", "owner": "requester", "due": None, "state": "open"},
    ]
    assert "Approved with conditions: - Self-hosted only. (set by legal; owner: requester; ongoing)" in body["text"]
