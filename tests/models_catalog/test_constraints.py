"""The database itself refuses invalid catalog rows, whatever path they come by."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from models_catalog.models import AIModel, Organisation, ProvenanceClaim


@pytest.fixture
def zhipu(db):
    return Organisation.objects.create(name="Beijing Zhipu Huazhang Technology Co., Ltd.", country="CN")


def _refused(**fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        AIModel.objects.create(**fields)


def test_database_refuses_a_model_without_a_developer(zhipu):
    _refused(name="X", family="X", licence="MIT", weights="open", developer=None)


def test_database_refuses_negative_parameters(zhipu):
    _refused(name="X", family="X", licence="MIT", weights="open", developer=zhipu, parameters_total=-5)


def test_database_refuses_an_unknown_licence(zhipu):
    _refused(name="X", family="X", licence="Made-Up-1.0", weights="open", developer=zhipu)


def test_database_accepts_spdx_ids_and_licence_refs(zhipu):
    AIModel.objects.create(name="A", family="A", licence="Apache-2.0", weights="open", developer=zhipu)
    AIModel.objects.create(
        name="B", family="B", licence="LicenseRef-Llama-4-Community", weights="open", developer=zhipu
    )

    assert AIModel.objects.count() == 2


def test_database_refuses_a_claim_without_a_source(zhipu):
    model = AIModel.objects.create(name="GLM-5", family="GLM", licence="MIT", weights="open", developer=zhipu)

    with pytest.raises(IntegrityError), transaction.atomic():
        ProvenanceClaim.objects.create(model=model, subject="other", value="x", statement="x", confidence="reported")


def test_database_refuses_a_lower_case_country(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        Organisation.objects.create(name="Acme", country="cn")


def test_slug_is_the_name_in_lower_case_with_dashes(zhipu):
    model = AIModel.objects.create(name="GLM-5.1", family="GLM", licence="MIT", weights="open", developer=zhipu)

    assert model.slug == "glm-5-1"
