"""Risk matrices as data: the default 5 x 5 and the checks every matrix must pass.

A matrix is likelihood levels x impact levels (lowest first) and score bands over
score = likelihood x impact. Bands must cover every possible score exactly once, so each
cell of the matrix has exactly one named level.
"""

from __future__ import annotations

import re

HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
UNBANDED_COLOUR = "#777777"

DEFAULT_MATRIX_NAME = "Default 5 x 5"

DEFAULT_MATRIX = {
    "name": DEFAULT_MATRIX_NAME,
    "version": 1,
    "likelihood_labels": ["Rare", "Unlikely", "Possible", "Likely", "Almost certain"],
    "impact_labels": ["Negligible", "Minor", "Moderate", "Major", "Severe"],
    "bands": [
        {"name": "Low", "min": 1, "max": 4, "colour": "#2e7d32"},
        {"name": "Medium", "min": 5, "max": 9, "colour": "#f9a825"},
        {"name": "High", "min": 10, "max": 16, "colour": "#ef6c00"},
        {"name": "Critical", "min": 17, "max": 25, "colour": "#c62828"},
    ],
    "is_default": True,
    "description": (
        "Likelihood x impact, each from 1 to 5; the score is their product. Low 1-4, Medium 5-9, "
        "High 10-16, Critical 17-25."
    ),
}


def matrix_problems(*, likelihood_labels, impact_labels, bands) -> dict[str, list[str]]:
    """What is wrong with a matrix definition, by field; empty when it is usable."""
    problems: dict[str, list[str]] = {}
    for field, labels in (("likelihood_labels", likelihood_labels), ("impact_labels", impact_labels)):
        if not isinstance(labels, list) or not labels:
            problems[field] = ["Give the levels as a list of names, lowest first."]
        elif not all(isinstance(label, str) and label.strip() for label in labels):
            problems[field] = ["Every level needs a name."]
        elif len(labels) > 10:
            problems[field] = ["At most 10 levels."]
    if problems:
        return problems
    top = len(likelihood_labels) * len(impact_labels)
    if not isinstance(bands, list) or not bands:
        return {"bands": ['Give the bands as a list of {"name", "min", "max", "colour"}.']}
    covered: dict[int, str] = {}
    errors: list[str] = []
    for index, band in enumerate(bands, start=1):
        if not isinstance(band, dict) or not isinstance(band.get("name"), str) or not band.get("name", "").strip():
            errors.append(f"Band {index} needs a name.")
            continue
        colour = band.get("colour", UNBANDED_COLOUR)
        if not isinstance(colour, str) or not HEX_COLOUR.match(colour):
            errors.append(f"Band {band['name']}: the colour must be a hex colour such as #c62828, not {colour!r}.")
            continue
        low, high = band.get("min"), band.get("max")
        if not isinstance(low, int) or not isinstance(high, int) or isinstance(low, bool) or low > high:
            errors.append(f"Band {band['name']}: min and max must be whole numbers with min <= max.")
            continue
        for score in range(low, high + 1):
            if score in covered:
                errors.append(f"Bands {covered[score]} and {band['name']} both cover the score {score}.")
                break
            covered[score] = band["name"]
    if not errors:
        possible = {
            lik * imp for lik in range(1, len(likelihood_labels) + 1) for imp in range(1, len(impact_labels) + 1)
        }
        missing = sorted(possible - set(covered))
        if missing:
            errors.append(f"No band covers the score(s) {', '.join(map(str, missing))} (scores run from 1 to {top}).")
    return {"bands": errors} if errors else {}


def band_rank(bands: list[dict], score: int) -> int:
    """How many bands lie above the one holding `score` (0 for the highest band)."""
    ordered = sorted(bands, key=lambda band: band["min"], reverse=True)
    return next((rank for rank, band in enumerate(ordered) if band["min"] <= score <= band["max"]), len(ordered))


def residual_assessment_missing(item) -> bool:
    """An accepted item whose inherent score falls in its matrix's two highest bands (High and Critical
    on the default matrix) needs a residual likelihood, a residual impact and a treatment before the
    request it belongs to can be approved."""
    if item.status != "accepted":
        return False
    if band_rank(item.matrix.bands, item.inherent_likelihood * item.inherent_impact) > 1:
        return False
    return item.residual_likelihood is None or item.residual_impact is None or not item.treatment
