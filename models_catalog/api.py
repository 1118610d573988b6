"""REST API of the catalog: models, organisations, claims, sources, guidance."""

from __future__ import annotations

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Prefetch, Q
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers, viewsets

from models_catalog.interchange.api import ModelDocumentsMixin
from models_catalog.models import (
    Accelerator,
    AIModel,
    EvidenceSource,
    GuidanceReach,
    Jurisdiction,
    ModelGuidanceStatus,
    Organisation,
    ProvenanceClaim,
    RegulatoryGuidance,
    SanctionsNote,
)
from models_catalog.ports import source_evidence_state
from models_catalog.selectors import exposure_by_organisation, model_detail_queryset, supply_chain


class FullCleanMixin:
    """Run the model's own validation (field validators, clean(), unique checks) so the API and the
    admin enforce one set of rules. Errors come back per field."""

    def validate(self, attrs):
        attrs = super().validate(attrs)
        model = self.Meta.model
        m2m = {f.name for f in model._meta.many_to_many}
        values = {k: v for k, v in attrs.items() if k not in m2m}
        if self.instance is not None:
            candidate = model.objects.get(pk=self.instance.pk)
            for key, value in values.items():
                setattr(candidate, key, value)
        else:
            candidate = model(**values)
        try:
            candidate.full_clean(exclude=list(m2m), validate_unique=True)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(serializers.as_serializer_error(exc)) from None
        return attrs


class OrganisationBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "name", "short_name", "native_name", "country"]


class SanctionsNoteSerializer(FullCleanMixin, serializers.ModelSerializer):
    class Meta:
        model = SanctionsNote
        fields = ["id", "organisation", "authority", "list_name", "citation", "listed_on", "source", "notes"]


class OrganisationSerializer(FullCleanMixin, serializers.ModelSerializer):
    sanctions_notes = SanctionsNoteSerializer(many=True, read_only=True)
    parent_name = serializers.CharField(source="parent.name", read_only=True, default=None)

    class Meta:
        model = Organisation
        fields = [
            "id",
            "name",
            "short_name",
            "native_name",
            "aliases",
            "country",
            "roles",
            "parent",
            "parent_name",
            "identifiers",
            "website",
            "notes",
            "sanctions_notes",
            "updated_at",
        ]


class EvidenceSourceSerializer(FullCleanMixin, serializers.ModelSerializer):
    evidence = serializers.SerializerMethodField(
        help_text="The captured copy: state (not_captured, captured, changed, gone), the capture the claims rest "
        "on and the latest one (retrieval time, SHA-256, final URL, HTTP status), or why it is not captured."
    )

    class Meta:
        model = EvidenceSource
        fields = [
            "id",
            "title",
            "publisher",
            "author",
            "url",
            "citation",
            "kind",
            "published_on",
            "retrieved_on",
            "summary",
            "captured_sha256",
            "evidence",
        ]

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_evidence(self, source: EvidenceSource) -> dict:
        return source_evidence_state(source)  # evidence provides it: it builds on the catalog, not the reverse


class AcceleratorSerializer(FullCleanMixin, serializers.ModelSerializer):
    vendor_name = serializers.CharField(source="vendor.name", read_only=True)

    class Meta:
        model = Accelerator
        fields = ["id", "product", "vendor", "vendor_name", "kind", "notes"]


class ProvenanceClaimSerializer(FullCleanMixin, serializers.ModelSerializer):
    model = serializers.SlugRelatedField(slug_field="slug", queryset=AIModel.objects.all())
    sources = EvidenceSourceSerializer(source="all_sources", many=True, read_only=True)
    accelerator_name = serializers.StringRelatedField(source="accelerator", read_only=True)
    organisation_name = serializers.CharField(source="organisation.name", read_only=True, default=None)

    class Meta:
        model = ProvenanceClaim
        fields = [
            "id",
            "model",
            "subject",
            "statement",
            "value",
            "accelerator",
            "accelerator_name",
            "organisation",
            "organisation_name",
            "country",
            "confidence",
            "source",
            "other_sources",
            "sources",
            "as_of",
            "notes",
            "updated_at",
        ]
        extra_kwargs = {"source": {"help_text": "Principal source (required)."}}


class GuidanceReachSerializer(serializers.ModelSerializer):
    jurisdiction = serializers.SlugRelatedField(
        slug_field="code", queryset=Jurisdiction.objects.all(), required=False, allow_null=True
    )
    described = serializers.CharField(source="describe", read_only=True)

    class Meta:
        model = GuidanceReach
        fields = [
            "kind",
            "organisation",
            "include_subsidiaries",
            "product_prefix",
            "jurisdiction",
            "licence",
            "threshold",
            "unit",
            "country",
            "described",
        ]

    def validate(self, attrs):
        attrs = super().validate(attrs)
        try:
            GuidanceReach(**attrs).clean()
        except DjangoValidationError as exc:
            raise serializers.ValidationError(serializers.as_serializer_error(exc)) from None
        return attrs


