from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from simple_history.admin import SimpleHistoryAdmin

from riskreg.core.models import WorkerHeartbeat


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin):
    list_display = ("hostname", "last_seen", "beats")
    readonly_fields = ("hostname", "last_seen", "beats")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


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
