"""The risk register: versioned matrices, risk items, adoption requests and their sign-offs."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from models_catalog.uses import Access, Audience, Modification, UseCaseArea


class RiskMatrix(models.Model):
    """A likelihood x impact matrix stored as data. Frozen once an assessment uses it: change means a new version."""

    name = models.CharField(_("name"), max_length=120)
    version = models.PositiveIntegerField(_("version"), default=1)
    likelihood_labels = models.JSONField(
        _("likelihood levels"),
        help_text=_('Lowest first, e.g. ["Rare", "Unlikely", "Possible", "Likely", "Almost certain"]'),
    )
    impact_labels = models.JSONField(
        _("impact levels"), help_text=_('Lowest first, e.g. ["Negligible", "Minor", "Moderate", "Major", "Severe"]')
    )
    bands = models.JSONField(
        _("bands"),
        help_text=_(
            'Score bands, score = likelihood x impact: [{"name": "Low", "min": 1, "max": 4, "colour": "#2e7d32"}, ...]'
        ),
    )
    is_default = models.BooleanField(_("default for new assessments"), default=False)
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("risk matrix")
        verbose_name_plural = _("risk matrices")
        ordering = ["name", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["name", "version"], name="risk_matrix_unique_version"),
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="risk_matrix_one_default"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    @property
    def likelihood_levels(self) -> int:
        return len(self.likelihood_labels or [])

    @property
    def impact_levels(self) -> int:
        return len(self.impact_labels or [])

    def clean(self) -> None:
        from riskreg.register.matrices import matrix_problems

        problems = matrix_problems(
            likelihood_labels=self.likelihood_labels, impact_labels=self.impact_labels, bands=self.bands
        )
        if problems:
            raise ValidationError(problems)


class DataClassification(models.TextChoices):
    PUBLIC = "public", _("Public")
    INTERNAL = "internal", _("Internal")
    CONFIDENTIAL = "confidential", _("Confidential")
    RESTRICTED = "restricted", _("Restricted")


class SignOffRole(models.TextChoices):
    """The roles whose sign-off a request can need (a subset of riskreg.core.roles.Role)."""

    LEGAL = "legal", _("Legal")
    SECURITY = "security", _("Security")
    PROCUREMENT = "procurement", _("Procurement")


def sees_every_request(user) -> bool:
    """Signers, auditors and administrators see every adoption request; anyone else only their own."""
    return user.has_perm("register.view_all_adoptionrequest")


class AdoptionRequestQuerySet(models.QuerySet):
    def visible_to(self, user) -> AdoptionRequestQuerySet:
        """The requests ``user`` may see: every one for those who see every request, else their own. The one
        idiom for "what of the register may this person read" (sign-offs, events, risk items and memos follow
        their request); every page, export, impact and count that shows a request reads through it."""
        if not user.is_authenticated:
            return self.none()
        if sees_every_request(user):
            return self
        return self.filter(requester=user)


class _FollowsItsRequest(models.QuerySet):
    """Rows that belong to an adoption request are visible exactly when their request is."""

    rows_without_request_visible = False

    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        if sees_every_request(user):
            return self
        own = Q(request__requester=user)
        if self.rows_without_request_visible:
            own |= Q(request__isnull=True)
        return self.filter(own)


class AdoptionRequest(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        IN_REVIEW = "in_review", _("In review")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        REOPENED = "reopened", _("Reopened after a material change")
        EXPIRED = "expired", _("Expired")

    model = models.ForeignKey(
        "models_catalog.AIModel", verbose_name=_("model"), on_delete=models.PROTECT, related_name="adoption_requests"
    )
    # The adoption context: how, where and by whom the model will be used (models_catalog.uses has the words).
    use_case = models.TextField(_("purpose"), help_text=_("What the model will be used for, in a sentence or two."))
    use_case_area = models.CharField(
        _("use-case area"),
        max_length=30,
        choices=UseCaseArea.choices,
        default=UseCaseArea.GENERAL,
        help_text=_("General use, one of the EU AI Act's high-risk areas (Annex III), or a safety component."),
    )
    prohibited_practices = models.JSONField(
        _("prohibited practices involved"),
        default=list,
        blank=True,
        help_text=_("The EU AI Act's Art. 5 practices the use involves: any one and the use is refused."),
    )
    public_service = models.BooleanField(
        _("public body or public service"),
        default=False,
        help_text=_("We are a body governed by public law, or a private entity providing public services (Art. 27)."),
    )
    access = models.CharField(_("access"), max_length=20, choices=Access.choices)
    modification = models.CharField(
        _("modification"), max_length=20, choices=Modification.choices, default=Modification.NONE
    )
    finetune_flop = models.FloatField(
        _("fine-tuning compute (FLOP)"),
        null=True,
        blank=True,
        help_text=_(
            "The training compute the fine-tuning will use, e.g. 3e23; decides whether we become a GPAI provider."
        ),
    )
    users = models.CharField(_("who uses the output"), max_length=12, choices=Audience.choices, default=Audience.STAFF)
    expected_users = models.PositiveBigIntegerField(
        _("expected users"), null=True, blank=True, help_text=_("How many people will use it (monthly).")
    )
    jurisdictions = models.JSONField(
        _("where it will be used"),
        default=list,
        blank=True,
        help_text=_("Jurisdiction or country codes, e.g. EU, US, DE (a member state counts as the EU)."),
    )
    personal_data = models.JSONField(
        _("personal data processed"),
        default=list,
        blank=True,
        help_text=_("Whose: staff, customers, special categories."),
    )
    data_to = models.CharField(
        _("data sent to (country)"),
        max_length=8,
        blank=True,
        help_text=_("The country the developer or vendor receives our data in (e.g. CN); empty when none is sent."),
    )
    payments_to_developer = models.BooleanField(_("payments to the developer"), default=False)
    technology_to_developer = models.BooleanField(
        _("technology or hardware to the developer"),
        default=False,
        help_text=_("Software, technical data or hardware we would send to the developer or its group."),
    )
    runs_on_listed_hardware = models.BooleanField(
        _("runs on a listed vendor's chips"),
        default=False,
        help_text=_("We will run it on accelerators made by a party on a restricted-party list."),
    )
    business_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("business owner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The person accountable for the use in the business."),
    )
    context_recorded = models.BooleanField(
        _("context recorded"),
        default=True,
        help_text=_("False for requests filed before the register asked for the context."),
    )
    data_classification = models.CharField(_("data classification"), max_length=20, choices=DataClassification.choices)
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requester"),
        on_delete=models.PROTECT,
        related_name="adoption_requests",
    )
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.DRAFT)
    required_roles = models.JSONField(_("sign-offs required"), default=list)
    review_round = models.PositiveIntegerField(
        _("review round"),
        default=1,
        help_text=_("Goes up when a request is reopened; earlier sign-offs stay on record."),
    )
    matrix = models.ForeignKey(RiskMatrix, verbose_name=_("risk matrix"), on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    expires_on = models.DateField(_("approval expires"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()
    objects = AdoptionRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("adoption request")
        verbose_name_plural = _("adoption requests")
        ordering = ["-created_at"]
        permissions = [
            ("view_all_adoptionrequest", _("Can see every adoption request, not only one's own")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    state__in=["draft", "in_review", "approved", "rejected", "withdrawn", "reopened", "expired"]
                ),
                name="adoption_request_state_known",
            ),
            models.CheckConstraint(
                condition=~Q(state="approved") | (Q(decided_at__isnull=False) & Q(expires_on__isnull=False)),
                name="adoption_request_approval_dated",
            ),
            models.CheckConstraint(
                condition=Q(state="draft") | Q(state="withdrawn") | Q(submitted_at__isnull=False),
                name="adoption_request_reviewed_after_submission",
            ),
            models.CheckConstraint(condition=Q(review_round__gte=1), name="adoption_request_round_positive"),
            models.CheckConstraint(condition=Q(access__in=Access.values), name="adoption_request_access_known"),
            models.CheckConstraint(
                condition=Q(modification__in=Modification.values), name="adoption_request_modification_known"
            ),
            models.CheckConstraint(
                condition=Q(use_case_area__in=UseCaseArea.values), name="adoption_request_area_known"
            ),
            models.CheckConstraint(condition=Q(users__in=Audience.values), name="adoption_request_users_known"),
            models.CheckConstraint(
                condition=Q(finetune_flop__isnull=True) | (Q(modification="fine_tuning") & Q(finetune_flop__gt=0)),
                name="adoption_request_finetune_compute_of_a_finetune",
            ),
        ]
        indexes = [models.Index(fields=["state", "expires_on"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.model} for {self.use_case[:60]}"


class SignOff(models.Model):
    class Decision(models.TextChoices):
        APPROVE = "approve", _("Approve")
        APPROVE_WITH_CONDITIONS = "approve_with_conditions", _("Approve with conditions")
        REJECT = "reject", _("Reject")
        REQUEST_CHANGES = "request_changes", _("Request changes")

    request = models.ForeignKey(AdoptionRequest, on_delete=models.CASCADE, related_name="sign_offs")
    review_round = models.PositiveIntegerField(_("review round"))
    role = models.CharField(_("role"), max_length=20, choices=SignOffRole.choices)
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("signed by"), on_delete=models.PROTECT, related_name="+"
    )
    decision = models.CharField(_("decision"), max_length=30, choices=Decision.choices)
    comment = models.TextField(_("comment"), blank=True)
    conditions = models.TextField(_("conditions"), blank=True)
    risk_state_sha256 = models.CharField(_("hash of the risk state signed"), max_length=64)
    created_at = models.DateTimeField(_("signed at"), auto_now_add=True)

    history = HistoricalRecords()
    objects = _FollowsItsRequest.as_manager()

    class Meta:
        verbose_name = _("sign-off")
        verbose_name_plural = _("sign-offs")
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(fields=["request", "review_round", "role"], name="sign_off_one_per_role_per_round"),
            models.UniqueConstraint(
                fields=["request", "review_round", "signer"], name="sign_off_one_per_person_per_round"
            ),
            models.CheckConstraint(
                condition=~Q(decision="approve_with_conditions") | ~Q(conditions=""),
                name="sign_off_conditions_stated",
            ),
            models.CheckConstraint(
                condition=Q(role__in=["legal", "security", "procurement"]), name="sign_off_role_known"
            ),
            models.CheckConstraint(
                condition=Q(risk_state_sha256__regex=r"^[0-9a-f]{64}$"), name="sign_off_risk_state_hashed"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.get_decision_display().lower()} by {self.signer}"


class RiskItemQuerySet(_FollowsItsRequest):
    rows_without_request_visible = True  # a risk of the model itself is a fact about the catalog, read by all


class RiskItem(models.Model):
    class Category(models.TextChoices):
        SANCTIONS = "sanctions", _("Sanctions / export control")
        PROVENANCE = "provenance", _("Provenance")
        REGULATORY = "regulatory", _("Regulatory")
        LICENCE = "licence", _("Licence")
        SECURITY = "security", _("Security")
        DATA_PROTECTION = "data_protection", _("Data protection")
        REPUTATIONAL = "reputational", _("Reputational")
        OPERATIONAL = "operational", _("Operational")

    class Treatment(models.TextChoices):
        MITIGATE = "mitigate", _("Mitigate")
        ACCEPT = "accept", _("Accept")
        AVOID = "avoid", _("Avoid")
        TRANSFER = "transfer", _("Transfer")

    class Origin(models.TextChoices):
        MANUAL = "manual", _("Entered by a person")
        DERIVED = "derived", _("Derived from facts")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed: awaiting a person")
        ACCEPTED = "accepted", _("Accepted into the register")
        RETIRED = "retired", _("Retired")

    model = models.ForeignKey("models_catalog.AIModel", on_delete=models.CASCADE, related_name="risk_items")
    request = models.ForeignKey(
        AdoptionRequest,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="risk_items",
        help_text=_("Empty for a risk of the model itself; set for a risk of one use."),
    )
    matrix = models.ForeignKey(RiskMatrix, on_delete=models.PROTECT, related_name="+")
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    title = models.CharField(_("title"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    inherent_likelihood = models.PositiveSmallIntegerField(_("inherent likelihood"))
    inherent_impact = models.PositiveSmallIntegerField(_("inherent impact"))
    existing_controls = models.TextField(_("existing controls"), blank=True)
    planned_controls = models.TextField(_("planned controls"), blank=True)
    residual_likelihood = models.PositiveSmallIntegerField(_("residual likelihood"), null=True, blank=True)
    residual_impact = models.PositiveSmallIntegerField(_("residual impact"), null=True, blank=True)
    treatment = models.CharField(_("treatment"), max_length=10, choices=Treatment.choices, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    next_review_on = models.DateField(_("next review"), null=True, blank=True)
    origin = models.CharField(_("origin"), max_length=10, choices=Origin.choices, default=Origin.MANUAL)
    rule = models.CharField(_("derivation rule"), max_length=80, blank=True)
    derivation_key = models.CharField(
        _("derivation key"),
        max_length=120,
        blank=True,
        help_text=_("Which fact the rule fired on (organisation:12, claim:7, jurisdiction:EU); one item per key."),
    )
    facts = models.JSONField(_("facts it was derived from"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACCEPTED)
    proposal = models.JSONField(
        _("pending proposal"),
        null=True,
        blank=True,
        help_text=_("What the register proposes after the facts changed. Nothing changes until a person accepts it."),
    )
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("last assessed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The last person who assessed or accepted this item; the register never overwrites their work."),
    )
    assessed_at = models.DateTimeField(_("last assessed at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("accepted by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_(
            "The reviewer who accepted this item into the register; the request's timeline records exactly "
            "what they accepted."
        ),
    )
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()
    objects = RiskItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("risk item")
        verbose_name_plural = _("risk items")
        ordering = ["model", "category", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(inherent_likelihood__gte=1) & Q(inherent_impact__gte=1), name="risk_item_inherent_positive"
            ),
            models.CheckConstraint(
                condition=(Q(residual_likelihood__isnull=True) | Q(residual_likelihood__gte=1))
                & (Q(residual_impact__isnull=True) | Q(residual_impact__gte=1)),
                name="risk_item_residual_positive",
            ),
            models.CheckConstraint(condition=Q(origin="manual") | ~Q(rule=""), name="risk_item_derived_has_rule"),
            models.UniqueConstraint(
                fields=["model", "rule", "derivation_key"],
                condition=Q(origin="derived", request__isnull=True),
                name="risk_item_one_derived_per_model_fact",
            ),
            models.UniqueConstraint(
                fields=["request", "rule", "derivation_key"],
                condition=Q(origin="derived", request__isnull=False),
                name="risk_item_one_derived_per_request_fact",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class RequestEvent(models.Model):
    """The timeline of a request: every transition and sign-off with actor and time."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Request filed")
        SUBMITTED = "submitted", _("Submitted for review")
        SIGNED_OFF = "signed_off", _("Sign-off given")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        CHANGES_REQUESTED = "changes_requested", _("Changes requested")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        REOPENED = "reopened", _("Reopened after a material change")
        REVIEW_RESTARTED = "review_restarted", _("Review restarted after a material change")
        EXPIRED = "expired", _("Approval expired")
        EXPIRY_CHANGED = "expiry_changed", _("Approval expiry changed")
        RISK_CHANGED = "risk_changed", _("Risk item changed")
        RISKS_DERIVED = "risks_derived", _("Risk items proposed from the facts")
        CONTEXT_CHANGED = "context_changed", _("Use changed by the requester")
        OBLIGATION_CONSIDERED = "obligation_considered", _("New obligation considered")
        CONDITION_CHANGED = "condition_changed", _("Condition of approval updated")

    request = models.ForeignKey(AdoptionRequest, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty when the system acted (reopen on a material change, expiry)."),
    )
    kind = models.CharField(_("what happened"), max_length=40, choices=Kind.choices)
    from_state = models.CharField(_("from"), max_length=12, blank=True)
    to_state = models.CharField(_("to"), max_length=12, blank=True)
    review_round = models.PositiveIntegerField(_("review round"), default=1)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    notified_at = models.DateTimeField(
        _("people told at"), null=True, blank=True, help_text=_("Set once the notice for this event was sent.")
    )

    objects = _FollowsItsRequest.as_manager()

    class Meta:
        verbose_name = _("request event")
        verbose_name_plural = _("request events")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"#{self.request_id} {self.get_kind_display().lower()}, {self.at.day} {self.at:%b %Y, %H:%M} UTC"


