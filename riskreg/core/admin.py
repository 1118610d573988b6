from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.utils import formats, timezone
from simple_history.admin import SimpleHistoryAdmin

from riskreg.core.models import MaterialChange, WorkerHeartbeat
from riskreg.core.selectors import user_reads_all_users


class ReadOnlyAdminMixin:
    """An admin page (or inline) that reads and exports its records and never adds, changes or deletes one: the
    records are written by the register's services. Every app's read-only admin pages use this one."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin):
    list_display = ("hostname", "last_seen", "beats")
    readonly_fields = ("hostname", "last_seen", "beats")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


def _material_change_state(change: MaterialChange) -> str:
    from riskreg.core.services import MATERIAL_CHANGE_MAX_ATTEMPTS

    if change.applied_at is not None:
        return "applied"
    if change.attempts >= MATERIAL_CHANGE_MAX_ATTEMPTS:
        return "failed"
    return "retrying" if change.attempts else "waiting"


class MaterialChangeStateFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("unapplied", "Not applied yet"), ("failed", "Failed, waiting for a person"), ("applied", "Applied")]

    def queryset(self, request, queryset):
        from riskreg.core.services import MATERIAL_CHANGE_MAX_ATTEMPTS

        if self.value() == "unapplied":
            return queryset.filter(applied_at__isnull=True)
        if self.value() == "failed":
            return queryset.filter(applied_at__isnull=True, attempts__gte=MATERIAL_CHANGE_MAX_ATTEMPTS)
        if self.value() == "applied":
            return queryset.filter(applied_at__isnull=False)
        return queryset


@admin.register(MaterialChange)
class MaterialChangeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only, for legal and auditors: each material change, whether its consequences (reopened approvals,
    notices, refreshed risk items) were applied, how many attempts it took and the last error. Nobody edits or
    deletes them: the task and the stuck-work sweep apply them."""

    list_display = ("created_at", "what", "reference", "state", "attempts")
    list_filter = (MaterialChangeStateFilter, "kind")
    search_fields = ("reason", "reference")
    fields = (
        "kind",
        "reason",
        "reference",
        "model_ids",
        "created_at",
        "state",
        "applied_at",
        "attempts",
        "last_attempt_at",
        "last_error",
    )
    readonly_fields = fields

    @admin.display(description="what changed")
    def what(self, obj: MaterialChange) -> str:
        kind = str(obj.get_kind_display())
        words = kind.split()[0].lower()  # "Watch alert from ..." and "Provenance claim changed: ..." say it already
        return obj.reason if obj.reason.lower().startswith(words) else f"{kind}: {obj.reason}"

    @admin.display(description="state")
    def state(self, obj: MaterialChange) -> str:
        state = _material_change_state(obj)
        if state == "applied":
            return f"Applied {formats.date_format(timezone.localtime(obj.applied_at), 'DATETIME_FORMAT')}"
        error = f" Last error: {obj.last_error[:300]}" if obj.last_error else ""
        if state == "failed":
            return f"Failed after {obj.attempts} attempts; waiting for a person.{error}"
        if state == "retrying":
            return f"Being retried.{error}"
        return "Waiting for the worker."


class ScopedHistoryAdmin(SimpleHistoryAdmin):
    """History pages show only objects the user may see in the change list.

    simple-history falls back to the last historical record when an object is not in
    ``get_queryset(request)`` (meant for deleted objects); for an admin whose queryset is scoped per
    user (a requester sees only their own requests) that would show other people's records. Here an
    object outside the user's queryset has no history page, unless it was deleted and the user is a
    superuser.
    """

    def _history_visible(self, request, object_id) -> bool:
        pk = unquote(object_id)
        if self.get_queryset(request).filter(pk=pk).exists():
            return True
        deleted = not self.model._default_manager.filter(pk=pk).exists()
        return deleted and request.user.is_superuser

    def history_view(self, request, object_id, extra_context=None):
        if not self._history_visible(request, object_id):
            raise PermissionDenied
        return super().history_view(request, object_id, extra_context=extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if not self._history_visible(request, object_id):
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context=extra_context)


class RoleAwareUserAdmin(UserAdmin):
    """Users as every reviewer and auditor may read them: who holds which role (an auditor's question),
    and the target of the requester, signer and "generated by" links on request and memo pages, which
    otherwise answered 403 to everyone but administrators. Read-only and without permissions or password
    for them; a requester may open only their own page. Administrators keep Django's full user admin."""

    limited_fieldsets = ((None, {"fields": ("username", "first_name", "last_name", "email", "groups", "is_active")}),)

    @staticmethod
    def _reads_all_users(request) -> bool:
        return user_reads_all_users(request.user)  # every role but the requester

    def has_view_permission(self, request, obj=None):
        if super().has_view_permission(request, obj) or self._reads_all_users(request):
            return True
        return obj is not None and obj.pk == request.user.pk

    def has_module_permission(self, request):
        return super().has_module_permission(request) or self._reads_all_users(request)

    def get_fieldsets(self, request, obj=None):
        if request.user.has_perm("auth.change_user"):
            return super().get_fieldsets(request, obj)
        return self.limited_fieldsets

    def get_queryset(self, request):
        users = super().get_queryset(request)
        return users if user_reads_all_users(request.user) else users.filter(pk=request.user.pk)


admin.site.unregister(User)
admin.site.register(User, RoleAwareUserAdmin)
