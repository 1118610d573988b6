"""Material changes: the one way facts reopen decisions, recorded before they are applied.

Whoever learns that a fact about a model changed (a watch alert, a confirmed screening hit, a
changed provenance claim or guidance status, a cited source that changed) calls
``material_change_announce`` inside the transaction that changed the fact. It writes a
``MaterialChange`` row in that same transaction: if the fact rolls back, so does the change, and if
the fact commits, the change is on record whatever happens next. After commit a Celery task
(``riskreg.core.tasks.material_change_apply_task``) sends the ``material_change`` signal from that row;
the register listens and reopens approved adoption requests for those models, tells their signers
and refreshes risk items. The task is retried until every receiver succeeded, and the stuck-work
sweep sends again a change still unapplied past its limit (a lost message, a worker killed
mid-apply). Receivers therefore run more than once for the same change and must be idempotent per
change: they get ``change_id`` and record it on what they write.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from riskreg.core.models import ChangeKind, MaterialChange
from riskreg.core.services import material_change_record, material_changes_batched
from riskreg.core.signals import material_change, stuck_work_sweep

__all__ = [
    "ChangeKind",
    "material_change",
    "material_change_announce",
    "material_changes_batched",
    "stuck_work_sweep",
]

logger = logging.getLogger(__name__)


def material_change_announce(
    *, model_ids: Iterable[int], kind: str, reason: str, reference: str = ""
) -> MaterialChange | None:
    """Record a material change on these models (in the caller's transaction) and apply it after commit."""
    return material_change_record(model_ids=model_ids, kind=kind, reason=reason, reference=reference)
