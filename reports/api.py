"""Memos API: generate (202, rendered by a worker), list, retrieve (status), download, verify.

POST   /api/memos/                      {"kind": "model", "model": "glm-5"} | {"kind": "request", "request": 12}
                                        | {"kind": "portfolio"}            -> 202 {"id", "status", ...}
GET    /api/memos/?kind=&model=&status=  list (requesters: memos of their own requests only)
GET    /api/memos/{id}/                 status and hashes
GET    /api/memos/{id}/download/        the PDF
POST   /api/memos/{id}/verify/          {"ok": true|false, ...}
"""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import get_object_or_404  # 404, not 500, for an id that is not a number
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from models_catalog.models import AIModel
from reports.models import Memo
from reports.selectors import memo_can_generate
from reports.services import memo_request, memo_verify
from reports.views import memo_file_response
from riskreg.register.models import AdoptionRequest


class MemoSerializer(serializers.ModelSerializer):
    model = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    generated_by = serializers.CharField(source="generated_by.get_username", read_only=True, default=None)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Memo
        fields = [
            "id",
            "kind",
            "model",
            "request",
            "version",
            "status",
            "snapshot_sha256",
            "pdf_sha256",
            "pages",
            "template_version",
            "renderer",
            "generated_by",
            "created_at",
            "started_at",
            "finished_at",
            "attempts",
            "error",
            "download_url",
        ]
        read_only_fields = fields

    def get_download_url(self, memo: Memo) -> str | None:
        if memo.status != Memo.Status.DONE:
            return None
        url = reverse("memo-download", kwargs={"pk": memo.pk})
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url


class MemoCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Memo.Kind.choices)
    model = serializers.SlugRelatedField(
        slug_field="slug", queryset=AIModel.objects.all(), required=False, allow_null=True
    )
    request = serializers.PrimaryKeyRelatedField(
        queryset=AdoptionRequest.objects.select_related("model"), required=False, allow_null=True
    )


class CanReadMemos(BasePermission):
    """Verification is a read: whoever may see a memo may check it (auditors included)."""

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated and request.user.has_perm("reports.view_memo"))


class MemoViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Memos are never changed or deleted through the API: a new memo is a new version."""

    serializer_class = MemoSerializer
    filterset_fields = ["kind", "status", "model__slug", "request"]
    ordering_fields = ["created_at", "version"]
    queryset = Memo.objects.none()  # for the permission class and the schema; real rows come from the selector

    def get_queryset(self):
        return Memo.objects.visible_to(self.request.user).select_related("model", "request", "generated_by")

    def get_permissions(self):
        if self.action == "verify":
            return [CanReadMemos()]
        return super().get_permissions()

    def create(self, request, *args, **kwargs):
        if not memo_can_generate(user=request.user):
            raise PermissionDenied("Only legal, security and procurement may generate memos.")
        form = MemoCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        with transaction.atomic():
            memo = memo_request(
                kind=data["kind"], model=data.get("model"), request=data.get("request"), user=request.user
            )
        body = MemoSerializer(memo, context={"request": request}).data
        body["status_url"] = request.build_absolute_uri(reverse("memo-detail", kwargs={"pk": memo.pk}))
        return Response(body, status=status.HTTP_202_ACCEPTED)

    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        memo = get_object_or_404(self.get_queryset(), pk=pk)
        return memo_file_response(memo)

    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        # Verification changes no register data; it only records that a check was made.
        memo = get_object_or_404(self.get_queryset(), pk=pk)
        return Response(memo_verify(memo=memo, user=request.user))


def register(router) -> None:
    """Register this app's viewsets on the project router."""
    router.register("memos", MemoViewSet, basename="memo")
