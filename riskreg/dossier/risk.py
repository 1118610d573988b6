"""Risk in the dossier: matrices, ratings and items as rows, the overall residual level and what drives it.

Decisions (documented in docs/reports.md):
- Overall residual level: the highest residual band among *accepted* risk items of the document's scope; an item
  without a residual assessment counts with its inherent rating (and says so).
- Scope: a model's own items (request empty); a request's document adds the items of that request. Retired items
  are left out; proposed ones are shown but never counted.
"""

from __future__ import annotations

from typing import TypedDict

from riskreg.dossier.rows import UserRow, iso, user_row
from riskreg.register.models import RiskItem, RiskMatrix
from riskreg.register.selectors import risk_level


class RatingRow(TypedDict, total=False):
    likelihood: int
    impact: int
    name: str
    colour: str
    score: int


class MatrixRow(TypedDict):
    id: int
    name: str
    version: int
    likelihood_labels: list[str]
    impact_labels: list[str]
    bands: list[dict]
    cells: list[dict]


class RiskRow(TypedDict, total=False):
    ref: str
    id: int
    request_id: int | None
    matrix_id: int
    category: str
    category_label: str
    title: str
    description: str
    existing_controls: str
    planned_controls: str
    inherent: RatingRow | None
    residual: RatingRow | None
    effective: RatingRow | None
    residual_assessed: bool
    treatment: str
    treatment_label: str
    owner: UserRow | None
    next_review_on: str | None
    origin: str
    rule: str
    status: str
    status_label: str
    regulations: list[str]  # the instruments behind it (name_regulations)


class OverallRow(TypedDict):
    name: str
    colour: str
    score: int
    from_inherent: bool


class RiskSummary(TypedDict, total=False):
    matrices: list[MatrixRow]
    items: list[RiskRow]
    overall: OverallRow | None
    drivers: list[str]
    accepted_count: int
    requests_highest: dict | None  # a model's document: the highest level among its current requests


def matrix_row(matrix: RiskMatrix) -> MatrixRow:
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


def rating(matrix: RiskMatrix, likelihood: int | None, impact: int | None) -> RatingRow | None:
    level = risk_level(matrix=matrix, likelihood=likelihood, impact=impact)
    if level is None:
        return None
    return {"likelihood": likelihood, "impact": impact, **level}


def _severity(item: RiskItem) -> tuple:
    """Accepted before proposed, then the highest residual (or inherent) score first."""
    residual = (item.residual_likelihood or 0) * (item.residual_impact or 0)
    inherent = item.inherent_likelihood * item.inherent_impact
    return (item.status != RiskItem.Status.ACCEPTED, -(residual or inherent), -inherent, item.pk)


def risk_summary(items: list[RiskItem]) -> RiskSummary:
    """Items numbered R1, R2 ... by severity, so the drivers are the first references. Each item's matrix and
    owner must be loaded with it."""
    matrices: dict[int, MatrixRow] = {}
    rows: list[RiskRow] = []
    for number, item in enumerate(sorted(items, key=_severity), start=1):
        matrices.setdefault(item.matrix_id, matrix_row(item.matrix))
        inherent = rating(item.matrix, item.inherent_likelihood, item.inherent_impact)
        residual = rating(item.matrix, item.residual_likelihood, item.residual_impact)
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
                "owner": user_row(item.owner),
                "next_review_on": iso(item.next_review_on),
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


def request_risk(accepted: list[RiskItem]) -> dict:
    """A request's own accepted items summed up, as its row carries it: {"overall", "accepted_count"}."""
    summary = risk_summary(accepted)
    return {"overall": summary["overall"], "accepted_count": summary["accepted_count"]}


def highest_request_risk(requests: list[dict]) -> dict | None:
    """The highest overall level among the current requests, with the request it comes from."""
    rated = [r for r in requests if r["current"] and r["risk"]["overall"]]
    if not rated:
        return None
    top = max(rated, key=lambda r: (r["risk"]["overall"]["score"], -r["id"]))
    return {**top["risk"]["overall"], "request_id": top["id"]}


def name_regulations(rows: list[RiskRow], *, risk_items: list[RiskItem], regulatory: list[dict]) -> None:
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
