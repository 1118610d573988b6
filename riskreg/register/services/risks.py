"""Risk items: proposed from the facts by the rules, assessed and accepted by people."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from django.db import transaction
from django.utils import timezone

from models_catalog.models import AIModel
from riskreg.core.errors import PERMISSION, BadInput, Refused
from riskreg.register import rules
from riskreg.register.context import AdoptionContext
from riskreg.register.models import AdoptionRequest, RequestEvent, RiskItem, RiskMatrix
from riskreg.register.selectors import user_is_reviewer
from riskreg.register.services.matrices import _scaled, levels_problems, risk_matrix_default_get
from riskreg.register.services.timeline import _event, _locked
from riskreg.register.workflow import OPEN_STATES

State = AdoptionRequest.State
Kind = RequestEvent.Kind


@dataclass
class DeriveResult:
    created: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)  # the register's own untouched proposals, refreshed
    proposed: list[int] = field(default_factory=list)  # a pending proposal on an item a person assessed
    retired: list[int] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.proposed or self.retired)


ASSESSMENT_FIELDS = (
    "category",
    "title",
    "description",
    "inherent_likelihood",
    "inherent_impact",
    "existing_controls",
    "planned_controls",
    "residual_likelihood",
    "residual_impact",
    "treatment",
    "owner",
    "next_review_on",
)


def _proposal_body(proposal: dict | None) -> dict | None:
    if proposal is None:
        return None
    return {k: v for k, v in proposal.items() if k != "proposed_at"}


def risk_items_derive(*, model: AIModel, request: AdoptionRequest | None = None, actor=None) -> DeriveResult:
    """Propose the risk items the facts imply, for a request (on its matrix) or for the model.

    New facts make new items with status "proposed". When the facts behind an item change, an
    item nobody has assessed is refreshed; an item a person assessed keeps every value and gets
    a pending ``proposal`` that a person accepts. An item whose rule no longer fires is retired
    the same way (directly if nobody assessed it, by proposal otherwise).
    """
    result = DeriveResult()
    matrix = request.matrix if request is not None else risk_matrix_default_get()
    # A request's items are derived for its use; one filed before the register asked for the use, and the model's
    # own items, for the model whatever the use.
    context = AdoptionContext.of(request) if request is not None and request.context_recorded else None
    derived = rules.derive(model=model, context=context)
    now = timezone.now()
    with transaction.atomic():
        if request is not None:
            request = _locked(request.pk)
            if request.state not in OPEN_STATES:
                return result
        scope = RiskItem.objects.select_for_update().filter(model=model, origin=RiskItem.Origin.DERIVED)
        scope = scope.filter(request=request) if request is not None else scope.filter(request__isnull=True)
        existing = {(item.rule, item.derivation_key): item for item in scope}
        for risk in derived:
            values = _derived_values(risk, matrix)
            item = existing.pop((risk.rule, risk.key), None)
            if item is None:
                item = RiskItem(
                    model=model,
                    request=request,
                    matrix=matrix,
                    origin=RiskItem.Origin.DERIVED,
                    rule=risk.rule,
                    derivation_key=risk.key,
                    status=RiskItem.Status.PROPOSED,
                    **values,
                )
                _derived_save(item, actor=actor, into=result.created)
            else:
                _derived_refresh(item, values=values, facts=risk.facts, now=now, actor=actor, result=result)
        for item in existing.values():  # the rule no longer fires
            _derived_retire(item, now=now, actor=actor, result=result)
        if request is not None and result.changed:
            _event(
                request,
                Kind.RISKS_DERIVED,
                actor=actor,
                detail={
                    "created": result.created,
                    "updated": result.updated,
                    "proposed": result.proposed,
                    "retired": result.retired,
                },
            )
    return result


def _derived_values(risk, matrix: RiskMatrix) -> dict:
    """The values a derived risk gives its item, on the item's matrix."""
    return {
        "category": risk.category,
        "title": risk.title[:255],
        "description": risk.description,
        "inherent_likelihood": _scaled(risk.likelihood, matrix.likelihood_levels),
        "inherent_impact": _scaled(risk.impact, matrix.impact_levels),
        "facts": risk.facts,
    }


def _derived_save(item: RiskItem, *, actor, into: list[int], fields: list[str] | None = None) -> None:
    """Save a derived item as done by ``actor`` (in its history) and note its id in the result list."""
    item._history_user = actor
    item.save(update_fields=[*fields, "updated_at"] if fields else None)
    into.append(item.pk)


