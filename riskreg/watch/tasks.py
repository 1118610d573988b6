from __future__ import annotations

from celery import shared_task


@shared_task(ignore_result=True)
def watch_dispatch_due() -> int:
    """Dispatch a check for every due source (implemented with the watch app)."""
    return 0
