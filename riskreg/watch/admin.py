"""Admin: sources with their health and a "check now" action, snapshots and changes with the diff
rendered, and the alerts inbox with acknowledge / assign to me / resolve actions."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from riskreg.core.admin import ReadOnlyAdminMixin
from riskreg.core.errors import error_text, message_error
from riskreg.watch import services
from riskreg.watch.guidance_drafts import DraftRefused, draft_refusal, guidance_draft_from_alert
from riskreg.watch.models import Alert, ChangeEvent, CheckRecord, Snapshot, WatchSource
from riskreg.watch.tasks import watch_source_check_task

HEALTH_COLOURS = {"healthy": "#2e7d32", "failing": "#c62828", "new": "#757575"}


def diff_html(diff: dict) -> str:
    """A diff as HTML: coloured unified diff for pages, lists of items or entries otherwise."""
    kind = diff.get("kind")
    if kind == "text":
        lines = diff.get("unified", "").splitlines()

        def colour(line: str) -> str:
            if line.startswith("+") and not line.startswith("+++"):
                return "#e6ffed"
            if line.startswith("-") and not line.startswith("---"):
                return "#ffeef0"
            return "transparent"

        rows = format_html_join("", '<div style="background:{}">{}</div>', ((colour(ln), ln or " ") for ln in lines))
        return format_html('<pre style="white-space:pre-wrap;font-size:12px">{}</pre>', rows)
    if kind in ("items", "entries"):
        parts = []
        for name, label in (("added", _("Added")), ("changed", _("Changed")), ("removed", _("Removed"))):
            values = diff.get(name, [])
            if not values:
                continue
            if kind == "entries":
                rows = format_html_join("", "<li>{}</li>", ((value,) for value in values[:500]))
            else:
                rows = format_html_join(
                    "",
                    '<li><a href="{}" rel="noreferrer">{}</a> <small>{}</small></li>',
                    (
                        (item.get("url") or "#", item.get("title") or item.get("key"), item.get("key"))
                        for item in values
                    ),
                )
            parts.append(format_html("<h4>{} ({})</h4><ul>{}</ul>", label, len(values), rows))
        return format_html_join("", "{}", ((part,) for part in parts)) or "-"
    return diff.get("note", "-") if isinstance(diff, dict) else "-"


@admin.register(WatchSource)
class WatchSourceAdmin(SimpleHistoryAdmin):
    list_display = (
        "name",
        "kind",
        "enabled",
        "every_minutes",
        "health_badge",
        "last_checked_at",
        "last_success_at",
        "consecutive_failures",
        "next_check_at",
        "short_error",
    )
    list_editable = ("enabled", "every_minutes")
    list_filter = ("health", "kind", "enabled")
    search_fields = ("name", "url")
    actions = ["check_now"]
    readonly_fields = (
        "health",
        "last_checked_at",
        "last_success_at",
        "consecutive_failures",
        "last_error",
        "next_check_at",
        "etag",
        "last_modified",
        "last_sha256",
        "claimed_until",
        "created_at",
    )
    fieldsets = (
        (None, {"fields": ("name", "kind", "url", "selector", "keywords", "owner", "jurisdiction")}),
        (_("Schedule"), {"fields": ("enabled", "every_minutes", "next_check_at")}),
        (
            _("Health"),
            {"fields": ("health", "last_checked_at", "last_success_at", "consecutive_failures", "last_error")},
        ),
        (
            _("Technical"),
            {
                "classes": ("collapse",),
                "fields": ("etag", "last_modified", "last_sha256", "claimed_until", "created_at"),
            },
        ),
    )

    @admin.display(description=_("health"), ordering="health")
    def health_badge(self, obj: WatchSource) -> str:
        return format_html(
            '<b style="color:{}">{}</b>', HEALTH_COLOURS.get(obj.health, "#000"), obj.get_health_display()
        )

    @admin.display(description=_("last error"))
    def short_error(self, obj: WatchSource) -> str:
        return (obj.last_error[:80] + "...") if len(obj.last_error) > 80 else obj.last_error

    @admin.action(description=_("Check now (queued for the worker)"), permissions=["change"])
    def check_now(self, request, queryset):
        ids = list(queryset.values_list("pk", flat=True))
        for source_id in ids:
            watch_source_check_task.delay_on_commit(source_id, force=True)
        self.message_user(request, _("%(n)d check(s) queued.") % {"n": len(ids)}, messages.SUCCESS)


class ReadOnlyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Snapshots and changes: what a check recorded, never edited."""