class RegulatoryGuidanceSerializer(FullCleanMixin, serializers.ModelSerializer):
    """A guidance record and what it reaches. ``reaches`` replaces the whole list when given. A new record
    is a draft; it changes the register only once published through ``POST /api/guidance/{id}/publish/``,
    after ``GET /api/guidance/{id}/impact/`` has shown what that will do."""

    jurisdiction = serializers.SlugRelatedField(slug_field="code", queryset=Jurisdiction.objects.all())
    reaches = GuidanceReachSerializer(many=True, required=False)
    published_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = RegulatoryGuidance
        fields = [
            "id",
            "jurisdiction",
            "issuer",
            "title",
            "reference",
            "kind",
            "status",
            "issued_on",
            "effective_from",
            "effective_to",
            "superseded_on",
            "summary",
            "source",
            "citation",
            "risk_category",
            "risk_likelihood",
            "risk_impact",
            "risk_sentence",
            "reaches",
            "publication",
            "published_by",
            "published_at",
        ]
        read_only_fields = ["publication", "published_at"]

    def validate(self, attrs):
        reaches = attrs.pop("reaches", None)
        if self.instance is None:
            attrs["publication"] = RegulatoryGuidance.Publication.DRAFT
        attrs = super().validate(attrs)
        if reaches is not None:
            attrs["reaches"] = reaches
        has_reaches = bool(reaches) if reaches is not None else bool(self.instance and self.instance.reaches.exists())
        risk = attrs.get("risk_category", self.instance.risk_category if self.instance else "")
        if risk and not has_reaches:
            raise serializers.ValidationError(
                {"reaches": "This guidance implies a risk but reaches nothing: name what it reaches."}
            )
        return attrs

    def _save_reaches(self, guidance: RegulatoryGuidance, reaches) -> None:
        if reaches is None:
            return
        guidance.reaches.all().delete()
        for values in reaches:
            GuidanceReach.objects.create(guidance=guidance, **values)

    def create(self, validated_data):
        reaches = validated_data.pop("reaches", None)
        with transaction.atomic():
            guidance = super().create(validated_data)
            self._save_reaches(guidance, reaches)
        return guidance

    def update(self, instance, validated_data):
        reaches = validated_data.pop("reaches", None)
        with transaction.atomic():
            guidance = super().update(instance, validated_data)
            self._save_reaches(guidance, reaches)
        return guidance


class ModelGuidanceStatusSerializer(serializers.ModelSerializer):
    jurisdiction = serializers.SlugRelatedField(slug_field="code", read_only=True)
    guidance = RegulatoryGuidanceSerializer(many=True, read_only=True)

    class Meta:
        model = ModelGuidanceStatus
        fields = ["jurisdiction", "status", "rationale", "conditions", "reviewed_on", "guidance"]


class AIModelSerializer(FullCleanMixin, serializers.ModelSerializer):
    developer_name = serializers.CharField(source="developer.name", read_only=True)
    training_hardware = serializers.SerializerMethodField(
        help_text="Training-hardware claims in brief: value, accelerator and confidence."
    )

    class Meta:
        model = AIModel
        fields = [
            "id",
            "slug",
            "name",
            "family",
            "version",
            "developer",
            "developer_name",
            "parameters_total",
            "parameters_active",
            "training_tokens",
            "architecture",
            "licence",
            "weights",
            "release_date",
            "description",
            "training_hardware",
            "updated_at",
        ]
        read_only_fields = ["slug"]

    def get_training_hardware(self, model: AIModel) -> list[dict]:
        return [
            {
                "value": claim.value,
                "accelerator": str(claim.accelerator) if claim.accelerator_id else None,
                "confidence": claim.confidence,
            }
            for claim in model.claims.all()
            if claim.subject == ProvenanceClaim.Subject.TRAINING_HARDWARE
        ]


class AIModelDetailSerializer(AIModelSerializer):
    developer = OrganisationSerializer(read_only=True)
    claims = ProvenanceClaimSerializer(many=True, read_only=True)
    guidance_statuses = ModelGuidanceStatusSerializer(many=True, read_only=True)
    supply_chain = serializers.SerializerMethodField()

    class Meta(AIModelSerializer.Meta):
        fields = [*AIModelSerializer.Meta.fields, "claims", "guidance_statuses", "supply_chain"]

    def get_supply_chain(self, model: AIModel) -> list[dict]:
        links = supply_chain(model=model)
        exposure = exposure_by_organisation(organisations=[link.organisation for link in links])
        return [
            {
                "organisation": OrganisationBriefSerializer(link.organisation).data,
                "role": link.role,
                "via": link.via,
                "sanctions_notes": SanctionsNoteSerializer(
                    exposure[link.organisation.pk].sanctions_notes, many=True
                ).data,
                "list_exposure": exposure[link.organisation.pk].list_exposure,
            }
            for link in links
        ]