def _derived_propose(item: RiskItem, proposal: dict, *, now, actor, result: DeriveResult) -> None:
    """Leave a proposal on an item a person assessed (once: the same proposal is not made twice)."""
    if _proposal_body(item.proposal) != proposal:
        item.proposal = {**proposal, "proposed_at": now.isoformat()}
        _derived_save(item, actor=actor, into=result.proposed, fields=["proposal"])


def _derived_refresh(item: RiskItem, *, values: dict, facts, now, actor, result: DeriveResult) -> None:
    """The rule still fires: refresh an item nobody assessed, or propose the change to the person who did."""
    if item.assessed_by_id is None and item.status == RiskItem.Status.PROPOSED:
        if any(getattr(item, k) != v for k, v in values.items()) or item.proposal is not None:
            for name, value in values.items():
                setattr(item, name, value)
            item.proposal = None
            _derived_save(item, actor=actor, into=result.updated)
        return
    if item.facts == facts and item.status != RiskItem.Status.RETIRED:
        if item.proposal is not None:  # the facts went back to what the person accepted
            item.proposal = None
            _derived_save(item, actor=actor, into=result.updated, fields=["proposal"])
        return
    proposal = {**values, "retire": False, "reason": "The facts behind this item changed."}
    if item.status == RiskItem.Status.RETIRED:
        proposal["reason"] = "The rule fires again: reinstate this item."
    _derived_propose(item, proposal, now=now, actor=actor, result=result)


def _derived_retire(item: RiskItem, *, now, actor, result: DeriveResult) -> None:
    """The rule no longer fires: retire an item nobody assessed, or propose retiring it to the person who did."""
    if item.status == RiskItem.Status.RETIRED:
        return
    if item.assessed_by_id is None and item.status == RiskItem.Status.PROPOSED:
        item.status = RiskItem.Status.RETIRED
        item.proposal = None
        _derived_save(item, actor=actor, into=result.retired, fields=["status", "proposal"])
        return
    proposal = {"retire": True, "reason": "The facts that raised this item no longer hold.", "facts": {}}
    _derived_propose(item, proposal, now=now, actor=actor, result=result)


def risk_item_write_check(
    *,
    actor,
    request: AdoptionRequest | None,
    action: Literal["add", "change", "accept"] = "change",
    model: AIModel | None = None,
) -> None:
    """May ``actor`` add (``action="add"``), change (``"change"``) or accept (``"accept"``) risk items of
    ``request`` (None: the model's own items)? Raises ``PermissionDenied`` with the reason.

    Separation of duties without a back door: whoever filed a request never assesses, changes or
    accepts its risk items, whatever other roles they hold (a requester who is also legal, a
    superuser). They may only add items to their own draft, as proposals that a reviewer assesses
    and accepts. A model's own items (``request`` None, ``model`` given) feed the risk picture of every
    request for that model, so whoever has an open request for the model does not touch them either.
    """
    if not actor.has_perm("register.change_riskitem") and not actor.has_perm("register.add_riskitem"):
        raise Refused("Your role cannot change risk items (auditors read only).", code=PERMISSION)
    reviewer = user_is_reviewer(actor)
    if request is None:
        if not reviewer:
            raise Refused("Only legal, security or procurement assess a model's own risk items.", code=PERMISSION)
        own = (
            AdoptionRequest.objects.filter(model=model, requester_id=actor.pk, state__in=OPEN_STATES).first()
            if model is not None
            else None
        )
        if own is not None:
            raise Refused(
                f"You filed request #{own.pk} for {model}, which is still open; {model}'s own risk items are part "
                "of its risk picture, so a reviewer who did not file it adds, assesses and accepts them.",
                code=PERMISSION,
            )
        return
    if request.state not in OPEN_STATES:
        raise BadInput(
            {
                "request": [
                    f"Request #{request.pk} is {request.get_state_display().lower()}; its risk items can no longer "
                    "change."
                ]
            }
        )
    if actor.pk == request.requester_id:
        if action != "add":
            raise Refused(
                f"Request #{request.pk} is yours: you filed it, and whoever files a request never assesses, changes "
                "or accepts its risk items, whatever other roles they hold. A reviewer (legal, security or "
                "procurement) who did not file it does that.",
                code=PERMISSION,
            )
        if request.state != State.DRAFT:
            raise Refused("The requester may add risk items only while the request is a draft.", code=PERMISSION)
        return
    if reviewer:
        return
    if action == "accept":
        raise Refused("A reviewer (legal, security or procurement) accepts proposed risk items.", code=PERMISSION)
    raise Refused("Only the requester or a reviewer may change this request's risk items.", code=PERMISSION)


