"""Admin: lists (with file import), versions and their diff, entries, and the review queue of hits."""

from __future__ import annotations

import json

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Case, Value, When
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from simple_history.admin import SimpleHistoryAdmin

from riskreg.core.admin import ReadOnlyAdminMixin
from riskreg.core.errors import BadInput, Refused, message_error
from riskreg.screening.importers import PARSERS
from riskreg.screening.imports import list_import_job_create
from riskreg.screening.models import ListEntry, ListImportJob, ListVersion, SanctionsList, ScreeningHit
from riskreg.screening.services import (
    ListImportError,
    list_version_rollback,
    screening_hit_review,
)


class ImportForm(forms.Form):
    sanctions_list = forms.ModelChoiceField(SanctionsList.objects.all(), label="List")
    file = forms.FileField(help_text="The list file as published (sdn.csv, consolidated.csv/json, XML, FtM JSON).")
    format = forms.ChoiceField(
        choices=[("", "detect from the file"), *[(f, f) for f in sorted(PARSERS)]], required=False
    )
    alt = forms.FileField(required=False, label="OFAC alt.csv", help_text="Aliases, with an OFAC sdn.csv.")
    add = forms.FileField(required=False, label="OFAC add.csv", help_text="Addresses, with an OFAC sdn.csv.")
    allow_shrink = forms.BooleanField(
        required=False,
        label="a much shorter list",
        help_text="Accept a file with less than half the entries in force (refused by default as truncated).",
    )
    allow_older = forms.BooleanField(
        required=False,
        label="an older file",
        help_text="Accept a file older than the version in force (refused by default: it would roll the list back).",
    )

    def clean(self):
        cleaned = super().clean()
        limit = settings.RISKREG_IMPORT_MAX_BYTES
        for name in ("file", "alt", "add"):
            upload = cleaned.get(name)
            if upload is not None and upload.size > limit:
                self.add_error(
                    name,
                    f"This file is {upload.size:,} bytes; files are limited to {limit:,} bytes "
                    "(RISKREG_IMPORT_MAX_BYTES). Nothing was imported.",
                )
        return cleaned


@admin.register(SanctionsList)
class SanctionsListAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name", "authority", "format", "current_version")
    readonly_fields = ("current_version",)
    actions = ["screen_now"]

    def get_urls(self):
        urls = [path("import/", self.admin_site.admin_view(self.import_view), name="screening_sanctionslist_import")]
        return urls + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "import_url": reverse("admin:screening_sanctionslist_import")}
        if request.user.has_perm("screening.add_listversion"):
            messages.info(request, format_html('<a href="{}">Import a list file…</a>', extra_context["import_url"]))
        return super().changelist_view(request, extra_context)

    def import_view(self, request):
        if not request.user.has_perm("screening.add_listversion"):
            raise PermissionDenied
        form = ImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                job = list_import_job_create(
                    list_code=data["sanctions_list"].code,
                    file=data["file"],
                    source_name=f"upload:{data['file'].name}",
                    fmt=data["format"] or "",
                    user=request.user,
                    alt=data["alt"],
                    add=data["add"],
                    allow_shrink=data["allow_shrink"],
                    allow_older=data["allow_older"],
                )
            except ListImportError as exc:
                form.add_error("file", f"Refused: {exc}. The version in force is unchanged.")
            else:
                messages.info(request, "The file is being imported; this page shows how far it has got.")
                return redirect("admin:screening_listimportjob_change", job.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "form": form,
            "max_bytes": settings.RISKREG_IMPORT_MAX_BYTES,
        }
        context["title"] = "Import a list file"
        return TemplateResponse(request, "screening/admin/import_list.html", context)

    @admin.action(description="Screen every organisation against these lists now", permissions=["run"])
    def screen_now(self, request, queryset):
        from riskreg.screening.tasks import screening_run_all

        for sanctions_list in queryset.exclude(current_version=None):
            screening_run_all.delay_on_commit(list_version_id=sanctions_list.current_version_id)
        self.message_user(request, "Screening queued; new potential matches will appear in the review queue.")

    def has_run_permission(self, request) -> bool:
        return request.user.has_perm("screening.run_screening")


