"""The memo snapshot: one JSON document of everything a memo shows, read from the register at one moment.

Rendering takes only this document, never the live database, so a memo can be re-rendered and
verified years later. The builders read through the other apps' selectors and always issue the same
number of SQL queries whatever the number of claims, sources, organisations or risk items.

Decisions (documented in docs/reports.md):
- Overall residual level: the highest residual band among *accepted* risk items of the memo's scope;
  an item without a residual assessment counts with its inherent rating (and says so).
- Scope of risk items: a model memo shows the model's own items (request empty); a request memo adds
  the items of that request. Retired items are left out; proposed ones are shown but never counted.
- Watermark: a request memo is DRAFT unless the request is approved. A model memo is DRAFT unless the
  model has at least one current adoption request (draft, in review, approved or reopened) and every
  current request is approved.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime
from typing import Any

from django.db.models import Q

from models_catalog.models import AIModel, EvidenceSource, Organisation, SanctionsNote
from models_catalog.selectors import model_detail_queryset, supply_chain
from riskreg.evidence.selectors import evidence_states
from riskreg.register.models import AdoptionRequest, RiskItem, RiskMatrix, SignOff
from riskreg.register.selectors import obligations_timeline, risk_level
from riskreg.screening.selectors import list_hits_by_organisation
from riskreg.watch.selectors import model_recent_alerts

SNAPSHOT_SCHEMA = 1
RECENT_ALERTS = 10
CURRENT_REQUEST_STATES = (
    AdoptionRequest.State.DRAFT,
    AdoptionRequest.State.IN_REVIEW,
    AdoptionRequest.State.APPROVED,
    AdoptionRequest.State.REOPENED,
)
RESTRICTIVE_LIST_STATUSES = ("confirmed", "potential")
#: Claims are shown, and sources numbered, in the order a legal reader needs them.
CLAIM_ORDER = ["training_hardware", "compute_provider", "training_location", "training_data", "hosting", "other"]


# --- canonical form -----------------------------------------------------------------------------


def snapshot_canonical(snapshot: dict) -> bytes:
    """Sorted keys, no whitespace, UTF-8: the same document always gives the same bytes."""
    return json.dumps(snapshot, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode(
        "utf-8"
    )


def snapshot_sha256(snapshot: dict) -> str:
    return hashlib.sha256(snapshot_canonical(snapshot)).hexdigest()


def _iso(value: date | datetime | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(microsecond=0).isoformat()
    return value.isoformat()


def _user(user) -> dict | None:
    if user is None:
        return None
    return {"username": user.get_username(), "name": user.get_full_name() or user.get_username()}


def _organisation(org: Organisation) -> dict:
    return {
        "id": org.pk,
        "name": org.name,
        "short_name": org.short_name,
        "native_name": org.native_name,
        "display_name": org.display_name,
        "country": org.country,
    }


class _SourceIndex:
    """Numbers sources [1], [2] ... in order of first citation."""

    def __init__(self) -> None:
        self.numbers: dict[int, int] = {}
        self.sources: list[dict] = []

    def cite(self, source: EvidenceSource | None) -> int | None:
        if source is None:
            return None
        if source.pk not in self.numbers:
            self.numbers[source.pk] = len(self.sources) + 1
            self.sources.append(
                {
                    "n": self.numbers[source.pk],
                    "id": source.pk,
                    "title": source.title,
                    "publisher": source.publisher,
                    "author": source.author,
                    "url": source.url,
                    "citation": source.citation,
                    "kind": source.kind,
                    "kind_label": str(source.get_kind_display()),
                    "published_on": _iso(source.published_on),
                    "retrieved_on": _iso(source.retrieved_on),
                    "summary": source.summary,
                    "captured_sha256": source.captured_sha256,
                }
            )
        return self.numbers[source.pk]

    def add_captures(self, *, claims: list[dict] | None = None) -> list[int]:
        """Each source's capture: the copy its claims rest on (retrieval time, SHA-256, how it was made), its
        state (captured, changed since cited, gone) or why it is not captured. One query. Returns the ids of
        the captures the memo names, recorded in the snapshot so that verification checks their stored copies."""
        states = evidence_states(source_ids=[source["id"] for source in self.sources])
        ids: set[int] = set()
        for source in self.sources:
            state = states.get(source["id"]) or {"state": "not_captured", "state_label": "Not captured"}
            cited, latest = state.get("cited_capture"), state.get("latest_capture")
            source["capture_state"] = state["state"]
            source["capture_state_label"] = state["state_label"]
            source["capture_state_since"] = state.get("state_since")
            source["not_captured_reason"] = state.get("not_captured_reason", "")
            source["capture"] = _capture(cited)
            source["latest_capture"] = (
                _capture(latest)
                if latest and cited and latest["id"] != cited["id"] and state["state"] != "captured"
                else None
            )
            ids.update(c["id"] for c in (source["capture"], source["latest_capture"]) if c)
        by_number = {source["n"]: source for source in self.sources}
        for claim in claims or []:  # each claim names its sources that changed since cited or are gone
            claim["source_flags"] = [
                {"n": n, "state": by_number[n]["capture_state"], "label": by_number[n]["capture_state_label"]}
                for n in claim["citations"]
                if n and by_number[n]["capture_state"] in ("changed", "gone")
            ]
        return sorted(ids)


def _capture(capture: dict | None) -> dict | None:
    if capture is None:
        return None
    keys = ("id", "outcome", "origin", "origin_label", "retrieved_at", "sha256", "final_url", "http_status", "note")
    return {key: capture[key] for key in keys}


# --- risk ---------------------------------------------------------------------------------------


def _matrix(matrix: RiskMatrix) -> dict:
    rows = len(matrix.likelihood_labels)
    cols = len(matrix.impact_labels)
    cells = [
        {"likelihood": lk, "impact": im, **(risk_level(matrix=matrix, likelihood=lk, impact=im) or {})}
        for lk in range(1, rows + 1)
        for im in range(1, cols + 1)
    ]
    return {
        "id": matrix.pk,
        "name": matrix.name,
        "version": matrix.version,
        "likelihood_labels": list(matrix.likelihood_labels),
        "impact_labels": list(matrix.impact_labels),
        "bands": list(matrix.bands),
        "cells": cells,
    }


def _rating(matrix: RiskMatrix, likelihood: int | None, impact: int | None) -> dict | None:
    level = risk_level(matrix=matrix, likelihood=likelihood, impact=impact)
    if level is None:
        return None
    return {"likelihood": likelihood, "impact": impact, **level}


def _severity(item: RiskItem) -> tuple:
    """Accepted before proposed, then the highest residual (or inherent) score first."""
    residual = (item.residual_likelihood or 0) * (item.residual_impact or 0)
    inherent = item.inherent_likelihood * item.inherent_impact
    return (item.status != RiskItem.Status.ACCEPTED, -(residual or inherent), -inherent, item.pk)


def _risk(items: list[RiskItem]) -> dict:
    """Items numbered R1, R2 ... by severity, so the drivers are the first references."""
    matrices: dict[int, dict] = {}
    rows: list[dict] = []
    for number, item in enumerate(sorted(items, key=_severity), start=1):
        matrices.setdefault(item.matrix_id, _matrix(item.matrix))
        inherent = _rating(item.matrix, item.inherent_likelihood, item.inherent_impact)
        residual = _rating(item.matrix, item.residual_likelihood, item.residual_impact)
        rows.append(
            {
                "ref": f"R{number}",
                "id": item.pk,
                "request_id": item.request_id,
                "matrix_id": item.matrix_id,
                "category": item.category,
                "category_label": str(item.get_category_display()),
                "title": item.title,
                "description": item.description,
                "existing_controls": item.existing_controls,
                "planned_controls": item.planned_controls,
                "inherent": inherent,
                "residual": residual,
                "effective": residual or inherent,
                "residual_assessed": residual is not None,
                "treatment": item.treatment,
                "treatment_label": str(item.get_treatment_display()) if item.treatment else "",
                "owner": _user(item.owner),
                "next_review_on": _iso(item.next_review_on),
                "origin": item.origin,
                "rule": item.rule,
                "status": item.status,
                "status_label": str(item.get_status_display()),
            }
        )
    accepted = [row for row in rows if row["status"] == RiskItem.Status.ACCEPTED and row["effective"]]
    drivers = sorted(
        accepted, key=lambda row: (-row["effective"]["score"], -(row["inherent"] or {}).get("score", 0), row["id"])
    )
    top = drivers[0] if drivers else None
    return {
        "matrices": [matrices[key] for key in sorted(matrices)],
        "items": rows,
        "overall": (
            {
                "name": top["effective"]["name"],
                "colour": top["effective"]["colour"],
                "score": top["effective"]["score"],
                "from_inherent": not top["residual_assessed"],
            }
            if top
            else None
        ),
        "drivers": [row["ref"] for row in drivers[:3]],
        "accepted_count": len(accepted),
    }


def _risk_items(*, model_id: int, request_id: int | None) -> list[RiskItem]:
    scope = Q(request__isnull=True)
    if request_id is not None:
        scope |= Q(request_id=request_id)
    return list(
        RiskItem.objects.filter(Q(model_id=model_id) & scope)
        .exclude(status=RiskItem.Status.RETIRED)
        .select_related("matrix", "owner")
        .order_by("category", "pk")
    )


def _requests_risk(request_ids: list[int]) -> dict[int, dict]:
    """Each request's own accepted risk items summed up: the overall level and how many (one query)."""
    by_request: dict[int, list[RiskItem]] = {pk: [] for pk in request_ids}
    # _risk() reads each item's owner: select it with the matrix, or every item costs one more query.
    accepted = RiskItem.objects.filter(request_id__in=request_ids, status=RiskItem.Status.ACCEPTED)
    for item in accepted.select_related("matrix", "owner"):
        by_request[item.request_id].append(item)
    summaries = {}
    for pk, items in by_request.items():
        risk = _risk(items)
        summaries[pk] = {"overall": risk["overall"], "accepted_count": risk["accepted_count"]}
    return summaries