def _requester_changed_last(item: RiskItem) -> bool:
    return item.request_id is not None and item.assessed_by_id == item.request.requester_id


def _accepted_values(item: RiskItem) -> dict:
    """The assessment as accepted, field by field, for the timeline."""
    owner = item.owner.get_username() if item.owner_id else None
    return {
        "category": item.category,
        "title": item.title,
        "inherent_likelihood": item.inherent_likelihood,
        "inherent_impact": item.inherent_impact,
        "existing_controls": item.existing_controls,
        "planned_controls": item.planned_controls,
        "residual_likelihood": item.residual_likelihood,
        "residual_impact": item.residual_impact,
        "treatment": item.treatment,
        "owner": owner,
        "next_review_on": item.next_review_on.isoformat() if item.next_review_on else None,
        "status": item.status,
    }


def _clean_assessment(*, matrix: RiskMatrix, values: dict) -> dict:
    unknown = set(values) - set(ASSESSMENT_FIELDS)
    if unknown:
        raise BadInput({name: ["This field cannot be set here."] for name in sorted(unknown)})
    problems = levels_problems(matrix=matrix, values=values)
    if "category" in values and values["category"] not in RiskItem.Category.values:
        problems["category"] = [f"Choose one of {', '.join(RiskItem.Category.values)}."]
    if values.get("treatment") not in (None, "", *RiskItem.Treatment.values):
        problems["treatment"] = [f"Choose one of {', '.join(RiskItem.Treatment.values)}."]
    if "title" in values and not (values["title"] or "").strip():
        problems["title"] = ["Give the risk a title."]
    if problems:
        raise BadInput(problems)
    return values


def _residual_pair(item: RiskItem) -> None:
    if (item.residual_likelihood is None) != (item.residual_impact is None):
        missing = "residual_impact" if item.residual_impact is None else "residual_likelihood"
        raise BadInput({missing: ["Give residual likelihood and residual impact together."]})


def _record_risk_change(item: RiskItem, *, actor, what: str, fields: list[str]) -> None:
    if item.request_id is not None:
        _event(
            item.request, Kind.RISK_CHANGED, actor=actor, detail={"risk_item": item.pk, "what": what, "fields": fields}
        )


def risk_item_create(*, actor, model: AIModel, request: AdoptionRequest | None = None, values: dict) -> RiskItem:
    """A risk item entered by a person, on the request's matrix (or the default for a model item)."""
    if not actor.has_perm("register.add_riskitem"):
        raise Refused("Your role cannot add risk items (auditors read only).", code=PERMISSION)
    with transaction.atomic():
        if request is not None:
            request = _locked(request.pk)
            if request.model_id != model.pk:
                raise BadInput({"model": ["The model must be the request's model."]})
        risk_item_write_check(actor=actor, request=request, action="add", model=model)
        matrix = request.matrix if request is not None else risk_matrix_default_get()
        values = _clean_assessment(matrix=matrix, values=dict(values))
        for required in ("category", "title", "inherent_likelihood", "inherent_impact"):
            if values.get(required) in (None, ""):
                raise BadInput({required: ["This field is required."]})
        now = timezone.now()
        # The requester's own item is a proposal: a reviewer assesses and accepts it (separation of duties).
        by_requester = request is not None and actor.pk == request.requester_id
        item = RiskItem(
            model=model,
            request=request,
            matrix=matrix,
            origin=RiskItem.Origin.MANUAL,
            status=RiskItem.Status.PROPOSED if by_requester else RiskItem.Status.ACCEPTED,
            assessed_by=actor,
            assessed_at=now,
            accepted_by=None if by_requester else actor,
            accepted_at=None if by_requester else now,
            **values,
        )
        _residual_pair(item)
        item._history_user = actor
        item.save()
        _record_risk_change(item, actor=actor, what="proposed" if by_requester else "added", fields=sorted(values))
    return item


