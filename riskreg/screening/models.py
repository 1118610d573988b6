"""Sanctions and export-control lists, their imported versions and entries, and screening hits."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from riskreg.core.models import ImportJob


class ListCode(models.TextChoices):
    OFAC_SDN = "ofac-sdn", _("OFAC Specially Designated Nationals (SDN) List")
    US_CSL = "us-csl", _("US Consolidated Screening List (incl. BIS Entity List)")
    UN_SC = "un-sc", _("UN Security Council Consolidated List")
    EU_FSF = "eu-fsf", _("EU Financial Sanctions Files (consolidated list)")
    OPENSANCTIONS = "opensanctions", _("OpenSanctions (FollowTheMoney)")


class SanctionsList(models.Model):
    code = models.CharField(_("code"), max_length=40, unique=True, choices=ListCode.choices)
    name = models.CharField(_("name"), max_length=255)
    authority = models.CharField(_("authority"), max_length=255, help_text=_("e.g. US Treasury, OFAC"))
    source_url = models.URLField(_("official source"), max_length=1000, blank=True)
    format = models.CharField(_("file format"), max_length=40, help_text=_("e.g. ofac-sdn-csv, us-csl-csv"))
    current_version = models.ForeignKey(
        "ListVersion",
        verbose_name=_("version in force"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("sanctions list")
        verbose_name_plural = _("sanctions lists")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class ListVersion(models.Model):
    """One imported file of a list. A version is written whole or not at all."""

    sanctions_list = models.ForeignKey(
        SanctionsList, verbose_name=_("list"), on_delete=models.CASCADE, related_name="versions"
    )
    sha256 = models.CharField(_("SHA-256 of the file"), max_length=64)
    source_name = models.CharField(_("file or URL"), max_length=1000)
    format = models.CharField(_("format"), max_length=40)
    imported_at = models.DateTimeField(_("imported at"), auto_now_add=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    entry_count = models.PositiveIntegerField(_("entries"), default=0)
    added_count = models.PositiveIntegerField(_("added"), default=0)
    removed_count = models.PositiveIntegerField(_("removed"), default=0)
    changed_count = models.PositiveIntegerField(_("changed"), default=0)
    diff = models.JSONField(
        _("diff against the previous version"),
        default=dict,
        blank=True,
        help_text=_('{"added": [external ids], "removed": [...], "changed": [...]}'),
    )
    published_on = models.DateField(_("list publication date"), null=True, blank=True)
    rolled_back_at = models.DateTimeField(_("rolled back at"), null=True, blank=True)
    rolled_back_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("rolled back by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    rollback_reason = models.TextField(
        _("why it was rolled back"),
        blank=True,
        help_text=_("A bad file (bogus entries, the wrong list): the version before it is in force again."),
    )

    class Meta:
        verbose_name = _("list version")
        verbose_name_plural = _("list versions")
        ordering = ["-imported_at"]
        # Not unique: a publisher may go back to an earlier file, and that is a new version in force.
        indexes = [models.Index(fields=["sanctions_list", "sha256"])]
        get_latest_by = "imported_at"
        constraints = [
            models.CheckConstraint(
                condition=Q(rolled_back_at__isnull=True) | ~Q(rollback_reason=""),
                name="list_version_rollback_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sanctions_list.code} @ {self.imported_at:%Y-%m-%d %H:%M} ({self.entry_count} entries)"


class ListEntry(models.Model):
    class EntityType(models.TextChoices):
        ENTITY = "entity", _("Entity")
        INDIVIDUAL = "individual", _("Individual")
        VESSEL = "vessel", _("Vessel")
        AIRCRAFT = "aircraft", _("Aircraft")
        OTHER = "other", _("Other")

    sanctions_list = models.ForeignKey(
        SanctionsList, verbose_name=_("list"), on_delete=models.CASCADE, related_name="entries"
    )
    external_id = models.CharField(_("id on the list"), max_length=120)
    primary_name = models.CharField(_("name"), max_length=1000)
    aliases = models.JSONField(_("aliases"), default=list, blank=True)
    entity_type = models.CharField(_("type"), max_length=12, choices=EntityType.choices, default=EntityType.ENTITY)
    programs = models.JSONField(_("programs"), default=list, blank=True)
    countries = models.JSONField(_("countries"), default=list, blank=True)
    addresses = models.JSONField(_("addresses"), default=list, blank=True)
    identifiers = models.JSONField(
        _("identifiers"), default=list, blank=True, help_text=_('[{"scheme": "uscc", "value": "..."}]')
    )
    listed_on = models.DateField(_("listed on"), null=True, blank=True)
    citation = models.CharField(_("citation"), max_length=255, blank=True, help_text=_("e.g. 90 FR 4617"))
    remarks = models.TextField(_("remarks"), blank=True)
    linked_to = models.JSONField(
        _("linked to"), default=list, blank=True, help_text=_("Parties the list says this entry is linked to.")
    )
    raw = models.JSONField(_("raw record"), default=dict, blank=True)
    content_hash = models.CharField(_("content hash"), max_length=64, help_text=_("Detects changed entries."))
    active = models.BooleanField(_("active"), default=True, help_text=_("False once the entry left the list."))
    first_version = models.ForeignKey(
        ListVersion, verbose_name=_("first seen in"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_version = models.ForeignKey(
        ListVersion, verbose_name=_("last seen in"), null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("list entry")
        verbose_name_plural = _("list entries")
        ordering = ["sanctions_list", "primary_name"]
        constraints = [
            models.UniqueConstraint(fields=["sanctions_list", "external_id"], name="list_entry_unique_external_id"),
        ]
        indexes = [models.Index(fields=["sanctions_list", "active"])]

    def __str__(self) -> str:
        return f"{self.primary_name} [{self.sanctions_list.code} {self.external_id}]"


class ScreeningHit(models.Model):
    class Status(models.TextChoices):
        POTENTIAL = "potential", _("Potential match: to review")
        CONFIRMED = "confirmed", _("Confirmed match")
        DISMISSED = "dismissed", _("Dismissed (false positive)")

    organisation = models.ForeignKey(
        "models_catalog.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="screening_hits",
    )
    entry = models.ForeignKey(ListEntry, verbose_name=_("list entry"), on_delete=models.CASCADE, related_name="hits")
    query_name = models.CharField(_("our name that matched"), max_length=1000)
    matched_name = models.CharField(_("name on the list"), max_length=1000)
    score = models.FloatField(_("score"), help_text=_("0 to 100; 100 for an exact identifier match."))
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    algorithm_version = models.CharField(_("algorithm version"), max_length=40)
    status = models.CharField(_("review status"), max_length=10, choices=Status.choices, default=Status.POTENTIAL)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_reason = models.TextField(_("reason for the decision"), blank=True)
    entry_hash_at_review = models.CharField(
        _("entry content at review"),
        max_length=64,
        blank=True,
        help_text=_("A dismissed hit stays dismissed until the entry itself changes."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("screening hit")
        verbose_name_plural = _("screening hits")
        ordering = ["status", "-score"]
        permissions = [
            ("review_screeninghit", _("Can confirm or dismiss screening hits")),
            ("run_screening", _("Can run screening on demand")),
        ]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "entry"], name="screening_hit_unique"),
            models.CheckConstraint(condition=Q(score__gte=0) & Q(score__lte=100), name="screening_hit_score_range"),
            models.CheckConstraint(
                condition=Q(status="potential") | (Q(reviewed_at__isnull=False) & ~Q(review_reason="")),
                name="screening_hit_decision_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation.display_name} ~ {self.matched_name} ({self.get_status_display()})"


class ListImportJob(ImportJob):
    """One list file being imported in the background: uploaded, queued, imported, with its progress."""

    sanctions_list = models.ForeignKey(
        SanctionsList, verbose_name=_("list"), on_delete=models.CASCADE, related_name="import_jobs"
    )
    entries_total = models.PositiveIntegerField(_("entries in the file"), null=True, blank=True)
    entries_written = models.PositiveIntegerField(_("entries written"), default=0)
    source_name = models.CharField(_("file"), max_length=1000)
    size = models.PositiveBigIntegerField(_("size in bytes"), default=0)
    folder = models.CharField(
        _("stored upload"), max_length=200, blank=True, help_text=_("Relative to RISKREG_DATA_DIR; removed when done.")
    )
    format = models.CharField(_("format"), max_length=40, blank=True, help_text=_("Empty: detected from the file."))
    allow_shrink = models.BooleanField(_("a much shorter list accepted"), default=False)
    allow_older = models.BooleanField(_("an older file accepted"), default=False)
    version = models.ForeignKey(
        ListVersion,
        verbose_name=_("version imported"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    unchanged = models.BooleanField(_("unchanged"), default=False, help_text=_("The file was the version in force."))
    error_location = models.CharField(_("where in the file"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("list import")
        verbose_name_plural = _("list imports")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="done") | Q(version__isnull=False), name="list_import_job_done_has_version"
            ),
            models.CheckConstraint(
                condition=~Q(status="failed") | ~Q(error=""), name="list_import_job_failed_has_error"
            ),
        ]

    def __str__(self) -> str:
        return f"Import of {self.source_name} into {self.sanctions_list.code} ({self.get_status_display()})"
