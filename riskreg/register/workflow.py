"""The adoption request's state machine and who must sign off, as data.

Every state change goes through ``transition_target``: a move that is not in ``TRANSITIONS``
is refused, whoever asks. The services apply it to a row locked with ``select_for_update``.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from riskreg.core.errors import Refused
from riskreg.register.models import AdoptionRequest, DataClassification, SignOffRole

State = AdoptionRequest.State


class Action:
    SUBMIT = "submit"
    APPROVE = "approve"  # the last required approval arrived
    REJECT = "reject"
    REQUEST_CHANGES = "request_changes"
    WITHDRAW = "withdraw"
    REOPEN = "reopen"  # a material change on an approved request
    RESTART_REVIEW = "restart_review"  # a material change while sign-offs are being collected
    EXPIRE = "expire"


#: (state, action) -> next state. Nothing else is allowed.
TRANSITIONS: dict[tuple[str, str], str] = {
    (State.DRAFT, Action.SUBMIT): State.IN_REVIEW,
    (State.DRAFT, Action.WITHDRAW): State.WITHDRAWN,
    (State.IN_REVIEW, Action.APPROVE): State.APPROVED,
    (State.IN_REVIEW, Action.REJECT): State.REJECTED,
    (State.IN_REVIEW, Action.REQUEST_CHANGES): State.DRAFT,
    (State.IN_REVIEW, Action.WITHDRAW): State.WITHDRAWN,
    (State.IN_REVIEW, Action.RESTART_REVIEW): State.IN_REVIEW,
    (State.APPROVED, Action.REOPEN): State.REOPENED,
    (State.APPROVED, Action.EXPIRE): State.EXPIRED,
    (State.APPROVED, Action.WITHDRAW): State.WITHDRAWN,
    (State.REOPENED, Action.APPROVE): State.APPROVED,
    (State.REOPENED, Action.REJECT): State.REJECTED,
    (State.REOPENED, Action.REQUEST_CHANGES): State.DRAFT,
    (State.REOPENED, Action.WITHDRAW): State.WITHDRAWN,
    (State.REOPENED, Action.RESTART_REVIEW): State.REOPENED,
    (State.REOPENED, Action.EXPIRE): State.EXPIRED,
    (State.EXPIRED, Action.SUBMIT): State.IN_REVIEW,  # renewal: a new review round
}

#: States in which sign-offs are collected.
REVIEW_STATES = frozenset({State.IN_REVIEW, State.REOPENED})
#: States in which the request's own risk items may still change.
OPEN_STATES = frozenset({State.DRAFT, State.IN_REVIEW, State.REOPENED})
CLOSED_STATES = frozenset({State.REJECTED, State.WITHDRAWN, State.EXPIRED})


class TransitionRefused(Refused):
    """The workflow has no such move from this state (answered 409)."""

    def __init__(self, state: str, action: str) -> None:
        self.state = state
        self.action = action
        label = State(state).label.lower() if state in State.values else state
        super().__init__(f"A request that is {label} cannot be {ACTION_PAST.get(action, action)}.", code="transition")


ACTION_PAST = {
    Action.SUBMIT: "submitted",
    Action.APPROVE: "approved",
    Action.REJECT: "rejected",
    Action.REQUEST_CHANGES: "sent back for changes",
    Action.WITHDRAW: "withdrawn",
    Action.REOPEN: "reopened",
    Action.RESTART_REVIEW: "restarted",
    Action.EXPIRE: "expired",
}


def transition_target(*, state: str, action: str) -> str:
    try:
        return TRANSITIONS[(state, action)]
    except KeyError:
        raise TransitionRefused(state, action) from None


def transition_allowed(*, state: str, action: str) -> bool:
    return (state, action) in TRANSITIONS


# --- Required sign-offs ---------------------------------------------------------------------
# Which roles must sign off, per data classification. The default asks legal, security and
# procurement for every request. A deployment can change it with the setting
# RISKREG_REQUIRED_SIGN_OFFS = {"public": ["legal", "procurement"], ...}; classifications it
# leaves out keep the default. The roles are fixed on the request when it is submitted, so a
# later change of policy never changes a review in progress.
ALL_SIGN_OFF_ROLES = [SignOffRole.LEGAL.value, SignOffRole.SECURITY.value, SignOffRole.PROCUREMENT.value]
DEFAULT_REQUIRED_SIGN_OFFS: dict[str, list[str]] = {
    value: list(ALL_SIGN_OFF_ROLES) for value in DataClassification.values
}


def required_sign_offs_policy() -> dict[str, list[str]]:
    policy = {key: list(value) for key, value in DEFAULT_REQUIRED_SIGN_OFFS.items()}
    override = getattr(settings, "RISKREG_REQUIRED_SIGN_OFFS", None) or {}
    problems = required_sign_offs_problems(override)
    if problems:
        raise ImproperlyConfigured("RISKREG_REQUIRED_SIGN_OFFS: " + "; ".join(problems))
    policy.update({key: list(value) for key, value in override.items()})
    return policy


def required_sign_offs_problems(override) -> list[str]:
    if not isinstance(override, dict):
        return ["give a mapping of data classification to a list of roles"]
    problems = []
    for classification, roles in override.items():
        if classification not in DataClassification.values:
            problems.append(
                f"{classification!r} is not a data classification (use {', '.join(DataClassification.values)})"
            )
        elif not isinstance(roles, list | tuple) or not roles:
            problems.append(f"{classification}: give at least one role")
        elif unknown := [role for role in roles if role not in SignOffRole.values]:
            problems.append(f"{classification}: unknown role(s) {', '.join(map(str, unknown))}")
        elif len(set(roles)) != len(roles):
            problems.append(f"{classification}: a role is listed twice")
    return problems


def required_roles_for(*, data_classification: str) -> list[str]:
    roles = required_sign_offs_policy()[data_classification]
    return [role for role in ALL_SIGN_OFF_ROLES if role in roles]
