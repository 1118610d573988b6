"""Material changes: the one signal by which facts reopen decisions.

Whoever learns that a fact about a model changed (a watch alert, a confirmed screening hit, a
changed provenance claim or guidance status) calls ``material_change_announce``. The register
listens and reopens approved adoption requests for those models. The signal is sent after the
surrounding transaction commits, so nobody reopens a request for a change that was rolled back.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.db import models, transaction
from django.dispatch import Signal

logger = logging.getLogger(__name__)


class ChangeKind(models.TextChoices):
    WATCH_ALERT = "watch_alert", "Watch alert"
    SCREENING_HIT = "screening_hit", "Confirmed screening hit"
    CLAIM = "claim", "Provenance claim changed"
    GUIDANCE = "guidance", "Guidance status changed"
    EVIDENCE = "evidence", "Cited source changed or gone"


#: Sent with model_ids: list[int], kind: ChangeKind, reason: str, reference: str.
material_change = Signal()


def material_change_announce(*, model_ids: Iterable[int], kind: str, reason: str, reference: str = "") -> None:
    ids = sorted(set(model_ids))
    if not ids:
        return

    def send() -> None:
        logger.debug("material change %s on models %s: %s", kind, ids, reason)
        material_change.send(sender=None, model_ids=ids, kind=kind, reason=reason, reference=reference)

    transaction.on_commit(send)


#: Sent by the periodic sweep (beat entry "core-stuck-work-sweep"). Each app that keeps work in a state such as
#: "pending", "rendering" or "importing" connects a receiver that sends that work again once it is stuck past its
#: time limit, and returns {what: how many}. Sent with no arguments.
stuck_work_sweep = Signal()
