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
from dataclasses import dataclass, field

from django.db.models import F, Prefetch, Q

from models_catalog.licences import PERMISSIVE_LICENCES
from models_catalog.models import (
    AIModel,
    GuidanceReach,
    ModelGuidanceStatus,
    Organisation,
    OrganisationRole,
    ProvenanceClaim,
    RegulatoryGuidance,
    SanctionsNote,
)
from models_catalog.selectors import ChainLink, supply_chain
from riskreg.register.models import RiskItem
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
            return f"it may be deployed in {reach.jurisdiction.name}"
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


def model_facts(*, model: AIModel, guidance: list[RegulatoryGuidance] | None = None) -> ModelFacts:
    return models_facts(model_ids=[model.pk], guidance=guidance)[0]


def models_facts(*, model_ids: list[int], guidance: list[RegulatoryGuidance] | None = None) -> list[ModelFacts]:
    """The facts of many models in a fixed number of queries, whatever their number (ordered by name)."""
    models = list(
        AIModel.objects.select_related("developer", "developer__parent")
        .prefetch_related(
            Prefetch(
                "claims",
                queryset=ProvenanceClaim.objects.select_related(
                    "accelerator", "accelerator__vendor", "accelerator__vendor__parent", "organisation", "source"
                ).order_by("pk"),
            ),
            Prefetch(
                "guidance_statuses",
                queryset=ModelGuidanceStatus.objects.select_related("jurisdiction").order_by("jurisdiction__code"),
            ),
            Prefetch("developer__subsidiaries", queryset=Organisation.objects.order_by("name")),
        )
        .filter(pk__in=model_ids)
        .order_by("name")
    )
    chains = {model.pk: supply_chain(model=model) for model in models}
    org_ids = {link.organisation.pk for chain in chains.values() for link in chain}
    org_ids |= {
        link.organisation.parent_id for chain in chains.values() for link in chain if link.organisation.parent_id
    }
    listings: dict[int, list[dict]] = {pk: [] for pk in org_ids}
    for org_id, hits in list_hits_by_organisation(organisation_ids=org_ids).items():
        for hit in hits:
            if hit["status"] == "confirmed":
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
    guidance = guidance_applying() if guidance is None else guidance
    return [
        ModelFacts(
            model=model,
            chain=chains[model.pk],
            claims=list(model.claims.all()),
            listings=listings,  # shared: read by organisation id only
            statuses=list(model.guidance_statuses.all()),
            guidance=guidance,
        )
        for model in models
    ]


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


def training_compute_estimate(model: AIModel) -> float | None:
    """6 x parameters x tokens (active parameters for a mixture of experts): an estimate, never a disclosed figure."""
    parameters = model.parameters_active or model.parameters_total
    if not parameters or not model.training_tokens:
        return None
    return 6.0 * parameters * model.training_tokens


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
    for item in listings:
        when = f", listed {_human_date(item['listed_on'])}" if item.get("listed_on") else ""
        cite = f" ({item['citation']}{when})" if item.get("citation") else (f" ({when[2:]})" if when else "")
        parts.append(f"{item['list']}{cite}")
    return "; ".join(dict.fromkeys(parts))


# --- the rules ------------------------------------------------------------------------------


def sanctions_listed_party(facts: ModelFacts) -> list[DerivedRisk]:
    """The developer's group, or a compute provider or host, has a confirmed list hit or a sanctions note.
    Chip vendors are left to ``training_hardware_listed_vendor``."""
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
        others.append(
            DerivedRisk(
                rule="sanctions_listed_party",
                key=f"organisation:{org.pk}",
                category=Category.SANCTIONS,
                title=f"{org.display_name} ({link.via}) is on a sanctions or export-control list",
                description=(
                    f"{org.name}, {link.via} of {facts.model.name}, appears on: {_listing_text(listings)}. "
                    "Paying or exchanging data with a listed party may need a licence or be prohibited."
                ),
                likelihood=4,
                impact=5,
                facts={
                    "organisations": [{"id": org.pk, "name": org.name, "role": link.role, "via": link.via}],
                    "listings": listings,
                },
            )
        )
    if developer_group:
        developer = facts.model.developer
        names = [link.organisation.display_name for link, _ in developer_group]
        all_listings = [item for _, items in developer_group for item in items]
        shown = ", ".join(names[:4]) + (f" and {len(names) - 4} more" if len(names) > 4 else "")
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
                    "for legal."
                ),
                likelihood=4,
                impact=5,
                facts={
                    "organisations": [
                        {"id": link.organisation.pk, "name": link.organisation.name, "role": link.role, "via": link.via}
                        for link, _ in developer_group
                    ],
                    "listings": all_listings,
                },
            ),
        )
    return others


def training_hardware_listed_vendor(facts: ModelFacts) -> list[DerivedRisk]:
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
                    "listings": listings,
                    "guidance": fact_guidance,
                },
            )
        )
    return risks


def regulatory_guidance_status(facts: ModelFacts) -> list[DerivedRisk]:
    """A guidance status under review, restricted or prohibited; or no status at all in the EU."""
    risks = []
    has_eu = False
    for status in facts.statuses:
        code = status.jurisdiction.code
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
    if not has_eu:
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


def licence_open_permissive(facts: ModelFacts) -> list[DerivedRisk]:
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


def provenance_weak_claim(facts: ModelFacts) -> list[DerivedRisk]:
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


def guidance_reaches_model(facts: ModelFacts) -> list[DerivedRisk]:
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


RULES: list[Callable[[ModelFacts], list[DerivedRisk]]] = [
    sanctions_listed_party,
    training_hardware_listed_vendor,
    regulatory_guidance_status,
    licence_open_permissive,
    provenance_weak_claim,
    guidance_reaches_model,
]

RULE_NAMES = {rule.__name__ for rule in RULES}


def derive(*, model: AIModel, guidance: list[RegulatoryGuidance] | None = None) -> list[DerivedRisk]:
    """Every risk the facts about this model imply, in a stable order. ``guidance`` is the guidance that
    applies (``guidance_applying()``), fetched once by a caller deriving many models."""
    return derive_from(model_facts(model=model, guidance=guidance))


def derive_from(facts: ModelFacts) -> list[DerivedRisk]:
    return [risk for rule in RULES for risk in rule(facts)]
