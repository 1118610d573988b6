"""The screening API: who may read, who may decide, ad-hoc screening, uploads."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from riskreg.screening.models import ScreeningHit
from riskreg.screening.services import organisation_screen, sanctions_list_import
from tests.screening.conftest import run_import_jobs


@pytest.fixture
def poll(as_user):
    """The import job an upload answered with, as its URL shows it now."""
    return lambda user, response: as_user(user).get(response.json()["url"]).json()


@pytest.fixture
def hit(db, small_sdn, make_org):
    sanctions_list_import(list_code="ofac-sdn", data=small_sdn, source_name="sdn.csv")
    org = make_org("Raybeam Optronics Co., Ltd.")
    organisation_screen(organisation_id=org.pk)
    return ScreeningHit.objects.get()


def test_anonymous_users_are_refused(api, hit):
    assert api.get("/api/screening/hits/").status_code == 401
    assert api.post("/api/screening/screen/", {"names": ["x"]}, format="json").status_code == 401


def test_requesters_cannot_see_screening(as_user, requester, hit):
    assert as_user(requester).get("/api/screening/hits/").status_code == 403
    assert as_user(requester).get("/api/screening/lists/").status_code == 403


@pytest.mark.parametrize("who", ["legal", "security", "procurement", "auditor"])
def test_every_other_role_reads_lists_versions_entries_and_hits(as_user, request, hit, who):
    client = as_user(request.getfixturevalue(who))

    for url in ("/api/screening/lists/", "/api/screening/versions/", "/api/screening/entries/?search=raybeam"):
        assert client.get(url).status_code == 200, url
    body = client.get("/api/screening/hits/").json()
    assert body["results"][0]["entry"]["external_id"] == "22685"
    assert client.get(f"/api/screening/versions/{hit.entry.last_version_id}/").json()["diff"]["added"]


def test_legal_confirms_a_hit_with_a_reason(as_user, legal, hit):
    response = as_user(legal).post(f"/api/screening/hits/{hit.pk}/confirm/", {"reason": "Same USCC"}, format="json")

    assert response.status_code == 200
    assert response.json()["status"] == "confirmed"
    assert response.json()["reviewed_by"] == "legal"
    history = as_user(legal).get(f"/api/screening/hits/{hit.pk}/history/").json()
    assert [h["status"] for h in history] == ["potential", "confirmed"]
    assert history[-1]["by"] == "legal"


def test_a_decision_without_a_reason_is_refused(as_user, legal, hit):
    response = as_user(legal).post(f"/api/screening/hits/{hit.pk}/dismiss/", {}, format="json")

    assert response.status_code == 400
    assert "reason" in response.json()


@pytest.mark.parametrize("who", ["auditor", "security", "procurement", "requester"])
def test_only_legal_may_confirm_or_dismiss(as_user, request, hit, who):
    client = as_user(request.getfixturevalue(who))

    for verb in ("confirm", "dismiss"):
        response = client.post(f"/api/screening/hits/{hit.pk}/{verb}/", {"reason": "x"}, format="json")
        assert response.status_code == 403
    hit.refresh_from_db()
    assert hit.status == "potential"


def test_ad_hoc_screening_returns_hits_best_first(as_user, auditor, hit):
    response = as_user(auditor).post(
        "/api/screening/screen/",
        {"names": ["Rayboam Optronics", "Google LLC"], "identifiers": {"uscc": "91110117663725176G"}},
        format="json",
    )

    assert response.status_code == 200
    report = response.json()
    assert [item["query"] for item in report] == ["Rayboam Optronics", "Google LLC", "uscc:91110117663725176G"]
    assert report[0]["hits"][0]["entry_id"] == "22685"
    assert report[1]["hits"] == []
    assert report[2]["hits"][0]["name"] == "SUNWAY TECH CO., LTD"


def test_legal_uploads_a_list_file_and_an_auditor_cannot(as_user, legal, auditor, hit, small_sdn, poll):
    def upload(user, data):
        return as_user(user).post(
            "/api/screening/lists/ofac-sdn/import/",
            {"file": SimpleUploadedFile("sdn.csv", data)},
            format="multipart",
        )

    assert upload(auditor, small_sdn).status_code == 403
    queued = upload(legal, small_sdn)
    assert queued.status_code == 202 and queued.json()["status"] == "pending"
    assert queued["Location"] == queued.json()["url"]
    bad = upload(legal, b"<html>nope</html>").json()
    run_import_jobs()
    assert poll(legal, queued)["unchanged"] is True
    refused = as_user(legal).get(bad["url"]).json()
    assert refused["status"] == "failed"
    assert refused["location"] == "line 1" and "The version in force is unchanged" in refused["error"]


def test_an_older_list_file_is_refused_unless_the_upload_says_it_is_intended(as_user, legal, hit, small_sdn, poll):
    older = small_sdn.replace(b"22687", b"1")

    def upload(**extra):
        data = {"file": SimpleUploadedFile("sdn.csv", older), **extra}
        return as_user(legal).post("/api/screening/lists/ofac-sdn/import/", data, format="multipart")

    refused, intended = upload(), upload(allow_older="true")
    run_import_jobs()

    assert "older list" in poll(legal, refused)["error"]
    done = poll(legal, intended)
    assert done["status"] == "done" and done["version"]["entry_count"] == 4


def test_legal_can_queue_screening_of_everything_and_a_requester_cannot(as_user, legal, requester, db):
    assert as_user(requester).post("/api/screening/lists/screen-all/").status_code == 403
    assert as_user(legal).post("/api/screening/lists/screen-all/").status_code == 202
