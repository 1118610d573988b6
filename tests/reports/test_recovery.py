"""Crash recovery of memos: a redelivered task takes its memo over, the sweep re-sends stuck ones, and a
memo that keeps running out of time is failed with the reason instead of being sent forever."""

from __future__ import annotations

from datetime import timedelta

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.utils import timezone

from reports.models import Memo
from reports.services import memo_create, memo_generate
from reports.services.memos import MAX_ATTEMPTS, memo_render_stale_after, memos_stuck_resend
from reports.tasks import memo_generate_task
from riskreg.core.tasks import stuck_work_sweep
from tests.reports.factories import light_model


@pytest.fixture
def memo(legal) -> Memo:
    return memo_create(kind=Memo.Kind.MODEL, model=light_model(), user=legal)


def rendering(memo: Memo, *, ago: timedelta = timedelta(0), task_id: str = "task-1", attempts: int = 1) -> None:
    Memo.objects.filter(pk=memo.pk).update(
        status=Memo.Status.RENDERING, started_at=timezone.now() - ago, task_id=task_id, attempts=attempts
    )


def test_a_redelivered_task_takes_over_the_memo_its_lost_worker_was_rendering(memo):
    rendering(memo, task_id="task-1")

    done = memo_generate(memo_id=memo.pk, task_id="task-1")

    assert done.status == Memo.Status.DONE and done.attempts == 2


def test_another_task_leaves_a_memo_being_rendered_alone(memo):
    rendering(memo, task_id="task-1")

    assert memo_generate(memo_id=memo.pk, task_id="task-2").status == Memo.Status.RENDERING


def test_a_memo_rendering_past_the_hard_time_limit_can_be_claimed_again(memo):
    """Found by the fault probe: a memo "rendering" could not be claimed for 15 minutes after its worker died."""
    assert memo_render_stale_after() == timedelta(seconds=settings.RISKREG_MEMO_TIME_LIMIT + 30)
    rendering(memo, ago=memo_render_stale_after() + timedelta(seconds=1))

    assert memo_generate(memo_id=memo.pk, task_id="task-2").status == Memo.Status.DONE


def test_the_task_passes_its_own_id_so_a_redelivery_takes_over(memo):
    rendering(memo, task_id="redelivered-id")

    assert memo_generate_task.apply(args=(memo.pk,), task_id="redelivered-id").get() == "done"


def test_a_render_stopped_at_the_soft_time_limit_fails_with_a_reason(memo, monkeypatch):
    def too_slow(**kwargs):
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr("reports.services.render.memo_render", too_slow)

    with pytest.raises(SoftTimeLimitExceeded):
        memo_generate(memo_id=memo.pk)

    memo.refresh_from_db()
    assert memo.status == Memo.Status.FAILED
    assert "longer than the time limit of 300 s (RISKREG_MEMO_TIME_LIMIT)" in memo.error


def test_the_sweep_sends_stuck_pending_and_rendering_memos_again(legal, django_capture_on_commit_callbacks):
    model = light_model()
    lost = memo_create(kind=Memo.Kind.MODEL, model=model, user=legal)
    Memo.objects.filter(pk=lost.pk).update(created_at=timezone.now() - memo_render_stale_after() - timedelta(1))
    dead = memo_create(kind=Memo.Kind.MODEL, model=model, user=legal)
    rendering(dead, ago=memo_render_stale_after() + timedelta(seconds=1))
    fresh = memo_create(kind=Memo.Kind.MODEL, model=model, user=legal)
    busy = memo_create(kind=Memo.Kind.MODEL, model=model, user=legal)
    rendering(busy)

    with django_capture_on_commit_callbacks() as sent:
        counts = stuck_work_sweep.apply().get()

    assert counts["memos resent"] == 2 and counts["memos given up"] == 0
    assert len(sent) == 2
    for pk in (lost.pk, dead.pk):
        assert memo_generate(memo_id=pk).status == Memo.Status.DONE
    assert Memo.objects.get(pk=fresh.pk).status == Memo.Status.PENDING
    assert Memo.objects.get(pk=busy.pk).status == Memo.Status.RENDERING


def test_the_sweep_fails_a_memo_whose_attempts_all_ran_out_of_time(memo):
    rendering(memo, ago=memo_render_stale_after() + timedelta(seconds=1), attempts=MAX_ATTEMPTS)

    assert memos_stuck_resend() == {"memos resent": 0, "memos given up": 1}

    memo.refresh_from_db()
    assert memo.status == Memo.Status.FAILED and f"stopped {MAX_ATTEMPTS} times" in memo.error
