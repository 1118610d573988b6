from __future__ import annotations

from django.conf import settings
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from riskreg.core.models import WorkerHeartbeat


def worker_heartbeat_record(*, hostname: str) -> WorkerHeartbeat:
    now = timezone.now()
    heartbeat, created = WorkerHeartbeat.objects.get_or_create(
        hostname=hostname, defaults={"last_seen": now, "beats": 1}
    )
    if not created:
        WorkerHeartbeat.objects.filter(pk=heartbeat.pk).update(last_seen=now, beats=F("beats") + 1)
        heartbeat.refresh_from_db()
    return heartbeat


def site_url(viewname: str, *args) -> str:
    """The absolute address of a page, for links that leave the site (emails)."""
    return settings.RISKREG_SITE_URL + reverse(viewname, args=args)


def stuck_work_sweep_run() -> dict[str, int]:
    """Ask every app to send its stuck work again (riskreg.core.events.stuck_work_sweep); the counts, merged."""
    from riskreg.core.events import stuck_work_sweep

    counts: dict[str, int] = {}
    for _receiver, response in stuck_work_sweep.send(sender=None):
        counts.update(response or {})
    return counts
