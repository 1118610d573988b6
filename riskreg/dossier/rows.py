"""The dossier's row shapes, each written once: a TypedDict saying what a row holds, and the one function that
makes it. JSON values only (a memo stores the rows in its snapshot), dates as ISO strings."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime
from typing import TypedDict

from models_catalog.models import OrganisationRole
from riskreg.register.context import context_row
from riskreg.register.models import AdoptionRequest

#: Requests that count for a decision on the model: in flight or approved.
CURRENT_REQUEST_STATES = (
    AdoptionRequest.State.DRAFT,
    AdoptionRequest.State.IN_REVIEW,
    AdoptionRequest.State.APPROVED,
    AdoptionRequest.State.REOPENED,
)
#: List hits that make an organisation "listed" (a potential match counts until legal dismisses it).
RESTRICTIVE_LIST_STATUSES = ("confirmed", "potential")
#: Claims are shown, and sources numbered, in the order a legal reader needs them.
CLAIM_ORDER = ["training_hardware", "compute_provider", "training_location", "training_data", "hosting", "other"]


def iso(value: date | datetime | None) -> str | None:
    """One date format for every row: a day as YYYY-MM-DD, a moment in UTC to the second."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(microsecond=0).isoformat()
    return value.isoformat()


class UserRow(TypedDict):
    username: str
    name: str


def user_row(user) -> UserRow | None:
    if user is None:
        return None
    return {"username": user.get_username(), "name": user.get_full_name() or user.get_username()}


class OrganisationRow(TypedDict):
    id: int
    name: str
    short_name: str
    native_name: str
    display_name: str
    country: str


def organisation_row(org) -> OrganisationRow:
    return {
        "id": org.pk,
        "name": org.name,
        "short_name": org.short_name,
        "native_name": org.native_name,
        "display_name": org.display_name,
        "country": org.country,
    }


class ModelFactsRow(TypedDict):
    id: int
    name: str
    slug: str
    family: str
    version: str
    developer: OrganisationRow
    developer_parent: OrganisationRow | None
    parameters_total: int | None
    parameters_active: int | None
    training_tokens: int | None
    architecture: str
    licence: str
    weights: str
    weights_label: str
    release_date: str | None
    description: str


def model_facts_row(model, *, developer, parent) -> ModelFactsRow:
    return {
        "id": model.pk,
        "name": model.name,
        "slug": model.slug,
        "family": model.family,
        "version": model.version,
        "developer": organisation_row(developer),
        "developer_parent": organisation_row(parent) if parent is not None else None,
        "parameters_total": model.parameters_total,
        "parameters_active": model.parameters_active,
        "training_tokens": model.training_tokens,
        "architecture": model.architecture,
        "licence": model.licence,
        "weights": model.weights,
        "weights_label": str(model.get_weights_display()),
        "release_date": iso(model.release_date),
        "description": model.description,
    }


class AcceleratorRow(TypedDict):
    product: str
    vendor: str
    vendor_id: int


class ClaimRow(TypedDict, total=False):
    id: int
    subject: str
    subject_label: str
    statement: str
    value: str
    accelerator: AcceleratorRow | None
    organisation: str | None
    country: str
    confidence: str
    confidence_label: str
    as_of: str | None
    notes: str
    citations: list[int | None]
    source_flags: list[dict]  # live only: its sources that changed since cited or are gone (SourceIndex)


def claim_row(claim, *, accelerator, vendor, organisation, citations: list[int | None]) -> ClaimRow:
    return {
        "id": claim.pk,
        "subject": claim.subject,
        "subject_label": str(claim.get_subject_display()),
        "statement": claim.statement,
        "value": claim.value,
        "accelerator": (
            {
                "product": accelerator.product,
                "vendor": vendor.display_name if vendor else "",
                "vendor_id": accelerator.vendor_id,
            }
            if accelerator
            else None
        ),
        "organisation": organisation.display_name if organisation else None,
        "country": claim.country,
        "confidence": claim.confidence,
        "confidence_label": str(claim.get_confidence_display()),
        "as_of": iso(claim.as_of),
        "notes": claim.notes,
        "citations": citations,
    }


