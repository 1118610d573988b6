"""Celery tasks of evidence: thin, take ids, tolerate the source being gone, retries declared."""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError

from models_catalog.models import EvidenceSource
from riskreg.evidence import services


@shared_task(ignore_result=True)
def evidence_dispatch_due() -> int:
    """Beat, every ten minutes: one check task per cited source due for its capture or re-check."""
    return services.evidence_due_dispatch()


# The source's own faults (refused address, HTTP error, unreadable body, the deadline) are recorded on the
# capture and retried by the source's back-off; Celery retries only our side: the database or the disk.
@shared_task(
    ignore_result=True,
    acks_late=True,
    autoretry_for=(OperationalError, InterfaceError, OSError),
    retry_backoff=5,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=5,
)
def evidence_source_capture_task(source_id: int) -> str:
    """Capture a source whose URL was just added or changed; nothing to do when a capture for that URL is
    already cited (a duplicate task, or the demo's local copies)."""
    source = EvidenceSource.objects.filter(pk=source_id).select_related("cited").first()
    if source is None:
        return "gone"
    cited = getattr(source, "cited", None)
    if cited is not None and cited.cited_capture_id is not None:
        return "already captured"
    return services.evidence_source_capture(source_id=source_id).status


@shared_task(
    ignore_result=True,
    acks_late=True,
    autoretry_for=(OperationalError, InterfaceError, OSError),
    retry_backoff=5,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=5,
)
def evidence_source_check_task(source_id: int) -> str:
    """The scheduled capture or re-check of one source."""
    if not EvidenceSource.objects.filter(pk=source_id).exists():
        return "gone"
    return services.evidence_source_check(source_id=source_id).status
