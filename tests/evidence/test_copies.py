"""Evidence you can open (issue 23 item 6): the dossier links each captured source to its stored copy, served as
evidence (HTML as text, a PDF as a download, the SHA-256, retrieval time and type said), to the roles that read
captures; an altered copy is not served."""

from __future__ import annotations

from pathlib import Path

from riskreg.evidence.services import evidence_capture_upload, evidence_source_capture
from tests.conftest import staff_client
from tests.evidence.conftest import article, pdf_with_text


def url_of(capture) -> str:
    return f"/evidence/captures/{capture.pk}/copy/"


def test_legal_opens_a_captured_page_as_text_with_its_hash_and_nothing_of_it_runs(cited, legal):
    evidence_source_capture(source_id=cited.pk)
    capture = cited.cited.cited_capture

    answer = staff_client(legal).get(url_of(capture))

    assert answer.status_code == 200 and answer["Content-Type"] == "text/plain; charset=utf-8"
    assert answer.content == article().encode()  # the markup, shown, not rendered
    assert answer["X-Capture-SHA256"] == capture.sha256 and answer["X-Capture-Content-Type"].startswith("text/html")
    assert answer["X-Capture-Retrieved-At"] == capture.retrieved_at.isoformat()
    assert "sandbox" in answer["Content-Security-Policy"] and "default-src 'none'" in answer["Content-Security-Policy"]


def test_a_pdf_copy_is_a_download_never_opened_in_the_page(glm5, legal):
    capture = evidence_capture_upload(
        source=glm5["source"], body=pdf_with_text("Ascend"), filename="article.pdf", content_type="application/pdf"
    )

    answer = staff_client(legal).get(url_of(capture))

    assert answer.status_code == 200 and answer["Content-Type"] == "application/octet-stream"
    assert answer["Content-Disposition"].startswith("attachment;") and answer["Content-Disposition"].endswith('.pdf"')


def test_the_requester_and_strangers_cannot_open_copies_and_an_altered_copy_is_not_served(
    cited, legal, requester, client, data_dir
):
    evidence_source_capture(source_id=cited.pk)
    capture = cited.cited.cited_capture

    assert staff_client(requester).get(url_of(capture)).status_code == 403
    assert client.get(url_of(capture)).status_code == 302  # to the login page
    stored = Path(data_dir) / capture.path
    stored.chmod(0o644)
    stored.write_bytes(b"<p>replaced</p>")
    answer = staff_client(legal).get(url_of(capture))
    assert answer.status_code == 409 and b"altered or replaced" in answer.content


def test_the_dossier_links_the_stored_copy_for_those_who_may_open_it(cited, legal, requester):
    evidence_source_capture(source_id=cited.pk)
    capture = cited.cited.cited_capture

    for_legal = staff_client(legal).get("/models/glm-5/").content.decode()
    for_requester = staff_client(requester).get("/models/glm-5/").content.decode()

    assert f'href="{url_of(capture)}"' in for_legal and "open the stored copy" in for_legal
    assert url_of(capture) not in for_requester
