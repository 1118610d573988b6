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


def uploaded(client, response) -> dict:
    """An upload's document import job once a worker has run it (here: its task, called as a worker would), as its
    URL shows it then. The upload must have been accepted (202)."""
    from models_catalog.models import InterchangeImportJob
    from models_catalog.tasks import interchange_import_job_run

    assert response.status_code == 202, response.content
    assert response["Location"] == response.json()["url"]
    for job_id in InterchangeImportJob.objects.filter(status="pending").order_by("pk").values_list("pk", flat=True):
        interchange_import_job_run.apply(args=(job_id,))
    return client.get(response.json()["url"]).json()