@admin.register(ListImportJob)
class ListImportJobAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Imports in the background: the list of uploads and, for each, a page with its progress."""

    list_display = ("created_at", "list_code", "source_name", "status", "created_by")
    list_filter = ("status", "sanctions_list")
    list_select_related = ("sanctions_list", "created_by")

    @admin.display(description="list", ordering="sanctions_list__code")
    def list_code(self, obj: ListImportJob) -> str:
        return obj.sanctions_list.code

    def change_view(self, request, object_id, form_url="", extra_context=None):
        job = self.get_object(request, object_id)
        if job is None or not self.has_view_permission(request, job):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": str(job),
            "job": job,
            "running": job.status in (ListImportJob.Status.PENDING, ListImportJob.Status.IMPORTING),
        }
        return TemplateResponse(request, "screening/admin/import_job.html", context)


@admin.register(ListVersion)
class ListVersionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "sanctions_list",
        "imported_at",
        "imported_by",
        "format",
        "entry_count",
        "added_count",
        "removed_count",
        "changed_count",
        "in_force",
        "rolled_back_at",
    )
    list_filter = ("sanctions_list",)
    actions = ["rollback_versions"]
    fields = (
        "sanctions_list",
        "source_name",
        "format",
        "sha256",
        "imported_at",
        "imported_by",
        "entry_count",
        "added_count",
        "removed_count",
        "changed_count",
        "rolled_back_at",
        "rolled_back_by",
        "rollback_reason",
        "impact_link",
        "diff_display",
    )
    readonly_fields = fields

    @admin.display(description="impact")
    def impact_link(self, obj) -> str:
        """The version's impact page (the workspace): the catalog organisations its added entries match, the
        models they reach, and the requests, sign-offs and memos a confirmed hit would touch."""
        return format_html(
            '<a href="{}" data-testid="list-version-impact">What its added and removed entries would change</a>',
            reverse("workspace:list-version-impact", args=[obj.pk]),
        )

    def has_rollback_permission(self, request) -> bool:
        return request.user.has_perm("screening.add_listversion")

    @admin.action(description="Roll back the selected version in force (with a reason)…", permissions=["rollback"])
    def rollback_versions(self, request, queryset):
        form = RollbackReasonForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            for version in queryset.order_by("-pk"):
                try:
                    list_version_rollback(version_id=version.pk, user=request.user, reason=form.cleaned_data["reason"])
                except (Refused, BadInput) as exc:
                    message_error(request, exc, about=f"Version #{version.pk}")
                else:
                    self.message_user(request, f"Version #{version.pk} of {version.sanctions_list.code} rolled back.")
            return None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Roll back list versions",
            "versions": queryset.select_related("sanctions_list"),
            "form": form,
        }
        return TemplateResponse(request, "screening/admin/rollback_version.html", context)

    @admin.display(boolean=True, description="in force")
    def in_force(self, obj: ListVersion) -> bool:
        return obj.sanctions_list.current_version_id == obj.pk

    @admin.display(description="differences from the previous version")
    def diff_display(self, obj: ListVersion):
        diff = obj.diff or {}
        entries = {
            e.external_id: e
            for e in ListEntry.objects.filter(
                sanctions_list=obj.sanctions_list, external_id__in=[i for ids in diff.values() for i in ids[:200]]
            )
        }

        def rows(ids):
            return format_html_join(
                "",
                "<li>{} {}</li>",
                ((i, entries[i].primary_name if i in entries else "") for i in ids[:200]),
            )

        return format_html(
            "<p><b>Added ({})</b></p><ul>{}</ul><p><b>Removed ({})</b></p><ul>{}</ul>"
            "<p><b>Changed ({})</b></p><ul>{}</ul>",
            len(diff.get("added", [])),
            rows(diff.get("added", [])),
            len(diff.get("removed", [])),
            rows(diff.get("removed", [])),
            len(diff.get("changed", [])),
            rows(diff.get("changed", [])),
        )


@admin.register(ListEntry)
class ListEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("primary_name", "sanctions_list", "external_id", "entity_type", "listed_on", "citation", "active")
    list_filter = ("sanctions_list", "entity_type", "active")
    search_fields = ("primary_name", "external_id", "citation", "remarks")
    readonly_fields = [f.name for f in ListEntry._meta.fields if f.name != "raw"] + ["raw_display"]
    exclude = ("raw",)

    @admin.display(description="raw record")
    def raw_display(self, obj: ListEntry):
        return format_html("<pre>{}</pre>", json.dumps(obj.raw, indent=2, ensure_ascii=False))


class RollbackReasonForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
        help_text="Why this file is wrong, e.g. a test file with a bogus entry number 999999.",
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4, "cols": 80}),
        help_text="Why: the notice, the identifiers or addresses compared. Kept in the history.",
    )


@admin.register(ScreeningHit)
class ScreeningHitAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    """The review queue: potential matches first; confirm or dismiss with a reason (actions)."""

    list_display = (
        "organisation",
        "query_name",
        "matched_name",
        "list_code",
        "score",
        "status",
        "reviewed_by",
        "reviewed_at",
    )
    list_filter = ("status", "entry__sanctions_list", "algorithm_version")
    search_fields = ("organisation__name", "organisation__short_name", "matched_name", "query_name")
    list_select_related = ("organisation", "entry", "entry__sanctions_list", "reviewed_by")

    def get_queryset(self, request):
        # Potential matches first (the work to do), then confirmed, then dismissed; best score first.
        queue = Case(
            When(status=ScreeningHit.Status.POTENTIAL, then=Value(0)),
            When(status=ScreeningHit.Status.CONFIRMED, then=Value(1)),
            default=Value(2),
        )
        return super().get_queryset(request).annotate(queue=queue).order_by("queue", "-score", "pk")

    readonly_fields = (
        "organisation",
        "entry_link",
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
    )
    exclude = ("entry", "entry_hash_at_review")
    actions = ["confirm_hits", "dismiss_hits"]

    @admin.display(description="list", ordering="entry__sanctions_list__code")
    def list_code(self, obj: ScreeningHit) -> str:
        return obj.entry.sanctions_list.code

    @admin.display(description="list entry")
    def entry_link(self, obj: ScreeningHit):
        url = reverse("admin:screening_listentry_change", args=[obj.entry_id])
        return format_html(
            '<a href="{}">{}</a> (listed {}, {})', url, obj.entry, obj.entry.listed_on, obj.entry.citation
        )

    def has_review_permission(self, request) -> bool:
        return request.user.has_perm("screening.review_screeninghit")

    def _review(self, request, queryset, decision: str, action: str, title: str):
        form = ReasonForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            done = 0
            for hit in queryset:
                try:
                    screening_hit_review(
                        hit_id=hit.pk, user=request.user, decision=decision, reason=form.cleaned_data["reason"]
                    )
                    done += 1
                except (Refused, BadInput) as exc:
                    message_error(request, exc, about=str(hit))
            self.message_user(request, f"{done} hit(s) {decision}.")
            return None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": title,
            "intro": "The reason is recorded with your name and the time, and stays in the hit's history.",
            "hits": queryset.select_related("organisation", "entry", "entry__sanctions_list"),
            "form": form,
            "action": action,
        }
        return TemplateResponse(request, "screening/admin/review_hits.html", context)

    @admin.action(description="Confirm selected hits (with a reason)…", permissions=["review"])
    def confirm_hits(self, request, queryset):
        return self._review(request, queryset, ScreeningHit.Status.CONFIRMED, "confirm_hits", "Confirm hits")

    @admin.action(description="Dismiss selected hits as false positives (with a reason)…", permissions=["review"])
    def dismiss_hits(self, request, queryset):
        return self._review(request, queryset, ScreeningHit.Status.DISMISSED, "dismiss_hits", "Dismiss hits")
