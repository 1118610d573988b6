"""NUL bytes in a list file: refused with the line and field, on SQLite and on PostgreSQL alike.

Run on PostgreSQL too: DATABASE_URL=postgres://... (the probe's 500 happened there)."""

from __future__ import annotations

import pytest

from riskreg.screening.models import ListEntry, ListVersion
from riskreg.screening.services import ListImportError, sanctions_list_import
from tests.screening.conftest import SMALL_SDN_ROWS, sdn_bytes


def test_a_csv_with_a_nul_byte_is_refused_naming_the_line_and_the_version_in_force_stays(db, small_sdn):
    kept = sanctions_list_import(list_code="ofac-sdn", data=small_sdn, source_name="sdn.csv").version
    damaged = sdn_bytes([*SMALL_SDN_ROWS[:2], SMALL_SDN_ROWS[2].replace("SUNWAY", "SUN\x00WAY"), SMALL_SDN_ROWS[3]])

    with pytest.raises(ListImportError) as refused:
        sanctions_list_import(list_code="ofac-sdn", data=damaged, source_name="damaged.csv")

    assert refused.value.location == "line 3"
    assert "NUL character" in str(refused.value) and "entry 22687" in str(refused.value)
    assert ListVersion.objects.get() == kept
    assert ListEntry.objects.get(external_id="22687").primary_name == "SUNWAY TECH CO., LTD"


def test_a_json_list_with_an_escaped_nul_is_refused_too(db):
    line = (
        '{"id": "x-1", "schema": "Company", "properties": {"name": ["Bad\\u0000 Name"]}, '
        '"datasets": ["us_ofac_sdn"], "first_seen": "2024-01-01", "last_seen": "2024-01-01"}'
    )

    with pytest.raises(ListImportError, match="NUL character"):
        sanctions_list_import(list_code="opensanctions", data=(line + "\n").encode(), source_name="ftm.json")

    assert not ListVersion.objects.exists()


def test_the_api_import_job_fails_with_the_line(db, as_user, legal, small_sdn):
    """API uploads are import jobs (202, then poll): the refusal is the job's error, with its line."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.screening.conftest import run_import_jobs

    sanctions_list_import(list_code="ofac-sdn", data=small_sdn, source_name="sdn.csv")
    damaged = sdn_bytes([SMALL_SDN_ROWS[0].replace("CUBA", "CU\x00BA", 1), *SMALL_SDN_ROWS[1:]])

    answer = as_user(legal).post(
        "/api/screening/lists/ofac-sdn/import/", {"file": SimpleUploadedFile("sdn.csv", damaged)}, format="multipart"
    )
    assert answer.status_code == 202
    run_import_jobs()

    job = as_user(legal).get(answer.json()["url"]).json()
    assert job["status"] == "failed"
    assert job["location"] == "line 1"
    assert "NUL character" in job["error"]
