"""Watch sources, their snapshots and changes, and the alerts raised from them."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from riskreg.core.urls import web_address_only


class SourceKind(models.TextChoices):
    RSS = "rss", _("RSS feed")
    ATOM = "atom", _("Atom feed")
    FEDERAL_REGISTER = "federal-register", _("Federal Register documents API")
    HTML = "html", _("Web page (CSS selector)")
    JSON = "json", _("JSON document (JSON path)")
    OFAC_SDN_CSV = "ofac-sdn-csv", _("OFAC SDN list file (CSV)")
    US_CSL_JSON = "us-csl-json", _("Consolidated Screening List (JSON)")
    US_CSL_CSV = "us-csl-csv", _("Consolidated Screening List (CSV)")
    UN_SC_XML = "un-sc-xml", _("UN Security Council list (XML)")
    EU_FSF_XML = "eu-fsf-xml", _("EU consolidated list (XML)")
    OPENSANCTIONS_FTM = "opensanctions-ftm", _("OpenSanctions (FollowTheMoney JSON lines)")


LIST_FILE_KINDS = [
    SourceKind.OFAC_SDN_CSV,
    SourceKind.US_CSL_JSON,
    SourceKind.US_CSL_CSV,
    SourceKind.UN_SC_XML,
    SourceKind.EU_FSF_XML,
    SourceKind.OPENSANCTIONS_FTM,
]


class WatchSource(models.Model):
    class Health(models.TextChoices):
        NEW = "new", _("Not checked yet")
        HEALTHY = "healthy", _("Healthy")
        FAILING = "failing", _("Failing")

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=30, choices=SourceKind.choices)
    url = models.URLField(_("URL"), max_length=2000)
    selector = models.CharField(
        _("selector"),
        max_length=1000,
        blank=True,
        help_text=_("CSS selector (web pages), JSON path (JSON), or query conditions (Federal Register)."),
    )
    keywords = models.JSONField(
        _("keywords"), default=list, blank=True, help_text=_("Extra words that make a change an alert.")
    )
    every_minutes = models.PositiveIntegerField(
        _("check every (minutes)"), default=1440, validators=[MinValueValidator(1)]
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Told of alerts from this source."),
    )
    jurisdiction = models.ForeignKey(
        "models_catalog.Jurisdiction",
        verbose_name=_("regulator's jurisdiction"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_(
            "For a regulator's source (Federal Register: US; EU AI Office: EU): its alerts can propose a guidance "
            "draft in this jurisdiction. Empty for press, sanctions list files and other sources."
        ),
    )
    # conditional GET and change detection
    etag = models.CharField(max_length=500, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    last_sha256 = models.CharField(max_length=64, blank=True)
    # health
    health = models.CharField(_("health"), max_length=10, choices=Health.choices, default=Health.NEW)
    last_checked_at = models.DateTimeField(_("last checked"), null=True, blank=True)
    last_success_at = models.DateTimeField(_("last success"), null=True, blank=True)
    consecutive_failures = models.PositiveIntegerField(_("consecutive failures"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    next_check_at = models.DateTimeField(_("next check due"), null=True, blank=True)
    # claim: one worker at a time
    claimed_until = models.DateTimeField(null=True, blank=True)
    claim_token = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords(
        excluded_fields=[
            "etag",
            "last_modified",
            "last_sha256",
            "health",
            "last_checked_at",
            "last_success_at",
            "consecutive_failures",
            "last_error",
            "next_check_at",
            "claimed_until",
            "claim_token",
        ]
    )

    class Meta:
        verbose_name = _("watch source")
        verbose_name_plural = _("watch sources")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(every_minutes__gte=1), name="watch_source_every_positive"),
            # A list file's changes are list versions (their impact is the list version's), not guidance.
            models.CheckConstraint(
                condition=Q(jurisdiction__isnull=True) | ~Q(kind__in=LIST_FILE_KINDS),
                name="watch_source_list_file_has_no_jurisdiction",
            ),
        ]
        indexes = [models.Index(fields=["enabled", "next_check_at"], name="watch_source_due")]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from riskreg.watch.sources import selector_problem  # the kinds import this module

        if self.kind in SourceKind.values and (problem := selector_problem(self.kind, self.selector)):
            raise ValidationError({"selector": problem})
        if self.jurisdiction_id and self.kind in LIST_FILE_KINDS:
            raise ValidationError(
                {
                    "jurisdiction": _(
                        "A sanctions list file is not a regulator's guidance source: leave its jurisdiction empty "
                        "(a list version's impact shows what its new entries would change)."
                    )
                }
            )


class CheckRecord(models.Model):
    """One check of one source: the only row a 304 writes."""

    class Outcome(models.TextChoices):
        BASELINE = "baseline", _("Baseline")
        CHANGED = "changed", _("Changed")
        UNCHANGED = "unchanged", _("Unchanged")
        ERROR = "error", _("Error")

    source = models.ForeignKey(WatchSource, on_delete=models.CASCADE, related_name="checks")
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    http_status = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    snapshot = models.ForeignKey("Snapshot", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("check")
        verbose_name_plural = _("checks")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.source} at {self.started_at:%Y-%m-%d %H:%M}: {self.outcome}"


class Snapshot(models.Model):
    """One content of a source, in the order it was seen. The body is stored gzip-compressed under
    RISKREG_DATA_DIR/watch/<source id>/<sha256>.gz; a content that comes back later is a new snapshot
    (same file), so `sequence`, not the hash, is what is unique per source."""

    source = models.ForeignKey(WatchSource, on_delete=models.CASCADE, related_name="snapshots")
    sequence = models.PositiveIntegerField(_("number"), default=1, help_text=_("1 for the first content seen."))
    fetched_at = models.DateTimeField(_("fetched at"))
    sha256 = models.CharField(_("SHA-256 of the body"), max_length=64)
    http_status = models.PositiveIntegerField(_("HTTP status"))
    headers = models.JSONField(_("response headers"), default=dict)
    path = models.CharField(_("stored file"), max_length=500, help_text=_("Compressed, under RISKREG_DATA_DIR."))
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    item_count = models.PositiveIntegerField(_("items"), default=0)
    extract = models.JSONField(
        _("what was read"),
        default=dict,
        blank=True,
        help_text=_("The items or text read from the body, so the next check need not read it again."),
    )

    class Meta:
        verbose_name = _("snapshot")
        verbose_name_plural = _("snapshots")
        ordering = ["-fetched_at", "-sequence"]
        constraints = [models.UniqueConstraint(fields=["source", "sequence"], name="snapshot_unique_sequence")]
        indexes = [models.Index(fields=["fetched_at"], name="watch_snapshot_fetched")]

    def __str__(self) -> str:
        return f"{self.source} at {self.fetched_at:%Y-%m-%d %H:%M}"


class ChangeEvent(models.Model):
    source = models.ForeignKey(WatchSource, on_delete=models.CASCADE, related_name="changes")
    # Snapshots are pruned after RISKREG_WATCH_RETENTION_DAYS; the change and its diff stay.
    before = models.ForeignKey(Snapshot, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    after = models.ForeignKey(Snapshot, null=True, blank=True, on_delete=models.SET_NULL, related_name="change")
    created_at = models.DateTimeField(auto_now_add=True)
    added_count = models.PositiveIntegerField(default=0)
    removed_count = models.PositiveIntegerField(default=0)
    changed_count = models.PositiveIntegerField(default=0)
    diff = models.JSONField(_("diff"), default=dict)

    class Meta:
        verbose_name = _("change")
        verbose_name_plural = _("changes")
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["source", "after"], name="change_unique_per_snapshot")]

    def __str__(self) -> str:
        return f"{self.source}: +{self.added_count} -{self.removed_count} ~{self.changed_count}"


class Alert(models.Model):
    class Status(models.TextChoices):
        NEW = "new", _("New")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        RESOLVED = "resolved", _("Resolved")

    # An alert comes either from a watch source's change, or from the re-check of a cited evidence source
    # (riskreg.evidence: the page a claim rests on changed or is gone), with the claims that cite it.
    change = models.ForeignKey(ChangeEvent, null=True, blank=True, on_delete=models.CASCADE, related_name="alerts")
    evidence_source = models.ForeignKey(
        "models_catalog.EvidenceSource",
        verbose_name=_("cited source"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="alerts",
        help_text=_("The cited source that changed or disappeared."),
    )
    dedupe_key = models.CharField(max_length=255, unique=True, help_text=_("A retried check raises no second alert."))
    title = models.CharField(_("title"), max_length=500)
    summary = models.TextField(_("summary"), blank=True)
    url = models.URLField(_("link"), max_length=2000, blank=True)
    matched_terms = models.JSONField(_("matched terms"), default=list, blank=True)
    organisations = models.ManyToManyField("models_catalog.Organisation", blank=True, related_name="alerts")
    ai_models = models.ManyToManyField(
        "models_catalog.AIModel", verbose_name=_("models"), blank=True, related_name="alerts"
    )
    accelerators = models.ManyToManyField("models_catalog.Accelerator", blank=True, related_name="alerts")
    claims = models.ManyToManyField(
        "models_catalog.ProvenanceClaim",
        verbose_name=_("claims"),
        blank=True,
        related_name="alerts",
        help_text=_("The provenance claims that cite the changed source."),
    )
    status = models.CharField(_("status"), max_length=14, choices=Status.choices, default=Status.NEW)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("last handled by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True, help_text=_("Why it was acknowledged or resolved."))
    guidance_draft = models.OneToOneField(
        "models_catalog.RegulatoryGuidance",
        verbose_name=_("guidance drafted from it"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="source_alert",
        help_text=_("The guidance draft legal made from this alert, to complete and assess with its impact."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        ordering = ["-created_at"]
        permissions = [("acknowledge_alert", _("Can acknowledge alerts"))]
        indexes = [models.Index(fields=["status", "-created_at"], name="watch_alert_inbox")]
        constraints = [
            models.CheckConstraint(
                condition=Q(change__isnull=False) | Q(evidence_source__isnull=False), name="watch_alert_has_origin"
            ),
            models.CheckConstraint(condition=web_address_only("url"), name="watch_alert_url_web_only"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def source_name(self) -> str:
        """Where the alert comes from: the watch source, or the cited evidence source."""
        if self.change_id is not None:
            return self.change.source.name
        if self.evidence_source_id is not None:
            return f"Cited source: {self.evidence_source.title}"
        return ""