class AIModelFilter(django_filters.FilterSet):
    developer_country = django_filters.CharFilter(field_name="developer__country", lookup_expr="iexact")
    developer = django_filters.CharFilter(method="filter_developer", label="Developer name")
    confidence = django_filters.ChoiceFilter(
        field_name="claims__confidence", choices=ProvenanceClaim.Confidence.choices, distinct=True
    )
    guidance_status = django_filters.ChoiceFilter(
        field_name="guidance_statuses__status", choices=ModelGuidanceStatus.Status.choices, distinct=True
    )

    class Meta:
        model = AIModel
        fields = ["family", "licence", "weights"]

    def filter_developer(self, queryset, name, value):
        return queryset.filter(Q(developer__name__icontains=value) | Q(developer__short_name__icontains=value))


class AIModelViewSet(ModelDocumentsMixin, viewsets.ModelViewSet):
    lookup_field = "slug"
    filterset_class = AIModelFilter
    search_fields = [
        "name",
        "slug",
        "family",
        "developer__name",
        "developer__short_name",
        "developer__native_name",
        "developer__aliases",
        "claims__value",
    ]
    ordering_fields = ["name", "release_date", "parameters_total"]

    def get_queryset(self):
        if self.action == "list":
            return (
                AIModel.objects.select_related("developer")
                .prefetch_related(
                    Prefetch("claims", queryset=ProvenanceClaim.objects.select_related("accelerator__vendor"))
                )
                .order_by("family", "name")
            )
        return model_detail_queryset()

    def get_serializer_class(self):
        return AIModelDetailSerializer if self.action == "retrieve" else AIModelSerializer


class OrganisationViewSet(viewsets.ModelViewSet):
    queryset = Organisation.objects.select_related("parent").prefetch_related("sanctions_notes").order_by("name")
    serializer_class = OrganisationSerializer
    filterset_fields = {"country": ["exact"], "parent": ["exact"]}
    search_fields = ["name", "short_name", "native_name", "aliases"]


class ProvenanceClaimViewSet(viewsets.ModelViewSet):
    queryset = ProvenanceClaim.objects.select_related(
        "model",
        "source",
        "source__cited__cited_capture",
        "source__cited__latest_capture",
        "accelerator",
        "accelerator__vendor",
        "organisation",
    ).prefetch_related("other_sources__cited__cited_capture", "other_sources__cited__latest_capture")
    serializer_class = ProvenanceClaimSerializer
    filterset_fields = {"model__slug": ["exact"], "subject": ["exact"], "confidence": ["exact"]}
    search_fields = ["statement", "value", "model__name"]


class EvidenceSourceViewSet(viewsets.ModelViewSet):
    queryset = EvidenceSource.objects.select_related("cited__cited_capture", "cited__latest_capture")
    serializer_class = EvidenceSourceSerializer
    filterset_fields = {"kind": ["exact"], "publisher": ["exact", "icontains"]}
    search_fields = ["title", "publisher", "citation", "summary"]


class RegulatoryGuidanceViewSet(viewsets.ModelViewSet):
    queryset = RegulatoryGuidance.objects.select_related("jurisdiction", "published_by").prefetch_related(
        "reaches__jurisdiction", "reaches__organisation"
    )
    serializer_class = RegulatoryGuidanceSerializer
    filterset_fields = {
        "jurisdiction__code": ["exact"],
        "status": ["exact"],
        "kind": ["exact"],
        "publication": ["exact"],
    }
    search_fields = ["title", "reference", "issuer", "summary"]


class AcceleratorViewSet(viewsets.ModelViewSet):
    queryset = Accelerator.objects.select_related("vendor")
    serializer_class = AcceleratorSerializer
    filterset_fields = {"vendor": ["exact"], "kind": ["exact"]}
    search_fields = ["product", "vendor__name", "vendor__short_name"]


class SanctionsNoteViewSet(viewsets.ModelViewSet):
    queryset = SanctionsNote.objects.select_related("organisation")
    serializer_class = SanctionsNoteSerializer
    filterset_fields = {"organisation": ["exact"], "list_name": ["exact"]}
    search_fields = ["organisation__name", "citation", "list_name"]


def register(router) -> None:
    router.register("models", AIModelViewSet, basename="model")
    router.register("organisations", OrganisationViewSet, basename="organisation")
    router.register("claims", ProvenanceClaimViewSet, basename="claim")
    router.register("sources", EvidenceSourceViewSet, basename="source")
    router.register("guidance", RegulatoryGuidanceViewSet, basename="guidance")
    router.register("accelerators", AcceleratorViewSet, basename="accelerator")
    router.register("sanctions-notes", SanctionsNoteViewSet, basename="sanctions-note")
