from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkerHeartbeat(models.Model):
    """The last time each Celery worker ran the beat's heartbeat task: proof the pipeline is alive."""

    hostname = models.CharField(_("worker"), max_length=255, unique=True)
    last_seen = models.DateTimeField(_("last seen"))
    beats = models.PositiveBigIntegerField(_("heartbeats received"), default=0)

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")
        ordering = ["-last_seen"]

    def __str__(self) -> str:
        return f"{self.hostname} at {self.last_seen:%Y-%m-%d %H:%M:%S}"


class ChangeKind(models.TextChoices):
    WATCH_ALERT = "watch_alert", _("Watch alert")
    SCREENING_HIT = "screening_hit", _("Confirmed screening hit")
    CLAIM = "claim", _("Provenance claim changed")
    GUIDANCE = "guidance", _("Guidance status changed")
    EVIDENCE = "evidence", _("Cited source changed or gone")


class MaterialChange(models.Model):
    """A fact about some models changed (riskreg.core.events): written in the transaction that changed the fact,
    then applied (approvals reopened, signers told, risk items refreshed) by a retried task. ``applied_at`` stays
    empty until every reaction has run; the stuck-work sweep sends an unapplied change again."""

    kind = models.CharField(_("kind"), max_length=20, choices=ChangeKind.choices)
    model_ids = models.JSONField(_("models concerned (ids)"), default=list)
    reason = models.TextField(_("reason"))
    reference = models.CharField(
        _("reference"), max_length=255, blank=True, help_text=_("What caused it, e.g. alert:12 or claim:4.")
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True, db_index=True)
    applied_at = models.DateTimeField(
        _("applied"), null=True, blank=True, help_text=_("When its consequences were all applied; empty until then.")
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("material change")
        verbose_name_plural = _("material changes")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["created_at"], condition=models.Q(applied_at__isnull=True), name="core_change_unapplied"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.reason[:80]}"


class ImportJob(models.Model):
    """What every import job row holds (list files; BOMs and model cards): its state and progress, who uploaded it,
    when it ran and the task that claimed it, as riskreg.core.jobs claims and sweeps them; the app adds what it
    imports (the list and its options, the document)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Queued")
        IMPORTING = "importing", _("Importing")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Refused or failed")

    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    stage = models.CharField(_("progress"), max_length=200, blank=True, help_text=_("What the import is doing now."))
    error = models.TextField(_("why it was refused"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    task_id = models.CharField(_("importing task"), max_length=64, blank=True, default="")

    class Meta:
        abstract = True
