"""Risk matrices as data: the default 5 x 5, bands, versions, and an assessment keeping its matrix."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from riskreg.register import services
from riskreg.register.matrices import matrix_problems
from riskreg.register.models import RiskMatrix
from riskreg.register.selectors import risk_level

FIVE = ["1", "2", "3", "4", "5"]


def test_the_default_5_by_5_matrix_exists_after_migrate(db):
    matrix = RiskMatrix.objects.get(is_default=True)

    assert (matrix.name, matrix.version) == ("Default 5 x 5", 1)
    assert (matrix.likelihood_levels, matrix.impact_levels) == (5, 5)
    assert [band["name"] for band in matrix.bands] == ["Low", "Medium", "High", "Critical"]
    assert (
        matrix_problems(
            likelihood_labels=matrix.likelihood_labels, impact_labels=matrix.impact_labels, bands=matrix.bands
        )
        == {}
    )


@pytest.mark.parametrize(
    ("likelihood", "impact", "band"),
    [(1, 1, "Low"), (2, 2, "Low"), (1, 5, "Medium"), (3, 4, "High"), (5, 5, "Critical")],
)
def test_levels_fall_in_the_named_bands(db, likelihood, impact, band):
    matrix = RiskMatrix.objects.get(is_default=True)

    assert risk_level(matrix=matrix, likelihood=likelihood, impact=impact)["name"] == band


def test_an_unassessed_level_has_no_band(db):
    assert risk_level(matrix=RiskMatrix.objects.get(is_default=True), likelihood=None, impact=3) is None


def test_bands_must_cover_every_score_once():
    gap = matrix_problems(likelihood_labels=FIVE, impact_labels=FIVE, bands=[{"name": "Low", "min": 1, "max": 10}])
    overlap = matrix_problems(
        likelihood_labels=FIVE,
        impact_labels=FIVE,
        bands=[{"name": "Low", "min": 1, "max": 10}, {"name": "High", "min": 10, "max": 25}],
    )

    assert "No band covers the score(s) 12" in gap["bands"][0]
    assert "both cover the score 10" in overlap["bands"][0]


def test_a_new_default_version_leaves_existing_assessments_on_their_matrix(draft, legal):
    old = draft.matrix

    new = services.risk_matrix_create(
        actor=legal,
        name=old.name,
        likelihood_labels=["Low", "Medium", "High"],
        impact_labels=["Low", "Medium", "High"],
        bands=[
            {"name": "Low", "min": 1, "max": 2},
            {"name": "Medium", "min": 3, "max": 4},
            {"name": "High", "min": 6, "max": 9},
        ],
        is_default=True,
    )

    draft.refresh_from_db()
    assert new.version == 2 and new.is_default
    assert draft.matrix == old
    assert not RiskMatrix.objects.get(pk=old.pk).is_default


def test_a_matrix_in_use_is_frozen(draft, legal):
    with pytest.raises(ValidationError) as refused:
        services.risk_matrix_update(matrix=draft.matrix, actor=legal, changes={"bands": []})

    assert "frozen" in refused.value.message_dict["matrix"][0]


def test_a_3_by_3_matrix_refuses_a_likelihood_of_4(db):
    matrix = RiskMatrix(name="x", likelihood_labels=["a", "b", "c"], impact_labels=["a", "b", "c"], bands=[])

    problems = services.levels_problems(matrix=matrix, values={"inherent_likelihood": 4, "inherent_impact": 3})

    assert list(problems) == ["inherent_likelihood"]
