from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from riskreg.core.models import MaterialChange, WorkerHeartbeat
from riskreg.core.signals import material_change, stuck_work_sweep

logger = logging.getLogger(__name__)


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

    counts: dict[str, int] = {}
    for _receiver, response in stuck_work_sweep.send(sender=None):
        counts.update(response or {})
    return counts


# --- material changes (riskreg.core.events) ----------------------------------------------------------------------

#: After this many attempts (the task's own retries and the sweep's re-sends together) a change is left for a
#: person: it shows as failed, with its last error, under System > Material changes.
MATERIAL_CHANGE_MAX_ATTEMPTS = 10


class MaterialChangeIncomplete(Exception):
    """A receiver failed while a material change was applied; the task retries the whole change (what already
    succeeded is skipped by the receivers themselves)."""


#: Inside ``material_changes_batched``: the changes announced so far, written as one when the batch ends.
_BATCH: ContextVar[list | None] = ContextVar("riskreg_material_change_batch", default=None)


@contextmanager
def material_changes_batched(*, kind: str, reason: str, reference: str = ""):
    """One material change for everything announced inside (an import that writes 5,000 claims announces one
    change, not 5,000 tasks ahead of every webhook and memo): the models of all of them, with ``reason``."""
    if _BATCH.get() is not None:  # already batching: the outer batch takes them
        yield
        return
    token = _BATCH.set([])
    try:
        yield
        announced = _BATCH.get()
    finally:
        _BATCH.reset(token)
    ids = {pk for model_ids, _kind, _reason in announced for pk in model_ids}
    if ids:
        count = len(announced)
        material_change_record(
            model_ids=ids,
            kind=kind,
            reason=f"{reason} ({count} change{'s' if count != 1 else ''})",
            reference=reference,
        )


def material_change_record(
    *, model_ids: Iterable[int], kind: str, reason: str, reference: str = ""
) -> MaterialChange | None:
    """Write the change in the caller's transaction; after commit, queue its application (inside
    ``material_changes_batched``: kept for the batch's one change)."""
    ids = sorted({int(pk) for pk in model_ids})
    if not ids:
        return None
    batch = _BATCH.get()
    if batch is not None:
        batch.append((ids, kind, reason))
        return None
    change = MaterialChange.objects.create(kind=kind, model_ids=ids, reason=reason, reference=reference[:255])
    transaction.on_commit(lambda: material_change_dispatch(change.pk))
    return change


def material_change_dispatch(change_id: int) -> None:
    """Queue the apply task. A broker outage must not undo the fact that committed: the change stays unapplied
    and the stuck-work sweep sends it."""
    from riskreg.core.tasks import material_change_apply_task

    try:
        material_change_apply_task.delay(change_id)
    except Exception:
        logger.exception("could not queue material change %s; the stuck-work sweep will send it", change_id)


def material_change_apply(*, change_id: int) -> MaterialChange | None:
    """Send the change to its receivers (riskreg.core.events.material_change) and mark it applied once all of
    them succeeded. Idempotent: an applied change is not sent again; each receiver skips what it already did
    for this change. Raises MaterialChangeIncomplete, with the errors kept on the row, when one failed."""
    change = MaterialChange.objects.filter(pk=change_id).first()
    if change is None or change.applied_at is not None:
        return change
    MaterialChange.objects.filter(pk=change.pk).update(attempts=F("attempts") + 1, last_attempt_at=timezone.now())
    responses = material_change.send_robust(
        sender=MaterialChange,
        change_id=change.pk,
        changed_at=change.created_at,
        model_ids=list(change.model_ids),
        kind=change.kind,
        reason=change.reason,
        reference=change.reference,
    )
    errors = [
        f"{getattr(receiver, '__qualname__', receiver)}: {type(response).__name__}: {response}"
        for receiver, response in responses
        if isinstance(response, Exception)
    ]
    if errors:
        MaterialChange.objects.filter(pk=change.pk).update(last_error="\n".join(errors)[:10000])
        raise MaterialChangeIncomplete(f"material change {change.pk}: " + "; ".join(errors))
    MaterialChange.objects.filter(pk=change.pk, applied_at__isnull=True).update(applied_at=timezone.now())
    change.refresh_from_db()
    return change


def material_change_stale_after() -> datetime.timedelta:
    """An unapplied change untouched this long has lost its task: past the task's hard time limit plus the longest
    retry back-off (300 s), so a change still being retried is not sent twice."""
    return datetime.timedelta(seconds=settings.RISKREG_TASK_LIMITS["default"]["time_limit"] + 300)


def material_changes_resend_stuck(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Connected to the stuck-work sweep: queue again every change not applied past its limit; count (and log)
    those that used up their attempts."""
    cutoff = (now or timezone.now()) - material_change_stale_after()
    unapplied = MaterialChange.objects.filter(applied_at__isnull=True)
    stuck = unapplied.filter(
        Q(last_attempt_at__lt=cutoff) | Q(last_attempt_at__isnull=True, created_at__lt=cutoff),
        attempts__lt=MATERIAL_CHANGE_MAX_ATTEMPTS,
    )
    ids = list(stuck.order_by("pk").values_list("pk", flat=True))
    for change_id in ids:
        material_change_dispatch(change_id)
    failed = unapplied.filter(attempts__gte=MATERIAL_CHANGE_MAX_ATTEMPTS).count()
    if failed:
        logger.error("%s material changes failed %s times and wait for a person", failed, MATERIAL_CHANGE_MAX_ATTEMPTS)
    return {"material changes": len(ids), "material changes failed": failed}
