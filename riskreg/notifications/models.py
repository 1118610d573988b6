"""Webhooks (per user or per role) and the log of every delivery."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from riskreg.core.roles import Role


class WebhookFormat(models.TextChoices):
    SLACK = "slack", _("Slack incoming webhook")
    TEAMS = "teams", _("Microsoft Teams incoming webhook (Adaptive Card)")
    JSON = "json", _("Plain JSON")


class WebhookEvent(models.TextChoices):
    WAITING_FOR_SIGN_OFF = "waiting_for_sign_off", _("Waiting for your sign-off")
    REOPENED = "reopened", _("Request reopened after a material change")
    DECIDED = "decided", _("Request decided: approved (with its conditions) or rejected")
    ALERT = "alert", _("Watch alert")


class Webhook(models.Model):
    name = models.CharField(_("name"), max_length=120, help_text=_("e.g. Legal team channel"))
    url = models.URLField(
        _("webhook address"),
        max_length=2000,
        help_text=_("The incoming-webhook URL the chat tool gave you. Treat it as a secret: whoever has it can post."),
    )
    format = models.CharField(_("format"), max_length=10, choices=WebhookFormat.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("for the person"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="webhooks",
        help_text=_("Messages meant for this person. Give a person or a role, not both."),
    )
    role = models.CharField(
        _("for the role"),
        max_length=20,
        choices=Role.choices,
        blank=True,
        help_text=_("Messages meant for anyone in this role (a team channel)."),
    )
    events = models.JSONField(
        _("events"),
        default=list,
        help_text=_("Which messages to send: waiting_for_sign_off, reopened, decided, alert."),
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(user__isnull=False) & Q(role="")) | (Q(user__isnull=True) & ~Q(role="")),
                name="webhook_for_a_person_or_a_role",
            ),
            models.CheckConstraint(condition=Q(format__in=["slack", "teams", "json"]), name="webhook_format_known"),
            models.CheckConstraint(condition=Q(url__startswith="http"), name="webhook_url_http"),
        ]

    def __str__(self) -> str:
        return self.name


class WebhookDelivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENT = "sent", _("Delivered")
        RETRYING = "retrying", _("Failed, will try again")
        FAILED = "failed", _("Failed, given up")

    webhook = models.ForeignKey(Webhook, verbose_name=_("webhook"), on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(_("event"), max_length=30, choices=WebhookEvent.choices)
    reference = models.CharField(
        _("about"), max_length=60, help_text=_("What the message is about: request-event:12 or alert:5.")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    response_status = models.PositiveIntegerField(_("HTTP status"), null=True, blank=True)
    error = models.TextField(_("last error"), blank=True)
    title = models.CharField(_("title"), max_length=300, blank=True)
    body = models.TextField(_("what was sent"), blank=True)
    created_at = models.DateTimeField(_("queued at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["webhook", "event", "reference"], name="webhook_delivery_once"),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "sent", "retrying", "failed"]), name="webhook_delivery_status_known"
            ),
        ]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.get_event_display()} to {self.webhook} ({self.get_status_display().lower()})"
