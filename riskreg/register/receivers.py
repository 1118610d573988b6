"""The register listens to material changes: approvals of the changed models reopen."""

from __future__ import annotations

import logging

from riskreg.register.services import adoption_requests_reopen

logger = logging.getLogger(__name__)


def material_change_received(
    sender, *, model_ids, kind, reason, reference="", change_id=None, changed_at=None, **kwargs
) -> None:
    """Connected to riskreg.core.events.material_change (sent by the apply task, possibly more than once for the
    same change: the reopen records change_id on its request event and does nothing the second time)."""
    reopened = adoption_requests_reopen(
        model_ids=model_ids, kind=kind, reason=reason, reference=reference, change_id=change_id, changed_at=changed_at
    )
    if reopened:
        logger.info("material change %s (%s) reopened requests %s", kind, reference, reopened)
