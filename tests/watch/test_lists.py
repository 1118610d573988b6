"""List-file sources go through the sanctions importer: a change is a new list version and its entry diff."""

from __future__ import annotations

from pathlib import Path

import pytest

from riskreg.watch.models import Alert, ChangeEvent
from riskreg.watch.services import watch_source_check

SDN = Path(__file__).resolve().parents[1] / "data" / "lists" / "ofac"


@pytest.fixture
def ofac_list(db):
    """The list row, in case the importer expects it to exist (it is harmless if it creates its own)."""
    from riskreg.screening.models import ListCode, SanctionsList

    SanctionsList.objects.get_or_create(
        code=ListCode.OFAC_SDN,
        defaults={"name": ListCode.OFAC_SDN.label, "authority": "US Treasury, OFAC", "format": "ofac-sdn-csv"},
    )


def test_serving_two_real_sdn_files_at_one_url_gives_the_entry_diff(ofac_list, make_source, httpserver):
    httpserver.expect_request("/sdn.csv").respond_with_data((SDN / "sdn-2024-03-14.csv").read_bytes())
    source = make_source(httpserver.url_for("/sdn.csv"), kind="ofac-sdn-csv")
    assert watch_source_check(source_id=source.pk).status == "baseline"
    httpserver.clear()
    httpserver.expect_request("/sdn.csv").respond_with_data((SDN / "sdn-2024-05-03.csv").read_bytes())

    result = watch_source_check(source_id=source.pk, force=True)

    assert result.status == "changed"
    assert (result.added, result.removed, result.changed) == (516, 15, 11)
    change = ChangeEvent.objects.get()
    assert change.diff["kind"] == "entries" and len(change.diff["added"]) == 516


def test_a_list_file_the_importer_refuses_is_an_error_and_keeps_the_last_version(ofac_list, make_source, httpserver):
    httpserver.expect_request("/sdn.csv").respond_with_data((SDN / "sdn-2024-03-14.csv").read_bytes())
    source = make_source(httpserver.url_for("/sdn.csv"), kind="ofac-sdn-csv")
    watch_source_check(source_id=source.pk)
    httpserver.clear()
    httpserver.expect_request("/sdn.csv").respond_with_data(b"\x00\x01 not a list \xff")

    result = watch_source_check(source_id=source.pk, force=True)

    assert result.status == "error" and "refused by the importer" in result.error
    assert not ChangeEvent.objects.exists() and not Alert.objects.exists()
