"""Read-side rules of watch, shared with the catalog pages and the memos."""

from __future__ import annotations

from riskreg.watch.models import Alert


def model_recent_alerts(*, model_id: int, limit: int = 10) -> list[dict]:
    """Recent alerts on a model, newest first. JSON-serialisable:
    {"id", "title", "source", "url", "status", "created_at" (ISO), "organisations": [names]}"""
    alerts = (
        Alert.objects.filter(ai_models__id=model_id)
        .select_related("change__source")
        .prefetch_related("organisations")
        .order_by("-created_at")[:limit]
    )
    return [
        {
            "id": alert.pk,
            "title": alert.title,
            "source": alert.change.source.name,
            "url": alert.url,
            "status": alert.status,
            "created_at": alert.created_at.isoformat(),
            "organisations": [org.display_name for org in alert.organisations.all()],
        }
        for alert in alerts
    ]
