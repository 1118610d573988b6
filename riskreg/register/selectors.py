"""Read-side rules of the register, shared with the memos."""

from __future__ import annotations

from riskreg.register.models import RiskMatrix


def risk_level(*, matrix: RiskMatrix, likelihood: int | None, impact: int | None) -> dict | None:
    """The band a likelihood x impact falls in: {"name", "colour", "score"}; None when not assessed."""
    if not likelihood or not impact:
        return None
    score = likelihood * impact
    for band in matrix.bands:
        if band["min"] <= score <= band["max"]:
            return {"name": band["name"], "colour": band.get("colour", "#777777"), "score": score}
    return {"name": "Unbanded", "colour": "#777777", "score": score}
