"""Material changes in tests: what the worker does after the announcing commit, done by calling the task."""

from __future__ import annotations

from contextlib import contextmanager

from riskreg.core.models import MaterialChange
from riskreg.core.tasks import material_change_apply_task


@contextmanager
def applied_on_commit(capture_on_commit_callbacks):
    """``django_capture_on_commit_callbacks(execute=True)``, then the material changes recorded inside the block are
    applied by calling their task, as the worker does once the apply task queued on commit reaches it. Changes
    recorded before the block (by fixtures) are left alone."""
    last = MaterialChange.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    with capture_on_commit_callbacks(execute=True) as callbacks:
        yield callbacks
    recorded = MaterialChange.objects.filter(pk__gt=last, applied_at__isnull=True).order_by("pk")
    for change_id in recorded.values_list("pk", flat=True):
        material_change_apply_task(change_id)


def material_changes_apply_all() -> list[int]:
    """Apply every unapplied material change, oldest first, as a worker started late would; their ids."""
    recorded = MaterialChange.objects.filter(applied_at__isnull=True).order_by("pk")
    ids = list(recorded.values_list("pk", flat=True))
    for change_id in ids:
        material_change_apply_task(change_id)
    return ids
