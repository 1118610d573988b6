"""API: sources (CRUD for legal, "check now"), snapshots and changes (read), alerts (read, acknowledge,
assign, resolve). Reads need view_<model>; every action checks its own permission."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from models_catalog.models import Jurisdiction
from riskreg.core.errors import permission_require
from riskreg.core.permissions import ModelPermissions
from riskreg.watch import services
from riskreg.watch.guidance_drafts import guidance_draft_from_alert
from riskreg.watch.models import LIST_FILE_KINDS, Alert, ChangeEvent, Snapshot, WatchSource
from riskreg.watch.sources import selector_problem
from riskreg.watch.tasks import watch_source_check_task


class ViewThenCheck(ModelPermissions):
    """For POST actions that check their own permission: the user must at least view the model."""

    perms_map = {**ModelPermissions.perms_map, "POST": ["%(app_label)s.view_%(model_name)s"]}


class WatchSourceSerializer(serializers.ModelSerializer):
    jurisdiction = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Jurisdiction.objects.all(),
        allow_null=True,
        required=False,
        help_text="For a regulator's source (US, EU ...): its alerts can propose a guidance draft there.",
    )

    class Meta:
        model = WatchSource
        fields = [
            "id",
            "name",
            "kind",
            "url",
            "selector",
            "keywords",
            "every_minutes",
            "enabled",
            "owner",
            "jurisdiction",
            "health",
            "last_checked_at",
            "last_success_at",
            "consecutive_failures",
            "last_error",
            "next_check_at",
            "created_at",
        ]
        read_only_fields = [
            "health",
            "last_checked_at",
            "last_success_at",
            "consecutive_failures",
            "last_error",
            "next_check_at",
            "created_at",
        ]

    def validate_url(self, value: str) -> str:
        if not value.lower().startswith(("http://", "https://")):
            raise serializers.ValidationError("Only http and https URLs can be watched.")
        return value

    def validate(self, attrs):
        kind = attrs.get("kind", getattr(self.instance, "kind", ""))
        selector = attrs.get("selector", getattr(self.instance, "selector", ""))
        if problem := selector_problem(kind, selector):
            raise serializers.ValidationError({"selector": problem})
        jurisdiction = attrs.get("jurisdiction", getattr(self.instance, "jurisdiction", None))
        if jurisdiction is not None and kind in LIST_FILE_KINDS:
            raise serializers.ValidationError(
                {"jurisdiction": "A sanctions list file is not a regulator's guidance source: leave it empty."}
            )
        return attrs

    def validate_keywords(self, value):
        if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
            raise serializers.ValidationError("Give a list of non-empty words.")
        return value


class SnapshotSerializer(serializers.ModelSerializer):
    class Meta:
        model = Snapshot
        fields = ["id", "source", "sequence", "fetched_at", "sha256", "http_status", "headers", "size", "item_count"]


class ChangeEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = ChangeEvent
        fields = [
            "id",
            "source",
            "before",
            "after",
            "created_at",
            "added_count",
            "removed_count",
            "changed_count",
            "diff",
        ]


class AlertSerializer(serializers.ModelSerializer):
    source = serializers.IntegerField(source="change.source_id", read_only=True, allow_null=True, default=None)
    source_name = serializers.CharField(read_only=True)
    claims = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    organisations = serializers.SlugRelatedField(many=True, read_only=True, slug_field="name")
    models = serializers.SlugRelatedField(source="ai_models", many=True, read_only=True, slug_field="name")
    accelerators = serializers.StringRelatedField(many=True, read_only=True)
    assignee = serializers.SlugRelatedField(read_only=True, slug_field="username")
    guidance_draft = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = Alert
        fields = [
            "id",
            "title",
            "summary",
            "url",
            "status",
            "matched_terms",
            "organisations",
            "models",
            "accelerators",
            "assignee",
            "note",
            "change",
            "source",
            "source_name",
            "evidence_source",
            "claims",
            "guidance_draft",
            "created_at",
        ]


class AlertActionSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class AlertAssignSerializer(serializers.Serializer):
    assignee = serializers.SlugRelatedField(
        slug_field="username", queryset=get_user_model().objects.filter(is_active=True), allow_null=True
    )


class WatchSourceViewSet(viewsets.ModelViewSet):
    queryset = WatchSource.objects.select_related("owner").order_by("name")
    serializer_class = WatchSourceSerializer
    filterset_fields = ["kind", "enabled", "health"]
    search_fields = ["name", "url"]

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.watch_source_create(
            name=data["name"],
            kind=data["kind"],
            url=data["url"],
            selector=data.get("selector", ""),
            keywords=data.get("keywords", []),
            every_minutes=data.get("every_minutes", 1440),
            enabled=data.get("enabled", True),
            owner=data.get("owner") or self.request.user,
            jurisdiction=data.get("jurisdiction"),
        )

    @action(detail=True, methods=["post"], permission_classes=[ViewThenCheck])
    def check(self, request, pk=None):
        """Queue a check of this source now, even if it is not due (202)."""
        permission_require(user=request.user, perm="watch.change_watchsource", what="Checking a source")
        source = self.get_object()
        watch_source_check_task.delay_on_commit(source.pk, force=True)
        return Response({"source": source.pk, "queued": True}, status=status.HTTP_202_ACCEPTED)


class SnapshotViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Snapshot.objects.order_by("-fetched_at", "-pk")
    serializer_class = SnapshotSerializer
    filterset_fields = ["source"]


class ChangeEventViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = ChangeEvent.objects.order_by("-created_at", "-pk")
    serializer_class = ChangeEventSerializer
    filterset_fields = ["source"]


class AlertViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    queryset = (
        Alert.objects.select_related("change__source", "evidence_source", "assignee")
        .prefetch_related("organisations", "ai_models", "accelerators__vendor", "claims")
        .order_by("-created_at", "-pk")
    )
    serializer_class = AlertSerializer
    filterset_fields = ["status", "change__source", "evidence_source", "ai_models", "organisations", "claims"]
    search_fields = ["title", "summary"]

    def _require(self, perm: str, what: str) -> None:
        permission_require(user=self.request.user, perm=perm, what=what)

    def _act(self, request, service, perm: str, what: str):
        self._require(perm, what)
        alert = self.get_object()
        body = AlertActionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        alert = service(alert=alert, user=request.user, note=body.validated_data["note"])
        return Response(AlertSerializer(alert).data)

    @action(detail=True, methods=["post"], permission_classes=[ViewThenCheck], serializer_class=AlertActionSerializer)
    def acknowledge(self, request, pk=None):
        return self._act(request, services.alert_acknowledge, "watch.acknowledge_alert", "Acknowledging an alert")

    @action(detail=True, methods=["post"], permission_classes=[ViewThenCheck], serializer_class=AlertActionSerializer)
    def resolve(self, request, pk=None):
        return self._act(request, services.alert_resolve, "watch.change_alert", "Resolving an alert")

    @action(detail=True, methods=["post"], permission_classes=[ViewThenCheck], serializer_class=AlertAssignSerializer)
    def assign(self, request, pk=None):
        self._require("watch.change_alert", "Assigning an alert")
        alert = self.get_object()
        body = AlertAssignSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        alert = services.alert_assign(alert=alert, assignee=body.validated_data["assignee"], user=request.user)
        return Response(AlertSerializer(alert).data)

    @extend_schema(request=None, responses={201: OpenApiTypes.OBJECT, 200: OpenApiTypes.OBJECT})
    @action(detail=True, methods=["post"], url_path="draft-guidance", permission_classes=[ViewThenCheck])
    def draft_guidance(self, request, pk=None):
        """Draft guidance from a regulator's alert (legal): 201 with the draft and its impact page, 200 with the
        same draft when the alert has one already; 400 for an alert that does not come from a regulator."""
        self._require("models_catalog.add_regulatoryguidance", "Drafting guidance from an alert")
        alert = self.get_object()
        result = guidance_draft_from_alert(alert_id=alert.pk, actor=request.user)
        guidance = result.guidance
        body = {
            "created": result.created,
            "alert": alert.pk,
            "guidance": {
                "id": guidance.pk,
                "title": guidance.title,
                "jurisdiction": guidance.jurisdiction.code,
                "issuer": guidance.issuer,
                "reference": guidance.reference,
                "issued_on": guidance.issued_on.isoformat() if guidance.issued_on else None,
                "publication": guidance.publication,
                "source": guidance.source_id,
                "reaches": [reach.describe() for reach in guidance.reaches.select_related("organisation")],
            },
            "impact_url": request.build_absolute_uri(reverse("workspace:guidance-impact", args=[guidance.pk])),
            "impact_api_url": request.build_absolute_uri(reverse("guidance-impact", args=[guidance.pk])),
        }
        return Response(body, status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK)


def register(router) -> None:
    """Register this app's viewsets on the project router."""
    router.register("watch/sources", WatchSourceViewSet, basename="watch-source")
    router.register("watch/snapshots", SnapshotViewSet, basename="watch-snapshot")
    router.register("watch/changes", ChangeEventViewSet, basename="watch-change")
    router.register("watch/alerts", AlertViewSet, basename="watch-alert")
