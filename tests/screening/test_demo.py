"""The demo: Entity List entries from DOMAIN.md, screened and reviewed by legal, idempotently."""

from __future__ import annotations

from io import StringIO

import pytest

from models_catalog.models import Organisation
from riskreg.screening import demo
from riskreg.screening.models import ListEntry, ListVersion, ScreeningHit
from riskreg.screening.selectors import list_hits_by_organisation


@pytest.fixture
def catalog(db, legal):
    zhipu = Organisation.objects.create(
        name="Beijing Zhipu Huazhang Technology Co., Ltd.",
        short_name="Zhipu AI",
        native_name="北京智谱华章科技股份有限公司",
        country="CN",
    )
    for name in [
        "Beijing Zhipu Future Technology Co., Ltd.",
        "Beijing Zhipu Linghang Technology Co., Ltd.",
        "Beijing Zhipu Qingyan Technology Co., Ltd.",
        "Hangzhou Zhipu Huazhang Technology Co., Ltd.",
        "Beijing Lingxin Intelligent Technology Co., Ltd.",
        "Beijing Yuanyin Intelligent Technology Co., Ltd.",
    ]:
        Organisation.objects.create(name=name, country="CN", parent=zhipu)
    Organisation.objects.create(name="Huawei Technologies Co., Ltd.", short_name="Huawei", country="CN")
    Organisation.objects.create(name="Sophgo Technologies Ltd.", short_name="Sophgo", country="CN")
    Organisation.objects.create(name="NVIDIA Corporation", short_name="Nvidia", country="US")
    Organisation.objects.create(name="Meta Platforms, Inc.", short_name="Meta", country="US")
    return zhipu


def test_the_demo_confirms_zhipu_its_affiliates_huawei_and_sophgo_with_the_notice(catalog):
    demo.load(stdout=StringIO())

    entry = ListEntry.objects.get(primary_name="Beijing Zhipu Huazhang Technology Co., Ltd.")
    assert (entry.citation, entry.listed_on.isoformat()) == ("90 FR 4617", "2025-01-16")
    confirmed = ScreeningHit.objects.filter(status="confirmed")
    assert confirmed.count() == 9
    assert not ScreeningHit.objects.filter(status="potential").exists()
    assert not ScreeningHit.objects.filter(organisation__name__in=["NVIDIA Corporation", "Meta Platforms, Inc."])
    (zhipu,) = list_hits_by_organisation(organisation_ids=[catalog.pk])[catalog.pk]
    assert zhipu["status"] == "confirmed"
    assert zhipu["citation"] == "90 FR 4617"
    assert zhipu["reviewed_by"] == "legal"
    assert "90 FR 4617" in zhipu["reason"]
    sophgo = ScreeningHit.objects.get(organisation__name="Sophgo Technologies Ltd.", status="confirmed")
    assert sophgo.entry.citation == "90 FR 4621"


def test_loading_the_demo_twice_writes_nothing_the_second_time(catalog):
    demo.load(stdout=StringIO())
    counts = (ListVersion.objects.count(), ScreeningHit.history.count(), ListEntry.objects.count())

    out = StringIO()
    demo.load(stdout=out)

    assert (ListVersion.objects.count(), ScreeningHit.history.count(), ListEntry.objects.count()) == counts
    assert "present" in out.getvalue()


def test_the_demo_never_replaces_a_real_consolidated_screening_list(catalog):
    """Found in review: after importing the real CSL, `make run` died re-importing the 9-entry demo file."""
    from riskreg.screening.services import sanctions_list_import
    from tests.screening.conftest import CSL_SAMPLE

    demo.load(stdout=StringIO())
    real = sanctions_list_import(
        list_code="us-csl", data=CSL_SAMPLE.read_bytes(), source_name="consolidated.csv", fmt="us-csl-csv"
    )
    out = StringIO()

    demo.load(stdout=out)

    assert "demo file not imported" in out.getvalue()
    assert ListVersion.objects.filter(sanctions_list__code="us-csl").latest("imported_at") == real.version
