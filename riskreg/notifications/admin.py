"""Webhooks and their delivery log in the admin. Administrators manage webhooks (the address is a secret);
the delivery log is read-only."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from riskreg.core.admin import ReadOnlyAdminMixin
from riskreg.notifications.models import Webhook, WebhookDelivery, WebhookEvent


class WebhookForm(forms.ModelForm):
    events = forms.MultipleChoiceField(
        label=_("Messages to send"), choices=WebhookEvent.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Webhook
        fields = ["name", "url", "format", "user", "role", "events", "enabled"]

    def clean(self):
        data = super().clean()
        if bool(data.get("user")) == bool(data.get("role")):
            raise forms.ValidationError(_("Give either a person or a role (a team channel), not both and not neither."))
        return data


class DeliveryInline(admin.TabularInline):
    model = WebhookDelivery
    extra = 0
    can_delete = False
    fields = ("created_at", "event", "title", "status", "attempts", "response_status", "error", "sent_at")
    readonly_fields = fields
    ordering = ("-created_at",)
    verbose_name_plural = _("last deliveries")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Webhook)
class WebhookAdmin(admin.ModelAdmin):
    form = WebhookForm
    list_display = ("name", "format", "recipient", "event_list", "enabled")
    list_filter = ("format", "role", "enabled")
    search_fields = ("name", "user__username")
    inlines = [DeliveryInline]

    @admin.display(description=_("for"))
    def recipient(self, obj: Webhook) -> str:
        return obj.user.get_username() if obj.user_id else f"role: {obj.get_role_display()}"

    @admin.display(description=_("events"))
    def event_list(self, obj: Webhook) -> str:
        return ", ".join(str(WebhookEvent(e).label) for e in obj.events if e in WebhookEvent.values)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "webhook", "event", "title", "status", "attempts", "response_status", "sent_at")
    list_filter = ("status", "event", "webhook")
    search_fields = ("title", "reference", "error")
    date_hierarchy = "created_at"
    list_select_related = ("webhook",)
    readonly_fields = (
        "webhook",
        "event",
        "reference",
        "title",
        "status",
        "attempts",
        "response_status",
        "error",
        "body",
        "created_at",
        "sent_at",
    )
    fields = readonly_fields