def _highest_request_risk(requests: list[dict]) -> dict | None:
    """The highest overall level among the current requests, with the request it comes from."""
    rated = [r for r in requests if r["current"] and r["risk"]["overall"]]
    if not rated:
        return None
    top = max(rated, key=lambda r: (r["risk"]["overall"]["score"], -r["id"]))
    return {**top["risk"]["overall"], "request_id": top["id"]}


def _name_regulations(rows: list[dict], *, risk_items: list[RiskItem], regulatory: list[dict]) -> None:
    """Each risk item's "regulations": the instruments behind it, named so the summary can say which law drives a
    finding. Sanctions items: the listings they rest on (list and Federal Register citation) and any guidance
    named in their facts; regulatory items: the guidance recorded for their jurisdiction (e.g. Regulation (EU)
    2024/1689). From the facts stored with the item, nothing else."""
    by_id = {item.pk: item for item in risk_items}
    guidance_by_jurisdiction = {r["jurisdiction"]["code"]: r["guidance"] for r in regulatory}
    for row in rows:
        item = by_id[row["id"]]
        facts = item.facts or {}
        named: list[str] = []
        listings = [listing for listing in facts.get("listings", []) if isinstance(listing, dict)]
        for listing in sorted(listings, key=lambda listing: listing.get("kind") != "sanctions_note"):
            citation = listing.get("citation") or ""
            if citation and any(citation in text for text in named):
                continue
            name = listing.get("list") or "restricted-party list"
            authority = f" ({listing['authority']})" if listing.get("authority") else ""
            named.append(f"{name}{authority}, {citation}" if citation else f"{name}{authority}")
        guidance = facts.get("guidance")
        if isinstance(guidance, dict) and guidance.get("title"):
            named.append(str(guidance["title"]))
        key = item.derivation_key or ""
        if key.startswith("jurisdiction:"):
            for entry in guidance_by_jurisdiction.get(key.split(":", 1)[1], []):
                named.append(f"{entry['reference']}: {entry['title']}" if entry["reference"] else entry["title"])
        row["regulations"] = list(dict.fromkeys(named))


