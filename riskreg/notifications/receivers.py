"""Signal receivers: new timeline events and new alerts become webhook deliveries (same transaction)."""

from __future__ import annotations

from riskreg.notifications.services import webhook_deliveries_for_alert, webhook_deliveries_for_request_event


def request_event_saved(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    if created and not raw:
        webhook_deliveries_for_request_event(event=instance)


def alert_saved(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    if created and not raw:
        webhook_deliveries_for_alert(alert=instance)
