"""Legal uploads the copy they hold (a paywalled article's PDF); a bad file is refused whole."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from riskreg.evidence.models import Capture, CitedSource
from riskreg.evidence.services import evidence_source_capture
from tests.conftest import staff_client
from tests.evidence.conftest import BROKEN_PDF, pdf_with_text


def test_legal_uploads_a_pdf_in_the_admin_and_the_claims_rest_on_it(glm5, legal):
    client = staff_client(legal)
    source = glm5["source"]

    response = client.post(
        "/admin/evidence/capture/add/",
        {
            "source": source.pk,
            "note": "PDF of the article as printed from the subscriber site",
            "file": SimpleUploadedFile("article.pdf", pdf_with_text("GLM-5 on Ascend"), "application/pdf"),
        },
    )

    capture = Capture.objects.get()
    assert response.status_code == 302
    assert capture.origin == "uploaded" and capture.captured_by == legal and "GLM-5 on Ascend" in capture.text
    assert CitedSource.objects.get(source=source).cited_capture == capture


def test_an_unparsable_upload_is_refused_and_the_previous_capture_kept(cited, legal):
    evidence_source_capture(source_id=cited.pk)
    before = CitedSource.objects.get(source=cited).cited_capture
    client = staff_client(legal)

    response = client.post(
        "/admin/evidence/capture/add/",
        {"source": cited.pk, "file": SimpleUploadedFile("scan.pdf", BROKEN_PDF, "application/pdf")},
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "scan.pdf: the PDF does not parse" in page and "the source keeps its capture" in page
    assert Capture.objects.count() == 1
    assert CitedSource.objects.get(source=cited).cited_capture == before


def test_only_legal_may_upload(glm5, requester, auditor, security, as_user):
    for user in (requester, auditor, security):
        response = as_user(user).post(
            "/api/evidence/captures/",
            {"source": glm5["source"].pk, "file": SimpleUploadedFile("a.txt", b"text", "text/plain")},
            format="multipart",
        )
        assert response.status_code == 403, user.username
    assert staff_client(auditor).get("/admin/evidence/capture/add/").status_code == 403
    assert not Capture.objects.exists()


def test_legal_uploads_through_the_api(glm5, legal, as_user):
    response = as_user(legal).post(
        "/api/evidence/captures/",
        {"source": glm5["source"].pk, "file": SimpleUploadedFile("notice.txt", b"Zhipu AI is listed.", "text/plain")},
        format="multipart",
    )

    assert response.status_code == 201, response.content
    assert response.json()["origin"] == "uploaded"
    detail = as_user(legal).get(f"/api/evidence/captures/{response.json()['id']}/").json()
    assert detail["text"] == "Zhipu AI is listed."


def test_captures_are_read_by_reviewers_and_auditors_not_requesters(cited, requester, auditor, as_user):
    evidence_source_capture(source_id=cited.pk)

    assert as_user(auditor).get("/api/evidence/captures/").json()["count"] == 1
    assert as_user(requester).get("/api/evidence/captures/").status_code == 403
    assert as_user(auditor).post("/api/evidence/captures/fetch/", {"source": cited.pk}).status_code == 403
