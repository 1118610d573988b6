"""Rolling back a bad list file: legal, with a reason; the next real OFAC file is no longer a "rollback"."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command

from riskreg.core.errors import BadInput
from riskreg.screening.models import ListEntry, ListVersion, SanctionsList
from riskreg.screening.services import ListImportError, ListRollbackError, list_version_rollback, sanctions_list_import
from tests.conftest import staff_client
from tests.screening.conftest import SMALL_SDN_ROWS, sdn_bytes

BOGUS_ROW = '999999,"TEST ENTRY DO NOT USE",-0- ,"SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- '
NEW_REAL_ROW = '22690,"NEW REAL ENTRY CO., LTD",-0- ,"NPWMD",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- '


def sdn_import(data: bytes, name: str):
    return sanctions_list_import(list_code="ofac-sdn", data=data, source_name=name)


@pytest.fixture
def bogus_in_force(db, small_sdn):
    """The probe's file: the real list plus a bogus entry numbered 999999, imported over the real one."""
    real = sdn_import(small_sdn, "sdn-real.csv").version
    bogus = sdn_import(sdn_bytes([*SMALL_SDN_ROWS[:-1], BOGUS_ROW]), "sdn-bogus.csv").version
    return real, bogus


def test_a_bogus_high_entry_number_blocks_the_next_real_file_until_legal_rolls_it_back(bogus_in_force, legal):
    real, bogus = bogus_in_force
    next_real = sdn_bytes([*SMALL_SDN_ROWS, NEW_REAL_ROW])
    with pytest.raises(ListImportError, match="older list"):
        sdn_import(next_real, "sdn-next.csv")

    list_version_rollback(version_id=bogus.pk, user=legal, reason="Test file with a bogus entry 999999")
    result = sdn_import(next_real, "sdn-next.csv")

    bogus.refresh_from_db()
    assert (bogus.rolled_back_by, bogus.rollback_reason) == (legal, "Test file with a bogus entry 999999")
    assert result.added == ["22690"]  # compared with the real list, not with the bogus one
    assert set(ListEntry.objects.filter(active=True).values_list("external_id", flat=True)) == {
        "306", "22685", "22687", "2686", "22690"
    }  # fmt: skip
    assert not ListEntry.objects.get(external_id="999999").active
    history = SanctionsList.objects.get(code="ofac-sdn").history.order_by("history_date")
    assert any("Rolled back version" in (h.history_change_reason or "") and h.history_user == legal for h in history)


def test_a_rollback_puts_the_previous_version_back_in_force_with_its_entries(bogus_in_force, legal):
    real, bogus = bogus_in_force

    list_version_rollback(version_id=bogus.pk, user=legal, reason="Wrong file")

    assert SanctionsList.objects.get(code="ofac-sdn").current_version == real
    assert ListEntry.objects.get(external_id="2686").active  # the bogus file had dropped it
    assert not ListEntry.objects.get(external_id="999999").active


def test_a_rollback_needs_legal_a_reason_and_the_version_in_force(bogus_in_force, legal, security):
    real, bogus = bogus_in_force

    with pytest.raises(PermissionDenied, match="Only legal"):
        list_version_rollback(version_id=bogus.pk, user=security, reason="x")
    with pytest.raises(BadInput, match="give the reason"):
        list_version_rollback(version_id=bogus.pk, user=legal, reason="  ")
    with pytest.raises(ListRollbackError, match="not the version in force"):
        list_version_rollback(version_id=real.pk, user=legal, reason="x")
    assert SanctionsList.objects.get(code="ofac-sdn").current_version == bogus
    assert not ListVersion.objects.filter(rolled_back_at__isnull=False).exists()


def test_the_rolled_back_file_imported_again_is_refused_naming_the_rollback(bogus_in_force, legal):
    _, bogus = bogus_in_force
    list_version_rollback(version_id=bogus.pk, user=legal, reason="Bogus entry 999999")

    with pytest.raises(ListImportError, match=r"rolled back .*Bogus entry 999999"):
        sdn_import(sdn_bytes([*SMALL_SDN_ROWS[:-1], BOGUS_ROW]), "sdn-bogus.csv")


def test_legal_rolls_back_through_the_api_and_others_are_refused(bogus_in_force, as_user, legal, auditor):
    _, bogus = bogus_in_force
    url = f"/api/screening/versions/{bogus.pk}/rollback/"

    refused = as_user(auditor).post(url, {"reason": "x"}, format="json")
    no_reason = as_user(legal).post(url, {}, format="json")
    done = as_user(legal).post(url, {"reason": "Bogus entry 999999"}, format="json")

    assert refused.status_code == 403
    assert no_reason.status_code == 400 and "reason" in no_reason.json()
    assert done.status_code == 200
    assert (done.json()["rolled_back_by"], done.json()["rollback_reason"]) == ("legal", "Bogus entry 999999")


def test_legal_rolls_back_from_the_admin_with_a_reason(bogus_in_force, legal):
    _, bogus = bogus_in_force
    browser = staff_client(legal)
    url = "/admin/screening/listversion/"

    form = browser.post(url, {"action": "rollback_versions", "_selected_action": [bogus.pk]})
    done = browser.post(
        url, {"action": "rollback_versions", "_selected_action": [bogus.pk], "apply": "1", "reason": "Bogus 999999"}
    )

    assert form.status_code == 200 and "Why this file is wrong" in form.content.decode()
    assert done.status_code == 302
    bogus.refresh_from_db()
    assert bogus.rollback_reason == "Bogus 999999"


def test_the_command_rolls_back_and_says_which_version_is_in_force(bogus_in_force, legal):
    real, bogus = bogus_in_force
    out = StringIO()

    call_command("rollback_list_version", str(bogus.pk), "--by", "legal", "--reason", "Bogus", stdout=out)

    assert f"version {real.pk} is in force again" in out.getvalue()
    with pytest.raises(CommandError, match="not the version in force"):
        call_command("rollback_list_version", str(bogus.pk), "--by", "legal", "--reason", "Again")
