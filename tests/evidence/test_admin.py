"""The dossier (the model's admin page) and the cited-sources list show what changed or disappeared."""

from __future__ import annotations

from riskreg.evidence.services import evidence_source_capture, evidence_source_recheck
from tests.conftest import staff_client
from tests.evidence.conftest import article


def test_the_model_page_marks_a_source_changed_since_cited(cited, glm5, httpserver, legal):
    evidence_source_capture(source_id=cited.pk)
    httpserver.clear()
    httpserver.expect_request("/article").respond_with_data(article("partly"), content_type="text/html")
    evidence_source_recheck(source_id=cited.pk)
    client = staff_client(legal)

    page = client.get(f"/admin/models_catalog/aimodel/{glm5['model'].pk}/change/").content.decode()
    listing = client.get("/admin/evidence/citedsource/?state=changed").content.decode()

    assert "Evidence the claims rest on" in page
    assert '<strong class="evidence-changed">Changed since cited</strong>' in page
    assert "Training hardware: Huawei Ascend (entirely)" in page
    assert cited.title in listing


def test_the_model_page_says_why_a_source_is_not_captured(glm5, legal):
    page = staff_client(legal).get(f"/admin/models_catalog/aimodel/{glm5['model'].pk}/change/").content.decode()

    assert "not captured: no address recorded and no copy uploaded" in page


def test_legal_and_the_auditor_download_the_stored_copy_a_requester_cannot(cited, legal, auditor, requester):
    evidence_source_capture(source_id=cited.pk)
    from riskreg.evidence.models import Capture

    capture = Capture.objects.get()
    url = f"/admin/evidence/capture/{capture.pk}/download/"

    response = staff_client(auditor).get(url)

    assert response.status_code == 200 and response.content == article().encode()
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"] == f'attachment; filename="capture-{capture.pk}-{capture.sha256[:12]}.html"'
    assert (
        "Download the copy" in staff_client(legal).get(f"/admin/evidence/capture/{capture.pk}/change/").content.decode()
    )
    assert staff_client(requester).get(url).status_code == 403


def test_the_dossier_flags_the_claim_whose_source_changed_and_shows_each_capture(cited, glm5, httpserver, legal):
    evidence_source_capture(source_id=cited.pk)
    httpserver.clear()
    httpserver.expect_request("/article").respond_with_data(article("partly"), content_type="text/html")
    evidence_source_recheck(source_id=cited.pk)
    from riskreg.evidence.models import CitedSource

    state = CitedSource.objects.get(source=cited)
    page = staff_client(legal).get("/models/glm-5/").content.decode()

    assert '<a href="#source-1">[1] changed since cited</a>' in page
    assert f'SHA-256 <span class="sha">{state.cited_capture.sha256}</span>' in page
