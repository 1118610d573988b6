"""The admin review queue, list versions with their diff, and the import page."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from riskreg.screening.models import ListImportJob, ListVersion, ScreeningHit
from riskreg.screening.services import organisation_screen, sanctions_list_import
from tests.screening.conftest import run_import_jobs


@pytest.fixture
def hit(db, small_sdn, make_org):
    sanctions_list_import(list_code="ofac-sdn", data=small_sdn, source_name="sdn.csv")
    org = make_org("Raybeam Optronics Co., Ltd.")
    organisation_screen(organisation_id=org.pk)
    return ScreeningHit.objects.get()


def staff_client(user) -> Client:
    user.is_staff = True
    user.save()
    client = Client()
    client.force_login(user)
    return client


def test_legal_confirms_hits_from_the_review_queue_after_giving_a_reason(legal, hit):
    client = staff_client(legal)
    url = "/admin/screening/screeninghit/"
    assert client.get(url).status_code == 200

    form = client.post(url, {"action": "confirm_hits", "_selected_action": [hit.pk]})
    assert form.status_code == 200
    assert b"reason" in form.content
    hit.refresh_from_db()
    assert hit.status == "potential"

    done = client.post(
        url, {"action": "confirm_hits", "_selected_action": [hit.pk], "apply": "1", "reason": "Same USCC"}
    )
    assert done.status_code == 302
    hit.refresh_from_db()
    assert (hit.status, hit.review_reason, hit.reviewed_by) == ("confirmed", "Same USCC", legal)
    assert client.get(f"{url}{hit.pk}/history/").status_code == 200


def test_an_auditor_sees_the_queue_but_has_no_review_actions(auditor, hit):
    client = staff_client(auditor)

    page = client.get("/admin/screening/screeninghit/")

    assert page.status_code == 200
    assert b"confirm_hits" not in page.content


def test_a_version_page_shows_its_diff(admin_user, hit):
    client = Client()
    client.force_login(admin_user)
    version = ListVersion.objects.get()

    page = client.get(f"/admin/screening/listversion/{version.pk}/change/")

    assert page.status_code == 200
    assert b"RAYBEAM OPTRONICS" in page.content


def test_legal_imports_a_file_from_the_admin_and_a_bad_file_is_refused_with_its_line(legal, hit, small_sdn):
    client = staff_client(legal)
    url = "/admin/screening/sanctionslist/import/"
    list_pk = ListVersion.objects.get().sanctions_list_id

    refused = client.post(url, {"sanctions_list": list_pk, "file": SimpleUploadedFile("x.csv", b"1,2\n")})
    assert refused.status_code == 302  # to the import's page, which shows its progress
    assert b"Waiting for a worker" in client.get(refused.url).content
    run_import_jobs()
    page = client.get(refused.url).content
    assert b"line 1" in page and b"The version in force is unchanged" in page
    assert ListVersion.objects.count() == 1

    ok = client.post(url, {"sanctions_list": list_pk, "file": SimpleUploadedFile("sdn.csv", small_sdn)})
    assert ok.status_code == 302
    run_import_jobs()
    assert b"This file is the version in force already" in client.get(ok.url).content


def test_a_file_over_the_size_cap_is_refused_by_the_admin_form(legal, hit, settings):
    settings.RISKREG_IMPORT_MAX_BYTES = 1024
    client = staff_client(legal)
    list_pk = ListVersion.objects.get().sanctions_list_id

    refused = client.post(
        "/admin/screening/sanctionslist/import/",
        {"sanctions_list": list_pk, "file": SimpleUploadedFile("sdn.csv", b"x" * 2000)},
    )

    assert refused.status_code == 200
    assert b"files are limited to 1,024 bytes (RISKREG_IMPORT_MAX_BYTES)" in refused.content
    assert not ListImportJob.objects.exists()
