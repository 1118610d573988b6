"""PDF risk memos: immutable, reproducible from the snapshot they store."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Memo(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Queued")
        RENDERING = "rendering", _("Rendering")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    class Kind(models.TextChoices):
        MODEL = "model", _("Model memo")
        REQUEST = "request", _("Adoption request memo")
        PORTFOLIO = "portfolio", _("Portfolio report")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    model = models.ForeignKey(
        "models_catalog.AIModel", null=True, blank=True, on_delete=models.PROTECT, related_name="memos"
    )
    request = models.ForeignKey(
        "register.AdoptionRequest", null=True, blank=True, on_delete=models.PROTECT, related_name="memos"
    )
    version = models.PositiveIntegerField(_("version"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    snapshot = models.JSONField(_("snapshot"), null=True, blank=True)
    snapshot_sha256 = models.CharField(_("snapshot SHA-256"), max_length=64, blank=True)
    pdf_path = models.CharField(_("stored PDF"), max_length=500, blank=True)
    pdf_sha256 = models.CharField(_("PDF SHA-256"), max_length=64, blank=True)
    pages = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    template_version = models.CharField(_("template version"), max_length=40, blank=True)
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("risk memo")
        verbose_name_plural = _("risk memos")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "model", "request", "version"], name="memo_unique_version"),
            models.CheckConstraint(
                condition=~Q(status="done") | (~Q(pdf_sha256="") & ~Q(snapshot_sha256="")),
                name="memo_done_has_hashes",
            ),
        ]

    def __str__(self) -> str:
        subject = self.model or "portfolio"
        return f"Memo v{self.version} for {subject}"
