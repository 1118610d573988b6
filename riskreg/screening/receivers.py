"""Screening answers the periodic sweep: stuck list imports are sent again."""

from __future__ import annotations

from riskreg.screening.imports import list_import_jobs_stuck_resend


def stuck_work_sweep_received(sender, **kwargs) -> dict[str, int]:
    """Connected to riskreg.core.events.stuck_work_sweep."""
    return list_import_jobs_stuck_resend()
