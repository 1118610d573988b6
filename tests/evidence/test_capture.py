"""Capture on citation: a copy stored under its SHA-256 with the facts of its retrieval and its readable text."""

from __future__ import annotations

import hashlib
import json
from io import StringIO
from pathlib import Path

from django.core.management import call_command

from models_catalog.models import EvidenceSource
from riskreg.evidence.models import Capture, CitedSource
from riskreg.evidence.services import evidence_source_capture
from riskreg.evidence.tasks import evidence_source_capture_task as capture_task
from tests.evidence.conftest import article, pdf_with_text


def test_adding_a_url_queues_a_capture_after_commit(glm5, httpserver, django_capture_on_commit_callbacks):
    source = glm5["source"]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        source.url = httpserver.url_for("/article")
        source.save()

    assert len(callbacks) == 1
    assert CitedSource.objects.get(source=source).state == CitedSource.State.NOT_CAPTURED


def test_editing_a_source_without_changing_its_url_queues_nothing(cited, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        cited.summary = "Press article on GLM-5."
        cited.save()

    assert callbacks == []


def test_the_capture_task_stores_the_page_under_its_sha256_with_its_facts(cited, data_dir):
    assert capture_task(cited.pk) == "captured"

    capture = Capture.objects.get(source=cited)
    body = article().encode()
    assert capture.outcome == "ok" and capture.origin == "fetched"
    assert capture.sha256 == hashlib.sha256(body).hexdigest()
    assert (data_dir / capture.path).read_bytes() == body
    assert capture.path == f"evidence/{capture.sha256[:2]}/{capture.sha256}"
    assert capture.final_url == cited.url and capture.http_status == 200
    assert capture.content_type.startswith("text/html")
    assert "trained entirely on Huawei Ascend chips" in capture.text
    assert "var ad" not in capture.text and "color: red" not in capture.text and "<p>" not in capture.text
    state = CitedSource.objects.get(source=cited)
    assert state.state == "captured" and state.cited_capture == capture
    assert capture_task(cited.pk) == "already captured"  # a duplicate task does nothing


def test_a_redirect_is_followed_and_the_final_address_recorded(glm5, httpserver):
    httpserver.expect_request("/old").respond_with_data("", status=301, headers={"Location": "/new"})
    httpserver.expect_request("/new").respond_with_data(article(), content_type="text/html")
    source = glm5["source"]
    source.url = httpserver.url_for("/old")
    source.save()

    evidence_source_capture(source_id=source.pk)

    capture = Capture.objects.get(source=source)
    assert capture.requested_url.endswith("/old") and capture.final_url.endswith("/new")


def test_a_pdf_is_captured_with_its_text(glm5, httpserver):
    httpserver.expect_request("/report.pdf").respond_with_data(
        pdf_with_text("GLM-5 technical report: 744B parameters"), content_type="application/pdf"
    )
    source = glm5["source"]
    source.url = httpserver.url_for("/report.pdf")
    source.save()

    result = evidence_source_capture(source_id=source.pk)

    assert result.status == "captured"
    assert "GLM-5 technical report: 744B parameters" in Capture.objects.get(source=source).text


def test_capture_all_captures_every_source_not_yet_captured(cited, httpserver):
    httpserver.expect_request("/second").respond_with_data("Plain text notice", content_type="text/plain")
    second = EvidenceSource.objects.create(
        title="Notice", publisher="BIS", kind=EvidenceSource.Kind.GUIDANCE, url=httpserver.url_for("/second")
    )
    EvidenceSource.objects.create(title="No address", publisher="Press", kind=EvidenceSource.Kind.PRESS)
    out = StringIO()

    call_command("evidence", "capture", "--all", "--json", stdout=out)

    report = json.loads(out.getvalue())
    assert report["counts"] == {"captured": 2}
    assert {r["source"] for r in report["results"]} == {cited.pk, second.pk}
    out = StringIO()
    call_command("evidence", "capture", "--all", "--json", stdout=out)
    assert json.loads(out.getvalue())["results"] == []  # nothing left to capture


def test_the_api_shows_the_capture_on_the_source_and_the_model(cited, as_user, legal):
    evidence_source_capture(source_id=cited.pk)
    capture = Capture.objects.get()

    source = as_user(legal).get(f"/api/sources/{cited.pk}/").json()
    model = as_user(legal).get("/api/models/glm-5/").json()

    assert source["evidence"]["state"] == "captured"
    assert source["evidence"]["cited_capture"]["sha256"] == capture.sha256
    assert model["claims"][0]["sources"][0]["evidence"]["state_label"] == "Captured"


def test_stored_copies_are_shared_by_identical_bodies(cited, glm5, httpserver, data_dir):
    other = EvidenceSource.objects.create(
        title="Mirror", publisher="Mirror", kind=EvidenceSource.Kind.PRESS, url=httpserver.url_for("/article")
    )
    evidence_source_capture(source_id=cited.pk)
    evidence_source_capture(source_id=other.pk)

    paths = set(Capture.objects.values_list("path", flat=True))
    assert len(paths) == 1
    assert len([p for p in Path(data_dir, "evidence").rglob("*") if p.is_file()]) == 1
