from __future__ import annotations

import pytest
from django.core.management import call_command

from models_catalog.models import AIModel


@pytest.fixture
def demo(requester, legal, security, procurement, auditor) -> AIModel:
    """The demo register without its PDF (the cast first, so the demo reuses those users); returns GLM-5."""
    call_command("load_demo", "--without-memos", stdout=open("/dev/null", "w"))  # noqa: SIM115
    return AIModel.objects.get(slug="glm-5")
