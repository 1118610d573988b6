"""Background work claimed in the database, written once.

Jobs with a row of their own: how a task claims its job, and how the stuck-work sweep finds the jobs
to send again. Written once for every job table with ``status`` (``pending`` then a working status), ``created_at``,
``started_at``, ``attempts`` and ``task_id`` columns: memos, list imports, and BOM and model card imports.

A job is claimed with one conditional UPDATE, so two deliveries of its task never both run it. A redelivered task
(its worker was lost; same task id) takes its job over at once; a job working past its task's hard time limit has
lost its worker (the limit kills it) and may be claimed by any task.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import F, Q, QuerySet
from django.utils import timezone

PENDING = "pending"


def job_claim(
    model, *, pk: int, task_id: str, working: str, stale_after: timedelta, ready: tuple[str, ...] = (PENDING,), **fields
) -> bool:
    """Claim job ``pk`` for the task ``task_id``: set it ``working``, stamp it, count the attempt and write
    ``fields`` (its first progress stage, say). A job in a ``ready`` status (pending; a memo that failed may be
    generated again) can be claimed. False when another task holds it or it is finished."""
    now = timezone.now()
    claimable = Q(status__in=ready) | Q(status=working, started_at__lt=now - stale_after)
    if task_id:
        claimable |= Q(status=working, task_id=task_id)
    claimed = (
        model.objects.filter(pk=pk)
        .filter(claimable)
        .update(status=working, started_at=now, attempts=F("attempts") + 1, task_id=task_id, **fields)
    )
    return bool(claimed)


def jobs_stuck(
    model, *, working: str, stale_after: timedelta, max_attempts: int, now: datetime | None = None, **given_up
) -> tuple[list[int], int]:
    """The sweep's part for one job table: first the jobs whose ``max_attempts`` were all lost are ended with the
    ``given_up`` fields (a status and an error that says what to do); then the ids of the jobs stuck ``pending``
    (a lost message) or ``working`` (a lost worker) past ``stale_after``, to send again. Returns (ids, ended)."""
    stale = (now or timezone.now()) - stale_after
    ended = model.objects.filter(status=working, started_at__lt=stale, attempts__gte=max_attempts).update(**given_up)
    stuck = model.objects.filter(
        Q(status=PENDING, created_at__lt=stale) | Q(status=working, started_at__lt=stale)
    ).values_list("pk", flat=True)
    return list(stuck), ended


# Recurring rows (a watched source, a cited source) are checked again and again, so they carry a lease instead of
# a status: ``claimed_until`` and ``claim_token``. A lease left by a killed worker expires; a task leasing with its
# own id takes its lease over at once when the queue delivers it again.


def lease_take(rows: QuerySet, *, token: str, seconds: int, now: datetime | None = None, own: bool = False) -> bool:
    """Lease the row in ``rows`` (filtered to one row, and to what makes it due) for ``seconds`` under ``token``,
    with one conditional UPDATE: of two workers racing exactly one wins. ``own``: a lease already held under this
    token counts as free (the same task delivered again). False when another holds it."""
    now = now or timezone.now()
    free = Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    if own:
        free |= Q(claim_token=token)
    return bool(rows.filter(free).update(claimed_until=now + timedelta(seconds=seconds), claim_token=token))


def lease_release(rows: QuerySet, *, token: str) -> None:
    """Give the lease back, if it is still ours."""
    rows.filter(claim_token=token).update(claimed_until=None, claim_token="")
