"""What the request page reads: the request, its risk items in words, what approval still needs and what the
person looking may do. Read-only; it reads through the register's, catalog's and memos' selectors and repeats
none of their rules (the checks that stop an approval are the services'; this names them in advance)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.http import Http404
from django.utils import timezone

from models_catalog.models import AIModel
from reports.models import Memo
from riskreg.register import rules
from riskreg.register.context import AdoptionContext, context_row, data_to_countries_read
from riskreg.register.matrices import residual_assessment_missing
from riskreg.register.models import AdoptionRequest, RequestEvent, RiskItem, SignOff, SignOffRole
from riskreg.register.obligations import approvals_to_review, request_obligations
from riskreg.register.our_role import our_roles
from riskreg.register.selectors import (
    adoption_request_detail_queryset,
    model_risk_items,
    request_ids_visible_to,
    risk_level,
    roles_missing,
    sign_off_status,
    sign_offs_in_round,
    user_is_reviewer,
    user_sign_off_roles,
)
from riskreg.register.wording import event_sentence, fact_sentences, human_date
from riskreg.register.workflow import OPEN_STATES, REVIEW_STATES, Action, transition_allowed
from riskreg.workspace.selectors import model_band

State = AdoptionRequest.State
Kind = RequestEvent.Kind
PREFILL_FIELDS = ("residual_likelihood", "residual_impact", "treatment", "planned_controls")


# --- the page ----------------------------------------------------------------------------------------------------


@dataclass
class ItemRow:
    item: RiskItem
    inherent: dict | None
    residual: dict | None
    facts: list[dict]
    prefill: dict = field(default_factory=dict)
    prefill_from: str = ""  # "the model's accepted assessment (legal, 3 Apr 2026)" when prefilled
    needs_accepting: bool = False
    has_proposal: bool = False
    residual_missing: bool = False


@dataclass
class RequestPage:
    request: AdoptionRequest
    rows: list[ItemRow]
    retired: list[RiskItem]
    missing: list[str]  # what the risk side still needs before an approval, in sentences
    waiting: str  # whose sign-off the round still needs
    sign_off_rows: list[dict]
    earlier_sign_offs: list[SignOff]
    timeline: list[dict]
    memos: list
    band: dict | None  # riskreg.workspace.selectors.model_band, for includes/model_band.html
    can_submit: bool
    submit_reason: str
    can_assess: bool
    assess_reason: str
    sign_off_roles: list[tuple[str, str]]
    sign_off_reason: str
    reopened: dict | None = None  # {"at", "reason"} of the reopen that started this round, while reopened
    review: dict | None = None  # approvals_to_review's flag: a new obligation applies within the validity
    context: dict = field(default_factory=dict)  # riskreg.register.context.context_row: the use
    roles: dict = field(default_factory=dict)  # riskreg.register.our_role.our_roles: our role per jurisdiction
    obligations: list[dict] = field(default_factory=list)  # riskreg.register.obligations.request_obligations
    conditions: list = field(default_factory=list)  # ApprovalCondition rows of the current round
    considered: list = field(default_factory=list)  # ObligationConsidered rows
    can_edit: bool = False  # the requester's own draft
    can_add_item: bool = False  # a reviewer on an open request
    can_set_conditions: bool = False  # a reviewer, not the requester
    today: date | None = None

    @property
    def accept_all_count(self) -> int:
        return sum(row.needs_accepting for row in self.rows)

    @property
    def our_obligations(self) -> list[dict]:
        return [o for o in self.obligations if o["holder"] == "us"]

    @property
    def developer_obligations(self) -> list[dict]:
        return [o for o in self.obligations if o["holder"] == "developer"]

    @property
    def conditions_open(self) -> int:
        return sum(c.state == "open" for c in self.conditions)

    @property
    def sign_offs_current(self) -> list[SignOff]:
        return sign_offs_in_round(self.request)


def same_use_items(request: AdoptionRequest) -> tuple[AdoptionRequest | None, dict[tuple[str, str], RiskItem]]:
    """The latest earlier request for the same model and the same use (every answer of the context alike) whose
    risk items a reviewer accepted, and those items by rule and fact: the only assessment a prefill may copy. An
    assessment made for another use (a pilot for a customer product) is never carried over."""
    if not request.context_recorded:
        return None, {}
    context = AdoptionContext.of(request)
    earlier = list(
        AdoptionRequest.objects.filter(model_id=request.model_id, context_recorded=True, pk__lt=request.pk)
        .exclude(state__in=[State.DRAFT, State.WITHDRAWN])
        .order_by("-pk")[:20]
    )
    data_to_countries_read(earlier)
    for other in earlier:
        if AdoptionContext.of(other).same_use(context):
            items = RiskItem.objects.filter(
                request=other, status=RiskItem.Status.ACCEPTED, origin=RiskItem.Origin.DERIVED
            )
            found = {(i.rule, i.derivation_key): i for i in items.select_related("matrix", "assessed_by")}
            if found:
                return other, found
    return None, {}


def _prefill(
    item: RiskItem, source_items: dict[tuple[str, str], RiskItem], source: AdoptionRequest | None
) -> tuple[dict, str]:
    """The accepted assessment of the same risk (same rule and fact) in an earlier request for the same use, when
    the matrices agree; the sentence says which request it comes from."""
    if item.origin != RiskItem.Origin.DERIVED or source is None:
        return {}, ""
    earlier = source_items.get((item.rule, item.derivation_key))
    if earlier is None:
        return {}, ""
    if (earlier.matrix.likelihood_labels, earlier.matrix.impact_labels) != (
        item.matrix.likelihood_labels,
        item.matrix.impact_labels,
    ):
        return {}, ""
    values = {name: getattr(earlier, name) for name in PREFILL_FIELDS}
    if not any(values.values()):
        return {}, ""
    who = earlier.assessed_by.get_username() if earlier.assessed_by else "a reviewer"
    when = f", {human_date(earlier.assessed_at)}" if earlier.assessed_at else ""
    return values, (
        f"Prefilled from request #{source.pk}, filed for the same use, where this risk was accepted ({who}{when})."
    )


def item_prefill(*, item: RiskItem) -> dict:
    """The values 'accept all as prefilled' gives one item (empty when there is nothing to carry over)."""
    source, items = same_use_items(item.request) if item.request_id else (None, {})
    return _prefill(item, items, source)[0]


def approval_missing(*, request: AdoptionRequest, items: list[RiskItem]) -> list[str]:
    """What stops an approval now, in words (the same facts sign_off_create checks, said before anyone tries)."""
    missing = []
    proposed = [item for item in items if item.status == RiskItem.Status.PROPOSED]
    pending = [item for item in items if item.status != RiskItem.Status.PROPOSED and item.proposal is not None]
    residual = [item for item in items if residual_assessment_missing(item)]
    if proposed:
        missing.append(
            f"{len(proposed)} proposed risk item{'s' if len(proposed) != 1 else ''} not assessed yet: "
            + "; ".join(item.title for item in proposed)
            + "."
        )
    if pending:
        missing.append(
            f"{len(pending)} risk item{'s' if len(pending) != 1 else ''} with a change the register proposed after "
            "the facts changed: " + "; ".join(item.title for item in pending) + "."
        )
    if residual:
        missing.append(
            f"{len(residual)} High or Critical risk item{'s' if len(residual) != 1 else ''} without residual "
            "likelihood, residual impact and treatment: " + "; ".join(item.title for item in residual) + "."
        )
    return missing


def sign_offs_waiting(*, request: AdoptionRequest) -> str:
    """Whose sign-off the current round still needs, in a sentence ("" when none or not in review)."""
    waiting = roles_missing(request)
    if request.state not in REVIEW_STATES or not waiting:
        return ""
    return f"Sign-off still needed from {', '.join(SignOffRole(role).label.lower() for role in waiting)}."


def _sign_off_options(*, request: AdoptionRequest, user) -> tuple[list[tuple[str, str]], str]:
    """The roles the user may sign in now, or why they cannot sign (in words, before they try)."""
    if request.state not in REVIEW_STATES:
        return [], f"Sign-offs are taken while a request is in review or reopened; this one is {_state(request)}."
    if user.pk == request.requester_id:
        return [], (
            "You filed this request, so you cannot sign it off: separation of duties keeps the person who asks "
            "for a model apart from those who approve it."
        )
    mine = next((s for s in sign_offs_in_round(request) if s.signer_id == user.pk), None)
    if mine is not None:
        return [], (
            f"You signed this round already (as {SignOffRole(mine.role).label.lower()}); one person gives at most "
            "one sign-off per request and round, so another reviewer signs the remaining roles."
        )
    own = user_sign_off_roles(user)
    if not own:
        return [], (
            "Only members of the legal, security or procurement groups sign off. An administrator adds people to "
            "these groups in Authentication > Users."
        )
    waiting = [role for role in roles_missing(request) if role in own]
    if not waiting:
        return [], "Every sign-off your roles can give on this request has been given in this round."
    return [(role, SignOffRole(role).label) for role in waiting], ""


def _state(request: AdoptionRequest) -> str:
    return request.get_state_display().lower()


def request_page(*, request_id: int, user) -> RequestPage:
    """Everything the request page shows, for a user who may read the request (404 otherwise, so that a
    requester cannot learn which other requests exist)."""
    request = (
        adoption_request_detail_queryset()
        .filter(pk=request_id, pk__in=AdoptionRequest.objects.visible_to(user).values("pk"))
        .first()
    )
    if request is None:
        raise Http404("No adoption request with this number that you may read.")
    all_items = list(request.risk_items.all())
    items = [item for item in all_items if item.status != RiskItem.Status.RETIRED]
    proposed = any(item.status == RiskItem.Status.PROPOSED for item in items)
    source, source_items = same_use_items(request) if proposed else (None, {})
    rows = []
    for item in items:
        prefill, prefill_from = ({}, "")
        if item.status == RiskItem.Status.PROPOSED:
            prefill, prefill_from = _prefill(item, source_items, source)
        rows.append(
            ItemRow(
                item=item,
                inherent=risk_level(
                    matrix=item.matrix, likelihood=item.inherent_likelihood, impact=item.inherent_impact
                ),
                residual=risk_level(
                    matrix=item.matrix, likelihood=item.residual_likelihood, impact=item.residual_impact
                ),
                facts=fact_sentences(item),
                prefill=prefill,
                prefill_from=prefill_from,
                needs_accepting=item.status == RiskItem.Status.PROPOSED,
                has_proposal=item.proposal is not None,
                residual_missing=residual_assessment_missing(item),
            )
        )
    rows.sort(key=lambda row: (-(row.inherent or {}).get("score", 0), row.item.pk))
    earlier = [s for s in request.sign_offs.all() if s.review_round != request.review_round]
    events = list(request.events.all())
    titles = {item.pk: item.title for item in all_items}
    reopen = next(
        (
            e
            for e in reversed(events)
            if e.kind == RequestEvent.Kind.REOPENED and e.review_round == request.review_round
        ),
        None,
    )
    timeline = [
        {
            "at": event.at,
            "actor": event.actor,  # named on the page as everywhere: {% person %} (None: "the register")
            "text": event_sentence(event, titles=titles),
        }
        for event in reversed(events)
    ]
    can_submit = user.pk == request.requester_id and transition_allowed(state=request.state, action=Action.SUBMIT)
    if can_submit:
        submit_reason = ""
    elif user.pk != request.requester_id:
        submit_reason = "Only the requester submits a request."
    else:
        submit_reason = f"A request that is {_state(request)} cannot be submitted."
    reviewer = user_is_reviewer(user)
    can_assess = reviewer and user.pk != request.requester_id and request.state in OPEN_STATES
    if can_assess:
        assess_reason = ""
    elif request.state not in OPEN_STATES:
        assess_reason = f"This request is {_state(request)}; its risk items can no longer change."
    elif user.pk == request.requester_id:
        assess_reason = (
            "You filed this request, so a reviewer (legal, security or procurement) assesses its risk items, "
            "not you: separation of duties."
        )
    else:
        assess_reason = "Only legal, security and procurement reviewers assess risk items; you may read them."
    roles, sign_off_reason = _sign_off_options(request=request, user=user)
    obligations = request_obligations(request=request)
    considered = (
        list(request.obligations_considered.select_related("by", "obligation").order_by("pk"))
        if any(event.kind == RequestEvent.Kind.OBLIGATION_CONSIDERED for event in events)
        else []
    )
    return RequestPage(
        request=request,
        rows=rows,
        retired=[item for item in all_items if item.status == RiskItem.Status.RETIRED],
        missing=approval_missing(request=request, items=items),
        waiting=sign_offs_waiting(request=request),
        sign_off_rows=[
            {
                **row,
                "role_label": SignOffRole(row["role"]).label,
                "decision_label": SignOff.Decision(row["decision"]).label if row["decision"] else "",
            }
            for row in _sign_off_status(request)
        ],
        earlier_sign_offs=earlier,
        timeline=timeline,
        memos=list(Memo.objects.visible_to(user).filter(request=request).order_by("-version")),
        band=model_band(model=request.model, visible_request_ids=request_ids_visible_to(user), band_only=True),
        can_submit=can_submit,
        submit_reason=submit_reason,
        can_assess=can_assess,
        assess_reason=assess_reason,
        sign_off_roles=roles,
        sign_off_reason=sign_off_reason,
        reopened={"at": reopen.at, "reason": (reopen.detail or {}).get("reason", "")}
        if reopen is not None and request.state == State.REOPENED
        else None,
        review=approvals_to_review(
            requests=[request],
            obligations={request.pk: obligations},
            considered={request.pk: {c.obligation_id for c in considered}},
        ).get(request.pk),
        context=context_row(request),
        roles=our_roles(context=AdoptionContext.of(request), model=request.model) if request.context_recorded else {},
        obligations=obligations,
        conditions=[c for c in request.conditions.all() if c.sign_off.review_round == request.review_round],
        considered=considered,
        can_edit=user.pk == request.requester_id and request.state == State.DRAFT,
        can_add_item=can_assess,
        can_set_conditions=reviewer and user.pk != request.requester_id,
        today=timezone.localdate(),
    )


def _sign_off_status(request: AdoptionRequest) -> list[dict]:
    given = {s.role: s for s in sign_offs_in_round(request)}
    return [{**row, "sign_off": given.get(row["role"])} for row in sign_off_status(request)]


def request_preview(*, model: AIModel) -> list[dict]:
    """What the register will propose for this model if a request is filed now (the rules, nothing written),
    each with the model's accepted assessment of the same risk when one exists."""
    model_items = {
        (item.rule, item.derivation_key): item
        for item in model_risk_items(model_ids=[model.pk])[model.pk]
        if item.origin == RiskItem.Origin.DERIVED and item.status == RiskItem.Status.ACCEPTED
    }
    preview = []
    for risk in rules.derive(model=model):
        assessed = model_items.get((risk.rule, risk.key))
        preview.append(
            {
                "title": risk.title,
                "category": RiskItem.Category(risk.category).label,
                "description": risk.description,
                "already_assessed": assessed is not None,
            }
        )
    return preview
