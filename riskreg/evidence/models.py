"""Captures of cited evidence sources, and each source's re-check state.

A capture is one attempt to keep a copy of what a source said: fetched from its URL, uploaded by legal
(the PDF of a paywalled article) or, in the demo, made from a local copy shipped in the repository. A
successful capture stores the body content-addressed under RISKREG_DATA_DIR/evidence/ (the file name is its
SHA-256) with the final URL, HTTP status, content type, retrieval time and the readable text; a failed one
keeps the reason. Captures are never edited.

``CitedSource`` is one row per evidence source that has a URL or a capture: which capture the claims rest on
("cited"), the latest one, whether the page has changed since it was cited or is gone, and the state of the
scheduled re-check (conditional-GET validators, next check, one worker at a time).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Capture(models.Model):
    class Origin(models.TextChoices):
        FETCHED = "fetched", _("Fetched from its address")
        UPLOADED = "uploaded", _("Uploaded by legal")
        LOCAL_COPY = "local_copy", _("Local copy shipped with the register (demo)")

    class Outcome(models.TextChoices):
        OK = "ok", _("Captured")
        FAILED = "failed", _("Failed")

    source = models.ForeignKey(
        "models_catalog.EvidenceSource", verbose_name=_("source"), on_delete=models.CASCADE, related_name="captures"
    )
    origin = models.CharField(_("how"), max_length=12, choices=Origin.choices, default=Origin.FETCHED)
    outcome = models.CharField(_("outcome"), max_length=8, choices=Outcome.choices)
    requested_url = models.URLField(_("address asked for"), max_length=1000, blank=True)
    final_url = models.URLField(
        _("final address"), max_length=2000, blank=True, help_text=_("Where the answer came from, after redirects.")
    )
    http_status = models.PositiveIntegerField(_("HTTP status"), null=True, blank=True)
    content_type = models.CharField(_("content type"), max_length=200, blank=True)
    retrieved_at = models.DateTimeField(_("retrieved"))
    sha256 = models.CharField(_("SHA-256 of the copy"), max_length=64, blank=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"), null=True, blank=True)
    path = models.CharField(
        _("stored file"), max_length=200, blank=True, help_text=_("Under RISKREG_DATA_DIR, named by its SHA-256.")
    )
    text = models.TextField(_("readable text"), blank=True, help_text=_("The words of the page, without markup."))
    text_sha256 = models.CharField(_("SHA-256 of the text"), max_length=64, blank=True)
    error = models.TextField(_("why it failed"), blank=True)
    note = models.CharField(
        _("note"),
        max_length=500,
        blank=True,
        help_text=_("Where an uploaded or local copy came from, e.g. the PDF of the article as printed on 6 Apr 2026."),
    )
    etag = models.CharField(max_length=500, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    captured_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("captured by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("capture")
        verbose_name_plural = _("captures")
        ordering = ["-retrieved_at", "-pk"]
        indexes = [models.Index(fields=["source", "-retrieved_at"], name="evidence_capture_latest")]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome="failed") | (Q(sha256__regex=r"^[0-9a-f]{64}$") & ~Q(path="")),
                name="evidence_capture_ok_has_copy",
            ),
            models.CheckConstraint(condition=Q(outcome="ok") | ~Q(error=""), name="evidence_capture_failed_has_reason"),
        ]

    def __str__(self) -> str:
        if self.outcome == self.Outcome.OK:
            return f"{self.source.title}: {self.sha256[:12]}… at {self.retrieved_at:%d %b %Y %H:%M}"
        return f"{self.source.title}: failed at {self.retrieved_at:%d %b %Y %H:%M}"


class CitedSource(models.Model):
    class State(models.TextChoices):
        NOT_CAPTURED = "not_captured", _("Not captured")
        CAPTURED = "captured", _("Captured")
        CHANGED = "changed", _("Changed since cited")
        GONE = "gone", _("Gone")

    source = models.OneToOneField(
        "models_catalog.EvidenceSource", verbose_name=_("source"), on_delete=models.CASCADE, related_name="cited"
    )
    state = models.CharField(_("state"), max_length=14, choices=State.choices, default=State.NOT_CAPTURED)
    cited_capture = models.ForeignKey(
        Capture,
        verbose_name=_("capture the claims rest on"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    latest_capture = models.ForeignKey(
        Capture, verbose_name=_("latest capture"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    state_since = models.DateTimeField(_("in this state since"), null=True, blank=True)
    # re-check
    etag = models.CharField(max_length=500, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    last_checked_at = models.DateTimeField(_("last checked"), null=True, blank=True)
    next_check_at = models.DateTimeField(_("next check due"), null=True, blank=True)
    consecutive_failures = models.PositiveIntegerField(_("failures in a row"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    # claim: one worker at a time
    claimed_until = models.DateTimeField(null=True, blank=True)
    claim_token = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("cited source")
        verbose_name_plural = _("cited sources")
        ordering = ["source__title"]
        indexes = [models.Index(fields=["state", "next_check_at"], name="evidence_cited_due")]
        constraints = [
            models.CheckConstraint(
                condition=Q(state="not_captured") | Q(cited_capture__isnull=False),
                name="evidence_cited_state_has_capture",
            )
        ]

    def __str__(self) -> str:
        return f"{self.source.title}: {self.get_state_display()}"
