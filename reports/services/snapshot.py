"""The memo snapshot: one JSON document of everything a memo shows, read from the register at one moment.

Rendering takes only this document, never the live database, so a memo can be re-rendered and verified years
later. A model or request memo's snapshot is the dossier (riskreg.dossier: the one builder the dossier page, the
register as of a day and the API read too) with what only a memo shows: its own facts (version, who generated
it, the template), the recent watch alerts and the open questions for counsel. The builders issue the same number
of SQL queries whatever the number of claims, sources, organisations or risk items.

Decisions (documented in docs/reports.md): the overall residual level and the scope of risk items are the
dossier's (riskreg/dossier/risk.py). Watermark: a request memo is DRAFT unless the request is approved; a model
memo is DRAFT unless the model has at least one current adoption request (draft, in review, approved or reopened)
and every current request is approved.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from models_catalog.models import AIModel
from riskreg.dossier import dossier_build
from riskreg.dossier.risk import request_risk
from riskreg.dossier.rows import CURRENT_REQUEST_STATES, iso, organisation_row, user_row
from riskreg.register.models import AdoptionRequest, RiskItem
from riskreg.register.selectors import risk_level
from riskreg.watch.selectors import model_recent_alerts

SNAPSHOT_SCHEMA = 1
RECENT_ALERTS = 10


# --- canonical form -----------------------------------------------------------------------------


def snapshot_canonical(snapshot: dict) -> bytes:
    """Sorted keys, no whitespace, UTF-8: the same document always gives the same bytes."""
    return json.dumps(snapshot, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode(
        "utf-8"
    )


def snapshot_sha256(snapshot: dict) -> str:
    return hashlib.sha256(snapshot_canonical(snapshot)).hexdigest()


def snapshot_storable(value):
    """The snapshot as the database gives it back: a whole float that JSON writes with an exponent (4e+21, a
    fine-tuning's FLOP) becomes the int PostgreSQL's jsonb returns for it, so the stored snapshot hashes and renders
    as the one the memo was made from. Applied once, when a memo's snapshot is made."""
    if isinstance(value, float) and value.is_integer() and abs(value) >= 1e16:
        return int(value)
    if isinstance(value, dict):
        return {key: snapshot_storable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [snapshot_storable(item) for item in value]
    return value


# --- open questions for counsel -----------------------------------------------------------------


def open_questions(*, model: dict, claims: list[dict], chain: list[dict], regulatory: list[dict]) -> list[dict]:
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


def model_snapshot_build(*, model_id: int, request_id: int | None, memo: dict, at: datetime) -> dict:
    """The snapshot of a model memo (request_id None) or of an adoption request memo, at the moment ``at``.

    ``memo`` carries the memo's own facts shown on the cover: kind, version, generated_by, template_version."""
    dossier = dossier_build(model_id=model_id, request_id=request_id, now=at)
    use = {key: dossier[key] for key in ("role", "use_obligations", "conditions") if key in dossier}
    return {
        **use,
        "schema": SNAPSHOT_SCHEMA,
        "kind": dossier["kind"],
        "generated_at": iso(at),
        "memo": memo,
        "model": dossier["model"],
        "request": dossier["request"],
        "requests": dossier["requests"],
        "approval": dossier["approval"],
        "claims": dossier["claims"],
        "supply_chain": dossier["supply_chain"],
        "regulatory": dossier["regulatory"],
        "obligations": dossier["obligations"],
        "risk": dossier["risk"],
        "alerts": model_recent_alerts(model_id=model_id, limit=RECENT_ALERTS),
        "open_questions": open_questions(
            model=dossier["model"],
            claims=dossier["claims"],
            chain=dossier["supply_chain"],
            regulatory=dossier["regulatory"],
        ),
        "captures": dossier["captures"],
        "sources": dossier["sources"],
    }


def requests_risk(request_ids: list[int]) -> dict[int, dict]:
    """Each request's own accepted risk items summed up: the overall level and how many (one query)."""
    by_request: dict[int, list[RiskItem]] = {pk: [] for pk in request_ids}
    accepted = RiskItem.objects.filter(request_id__in=request_ids, status=RiskItem.Status.ACCEPTED)
    for item in accepted.select_related("matrix", "owner"):
        by_request[item.request_id].append(item)
    return {pk: request_risk(items) for pk, items in by_request.items()}


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
    risk_by_request = requests_risk(
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
        in_requests = sum(risk_by_request[r.pk]["accepted_count"] for r in current)
        if top is None:
            rated = [(overall, r.pk) for r in current if (overall := risk_by_request[r.pk]["overall"])]
            if rated:
                overall, request_pk = max(rated, key=lambda pair: (pair[0]["score"], -pair[1]))
                top = {"name": overall["name"], "colour": overall["colour"], "score": overall["score"]}
                top["from_request"] = request_pk
        rows.append(
            {
                "id": model.pk,
                "name": model.name,
                "slug": model.slug,
                "developer": organisation_row(model.developer),
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
        "generated_at": iso(at),
        "memo": memo,
        "models": rows,
        "approval": {"approved": False, "watermark": "", "reason": "A portfolio report is a listing, not a decision."},
    }


def memo_meta(*, kind: str, version: int, generated_by, template_version: str, subject: str) -> dict[str, Any]:
    return {
        "kind": kind,
        "version": version,
        "generated_by": user_row(generated_by),
        "template_version": template_version,
        "subject": subject,
    }
