"""Obligations: what the law asks, of whom, for which uses, and from when. The law is data
(models_catalog.Obligation: each row with its article, its source, who holds it, the roles and the uses it is for);
this module reads it for a model (the dossier's timeline) and for a request (its use, our role there).

For a request, an obligation applies when its jurisdiction is one of the use's (member states count as the EU),
its guidance reaches the model (the rules' matching: an organisation in the chain, an accelerator, "used in the
EU"), and then:
- held by us: our role there is one it is for (``roles``; none listed: any role), and the use is what its
  ``conditions`` say (a high-risk area, public-facing output, personal data sent where there is no adequacy ...);
- held by the developer (the GPAI provider's duties we rely on, what legal asks the vendor for): its conditions on
  the model hold; an open-source exemption is shown as such, with its reason (Art. 53(2), 54(6)).
Each applying obligation says in a sentence what triggered it. A fixed number of queries whatever the number of
requests: the obligations, their reaches, the models' facts, the licences, the jurisdictions named.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections import defaultdict

from django.db.models import Prefetch, Q
from django.utils import timezone

from models_catalog.models import (
    OUR_ROLES,
    AIModel,
    GuidanceReach,
    Obligation,
    RegulatoryGuidance,
)
from models_catalog.selectors import training_compute_estimate
from models_catalog.uses import ANNEX_III_POINTS, EU_MEMBER_STATES, Access, Audience, Flow, Modification, UseCaseArea
from riskreg.register import rules
from riskreg.register.context import AdoptionContext, data_to_countries_read
from riskreg.register.models import AdoptionRequest, ObligationConsidered
from riskreg.register.our_role import SYSTEMIC_RISK_FLOP, our_roles, role_codes

Holder = Obligation.Holder


def day_label(day: datetime.date) -> str:
    return f"{day.day} {day:%b %Y}"


def obligations_applying(*, on: datetime.date) -> list[Obligation]:
    """The obligations of the published guidance that applies on a day, with their guidance, jurisdiction, source
    and reaches (two queries)."""
    return list(
        Obligation.objects.filter(guidance__publication=RegulatoryGuidance.Publication.PUBLISHED)
        .exclude(guidance__status__in=rules.GUIDANCE_NOT_APPLYING)
        .filter(Q(guidance__superseded_on__isnull=True) | Q(guidance__superseded_on__gt=on))
        .filter(Q(guidance__effective_to__isnull=True) | Q(guidance__effective_to__gte=on))
        .select_related("guidance", "guidance__jurisdiction", "source")
        .prefetch_related(
            Prefetch(
                "guidance__reaches",
                queryset=GuidanceReach.objects.select_related("organisation", "jurisdiction").order_by("pk"),
            )
        )
        .order_by("applies_from", "pk")
    )


# --- the model: its open-source standing ------------------------------------------------------------------------


def systemic_risk(model) -> bool:
    """Presumed to have high-impact capabilities: more than 10^25 FLOP of training compute (Art. 51(2)), on the
    register's estimate (6 x parameters x tokens)."""
    compute = training_compute_estimate(model)
    return bool(compute and compute > SYSTEMIC_RISK_FLOP)


def open_source_exemption(facts: rules.ModelFacts) -> str | None:
    """Why the developer's Art. 53(1)(a)-(b) and Art. 54 duties do not apply (a sentence), or None when they do:
    released under a licence that qualifies as free and open-source, weights public, no systemic risk."""
    model, licence = facts.model, facts.licence
    if model.weights not in rules.OPEN_WEIGHTS or licence is None or not licence.ai_act_open_source:
        return None
    if systemic_risk(model):
        return None
    return (
        f"released with {model.get_weights_display().lower()} under {licence.identifier}, a free and open-source "
        "licence under the AI Act, and not presumed to have systemic risk (Art. 53(2), 54(6))"
    )


