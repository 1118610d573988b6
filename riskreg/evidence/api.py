"""API of evidence: captures (read; upload legal's copy; queue a capture from the address).
Reads need view_capture; uploading and capturing need add_capture (legal)."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from models_catalog.models import EvidenceSource
from riskreg.evidence import services
from riskreg.evidence.models import Capture
from riskreg.evidence.tasks import evidence_source_capture_task


class CaptureSerializer(serializers.ModelSerializer):
    class Meta:
        model = Capture
        fields = [
            "id",
            "source",
            "outcome",
            "origin",
            "note",
            "retrieved_at",
            "requested_url",
            "final_url",
            "http_status",
            "content_type",
            "sha256",
            "size",
            "error",
        ]


class CaptureDetailSerializer(CaptureSerializer):
    class Meta(CaptureSerializer.Meta):
        fields = [*CaptureSerializer.Meta.fields, "text"]


class UploadSerializer(serializers.Serializer):
    source = serializers.PrimaryKeyRelatedField(queryset=EvidenceSource.objects.all())
    file = serializers.FileField()
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class FetchSerializer(serializers.Serializer):
    source = serializers.PrimaryKeyRelatedField(queryset=EvidenceSource.objects.all())


class CaptureViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    queryset = Capture.objects.select_related("source").order_by("-retrieved_at", "-pk")
    serializer_class = CaptureSerializer
    filterset_fields = ["source", "outcome", "origin"]
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    def get_serializer_class(self):
        if self.action == "retrieve":
            return CaptureDetailSerializer
        if self.action == "create":
            return UploadSerializer
        if self.action == "fetch":
            return FetchSerializer
        return CaptureSerializer

    def create(self, request, *args, **kwargs):
        """Upload the copy you hold (multipart: source, file, note); it becomes the capture the claims rest on."""
        body = UploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        upload = body.validated_data["file"]
        try:
            capture = services.evidence_capture_upload(
                source=body.validated_data["source"],
                body=upload.read(),
                filename=upload.name,
                content_type=getattr(upload, "content_type", "") or "",
                user=request.user,
                note=body.validated_data["note"],
            )
        except DjangoValidationError as exc:
            raise ValidationError(exc.message_dict) from None
        return Response(CaptureSerializer(capture).data, status=status.HTTP_201_CREATED)

    @action(detail=False, methods=["post"])
    def fetch(self, request):
        """Queue a capture of the source from its address now (202); the outcome shows on the source."""
        body = FetchSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        source = body.validated_data["source"]
        if not source.url:
            raise ValidationError({"source": f"{source.title} has no URL; upload a copy instead"})
        evidence_source_capture_task.delay_on_commit(source.pk)
        return Response({"source": source.pk, "queued": True}, status=status.HTTP_202_ACCEPTED)


def register(router) -> None:
    router.register("evidence/captures", CaptureViewSet, basename="evidence-capture")
