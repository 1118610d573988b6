"""The signals between apps (re-exported by riskreg.core.events, where the apps read them)."""

from django.dispatch import Signal

#: Sent (by the apply task) with change_id: int, changed_at: datetime (when the change was recorded),
#: model_ids: list[int], kind: ChangeKind, reason: str, reference: str. May be sent more than once for the same
#: change_id, and some time after changed_at.
material_change = Signal()


#: Sent by the periodic sweep (beat entry "core-stuck-work-sweep"). Each app that keeps work in a state such as
#: "pending", "rendering" or "importing" connects a receiver that sends that work again once it is stuck past its
#: time limit, and returns {what: how many}. Sent with no arguments.
stuck_work_sweep = Signal()