@admin.register(Snapshot)
class SnapshotAdmin(ReadOnlyAdmin):
    list_display = ("source", "sequence", "fetched_at", "http_status", "size", "item_count", "short_sha")
    list_filter = ("source",)
    date_hierarchy = "fetched_at"
    fields = ("source", "sequence", "fetched_at", "http_status", "sha256", "size", "item_count", "path", "headers")
    readonly_fields = fields + ("rendered_diff",)

    def get_fields(self, request, obj=None):
        return (*self.fields, "rendered_diff")

    @admin.display(description=_("SHA-256"))
    def short_sha(self, obj: Snapshot) -> str:
        return obj.sha256[:12]

    @admin.display(description=_("what changed"))
    def rendered_diff(self, obj: Snapshot) -> str:
        change = ChangeEvent.objects.filter(after=obj).first()
        if change is None:
            return _("First content of this source (baseline): nothing to compare.")
        return diff_html(change.diff)


@admin.register(ChangeEvent)
class ChangeEventAdmin(ReadOnlyAdmin):
    list_display = ("source", "created_at", "added_count", "removed_count", "changed_count")
    list_filter = ("source",)
    fields = ("source", "before", "after", "created_at", "added_count", "removed_count", "changed_count")

    def get_fields(self, request, obj=None):
        return (*self.fields, "rendered_diff")

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)

    @admin.display(description=_("diff"))
    def rendered_diff(self, obj: ChangeEvent) -> str:
        return diff_html(obj.diff)


@admin.register(CheckRecord)
class CheckRecordAdmin(ReadOnlyAdmin):
    list_display = ("source", "started_at", "outcome", "http_status", "error")
    list_filter = ("outcome", "source")


