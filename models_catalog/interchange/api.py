"""Interchange API: a model as a CycloneDX ML-BOM, and BOM uploads into the catalog.

`GET /api/models/{slug}/cyclonedx/` and `/spdx/` (actions of the models endpoint, see ModelDocumentsMixin) need
models_catalog.view_aimodel (every role);
`POST /api/interchange/cyclonedx/`, `/spdx/` and `/model-card/` need add_aimodel and change_aimodel (legal); they
answer 202 with a document import job, which a worker runs (issue 26: no web worker waits on a document);
`GET /api/interchange/jobs/{id}/` shows its progress, then what was imported or why it was refused.
"""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from models_catalog.interchange import MAX_DOCUMENT_BYTES, InterchangeError
from models_catalog.interchange.modelcard import REPO_ID
from models_catalog.models import AIModel, InterchangeImportJob


class HasPerms(BasePermission):
    """Authenticated and holding every permission in the view's `required_perms`."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.has_perms(view.required_perms))


def country_field():
    """The developer's country, as the BOM and card uploads take it."""
    return serializers.RegexField(
        r"^[A-Za-z]{2}$",
        required=False,
        help_text="Two-letter country of a developer the register does not know yet: it is created and screened.",
    )


class UploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="The document to import.")


class BomUploadSerializer(UploadSerializer):
    developer = serializers.CharField(
        required=False,
        max_length=255,
        help_text="Who developed the BOM's models, for every component, instead of what the BOM says (recorded as "
        "a claim to check): an organisation in the register, or a new one with developer_country.",
    )
    developer_country = country_field()


def refused(message: str) -> Response:
    return Response({"detail": message, "kept": "nothing was imported"}, status=status.HTTP_400_BAD_REQUEST)


class ImportJobSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="interchange-job-detail")
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    created_by = serializers.CharField(source="created_by.username", read_only=True, default=None)
    result = serializers.JSONField(
        read_only=True,
        help_text=(
            "When done, what was imported: for a BOM models_created, models_updated, models_unchanged, "
            "organisations_created, claims_created, claims_updated, source, changed; for a card model, "
            "model_outcome, claims_created, claims_updated, hardware_accelerator, source, notes, changed."
        ),
    )

    class Meta:
        model = InterchangeImportJob
        fields = [
            "id",
            "url",
            "kind",
            "status",
            "status_label",
            "stage",
            "source_name",
            "size",
            "options",
            "result",
            "error",
            "created_by",
            "created_at",
            "started_at",
            "finished_at",
            "attempts",
        ]


def queued(request, *, kind: str, data: bytes, name: str, options: dict | None = None) -> Response:
    """Keep the document as a job and answer 202 with it (Location: the job, to poll until done or failed)."""
    from models_catalog.interchange.jobs import interchange_job_create

    job = interchange_job_create(kind=kind, data=data, source_name=name, options=options, user=request.user)
    body = ImportJobSerializer(job, context={"request": request}).data
    # str(): the URL is a DRF Hyperlink, and a WSGI server takes plain str header values only.
    return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": str(body["url"])})


def read_upload(upload, limit: int) -> tuple[bytes, str]:
    """The bytes of a validated upload and the name its job and sources give it; refused over ``limit`` before a
    byte is read."""
    name = f"upload:{upload.name}"
    if upload.size > limit:
        raise InterchangeError(f"{name}: {upload.size:,} bytes is over the {limit // (1024 * 1024)} MiB limit")
    return upload.read(), name


class ModelDocumentsMixin:
    """`/api/models/{slug}/cyclonedx/` and `/spdx/` on the models endpoint (its permissions: view_aimodel)."""

    @extend_schema(
        responses={200: OpenApiResponse(description="A CycloneDX 1.6 JSON BOM with one machine-learning-model.")},
    )
    @action(detail=True, methods=["get"], url_path="cyclonedx")
    def cyclonedx(self, request, slug=None):
        model = AIModel.objects.select_related("developer").filter(slug=slug).first()
        if model is None:
            raise Http404
        from models_catalog.interchange.cyclonedx import model_bom_export  # the validator takes 1 s to import

        response = Response(model_bom_export(model=model), content_type="application/vnd.cyclonedx+json; version=1.6")
        response["Content-Disposition"] = f'inline; filename="{model.slug}.cdx.json"'
        return response

    @extend_schema(
        responses={200: OpenApiResponse(description="An SPDX 3.0.1 JSON-LD document with one ai_AIPackage.")},
    )
    @action(detail=True, methods=["get"], url_path="spdx")
    def spdx(self, request, slug=None):
        from models_catalog.interchange.spdx import model_spdx_export

        model = AIModel.objects.select_related("developer").filter(slug=slug).first()
        if model is None:
            raise Http404
        response = Response(model_spdx_export(model=model), content_type="application/spdx+json")
        response["Content-Disposition"] = f'inline; filename="{model.slug}.spdx.json"'
        return response