# --- requests and sign-offs ---------------------------------------------------------------------


def _request(req: AdoptionRequest) -> dict:
    return request_summary(req, sign_offs=req.sign_offs.all(), signer=lambda sign_off: sign_off.signer)


def request_summary(req: AdoptionRequest, *, sign_offs: Iterable[SignOff], signer: Callable) -> dict:
    """A request and its sign-offs as the memo (and the dossier, live or as of a day) show them. `sign_offs`
    in the order to show; `signer(sign_off)` gives the signing user (prefetched, or looked up in history)."""
    rows = []
    signed_roles = set()
    for sign_off in sign_offs:
        current = sign_off.review_round == req.review_round
        if current:
            signed_roles.add(sign_off.role)
        rows.append(
            {
                "role": sign_off.role,
                "signer": _user(signer(sign_off)),
                "decision": sign_off.decision,
                "decision_label": str(sign_off.get_decision_display()),
                "comment": sign_off.comment,
                "conditions": sign_off.conditions,
                "signed_at": _iso(sign_off.created_at),
                "review_round": sign_off.review_round,
                "current_round": current,
                "risk_state_sha256": sign_off.risk_state_sha256,
            }
        )
    return {
        "id": req.pk,
        "use_case": req.use_case,
        "deployment": req.deployment,
        "deployment_label": str(req.get_deployment_display()),
        "data_classification": req.data_classification,
        "data_classification_label": str(req.get_data_classification_display()),
        "requester": _user(req.requester),
        "state": req.state,
        "state_label": str(req.get_state_display()),
        "current": req.state in CURRENT_REQUEST_STATES,
        "review_round": req.review_round,
        "required_roles": list(req.required_roles or []),
        # Sign-offs are awaited only while the request is in review (or reopened for review).
        "missing_roles": [role for role in req.required_roles or [] if role not in signed_roles]
        if req.state in (AdoptionRequest.State.IN_REVIEW, AdoptionRequest.State.REOPENED)
        else [],
        "submitted_at": _iso(req.submitted_at),
        "decided_at": _iso(req.decided_at),
        "expires_on": _iso(req.expires_on),
        "sign_offs": rows,
    }


