"""End to end: an import dispatches screening after commit; a real worker screens; the hit appears."""

from __future__ import annotations

import pytest

from models_catalog.models import Organisation
from riskreg.screening.models import ScreeningHit
from riskreg.screening.services import sanctions_list_import
from tests.conftest import wait_for


@pytest.mark.services
def test_a_real_worker_screens_every_organisation_after_an_import(celery_worker_process, transactional_db, small_sdn):
    Organisation.objects.create(name="Raybeam Optronics Company Limited", country="CN")

    sanctions_list_import(list_code="ofac-sdn", data=small_sdn, source_name="sdn.csv")

    hit = wait_for(lambda: ScreeningHit.objects.filter(entry__external_id="22685").first(), timeout=60)
    assert hit.status == "potential"
    assert hit.organisation.name == "Raybeam Optronics Company Limited"
