"""Read-side rules of the catalog, shared by the API, screening, watch, register and memos."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet

from models_catalog.models import (
    AIModel,
    EvidenceSource,
    ModelGuidanceStatus,
    Organisation,
    OrganisationRole,
    ProvenanceClaim,
    SanctionsNote,
)
from models_catalog.ports import organisations_list_exposure


@dataclass(frozen=True)
class ChainLink:
    """One organisation in a model's supply chain, and why it is there."""

    organisation: Organisation
    role: str  # an OrganisationRole value
    via: str  # a sentence: "developer", "parent of Zhipu AI", "vendor of Ascend 910B (claim 12)"


def model_detail_queryset() -> QuerySet[AIModel]:
    """Models with everything a detail page shows, in a fixed number of queries."""
    return AIModel.objects.select_related("developer", "developer__parent").prefetch_related(
        Prefetch(
            "claims",
            # the sources' capture state (riskreg.evidence) comes with them: no query per source
            queryset=ProvenanceClaim.objects.select_related(
                "source",
                "source__cited__cited_capture",
                "source__cited__latest_capture",
                "accelerator",
                "accelerator__vendor",
                "organisation",
            ).prefetch_related(
                Prefetch(
                    "other_sources",
                    queryset=EvidenceSource.objects.select_related("cited__cited_capture", "cited__latest_capture"),
                )
            ),
        ),
        Prefetch(
            "guidance_statuses",
            queryset=ModelGuidanceStatus.objects.select_related("jurisdiction").prefetch_related(
                "guidance", "guidance__jurisdiction"
            ),
        ),
    )


def supply_chain(*, model: AIModel) -> list[ChainLink]:
    """Every organisation in the model's chain: developer, its parent, its subsidiaries, chip
    vendors and compute providers named in claims. Each organisation appears once (first reason wins)."""
    developer = model.developer
    if "subsidiaries" in getattr(developer, "_prefetched_objects_cache", {}):
        subsidiaries = developer.subsidiaries.all()  # prefetched by name (the register's bulk facts)
    else:
        subsidiaries = Organisation.objects.filter(parent=developer).order_by("name")
    return chain_links(
        developer=developer,
        parent=developer.parent if developer.parent_id else None,
        subsidiaries=subsidiaries,
        claims=model.claims.all(),
        accelerator_of=lambda claim: claim.accelerator,
        organisation_of=lambda claim: claim.organisation,
        vendor_of=lambda accelerator: accelerator.vendor,
    )


def chain_links(
    *,
    developer: Organisation | None,
    parent: Organisation | None,
    subsidiaries: Iterable[Organisation],
    claims: Iterable[ProvenanceClaim],
    accelerator_of: Callable,
    organisation_of: Callable,
    vendor_of: Callable,
) -> list[ChainLink]:
    """The rule of a supply chain, over rows read live or from history (the dossier reads a past day): the
    developer, its parent, its subsidiaries, then for each claim (in the catalog's order: by subject, then as
    recorded) the vendor of the accelerator it names and the compute provider or host it names. Each
    organisation once, first reason wins. ``accelerator_of(claim)``, ``organisation_of(claim)`` and
    ``vendor_of(accelerator)`` resolve a claim's links (None when absent)."""
    links: list[ChainLink] = []
    seen: set[int] = set()

    def add(org: Organisation | None, role: str, via: str) -> None:
        if org is not None and org.pk not in seen:
            seen.add(org.pk)
            links.append(ChainLink(org, role, via))

    if developer is None:
        return links
    add(developer, OrganisationRole.DEVELOPER, "developer")
    if parent is not None:
        add(parent, OrganisationRole.AFFILIATE, f"parent of {developer.display_name}")
    for subsidiary in subsidiaries:
        add(subsidiary, OrganisationRole.AFFILIATE, f"subsidiary of {developer.display_name}")
    confidences = dict(ProvenanceClaim.Confidence.choices)
    subjects = dict(ProvenanceClaim.Subject.choices)
    for claim in sorted(claims, key=lambda c: (c.subject, c.pk)):
        confidence = str(confidences.get(claim.confidence, claim.confidence)).lower()
        accelerator = accelerator_of(claim) if claim.accelerator_id else None
        if accelerator is not None:
            add(vendor_of(accelerator), OrganisationRole.CHIP_VENDOR, f"vendor of {accelerator.product} ({confidence})")
        if claim.organisation_id:
            role = (
                OrganisationRole.HOST
                if claim.subject == ProvenanceClaim.Subject.HOSTING
                else OrganisationRole.COMPUTE_PROVIDER
            )
            subject = str(subjects.get(claim.subject, claim.subject)).lower()
            add(organisation_of(claim), role, f"{subject} ({confidence})")
    return links


def training_compute_estimate(model: AIModel) -> float | None:
    """6 x parameters x tokens (active parameters for a mixture of experts): an estimate, never a disclosed figure."""
    parameters = model.parameters_active or model.parameters_total
    if not parameters or not model.training_tokens:
        return None
    return 6.0 * parameters * model.training_tokens


def models_for_organisations(*, organisation_ids: Iterable[int]) -> QuerySet[AIModel]:
    """Models whose supply chain contains any of these organisations (the inverse of supply_chain)."""
    ids = set(organisation_ids)
    if not ids:
        return AIModel.objects.none()
    # Parents and subsidiaries of the organisations count as developers-by-group.
    related = set(Organisation.objects.filter(Q(pk__in=ids) | Q(parent_id__in=ids)).values_list("pk", "parent_id"))
    developer_ids = ids | {pk for pk, _ in related} | {parent for _, parent in related if parent}
    return AIModel.objects.filter(
        Q(developer_id__in=developer_ids)
        | Q(claims__organisation_id__in=ids)
        | Q(claims__accelerator__vendor_id__in=ids)
    ).distinct()


def models_for_accelerators(*, accelerator_ids: Iterable[int]) -> QuerySet[AIModel]:
    return AIModel.objects.filter(claims__accelerator_id__in=set(accelerator_ids)).distinct()


@dataclass(frozen=True)
class Exposure:
    """What the register holds on one organisation: legal's sanctions notes and its screening-list hits."""

    sanctions_notes: list[SanctionsNote]
    list_exposure: list[dict]  # rows of models_catalog.ports.organisations_list_exposure (screening provides it)


def exposure_by_organisation(*, organisations: Iterable[Organisation]) -> dict[int, Exposure]:
    """Exposure per organisation id, in two queries whatever the number of organisations."""
    ids = [org.pk for org in organisations]
    hits = organisations_list_exposure(organisation_ids=ids)
    notes: dict[int, list[SanctionsNote]] = {pk: [] for pk in ids}
    for note in SanctionsNote.objects.filter(organisation_id__in=ids):
        notes[note.organisation_id].append(note)
    return {pk: Exposure(notes[pk], hits.get(pk, [])) for pk in ids}
