"""Memos in the admin: a read-only list with downloads and verification, inlines for the model and request
pages, and the generate actions, which reports adds to the catalog's and the register's admins itself
(reports.apps, through riskreg.core.extensions.admin_extend; see docs/reports.md)."""

from __future__ import annotations

import json

from django.contrib import admin, messages
from django.db import transaction
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from reports.models import Memo, MemoVerification
from reports.selectors import memo_can_generate
from reports.services import MemoError, memo_request, memo_verify
from riskreg.core.admin import ReadOnlyAdminMixin
from riskreg.core.errors import message_error


def _download_link(memo: Memo) -> str:
    if memo.status != Memo.Status.DONE:
        return memo.get_status_display()
    return format_html(
        '<a href="{}">Download PDF</a> ({} pages)', reverse("reports:memo-download", args=[memo.pk]), memo.pages
    )


class MemoVerificationInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = MemoVerification
    extra = 0
    fields = ("verified_at", "verified_by", "ok", "problems")
    readonly_fields = fields
    verbose_name_plural = _("verifications")

    @admin.display(description=_("problems"))
    def problems(self, obj: MemoVerification) -> str:
        return "; ".join(obj.result.get("problems", [])) or "–"


@admin.register(Memo)
class MemoAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("__str__", "kind", "status", "pages", "generated_by", "created_at", "download")
    list_filter = ("kind", "status")
    search_fields = ("model__name", "model__slug", "pdf_sha256", "snapshot_sha256")
    date_hierarchy = "created_at"
    actions = ["verify_memos"]
    inlines = [MemoVerificationInline]
    fields = (
        "kind",
        "model",
        "request",
        "version",
        "status",
        "summary",
        "download",
        "pages",
        "pdf_sha256",
        "snapshot_sha256",
        "template_version",
        "renderer",
        "generated_by",
        "created_at",
        "started_at",
        "finished_at",
        "attempts",
        "error",
        "snapshot_pretty",
    )
    readonly_fields = fields

    def get_queryset(self, request):
        return Memo.objects.visible_to(request.user).select_related("model", "request", "generated_by")

    @admin.display(description=_("PDF"))
    def download(self, obj: Memo) -> str:
        return _download_link(obj)

    @admin.display(description=_("summary"))
    def summary(self, obj: Memo) -> str:
        """What the memo says first, in words: the residual level, what drives it, the approval, the questions."""
        snapshot = obj.snapshot
        if not snapshot:
            return "–"
        if snapshot.get("kind") == Memo.Kind.PORTFOLIO:
            models = snapshot.get("models", [])
            return f"Portfolio of {len(models)} model(s), each with its residual level and the state of its requests."
        risk = snapshot.get("risk") or {}
        overall = risk.get("overall")
        by_ref = {item["ref"]: item for item in risk.get("items", [])}
        lines = []
        if overall:
            basis = "inherent rating, no residual assessment yet" if overall.get("from_inherent") else "after controls"
            lines.append(
                format_html(
                    "Overall residual risk: <strong>{}</strong> (score {}, {}).",
                    overall["name"],
                    overall["score"],
                    basis,
                )
            )
        else:
            lines.append("No accepted risk item: no overall level.")
        drivers = [by_ref[ref]["title"] for ref in risk.get("drivers", []) if ref in by_ref]
        if drivers:
            lines.append(format_html("Driven by: {}.", "; ".join(drivers)))
        approval = snapshot.get("approval") or {}
        if approval.get("reason"):
            lines.append(approval["reason"] + (" The memo is marked DRAFT." if approval.get("watermark") else ""))
        questions = snapshot.get("open_questions") or []
        if questions:
            lines.append(f"{len(questions)} open question(s) for counsel.")
        return format_html("<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((line,) for line in lines)))

    @admin.display(description=_("snapshot"))
    def snapshot_pretty(self, obj: Memo) -> str:
        """The data behind the memo, for whoever checks it; folded away so the page reads as a summary."""
        if not obj.snapshot:
            return "–"
        return format_html(
            "<details><summary>Show data (the snapshot the PDF was rendered from; its SHA-256 is above)</summary>"
            "<pre>{}</pre></details>",
            json.dumps(obj.snapshot, indent=2, ensure_ascii=False, sort_keys=True),
        )

    @admin.action(description=_("Verify selected memos (hashes and re-render)"), permissions=["view"])
    def verify_memos(self, request, queryset):
        for memo in queryset:
            result = memo_verify(memo=memo, user=request.user)
            if result["ok"]:
                self.message_user(request, f"{memo}: verified, PDF SHA-256 {memo.pdf_sha256}.", messages.SUCCESS)
            else:
                self.message_user(request, f"{memo}: NOT verified: {'; '.join(result['problems'])}.", messages.ERROR)


class _MemoInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Memo
    extra = 0
    fields = ("memo", "kind", "version", "status", "generated_by", "created_at", "download")
    readonly_fields = fields
    verbose_name_plural = _("memos")
    ordering = ("-created_at",)

    def get_queryset(self, request):
        visible = Memo.objects.visible_to(request.user).values("pk")
        return super().get_queryset(request).filter(pk__in=visible).select_related("generated_by")

    @admin.display(description=_("memo"))
    def memo(self, obj: Memo) -> str:
        return format_html('<a href="{}">{}</a>', reverse("admin:reports_memo_change", args=[obj.pk]), obj)

    @admin.display(description=_("PDF"))
    def download(self, obj: Memo) -> str:
        return _download_link(obj)


class ModelMemoInline(_MemoInline):
    """The "memos" tab of an AI model: its model memos and the memos of its adoption requests."""

    fk_name = "model"


class RequestMemoInline(_MemoInline):
    """The "memos" tab of an adoption request."""

    fk_name = "request"


def _queue(modeladmin, request, subjects, *, kind: str) -> None:
    if not memo_can_generate(user=request.user):
        modeladmin.message_user(request, "Only legal, security and procurement may generate memos.", messages.ERROR)
        return
    queued = []
    try:
        with transaction.atomic():
            for subject in subjects:
                if kind == Memo.Kind.MODEL:
                    queued.append(memo_request(kind=kind, model=subject, user=request.user))
                else:
                    queued.append(memo_request(kind=kind, request=subject, user=request.user))
    except MemoError as exc:
        message_error(request, exc)
        return
    for memo in queued:
        modeladmin.message_user(
            request,
            format_html(
                '<a href="{}">{}</a> queued; it is rendered in the background, usually in a few seconds. '
                "Its status shows on the memo's page (this link) and in the Memos section of the model's or "
                "request's page.",
                reverse("admin:reports_memo_change", args=[memo.pk]),
                memo,
            ),
            messages.SUCCESS,
        )


def may_generate_memo(request) -> bool:
    """Who is offered the memo actions on the catalog's and the register's pages: the roles that may generate."""
    return request.user.has_perm("reports.add_memo")


@admin.action(description=_("Generate a risk memo (PDF)"), permissions=["generate_memo"])
def generate_model_memo(modeladmin, request, queryset) -> None:
    """Admin action for AIModel: a new memo version per selected model, rendered by a worker."""
    _queue(modeladmin, request, list(queryset), kind=Memo.Kind.MODEL)


@admin.action(description=_("Generate a risk memo for the request (PDF)"), permissions=["generate_memo"])
def generate_request_memo(modeladmin, request, queryset) -> None:
    """Admin action for AdoptionRequest: a new memo version per selected request, rendered by a worker."""
    _queue(modeladmin, request, list(queryset.select_related("model")), kind=Memo.Kind.REQUEST)
