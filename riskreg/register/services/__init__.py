"""Write-side rules of the register: adoption requests, sign-offs, risk items and matrices.

Every state change of a request locks its row (``select_for_update``) inside
``transaction.atomic`` and goes through the transition table in ``workflow``; every change is
recorded as a ``RequestEvent`` (the timeline) and in the models' history. Refusals:
``django.core.exceptions.PermissionDenied`` (separation of duties, with the reason),
``ValidationError`` (bad input, by field) and ``SignOffConflict`` (a role already signed).

Split by topic: ``matrices``, ``timeline`` (transitions, notices), ``risks`` (risk items and their derivation
from facts and the use), ``requests`` (requests, sign-offs, reopen, expiry), ``approvals`` (conditions of approval
and the obligations considered).
"""

from riskreg.register.services.approvals import (
    approval_condition_meet,
    approval_condition_update,
    obligation_consider,
)
from riskreg.register.services.matrices import (
    levels_problems,
    risk_matrix_create,
    risk_matrix_default_get,
    risk_matrix_default_set,
    risk_matrix_update,
)
from riskreg.register.services.requests import (
    SignOffConflict,
    adoption_request_create,
    adoption_request_expiry_set,
    adoption_request_submit,
    adoption_request_update,
    adoption_request_withdraw,
    adoption_requests_expire_due,
    adoption_requests_open_for,
    adoption_requests_reopen,
    approval_validity_days,
    sign_off_create,
)
from riskreg.register.services.risks import (
    ASSESSMENT_FIELDS,
    DeriveResult,
    risk_item_accept,
    risk_item_create,
    risk_item_update,
    risk_item_write_check,
    risk_items_derive,
    risk_items_refresh,
)
from riskreg.register.services.timeline import (
    NOTIFIED_KINDS,
    request_event_notify,
    request_events_notify_pending,
)

__all__ = [
    "ASSESSMENT_FIELDS",
    "NOTIFIED_KINDS",
    "DeriveResult",
    "SignOffConflict",
    "adoption_request_create",
    "adoption_request_expiry_set",
    "adoption_request_update",
    "adoption_requests_open_for",
    "approval_condition_meet",
    "approval_condition_update",
    "obligation_consider",
    "adoption_request_submit",
    "adoption_request_withdraw",
    "adoption_requests_expire_due",
    "adoption_requests_reopen",
    "approval_validity_days",
    "levels_problems",
    "request_event_notify",
    "request_events_notify_pending",
    "risk_item_accept",
    "risk_item_create",
    "risk_item_update",
    "risk_item_write_check",
    "risk_items_derive",
    "risk_items_refresh",
    "risk_matrix_create",
    "risk_matrix_default_get",
    "risk_matrix_default_set",
    "risk_matrix_update",
    "sign_off_create",
]
