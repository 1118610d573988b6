from __future__ import annotations

from io import StringIO

from riskreg.watch import demo
from riskreg.watch.models import WatchSource


def test_the_demo_configures_the_real_sources_disabled_and_twice_writes_nothing(db):
    demo.load(stdout=StringIO())
    out = StringIO()
    demo.load(stdout=out)

    sources = WatchSource.objects.all()
    assert sources.count() == 4
    assert not sources.filter(enabled=True).exists()
    assert {s.url for s in sources} >= {
        "https://www.treasury.gov/ofac/downloads/sdn.csv",
        "https://data.trade.gov/downloadable_consolidated_screening_list/v1/consolidated.json",
    }
    assert "present" in out.getvalue()