def _requests(*, model_id: int, request_id: int | None) -> list[dict]:
    queryset = (
        AdoptionRequest.objects.filter(model_id=model_id)
        .select_related("requester")
        .prefetch_related("sign_offs__signer")
        .order_by("pk")
    )
    if request_id is not None:
        queryset = queryset.filter(pk=request_id)
    return [_request(req) for req in queryset]


def _approval(*, kind: str, requests: list[dict], request_id: int | None) -> dict:
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


# --- open questions for counsel -----------------------------------------------------------------


def _open_questions(*, model: dict, claims: list[dict], chain: list[dict], regulatory: list[dict]) -> list[dict]:
    """Frame, do not answer, the questions counsel will ask (DOMAIN.md)."""
    listed = {link["organisation"]["id"] for link in chain if link["listed"]}
    hardware = [c for c in claims if c["subject"] == "training_hardware" and c["accelerator"]]
    listed_hardware = [c for c in hardware if c["accelerator"]["vendor_id"] in listed]
    questions = []
    if listed_hardware:
        claim = listed_hardware[0]
        vendor = claim["accelerator"]["vendor"]
        questions.append(
            {
                "topic": "Published weights and the Entity List",
                "text": (
                    f"{model['name']} is reported to have been trained on {claim['value']} "
                    f"({claim['confidence_label'].lower()}); {vendor} is on a restricted-party list. "
                    "The Entity List restricts exports, reexports and transfers to listed parties; whether "
                    "downloading and using published weights of a model trained on such hardware is itself "
                    "restricted is not settled by the sources in this memo."
                ),
                "citations": claim["citations"],
            }
        )
    elif any(link["listed"] for link in chain):
        questions.append(
            {
                "topic": "Published weights and listed parties",
                "text": (
                    f"An organisation in the supply chain of {model['name']} is on a restricted-party list. "
                    "Whether using published weights without any transaction with that party is restricted "
                    "is a question for counsel."
                ),
                "citations": [],
            }
        )
    vendors = sorted({c["accelerator"]["vendor"] for c in hardware})
    jurisdictions = [r["jurisdiction"]["name"] for r in regulatory if r["status"] == "no_guidance"]
    if vendors:
        questions.append(
            {
                "topic": "Regulators' guidance on models trained on this hardware",
                "text": (
                    f"Whether US or EU regulators will issue guidance on models trained on {', '.join(vendors)} "
                    "hardware (existing guidance addresses use of the chips, not models trained on them)"
                    + (f"; no guidance at all is recorded for: {', '.join(jurisdictions)}." if jurisdictions else ".")
                ),
                "citations": [],
            }
        )
    questions.append(
        {
            "topic": "Cloud providers' positioning",
            "text": (
                f"How cloud and API providers position themselves on hosting or serving {model['name']} "
                "(offered, withdrawn, or offered with conditions), and whether their terms follow us into a "
                "self-hosted deployment."
            ),
            "citations": [],
        }
    )
    return questions