# --- conditions: does the use trigger it, and why ---------------------------------------------------------------


def _area_words(context: AdoptionContext) -> str:
    area, words = context.use_case_area, context.label("use_case_area").split(" (")[0].lower()
    if area in ANNEX_III_POINTS:
        return f"the use is in {words} (Annex III, point {ANNEX_III_POINTS[area]})"
    return f"the use is {words}"


def condition_reasons(conditions: dict, *, context: AdoptionContext, facts: rules.ModelFacts) -> list[str] | None:
    """Why the use triggers these conditions (a phrase each), or None when one does not hold. Keys:
    models_catalog.uses.CONDITION_KEYS."""
    reasons: list[str] = []
    for key, wanted in conditions.items():
        if key == "areas":
            if context.use_case_area not in wanted:
                return None
            reasons.append(_area_words(context))
        elif key == "not_areas":
            if context.use_case_area in wanted:
                return None
        elif key == "high_risk":
            if context.high_risk != bool(wanted):
                return None
            if wanted:
                reasons.append(_area_words(context))
        elif key == "annex_iii":
            if context.annex_iii != bool(wanted):
                return None
            if wanted:
                reasons.append(_area_words(context))
        elif key == "users":
            if context.users not in wanted:
                return None
            reasons.append(f"its output reaches {context.label('users').lower()}")
        elif key == "public_service":
            if context.public_service != bool(wanted):
                return None
            if wanted:
                reasons.append("we are a public body or provide a public service")
        elif key == "personal_data":
            if bool(context.personal_data) != bool(wanted):
                return None
            if wanted:
                reasons.append(f"it processes personal data ({context.personal_data_words()})")
        elif key == "data_to_no_adequacy":
            if context.transfer_without_adequacy != bool(wanted):
                return None
            if wanted:
                reasons.append(
                    f"personal data ({context.personal_data_words()}) goes to {context.data_to}: "
                    f"{context.adequacy_words()}"
                )
        elif key == "flows":
            flowing = [flow for flow in context.flows if flow in wanted]
            if not flowing:
                return None
            labels = dict(Flow.choices)
            reasons.append(f"we send {' and '.join(str(labels[f]) for f in flowing)} to the developer")
        elif key == "modification":
            if context.modification not in wanted:
                return None
            if context.modification != Modification.NONE:
                reasons.append(f"modification: {context.label('modification').lower()}")
        elif key == "access":
            if context.access not in wanted:
                return None
            reasons.append(f"access: {context.label('access').lower()}")
        elif key == "systemic_risk":
            if systemic_risk(facts.model) != bool(wanted):
                return None
            if wanted:
                reasons.append(f"{facts.model.name} is presumed to have systemic risk (over 10^25 FLOP, estimated)")
        elif key == "developer_outside_eu":
            country = facts.model.developer.country
            outside = bool(country) and country not in EU_MEMBER_STATES
            if outside != bool(wanted):
                return None
            if wanted:
                reasons.append(f"its developer is established outside the EU ({country})")
        elif key == "runs_on_listed_hardware":
            if context.runs_on_listed_hardware != bool(wanted):
                return None
            if wanted:
                reasons.append("we will run it on chips made by a listed vendor")
        elif key == "unless_open_source":
            continue  # the holder's list shows the exemption (``_entry``)
        else:  # an unknown key is refused when saved (Obligation.clean); never read as "holds"
            return None
    return reasons


# --- a request's obligations -------------------------------------------------------------------------------------


