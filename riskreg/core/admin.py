from django.contrib import admin

from riskreg.core.models import WorkerHeartbeat


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin):
    list_display = ("hostname", "last_seen", "beats")
    readonly_fields = ("hostname", "last_seen", "beats")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
