"""List-file sources go through the sanctions importer; skipped until the screening branch is merged."""

from __future__ import annotations

from pathlib import Path

import pytest

from riskreg.watch.models import Alert, ChangeEvent
from riskreg.watch.services import watch_source_check

SDN = Path(__file__).resolve().parents[3] / "shared" / "data" / "ofac"
if not SDN.exists():
    SDN = Path("/work/shared/data/ofac")
needs_data = pytest.mark.skipif(not (SDN / "sdn-2024-03-14.csv").exists(), reason="shared OFAC files not present")


@pytest.fixture
def ofac_list(list_importer):
    """The list row, in case the importer expects it to exist (it is harmless if it creates its own)."""
    from riskreg.screening.models import ListCode, SanctionsList

    SanctionsList.objects.get_or_create(
        code=ListCode.OFAC_SDN,
        defaults={"name": ListCode.OFAC_SDN.label, "authority": "US Treasury, OFAC", "format": "ofac-sdn-csv"},
    )
    return list_importer


@needs_data
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


@needs_data
def test_a_list_file_the_importer_refuses_is_an_error_and_keeps_the_last_version(ofac_list, make_source, httpserver):
    httpserver.expect_request("/sdn.csv").respond_with_data((SDN / "sdn-2024-03-14.csv").read_bytes())
    source = make_source(httpserver.url_for("/sdn.csv"), kind="ofac-sdn-csv")
    watch_source_check(source_id=source.pk)
    httpserver.clear()
    httpserver.expect_request("/sdn.csv").respond_with_data(b"\x00\x01 not a list \xff")

    result = watch_source_check(source_id=source.pk, force=True)

    assert result.status == "error" and "refused by the importer" in result.error
    assert not ChangeEvent.objects.exists() and not Alert.objects.exists()


def test_while_the_importer_is_missing_a_list_source_fails_with_a_clear_message(make_source, httpserver):
    from riskreg.screening.services import sanctions_list_import

    try:
        sanctions_list_import(list_code="ofac-sdn", data=b"", source_name="probe", fmt="ofac-sdn-csv")
    except NotImplementedError:
        pass
    except Exception:  # noqa: BLE001
        pytest.skip("the importer is available: covered by the tests above")
    httpserver.expect_request("/sdn.csv").respond_with_data(b'1,"X",-0-\r\n')
    source = make_source(httpserver.url_for("/sdn.csv"), kind="ofac-sdn-csv")

    result = watch_source_check(source_id=source.pk)

    assert result.status == "error" and "importer is not available" in result.error
    assert not source.snapshots.exists()