def _entry(obligation: Obligation, *, model, on: datetime.date, because: list[str], exempt: str | None) -> dict:
    record = obligation.guidance
    day, timing = obligation.applies_to_release(model.release_date)
    return {
        "obligation_id": obligation.pk,
        "title": obligation.what,
        "jurisdiction": record.jurisdiction.code,
        "jurisdiction_name": record.jurisdiction.name,
        "holder": obligation.holder,
        "holder_label": str(obligation.get_holder_display()),
        "roles": [str(OUR_ROLES[code]) for code in obligation.roles],
        "citation": obligation.citation,
        "applies_from": day.isoformat(),
        "applies_from_label": day_label(day),
        "in_force": day <= on,
        "timing": timing,
        "applies_because": "; ".join(because),
        "exempt": exempt or "",
        "guidance_id": record.pk,
        "guidance": record.title,
        "source": (
            {"id": obligation.source.pk, "title": obligation.source.title, "url": obligation.source.url}
            if obligation.source_id
            else None
        ),
    }


def _obligations_of(
    *,
    context: AdoptionContext,
    facts: rules.ModelFacts,
    obligations: list[Obligation],
    on: datetime.date,
) -> list[dict]:
    roles = our_roles(context=context, model=facts.model)
    facts = dataclasses.replace(facts, context=context)
    exemption = open_source_exemption(facts)
    found = []
    for obligation in obligations:
        record = obligation.guidance
        where = record.jurisdiction.code
        if where not in roles:
            continue
        reached = facts.reached_by(record)
        if reached is None:
            continue
        because = condition_reasons(obligation.conditions, context=context, facts=facts)
        if because is None:
            continue
        exempt = None
        if obligation.holder == Holder.SUPPLY_CHAIN:
            continue  # a fact on the model's timeline, no duty of a use
        if obligation.holder == Holder.US:
            held = role_codes(roles[where])
            if not held or (obligation.roles and not held & set(obligation.roles)):
                continue
            mine = [OUR_ROLES[code] for code in obligation.roles if code in held] or [OUR_ROLES[roles[where]["role"]]]
            because = [f"our role: {' and '.join(str(label) for label in mine)}", *because]
        elif obligation.conditions.get("unless_open_source"):
            exempt = exemption
        found.append(_entry(obligation, model=facts.model, on=on, because=[*reached, *because], exempt=exempt))
    found.sort(key=lambda e: (e["holder"] != Holder.US, e["applies_from"], e["jurisdiction"], e["obligation_id"]))
    return found


def requests_obligations(*, requests, on: datetime.date | None = None) -> dict[int, list[dict]]:
    """Every request's obligations on a day (today by default), ours first, then the developer's; each entry:
    title, jurisdiction, holder, roles, citation, applies_from, in_force, applies_because, exempt, source."""
    on = on or timezone.localdate()
    requests = [r for r in requests if r.context_recorded]
    if not requests:
        return {}
    obligations = obligations_applying(on=on)
    if not obligations:
        return {request.pk: [] for request in requests}
    facts = {f.model.pk: f for f in _facts_for_reaches(requests, obligations)}
    data_to_countries_read(requests)
    return {
        request.pk: _obligations_of(
            context=AdoptionContext.of(request),
            facts=facts[request.model_id],
            obligations=obligations,
            on=on,
        )
        for request in requests
        if request.model_id in facts
    }


def _facts_for_reaches(requests, obligations: list[Obligation]) -> list[rules.ModelFacts]:
    """The models' facts that matching the obligations' reaches needs (chains, claims, licences), reusing the
    models the requests carry when each was read with its developer (a page's request)."""
    models = {r.model_id: r.model for r in requests if AdoptionRequest.model.is_cached(r)}
    wanted = {r.model_id for r in requests}
    reuse = len(models) == len(wanted) and all(AIModel.developer.is_cached(m) for m in models.values())
    if reuse:
        return _reach_facts(obligations, models=list(models.values()))
    return _reach_facts(obligations, model_ids=list(wanted))


def _reach_facts(obligations: list[Obligation], *, models=None, model_ids=()) -> list[rules.ModelFacts]:
    """What matching these obligations' reaches reads of the models: chains, claims and licences (no listings or
    guidance statuses); the developers' subsidiaries only when a reach can name one."""
    return rules.models_facts(
        models=models,
        model_ids=model_ids,
        guidance=[],
        reach_only=True,
        subsidiaries=reaches_name_a_subsidiary(obligations),
    )


