"""Importing list files: versions, the diff by external id, and files that are refused whole."""

from __future__ import annotations

import pytest

from riskreg.screening.models import ListEntry, ListVersion, SanctionsList
from riskreg.screening.services import ListImportError, sanctions_list_import
from tests.screening.conftest import CSL_SAMPLE, SDN_NEW, SDN_OLD, SMALL_SDN_ROWS, UN_XML, sdn_bytes


def _state(code: str):
    """Everything an import could touch, to prove a refused file touched nothing."""
    sanctions_list = SanctionsList.objects.get(code=code)
    return (
        sanctions_list.current_version_id,
        ListVersion.objects.count(),
        sorted(ListEntry.objects.values_list("external_id", "content_hash", "active", "last_version_id")),
    )


def test_the_first_import_creates_a_version_in_force_with_every_entry(db, small_sdn):
    result = sanctions_list_import(list_code="ofac-sdn", data=small_sdn, source_name="sdn.csv")

    assert not result.unchanged
    assert result.added == ["22685", "22687", "2686", "306"]
    sanctions_list = SanctionsList.objects.get(code="ofac-sdn")
    assert sanctions_list.current_version == result.version
    assert result.version.entry_count == 4
    assert ListEntry.objects.get(external_id="22685").identifiers[1]["value"] == "9113100033607322XK"


def test_reimporting_an_unchanged_file_writes_nothing(db, small_sdn, django_assert_max_num_queries):
    first = sanctions_list_import(list_code="ofac-sdn", data=small_sdn, source_name="sdn.csv")

    with django_assert_max_num_queries(2):  # read the list and its version; no writes
        again = sanctions_list_import(list_code="ofac-sdn", data=small_sdn, source_name="sdn.csv")

    assert again.unchanged
    assert again.version == first.version
    assert ListVersion.objects.count() == 1


def test_real_ofac_successor_file_gives_516_added_15_removed_11_changed(db):
    sanctions_list_import(list_code="ofac-sdn", data=SDN_OLD.read_bytes(), source_name=SDN_OLD.name)

    result = sanctions_list_import(list_code="ofac-sdn", data=SDN_NEW.read_bytes(), source_name=SDN_NEW.name)

    assert (len(result.added), len(result.removed), len(result.changed)) == (516, 15, 11)
    version = result.version
    assert (version.added_count, version.removed_count, version.changed_count) == (516, 15, 11)
    assert version.diff["changed"] == result.changed
    assert "39693" in result.changed  # the vessel renamed YOUNG YONG -> SAINT LIGHT
    assert ListEntry.objects.get(external_id="39693").primary_name == "SAINT LIGHT"
    assert ListEntry.objects.filter(active=True).count() == 14965
    assert ListEntry.objects.filter(active=False).count() == 15


def test_an_entry_that_leaves_the_list_is_kept_inactive_and_comes_back_when_relisted(db):
    full = sdn_bytes(SMALL_SDN_ROWS)
    sanctions_list_import(list_code="ofac-sdn", data=full, source_name="1")

    shorter = sanctions_list_import(
        list_code="ofac-sdn", data=sdn_bytes(SMALL_SDN_ROWS[:3]), source_name="2", allow_shrink=True
    )
    back = sanctions_list_import(list_code="ofac-sdn", data=full, source_name="3", allow_older=True)

    assert shorter.removed == ["2686"]
    assert back.added == ["2686"]
    assert ListEntry.objects.get(external_id="2686").active


def test_going_back_to_an_earlier_file_makes_it_the_version_in_force_again(db, small_sdn):
    sanctions_list_import(list_code="ofac-sdn", data=small_sdn, source_name="1")
    changed_rows = [SMALL_SDN_ROWS[0].replace("BNC", "BNC-X"), *SMALL_SDN_ROWS[1:]]
    sanctions_list_import(list_code="ofac-sdn", data=sdn_bytes(changed_rows), source_name="2")

    result = sanctions_list_import(list_code="ofac-sdn", data=small_sdn, source_name="3", allow_older=True)

    assert result.changed == ["306"]
    assert ListVersion.objects.count() == 3


def test_the_file_of_an_earlier_version_is_refused_as_a_rollback_unless_allowed(db, small_sdn):
    sanctions_list_import(list_code="ofac-sdn", data=small_sdn, source_name="1")
    changed_rows = [SMALL_SDN_ROWS[0].replace("BNC", "BNC-X"), *SMALL_SDN_ROWS[1:]]
    sanctions_list_import(list_code="ofac-sdn", data=sdn_bytes(changed_rows), source_name="2")
    before = _state("ofac-sdn")

    with pytest.raises(ListImportError, match="earlier version .* roll the list back"):
        sanctions_list_import(list_code="ofac-sdn", data=small_sdn, source_name="3")

    assert _state("ofac-sdn") == before


def test_an_older_real_sdn_file_is_refused_by_its_entry_numbers(db):
    """Found in review: importing sdn-2024-03-14.csv over sdn-2024-05-03.csv silently removed 516 entries."""
    sanctions_list_import(list_code="ofac-sdn", data=SDN_NEW.read_bytes(), source_name=SDN_NEW.name)
    before = _state("ofac-sdn")

    with pytest.raises(ListImportError, match="newest entry is number .* older list"):
        sanctions_list_import(list_code="ofac-sdn", data=SDN_OLD.read_bytes(), source_name=SDN_OLD.name)

    assert _state("ofac-sdn") == before
    rolled_back = sanctions_list_import(
        list_code="ofac-sdn", data=SDN_OLD.read_bytes(), source_name=SDN_OLD.name, allow_older=True
    )
    assert (len(rolled_back.added), len(rolled_back.removed)) == (15, 516)


