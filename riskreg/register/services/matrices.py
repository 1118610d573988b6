"""Risk matrices: the default, new versions, and the bounds every likelihood and impact must respect."""

from __future__ import annotations

from django.db import transaction

from riskreg.core.errors import PERMISSION, BadInput, Refused
from riskreg.register.matrices import DEFAULT_MATRIX, matrix_problems
from riskreg.register.models import RiskMatrix
from riskreg.register.selectors import risk_matrix_in_use


def risk_matrix_default_get() -> RiskMatrix:
    """The default matrix for new assessments; created from DEFAULT_MATRIX on first use."""
    matrix = RiskMatrix.objects.filter(is_default=True).first()
    if matrix is not None:
        return matrix
    with transaction.atomic():
        matrix, _ = RiskMatrix.objects.get_or_create(
            name=DEFAULT_MATRIX["name"],
            version=DEFAULT_MATRIX["version"],
            defaults={k: v for k, v in DEFAULT_MATRIX.items() if k not in ("name", "version")},
        )
        if not matrix.is_default and not RiskMatrix.objects.filter(is_default=True).exists():
            RiskMatrix.objects.filter(pk=matrix.pk).update(is_default=True)
            matrix.is_default = True
    return matrix


def risk_matrix_create(
    *,
    actor,
    name: str,
    likelihood_labels: list[str],
    impact_labels: list[str],
    bands: list[dict],
    is_default: bool = False,
    description: str = "",
) -> RiskMatrix:
    """A new matrix, or the next version of one with this name. Matrices are never edited in place
    once an assessment uses them."""
    if not actor.has_perm("register.add_riskmatrix"):
        raise Refused("Only legal may define risk matrices.", code=PERMISSION)
    name = (name or "").strip()
    problems = matrix_problems(likelihood_labels=likelihood_labels, impact_labels=impact_labels, bands=bands)
    if not name:
        problems["name"] = ["Give the matrix a name."]
    if problems:
        raise BadInput(problems)
    with transaction.atomic():
        latest = RiskMatrix.objects.select_for_update().filter(name=name).order_by("-version").first()
        if is_default:
            _default_withdraw(actor=actor, keep=None)
        matrix = RiskMatrix(
            name=name,
            version=(latest.version + 1) if latest else 1,
            likelihood_labels=likelihood_labels,
            impact_labels=impact_labels,
            bands=bands,
            is_default=is_default,
            description=description,
        )
        matrix._history_user = actor
        matrix.save()
    return matrix


def risk_matrix_update(*, matrix: RiskMatrix, actor, changes: dict) -> RiskMatrix:
    """Edit a matrix nobody uses yet; one in use is frozen (make a new version instead)."""
    if not actor.has_perm("register.change_riskmatrix"):
        raise Refused("Only legal may change risk matrices.", code=PERMISSION)
    if risk_matrix_in_use(matrix=matrix) and set(changes) - {"is_default", "description"}:
        raise BadInput({"matrix": [f"{matrix} is used by assessments and is frozen; create a new version instead."]})
    for name, value in changes.items():
        setattr(matrix, name, value)
    problems = matrix_problems(
        likelihood_labels=matrix.likelihood_labels, impact_labels=matrix.impact_labels, bands=matrix.bands
    )
    if problems:
        raise BadInput(problems)
    with transaction.atomic():
        if changes.get("is_default"):
            _default_withdraw(actor=actor, keep=matrix.pk)
        matrix._history_user = actor
        matrix.save()
    return matrix


def _default_withdraw(*, actor, keep: int | None) -> None:
    """The current default stops being one, saved row by row so its history says who and when."""
    for old in RiskMatrix.objects.select_for_update().filter(is_default=True).exclude(pk=keep):
        old.is_default = False
        old._history_user = actor
        old._change_reason = "Another matrix became the default for new assessments"
        old.save(update_fields=["is_default"])


def risk_matrix_default_set(*, matrix_id: int, actor) -> RiskMatrix:
    """Make a matrix the default for new requests; requests and items keep the matrix they started with.
    Both changes (the old default and the new) are recorded in the matrices' history."""
    if not actor.has_perm("register.change_riskmatrix"):
        raise Refused("Only legal may choose the default risk matrix.", code=PERMISSION)
    with transaction.atomic():
        matrix = RiskMatrix.objects.select_for_update().get(pk=matrix_id)
        if matrix.is_default:
            return matrix
        _default_withdraw(actor=actor, keep=matrix.pk)
        matrix.is_default = True
        matrix._history_user = actor
        matrix._change_reason = "Made the default for new assessments"
        matrix.save(update_fields=["is_default"])
    return matrix


def levels_problems(*, matrix: RiskMatrix, values: dict) -> dict[str, list[str]]:
    """Likelihoods and impacts must lie within the matrix (a 7 on a 5 x 5 is refused, by field)."""
    problems: dict[str, list[str]] = {}
    limits = {
        "inherent_likelihood": (matrix.likelihood_levels, "likelihood"),
        "residual_likelihood": (matrix.likelihood_levels, "likelihood"),
        "inherent_impact": (matrix.impact_levels, "impact"),
        "residual_impact": (matrix.impact_levels, "impact"),
    }
    for name, (top, axis) in limits.items():
        if name not in values or values[name] is None:
            continue
        value = values[name]
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= top:
            problems[name] = [
                f"{value} is outside the matrix {matrix} ({matrix.likelihood_levels} x {matrix.impact_levels}): "
                f"{axis} runs from 1 to {top}."
            ]
    return problems


def _scaled(value: int, levels: int) -> int:
    """A suggestion on a 1-5 scale, placed on a matrix with `levels` levels."""
    return max(1, min(levels, round(value * levels / 5)))
