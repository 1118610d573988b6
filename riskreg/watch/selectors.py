"""Read-side rules of watch, shared with the catalog pages and the memos."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q, QuerySet

from riskreg.watch.models import Alert, WatchSource


def model_recent_alerts(*, model_id: int, limit: int = 10) -> list[dict]:
    """Recent alerts on a model, newest first. JSON-serialisable:
    {"id", "title", "source", "url", "status", "created_at" (ISO), "organisations": [names]}"""
    alerts = (
        Alert.objects.filter(ai_models__id=model_id)
        .select_related("change__source", "evidence_source")
        .prefetch_related("organisations")
        .order_by("-created_at")[:limit]
    )
    return [
        {
            "id": alert.pk,
            "title": alert.title,
            "source": alert.source_name,
            "url": alert.url,
            "status": alert.status,
            "created_at": alert.created_at.isoformat(),
            "organisations": [org.display_name for org in alert.organisations.all()],
        }
        for alert in alerts
    ]


def watch_sources_due(*, now: datetime) -> QuerySet[WatchSource]:
    """Enabled sources whose next check is due and that no worker holds, oldest due first."""
    return (
        WatchSource.objects.filter(enabled=True)
        .filter(Q(next_check_at__isnull=True) | Q(next_check_at__lte=now))
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .order_by("next_check_at", "pk")
    )


def alert_list(*, status: str | None = None) -> QuerySet[Alert]:
    alerts = Alert.objects.select_related("change__source", "evidence_source", "assignee").prefetch_related(
        "organisations", "ai_models", "accelerators"
    )
    if status:
        alerts = alerts.filter(status=status)
    return alerts.order_by("-created_at", "-pk")


def alert_as_json(alert: Alert) -> dict:
    """The shape `watch alerts --json` prints: models and organisations by name."""
    return {
        "id": alert.pk,
        "title": alert.title,
        "status": alert.status,
        "source": alert.source_name,
        "source_id": alert.change.source_id if alert.change_id else None,
        "evidence_source_id": alert.evidence_source_id,
        "url": alert.url,
        "matched_terms": alert.matched_terms,
        "organisations": [org.name for org in alert.organisations.all()],
        "models": [model.name for model in alert.ai_models.all()],
        "accelerators": [str(accelerator.product) for accelerator in alert.accelerators.all()],
        "assignee": alert.assignee.get_username() if alert.assignee else None,
        "guidance_draft": alert.guidance_draft_id,
        "created_at": alert.created_at.isoformat(),
    }