@admin.register(Alert)
class AlertAdmin(SimpleHistoryAdmin):
    list_display = ("title", "status", "source_name", "model_names", "assignee", "guidance_draft_link", "created_at")
    list_filter = ("status", "change__source")
    search_fields = ("title", "summary")
    actions = ["acknowledge", "assign_to_me", "resolve", "draft_guidance"]
    change_form_template = "admin/watch/alert/change_form.html"
    fields = (
        "guidance_draft_link",
        "title",
        "status",
        "assignee",
        "note",
        "summary",
        "url",
        "matched_terms",
        "organisations",
        "ai_models",
        "accelerators",
        "claims",
        "change",
        "evidence_source",
        "created_at",
        "handled_by",
    )
    readonly_fields = tuple(name for name in fields if name not in ("assignee", "note"))

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("change__source", "evidence_source", "assignee", "guidance_draft")
            .prefetch_related("ai_models")
        )

    def has_add_permission(self, request):
        return False

    def get_urls(self):
        return [
            path(
                "<int:alert_id>/draft-guidance/",
                self.admin_site.admin_view(self.draft_guidance_view),
                name="watch_alert_draft_guidance",
            ),
            *super().get_urls(),
        ]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        # The button "Draft guidance from this alert" (a form of its own, above the change form).
        context["can_draft_guidance"] = (
            obj is not None
            and obj.guidance_draft_id is None
            and draft_refusal(obj) is None
            and self.has_draft_guidance_permission(request)
        )
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)

    def draft_guidance_view(self, request, alert_id: int):
        """POST only: draft guidance from one alert, then open the draft's impact page (or say why not)."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not (self.has_view_permission(request) and self.has_draft_guidance_permission(request)):
            raise PermissionDenied("Only legal may draft guidance from an alert.")
        try:
            result = guidance_draft_from_alert(alert_id=alert_id, actor=request.user)
        except DraftRefused as exc:
            message_error(request, exc)
            return redirect("admin:watch_alert_change", alert_id)
        verb = "Drafted" if result.created else "This alert already has a draft:"
        self.message_user(
            request,
            f"{verb} {result.guidance.title}. Complete it (kind, status, the risk it implies) and read its impact.",
            messages.SUCCESS,
        )
        return redirect("workspace:guidance-impact", result.guidance.pk)

    @admin.display(description=_("guidance draft"))
    def guidance_draft_link(self, obj: Alert) -> str:
        if obj.guidance_draft_id is None:
            return "-"
        return format_html(
            '<a href="{}" data-testid="alert-guidance-impact">{} ({}): its impact</a>',
            reverse("workspace:guidance-impact", args=[obj.guidance_draft_id]),
            obj.guidance_draft.title,
            obj.guidance_draft.get_publication_display(),
        )

    def has_draft_guidance_permission(self, request):
        return request.user.has_perm("models_catalog.add_regulatoryguidance")

    @admin.action(
        description=_("Draft guidance from the selected alerts (regulator sources)"), permissions=["draft_guidance"]
    )
    def draft_guidance(self, request, queryset):
        drafted, refused = [], []
        for alert_id in queryset.order_by("pk").values_list("pk", flat=True):
            try:
                drafted.append(guidance_draft_from_alert(alert_id=alert_id, actor=request.user).guidance)
            except DraftRefused as exc:
                refused.append(error_text(exc))
        if len(drafted) == 1 and not refused:
            self.message_user(
                request, f"Drafted {drafted[0].title}: complete it and read its impact.", messages.SUCCESS
            )
            return redirect("workspace:guidance-impact", drafted[0].pk)
        if drafted:
            links = format_html_join(
                ", ",
                '<a href="{}">{}</a>',
                ((reverse("workspace:guidance-impact", args=[g.pk]), g.title) for g in drafted),
            )
            self.message_user(request, format_html("{} draft(s): {}", len(drafted), links), messages.SUCCESS)
        for message in refused:
            self.message_user(request, message, messages.ERROR)

    @admin.display(description=_("source"))
    def source_name(self, obj: Alert) -> str:
        return obj.source_name

    @admin.display(description=_("models"))
    def model_names(self, obj: Alert) -> str:
        return ", ".join(model.name for model in obj.ai_models.all())

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "assignee":
            kwargs["queryset"] = services.alert_assignable_users()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if "assignee" in form.changed_data:
            services.alert_assign(alert=obj, assignee=obj.assignee, user=request.user)
        if "note" in form.changed_data:
            services.alert_note(alert=obj, user=request.user, note=obj.note)

    def has_acknowledge_permission(self, request):
        return request.user.has_perm("watch.acknowledge_alert")

    @admin.action(description=_("Acknowledge"), permissions=["acknowledge"])
    def acknowledge(self, request, queryset):
        done = 0
        for alert in queryset.exclude(status=Alert.Status.RESOLVED):
            services.alert_acknowledge(alert=alert, user=request.user)
            done += 1
        self.message_user(request, _("%(n)d alert(s) acknowledged.") % {"n": done}, messages.SUCCESS)

    @admin.action(description=_("Assign to me"), permissions=["change"])
    def assign_to_me(self, request, queryset):
        for alert in queryset:
            services.alert_assign(alert=alert, assignee=request.user, user=request.user)
        self.message_user(request, _("Assigned to you."), messages.SUCCESS)

    @admin.action(description=_("Resolve"), permissions=["change"])
    def resolve(self, request, queryset):
        for alert in queryset:
            services.alert_resolve(alert=alert, user=request.user)
        self.message_user(request, _("Resolved."), messages.SUCCESS)
