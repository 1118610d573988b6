"""Interchange API: a model as a CycloneDX ML-BOM, and BOM uploads into the catalog.

`GET /api/models/{slug}/cyclonedx/` and `/spdx/` (actions of the models endpoint, see ModelDocumentsMixin) need
models_catalog.view_aimodel (every role);
`POST /api/interchange/cyclonedx/` needs add_aimodel and change_aimodel (legal).
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
from models_catalog.models import AIModel


class HasPerms(BasePermission):
    """Authenticated and holding every permission in the view's `required_perms`."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.has_perms(view.required_perms))


class UploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="The document to import.")


class ImportResultSerializer(serializers.Serializer):
    models_created = serializers.ListField(child=serializers.CharField())
    models_updated = serializers.ListField(child=serializers.CharField())
    models_unchanged = serializers.ListField(child=serializers.CharField())
    organisations_created = serializers.ListField(child=serializers.CharField())
    claims_created = serializers.IntegerField()
    claims_updated = serializers.IntegerField()
    source = serializers.IntegerField(help_text="The evidence source recorded for the imported document.")
    changed = serializers.BooleanField()


def refused(message: str) -> Response:
    return Response({"detail": message, "kept": "nothing was imported"}, status=status.HTTP_400_BAD_REQUEST)


def read_upload(request, limit: int) -> tuple[bytes, str]:
    serializer = UploadSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    upload = serializer.validated_data["file"]
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

    permission_classes = [HasPerms]
    required_perms = ["models_catalog.add_aimodel", "models_catalog.change_aimodel"]
    parser_classes = [MultiPartParser, FormParser]
    serializer_class = UploadSerializer
    pagination_class = None
    filter_backends: list = []

    @extend_schema(request={"multipart/form-data": UploadSerializer}, responses={200: ImportResultSerializer})
    def create(self, request):
        try:
            from models_catalog.interchange.cyclonedx import bom_import

            data, name = read_upload(request, MAX_DOCUMENT_BYTES)
            result = bom_import(data=data, source_name=name)
        except InterchangeError as exc:
            return refused(str(exc))
        return Response(result.as_dict(), status=status.HTTP_201_CREATED if result.changed else status.HTTP_200_OK)


class CardUploadSerializer(UploadSerializer):
    name = serializers.CharField(required=False, max_length=120, help_text="Default: the card's model-index name.")
    developer = serializers.CharField(
        required=False, max_length=255, help_text="The developer's name, for a model not yet in the catalog."
    )


class CardImportResultSerializer(serializers.Serializer):
    model = serializers.CharField()
    model_outcome = serializers.CharField()
    claims_created = serializers.IntegerField()
    claims_updated = serializers.IntegerField()
    hardware_accelerator = serializers.CharField(allow_null=True)
    source = serializers.IntegerField()
    notes = serializers.ListField(child=serializers.CharField())
    changed = serializers.BooleanField()


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

    @extend_schema(request={"multipart/form-data": CardUploadSerializer}, responses={200: CardImportResultSerializer})
    def create(self, request):
        from models_catalog.interchange.modelcard import model_card_import

        serializer = CardUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data["file"]
        name = f"upload:{upload.name}"
        try:
            if upload.size > MAX_DOCUMENT_BYTES:
                raise InterchangeError(f"{name}: {upload.size:,} bytes is over the 5 MiB limit")
            result = model_card_import(
                data=upload.read(),
                source_name=name,
                name=serializer.validated_data.get("name"),
                developer=serializer.validated_data.get("developer"),
            )
        except InterchangeError as exc:
            return refused(str(exc))
        return Response(result.as_dict(), status=status.HTTP_201_CREATED if result.changed else status.HTTP_200_OK)


def register(router) -> None:
    router.register("interchange/cyclonedx", BomImportViewSet, basename="interchange-cyclonedx")
    router.register("interchange/model-card", ModelCardImportViewSet, basename="interchange-model-card")