def reaches_name_a_subsidiary(obligations: list[Obligation]) -> bool:
    """Whether a reach names an organisation that has a parent: only then can matching need the developer's
    subsidiaries (a reach on the developer or its parent matches their own links)."""
    return any(
        reach.kind == GuidanceReach.Kind.ORGANISATION and reach.organisation and reach.organisation.parent_id
        for obligation in obligations
        for reach in obligation.guidance.reaches.all()
    )


def request_obligations(*, request: AdoptionRequest, on: datetime.date | None = None) -> list[dict]:
    return requests_obligations(requests=[request], on=on).get(request.pk, [])


# --- the model's timeline (the dossier) ---------------------------------------------------------------------------


CONDITION_WHEN = {
    "areas": lambda v: "for uses in " + " or ".join(str(UseCaseArea(a).label).split(" (")[0].lower() for a in v),
    "not_areas": lambda v: "except uses in " + " or ".join(str(UseCaseArea(a).label).split(" (")[0].lower() for a in v),
    "high_risk": lambda v: "for high-risk uses (Annex III or Art. 6(1))" if v else "for uses that are not high-risk",
    "annex_iii": lambda v: "for high-risk uses of Annex III" if v else "for uses outside Annex III",
    "users": lambda v: "when the output reaches " + " or ".join(str(Audience(a).label).lower() for a in v),
    "public_service": lambda v: "for public bodies and public services" if v else "",
    "personal_data": lambda v: "when personal data is processed" if v else "",
    "data_to_no_adequacy": lambda v: "when personal data goes to a country without an EU adequacy decision",
    "flows": lambda v: "when we send " + " or ".join(str(Flow(f).label) for f in v) + " to the developer",
    "modification": lambda v: "when the model is " + " or ".join(str(Modification(m).label).lower() for m in v),
    "access": lambda v: "when access is " + " or ".join(str(Access(a).label).lower() for a in v),
    "unless_open_source": lambda v: "unless its licence is free and open-source and it has no systemic risk",
    "systemic_risk": lambda v: "for a model presumed to have systemic risk",
    "developer_outside_eu": lambda v: "when the developer is established outside the EU",
    "runs_on_listed_hardware": lambda v: "when we run it on a listed vendor's chips",
}


def when_words(obligation: Obligation) -> str:
    """What an obligation needs of a use, in words: "for high-risk uses of Annex III; for public bodies ..."."""
    words = [CONDITION_WHEN[key](value) for key, value in obligation.conditions.items() if key in CONDITION_WHEN]
    if obligation.roles:
        words.insert(0, "for our role as " + " or ".join(str(OUR_ROLES[code]) for code in obligation.roles))
    return "; ".join(word for word in words if word)


