"""The catalog: candidate models, the organisations behind them, and the evidence for each claim."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from models_catalog.licences import SPDX_IDS, is_known_licence
from models_catalog.uses import CONDITION_KEYS, UseCaseArea
from riskreg.core.models import ImportJob
from riskreg.core.urls import web_address_only

country_code = RegexValidator(r"^[A-Z]{2}$", _("Use the two-letter ISO 3166 code in capitals, e.g. CN, US, DE."))


def validate_licence(value: str) -> None:
    if not is_known_licence(value):
        raise ValidationError(
            _(
                "%(value)s is not a known SPDX licence id. Use an SPDX id such as MIT or Apache-2.0, "
                "or a custom reference written LicenseRef-<name>."
            ),
            params={"value": value},
            code="unknown_licence",
        )


def validate_string_list(value) -> None:
    if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
        raise ValidationError(_("Give a list of non-empty names."), code="invalid_list")


class OrganisationRole(models.TextChoices):
    DEVELOPER = "developer", _("Model developer")
    CHIP_VENDOR = "chip_vendor", _("Chip vendor")
    COMPUTE_PROVIDER = "compute_provider", _("Compute provider")
    HOST = "host", _("Host / API provider")
    AFFILIATE = "affiliate", _("Affiliate")
    INVESTOR = "investor", _("Investor")


class IdentifierScheme(models.TextChoices):
    USCC = "uscc", _("Unified Social Credit Code (China)")
    LEI = "lei", _("Legal Entity Identifier")
    DUNS = "duns", _("D-U-N-S number")
    REGISTRATION = "registration", _("Company registration number")


def validate_identifiers(value) -> None:
    if not isinstance(value, dict):
        raise ValidationError(_("Identifiers are a mapping of scheme to value."), code="invalid_identifiers")
    for scheme, number in value.items():
        if scheme not in IdentifierScheme.values:
            raise ValidationError(
                _("Unknown identifier scheme %(scheme)s; use one of %(schemes)s."),
                params={"scheme": scheme, "schemes": ", ".join(IdentifierScheme.values)},
                code="unknown_scheme",
            )
        if not isinstance(number, str) or not number.strip():
            raise ValidationError(_("Identifier %(scheme)s has no value."), params={"scheme": scheme})


class Organisation(models.Model):
    name = models.CharField(
        _("legal name"),
        max_length=255,
        unique=True,
        help_text=_("The registered legal name in English, e.g. Beijing Zhipu Huazhang Technology Co., Ltd."),
    )
    short_name = models.CharField(
        _("common name"), max_length=120, blank=True, help_text=_("The name people use, e.g. Zhipu AI.")
    )
    native_name = models.CharField(
        _("native-script name"),
        max_length=255,
        blank=True,
        help_text=_("The legal name in its own script, e.g. 北京智谱华章科技股份有限公司."),
    )
    aliases = models.JSONField(
        _("aliases"),
        default=list,
        blank=True,
        validators=[validate_string_list],
        help_text=_("Other names and former names, one per line. All of them are screened."),
    )
    country = models.CharField(
        _("country"),
        max_length=2,
        validators=[country_code],
        help_text=_("Country of incorporation, two-letter ISO code."),
    )
    roles = models.JSONField(
        _("roles"),
        default=list,
        blank=True,
        help_text=_("What this organisation does in model supply chains."),
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="subsidiaries",
        help_text=_("The group it belongs to; subsidiaries share the parent's exposure in the supply chain."),
    )
    identifiers = models.JSONField(
        _("identifiers"),
        default=dict,
        blank=True,
        validators=[validate_identifiers],
        help_text=_(
            "Registry identifiers such as USCC or LEI. An exact identifier match on a sanctions list "
            "is a match whatever the name."
        ),
    )
    website = models.URLField(_("website"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(country__regex=r"^[A-Z]{2}$"), name="organisation_country_iso2"),
            models.CheckConstraint(condition=~Q(name=""), name="organisation_name_not_empty"),
            models.CheckConstraint(condition=web_address_only("website"), name="organisation_website_web_only"),
        ]

    def __str__(self) -> str:
        return f"{self.short_name} ({self.name})" if self.short_name else self.name

    @property
    def display_name(self) -> str:
        return self.short_name or self.name

    def all_names(self) -> list[str]:
        """Every name this organisation is known by, for screening and alert matching."""
        names = [self.name, self.short_name, self.native_name, *self.aliases]
        seen: list[str] = []
        for name in names:
            if name and name not in seen:
                seen.append(name)
        return seen

    def clean(self) -> None:
        unknown = [role for role in self.roles or [] if role not in OrganisationRole.values]
        if unknown:
            raise ValidationError({"roles": _("Unknown role: %s") % ", ".join(unknown)})
        if self.parent_id and self.parent_id == self.pk:
            raise ValidationError({"parent": _("An organisation cannot be its own parent.")})


class Accelerator(models.Model):
    class Kind(models.TextChoices):
        GPU = "gpu", _("GPU")
        NPU = "npu", _("NPU / AI accelerator")
        TPU = "tpu", _("TPU")
        OTHER = "other", _("Other")

    product = models.CharField(_("product"), max_length=120, help_text=_("e.g. Ascend 910B, H800, H100-80GB."))
    vendor = models.ForeignKey(
        Organisation, verbose_name=_("vendor"), on_delete=models.PROTECT, related_name="accelerators"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.GPU)
    notes = models.TextField(_("notes"), blank=True, help_text=_("Export-control status, variants, etc."))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("accelerator")
        verbose_name_plural = _("accelerators")
        ordering = ["vendor__name", "product"]
        constraints = [models.UniqueConstraint(fields=["vendor", "product"], name="accelerator_unique_per_vendor")]

    def __str__(self) -> str:
        return f"{self.vendor.display_name} {self.product}"


class EvidenceSource(models.Model):
    class Kind(models.TextChoices):
        FEDERAL_REGISTER = "federal_register", _("Federal Register notice")
        LEGISLATION = "legislation", _("Legislation")
        GUIDANCE = "guidance", _("Regulator guidance or press release")
        TECHNICAL_REPORT = "technical_report", _("Technical report / paper")
        MODEL_CARD = "model_card", _("Model card")
        DEVELOPER_STATEMENT = "developer_statement", _("Developer statement")
        PRESS = "press", _("Press report")
        ANALYSIS = "analysis", _("Third-party analysis")
        OTHER = "other", _("Other")

    title = models.CharField(_("title"), max_length=500)
    publisher = models.CharField(_("publisher"), max_length=255)
    author = models.CharField(_("author"), max_length=255, blank=True)
    url = models.URLField(_("URL"), max_length=1000, blank=True)
    citation = models.CharField(
        _("formal citation"),
        max_length=120,
        blank=True,
        help_text=_("e.g. 90 FR 4617, Regulation (EU) 2024/1689, arXiv 2602.15763."),
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    published_on = models.DateField(_("published"), null=True, blank=True)
    retrieved_on = models.DateField(_("retrieved"), null=True, blank=True)
    summary = models.TextField(
        _("summary"), blank=True, help_text=_("What the source says, in our own words. Shown in memos as text.")
    )
    captured_sha256 = models.CharField(
        _("SHA-256 of captured copy"),
        max_length=64,
        blank=True,
        validators=[RegexValidator(r"^[0-9a-f]{64}$", _("64 lower-case hex digits."))],
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("evidence source")
        verbose_name_plural = _("evidence sources")
        ordering = ["-published_on", "title"]
        constraints = [
            models.UniqueConstraint(fields=["title", "publisher"], name="evidence_source_unique_title_publisher"),
            models.CheckConstraint(condition=web_address_only("url"), name="evidence_source_url_web_only"),
            models.CheckConstraint(
                condition=Q(retrieved_on__isnull=True)
                | Q(published_on__isnull=True)
                | Q(retrieved_on__gte=models.F("published_on")),
                name="evidence_source_retrieved_after_published",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.publisher}: {self.title}"


class AIModel(models.Model):
    class Weights(models.TextChoices):
        OPEN = "open", _("Open weights")
        GATED = "gated", _("Open weights, gated access")
        API_ONLY = "api_only", _("API only")
        CLOSED = "closed", _("Closed")

    name = models.CharField(_("name"), max_length=120, unique=True, help_text=_("e.g. GLM-5"))
    slug = models.SlugField(
        _("slug"),
        max_length=120,
        unique=True,
        blank=True,
        help_text=_("The name in lower case with dashes (glm-5); used in the API and commands."),
    )
    family = models.CharField(_("family"), max_length=80, help_text=_("e.g. GLM, DeepSeek, Llama"))
    version = models.CharField(_("version"), max_length=40, blank=True)
    developer = models.ForeignKey(
        Organisation, verbose_name=_("developer"), on_delete=models.PROTECT, related_name="models_developed"
    )
    parameters_total = models.PositiveBigIntegerField(
        _("total parameters"), null=True, blank=True, help_text=_("All parameters, e.g. 744000000000 for 744B.")
    )
    parameters_active = models.PositiveBigIntegerField(
        _("active parameters"),
        null=True,
        blank=True,
        help_text=_("Parameters active per token (mixture-of-experts models), e.g. 40000000000."),
    )
    training_tokens = models.PositiveBigIntegerField(
        _("training tokens"), null=True, blank=True, help_text=_("e.g. 28500000000000 for 28.5T.")
    )
    architecture = models.CharField(_("architecture"), max_length=255, blank=True)
    licence = models.CharField(
        _("licence (SPDX)"),
        max_length=80,
        validators=[validate_licence],
        help_text=_("SPDX id such as MIT or Apache-2.0, or LicenseRef-<name> for a custom licence."),
    )
    weights = models.CharField(_("weights availability"), max_length=10, choices=Weights.choices)
    release_date = models.DateField(_("release date"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("AI model")
        verbose_name_plural = _("AI models")
        ordering = ["family", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(parameters_active__isnull=True)
                | Q(parameters_total__isnull=True)
                | Q(parameters_active__lte=models.F("parameters_total")),
                name="aimodel_active_within_total",
            ),
            models.CheckConstraint(
                condition=Q(licence__in=sorted(SPDX_IDS)) | Q(licence__regex=r"^LicenseRef-[A-Za-z0-9.\-]+$"),
                name="aimodel_licence_spdx",
            ),
            models.CheckConstraint(condition=Q(slug__regex=r"^[a-z0-9]+(-[a-z0-9]+)*$"), name="aimodel_slug_format"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = model_slug(self.name)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        if not self.slug and self.name:
            self.slug = model_slug(self.name)
        if self.parameters_active and self.parameters_total and self.parameters_active > self.parameters_total:
            raise ValidationError({"parameters_active": _("Active parameters cannot exceed total parameters.")})


class Licence(models.Model):
    """The terms of a licence models are published under, as legal read them, with the text cited: what the
    rules weigh against a use (a user cap against customer-facing use, a use policy against the use-case area,
    an exclusion against where we are). Keyed by the identifier models carry (SPDX id or LicenseRef-)."""

    class Commercial(models.TextChoices):
        ALLOWED = "allowed", _("Allowed")
        CONDITIONS = "conditions", _("Allowed, with conditions")
        NOT_ALLOWED = "not_allowed", _("Not allowed")

    identifier = models.CharField(
        _("identifier"),
        max_length=80,
        unique=True,
        validators=[validate_licence],
        help_text=_("As models carry it: an SPDX id (MIT, Apache-2.0) or LicenseRef-<name>."),
    )
    name = models.CharField(_("name"), max_length=200, help_text=_("As the licence names itself."))
    version = models.CharField(
        _("version read"), max_length=120, blank=True, help_text=_("e.g. Version 1.0, 23 Oct 2023; or its date.")
    )
    commercial_use = models.CharField(_("commercial use"), max_length=12, choices=Commercial.choices)
    user_cap = models.PositiveBigIntegerField(
        _("monthly active user cap"),
        null=True,
        blank=True,
        help_text=_("Above this many monthly active users a separate licence is needed; empty: no cap."),
    )
    user_cap_terms = models.TextField(_("user cap, in its words"), blank=True)
    restricted_areas = models.JSONField(
        _("use-case areas its use policy restricts"),
        default=list,
        blank=True,
        help_text=_("Values of the use-case area whose uses the licence or its acceptable use policy restricts."),
    )
    use_restrictions = models.TextField(
        _("field-of-use restrictions or acceptable use policy"), blank=True, help_text=_("With section numbers.")
    )
    excluded_jurisdictions = models.JSONField(
        _("jurisdictions where it is not granted"),
        default=list,
        blank=True,
        help_text=_('Codes, e.g. ["EU"]: licensees established there get no licence (for some models, see below).'),
    )
    exclusion_terms = models.TextField(_("exclusion, in its words"), blank=True)
    attribution = models.TextField(_("attribution and naming duties"), blank=True)
    derivatives = models.TextField(_("terms for derivatives"), blank=True)
    flow_down = models.BooleanField(
        _("restrictions pass to our users"),
        default=False,
        help_text=_("Its use restrictions must be made binding on the users of a service or derivative built on it."),
    )
    governing_law = models.CharField(_("governing law"), max_length=200, blank=True)
    ai_act_open_source = models.BooleanField(
        _("free and open-source under the AI Act"),
        null=True,
        blank=True,
        help_text=_(
            "Whether it allows access, use, modification and distribution without restriction, so that the "
            "developer's exemptions of Art. 53(2) and 54(6) can apply (a user cap or commercial limit disqualifies "
            "it: Commission GPAI guidelines of 18 Jul 2025, para 83). Empty: not assessed."
        ),
    )
    ai_act_open_source_reason = models.TextField(_("why"), blank=True)
    citation = models.CharField(
        _("where it was read"), max_length=255, help_text=_("e.g. meta-llama/llama-models, models/llama4/LICENSE")
    )
    source = models.ForeignKey(
        EvidenceSource, verbose_name=_("source"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    read_on = models.DateField(_("read on"), help_text=_("The day legal read the text."))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("licence")
        verbose_name_plural = _("licences")
        ordering = ["identifier"]
        constraints = [
            models.CheckConstraint(
                condition=Q(identifier__in=sorted(SPDX_IDS)) | Q(identifier__regex=r"^LicenseRef-[A-Za-z0-9.\-]+$"),
                name="licence_identifier_spdx_or_ref",
            ),
            models.CheckConstraint(condition=~Q(identifier="NOASSERTION"), name="licence_not_noassertion"),
            models.CheckConstraint(condition=~Q(citation=""), name="licence_cited"),
        ]

    def __str__(self) -> str:
        return f"{self.identifier}: {self.name}"

    def clean(self) -> None:
        errors = {}
        areas = self.restricted_areas
        if not isinstance(areas, list) or set(areas) - set(UseCaseArea.values):
            errors["restricted_areas"] = _("A list of use-case areas: %(areas)s.") % {
                "areas": ", ".join(UseCaseArea.values)
            }
        if not isinstance(self.excluded_jurisdictions, list) or not all(
            isinstance(code, str) and code.isupper() for code in self.excluded_jurisdictions
        ):
            errors["excluded_jurisdictions"] = _('A list of jurisdiction codes, e.g. ["EU"].')
        if errors:
            raise ValidationError(errors)


def model_slug(name: str) -> str:
    """GLM-5 -> glm-5; Llama 4 -> llama-4; DeepSeek-V3 -> deepseek-v3."""
    return slugify(name.replace(".", "-"))


class ProvenanceClaim(models.Model):
    class Subject(models.TextChoices):
        TRAINING_HARDWARE = "training_hardware", _("Training hardware")
        COMPUTE_PROVIDER = "compute_provider", _("Compute provider")
        TRAINING_LOCATION = "training_location", _("Training location")
        TRAINING_DATA = "training_data", _("Training data")
        HOSTING = "hosting", _("Hosting / serving")
        OTHER = "other", _("Other")

    class Confidence(models.TextChoices):
        DEVELOPER_STATED = "developer_stated", _("Stated by the developer")
        CORROBORATED = "corroborated", _("Corroborated by independent sources")
        REPORTED = "reported", _("Reported, unconfirmed by developer")
        DISPUTED = "disputed", _("Disputed")
        UNVERIFIED = "unverified", _("Unverified")

    model = models.ForeignKey(AIModel, verbose_name=_("model"), on_delete=models.CASCADE, related_name="claims")
    subject = models.CharField(_("what is claimed"), max_length=30, choices=Subject.choices)
    statement = models.TextField(
        _("statement"),
        help_text=_("The claim as one sentence, e.g. GLM-5 was trained entirely on Huawei Ascend chips."),
    )
    value = models.CharField(_("value"), max_length=255, help_text=_("Short value, e.g. Huawei Ascend 910B."))
    accelerator = models.ForeignKey(
        Accelerator,
        verbose_name=_("accelerator"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="claims",
        help_text=_("For training-hardware claims: the chip. Its vendor joins the supply chain."),
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="claims",
        help_text=_("For compute-provider or hosting claims: who. Joins the supply chain."),
    )
    country = models.CharField(_("country"), max_length=2, blank=True, validators=[country_code])
    confidence = models.CharField(_("confidence"), max_length=20, choices=Confidence.choices)
    source = models.ForeignKey(
        EvidenceSource,
        verbose_name=_("principal source"),
        on_delete=models.PROTECT,
        related_name="claims",
        help_text=_("Every claim rests on at least one source."),
    )
    other_sources = models.ManyToManyField(
        EvidenceSource, verbose_name=_("further sources"), blank=True, related_name="supporting_claims"
    )
    as_of = models.DateField(_("as of"), null=True, blank=True, help_text=_("When the claim was last checked."))
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(m2m_fields=[other_sources])

    class Meta:
        verbose_name = _("provenance claim")
        verbose_name_plural = _("provenance claims")
        ordering = ["model__name", "subject", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(value=""), name="claim_value_not_empty"),
            models.CheckConstraint(
                condition=Q(country="") | Q(country__regex=r"^[A-Z]{2}$"), name="claim_country_iso2"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.model}: {self.get_subject_display()} = {self.value} ({self.get_confidence_display()})"

    def all_sources(self) -> list[EvidenceSource]:
        extra = [s for s in self.other_sources.all() if s.pk != self.source_id]
        return [self.source, *extra]


class Jurisdiction(models.Model):
    class Adequacy(models.TextChoices):
        """Whether the European Commission has decided that personal data may go there without further safeguards
        (GDPR Art. 45(1)); without a decision a transfer needs Art. 46 safeguards or an Art. 49 derogation."""

        NOT_RECORDED = "", _("Not recorded")
        EU = "eu", _("In the EU/EEA: no transfer")
        ADEQUATE = "adequate", _("Adequacy decision")
        PARTIAL = "partial", _("Adequacy decision for some recipients only")
        NONE = "none", _("No adequacy decision")

    code = models.CharField(_("code"), max_length=8, unique=True, help_text=_("US, EU, UK, CN ..."))
    name = models.CharField(_("name"), max_length=120)
    eu_adequacy = models.CharField(
        _("EU adequacy (GDPR Art. 45)"),
        max_length=10,
        choices=Adequacy.choices,
        blank=True,
        default="",
        help_text=_(
            "Whether personal data may be sent here from the EU without further safeguards. China has no adequacy "
            "decision; the United States has one for organisations certified under the EU-US Data Privacy "
            "Framework only."
        ),
    )
    eu_adequacy_basis = models.CharField(
        _("adequacy: decision or basis"),
        max_length=255,
        blank=True,
        help_text=_("e.g. Commission Implementing Decision (EU) 2023/1795 (EU-US Data Privacy Framework)."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("jurisdiction")
        verbose_name_plural = _("jurisdictions")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class RiskCategory(models.TextChoices):
    """The register's risk categories (the same values as RiskItem.Category; the catalog cannot import the
    register, whose arrows point the other way)."""

    SANCTIONS = "sanctions", _("Sanctions / export control")
    PROVENANCE = "provenance", _("Provenance")
    REGULATORY = "regulatory", _("Regulatory")
    LICENCE = "licence", _("Licence")
    SECURITY = "security", _("Security")
    DATA_PROTECTION = "data_protection", _("Data protection")
    REPUTATIONAL = "reputational", _("Reputational")
    OPERATIONAL = "operational", _("Operational")


class RegulatoryGuidance(models.Model):
    class Publication(models.TextChoices):
        DRAFT = "draft", _("Draft (changes nothing yet)")
        PUBLISHED = "published", _("Published")

    class Kind(models.TextChoices):
        LEGISLATION = "legislation", _("Legislation")
        RULE = "rule", _("Rule / regulation")
        LIST_DESIGNATION = "list_designation", _("List designation")
        GUIDANCE = "guidance", _("Guidance (not a rule)")
        CODE_OF_PRACTICE = "code_of_practice", _("Code of practice")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        ADOPTED = "adopted", _("Adopted, not yet applicable")
        IN_FORCE = "in_force", _("In force")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        SUPERSEDED = "superseded", _("Superseded")

    jurisdiction = models.ForeignKey(
        Jurisdiction, verbose_name=_("jurisdiction"), on_delete=models.PROTECT, related_name="guidance"
    )
    issuer = models.CharField(_("issuer"), max_length=255, help_text=_("e.g. US Department of Commerce, BIS"))
    title = models.CharField(_("title"), max_length=500)
    reference = models.CharField(
        _("reference"),
        max_length=120,
        blank=True,
        help_text=_("Formal reference, e.g. 90 FR 4617 or Regulation (EU) 2024/1689; blank for guidance without one."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    issued_on = models.DateField(_("issued"), null=True, blank=True)
    effective_from = models.DateField(_("effective from"), null=True, blank=True)
    effective_to = models.DateField(_("effective to"), null=True, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    source = models.ForeignKey(
        EvidenceSource,
        verbose_name=_("source"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="guidance",
    )
    superseded_on = models.DateField(
        _("superseded on"), null=True, blank=True, help_text=_("The day a later text replaced this one, if any.")
    )
    citation = models.CharField(
        _("citation"),
        max_length=500,
        blank=True,
        help_text=_("How a memo cites this text, e.g. BIS guidance of 13 May 2025 (General Prohibition 10)."),
    )
    risk_category = models.CharField(
        _("risk category"),
        max_length=20,
        choices=RiskCategory.choices,
        blank=True,
        help_text=_("The risk this text implies for every model it reaches; blank if it only informs other items."),
    )
    risk_likelihood = models.PositiveSmallIntegerField(
        _("inherent likelihood"), null=True, blank=True, help_text=_("1 (rare) to 5 (almost certain).")
    )
    risk_impact = models.PositiveSmallIntegerField(
        _("inherent impact"), null=True, blank=True, help_text=_("1 (negligible) to 5 (severe).")
    )
    risk_sentence = models.TextField(
        _("why it matters"), blank=True, help_text=_("The sentence that explains the risk to a reader of the memo.")
    )
    publication = models.CharField(
        _("publication"),
        max_length=10,
        choices=Publication.choices,
        default=Publication.PUBLISHED,
        help_text=_("A draft changes nothing in the register until it is published (apart from its legal status)."),
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("regulatory guidance")
        verbose_name_plural = _("regulatory guidance")
        ordering = ["jurisdiction__code", "-issued_on"]
        constraints = [
            models.UniqueConstraint(fields=["jurisdiction", "title"], name="guidance_unique_title"),
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True)
                | Q(effective_from__isnull=True)
                | Q(effective_to__gte=models.F("effective_from")),
                name="guidance_effective_range",
            ),
            models.CheckConstraint(
                condition=Q(issued_on__isnull=True)
                | Q(effective_from__isnull=True)
                | Q(effective_from__gte=models.F("issued_on")),
                name="guidance_effective_not_before_issued",
            ),
            models.CheckConstraint(
                condition=(Q(risk_category="") & Q(risk_likelihood__isnull=True) & Q(risk_impact__isnull=True))
                | (
                    ~Q(risk_category="")
                    & Q(risk_likelihood__isnull=False, risk_likelihood__gte=1, risk_likelihood__lte=5)
                    & Q(risk_impact__isnull=False, risk_impact__gte=1, risk_impact__lte=5)
                ),
                name="guidance_risk_complete",
            ),
        ]

    def __str__(self) -> str:
        ref = f" ({self.reference})" if self.reference else ""
        return f"{self.jurisdiction.code}: {self.title}{ref}"

    def clean(self) -> None:
        errors = {}
        if self.issued_on and self.effective_from and self.effective_from < self.issued_on:
            errors["effective_from"] = _("The effective date (%(eff)s) is before the issue date (%(iss)s).") % {
                "eff": self.effective_from.isoformat(),
                "iss": self.issued_on.isoformat(),
            }
        if self.risk_category and (self.risk_likelihood is None or self.risk_impact is None):
            errors["risk_category"] = _("A risk category needs an inherent likelihood and impact (1 to 5).")
        if not self.risk_category and (self.risk_likelihood is not None or self.risk_impact is not None):
            errors["risk_category"] = _("A likelihood or impact needs a risk category.")
        if errors:
            raise ValidationError(errors)


class GuidanceReach(models.Model):
    """One thing a guidance text reaches. A model is reached when every kind of reach the text names
    matches it; several reaches of the same kind are alternatives (Ascend or Kunlun)."""

    class Kind(models.TextChoices):
        ORGANISATION = "organisation", _("Organisation in the supply chain")
        ACCELERATOR = "accelerator", _("Training accelerator or accelerator family")
        JURISDICTION = "jurisdiction", _("Jurisdiction of deployment")
        OPEN_WEIGHTS = "open_weights", _("Open or gated weights")
        LICENCE = "licence", _("Licence")
        PARAMETERS_ABOVE = "parameters_above", _("Total parameters above a threshold")
        COMPUTE_ABOVE = "compute_above", _("Training compute above a threshold")
        DEVELOPER_COUNTRY = "developer_country", _("Developer's country")

    class Unit(models.TextChoices):
        PARAMETERS = "parameters", _("parameters")
        BILLION_PARAMETERS = "billion_parameters", _("billion parameters")
        FLOP = "flop", _("FLOP (floating-point operations)")

    KIND_FIELDS = {
        Kind.ORGANISATION: ("organisation",),
        Kind.ACCELERATOR: ("organisation",),
        Kind.JURISDICTION: ("jurisdiction",),
        Kind.OPEN_WEIGHTS: (),
        Kind.LICENCE: ("licence",),
        Kind.PARAMETERS_ABOVE: ("threshold", "unit"),
        Kind.COMPUTE_ABOVE: ("threshold", "unit"),
        Kind.DEVELOPER_COUNTRY: ("country",),
    }
    UNITS = {
        Kind.PARAMETERS_ABOVE: (Unit.PARAMETERS, Unit.BILLION_PARAMETERS),
        Kind.COMPUTE_ABOVE: (Unit.FLOP,),
    }

    guidance = models.ForeignKey(
        RegulatoryGuidance, verbose_name=_("guidance"), on_delete=models.CASCADE, related_name="reaches"
    )
    kind = models.CharField(_("reaches"), max_length=20, choices=Kind.choices)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The organisation reached, or for accelerators their vendor."),
    )
    include_subsidiaries = models.BooleanField(
        _("and its subsidiaries"), default=True, help_text=_("Also reach organisations whose parent is this one.")
    )
    product_prefix = models.CharField(
        _("accelerator family"),
        max_length=120,
        blank=True,
        help_text=_(
            "Products whose name starts with this, e.g. Ascend reaches Ascend 910B, 910C and 910D. "
            "Blank: every accelerator of the vendor."
        ),
    )
    jurisdiction = models.ForeignKey(
        Jurisdiction, verbose_name=_("jurisdiction"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    licence = models.CharField(_("licence"), max_length=80, blank=True, help_text=_("An SPDX id, e.g. MIT."))
    threshold = models.FloatField(_("threshold"), null=True, blank=True, help_text=_("e.g. 1e25 for 10^25 FLOP."))
    unit = models.CharField(_("unit"), max_length=20, choices=Unit.choices, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True, help_text=_("ISO 3166 code, e.g. CN."))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("what the guidance reaches")
        verbose_name_plural = _("what the guidance reaches")
        ordering = ["guidance", "kind", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(threshold__isnull=True) | ~Q(unit=""), name="guidance_reach_threshold_has_unit"
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=["organisation", "accelerator"]) | Q(organisation__isnull=False),
                name="guidance_reach_names_organisation",
            ),
        ]

    def __str__(self) -> str:
        return self.describe()

    def clean(self) -> None:
        errors = {}
        for name in self.KIND_FIELDS.get(self.kind, ()):
            value = getattr(self, name if name not in ("organisation", "jurisdiction") else f"{name}_id")
            if value in (None, ""):
                errors[name] = _("%(kind)s needs a %(field)s.") % {
                    "kind": self.get_kind_display(),
                    "field": self._meta.get_field(name).verbose_name,
                }
        if self.threshold is not None and not self.unit:
            errors["unit"] = _("A threshold needs a unit (parameters, billion parameters or FLOP).")
        elif self.unit and self.kind in self.UNITS and self.unit not in self.UNITS[self.kind]:
            errors["unit"] = _("%(unit)s is not a unit for %(kind)s.") % {
                "unit": self.get_unit_display(),
                "kind": self.get_kind_display().lower(),
            }
        if errors:
            raise ValidationError(errors)

    def threshold_value(self) -> float | None:
        """The threshold in base units (parameters or FLOP)."""
        if self.threshold is None:
            return None
        return self.threshold * (1e9 if self.unit == self.Unit.BILLION_PARAMETERS else 1)

    def describe(self) -> str:
        """The reach in words, e.g. 'accelerators of Huawei named Ascend...'."""
        kind = self.Kind(self.kind)
        if kind == self.Kind.ORGANISATION:
            subs = " and its subsidiaries" if self.include_subsidiaries else ""
            return f"{self.organisation.display_name}{subs}"
        if kind == self.Kind.ACCELERATOR:
            family = f" {self.product_prefix}" if self.product_prefix else ""
            return f"{self.organisation.display_name}{family} accelerators"
        if kind == self.Kind.JURISDICTION:
            return f"deployment in {self.jurisdiction.name}"
        if kind == self.Kind.OPEN_WEIGHTS:
            return "open or gated weights"
        if kind == self.Kind.LICENCE:
            return f"the {self.licence} licence"
        if kind == self.Kind.DEVELOPER_COUNTRY:
            return f"developers in {self.country}"
        what = "total parameters" if kind == self.Kind.PARAMETERS_ABOVE else "training compute"
        return f"{what} above {self.threshold:g} {self.get_unit_display()}"


class ModelGuidanceStatus(models.Model):
    class Status(models.TextChoices):
        NO_GUIDANCE = "no_guidance", _("No guidance")
        UNDER_REVIEW = "under_review", _("Under review")
        PERMITTED = "permitted", _("Permitted")
        PERMITTED_WITH_CONDITIONS = "permitted_with_conditions", _("Permitted with conditions")
        RESTRICTED = "restricted", _("Restricted")
        PROHIBITED = "prohibited", _("Prohibited")

    model = models.ForeignKey(
        AIModel, verbose_name=_("model"), on_delete=models.CASCADE, related_name="guidance_statuses"
    )
    jurisdiction = models.ForeignKey(Jurisdiction, verbose_name=_("jurisdiction"), on_delete=models.PROTECT)
    status = models.CharField(_("status"), max_length=30, choices=Status.choices)
    guidance = models.ManyToManyField(RegulatoryGuidance, verbose_name=_("guidance relied on"), blank=True)
    rationale = models.TextField(_("rationale"), blank=True, help_text=_("Why this status, in a sentence or two."))
    conditions = models.TextField(_("conditions"), blank=True)
    reviewed_on = models.DateField(_("reviewed on"), null=True, blank=True)

    history = HistoricalRecords(m2m_fields=[guidance])

    class Meta:
        verbose_name = _("model guidance status")
        verbose_name_plural = _("model guidance statuses")
        ordering = ["model__name", "jurisdiction__code"]
        constraints = [
            models.UniqueConstraint(fields=["model", "jurisdiction"], name="guidance_status_unique_per_jurisdiction")
        ]

    def __str__(self) -> str:
        return f"{self.model} in {self.jurisdiction.code}: {self.get_status_display()}"


class SanctionsNote(models.Model):
    """What legal has recorded about an organisation's listing, with the citation."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="sanctions_notes"
    )
    authority = models.CharField(_("authority"), max_length=120, help_text=_("e.g. US Department of Commerce, BIS"))
    list_name = models.CharField(_("list"), max_length=120, help_text=_("e.g. Entity List, SDN List"))
    citation = models.CharField(_("citation"), max_length=120, help_text=_("e.g. 84 FR 22961"))
    listed_on = models.DateField(_("listed / effective on"), null=True, blank=True)
    source = models.ForeignKey(
        EvidenceSource,
        verbose_name=_("source"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sanctions_notes",
    )
    notes = models.TextField(_("notes"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("sanctions note")
        verbose_name_plural = _("sanctions notes")
        ordering = ["organisation__name", "listed_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "list_name", "citation"], name="sanctions_note_unique_citation"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation.display_name}: {self.list_name}, {self.citation}"


#: Our roles under a jurisdiction's law, as riskreg.register.our_role derives them from a request's use.
OUR_ROLES = {
    "deployer": _("deployer"),
    "provider_system": _("provider of an AI system"),
    "provider_high_risk": _("provider of a high-risk AI system"),
    "provider_gpai": _("provider of a modified general-purpose AI model"),
    "user": _("user"),
}


class Obligation(models.Model):
    """What a guidance text makes apply, to whom and for which uses, and from when: one row of the law's timeline.
    The guidance's reaches decide which models it applies to; ``holder``, ``roles`` and ``conditions`` which uses
    (an adoption request's context); the dates are data with their source, never code."""

    class Holder(models.TextChoices):
        US = "us", _("Us (the adopter)")
        DEVELOPER = "developer", _("The developer (provider of the general-purpose AI model)")
        SUPPLY_CHAIN = "supply_chain", _("A party in the supply chain (on the model's timeline; no duty of a use)")

    guidance = models.ForeignKey(
        RegulatoryGuidance, verbose_name=_("guidance"), on_delete=models.CASCADE, related_name="obligations"
    )
    applies_from = models.DateField(
        _("applies from"), help_text=_("The day the obligation starts to apply, e.g. 2 Aug 2025 for GPAI duties.")
    )
    placed_before = models.DateField(
        _("for models placed on the market before"),
        null=True,
        blank=True,
        help_text=_(
            "Optional transition: models released before this day apply from the later date below instead "
            "(AI Act Art. 111(3): GPAI models placed on the market before 2 Aug 2025 apply from 2 Aug 2027)."
        ),
    )
    placed_before_applies_from = models.DateField(
        _("those apply from"),
        null=True,
        blank=True,
        help_text=_("The later day that applies to models released before the day above."),
    )
    what = models.TextField(
        _("what applies"), help_text=_("In a sentence a reader of the memo understands, e.g. GPAI model obligations.")
    )
    citation = models.CharField(
        _("article / citation"), max_length=255, help_text=_("e.g. Regulation (EU) 2024/1689, Art. 113(b)")
    )
    source = models.ForeignKey(
        EvidenceSource,
        verbose_name=_("source"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="obligations",
    )
    holder = models.CharField(
        _("who holds it"),
        max_length=16,
        choices=Holder.choices,
        default=Holder.US,
        help_text=_(
            "Us, the adopter (our role below decides), or the model's developer as provider of the general-purpose "
            "model: the developer's duties are what legal asks the vendor for."
        ),
    )
    roles = models.JSONField(
        _("our roles it is for"),
        default=list,
        blank=True,
        help_text=_(
            'For obligations we hold: the roles it is for, e.g. ["deployer"] or ["provider_high_risk"]; empty: '
            "whatever our role. Roles: " + ", ".join(OUR_ROLES)
        ),
    )
    conditions = models.JSONField(
        _("when the use triggers it"),
        default=dict,
        blank=True,
        help_text=_(
            'What the use must be for it to apply, e.g. {"annex_iii": true} or {"users": ["public"]}; empty: every '
            "use in its jurisdiction. Keys: " + "; ".join(f"{key}: {what}" for key, what in CONDITION_KEYS.items())
        ),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("obligation")
        verbose_name_plural = _("obligations on a timeline")
        ordering = ["applies_from", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["guidance", "applies_from", "citation"], name="obligation_unique_per_guidance_date"
            ),
            models.CheckConstraint(
                condition=(Q(placed_before__isnull=True) & Q(placed_before_applies_from__isnull=True))
                | (
                    Q(placed_before__isnull=False)
                    & Q(placed_before_applies_from__isnull=False)
                    & Q(placed_before_applies_from__gt=models.F("applies_from"))
                ),
                name="obligation_transition_complete",
            ),
            models.CheckConstraint(condition=~Q(what=""), name="obligation_says_what"),
            models.CheckConstraint(condition=~Q(citation=""), name="obligation_has_citation"),
        ]

    def __str__(self) -> str:
        return f"{self.applies_from:%d %b %Y}: {self.what}"

    def clean(self) -> None:
        errors = {}
        unknown = sorted(set(self.conditions or {}) - set(CONDITION_KEYS)) if isinstance(self.conditions, dict) else []
        if not isinstance(self.conditions, dict):
            errors["conditions"] = _('Conditions are an object, e.g. {"annex_iii": true}.')
        elif unknown:
            errors["conditions"] = _("Unknown condition(s) %(keys)s; known: %(known)s.") % {
                "keys": ", ".join(unknown),
                "known": ", ".join(CONDITION_KEYS),
            }
        if not isinstance(self.roles, list) or set(self.roles) - set(OUR_ROLES):
            errors["roles"] = _("Roles are a list of: %(roles)s.") % {"roles": ", ".join(OUR_ROLES)}
        if (self.placed_before is None) != (self.placed_before_applies_from is None):
            field = "placed_before_applies_from" if self.placed_before else "placed_before"
            errors[field] = _("A transition needs both days: models released before one day apply from the other.")
        elif self.placed_before_applies_from and self.applies_from:
            if self.placed_before_applies_from <= self.applies_from:
                errors["placed_before_applies_from"] = _(
                    "The day for models already on the market (%(late)s) must come after %(first)s."
                ) % {"late": self.placed_before_applies_from.isoformat(), "first": self.applies_from.isoformat()}
        if errors:
            raise ValidationError(errors)

    def applies_to_release(self, release_date) -> tuple:
        """(the day it applies to a model released then, the reason). An unknown release date takes the earlier
        day: the register does not assume a transition it cannot show."""
        if self.placed_before is None:
            return self.applies_from, ""
        if release_date is None:
            return self.applies_from, (
                f"release date not recorded: the earlier date is shown (models placed on the market before "
                f"{self.placed_before:%-d %b %Y} apply from {self.placed_before_applies_from:%-d %b %Y})"
            )
        if release_date < self.placed_before:
            return self.placed_before_applies_from, (
                f"released {release_date:%-d %b %Y}, before {self.placed_before:%-d %b %Y}: "
                f"applies from {self.placed_before_applies_from:%-d %b %Y}"
            )
        return self.applies_from, f"released {release_date:%-d %b %Y}, on or after {self.placed_before:%-d %b %Y}"


class InterchangeImportJob(ImportJob):
    """One BOM or model card being imported in the background (issue 26): uploaded, queued, imported by a worker,
    with its progress, so no web worker waits on a document's validation. The document is kept in the row until
    the import ends (5 MiB at most, see ``models_catalog.interchange.MAX_DOCUMENT_BYTES``)."""

    class Kind(models.TextChoices):
        CYCLONEDX = "cyclonedx", _("CycloneDX ML-BOM")
        SPDX = "spdx", _("SPDX 3.0.1 AI document")
        MODEL_CARD = "model-card", _("Hugging Face model card")

    kind = models.CharField(_("format"), max_length=20, choices=Kind.choices)
    source_name = models.CharField(_("document"), max_length=1000)
    size = models.PositiveIntegerField(_("size in bytes"), default=0)
    document = models.BinaryField(_("document"), blank=True, default=b"", help_text=_("Emptied when the import ends."))
    options = models.JSONField(
        _("options"), default=dict, blank=True, help_text=_("What the upload said besides the file (name, developer).")
    )
    result = models.JSONField(_("what was imported"), default=dict, blank=True)

    class Meta:
        verbose_name = _("document import")
        verbose_name_plural = _("document imports")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["cyclonedx", "spdx", "model-card"]), name="interchange_job_kind"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "importing", "done", "failed"]), name="interchange_job_status"
            ),
            models.CheckConstraint(
                condition=~Q(status="failed") | ~Q(error=""), name="interchange_job_failed_has_error"
            ),
        ]

    def __str__(self) -> str:
        return f"Import of {self.source_name} ({self.get_kind_display()}, {self.get_status_display()})"