# --- builders -----------------------------------------------------------------------------------


def _model_facts(model: AIModel) -> dict:
    return {
        "id": model.pk,
        "name": model.name,
        "slug": model.slug,
        "family": model.family,
        "version": model.version,
        "developer": _organisation(model.developer),
        "developer_parent": _organisation(model.developer.parent) if model.developer.parent_id else None,
        "parameters_total": model.parameters_total,
        "parameters_active": model.parameters_active,
        "training_tokens": model.training_tokens,
        "architecture": model.architecture,
        "licence": model.licence,
        "weights": model.weights,
        "weights_label": str(model.get_weights_display()),
        "release_date": _iso(model.release_date),
        "description": model.description,
    }


def _obligations(*, model: AIModel, request: dict | None, at: datetime, sources: _SourceIndex) -> dict:
    """The obligations in force on the decision date and the next dates ahead (since template memo-5). The decision
    date is the request's decision for a decided request memo, otherwise the day of the data. Each obligation's
    source joins the numbered sources. Frozen in the snapshot, so a re-render shows the same timeline."""
    decided = request.get("decided_at") if request else None
    day = datetime.fromisoformat(decided).date() if decided else at.date()
    timeline = obligations_timeline(model=model, on=day)
    ids = {item["source"]["id"] for item in timeline["in_force"] + timeline["ahead"] if item["source"]}
    by_id = {source.pk: source for source in EvidenceSource.objects.filter(pk__in=ids)} if ids else {}
    for item in timeline["in_force"] + timeline["ahead"]:
        item["source_n"] = sources.cite(by_id.get(item["source"]["id"])) if item["source"] else None
    return {
        **timeline,
        "basis": "decision" if decided else "data",
        "basis_label": "the decision date" if decided else "the date of the data",
    }


def model_snapshot_build(*, model_id: int, request_id: int | None, memo: dict, at: datetime) -> dict:
    """The snapshot of a model memo (request_id None) or of an adoption request memo.

    `memo` carries the memo's own facts shown on the cover: kind, version, generated_by, template_version.
    Fixed query count: model, claims, further sources, guidance statuses, guidance, guidance
    jurisdictions, guidance sources, subsidiaries, sanctions notes, list exposure, risk items,
    requests, sign-offs, alerts (+ their organisations).
    """
    model = model_detail_queryset().prefetch_related("guidance_statuses__guidance__source").get(pk=model_id)
    sources = _SourceIndex()

    # Sources are numbered in the order they are cited: claims, then the supply chain, then guidance.
    claims = _claims(model=model, sources=sources)
    chain = _supply_chain(model=model, sources=sources)
    regulatory = _regulatory(model=model, sources=sources)

    risk_items = _risk_items(model_id=model.pk, request_id=request_id)
    risk = _risk(risk_items)
    _name_regulations(risk["items"], risk_items=risk_items, regulatory=regulatory)
    requests = _requests(model_id=model.pk, request_id=request_id)
    requests_risk = _requests_risk([r["id"] for r in requests])
    for r in requests:
        r["risk"] = requests_risk[r["id"]]
    # A model memo's register is the model-level one; a reader must still see what the requests carry.
    risk["requests_highest"] = _highest_request_risk(requests) if request_id is None else None
    kind = "request" if request_id is not None else "model"
    facts = _model_facts(model)
    obligations = _obligations(model=model, request=requests[0] if kind == "request" else None, at=at, sources=sources)
    return {
        "schema": SNAPSHOT_SCHEMA,
        "kind": kind,
        "generated_at": _iso(at),
        "memo": memo,
        "model": facts,
        "request": requests[0] if kind == "request" else None,
        "requests": requests,
        "approval": _approval(kind=kind, requests=requests, request_id=request_id),
        "claims": claims,
        "supply_chain": chain,
        "regulatory": regulatory,
        "obligations": obligations,
        "risk": risk,
        "alerts": model_recent_alerts(model_id=model.pk, limit=RECENT_ALERTS),
        "open_questions": _open_questions(model=facts, claims=claims, chain=chain, regulatory=regulatory),
        "captures": sources.add_captures(claims=claims),
        "sources": sources.sources,
    }


