"""A process keeps one screening index per list (issue 26 item 7): the index of a list's version no longer in
force (up to 2 GB for a large list) is dropped when the new version's is built, not kept beside it."""

from __future__ import annotations

from pathlib import Path

from riskreg.screening import matching
from riskreg.screening.services import sanctions_list_import

DEMO_CSL = Path(__file__).resolve().parents[2] / "riskreg" / "screening" / "demo_data" / "entity-list-demo.csv"


def test_building_a_lists_new_index_drops_its_old_one(db, settings, tmp_path):
    settings.RISKREG_DATA_DIR = tmp_path
    header, *rows = DEMO_CSL.read_text().splitlines()
    matching.index_cache_clear()
    first = sanctions_list_import(
        list_code="us-csl", data=("\n".join([header, *rows[:3]]) + "\n").encode(), source_name="v1.csv"
    ).version
    matching.index_for_version(first.pk)
    second = sanctions_list_import(
        list_code="us-csl", data=("\n".join([header, *rows]) + "\n").encode(), source_name="v2.csv"
    ).version

    matching.index_for_version(second.pk)

    assert [key[0] for key in matching._CACHE] == [second.pk]