def test_import_dispatches_screening_of_every_organisation_after_commit(
    db, small_sdn, django_capture_on_commit_callbacks
):
    from unittest import mock

    with mock.patch("riskreg.screening.tasks.screening_run_all.delay") as delay:
        with django_capture_on_commit_callbacks(execute=True):
            result = sanctions_list_import(list_code="ofac-sdn", data=small_sdn, source_name="sdn.csv")

    delay.assert_called_once_with(list_version_id=result.version.pk)


def test_a_file_with_less_than_half_the_entries_in_force_is_refused_as_truncated(db, small_sdn):
    sanctions_list_import(list_code="ofac-sdn", data=small_sdn, source_name="1")
    before = _state("ofac-sdn")

    with pytest.raises(ListImportError, match="looks truncated"):
        sanctions_list_import(list_code="ofac-sdn", data=sdn_bytes(SMALL_SDN_ROWS[:1]), source_name="2")

    assert _state("ofac-sdn") == before


# --- bad input: refused with a message naming the line or element; the version in force untouched ---------


@pytest.fixture
def in_force(db, small_sdn):
    sanctions_list_import(list_code="ofac-sdn", data=small_sdn, source_name="good")
    return _state("ofac-sdn")


def test_a_truncated_sdn_file_is_refused_naming_the_line(in_force):
    data = sdn_bytes(SMALL_SDN_ROWS)[:-60]  # cut inside the last row's quoted remarks

    with pytest.raises(ListImportError) as refused:
        sanctions_list_import(list_code="ofac-sdn", data=data, source_name="cut")

    assert refused.value.location == "line 4"
    assert "truncated" in refused.value.message
    assert _state("ofac-sdn") == in_force


def test_a_file_in_the_wrong_format_is_refused(in_force):
    with pytest.raises(ListImportError) as refused:
        sanctions_list_import(list_code="ofac-sdn", data=b"<html><body>Not found</body></html>", source_name="x")

    assert refused.value.location == "line 1"
    assert _state("ofac-sdn") == in_force


def test_a_file_of_another_list_is_refused_naming_what_it_is(in_force):
    with pytest.raises(ListImportError) as refused:
        sanctions_list_import(list_code="ofac-sdn", data=UN_XML.read_bytes(), source_name="consolidated.xml")

    assert "UN Security Council" in str(refused.value)
    assert _state("ofac-sdn") == in_force


def test_a_consolidated_screening_list_given_as_sdn_is_refused(in_force):
    with pytest.raises(ListImportError, match="Consolidated Screening List"):
        sanctions_list_import(list_code="ofac-sdn", data=CSL_SAMPLE.read_bytes(), source_name="csl.csv")

    assert _state("ofac-sdn") == in_force


def test_a_format_not_published_for_the_list_is_refused(in_force):
    with pytest.raises(ListImportError, match="published as ofac-sdn-csv"):
        sanctions_list_import(list_code="ofac-sdn", data=b"x", source_name="x", fmt="un-sc-xml")


def test_broken_encoding_is_refused_naming_the_line(in_force):
    rows = [*SMALL_SDN_ROWS[:2], SMALL_SDN_ROWS[2].replace("SUNWAY", "SUN\udcffWAY"), SMALL_SDN_ROWS[3]]
    data = ("\r\n".join(rows) + "\r\n").encode("utf-8", "surrogateescape")

    with pytest.raises(ListImportError) as refused:
        sanctions_list_import(list_code="ofac-sdn", data=data, source_name="latin")

    assert refused.value.location == "line 3"
    assert "0xff" in refused.value.message
    assert _state("ofac-sdn") == in_force


XML_BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL><DATAID>1</DATAID><FIRST_NAME>&lol3;</FIRST_NAME>
</INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>"""


def test_an_xml_bomb_is_refused_naming_the_declaration(db):
    sanctions_list_import(list_code="un-sc", data=UN_XML.read_bytes(), source_name="consolidated.xml")
    before = _state("un-sc")

    with pytest.raises(ListImportError) as refused:
        sanctions_list_import(list_code="un-sc", data=XML_BOMB, source_name="bomb.xml")

    assert refused.value.location == "line 2, element <!DOCTYPE>"
    assert "XML bomb" in refused.value.message
    assert _state("un-sc") == before


def test_a_truncated_xml_file_is_refused_naming_line_and_column(db):
    data = UN_XML.read_bytes()
    sanctions_list_import(list_code="un-sc", data=data, source_name="consolidated.xml")
    before = _state("un-sc")

    with pytest.raises(ListImportError) as refused:
        sanctions_list_import(list_code="un-sc", data=data[: len(data) // 2], source_name="half.xml")

    assert refused.value.location.startswith("line ")
    assert "not well-formed" in refused.value.message
    assert _state("un-sc") == before


def test_a_truncated_csl_json_is_refused_naming_the_line(db):
    with pytest.raises(ListImportError) as refused:
        sanctions_list_import(list_code="us-csl", data=b'{"results": [\n{"id": "1", "name": "X"', source_name="j")

    assert refused.value.location.startswith("line 2")
    assert not ListVersion.objects.exists()


def test_an_unknown_list_code_is_refused(db, small_sdn):
    with pytest.raises(ListImportError, match="unknown list code"):
        sanctions_list_import(list_code="nowhere", data=small_sdn, source_name="x")
