"""The catalog answers the periodic sweep: stuck document imports are sent again."""

from __future__ import annotations

from models_catalog.interchange.jobs import interchange_jobs_stuck_resend


def stuck_work_sweep_received(sender, **kwargs) -> dict[str, int]:
    """Connected to riskreg.core.events.stuck_work_sweep."""
    return interchange_jobs_stuck_resend()
