"""The beat schedule: one entry per periodic job, each task doing one job, each entry expiring before its next run."""

from __future__ import annotations

from celery import current_app
from django.conf import settings

from riskreg.register import tasks as register_tasks
from riskreg.watch import tasks as watch_tasks

EXPECTED = {
    "core-heartbeat": "riskreg.core.tasks.worker_heartbeat",
    "core-stuck-work-sweep": "riskreg.core.tasks.stuck_work_sweep",
    "watch-dispatch-due": "riskreg.watch.tasks.watch_dispatch_due",
    "watch-prune-snapshots": "riskreg.watch.tasks.watch_snapshots_prune_due",
    "evidence-check-due": "riskreg.evidence.tasks.evidence_dispatch_due",
    "register-expire-approvals": "riskreg.register.tasks.adoption_requests_expire",
    "register-send-pending-notices": "riskreg.register.tasks.request_notices_send_pending",
}


def test_each_periodic_job_has_its_own_beat_entry_and_task():
    schedule = settings.CELERY_BEAT_SCHEDULE
    tasks = [entry["task"] for entry in schedule.values()]

    assert {name: entry["task"] for name, entry in schedule.items()} == EXPECTED
    assert len(set(tasks)) == len(tasks)  # no task behind two entries
    current_app.loader.import_default_modules()
    for task in tasks:
        assert task in current_app.tasks, f"{task} is not a registered task"


def test_each_beat_entry_expires_before_its_next_run():
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        assert 0 < entry["options"]["expires"] < entry["schedule"], name


def test_the_minute_dispatch_no_longer_prunes_snapshots(db, monkeypatch):
    """watch_dispatch_due used to prune snapshot files every minute as a hidden second job."""
    pruned = []
    monkeypatch.setattr(watch_tasks, "watch_snapshots_prune", lambda **kw: pruned.append(kw) or 0)

    watch_tasks.watch_dispatch_due()
    assert pruned == []
    assert watch_tasks.watch_snapshots_prune_due() == 0 and len(pruned) == 1


def test_expiring_approvals_no_longer_sweeps_unsent_notices(db, monkeypatch):
    """adoption_requests_expire used to queue unsent notices as a hidden second job."""
    swept = []
    monkeypatch.setattr(register_tasks, "request_events_notify_pending", lambda **kw: swept.append(kw) or [])

    assert register_tasks.adoption_requests_expire() == 0
    assert swept == []
    assert register_tasks.request_notices_send_pending() == 0 and len(swept) == 1
