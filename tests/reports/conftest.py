from __future__ import annotations

import pytest

from tests.reports.factories import World, glm5_world


@pytest.fixture
def world(requester, legal, security, procurement) -> World:
    """The GLM-5 register (the cast is created first, so the world reuses those users)."""
    return glm5_world()