class BomImportViewSet(viewsets.GenericViewSet):
    """Upload a CycloneDX 1.5/1.6 JSON BOM: its ML components become or update catalog models."""

    kind = InterchangeImportJob.Kind.CYCLONEDX

    permission_classes = [HasPerms]
    required_perms = ["models_catalog.add_aimodel", "models_catalog.change_aimodel"]
    parser_classes = [MultiPartParser, FormParser]
    serializer_class = BomUploadSerializer
    pagination_class = None
    filter_backends: list = []

    @extend_schema(request={"multipart/form-data": BomUploadSerializer}, responses={202: ImportJobSerializer})
    def create(self, request):
        """Queue the document's import (202, the job)."""
        serializer = BomUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            data, name = read_upload(serializer.validated_data["file"], MAX_DOCUMENT_BYTES)
        except InterchangeError as exc:
            return refused(str(exc))
        options = {key: serializer.validated_data.get(key) for key in ("developer", "developer_country")}
        return queued(request, kind=self.kind, data=data, name=name, options=options)


class SpdxImportViewSet(BomImportViewSet):
    """Upload an SPDX 3.0.1 JSON-LD document: its ai_AIPackages become or update catalog models."""

    kind = InterchangeImportJob.Kind.SPDX


class CardUploadSerializer(UploadSerializer):
    repo = serializers.RegexField(
        rf"^{REPO_ID.pattern}$",
        required=False,
        help_text="The card's Hugging Face repository id (owner/name): the model's name and, for a model not yet "
        "in the catalog, its developer (the owner).",
    )
    name = serializers.CharField(
        required=False, max_length=120, help_text="Default: the repository's name, else the card's model-index name."
    )
    developer = serializers.CharField(
        required=False, max_length=255, help_text="The developer's name, for a model not yet in the catalog."
    )
    developer_country = country_field()


class ModelCardImportViewSet(viewsets.GenericViewSet):
    """Upload a Hugging Face model card (README.md with YAML front matter) into the catalog."""

    permission_classes = [HasPerms]
    required_perms = [
        "models_catalog.add_aimodel",
        "models_catalog.change_aimodel",
        "models_catalog.add_provenanceclaim",
    ]
    parser_classes = [MultiPartParser, FormParser]
    serializer_class = CardUploadSerializer
    pagination_class = None
    filter_backends: list = []

    @extend_schema(request={"multipart/form-data": CardUploadSerializer}, responses={202: ImportJobSerializer})
    def create(self, request):
        """Queue the card's import (202, the job)."""
        serializer = CardUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            data, name = read_upload(serializer.validated_data["file"], MAX_DOCUMENT_BYTES)
        except InterchangeError as exc:
            return refused(str(exc))
        options = {
            key: serializer.validated_data.get(key) for key in ("name", "developer", "repo", "developer_country")
        }
        return queued(request, kind=InterchangeImportJob.Kind.MODEL_CARD, data=data, name=name, options=options)


class ImportJobViewSet(viewsets.ReadOnlyModelViewSet):
    """BOM and model card imports in the background: poll one until its status is done or failed. For those who
    may import (legal); every importer sees the team's imports."""

    permission_classes = [HasPerms]
    required_perms = ["models_catalog.add_aimodel", "models_catalog.change_aimodel"]
    queryset = InterchangeImportJob.objects.select_related("created_by").defer("document")
    serializer_class = ImportJobSerializer
    filterset_fields = ["kind", "status"]


def register(router) -> None:
    router.register("interchange/cyclonedx", BomImportViewSet, basename="interchange-cyclonedx")
    router.register("interchange/spdx", SpdxImportViewSet, basename="interchange-spdx")
    router.register("interchange/model-card", ModelCardImportViewSet, basename="interchange-model-card")
    router.register("interchange/jobs", ImportJobViewSet, basename="interchange-job")
