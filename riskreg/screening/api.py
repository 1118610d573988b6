"""Screening API: lists, versions, entries, hits with their review, and ad-hoc screening.

Reads need view_<model> (every role but the requester; the auditor reads everything). Confirming or
dismissing a hit needs screening.review_screeninghit (legal); importing a file needs add_listversion;
running screening on demand needs run_screening.
"""

from __future__ import annotations

from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.generics import get_object_or_404  # 404, not 500, for an id that is not a number
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response

from riskreg.core.errors import permission_require
from riskreg.screening.importers import PARSERS
from riskreg.screening.imports import list_import_job_create
from riskreg.screening.matching import POTENTIAL_THRESHOLD
from riskreg.screening.models import ListEntry, ListImportJob, ListVersion, SanctionsList, ScreeningHit
from riskreg.screening.services import (
    SCREEN_MAX_IDENTIFIERS,
    SCREEN_MAX_NAME_LENGTH,
    SCREEN_MAX_NAMES,
    ListImportError,
    ScreenQuery,
    list_version_rollback,
    names_screen_batch,
    screening_hit_review,
)


def _require(request, perm: str) -> None:
    permission_require(user=request.user, perm=perm)


class HasPermission(BasePermission):
    """Authenticated and holding `required_perm` of the view."""

    def has_permission(self, request, view) -> bool:
        perm = getattr(view, "required_perm", None)
        return bool(request.user and request.user.is_authenticated and (perm is None or request.user.has_perm(perm)))


# --- serializers -------------------------------------------------------------------------------


class ListVersionSerializer(serializers.ModelSerializer):
    list = serializers.CharField(source="sanctions_list.code", read_only=True)
    imported_by = serializers.CharField(source="imported_by.username", read_only=True, default=None)
    rolled_back_by = serializers.CharField(source="rolled_back_by.username", read_only=True, default=None)

    class Meta:
        model = ListVersion
        fields = [
            "id",
            "list",
            "sha256",
            "source_name",
            "format",
            "imported_at",
            "imported_by",
            "entry_count",
            "added_count",
            "removed_count",
            "changed_count",
            "diff",
            "published_on",
            "rolled_back_at",
            "rolled_back_by",
            "rollback_reason",
        ]


class SanctionsListSerializer(serializers.ModelSerializer):
    current_version = ListVersionSerializer(read_only=True)

    class Meta:
        model = SanctionsList
        fields = ["id", "code", "name", "authority", "source_url", "format", "current_version"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if data.get("current_version"):
            data["current_version"].pop("diff", None)  # the version endpoint has it
        return data


class ListEntrySerializer(serializers.ModelSerializer):
    list = serializers.CharField(source="sanctions_list.code", read_only=True)

    class Meta:
        model = ListEntry
        fields = [
            "id",
            "list",
            "external_id",
            "primary_name",
            "aliases",
            "entity_type",
            "programs",
            "countries",
            "addresses",
            "identifiers",
            "listed_on",
            "citation",
            "remarks",
            "linked_to",
            "active",
            "content_hash",
        ]


class ScreeningHitSerializer(serializers.ModelSerializer):
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    entry = ListEntrySerializer(read_only=True)
    reviewed_by = serializers.CharField(source="reviewed_by.username", read_only=True, default=None)

    class Meta:
        model = ScreeningHit
        fields = [
            "id",
            "organisation",
            "organisation_name",
            "entry",
            "query_name",
            "matched_name",
            "score",
            "reasons",
            "algorithm_version",
            "status",
            "reviewed_by",
            "reviewed_at",
            "review_reason",
            "created_at",
            "updated_at",
        ]


class ReviewSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=5000, help_text="Why: e.g. the notice and what was checked.")


class ImportSerializer(serializers.Serializer):
    file = serializers.FileField()
    format = serializers.ChoiceField(choices=sorted(PARSERS), required=False)
    alt = serializers.FileField(required=False, help_text="OFAC alt.csv")
    add = serializers.FileField(required=False, help_text="OFAC add.csv")
    allow_shrink = serializers.BooleanField(
        required=False, default=False, help_text="accept a file with less than half the entries in force"
    )
    allow_older = serializers.BooleanField(
        required=False, default=False, help_text="accept a file older than the version in force (a rollback)"
    )


