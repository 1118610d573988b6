"""Captures and cited sources in the admin: legal uploads a copy, captures now, cites the latest capture."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from models_catalog.models import EvidenceSource
from riskreg.core.admin import ReadOnlyAdminMixin
from riskreg.core.errors import message_error
from riskreg.evidence import services
from riskreg.evidence.models import Capture, CitedSource
from riskreg.evidence.store import copy_read
from riskreg.evidence.text import kind_of


def _short(text: str, limit: int = 70) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


class UploadForm(forms.Form):
    source = forms.ModelChoiceField(
        queryset=EvidenceSource.objects.order_by("title"),
        label=_("source"),
        widget=forms.Select(attrs={"style": "max-width: 48em; width: 100%"}),
        help_text=_("The evidence source this file is a copy of."),
    )
    file = forms.FileField(label=_("file"), help_text=_("A PDF, HTML page or text file: the copy you have."))
    note = forms.CharField(
        label=_("note"),
        max_length=500,
        required=False,
        help_text=_("Where the copy came from, e.g. 'PDF of the article as printed from the subscriber site'."),
    )


@admin.register(Capture)
class CaptureAdmin(admin.ModelAdmin):
    list_display = ("source_title", "outcome", "origin", "retrieved_at", "short_sha", "http_status", "error_text")
    list_filter = ("outcome", "origin")
    search_fields = ("source__title", "sha256", "final_url", "error")
    list_select_related = ("source",)
    fields = (
        "source",
        "outcome",
        "origin",
        "stored_copy",
        "note",
        "retrieved_at",
        "requested_url",
        "final_url",
        "http_status",
        "content_type",
        "sha256",
        "size",
        "path",
        "error",
        "captured_by",
        "text",
    )
    readonly_fields = fields

    def get_urls(self):
        view = self.admin_site.admin_view(self.download_view)
        return [path("<int:pk>/download/", view, name="evidence_capture_download"), *super().get_urls()]

    def download_view(self, request, pk: int):
        """The stored copy, as a download (never shown inline: a captured page is not ours to render)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        capture = get_object_or_404(Capture, pk=pk, outcome=Capture.Outcome.OK)
        try:
            body = copy_read(path=capture.path)
        except OSError:
            raise Http404("the stored copy is missing") from None
        extension = {"pdf": "pdf", "html": "html", "text": "txt"}.get(
            kind_of(body=body, content_type=capture.content_type), "bin"
        )
        response = HttpResponse(body, content_type="application/octet-stream")
        response["Content-Disposition"] = (
            f'attachment; filename="capture-{capture.pk}-{capture.sha256[:12]}.{extension}"'
        )
        response["X-Content-Type-Options"] = "nosniff"
        return response

    @admin.display(description=_("stored copy"))
    def stored_copy(self, obj: Capture) -> str:
        if obj.outcome != Capture.Outcome.OK:
            return "-"
        url = reverse("admin:evidence_capture_download", args=[obj.pk])
        return format_html('<a href="{}">{}</a> ({} bytes)', url, _("Download the copy"), f"{obj.size or 0:,}")

    @admin.display(description=_("source"), ordering="source__title")
    def source_title(self, obj: Capture) -> str:
        return _short(obj.source.title)

    @admin.display(description=_("SHA-256"))
    def short_sha(self, obj: Capture) -> str:
        return f"{obj.sha256[:16]}…" if obj.sha256 else "-"

    @admin.display(description=_("why it failed"))
    def error_text(self, obj: Capture) -> str:
        return obj.error[:120] or "-"

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def add_view(self, request, form_url="", extra_context=None):
        """'Add capture' is the upload of legal's own copy, through the service (never a bare model form)."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        initial = {"source": request.GET.get("source")} if request.GET.get("source") else {}
        form = UploadForm(request.POST or None, request.FILES or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                capture = services.evidence_capture_upload(
                    source=form.cleaned_data["source"],
                    body=upload.read(),
                    filename=upload.name,
                    content_type=upload.content_type or "",
                    user=request.user,
                    note=form.cleaned_data["note"],
                )
            except ValidationError as exc:
                for message in exc.message_dict.get("file", exc.messages):
                    form.add_error("file", message)
            else:
                self.message_user(
                    request,
                    _("Captured %(source)s from your file: SHA-256 %(sha)s. Its claims now rest on this copy.")
                    % {"source": capture.source.title, "sha": capture.sha256},
                    messages.SUCCESS,
                )
                return redirect(reverse("admin:evidence_capture_change", args=[capture.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Upload a capture"),
            "form": form,
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/evidence/capture/upload.html", context)


@admin.register(CitedSource)
class CitedSourceAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "source_title",
        "state",
        "cited_on",
        "cited_sha",
        "last_checked_at",
        "next_check_at",
        "last_error_text",
    )
    list_filter = ("state",)
    search_fields = ("source__title", "source__publisher", "source__url")
    list_select_related = ("source", "cited_capture")
    actions = ["capture_now", "cite_latest"]
    fields = (
        "source",
        "state",
        "state_since",
        "cited_capture",
        "latest_capture",
        "last_checked_at",
        "next_check_at",
        "consecutive_failures",
        "last_error",
    )
    readonly_fields = fields

    @admin.display(description=_("source"), ordering="source__title")
    def source_title(self, obj: CitedSource) -> str:
        return _short(obj.source.title)

    @admin.display(description=_("cited copy retrieved"), ordering="cited_capture__retrieved_at")
    def cited_on(self, obj: CitedSource):
        return obj.cited_capture.retrieved_at if obj.cited_capture else "-"

    @admin.display(description=_("SHA-256 of the cited copy"))
    def cited_sha(self, obj: CitedSource) -> str:
        return f"{obj.cited_capture.sha256[:16]}…" if obj.cited_capture else "-"

    @admin.display(description=_("last error"))
    def last_error_text(self, obj: CitedSource) -> str:
        return obj.last_error[:120] or "-"

    def has_capture_permission(self, request):
        return request.user.has_perm("evidence.add_capture")

    @admin.action(description=_("Capture now from the address"), permissions=["capture"])
    def capture_now(self, request, queryset):
        results = services.evidence_sources_capture(source_ids=list(queryset.values_list("source_id", flat=True)))
        for result in results:
            level = messages.SUCCESS if result.status == services.Status.CAPTURED else messages.WARNING
            self.message_user(request, f"source {result.source_id}: {result.status} {result.error}".strip(), level)

    @admin.action(description=_("Cite the latest capture (the change has been read)"), permissions=["capture"])
    def cite_latest(self, request, queryset):
        for cited in queryset.select_related("source"):
            try:
                services.evidence_source_recite(source=cited.source, user=request.user)
            except ValidationError as exc:
                message_error(request, exc)
        self.message_user(request, _("The latest captures are now the ones cited."), messages.SUCCESS)