def _claims(*, model, sources: _SourceIndex) -> list[dict]:
    """The model's provenance claims, in the memo's order, each citing its sources."""
    claims = []
    ordered_claims = sorted(
        model.claims.all(),
        key=lambda c: (CLAIM_ORDER.index(c.subject) if c.subject in CLAIM_ORDER else len(CLAIM_ORDER), c.pk),
    )
    for claim in ordered_claims:
        citations = [sources.cite(claim.source)]
        for other in sorted(claim.other_sources.all(), key=lambda s: s.pk):
            if other.pk != claim.source_id:
                citations.append(sources.cite(other))
        accelerator = claim.accelerator
        claims.append(
            {
                "id": claim.pk,
                "subject": claim.subject,
                "subject_label": str(claim.get_subject_display()),
                "statement": claim.statement,
                "value": claim.value,
                "accelerator": (
                    {
                        "product": accelerator.product,
                        "vendor": accelerator.vendor.display_name,
                        "vendor_id": accelerator.vendor_id,
                    }
                    if accelerator
                    else None
                ),
                "organisation": claim.organisation.display_name if claim.organisation_id else None,
                "country": claim.country,
                "confidence": claim.confidence,
                "confidence_label": str(claim.get_confidence_display()),
                "as_of": _iso(claim.as_of),
                "notes": claim.notes,
                "citations": citations,
            }
        )
    return claims


def _supply_chain(*, model, sources: _SourceIndex) -> list[dict]:
    """Each organisation in the model's chain with its list entries and sanctions notes."""
    links = supply_chain(model=model)
    org_ids = [link.organisation.pk for link in links]
    notes_by_org: dict[int, list[SanctionsNote]] = {pk: [] for pk in org_ids}
    for note in SanctionsNote.objects.filter(organisation_id__in=org_ids).select_related("source"):
        notes_by_org[note.organisation_id].append(note)
    exposure = list_hits_by_organisation(organisation_ids=org_ids)
    chain = []
    for link in links:
        org_id = link.organisation.pk
        entries = sorted(
            exposure.get(org_id, []), key=lambda e: (e["status"], e["listed_on"] or "", e["list_code"], e["entry_id"])
        )
        notes = [
            {
                "authority": note.authority,
                "list_name": note.list_name,
                "citation": note.citation,
                "listed_on": _iso(note.listed_on),
                "notes": note.notes,
                "source": sources.cite(note.source),
            }
            for note in sorted(notes_by_org[org_id], key=lambda n: (n.listed_on or date.min, n.pk))
        ]
        chain.append(
            {
                "organisation": _organisation(link.organisation),
                "role": str(link.role),
                "role_label": str(link.role.label) if hasattr(link.role, "label") else str(link.role),
                "via": link.via,
                "list_entries": entries,
                "sanctions_notes": notes,
                "listed": bool(notes) or any(e["status"] in RESTRICTIVE_LIST_STATUSES for e in entries),
            }
        )
    return chain