class SanctionsNoteRow(TypedDict):
    authority: str
    list_name: str
    citation: str
    listed_on: str | None
    notes: str
    source: int | None


class ChainRow(TypedDict):
    organisation: OrganisationRow
    role: str
    role_label: str
    via: str
    list_entries: list[dict]  # riskreg.screening.selectors.list_hits_by_organisation's rows
    sanctions_notes: list[SanctionsNoteRow]
    listed: bool


def chain_row(link, *, notes: Iterable, entries: list[dict], cite: Callable | None) -> ChainRow:
    """An organisation of the supply chain (a ChainLink) with its list entries and legal's sanctions notes;
    ``cite(source)`` numbers a note's source (None: the row names no source numbers, as on the home page)."""
    entries = sorted(entries, key=lambda e: (e["status"], e["listed_on"] or "", e["list_code"], e["entry_id"]))
    note_rows: list[SanctionsNoteRow] = [
        {
            "authority": note.authority,
            "list_name": note.list_name,
            "citation": note.citation,
            "listed_on": iso(note.listed_on),
            "notes": note.notes,
            "source": cite(note.source) if cite and note.source_id else None,
        }
        for note in sorted(notes, key=lambda n: (n.listed_on or date.min, n.pk))
    ]
    role = link.role
    return {
        "organisation": organisation_row(link.organisation),
        "role": str(role),
        "role_label": str(OrganisationRole(role).label),
        "via": link.via,
        "list_entries": entries,
        "sanctions_notes": note_rows,
        "listed": bool(note_rows) or any(e["status"] in RESTRICTIVE_LIST_STATUSES for e in entries),
    }


class GuidanceRow(TypedDict):
    id: int
    jurisdiction: str
    issuer: str
    title: str
    reference: str
    kind: str
    kind_label: str
    status: str
    status_label: str
    issued_on: str | None
    effective_from: str | None
    effective_to: str | None
    summary: str
    source: int | None


def guidance_row(item, *, jurisdiction_code: str, source: int | None) -> GuidanceRow:
    return {
        "id": item.pk,
        "jurisdiction": jurisdiction_code,
        "issuer": item.issuer,
        "title": item.title,
        "reference": item.reference,
        "kind": item.kind,
        "kind_label": str(item.get_kind_display()),
        "status": item.status,
        "status_label": str(item.get_status_display()),
        "issued_on": iso(item.issued_on),
        "effective_from": iso(item.effective_from),
        "effective_to": iso(item.effective_to),
        "summary": item.summary,
        "source": source,
    }


class JurisdictionRow(TypedDict):
    code: str
    name: str


class RegulatoryRow(TypedDict):
    jurisdiction: JurisdictionRow
    status: str
    status_label: str
    rationale: str
    conditions: str
    reviewed_on: str | None
    guidance: list[GuidanceRow]


def regulatory_row(status, *, jurisdiction, guidance: list[GuidanceRow]) -> RegulatoryRow:
    return {
        "jurisdiction": {"code": jurisdiction.code, "name": jurisdiction.name},
        "status": status.status,
        "status_label": str(status.get_status_display()),
        "rationale": status.rationale,
        "conditions": status.conditions,
        "reviewed_on": iso(status.reviewed_on),
        "guidance": guidance,
    }


class SignOffRow(TypedDict):
    role: str
    signer: UserRow | None
    decision: str
    decision_label: str
    comment: str
    conditions: str
    signed_at: str | None
    review_round: int
    current_round: bool
    risk_state_sha256: str


