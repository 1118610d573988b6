from __future__ import annotations

from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    """Webhooks where reviewers work (Slack, Microsoft Teams, plain JSON) for "waiting for your sign-off",
    "reopened" and "alert". It listens to the register's timeline and to watch alerts; no app imports it."""

    name = "riskreg.notifications"
    label = "notifications"
    verbose_name = "Notifications (webhooks)"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from riskreg.notifications import receivers
        from riskreg.register.models import RequestEvent
        from riskreg.watch.models import Alert

        post_save.connect(receivers.request_event_saved, sender=RequestEvent, dispatch_uid="notifications.request")
        post_save.connect(receivers.alert_saved, sender=Alert, dispatch_uid="notifications.alert")