class ApprovalCondition(models.Model):
    """A condition of an approval, tracked as an obligation of ours: what it asks, who sees to it, by when (or
    ongoing), and the evidence that shows it met. Made from each sign-off's conditions, one per line or sentence
    separated by a semicolon, so that none is lost after the approval."""

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        MET = "met", _("Met")

    request = models.ForeignKey(
        AdoptionRequest, verbose_name=_("request"), on_delete=models.CASCADE, related_name="conditions"
    )
    sign_off = models.ForeignKey(
        SignOff, verbose_name=_("set by the sign-off"), on_delete=models.CASCADE, related_name="condition_records"
    )
    text = models.TextField(_("condition"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Who sees to it; by default the request's business owner."),
    )
    due = models.DateField(_("due"), null=True, blank=True, help_text=_("Empty: ongoing (for as long as it is used)."))
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.OPEN)
    evidence = models.TextField(_("evidence that it is met"), blank=True)
    met_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("marked met by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    met_at = models.DateTimeField(_("marked met at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()
    objects = _FollowsItsRequest.as_manager()

    class Meta:
        verbose_name = _("condition of approval")
        verbose_name_plural = _("conditions of approval")
        ordering = ["request", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(text=""), name="approval_condition_says_what"),
            models.CheckConstraint(condition=Q(state__in=["open", "met"]), name="approval_condition_state_known"),
            models.CheckConstraint(
                condition=Q(state="open") | (~Q(evidence="") & Q(met_at__isnull=False)),
                name="approval_condition_met_with_evidence",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.request_id}: {self.text[:80]}"


class ObligationConsidered(models.Model):
    """A reviewer's record that an obligation starting within an approval's validity was considered, and why the
    approval stands: the review flag no longer counts it."""

    request = models.ForeignKey(
        AdoptionRequest, verbose_name=_("request"), on_delete=models.CASCADE, related_name="obligations_considered"
    )
    obligation = models.ForeignKey(
        "models_catalog.Obligation", verbose_name=_("obligation"), on_delete=models.PROTECT, related_name="+"
    )
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("at"), auto_now_add=True)
    reason = models.TextField(_("why the approval stands"))

    objects = _FollowsItsRequest.as_manager()

    class Meta:
        verbose_name = _("obligation considered")
        verbose_name_plural = _("obligations considered")
        ordering = ["request", "at"]
        constraints = [
            models.UniqueConstraint(fields=["request", "obligation"], name="obligation_considered_once_per_request"),
            models.CheckConstraint(condition=~Q(reason=""), name="obligation_considered_with_reason"),
        ]

    def __str__(self) -> str:
        return f"#{self.request_id}: obligation {self.obligation_id} considered"
