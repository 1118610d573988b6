"""Rules that derive risk items from the catalog's facts.

Each rule is a plain function ``rule(facts: ModelFacts) -> list[DerivedRisk]``. A rule reads
facts only (no writes) and returns, per fact it fires on, a proposal: category, title,
description, suggested inherent likelihood and impact on a 5-point scale, and the facts it
rests on (JSON, stable ordering, so a change of facts is a change of this value). The
services turn proposals into risk items and never overwrite what a person assessed.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from django.db.models import F, Prefetch, Q, prefetch_related_objects

from models_catalog.licences import PERMISSIVE_LICENCES
from models_catalog.models import (
    AIModel,
    GuidanceReach,
    Licence,
    ModelGuidanceStatus,
    Organisation,
    OrganisationRole,
    ProvenanceClaim,
    RegulatoryGuidance,
    SanctionsNote,
)
from models_catalog.selectors import ChainLink, supply_chain, training_compute_estimate
from models_catalog.uses import Access, Audience, Flow, Modification, PersonalData
from riskreg.register.context import AdoptionContext
from riskreg.register.models import RiskItem
from riskreg.register.our_role import our_roles, role_codes
from riskreg.screening.selectors import list_hits_by_organisation

Category = RiskItem.Category

OPEN_WEIGHTS = (AIModel.Weights.OPEN, AIModel.Weights.GATED)
WEAK_CONFIDENCE = (
    ProvenanceClaim.Confidence.REPORTED,
    ProvenanceClaim.Confidence.DISPUTED,
    ProvenanceClaim.Confidence.UNVERIFIED,
)
GUIDANCE_CONCERNS = {
    ModelGuidanceStatus.Status.UNDER_REVIEW: (3, 4),
    ModelGuidanceStatus.Status.RESTRICTED: (4, 4),
    ModelGuidanceStatus.Status.PROHIBITED: (5, 5),
}
GUIDANCE_NOT_APPLYING = (RegulatoryGuidance.Status.WITHDRAWN, RegulatoryGuidance.Status.SUPERSEDED)


@dataclass(frozen=True)
class DerivedRisk:
    rule: str
    key: str
    category: str
    title: str
    description: str
    likelihood: int  # suggested inherent likelihood on a 1-5 scale
    impact: int  # suggested inherent impact on a 1-5 scale
    facts: dict = field(default_factory=dict)


@dataclass
class ModelFacts:
    """Everything the rules read about one model, fetched in a fixed number of queries."""

    model: AIModel
    chain: list[ChainLink]
    claims: list[ProvenanceClaim]
    listings: dict[int, list[dict]]  # organisation id -> confirmed hits and sanctions notes
    statuses: list[ModelGuidanceStatus]
    guidance: list[RegulatoryGuidance]  # the guidance that applies, with what each reaches
    licence: Licence | None = None  # the terms of the model's licence, as legal recorded them (None: unknown)
    context: AdoptionContext | None = None  # the use, for a request's items; None for the model's own
    list_kinds: dict[str, str] = field(default_factory=dict)  # "hit:12" / "note:3" -> a LIST_KINDS key

    def reached_by(self, guidance: RegulatoryGuidance) -> list[str] | None:
        """Why the guidance reaches this model (one reason per kind of reach), or None when it does not."""
        by_kind: dict[str, list[GuidanceReach]] = {}
        for reach in guidance.reaches.all():
            by_kind.setdefault(reach.kind, []).append(reach)
        if not by_kind:
            return None
        reasons = []
        for reaches in by_kind.values():
            reason = next((found for reach in reaches if (found := self.reach_reason(reach))), None)
            if reason is None:
                return None
            reasons.append(reason)
        return reasons

    def reach_reason(self, reach: GuidanceReach) -> str | None:
        """The sentence that says why one reach matches this model, or None."""
        model = self.model
        kind = GuidanceReach.Kind
        if reach.kind == kind.ORGANISATION:
            for link in self.chain:
                if _organisation_matches(link.organisation, reach):
                    return f"{link.organisation.name} is in its supply chain ({link.via})"
            return None
        if reach.kind == kind.ACCELERATOR:
            for claim in self.claims:
                accelerator = claim.accelerator
                if claim.subject != ProvenanceClaim.Subject.TRAINING_HARDWARE or accelerator is None:
                    continue
                if accelerator_reached(accelerator, reach):
                    return (
                        f"its training hardware is said to be {accelerator.vendor.display_name} "
                        f"{accelerator.product} ({claim.get_confidence_display().lower()})"
                    )
            return None
        if reach.kind == kind.JURISDICTION:
            if self.context is None:  # the model's own picture: the guidance bites where the model is used
                return f"it may be used in {place_name(reach.jurisdiction.name)}"
            if reach.jurisdiction.code not in self.context.where:
                return None
            places = self.context.places_in(reach.jurisdiction.code)
            named = f" ({', '.join(places)})" if places != [reach.jurisdiction.code] else ""
            return f"it will be used in {place_name(reach.jurisdiction.name)}{named}"
        if reach.kind == kind.OPEN_WEIGHTS:
            return f"it has {model.get_weights_display().lower()}" if model.weights in OPEN_WEIGHTS else None
        if reach.kind == kind.LICENCE:
            return f"it is published under {model.licence}" if model.licence == reach.licence else None
        if reach.kind == kind.DEVELOPER_COUNTRY:
            country = model.developer.country
            return f"its developer is based in {country}" if country and country == reach.country else None
        if reach.kind == kind.PARAMETERS_ABOVE:
            total = model.parameters_total
            if total and total > reach.threshold_value():
                return f"it has {total / 1e9:g}B parameters, above {reach.threshold:g} {reach.get_unit_display()}"
            return None
        if reach.kind == kind.COMPUTE_ABOVE:
            compute = training_compute_estimate(model)
            if compute and compute > reach.threshold_value():
                return (
                    f"its training compute is estimated at {compute:.1e} FLOP (6 x active parameters x tokens, "
                    f"an estimate), above {reach.threshold:g} FLOP"
                )
            return None
        return None

    def listed(self, organisation: Organisation) -> list[dict]:
        """The organisation's listings, and its parent's (a subsidiary shares its group's exposure)."""
        own = self.listings.get(organisation.pk, [])
        parent = self.listings.get(organisation.parent_id, []) if organisation.parent_id else []
        return own + [{**item, "via_parent": True} for item in parent]


def place_name(name: str) -> str:
    """ "European Union" -> "the European Union": a name read in a sentence."""
    return f"the {name}" if name.split(" ")[0] in ("European", "United", "Netherlands", "Czech") else name


# What a listing forbids, by kind of list: (what it means, the text it rests on). Read: OFAC FAQ 400 (treasury.gov)
# for blocking; 15 CFR 744.11 and 744.16 (secondary transcriptions, no eCFR copy found) for the Entity List.
LIST_KINDS = {
    "blocking": (
        "a blocking list: property frozen and dealings prohibited without a licence",
        "OFAC FAQ 400; for the UN and EU lists, the asset freeze of the listing regulation",
    ),
    "entity_list": (
        "the Entity List: a licence is needed to export, reexport or transfer items subject to the EAR to the party",
        "15 CFR 744.11 and 744.16(a)",
    ),
    "other": ("a restricted-party list whose consequence legal reads on the listing itself", ""),
}
_BLOCKING_LISTS = {"ofac-sdn", "un-sc", "eu-fsf"}


def list_kind(*, list_code: str, names: list[str]) -> str:
    """Which LIST_KINDS key a listing is: the list's code, else its words (a CSL row's source, a note's list)."""
    words = " ".join(str(name or "") for name in names).lower()
    if "entity list" in words or "(el)" in words:
        return "entity_list"
    if list_code in _BLOCKING_LISTS or "specially designated" in words or "(sdn)" in words:
        return "blocking"
    return "other"


def listing_kind(facts: ModelFacts, item: dict) -> str:
    """The LIST_KINDS key of one listing: as read with its hit or note, else (a match not screened yet, in an
    impact's "what if") from the list's name."""
    key = f"hit:{item['hit_id']}" if item.get("kind") == "screening_hit" else f"note:{item.get('note_id')}"
    return facts.list_kinds.get(key) or list_kind(list_code="", names=[item.get("list"), item.get("authority")])


def model_facts(*, model: AIModel, guidance: list[RegulatoryGuidance] | None = None) -> ModelFacts:
    return models_facts(model_ids=[model.pk], guidance=guidance)[0]


def models_facts(
    *,
    model_ids: list[int] = (),
    guidance: list[RegulatoryGuidance] | None = None,
    models: list[AIModel] | None = None,
    reach_only: bool = False,
    subsidiaries: bool = True,
) -> list[ModelFacts]:
    """The facts of many models in a fixed number of queries, whatever their number (ordered by name).

    ``models``: the caller's model objects (with the developer and its parent selected) instead of ids; only their
    claims are read. ``reach_only``: what matching reaches needs (the chain and claims), not the listings or the
    guidance statuses the rules read. ``subsidiaries``: False skips that read when nothing needs it."""
    lookups = [
        Prefetch(
            "claims",
            queryset=ProvenanceClaim.objects.select_related(
                "accelerator", "accelerator__vendor", "accelerator__vendor__parent", "organisation", "source"
            ).order_by("pk"),
        ),
        Prefetch(
            "developer__subsidiaries",
            queryset=Organisation.objects.order_by("name") if subsidiaries else Organisation.objects.none(),
        ),
    ]
    if not reach_only:
        lookups.append(
            Prefetch(
                "guidance_statuses",
                queryset=ModelGuidanceStatus.objects.select_related("jurisdiction").order_by("jurisdiction__code"),
            )
        )
    if models is not None:
        models = sorted(models, key=lambda m: m.name)
        prefetch_related_objects(models, *lookups)
    else:
        models = list(
            AIModel.objects.select_related("developer", "developer__parent")
            .prefetch_related(*lookups)
            .filter(pk__in=list(model_ids))
            .order_by("name")
        )
    chains = {model.pk: supply_chain(model=model) for model in models}
    listings: dict[int, list[dict]] = {}
    list_kinds: dict[str, str] = {}
    if not reach_only:
        listings, list_kinds = _listings(chains)
    guidance = guidance_applying() if guidance is None else guidance
    found = {
        licence.identifier: licence for licence in Licence.objects.filter(identifier__in={m.licence for m in models})
    }
    return [
        ModelFacts(
            model=model,
            chain=chains[model.pk],
            claims=list(model.claims.all()),
            listings=listings,  # shared: read by organisation id only
            statuses=list(model.guidance_statuses.all()) if not reach_only else [],
            guidance=guidance,
            licence=found.get(model.licence),
            list_kinds=list_kinds,
        )
        for model in models
    ]


def _listings(chains: dict[int, list[ChainLink]]) -> tuple[dict[int, list[dict]], dict[str, str]]:
    """Confirmed hits and sanctions notes of every organisation in the chains and their parents (two queries)."""
    org_ids = {link.organisation.pk for chain in chains.values() for link in chain}
    org_ids |= {
        link.organisation.parent_id for chain in chains.values() for link in chain if link.organisation.parent_id
    }
    listings: dict[int, list[dict]] = {pk: [] for pk in org_ids}
    list_kinds: dict[str, str] = {}
    for org_id, hits in list_hits_by_organisation(organisation_ids=org_ids).items():
        for hit in hits:
            if hit["status"] == "confirmed":
                list_kinds[f"hit:{hit['hit_id']}"] = list_kind(
                    list_code=hit["list_code"], names=[hit["list_name"], *hit["programs"][:1]]
                )
                listings[org_id].append(
                    {
                        "kind": "screening_hit",
                        "hit_id": hit["hit_id"],
                        "list": hit["list_name"],
                        "entry": hit["entry_name"],
                        "citation": hit["citation"],
                        "listed_on": hit["listed_on"],
                    }
                )
    for note in SanctionsNote.objects.filter(organisation_id__in=org_ids).order_by("pk"):
        list_kinds[f"note:{note.pk}"] = list_kind(list_code="", names=[note.list_name, note.authority])
        listings[note.organisation_id].append(
            {
                "kind": "sanctions_note",
                "note_id": note.pk,
                "list": note.list_name,
                "authority": note.authority,
                "citation": note.citation,
                "listed_on": note.listed_on.isoformat() if note.listed_on else None,
            }
        )
    for org_id, items in listings.items():  # one order whatever the database's, so a text never changes alone
        listings[org_id] = canonical_listings(items)
    return listings, list_kinds


def canonical_listings(items: list[dict]) -> list[dict]:
    """Listings in one stable order (list, citation, date, then the record): what a change detector compares and
    what a sentence lists never depends on the order the database returned them in."""
    return sorted(
        items,
        key=lambda item: (
            str(item.get("list") or ""),
            str(item.get("citation") or ""),
            str(item.get("listed_on") or ""),
            str(item.get("kind") or ""),
            item.get("hit_id") or item.get("note_id") or 0,
            bool(item.get("via_parent")),
        ),
    )


def guidance_applying(*, on: datetime.date | None = None, draft: RegulatoryGuidance | None = None) -> list:
    """The published guidance that applies on a day (not withdrawn, not superseded by then), with what each
    reaches, in two queries. ``draft`` is added as if it were published: the impact view's "what if"."""
    on = on or datetime.date.today()
    queryset = (
        RegulatoryGuidance.objects.filter(publication=RegulatoryGuidance.Publication.PUBLISHED)
        .exclude(status__in=GUIDANCE_NOT_APPLYING)
        .filter(Q(superseded_on__isnull=True) | Q(superseded_on__gt=on))
        .filter(reaches__isnull=False)
    )
    if draft is not None:
        queryset = queryset | RegulatoryGuidance.objects.filter(pk=draft.pk)
    return list(
        queryset.distinct()
        .select_related("jurisdiction")
        .prefetch_related(
            Prefetch(
                "reaches",
                queryset=GuidanceReach.objects.select_related("organisation", "jurisdiction").order_by("pk"),
            )
        )
        .order_by(F("issued_on").asc(nulls_last=True), "pk")
    )


def _organisation_matches(organisation: Organisation, reach: GuidanceReach) -> bool:
    return organisation.pk == reach.organisation_id or (
        reach.include_subsidiaries and organisation.parent_id == reach.organisation_id
    )


def accelerator_reached(accelerator, reach: GuidanceReach) -> bool:
    """The accelerator's vendor is the reach's organisation (or its subsidiary) and its product is of the family."""
    return _organisation_matches(accelerator.vendor, reach) and accelerator.product.casefold().startswith(
        reach.product_prefix.casefold()
    )


def guidance_fact(guidance: RegulatoryGuidance) -> dict:
    """How an item records the guidance it rests on (and the memo cites it)."""
    return {
        "id": guidance.pk,
        "title": guidance.title,
        "issuer": guidance.issuer,
        "jurisdiction": guidance.jurisdiction.code,
        "issued_on": guidance.issued_on.isoformat() if guidance.issued_on else None,
        "effective_from": guidance.effective_from.isoformat() if guidance.effective_from else None,
        "reference": guidance.reference,
        "citation": guidance.citation or guidance_cited(guidance),
    }


def guidance_cited(guidance: RegulatoryGuidance) -> str:
    issued = f" of {_human_date(guidance.issued_on.isoformat())}" if guidance.issued_on else ""
    reference = f" ({guidance.reference})" if guidance.reference else ""
    return f"{guidance.issuer}{issued}: {guidance.title}{reference}"


def _human_date(iso: str) -> str:
    """2025-01-16 -> 16 Jan 2025 (the register's one date format, also in the items' descriptions)."""
    try:
        day = datetime.date.fromisoformat(str(iso)[:10])
    except ValueError:
        return str(iso)
    return f"{day.day} {day:%b %Y}"


def _listing_text(listings: list[dict]) -> str:
    parts = []
    for item in canonical_listings(listings):
        when = f", listed {_human_date(item['listed_on'])}" if item.get("listed_on") else ""
        cite = f" ({item['citation']}{when})" if item.get("citation") else (f" ({when[2:]})" if when else "")
        parts.append(f"{item['list']}{cite}")
    return "; ".join(dict.fromkeys(parts))


# --- the rules ------------------------------------------------------------------------------
# ``rule(facts, context)``: the model's facts and, for a request's items, its use (None for the model's own items,
# which speak of the model whatever the use). Each returns, per fact it fires on, a proposal with its reason.


def _dealing(context: AdoptionContext | None, *, developer: bool) -> list[str]:
    """What of ours goes to the listed party: for the developer's group, the flows of the use; for a host or
    compute provider, our access through it."""
    if context is None:
        return []
    if developer:
        return list(context.flows)
    return ["access"] if context.access in (Access.DEVELOPER_API, Access.CLOUD_MARKETPLACE) or context.flows else []


def _consequence(kinds: set[str], dealing: list[str], context: AdoptionContext | None) -> tuple[int, str]:
    """The suggested likelihood of a listing's item for this use, and why: the list's consequence against what
    flows. A blocking list forbids any dealing; the Entity List needs a licence for items subject to the EAR sent
    to the party; a self-hosted copy of published weights with nothing flowing keeps the item at a lower level."""
    if context is None:
        return 4, ""
    blocking, entity = "blocking" in kinds, "entity_list" in kinds
    flows = {str(label) for value, label in Flow.choices if value in dealing} or {"access through it"}
    if blocking and dealing:
        return 5, (
            f" For this use we would send {' and '.join(sorted(flows))}: a blocking list allows no dealing or "
            f"payment without an OFAC licence ({LIST_KINDS['blocking'][1]})."
        )
    if blocking:
        return 4, (
            " For this use nothing flows to the party, but receiving or using property in which a blocked person has "
            f"an interest may itself be a prohibited dealing: counsel to advise ({LIST_KINDS['blocking'][1]})."
        )
    if entity and Flow.TECHNOLOGY in dealing:
        return 4, (
            " For this use we would send technology or hardware to it: a licence is needed for items subject to the "
            f"EAR ({LIST_KINDS['entity_list'][1]})."
        )
    if entity and dealing:
        return 3, (
            f" For this use we would send {' and '.join(sorted(flows))}: paying a listed party or sending it data is "
            "not in itself an export of items subject to the EAR, but nothing we send may be such an item without a "
            f"licence ({LIST_KINDS['entity_list'][1]}); counsel to confirm."
        )
    if context.self_hosted_without_flows:
        return 2, (
            " For this use we run a self-hosted copy of the published weights, with no payment, data or technology "
            "going to the listed party: nothing is exported to it, so the suggested likelihood is lower "
            f"({LIST_KINDS['entity_list'][1]} require a licence for items sent to the party)."
        )
    return 3, " What this use sends the listed party decides the consequence: counsel to confirm."


def _listing_consequence(
    facts: ModelFacts, listings: list[dict], context: AdoptionContext | None, *, developer: bool
) -> tuple[int, str, dict]:
    """The suggested likelihood of a listed party's item for this use, why, and the facts it rests on (what flows
    to the party, the kinds of list it is on; none for the model's own item)."""
    dealing = _dealing(context, developer=developer)
    kinds = {listing_kind(facts, item) for item in listings}
    likelihood, why = _consequence(kinds, dealing, context)
    return likelihood, why, ({"dealing": dealing, "list_kinds": sorted(kinds)} if context is not None else {})


def sanctions_listed_party(facts: ModelFacts, context: AdoptionContext | None) -> list[DerivedRisk]:
    """The developer's group, or a compute provider or host, has a confirmed list hit or a sanctions note. Chip
    vendors are left to ``training_hardware_listed_vendor``. For a request, the consequence of the list against what
    flows to the party sets the suggested likelihood."""
    developer_group: list[tuple[ChainLink, list[dict]]] = []
    others: list[DerivedRisk] = []
    for link in facts.chain:
        if link.role == OrganisationRole.CHIP_VENDOR:
            continue
        listings = facts.listed(link.organisation)
        if not listings:
            continue
        if link.role in (OrganisationRole.DEVELOPER, OrganisationRole.AFFILIATE):
            developer_group.append((link, listings))
            continue
        org = link.organisation
        likelihood, why, use = _listing_consequence(facts, listings, context, developer=False)
        others.append(
            DerivedRisk(
                rule="sanctions_listed_party",
                key=f"organisation:{org.pk}",
                category=Category.SANCTIONS,
                title=f"{org.display_name} ({link.via}) is on a sanctions or export-control list",
                description=(
                    f"{org.name}, {link.via} of {facts.model.name}, appears on: {_listing_text(listings)}. "
                    "Paying or exchanging data with a listed party may need a licence or be prohibited." + why
                ),
                likelihood=likelihood,
                impact=5,
                facts={
                    "organisations": [{"id": org.pk, "name": org.name, "role": link.role, "via": link.via}],
                    "listings": canonical_listings(listings),
                    **use,
                },
            )
        )
    if developer_group:
        developer = facts.model.developer
        names = [link.organisation.display_name for link, _ in developer_group]
        all_listings = canonical_listings([item for _, items in developer_group for item in items])
        shown = ", ".join(names[:4]) + (f" and {len(names) - 4} more" if len(names) > 4 else "")
        likelihood, why, use = _listing_consequence(facts, all_listings, context, developer=True)
        others.insert(
            0,
            DerivedRisk(
                rule="sanctions_listed_party",
                key="developer-group",
                category=Category.SANCTIONS,
                title=f"Developer {developer.display_name} or its group is on a sanctions or export-control list",
                description=(
                    f"{facts.model.name} is developed by {developer.name.rstrip('.')}. Listed in its group: {shown}. "
                    f"Listings: {_listing_text(all_listings)}. The Entity List restricts exports, reexports and "
                    "transfers to listed parties; whether using published weights involves any is a question "
                    "for legal." + why
                ),
                likelihood=likelihood,
                impact=5,
                facts={
                    "organisations": [
                        {"id": link.organisation.pk, "name": link.organisation.name, "role": link.role, "via": link.via}
                        for link, _ in developer_group
                    ],
                    "listings": all_listings,
                    **use,
                },
            ),
        )
    return others


def training_hardware_listed_vendor(facts: ModelFacts, context: AdoptionContext | None) -> list[DerivedRisk]:
    """A training-hardware claim names an accelerator whose vendor (or its parent) is listed."""
    by_accelerator: dict[int, list[ProvenanceClaim]] = {}
    for claim in facts.claims:
        if claim.subject == ProvenanceClaim.Subject.TRAINING_HARDWARE and claim.accelerator_id:
            by_accelerator.setdefault(claim.accelerator_id, []).append(claim)
    risks = []
    strength = {
        ProvenanceClaim.Confidence.DEVELOPER_STATED: 4,
        ProvenanceClaim.Confidence.CORROBORATED: 4,
        ProvenanceClaim.Confidence.REPORTED: 3,
        ProvenanceClaim.Confidence.DISPUTED: 2,
        ProvenanceClaim.Confidence.UNVERIFIED: 2,
    }
    for claims in by_accelerator.values():
        accelerator = claims[0].accelerator
        vendor = accelerator.vendor
        listings = facts.listed(vendor)
        if not listings:
            continue
        confidences = sorted({claim.confidence for claim in claims})
        likelihood = max(strength.get(claim.confidence, 2) for claim in claims)
        cited = next(
            (
                guidance
                for guidance in facts.guidance
                if any(
                    reach.kind == GuidanceReach.Kind.ACCELERATOR and accelerator_reached(accelerator, reach)
                    for reach in guidance.reaches.all()
                )
                and facts.reached_by(guidance)
            ),
            None,
        )
        fact_guidance = guidance_fact(cited) if cited is not None else None
        confidence_text = ", ".join(claim.get_confidence_display().lower() for claim in claims)
        ours = ""
        extra: dict = {}
        if context is not None and context.runs_on_listed_hardware:  # the BIS guidance speaks of using the chips
            likelihood = min(5, likelihood + 1)
            ours = (
                f" We will run it on a listed vendor's chips ourselves: using {vendor.display_name} accelerators is "
                "what the BIS guidance of 13 May 2025 on General Prohibition 10 warns of."
            )
            extra["runs_on_listed_hardware"] = True
        risks.append(
            DerivedRisk(
                rule="training_hardware_listed_vendor",
                key=f"accelerator:{accelerator.pk}",
                category=Category.SANCTIONS,
                title=(
                    f"Trained on {vendor.display_name} {accelerator.product}, from a listed vendor ({confidence_text})"
                ),
                description=(
                    f"{facts.model.name} is said to be trained on {vendor.display_name} {accelerator.product} "
                    f"({confidence_text}). {vendor.name} appears on: {_listing_text(listings)}."
                    + (f" {fact_guidance['citation'].rstrip('.')}." if fact_guidance else "")
                    + " Whether using weights trained on such hardware is itself restricted is an open question."
                    + ours
                ),
                likelihood=likelihood,
                impact=4,
                facts={
                    "accelerator": {"id": accelerator.pk, "product": accelerator.product},
                    "vendor": {"id": vendor.pk, "name": vendor.name},
                    "claims": [
                        {"id": c.pk, "value": c.value, "confidence": c.confidence, "source": c.source.title}
                        for c in claims
                    ],
                    "confidences": confidences,
                    "listings": canonical_listings(listings),
                    "guidance": fact_guidance,
                    **extra,
                },
            )
        )
    return risks


def regulatory_guidance_status(facts: ModelFacts, context: AdoptionContext | None) -> list[DerivedRisk]:
    """A guidance status under review, restricted or prohibited; or no status at all in the EU. For a request, only
    where the model will be used."""
    risks = []
    has_eu = False
    for status in facts.statuses:
        code = status.jurisdiction.code
        if context is not None and code not in context.where:
            continue
        has_eu = has_eu or code == "EU"
        if status.status not in GUIDANCE_CONCERNS:
            continue
        likelihood, impact = GUIDANCE_CONCERNS[status.status]
        conditions = f" Conditions: {status.conditions}." if status.conditions else ""
        risks.append(
            DerivedRisk(
                rule="regulatory_guidance_status",
                key=f"jurisdiction:{code}",
                category=Category.REGULATORY,
                title=f"{facts.model.name} is {status.get_status_display().lower()} in {status.jurisdiction.name}",
                description=(
                    f"Guidance status in {status.jurisdiction.name}: {status.get_status_display()}."
                    + (f" {status.rationale}" if status.rationale else "")
                    + conditions
                ),
                likelihood=likelihood,
                impact=impact,
                facts={"jurisdiction": code, "status": status.status, "conditions": status.conditions},
            )
        )
    if not has_eu and (context is None or "EU" in context.where):
        eu_texts = [
            guidance_fact(guidance)
            for guidance in facts.guidance
            if guidance.jurisdiction.code == "EU" and facts.reached_by(guidance)
        ]
        eu_text = "".join(f" {text['citation'].rstrip('.')}." for text in eu_texts)
        risks.append(
            DerivedRisk(
                rule="regulatory_guidance_status",
                key="jurisdiction:EU",
                category=Category.REGULATORY,
                title=f"No EU guidance status recorded for {facts.model.name}",
                description=(
                    f"Nobody has yet recorded how {facts.model.name} stands in the EU.{eu_text} "
                    "Record a guidance status for the EU to settle this item."
                ),
                likelihood=3,
                impact=3,
                facts={"jurisdiction": "EU", "status": None, "guidance": eu_texts},
            )
        )
    return risks


def _licence_named(facts: ModelFacts) -> str:
    licence = facts.licence
    return (
        f"{licence.name} ({licence.identifier}, {licence.version})"
        if licence and licence.version
        else (f"{licence.name} ({licence.identifier})" if licence else facts.model.licence)
    )


def licence_terms_unknown(facts: ModelFacts, context: AdoptionContext | None) -> list[DerivedRisk]:
    """The licence is not known (NOASSERTION), or the register holds no terms for it: nobody has read it."""
    model = facts.model
    if facts.licence is not None:
        return []
    if model.licence == "NOASSERTION":
        title = f"The licence of {model.name} is not known"
        what = f"No licence is recorded for {model.name} (NOASSERTION): the terms of use are unknown."
    else:
        title = f"The terms of {model.licence} are not recorded"
        what = f"{model.name} is published under {model.licence}, whose terms the register does not hold yet."
    return [
        DerivedRisk(
            rule="licence_terms_unknown",
            key="licence",
            category=Category.LICENCE,
            title=title,
            description=what + " Read the licence (and any acceptable use policy) and record its terms under "
            "Catalog > Licences before relying on it.",
            likelihood=3,
            impact=4,
            facts={"licence": model.licence},
        )
    ]


def licence_terms_against_use(facts: ModelFacts, context: AdoptionContext | None) -> list[DerivedRisk]:
    """The licence's terms weighed against the use: commercial use, an acceptable use policy against the use-case
    area, a user cap against customer-facing use, licensees excluded where we are, attribution and naming when we
    distribute or modify, restrictions that must bind our users."""
    licence = facts.licence
    if licence is None:
        return []
    named, cited = _licence_named(facts), licence.citation
    risks = []

    def add(key: str, title: str, text: str, likelihood: int, impact: int, **extra) -> None:
        risks.append(
            DerivedRisk(
                rule="licence_terms_against_use",
                key=f"licence:{key}",
                category=Category.LICENCE,
                title=title,
                description=f"{text} ({named}; read at {cited}).",
                likelihood=likelihood,
                impact=impact,
                facts={"licence": licence.identifier, "term": key, **extra},
            )
        )

    if licence.commercial_use == Licence.Commercial.NOT_ALLOWED:
        add(
            "commercial",
            f"{licence.identifier} does not allow commercial use",
            "The licence allows no commercial use",
            5,
            5,
        )
    if context is None:
        return risks
    if context.use_case_area in (licence.restricted_areas or []):
        add(
            "use-policy",
            f"{licence.identifier} restricts uses in {context.label('use_case_area').split(' (')[0].lower()}",
            f"The licence or its use policy restricts this field of use: {licence.use_restrictions}",
            4,
            4,
            area=context.use_case_area,
        )
    elif licence.use_restrictions:  # every use is bound by them, whatever its area; a breach ends the licence
        law = f" Governed by the law of {licence.governing_law}." if licence.governing_law else ""
        add(
            "use-policy-binds",
            f"{licence.identifier}: its use policy binds this use",
            f"We may use it only as the licence allows, and a breach ends the licence: {licence.use_restrictions}"
            + law,
            2,
            3,
        )
    excluded = sorted(set(licence.excluded_jurisdictions or []) & set(context.where))
    if excluded:
        add(
            "excluded",
            f"{licence.identifier} is not granted to licensees in {', '.join(excluded)}",
            f"{licence.exclusion_terms} Counsel to confirm whether it reaches us and this model",
            4,
            5,
            jurisdictions=excluded,
        )
    if licence.user_cap and context.users in (Audience.CUSTOMERS, Audience.PUBLIC):
        over = bool(context.expected_users and context.expected_users > licence.user_cap)  # "more than" the cap
        add(
            "user-cap",
            f"{licence.identifier} caps monthly active users at {licence.user_cap:,}",
            f"Customer-facing use: {licence.user_cap_terms}"
            + (f" We expect {context.expected_users:,} users." if context.expected_users else ""),
            5 if over else 2,
            4,
            users=context.users,
            over=over,
        )
    # Attribution and naming bite when we make it, or what we build on it, available to others.
    distributes = context.modification == Modification.OWN_NAME or context.users != Audience.STAFF
    if licence.attribution and distributes:
        add(
            "attribution",
            f"{licence.identifier}: attribution and naming duties",
            f"We make a system built on it available to {context.label('users').lower()}: {licence.attribution}",
            3,
            2,
        )
    if licence.flow_down and context.users in (Audience.CUSTOMERS, Audience.PUBLIC):
        add(
            "flow-down",
            f"{licence.identifier}: its use restrictions must bind our users",
            f"A service built on it passes its restrictions on: {licence.derivatives}",
            3,
            3,
        )
    return risks


def licence_open_permissive(facts: ModelFacts, context: AdoptionContext | None) -> list[DerivedRisk]:
    """Open weights under a permissive licence: no warranty, indemnity or support from anyone."""
    model = facts.model
    if model.weights not in OPEN_WEIGHTS or model.licence not in PERMISSIVE_LICENCES:
        return []
    return [
        DerivedRisk(
            rule="licence_open_permissive",
            key="licence",
            category=Category.LICENCE,
            title=f"Open weights under {model.licence}: provided as is, without warranty, indemnity or support",
            description=(
                f"{model.name} is published with {model.get_weights_display().lower()} under {model.licence}. "
                "The licence disclaims warranties and liability; nobody stands behind the model's provenance "
                "or third-party rights in its training data, and there is no support contract."
            ),
            likelihood=3,
            impact=2,
            facts={"licence": model.licence, "weights": model.weights},
        )
    ]


def personal_data_transfer(facts: ModelFacts, context: AdoptionContext | None) -> list[DerivedRisk]:
    """Personal data goes to a vendor in a country without an EU adequacy decision, for a use in the EU: a transfer
    under GDPR Chapter V (Art. 44) needing Art. 46 safeguards or an Art. 49 derogation."""
    if context is None or "EU" not in context.where or not context.transfer_without_adequacy:
        return []
    special = PersonalData.SPECIAL_CATEGORIES in context.personal_data
    return [
        DerivedRisk(
            rule="personal_data_transfer",
            key=f"transfer:{context.data_to}",
            category=Category.DATA_PROTECTION,
            title=(
                f"Personal data transferred to {context.data_to_name or context.data_to} without an EU adequacy "
                "decision"
            ),
            description=(
                f"The use sends personal data ({context.personal_data_words()}) to {context.data_to}: "
                f"{context.adequacy_words()}. A transfer to a third country is lawful only under GDPR Chapter V "
                "(Regulation (EU) 2016/679, Art. 44): without an adequacy decision (Art. 45(1)) it needs appropriate "
                "safeguards such as standard contractual clauses with a transfer impact assessment (Art. 46(1), "
                "46(2)(c)), or one of the derogations of Art. 49, which are for occasional transfers."
                + (" Special categories of data (Art. 9(1)) are involved." if special else "")
            ),
            likelihood=5 if special else 4,
            impact=4,
            facts={
                "data_to": context.data_to,
                "adequacy": context.data_to_adequacy,
                "personal_data": sorted(context.personal_data),
            },
        )
    ]


def high_risk_use(facts: ModelFacts, context: AdoptionContext | None) -> list[DerivedRisk]:
    """A use in an Annex III area (Art. 6(2)) or as a safety component (Art. 6(1)), in the EU: a high-risk AI
    system, with our role deciding whose duties are whose."""
    if context is None or "EU" not in context.where or not context.high_risk:
        return []
    role = our_roles(context=context, model=facts.model)["EU"]
    area = context.label("use_case_area")
    if context.annex_iii:
        basis, when = (
            f"{area}: Art. 6(2)",
            "2 Dec 2027 (Art. 113, third paragraph, point (c)(i), as amended by Regulation (EU) 2026/1744)",
        )
    else:
        basis, when = (
            f"{area}",
            "2 Aug 2028 (Art. 113, third paragraph, point (c)(ii), as amended by Regulation (EU) 2026/1744)",
        )
    return [
        DerivedRisk(
            rule="high_risk_use",
            key=f"area:{context.use_case_area}",
            category=Category.REGULATORY,
            title=f"A high-risk use under the EU AI Act: {area.split(' (')[0].lower()}",
            description=(
                f"The use is high-risk under Regulation (EU) 2024/1689 ({basis}). We are its {role['role_label']}: "
                f"{role['because']} ({role['citation']}). The high-risk obligations apply from {when}. An Annex III "
                "system is not high-risk where Art. 6(3)'s derogation holds (a narrow procedural or preparatory task, "
                "with no material influence on decisions), but never when it profiles natural persons."
            ),
            likelihood=4,
            impact=4,
            facts={"area": context.use_case_area, "role": role["role"]},
        )
    ]


def modified_gpai_provider(facts: ModelFacts, context: AdoptionContext | None) -> list[DerivedRisk]:
    """Our fine-tuning uses more than a third of the original's training compute: we become the provider of the
    modified general-purpose AI model (Commission GPAI guidelines, para 63), for a use in the EU."""
    if context is None or "EU" not in context.where:
        return []
    role = our_roles(context=context, model=facts.model)["EU"]
    gpai = next((r for r in [role, *role["also"]] if r["role"] == "provider_gpai"), None)
    if gpai is None:
        return []
    return [
        DerivedRisk(
            rule="modified_gpai_provider",
            key="provider-gpai",
            category=Category.REGULATORY,
            title=f"We become the provider of a modified general-purpose AI model (from {facts.model.name})",
            description=(
                f"As the provider of the modified model, {gpai['because']} ({gpai['citation']}): technical "
                "documentation, information for downstream providers, a copyright policy and a summary of the "
                "training content, limited to the modification (Art. 53(1); GPAI guidelines para 68)."
            ),
            likelihood=4,
            impact=3,
            facts={"finetune_flop": context.finetune_flop, "roles": sorted(role_codes(role))},
        )
    ]


def provenance_weak_claim(facts: ModelFacts, context: AdoptionContext | None) -> list[DerivedRisk]:
    """A provenance claim that is reported, disputed or unverified."""
    risks = []
    levels = {
        ProvenanceClaim.Confidence.DISPUTED: 4,
        ProvenanceClaim.Confidence.REPORTED: 3,
        ProvenanceClaim.Confidence.UNVERIFIED: 3,
    }
    for claim in facts.claims:
        if claim.confidence not in WEAK_CONFIDENCE:
            continue
        risks.append(
            DerivedRisk(
                rule="provenance_weak_claim",
                key=f"claim:{claim.pk}",
                category=Category.PROVENANCE,
                title=(
                    f"Unsettled provenance: {claim.get_subject_display().lower()} = {claim.value} "
                    f"({claim.get_confidence_display().lower()})"
                ),
                description=(
                    f"{claim.statement} Confidence: {claim.get_confidence_display()}. "
                    f"Principal source: {claim.source.publisher}, {claim.source.title}."
                ),
                likelihood=levels[claim.confidence],
                impact=3,
                facts={
                    "claim": claim.pk,
                    "subject": claim.subject,
                    "value": claim.value,
                    "confidence": claim.confidence,
                    "source": claim.source.title,
                },
            )
        )
    return risks


def guidance_reaches_model(facts: ModelFacts, context: AdoptionContext | None) -> list[DerivedRisk]:
    """A guidance record that implies a risk (category, likelihood, impact) and reaches the model."""
    risks = []
    for guidance in facts.guidance:
        if not guidance.risk_category:
            continue
        reasons = facts.reached_by(guidance)
        if reasons is None:
            continue
        fact = guidance_fact(guidance)
        because = "; ".join(reasons)
        risks.append(
            DerivedRisk(
                rule="guidance_reaches_model",
                key=f"guidance:{guidance.pk}",
                category=guidance.risk_category,
                title=guidance.title[:255],
                description=(
                    f"{guidance.title} ({guidance.get_status_display().lower()}) reaches {facts.model.name}: "
                    f"{because}. {guidance.risk_sentence}".strip()
                    + f" Cited: {fact['citation'].rstrip('.')}."
                ),
                likelihood=guidance.risk_likelihood,
                impact=guidance.risk_impact,
                facts={"guidance": fact, "reasons": reasons, "status": guidance.status},
            )
        )
    return risks


RULES: list[Callable[[ModelFacts, AdoptionContext | None], list[DerivedRisk]]] = [
    sanctions_listed_party,
    training_hardware_listed_vendor,
    regulatory_guidance_status,
    high_risk_use,
    modified_gpai_provider,
    personal_data_transfer,
    licence_terms_unknown,
    licence_terms_against_use,
    licence_open_permissive,
    provenance_weak_claim,
    guidance_reaches_model,
]

RULE_NAMES = {rule.__name__ for rule in RULES}


def derive(
    *, model: AIModel, guidance: list[RegulatoryGuidance] | None = None, context: AdoptionContext | None = None
) -> list[DerivedRisk]:
    """Every risk the facts about this model imply, for a use (``context``; None for the model's own items), in a
    stable order. ``guidance`` is the guidance that applies (``guidance_applying()``), fetched once by a caller
    deriving many models."""
    return derive_from(model_facts(model=model, guidance=guidance), context=context)


def derive_from(facts: ModelFacts, context: AdoptionContext | None = None) -> list[DerivedRisk]:
    facts = replace(facts, context=context)
    return [risk for rule in RULES for risk in rule(facts, context)]