def obligations_timelines(*, model_ids=(), on: datetime.date | None = None, models=None) -> dict[int, dict]:
    """Per model: the obligations in force on a day and the next dates ahead, each with why it reaches the model
    and, for ours, what a use must be for it to apply (``when``): the dossier's picture of the law, before any use.
    A fixed number of queries whatever the number of models."""
    on = on or timezone.localdate()
    ids = [model.pk for model in models] if models is not None else list(model_ids)
    if not ids:
        return {}
    obligations = obligations_applying(on=on)
    timelines = {}
    read = []
    if obligations:  # none on record: one query, no model read
        read = _reach_facts(obligations, models=list(models) if models is not None else None, model_ids=ids)
    for facts in read:
        exemption = open_source_exemption(facts)
        in_force, ahead = [], []
        for obligation in obligations:
            reached = facts.reached_by(obligation.guidance)
            if reached is None:
                continue
            exempt = exemption if obligation.conditions.get("unless_open_source") else None
            if obligation.conditions.get("systemic_risk") and not systemic_risk(facts.model):
                continue
            item = _entry(obligation, model=facts.model, on=on, because=reached, exempt=exempt)
            item["what"] = item["title"]
            item["reasons"] = reached
            item["when"] = when_words(obligation) if obligation.holder == Holder.US else ""
            item["date"], item["date_label"] = item["applies_from"], item["applies_from_label"]
            (in_force if item["in_force"] else ahead).append(item)
        in_force.sort(
            key=lambda item: (item["holder"] != Holder.US, item["jurisdiction"], item["date"], item["obligation_id"])
        )
        ahead.sort(key=lambda item: (item["date"], item["jurisdiction"], item["obligation_id"]))
        timelines[facts.model.pk] = {
            "on": on.isoformat(),
            "on_label": day_label(on),
            "in_force": in_force,
            "ahead": ahead,
        }
    empty = {"on": on.isoformat(), "on_label": day_label(on), "in_force": [], "ahead": []}
    return {pk: timelines.get(pk) or dict(empty) for pk in ids}


def obligations_timeline(*, model, on: datetime.date | None = None) -> dict:
    """One model's timeline on a day: {"on", "in_force": [...], "ahead": [...]} (see obligations_timelines)."""
    return obligations_timelines(models=[model], on=on)[model.pk]


# --- approvals to review ---------------------------------------------------------------------------------------


def approvals_to_review(
    *,
    requests,
    today: datetime.date | None = None,
    obligations: dict[int, list[dict]] | None = None,
    considered: dict[int, set[int]] | None = None,
) -> dict[int, dict]:
    """Approved requests whose validity crosses a day on which an obligation *of that request* (ours, for its use)
    starts to apply: {request id: {"review_before", "review_before_label", "overdue", "label", "obligations"}}.

    The validity runs from the decision day to the expiry day; an obligation starting after the decision and on or
    before the expiry was not in force when the reviewers signed. One a reviewer marked considered (with a reason:
    ObligationConsidered) no longer counts. A fixed number of queries whatever the number of requests;
    ``obligations`` (requests_obligations today) and ``considered`` ({request id: obligation ids}) when the caller
    has read them."""
    today = today or timezone.localdate()
    approved = [r for r in requests if r.state == AdoptionRequest.State.APPROVED and r.expires_on and r.decided_at]
    if not approved:
        return {}
    if obligations is None:
        obligations = requests_obligations(requests=approved, on=today)
    crossing_of = {}
    for request in approved:
        decided_on = timezone.localdate(request.decided_at)
        crossing_of[request.pk] = [
            item
            for item in obligations.get(request.pk, [])
            if item["holder"] == Holder.US
            and decided_on < datetime.date.fromisoformat(item["applies_from"]) <= request.expires_on
        ]
    if considered is None:
        considered = defaultdict(set)
        if any(crossing_of.values()):  # only then can a reviewer's "considered" matter
            for request_id, obligation_id in ObligationConsidered.objects.filter(
                request_id__in=[pk for pk, items in crossing_of.items() if items]
            ).values_list("request_id", "obligation_id"):
                considered[request_id].add(obligation_id)
    flags = {}
    for request in approved:
        done = considered.get(request.pk, set())
        crossing = [item for item in crossing_of[request.pk] if item["obligation_id"] not in done]
        if not crossing:
            continue
        crossing.sort(key=lambda item: (item["applies_from"], item["jurisdiction"], item["obligation_id"]))
        first = crossing[0]
        overdue = first["applies_from"] <= today.isoformat()
        flags[request.pk] = {
            "review_before": first["applies_from"],
            "review_before_label": first["applies_from_label"],
            "overdue": overdue,
            "label": (
                f"Review overdue: a new obligation applies since {first['applies_from_label']}"
                if overdue
                else f"Review before {first['applies_from_label']}"
            ),
            "obligations": crossing,
        }
    return flags
