"""Memos answer the periodic sweep: stuck ones are sent again."""

from __future__ import annotations

from reports.services.memos import memos_stuck_resend


def stuck_work_sweep_received(sender, **kwargs) -> dict[str, int]:
    """Connected to riskreg.core.events.stuck_work_sweep."""
    return memos_stuck_resend()
