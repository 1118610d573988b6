"""Guidance before and after publishing: the impact a draft would have, computed by the derivation that
runs on publish, and the publish itself (once, by one person, applying exactly that impact)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from models_catalog.models import AIModel, GuidanceReach, RegulatoryGuidance
from riskreg.core.errors import Refused
from riskreg.core.events import ChangeKind
from riskreg.register import rules
from riskreg.register.models import AdoptionRequest, SignOff
from riskreg.register.workflow import REVIEW_STATES

State = AdoptionRequest.State
BATCH = 500  # models whose facts are fetched together (a fixed number of queries per batch)
Publication = RegulatoryGuidance.Publication


@dataclass
class ModelImpact:
    id: int
    name: str
    slug: str
    gains: list[dict] = field(default_factory=list)  # {"rule", "title", "reason"}
    loses: list[dict] = field(default_factory=list)
    changes: list[dict] = field(default_factory=list)


@dataclass
class GuidanceImpact:
    guidance: dict
    models: list[ModelImpact] = field(default_factory=list)
    requests_reopening: list[dict] = field(default_factory=list)  # approved requests that would reopen
    approvals_lapsing: list[dict] = field(default_factory=list)  # sign-offs that would no longer apply
    memos_out_of_date: list[dict] = field(default_factory=list)
    models_considered: int = 0

    @property
    def model_ids(self) -> list[int]:
        return [model.id for model in self.models]

    def as_dict(self) -> dict:
        return {**asdict(self), "model_ids": self.model_ids}


class PublishRefused(Refused):
    """Publishing was refused in this state (answered 409); nothing was applied."""

    def __init__(self, message: str, *, code: str = "publish_refused") -> None:
        super().__init__(message, code=code)


class AlreadyPublished(PublishRefused):
    """Someone else published it first (a race, or a second click)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, code="already_published")


def _candidates(guidance: RegulatoryGuidance):
    """Models the guidance could reach: a superset, narrowed in SQL by organisation and accelerator reaches;
    the derivation decides. A model it cannot reach derives the same with or without it."""
    queryset = AIModel.objects.all()
    by_kind: dict[str, Q] = {}
    for reach in guidance.reaches.all():
        org = reach.organisation_id
        if reach.kind == GuidanceReach.Kind.ACCELERATOR:
            vendor = Q(claims__accelerator__vendor_id=org)
            if reach.include_subsidiaries:
                vendor |= Q(claims__accelerator__vendor__parent_id=org)
            condition = vendor & Q(claims__accelerator__product__istartswith=reach.product_prefix)
        elif reach.kind == GuidanceReach.Kind.ORGANISATION:
            condition = (
                Q(developer_id=org)
                | Q(developer__parent_id=org)
                | Q(developer__subsidiaries__id=org)
                | Q(claims__accelerator__vendor_id=org)
                | Q(claims__organisation_id=org)
            )
            if reach.include_subsidiaries:
                condition |= (
                    Q(developer__parent__parent_id=org)
                    | Q(developer__subsidiaries__parent_id=org)
                    | Q(claims__accelerator__vendor__parent_id=org)
                    | Q(claims__organisation__parent_id=org)
                )
        else:
            continue
        by_kind[reach.kind] = by_kind.get(reach.kind, Q(pk__in=[])) | condition
    for condition in by_kind.values():
        queryset = queryset.filter(pk__in=AIModel.objects.filter(condition).values("pk"))
    return queryset.order_by("name")


def _summary(risk: rules.DerivedRisk) -> dict:
    return {"rule": risk.rule, "key": risk.key, "title": risk.title, "reason": risk.description}


def impact_compare(impact: GuidanceImpact, facts: rules.ModelFacts, change: Callable[[rules.ModelFacts], None]) -> None:
    """Derive the model from its facts as they are, apply ``change`` to the facts (a draft guidance added, a list
    entry's listing added or removed), derive again, and record the difference on the impact."""
    model = facts.model
    old = {(risk.rule, risk.key): risk for risk in rules.derive_from(facts)}
    change(facts)
    new = {(risk.rule, risk.key): risk for risk in rules.derive_from(facts)}
    difference = ModelImpact(id=model.pk, name=model.name, slug=model.slug)
    difference.gains = [_summary(risk) for key, risk in new.items() if key not in old]
    difference.loses = [_summary(risk) for key, risk in old.items() if key not in new]
    difference.changes = [
        _summary(risk)
        for key, risk in new.items()
        if key in old and (old[key].facts != risk.facts or old[key].description != risk.description)
    ]
    if difference.gains or difference.loses or difference.changes:
        impact.models.append(difference)


def _as_seen_by(queryset, reader):
    """Every row for the register itself (reader None: publishing, commands); for a person, what they may see."""
    return queryset if reader is None else queryset.visible_to(reader)


