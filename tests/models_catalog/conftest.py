from __future__ import annotations

import io

import pytest

from models_catalog import demo
from models_catalog.models import AIModel
from tests.conftest import built_once_for_the_module


@pytest.fixture(scope="module")
def _demo_catalog(request, django_db_setup, django_db_blocker) -> None:
    yield from built_once_for_the_module(request, django_db_blocker, lambda: demo.load(stdout=io.StringIO()))


@pytest.fixture
def catalog(_demo_catalog, db):
    """The demo catalog (models, organisations, claims, sources, guidance), built once per test module."""
    return AIModel.objects.get(slug="glm-5")