class ScreenRequestSerializer(serializers.Serializer):
    names = serializers.ListField(
        child=serializers.CharField(
            max_length=SCREEN_MAX_NAME_LENGTH,
            error_messages={"max_length": f"a name is at most {SCREEN_MAX_NAME_LENGTH} characters"},
        ),
        required=False,
        default=list,
        max_length=SCREEN_MAX_NAMES,
        error_messages={"max_length": f"at most {SCREEN_MAX_NAMES:,} names a call; send the rest in another call"},
        help_text=f"Up to {SCREEN_MAX_NAMES:,} names, each up to {SCREEN_MAX_NAME_LENGTH} characters.",
    )
    identifiers = serializers.DictField(
        child=serializers.CharField(max_length=200),
        required=False,
        default=dict,
        help_text=f"Up to {SCREEN_MAX_IDENTIFIERS} identifiers (scheme: value).",
    )
    lists = serializers.ListField(child=serializers.CharField(max_length=40), required=False)
    threshold = serializers.FloatField(required=False, default=POTENTIAL_THRESHOLD, min_value=50, max_value=100)

    def validate_identifiers(self, value: dict) -> dict:
        if len(value) > SCREEN_MAX_IDENTIFIERS:
            raise ValidationError(
                f"at most {SCREEN_MAX_IDENTIFIERS} identifiers a call ({len(value):,} given); send the rest in another"
            )
        return value

    def validate(self, attrs):
        if not attrs["names"] and not attrs["identifiers"]:
            raise ValidationError("give names and/or identifiers")
        return attrs


class ImportedVersionSerializer(serializers.ModelSerializer):
    """The version a job imported, without its diff (thousands of ids): follow `url` for that."""

    url = serializers.HyperlinkedIdentityField(view_name="screening-version-detail")

    class Meta:
        model = ListVersion
        fields = ["id", "url", "sha256", "entry_count", "added_count", "removed_count", "changed_count"]


class ListImportJobSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="screening-import-job-detail")
    list = serializers.CharField(source="sanctions_list.code", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    created_by = serializers.CharField(source="created_by.username", read_only=True, default=None)
    version = ImportedVersionSerializer(read_only=True)
    location = serializers.CharField(source="error_location", read_only=True)

    class Meta:
        model = ListImportJob
        fields = [
            "id",
            "url",
            "list",
            "status",
            "status_label",
            "stage",
            "entries_total",
            "entries_written",
            "source_name",
            "size",
            "format",
            "allow_shrink",
            "allow_older",
            "unchanged",
            "version",
            "error",
            "location",
            "created_by",
            "created_at",
            "started_at",
            "finished_at",
            "attempts",
        ]


# --- viewsets ----------------------------------------------------------------------------------


class SanctionsListViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = SanctionsList.objects.select_related("current_version", "current_version__imported_by")
    serializer_class = SanctionsListSerializer
    lookup_field = "code"
    search_fields = ["code", "name", "authority"]

    @action(
        detail=True,
        methods=["post"],
        url_path="import",
        parser_classes=[MultiPartParser, FormParser],
        permission_classes=[IsAuthenticated],
    )
    def import_file(self, request, code=None):
        """Upload a list file (multipart `file`, optional `format`, `alt`, `add`, `allow_shrink`, `allow_older`).
        Answers 202 with an import job: poll its `url` until `status` is done (the file is the version in force)
        or failed (`error` and `location` say why; the version in force is unchanged)."""
        _require(request, "screening.add_listversion")
        sanctions_list = self.get_object()
        serializer = ImportSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        files = {k: serializer.validated_data.get(k) for k in ("file", "alt", "add")}
        try:
            job = list_import_job_create(
                list_code=sanctions_list.code,
                file=files["file"],
                source_name=f"upload:{files['file'].name}",
                fmt=serializer.validated_data.get("format") or "",
                user=request.user,
                alt=files["alt"],
                add=files["add"],
                allow_shrink=serializer.validated_data["allow_shrink"],
                allow_older=serializer.validated_data["allow_older"],
            )
        except ListImportError as exc:
            return Response(
                {"detail": str(exc), "location": exc.location, "kept": "the version in force is unchanged"},
                status=status.HTTP_400_BAD_REQUEST,
            )
        data = ListImportJobSerializer(job, context={"request": request}).data
        # str(): the URL is a DRF Hyperlink, and a WSGI server takes plain str header values only.
        return Response(data, status=status.HTTP_202_ACCEPTED, headers={"Location": str(data["url"])})

    @action(detail=False, methods=["post"], url_path="screen-all", permission_classes=[IsAuthenticated])
    def screen_all(self, request):
        """Screen every organisation against every list in force now (in the background)."""
        _require(request, "screening.run_screening")
        from riskreg.screening.tasks import screening_run_all

        screening_run_all.delay_on_commit()
        return Response({"queued": True}, status=status.HTTP_202_ACCEPTED)


class ListImportJobViewSet(viewsets.ReadOnlyModelViewSet):
    """List imports in the background: poll one until its status is done or failed."""

    queryset = ListImportJob.objects.select_related("sanctions_list", "created_by", "version")
    serializer_class = ListImportJobSerializer
    filterset_fields = ["sanctions_list__code", "status"]


class ListVersionViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = ListVersion.objects.select_related("sanctions_list", "imported_by", "rolled_back_by")
    serializer_class = ListVersionSerializer
    filterset_fields = ["sanctions_list__code"]

    @action(detail=True, methods=["post"], serializer_class=ReviewSerializer, permission_classes=[IsAuthenticated])
    def rollback(self, request, pk=None):
        """Roll back the version in force (legal), with `{"reason"}`: the version before it is in force again."""
        _require(request, "screening.add_listversion")
        version = self.get_object()
        serializer = ReviewSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        list_version_rollback(version_id=version.pk, user=request.user, reason=serializer.validated_data["reason"])
        return Response(ListVersionSerializer(self.get_queryset().get(pk=version.pk)).data)


class ListEntryViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = ListEntry.objects.select_related("sanctions_list").order_by("sanctions_list__code", "primary_name")
    serializer_class = ListEntrySerializer
    filterset_fields = ["sanctions_list__code", "active", "entity_type"]
    search_fields = ["primary_name", "external_id", "citation", "remarks"]


class ScreeningHitViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = ScreeningHit.objects.select_related(
        "organisation", "entry", "entry__sanctions_list", "reviewed_by"
    ).order_by("status", "-score", "pk")
    serializer_class = ScreeningHitSerializer
    filterset_fields = ["status", "organisation", "entry__sanctions_list__code"]
    search_fields = ["organisation__name", "matched_name", "query_name"]

    def _review(self, request, pk: str, decision: str):
        # These actions check their own permission (legal's review_screeninghit), not add_screeninghit.
        _require(request, "screening.review_screeninghit")
        hit = get_object_or_404(self.get_queryset(), pk=pk)
        serializer = ReviewSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        hit = screening_hit_review(
            hit_id=hit.pk, user=request.user, decision=decision, reason=serializer.validated_data["reason"]
        )
        return Response(ScreeningHitSerializer(hit).data)

    @action(detail=True, methods=["post"], serializer_class=ReviewSerializer, permission_classes=[IsAuthenticated])
    def confirm(self, request, pk=None):
        """Confirm the hit (legal only), with the reason; models with this organisation are re-reviewed."""
        return self._review(request, pk, ScreeningHit.Status.CONFIRMED)

    @action(detail=True, methods=["post"], serializer_class=ReviewSerializer, permission_classes=[IsAuthenticated])
    def dismiss(self, request, pk=None):
        """Dismiss the hit as a false positive (legal only), with the reason."""
        return self._review(request, pk, ScreeningHit.Status.DISMISSED)

    @action(detail=True, methods=["get"])
    def history(self, request, pk=None):
        """Every state of the hit: who decided what, when, and why."""
        hit = get_object_or_404(self.get_queryset(), pk=pk)
        return Response(
            [
                {
                    "at": record.history_date,
                    "by": record.history_user.username if record.history_user else None,
                    "change": record.get_history_type_display(),
                    "status": record.status,
                    "score": record.score,
                    "reason": record.review_reason,
                    "note": record.history_change_reason,
                }
                for record in hit.history.select_related("history_user").order_by("history_date", "history_id")
            ]
        )


class ScreenViewSet(mixins.CreateModelMixin, viewsets.GenericViewSet):
    """POST names and/or identifiers; get the hits at or above the threshold, best first. Writes nothing."""

    serializer_class = ScreenRequestSerializer
    permission_classes = [IsAuthenticated, HasPermission]
    required_perm = "screening.view_listentry"
    parser_classes = [JSONParser]
    queryset = ListEntry.objects.none()

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        queries = [ScreenQuery(label=name, names=[name]) for name in data["names"]]
        queries += [
            ScreenQuery(label=f"{scheme}:{value}", identifiers={scheme: value})
            for scheme, value in data["identifiers"].items()
        ]
        report = names_screen_batch(queries=queries, list_codes=data.get("lists"), threshold=data["threshold"])
        return Response(report, status=status.HTTP_200_OK)


def register(router) -> None:
    """Register this app's viewsets on the project router."""
    router.register("screening/lists", SanctionsListViewSet, basename="screening-list")
    router.register("screening/versions", ListVersionViewSet, basename="screening-version")
    router.register("screening/import-jobs", ListImportJobViewSet, basename="screening-import-job")
    router.register("screening/entries", ListEntryViewSet, basename="screening-entry")
    router.register("screening/hits", ScreeningHitViewSet, basename="screening-hit")
    router.register("screening/screen", ScreenViewSet, basename="screening-screen")
