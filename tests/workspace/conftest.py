from __future__ import annotations

import pytest

from models_catalog.models import AIModel


@pytest.fixture
def demo(demo_register, db) -> AIModel:
    """The demo register without its PDF, built once per test module (tests/conftest.py); returns GLM-5."""
    return AIModel.objects.get(slug="glm-5")
