"""The one builder of a model's dossier (see the package's docstring).

A fixed number of queries whatever the number of claims, sources, organisations or risk items: the model, the
chain (claims, organisations, parents), further sources of claims, sanctions notes, list exposure, guidance
statuses, their guidance, the sources, risk items, requests, sign-offs, the obligations (published guidance,
their reaches, the model's claims), and live the sources' captures.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from typing import NotRequired, TypedDict

from django.utils import timezone

from models_catalog.models import (
    AIModel,
    EvidenceSource,
    Jurisdiction,
    ModelGuidanceStatus,
    ProvenanceClaim,
    RegulatoryGuidance,
    SanctionsNote,
)
from riskreg.dossier.chains import Chains
from riskreg.dossier.readers import Reader
from riskreg.dossier.risk import RiskSummary, highest_request_risk, name_regulations, request_risk, risk_summary
from riskreg.dossier.rows import (
    CLAIM_ORDER,
    ApprovalRow,
    ChainRow,
    ClaimRow,
    ConditionRow,
    ModelFactsRow,
    RegulatoryRow,
    RequestRow,
    approval_row,
    chain_row,
    claim_row,
    condition_row,
    guidance_row,
    iso,
    model_facts_row,
    regulatory_row,
    request_row,
)
from riskreg.dossier.sources import SourceIndex, SourceRow
from riskreg.register.context import AdoptionContext
from riskreg.register.models import AdoptionRequest, ApprovalCondition, RiskItem, SignOff
from riskreg.register.obligations import obligations_timeline, requests_obligations
from riskreg.register.our_role import our_roles


class Dossier(TypedDict):
    kind: str  # "model", or "request" for one request's dossier
    generated_at: str | None  # the moment it describes
    as_of: str | None  # the day it was read as of (None: live)
    model: ModelFactsRow
    request: RequestRow | None
    requests: list[RequestRow]  # every request for the model (the request alone for a request's dossier)
    approval: ApprovalRow
    claims: list[ClaimRow]
    supply_chain: list[ChainRow]
    regulatory: list[RegulatoryRow]
    obligations: dict  # register.selectors.obligations_timeline on the basis day, each source numbered
    risk: RiskSummary
    sources: list[SourceRow]
    captures: list[int]  # live: the captures the sources' rows name (a memo's verification checks them)
    # A request's dossier only: our role per jurisdiction, the obligations of its use, its conditions of approval.
    role: NotRequired[dict]
    use_obligations: NotRequired[dict]
    conditions: NotRequired[list[ConditionRow]]


def dossier_build(
    *,
    model_id: int,
    request_id: int | None = None,
    at: datetime | None = None,
    now: datetime | None = None,
    live_model: AIModel | None = None,
    band_only: bool = False,
) -> Dossier | None:
    """The dossier of a model (``request_id`` None) or of one adoption request for it, live (``at`` None) or as
    the register stood at ``at``; None when the model was not yet in the register then. ``now`` is the moment a
    live dossier describes (a memo's), by default this one. The obligations are those of the request's decision
    day for a decided request, otherwise of the day described. ``live_model``: the model as it is, with its
    developer and the developer's parent, when the caller has read it already (a page). ``band_only``: for a page
    that shows only the model band (workspace.selectors.model_band), the obligations and captures stay empty."""
    reader = Reader(at)
    if live_model is None:
        live_model = AIModel.objects.select_related("developer", "developer__parent").filter(pk=model_id).first()
    model = live_model if reader.live else reader.rows(AIModel).filter(pk=model_id).first()
    if model is None:
        return None
    moment = at or now or timezone.now()
    sources = SourceIndex()
    chains = Chains.load(reader, models=[model])
    requests, requests_then = _requests(reader, model_id=model_id, request_id=request_id)
    request = requests[0] if request_id is not None else None
    # live_model None: deleted since
    timeline = _obligations(model=None if band_only else live_model, request=request, day=moment.date())
    # Every source the claims and obligations cite, read at once; sanctions notes and guidance bring their own.
    # (The band alone shows neither the claims' sources nor the guidance records.)
    further = {} if band_only else reader.links(ProvenanceClaim, "other_sources", chains.claims.get(model_id, []))
    cited = {c.source_id for c in chains.claims.get(model_id, [])} | {pk for pks in further.values() for pk in pks}
    cited |= {item["source"]["id"] for item in timeline["in_force"] + timeline["ahead"] if item["source"]}
    by_id = {s.pk: s for s in EvidenceSource.objects.filter(pk__in=cited)} if cited and not band_only else {}
    # Sources are numbered in the order they are cited: claims, supply chain, guidance, obligations.
    claims = _claims(chains, model_id=model_id, further=further, by_id=by_id, sources=sources)
    chain = _supply_chain(reader, chains, model=model, sources=sources)
    regulatory = _regulatory(reader, model_id=model_id, sources=sources, with_guidance=not band_only)
    items = list(
        reader.rows(RiskItem)
        .filter(model_id=model_id)
        .exclude(status=RiskItem.Status.RETIRED)
        .select_related("matrix", "owner")
        .order_by("category", "pk")
    )
    for item in items:  # rebuilt from history: the joins are on the historical record
        item.matrix, item.owner = reader.related(item, "matrix"), reader.related(item, "owner")
    for row in requests:
        row["risk"] = request_risk(
            [i for i in items if i.request_id == row["id"] and i.status == RiskItem.Status.ACCEPTED]
        )
    for item in timeline["in_force"] + timeline["ahead"]:
        item["source_n"] = sources.cite(by_id.get(item["source"]["id"])) if item["source"] else None
    in_scope = [i for i in items if i.request_id is None or (request_id is not None and i.request_id == request_id)]
    risk = risk_summary(in_scope)
    name_regulations(risk["items"], risk_items=in_scope, regulatory=regulatory)
    # A model's register is the model-level one; a reader must still see what the requests carry.
    risk["requests_highest"] = highest_request_risk(requests) if request_id is None else None
    kind = "model" if request_id is None else "request"
    developer = chains.organisations[model.developer_id]
    parent = chains.organisations.get(developer.parent_id) if developer.parent_id else None
    dossier: Dossier = {
        "kind": kind,
        "generated_at": iso(moment),
        "as_of": iso(at.date()) if at else None,
        "model": model_facts_row(model, developer=developer, parent=parent),
        "request": request,
        "requests": requests,
        "approval": approval_row(kind=kind, requests=requests, request_id=request_id),
        "claims": claims,
        "supply_chain": chain,
        "regulatory": regulatory,
        "obligations": timeline,
        "risk": risk,
        "sources": sources.sources,
        "captures": [],
    }
    if request is not None:  # one request's dossier: its use, our role there, its obligations and conditions
        dossier.update(_use(reader, requests_then[0], model=model, day=moment.date(), sources=sources))
    if reader.live and not band_only:  # today's view: each source's captured copy and whether it changed since cited
        dossier["captures"] = sources.add_captures(claims=claims)
    return dossier


def _use(reader: Reader, req, *, model, day: date, sources: SourceIndex) -> dict:
    """What a request's dossier adds: our role per jurisdiction, the obligations of its use (sources numbered)
    and the conditions of approval of its current round."""
    decided = req.decided_at.date() if req.decided_at else day
    obligations = requests_obligations(requests=[req], on=decided).get(req.pk, []) if req.context_recorded else []
    ids = {o["source"]["id"] for o in obligations if o["source"]}
    by_id = {s.pk: s for s in EvidenceSource.objects.filter(pk__in=ids)} if ids else {}
    for item in obligations:
        item["source_n"] = sources.cite(by_id.get(item["source"]["id"])) if item["source"] else None
    sign_offs = {s.pk: s for s in reader.rows(SignOff).filter(request_id=req.pk, review_round=req.review_round)}
    conditions = [
        condition_row(c, owner=reader.related(c, "owner") if c.owner_id else None, role=sign_offs[c.sign_off_id].role)
        for c in reader.rows(ApprovalCondition).filter(request_id=req.pk).select_related("owner").order_by("pk")
        if c.sign_off_id in sign_offs
    ]
    return {
        "role": our_roles(context=AdoptionContext.of(req), model=model) if req.context_recorded else {},
        "use_obligations": {"on": decided.isoformat(), "items": obligations},
        "conditions": conditions,
    }


def _claims(chains: Chains, *, model_id: int, further: dict, by_id: dict, sources: SourceIndex) -> list[ClaimRow]:
    claims_then = chains.claims.get(model_id, [])
    rows = []
    for claim in sorted(
        claims_then,
        key=lambda c: (CLAIM_ORDER.index(c.subject) if c.subject in CLAIM_ORDER else len(CLAIM_ORDER), c.pk),
    ):
        accelerator = chains.accelerators.get(claim.accelerator_id)
        others = [pk for pk in further.get(claim.pk, []) if pk != claim.source_id]
        rows.append(
            claim_row(
                claim,
                accelerator=accelerator,
                vendor=chains.organisations.get(accelerator.vendor_id) if accelerator else None,
                organisation=chains.organisations.get(claim.organisation_id),
                citations=[sources.cite(by_id.get(pk)) for pk in [claim.source_id, *others]],
            )
        )
    return rows


def _supply_chain(reader: Reader, chains: Chains, *, model, sources: SourceIndex) -> list[ChainRow]:
    links = chains.chain(model)
    org_ids = [link.organisation.pk for link in links]
    notes: dict[int, list[SanctionsNote]] = defaultdict(list)
    for note in reader.rows(SanctionsNote).filter(organisation_id__in=org_ids).select_related("source"):
        note.source = reader.related(note, "source")
        notes[note.organisation_id].append(note)
    exposure = reader.exposure(organisation_ids=org_ids)
    return [
        chain_row(
            link, notes=notes[link.organisation.pk], entries=exposure.get(link.organisation.pk, []), cite=sources.cite
        )
        for link in links
    ]


def _regulatory(
    reader: Reader, *, model_id: int, sources: SourceIndex, with_guidance: bool = True
) -> list[RegulatoryRow]:
    statuses = list(reader.rows(ModelGuidanceStatus).filter(model_id=model_id).select_related("jurisdiction"))
    guidance_ids = reader.links(ModelGuidanceStatus, "guidance", statuses) if with_guidance else {}
    wanted = {pk for pks in guidance_ids.values() for pk in pks}
    guidance = {}
    if wanted:
        guidance = {g.pk: g for g in reader.rows(RegulatoryGuidance).filter(id__in=wanted).select_related("source")}
    jurisdictions = {s.jurisdiction_id: reader.related(s, "jurisdiction") for s in statuses}
    missing = {g.jurisdiction_id for g in guidance.values()} - set(jurisdictions)
    if missing:
        jurisdictions.update({j.pk: j for j in Jurisdiction.objects.filter(pk__in=missing)})
    rows = []
    for status in sorted(statuses, key=lambda s: jurisdictions[s.jurisdiction_id].code):
        items = sorted(
            (guidance[pk] for pk in guidance_ids.get(status.pk, []) if pk in guidance),
            key=lambda g: (g.issued_on or date.min, g.pk),
        )
        rows.append(
            regulatory_row(
                status,
                jurisdiction=jurisdictions[status.jurisdiction_id],
                guidance=[
                    guidance_row(
                        item,
                        jurisdiction_code=jurisdictions[item.jurisdiction_id].code,
                        source=sources.cite(reader.related(item, "source")),
                    )
                    for item in items
                ],
            )
        )
    return rows


def _requests(reader: Reader, *, model_id: int, request_id: int | None) -> tuple[list[RequestRow], list]:
    query = reader.rows(AdoptionRequest).filter(model_id=model_id).select_related("requester", "business_owner")
    if request_id is not None:
        query = query.filter(pk=request_id)
    requests_then = list(query.order_by("pk"))
    sign_offs = defaultdict(list)
    for sign_off in reader.rows(SignOff).filter(request_id__in=[r.pk for r in requests_then]).select_related("signer"):
        sign_offs[sign_off.request_id].append(sign_off)
    rows = []
    for req in requests_then:
        req.requester = reader.related(req, "requester")
        rows.append(
            request_row(
                req,
                sign_offs=sorted(sign_offs[req.pk], key=lambda s: (s.review_round, s.created_at)),
                signer=lambda sign_off: reader.related(sign_off, "signer"),
                owner=reader.related(req, "business_owner") if req.business_owner_id else None,
            )
        )
    return rows, requests_then


def _obligations(*, model: AIModel | None, request: RequestRow | None, day: date) -> dict:
    """The obligations in force on the basis day and the next dates ahead: the request's decision day for a decided
    request, otherwise the day described. Obligations and their reaches are read as they are today (the day
    chooses what is in force), against the model as it is. The builder numbers each one's source."""
    decided = request.get("decided_at") if request else None
    if decided:
        day = datetime.fromisoformat(decided).date()
    if model is None:  # a model read as of a day, deleted since: its obligations cannot be matched any more
        timeline = {"on": day.isoformat(), "on_label": f"{day.day} {day:%b %Y}", "in_force": [], "ahead": []}
    else:
        timeline = obligations_timeline(model=model, on=day)
    return {
        **timeline,
        "basis": "decision" if decided else "data",
        "basis_label": "the decision date" if decided else "the date of the data",
    }