def _regulatory(*, model, sources: _SourceIndex) -> list[dict]:
    """The guidance status per jurisdiction, with the guidance behind each."""
    regulatory = []
    for status in sorted(model.guidance_statuses.all(), key=lambda s: s.jurisdiction.code):
        guidance = []
        for item in sorted(status.guidance.all(), key=lambda g: (g.issued_on or date.min, g.pk)):
            guidance.append(
                {
                    "id": item.pk,
                    "jurisdiction": item.jurisdiction.code,
                    "issuer": item.issuer,
                    "title": item.title,
                    "reference": item.reference,
                    "kind": item.kind,
                    "kind_label": str(item.get_kind_display()),
                    "status": item.status,
                    "status_label": str(item.get_status_display()),
                    "issued_on": _iso(item.issued_on),
                    "effective_from": _iso(item.effective_from),
                    "effective_to": _iso(item.effective_to),
                    "summary": item.summary,
                    "source": sources.cite(item.source),
                }
            )
        regulatory.append(
            {
                "jurisdiction": {"code": status.jurisdiction.code, "name": status.jurisdiction.name},
                "status": status.status,
                "status_label": str(status.get_status_display()),
                "rationale": status.rationale,
                "conditions": status.conditions,
                "reviewed_on": _iso(status.reviewed_on),
                "guidance": guidance,
            }
        )
    return regulatory


def portfolio_snapshot_build(*, memo: dict, at: datetime) -> dict:
    """Every model with its overall residual level and the state of its adoption requests (four queries).
    The level is the model-level register's; a model with none takes the highest of its current requests."""
    models = list(AIModel.objects.select_related("developer").order_by("name"))
    items_by_model: dict[int, list[RiskItem]] = {m.pk: [] for m in models}
    for item in (
        RiskItem.objects.filter(request__isnull=True, status=RiskItem.Status.ACCEPTED)
        .select_related("matrix")
        .order_by("pk")
    ):
        items_by_model.setdefault(item.model_id, []).append(item)
    requests_by_model: dict[int, list[AdoptionRequest]] = {m.pk: [] for m in models}
    for req in AdoptionRequest.objects.order_by("pk"):
        requests_by_model.setdefault(req.model_id, []).append(req)
    requests_risk = _requests_risk(
        [req.pk for reqs in requests_by_model.values() for req in reqs if req.state in CURRENT_REQUEST_STATES]
    )

    rows = []
    for model in models:
        levels = [
            level
            for item in items_by_model[model.pk]
            if (
                level := risk_level(
                    matrix=item.matrix,
                    likelihood=item.residual_likelihood or item.inherent_likelihood,
                    impact=item.residual_impact or item.inherent_impact,
                )
            )
        ]
        top = max(levels, key=lambda level: level["score"], default=None)
        reqs = requests_by_model[model.pk]
        current = [r for r in reqs if r.state in CURRENT_REQUEST_STATES]
        in_requests = sum(requests_risk[r.pk]["accepted_count"] for r in current)
        if top is None:
            rated = [(overall, r.pk) for r in current if (overall := requests_risk[r.pk]["overall"])]
            if rated:
                overall, request_pk = max(rated, key=lambda pair: (pair[0]["score"], -pair[1]))
                top = {"name": overall["name"], "colour": overall["colour"], "score": overall["score"]}
                top["from_request"] = request_pk
        rows.append(
            {
                "id": model.pk,
                "name": model.name,
                "slug": model.slug,
                "developer": _organisation(model.developer),
                "licence": model.licence,
                "weights_label": str(model.get_weights_display()),
                "risk_items": len(items_by_model[model.pk]),
                "request_risk_items": in_requests,
                "overall": top,
                "requests": [
                    {"id": r.pk, "state": r.state, "state_label": str(r.get_state_display()), "current": r in current}
                    for r in reqs
                ],
                "status": (
                    "No adoption request"
                    if not reqs
                    else "; ".join(f"#{r.pk} {r.get_state_display()}" for r in (current or reqs))
                ),
            }
        )
    return {
        "schema": SNAPSHOT_SCHEMA,
        "kind": "portfolio",
        "generated_at": _iso(at),
        "memo": memo,
        "models": rows,
        "approval": {"approved": False, "watermark": "", "reason": "A portfolio report is a listing, not a decision."},
    }


def memo_meta(*, kind: str, version: int, generated_by, template_version: str, subject: str) -> dict[str, Any]:
    return {
        "kind": kind,
        "version": version,
        "generated_by": _user(generated_by),
        "template_version": template_version,
        "subject": subject,
    }