def impact_consequences(impact: GuidanceImpact, *, model_ids: list[int], reader) -> None:
    """What a material change on these models does to decisions: the approved requests that reopen, the
    current-round sign-offs that lapse (approved and in-review requests), the finished memos out of date;
    of each, only what ``reader`` may see (None: everything, for the register itself)."""
    ids = list(model_ids)
    requests = _as_seen_by(AdoptionRequest.objects, reader).filter(model_id__in=ids).select_related("model")
    impact.requests_reopening = [
        {"id": r.pk, "model": r.model.name, "use_case": r.use_case, "state": r.state}
        for r in requests.filter(state=State.APPROVED).order_by("pk")
    ]
    lapsing = (
        _as_seen_by(SignOff.objects, reader)
        .filter(request__model_id__in=ids, request__state__in=[State.APPROVED, *REVIEW_STATES])
        .select_related("request", "request__model", "signer")
    )
    impact.approvals_lapsing = [
        {
            "id": s.pk,
            "request": s.request_id,
            "model": s.request.model.name,
            "role": s.get_role_display(),
            "signer": s.signer.get_username(),
            "decision": s.get_decision_display(),
        }
        for s in lapsing.order_by("pk")
        if s.review_round == s.request.review_round
    ]
    # Memos live in reports, above the register: reached through the catalog's reverse relation, not an import.
    memo_objects = AIModel._meta.get_field("memos").related_model.objects
    memos = _as_seen_by(memo_objects, reader).filter(model_id__in=ids, status="done")
    impact.memos_out_of_date = [
        {"id": memo.pk, "model": memo.model.name, "request": memo.request_id, "version": memo.version}
        for memo in memos.select_related("model").order_by("model__name", "pk")
    ]


def guidance_impact(*, guidance: RegulatoryGuidance, reader) -> GuidanceImpact:
    """What publishing this draft would do: for each model, the risk items it would gain, lose or see change
    (by running the rules with the guidance that applies now, and again with this draft added), the approved
    requests that would reopen, the sign-offs that would lapse and the memos that would be out of date: of
    those, only what ``reader`` may see (None for the register itself)."""
    guidance = RegulatoryGuidance.objects.select_related("jurisdiction").get(pk=guidance.pk)
    impact = GuidanceImpact(
        guidance={
            "id": guidance.pk,
            "title": guidance.title,
            "jurisdiction": guidance.jurisdiction.code,
            "publication": guidance.publication,
            "reaches": [reach.describe() for reach in guidance.reaches.select_related("organisation", "jurisdiction")],
        }
    )
    if guidance.publication == Publication.PUBLISHED:
        return impact  # already applied
    before = rules.guidance_applying()
    after = rules.guidance_applying(draft=guidance)
    candidates = list(_candidates(guidance).values_list("pk", flat=True))
    impact.models_considered = len(candidates)
    for start in range(0, len(candidates), BATCH):
        for facts in rules.models_facts(model_ids=candidates[start : start + BATCH], guidance=before):
            impact_compare(impact, facts, lambda facts: setattr(facts, "guidance", after))
    impact_consequences(impact, model_ids=impact.model_ids, reader=reader)
    return impact


def guidance_publish(*, guidance_id: int, actor) -> GuidanceImpact:
    """Publish a draft: claim it (one publisher wins; a second publish at the same time is refused), then
    apply its impact: approved requests on the models it changes reopen and every open request and
    model-level item on them is derived again. All or nothing. The impact returned is as ``actor`` may see it;
    what is applied does not depend on who publishes."""
    from riskreg.register.services.requests import adoption_requests_reopen

    guidance = RegulatoryGuidance.objects.get(pk=guidance_id)
    if not guidance.reaches.exists():
        raise PublishRefused("This guidance reaches nothing: name what it reaches before publishing.")
    with transaction.atomic():
        impact = guidance_impact(guidance=guidance, reader=actor)
        now = timezone.now()
        claimed = RegulatoryGuidance.objects.filter(pk=guidance_id, publication=Publication.DRAFT).update(
            publication=Publication.PUBLISHED, published_by=actor, published_at=now
        )
        if not claimed:
            guidance.refresh_from_db()
            who = guidance.published_by.get_username() if guidance.published_by else "someone"
            raise AlreadyPublished(f"Already published by {who}; nothing was applied a second time.")
        guidance.refresh_from_db()
        guidance._history_user = actor
        guidance.save(update_fields=["publication", "published_by", "published_at"])  # records who, in history
        adoption_requests_reopen(
            model_ids=impact.model_ids,
            kind=ChangeKind.GUIDANCE,
            reason=f"Guidance published: {guidance.title}",
            reference=f"guidance:{guidance.pk}",
        )
    impact.guidance["publication"] = Publication.PUBLISHED
    return impact