def risk_item_update(*, item_id: int, actor, values: dict) -> RiskItem:
    """A person's assessment of an item. The register never overwrites it afterwards."""
    with transaction.atomic():
        item = RiskItem.objects.select_related("matrix", "request").get(pk=item_id)
        if item.request_id is not None:
            _locked(item.request_id)
        item = RiskItem.objects.select_for_update(of=("self",)).select_related("matrix", "request").get(pk=item_id)
        risk_item_write_check(actor=actor, request=item.request, action="change", model=item.model)
        if item.origin == RiskItem.Origin.DERIVED and not user_is_reviewer(actor):
            raise Refused("Derived risk items are assessed by a reviewer.", code=PERMISSION)
        values = _clean_assessment(matrix=item.matrix, values=dict(values))
        changed = [name for name, value in values.items() if getattr(item, name) != value]
        if not changed:
            if _requester_changed_last(item):  # a reviewer confirms the requester's values as their own
                item.assessed_by = actor
                item.assessed_at = timezone.now()
                item._history_user = actor
                item.save(update_fields=["assessed_by", "assessed_at", "updated_at"])
                _record_risk_change(item, actor=actor, what="confirmed", fields=[])
            return item
        for name in changed:
            setattr(item, name, values[name])
        _residual_pair(item)
        item.assessed_by = actor
        item.assessed_at = timezone.now()
        item._history_user = actor
        item.save()
        _record_risk_change(item, actor=actor, what="assessed", fields=changed)
    return item


def risk_item_accept(*, item_id: int, actor, values: dict | None = None) -> RiskItem:
    """A reviewer accepts what the register proposed: a new derived item, or a pending proposal
    (changed facts, or retirement). ``values`` may complete the assessment at the same time
    (residual levels, treatment, owner, controls, next review)."""
    with transaction.atomic():
        item = RiskItem.objects.select_related("request").get(pk=item_id)
        if item.request_id is not None:
            _locked(item.request_id)
        item = (
            RiskItem.objects.select_for_update(of=("self",))
            .select_related("matrix", "request", "assessed_by", "owner")
            .get(pk=item_id)
        )
        risk_item_write_check(actor=actor, request=item.request, action="accept", model=item.model)
        if item.status != RiskItem.Status.PROPOSED and item.proposal is None:
            raise BadInput({"status": ["Nothing to accept: this item has no pending proposal."]})
        if _requester_changed_last(item):
            when = f" on {item.assessed_at:%Y-%m-%d %H:%M} UTC" if item.assessed_at else ""
            raise Refused(
                f"Risk item #{item.pk} was last changed by the requester ({item.assessed_by.get_username()}){when}; "
                "assess it yourself first (change it, or save it unchanged to confirm its values as yours), then "
                "accept it.",
                code=PERMISSION,
            )
        last_changed_by = item.assessed_by.get_username() if item.assessed_by_id else None
        values = _clean_assessment(matrix=item.matrix, values=dict(values or {}))
        what = "accepted"
        if item.proposal is not None:
            proposal = item.proposal
            if proposal.get("retire"):
                item.status = RiskItem.Status.RETIRED
                what = "retired"
            else:
                for name in ("category", "title", "description", "facts"):
                    if name in proposal:
                        setattr(item, name, proposal[name])
                for name in ("inherent_likelihood", "inherent_impact"):
                    if name in proposal and name not in values:
                        setattr(item, name, proposal[name])
                item.status = RiskItem.Status.ACCEPTED
                what = "accepted the proposed update"
            item.proposal = None
        else:
            item.status = RiskItem.Status.ACCEPTED
        for name, value in values.items():
            setattr(item, name, value)
        _residual_pair(item)
        now = timezone.now()
        item.assessed_by = actor
        item.assessed_at = now
        item.accepted_by = actor
        item.accepted_at = now
        item._history_user = actor
        item.save()
        if item.request_id is not None:
            _event(
                item.request,
                Kind.RISK_CHANGED,
                actor=actor,
                detail={
                    "risk_item": item.pk,
                    "what": what,
                    "fields": sorted(values),
                    "accepted_by": actor.get_username(),
                    "accepted": _accepted_values(item),
                    "last_changed_by": last_changed_by,
                },
            )
    return item


def risk_items_refresh(*, model: AIModel) -> None:
    """Re-run the rules for the model's open requests and its model-level derived items."""
    for request in AdoptionRequest.objects.filter(model=model, state__in=OPEN_STATES).select_related("matrix"):
        risk_items_derive(model=model, request=request, actor=None)
    if RiskItem.objects.filter(model=model, request__isnull=True, origin=RiskItem.Origin.DERIVED).exists():
        risk_items_derive(model=model, request=None, actor=None)
