from __future__ import annotations

import io

import pytest

from models_catalog import demo
from models_catalog.models import AIModel


@pytest.fixture
def catalog(db):
    """The demo catalog (models, organisations, claims, sources, guidance)."""
    demo.load(stdout=io.StringIO())
    return AIModel.objects.get(slug="glm-5")