class RequestRow(TypedDict, total=False):
    id: int
    use_case: str
    deployment: str  # the access (kept under this name for the memo templates before memo-6)
    deployment_label: str
    context: dict  # riskreg.register.context.context_row: the use
    data_classification: str
    data_classification_label: str
    requester: UserRow | None
    state: str
    state_label: str
    current: bool
    review_round: int
    required_roles: list[str]
    missing_roles: list[str]
    submitted_at: str | None
    decided_at: str | None
    expires_on: str | None
    sign_offs: list[SignOffRow]
    risk: dict  # {"overall", "accepted_count"}: its own accepted items (riskreg.dossier.risk.request_risk)


def request_row(req, *, sign_offs: Iterable, signer: Callable, owner=None) -> RequestRow:
    """A request, its use and its sign-offs (in the order to show); ``signer(sign_off)`` gives the signing user,
    ``owner`` the business owner of a request read from history."""
    rows: list[SignOffRow] = []
    signed_roles = set()
    for sign_off in sign_offs:
        current = sign_off.review_round == req.review_round
        if current:
            signed_roles.add(sign_off.role)
        rows.append(
            {
                "role": sign_off.role,
                "signer": user_row(signer(sign_off)),
                "decision": sign_off.decision,
                "decision_label": str(sign_off.get_decision_display()),
                "comment": sign_off.comment,
                "conditions": sign_off.conditions,
                "signed_at": iso(sign_off.created_at),
                "review_round": sign_off.review_round,
                "current_round": current,
                "risk_state_sha256": sign_off.risk_state_sha256,
            }
        )
    return {
        "id": req.pk,
        "use_case": req.use_case,
        "deployment": req.access,
        "deployment_label": str(req.get_access_display()),
        "context": context_row(req, owner=owner),
        "data_classification": req.data_classification,
        "data_classification_label": str(req.get_data_classification_display()),
        "requester": user_row(req.requester),
        "state": req.state,
        "state_label": str(req.get_state_display()),
        "current": req.state in CURRENT_REQUEST_STATES,
        "review_round": req.review_round,
        "required_roles": list(req.required_roles or []),
        # Sign-offs are awaited only while the request is in review (or reopened for review).
        "missing_roles": [role for role in req.required_roles or [] if role not in signed_roles]
        if req.state in (AdoptionRequest.State.IN_REVIEW, AdoptionRequest.State.REOPENED)
        else [],
        "submitted_at": iso(req.submitted_at),
        "decided_at": iso(req.decided_at),
        "expires_on": iso(req.expires_on),
        "sign_offs": rows,
    }


class ApprovalRow(TypedDict):
    approved: bool
    watermark: str
    reason: str


def approval_row(*, kind: str, requests: list[RequestRow], request_id: int | None) -> ApprovalRow:
    """Whether the document records an approval: a request's own state; for a model, every current request
    approved (and at least one). Unapproved documents carry a DRAFT watermark."""
    if kind == "request":
        req = next(r for r in requests if r["id"] == request_id)
        approved = req["state"] == AdoptionRequest.State.APPROVED
        reason = f"Request #{req['id']} is {req['state_label'].lower()}."
    else:
        current = [r for r in requests if r["current"]]
        approved = bool(current) and all(r["state"] == AdoptionRequest.State.APPROVED for r in current)
        if not current:
            reason = "No current adoption request for this model."
        elif approved:
            reason = "Every current adoption request for this model is approved."
        else:
            pending = ", ".join(f"#{r['id']} {r['state_label'].lower()}" for r in current if r["state"] != "approved")
            reason = f"Not every current adoption request is approved ({pending})."
    return {"approved": approved, "watermark": "" if approved else "DRAFT", "reason": reason}


class ConditionRow(TypedDict):
    text: str
    set_by: str  # the signing role
    owner: UserRow | None
    due: str | None  # None: ongoing
    state: str
    state_label: str
    evidence: str
    met_at: str | None


def condition_row(condition, *, owner, role: str) -> ConditionRow:
    return {
        "text": condition.text,
        "set_by": role,
        "owner": user_row(owner),
        "due": iso(condition.due),
        "state": condition.state,
        "state_label": str(condition.get_state_display()),
        "evidence": condition.evidence,
        "met_at": iso(condition.met_at),
    }
