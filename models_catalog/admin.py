"""The catalog in the admin, laid out for legal teams."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from models_catalog.models import (
    Accelerator,
    AIModel,
    EvidenceSource,
    GuidanceReach,
    IdentifierScheme,
    InterchangeImportJob,
    Jurisdiction,
    ModelGuidanceStatus,
    Obligation,
    Organisation,
    OrganisationRole,
    ProvenanceClaim,
    RegulatoryGuidance,
    SanctionsNote,
)
from models_catalog.ports import model_cited_sources
from models_catalog.selectors import Exposure, exposure_by_organisation, supply_chain
from riskreg.core.admin import ReadOnlyAdminMixin
from riskreg.core.extensions import ExtensibleAdmin


class LinesField(forms.CharField):
    """A list of names, one per line."""

    widget = forms.Textarea(attrs={"rows": 3})

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(value)
        return value

    def to_python(self, value):
        return [line.strip() for line in (value or "").splitlines() if line.strip()]


class IdentifiersField(forms.CharField):
    """Identifiers as `scheme: value` lines, e.g. `uscc: 91110108MA01..."""

    widget = forms.Textarea(attrs={"rows": 2})

    def prepare_value(self, value):
        if isinstance(value, dict):
            return "\n".join(f"{scheme}: {number}" for scheme, number in value.items())
        return value

    def to_python(self, value):
        result: dict[str, str] = {}
        for number, line in enumerate((value or "").splitlines(), start=1):
            if not line.strip():
                continue
            scheme, sep, ident = line.partition(":")
            if not sep or not ident.strip():
                raise forms.ValidationError(
                    _("Line %(n)s: write scheme: value, e.g. uscc: 91110000802100433B"), params={"n": number}
                )
            result[scheme.strip().lower()] = ident.strip()
        return result


class OrganisationForm(forms.ModelForm):
    aliases = LinesField(required=False, help_text=Organisation._meta.get_field("aliases").help_text)
    roles = forms.MultipleChoiceField(
        choices=OrganisationRole.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    identifiers = IdentifiersField(
        required=False,
        help_text=_("One per line as scheme: value. Schemes: %s.") % ", ".join(IdentifierScheme.values),
    )

    class Meta:
        model = Organisation
        fields = [
            "name",
            "short_name",
            "native_name",
            "aliases",
            "country",
            "roles",
            "parent",
            "identifiers",
            "website",
            "notes",
        ]


class RoleFilter(admin.SimpleListFilter):
    title = _("role")
    parameter_name = "role"

    def lookups(self, request, model_admin):
        return OrganisationRole.choices

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(roles__icontains=f'"{self.value()}"')
        return queryset


class SanctionsNoteInline(admin.TabularInline):
    model = SanctionsNote
    extra = 0
    autocomplete_fields = ["source"]


def _exposure_text(exposure: Exposure) -> str:
    facts = [
        f"{n.authority} {n.list_name}, {n.citation}" + (f", listed {n.listed_on:%d %b %Y}" if n.listed_on else "")
        for n in exposure.sanctions_notes
    ]
    facts += [
        f"{e['list_name']}: {e['entry_name']} ({e['status']}"
        + (f" by {e['reviewed_by']}" if e["reviewed_by"] else "")
        + (f", {e['citation']}" if e["citation"] else "")
        + ")"
        for e in exposure.list_exposure
    ]
    return "; ".join(facts) or "none recorded"


@admin.register(Organisation)
class OrganisationAdmin(SimpleHistoryAdmin):
    form = OrganisationForm
    list_display = ("name", "short_name", "native_name", "country", "role_list", "parent")
    list_filter = ("country", RoleFilter)
    search_fields = ("name", "short_name", "native_name", "aliases")
    autocomplete_fields = ["parent"]
    inlines = [SanctionsNoteInline]
    readonly_fields = ("exposure", "created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("name", "short_name", "native_name", "aliases", "country", "roles", "parent")}),
        (_("Identifiers"), {"fields": ("identifiers", "website")}),
        (_("Exposure"), {"fields": ("exposure",)}),
        (_("Notes"), {"fields": ("notes", "created_at", "updated_at")}),
    )

    @admin.display(description=_("roles"))
    def role_list(self, obj: Organisation) -> str:
        labels = dict(OrganisationRole.choices)
        return ", ".join(str(labels.get(role, role)) for role in obj.roles)

    @admin.display(description=_("list exposure and sanctions notes"))
    def exposure(self, obj: Organisation) -> str:
        if not obj.pk:
            return "-"
        return _exposure_text(exposure_by_organisation(organisations=[obj])[obj.pk])


class ClaimInline(admin.StackedInline):
    model = ProvenanceClaim
    extra = 0
    autocomplete_fields = ["source", "other_sources", "accelerator", "organisation"]
    fields = (
        ("subject", "confidence"),
        "statement",
        ("value", "country", "as_of"),
        ("accelerator", "organisation"),
        ("source", "other_sources"),
        "notes",
    )


class GuidanceStatusInline(admin.TabularInline):
    model = ModelGuidanceStatus
    extra = 0
    autocomplete_fields = ["guidance"]
    fields = ("jurisdiction", "status", "guidance", "rationale", "conditions", "reviewed_on")


def _human_count(value: int | None) -> str:
    if value is None:
        return "-"
    for unit, size in (("T", 10**12), ("B", 10**9), ("M", 10**6)):
        if value >= size:
            return f"{value / size:g}{unit}"
    return f"{value:,}"


@admin.register(AIModel)
class AIModelAdmin(ExtensibleAdmin, SimpleHistoryAdmin):
    """Reports adds the memos tab and the generate-memo action (reports.apps, riskreg.core.extensions)."""

    list_display = (
        "name",
        "developer_name",
        "developer_country",
        "params",
        "tokens",
        "licence",
        "weights",
        "release_date",
    )
    list_filter = (
        ("developer__country", admin.AllValuesFieldListFilter),
        ("claims__confidence", admin.ChoicesFieldListFilter),
        ("guidance_statuses__status", admin.ChoicesFieldListFilter),
        "weights",
        "licence",
    )
    search_fields = ("name", "slug", "family", "developer__name", "developer__short_name", "developer__native_name")
    autocomplete_fields = ["developer"]
    prepopulated_fields = {"slug": ("name",)}
    inlines = [ClaimInline, GuidanceStatusInline]
    readonly_fields = ("supply_chain_exposure", "cited_sources", "created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("name", "slug", "family", "version", "developer", "release_date")}),
        (
            _("Facts"),
            {
                "fields": (
                    "parameters_total",
                    "parameters_active",
                    "training_tokens",
                    "architecture",
                    "licence",
                    "weights",
                )
            },
        ),
        (_("Supply chain and exposure"), {"fields": ("supply_chain_exposure",)}),
        (_("Evidence the claims rest on"), {"fields": ("cited_sources",)}),
        (_("Notes"), {"fields": ("description", "created_at", "updated_at")}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("developer")

    @admin.display(description=_("developer"), ordering="developer__name")
    def developer_name(self, obj: AIModel) -> str:
        return obj.developer.display_name

    @admin.display(description=_("country"), ordering="developer__country")
    def developer_country(self, obj: AIModel) -> str:
        return obj.developer.country

    @admin.display(description=_("parameters (total / active)"))
    def params(self, obj: AIModel) -> str:
        return f"{_human_count(obj.parameters_total)} / {_human_count(obj.parameters_active)}"

    @admin.display(description=_("training tokens"))
    def tokens(self, obj: AIModel) -> str:
        return _human_count(obj.training_tokens)

    @admin.display(description=_("organisations in the supply chain"))
    def supply_chain_exposure(self, obj: AIModel) -> str:
        if not obj.pk:
            return "-"
        links = supply_chain(model=obj)
        exposure = exposure_by_organisation(organisations=[link.organisation for link in links])
        return format_html(
            "<table><tr><th>{}</th><th>{}</th><th>{}</th></tr>{}</table>",
            _("organisation"),
            _("why in the chain"),
            _("exposure"),
            format_html_join(
                "",
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                (
                    (link.organisation.display_name, link.via, _exposure_text(exposure[link.organisation.pk]))
                    for link in links
                ),
            ),
        )

    @admin.display(description=_("sources cited by the claims"))
    def cited_sources(self, obj: AIModel) -> str:
        """Each source the model's claims cite, with its captured copy: 'Changed since cited' and 'Gone' first."""
        if not obj.pk:
            return "-"
        rows = model_cited_sources(model_id=obj.pk)  # evidence provides it: it builds on the catalog
        if not rows:
            return _("No claim cites a source.")
        return format_html(
            "<table><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>{}</table>",
            _("source"),
            _("state"),
            _("captured copy"),
            _("claims"),
            format_html_join(
                "",
                '<tr><td>{}</td><td><strong class="evidence-{}">{}</strong></td><td>{}</td><td>{}</td></tr>',
                ((row["title"], row["state"], row["state_label"], row["copy"], row["claims"]) for row in rows),
            ),
        )


@admin.register(ProvenanceClaim)
class ProvenanceClaimAdmin(SimpleHistoryAdmin):
    list_display = ("model", "subject", "value", "confidence", "source", "as_of")
    list_filter = ("confidence", "subject", "model__developer__country")
    search_fields = ("model__name", "value", "statement")
    autocomplete_fields = ["model", "source", "other_sources", "accelerator", "organisation"]


@admin.register(EvidenceSource)
class EvidenceSourceAdmin(SimpleHistoryAdmin):
    list_display = ("title", "publisher", "kind", "citation", "published_on", "retrieved_on", "link")
    list_filter = ("kind", "publisher")
    search_fields = ("title", "publisher", "citation", "summary", "author")

    @admin.display(description=_("URL"))
    def link(self, obj: EvidenceSource) -> str:
        # Shown as text on purpose: a reviewer copies it deliberately; the admin never fetches it.
        return obj.url or "-"


@admin.register(Accelerator)
class AcceleratorAdmin(SimpleHistoryAdmin):
    list_display = ("product", "vendor", "kind")
    list_filter = ("kind", "vendor")
    search_fields = ("product", "vendor__name", "vendor__short_name")
    autocomplete_fields = ["vendor"]


@admin.register(Jurisdiction)
class JurisdictionAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name")
    search_fields = ("code", "name")


class GuidanceReachInline(admin.TabularInline):
    """What the guidance reaches, one row each; legal edits these. Rows of the same kind are alternatives,
    rows of different kinds must all match."""

    model = GuidanceReach
    extra = 1
    autocomplete_fields = ["organisation"]
    fields = (
        "kind",
        "organisation",
        "include_subsidiaries",
        "product_prefix",
        "jurisdiction",
        "licence",
        "threshold",
        "unit",
        "country",
    )


class ObligationInline(admin.TabularInline):
    """What the text makes apply and from when (the dossier's and the memo's timeline); legal edits these.
    A transition (models placed on the market before a day apply from a later one) uses the model's release
    date."""

    model = Obligation
    extra = 1
    autocomplete_fields = ["source"]
    fields = ("applies_from", "what", "citation", "placed_before", "placed_before_applies_from", "source")


@admin.register(RegulatoryGuidance)
class RegulatoryGuidanceAdmin(SimpleHistoryAdmin):
    list_display = (
        "title",
        "jurisdiction",
        "issuer",
        "reference",
        "kind",
        "status",
        "publication",
        "effective_from",
    )
    list_filter = ("publication", "jurisdiction", "status", "kind")
    search_fields = ("title", "reference", "issuer", "summary")
    autocomplete_fields = ["source"]
    inlines = [GuidanceReachInline, ObligationInline]
    readonly_fields = ("publication", "published_by", "published_at", "impact_page")
    fieldsets = (
        (None, {"fields": ("jurisdiction", "issuer", "title", "reference", "kind", "status", "summary", "source")}),
        (
            _("Dates"),
            {"fields": ("issued_on", "effective_from", "effective_to", "superseded_on")},
        ),
        (
            _("The risk it implies for every model it reaches"),
            {"fields": ("risk_category", "risk_likelihood", "risk_impact", "risk_sentence", "citation")},
        ),
        (_("Publication"), {"fields": ("publication", "published_by", "published_at", "impact_page")}),
    )

    @admin.display(description=_("impact"))
    def impact_page(self, obj):
        if obj is None or obj.pk is None:
            return _("Save the draft first, then see what publishing it would change.")
        url = reverse("workspace:guidance-impact", args=[obj.pk])
        label = _("See what publishing it would change, and publish") if obj.publication == "draft" else _("Open")
        return format_html('<a href="{}">{}</a>', url, label)

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        initial.setdefault("publication", RegulatoryGuidance.Publication.DRAFT)
        return initial

    def save_model(self, request, obj, form, change):
        if not change:  # a new record is a draft until published from its impact page
            obj.publication = RegulatoryGuidance.Publication.DRAFT
        super().save_model(request, obj, form, change)


@admin.register(ModelGuidanceStatus)
class ModelGuidanceStatusAdmin(SimpleHistoryAdmin):
    list_display = ("model", "jurisdiction", "status", "reviewed_on")
    list_filter = ("status", "jurisdiction")
    search_fields = ("model__name", "rationale")
    autocomplete_fields = ["model", "guidance"]


@admin.register(SanctionsNote)
class SanctionsNoteAdmin(SimpleHistoryAdmin):
    list_display = ("organisation", "authority", "list_name", "citation", "listed_on")
    list_filter = ("list_name", "authority")
    search_fields = ("organisation__name", "organisation__short_name", "citation")
    autocomplete_fields = ["organisation", "source"]


@admin.register(InterchangeImportJob)
class InterchangeImportJobAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """BOM and model card uploads imported in the background: what each did, or why it was refused. Read only."""

    list_display = ("created_at", "source_name", "kind", "status", "stage", "created_by")
    list_filter = ("status", "kind")
    list_select_related = ("created_by",)
    fields = (
        "source_name",
        "kind",
        "status",
        "stage",
        "size",
        "options",
        "result",
        "error",
        "created_by",
        "created_at",
        "started_at",
        "finished_at",
        "attempts",
    )
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).defer("document")
