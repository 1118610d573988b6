"""Re-check and rot: unchanged writes nothing; changed words or a 404/410 alert the claims and models citing it."""

from __future__ import annotations

from pathlib import Path

from riskreg.evidence.models import Capture, CitedSource
from riskreg.evidence.services import evidence_source_capture, evidence_source_recheck
from riskreg.watch.models import Alert
from tests.evidence.conftest import article
from tests.reactions import applied_on_commit


def serve(httpserver, body: str, **kwargs) -> None:
    httpserver.clear()
    httpserver.expect_request("/article").respond_with_data(body, content_type="text/html; charset=utf-8", **kwargs)


def files(data_dir) -> list[Path]:
    return sorted(p for p in Path(data_dir).rglob("*") if p.is_file())


def state_without_schedule(source) -> dict:
    row = CitedSource.objects.filter(source=source).values().get()
    for moving in ("last_checked_at", "next_check_at"):
        row.pop(moving)
    return row


def test_a_recheck_of_an_unchanged_source_writes_nothing(cited, httpserver, data_dir):
    evidence_source_capture(source_id=cited.pk)
    before = (Capture.objects.count(), files(data_dir), state_without_schedule(cited), Alert.objects.count())

    result = evidence_source_recheck(source_id=cited.pk)

    assert result.status == "unchanged"
    assert (Capture.objects.count(), files(data_dir), state_without_schedule(cited), Alert.objects.count()) == before


def test_markup_noise_is_not_a_change(cited, httpserver, data_dir):
    evidence_source_capture(source_id=cited.pk)
    before = (Capture.objects.count(), files(data_dir), Alert.objects.count())
    serve(httpserver, article(noise="ad-slot-7 tracking") + "<script>var refreshed = 2;</script>\n\n  ")

    result = evidence_source_recheck(source_id=cited.pk)

    assert result.status == "unchanged"
    assert (Capture.objects.count(), files(data_dir), Alert.objects.count()) == before
    assert CitedSource.objects.get(source=cited).state == "captured"


def test_a_304_answer_to_the_conditional_request_writes_nothing(cited, httpserver, data_dir):
    serve(httpserver, article(), headers={"ETag": '"v1"'})
    evidence_source_capture(source_id=cited.pk)
    httpserver.clear()
    httpserver.expect_request("/article", headers={"If-None-Match": '"v1"'}).respond_with_data("", status=304)
    before = (Capture.objects.count(), files(data_dir), state_without_schedule(cited))

    result = evidence_source_recheck(source_id=cited.pk)

    assert result.status == "unchanged"
    assert (Capture.objects.count(), files(data_dir), state_without_schedule(cited)) == before


def test_an_edited_cited_page_raises_an_alert_on_glm5s_claim(cited, glm5, httpserver, as_user, legal):
    evidence_source_capture(source_id=cited.pk)
    cited_capture = Capture.objects.get()
    serve(httpserver, article("partly"))

    result = evidence_source_recheck(source_id=cited.pk)

    assert result.status == "changed"
    alert = Alert.objects.get()
    assert list(alert.claims.all()) == [glm5["claim"]]
    assert list(alert.ai_models.all()) == [glm5["model"]]
    assert alert.evidence_source == cited and alert.change is None
    assert alert.title == f"Cited source changed since cited: {cited.title}"
    assert "-Zhipu AI's GLM-5 was trained entirely on Huawei Ascend chips" in alert.summary
    assert "+Zhipu AI's GLM-5 was trained partly on Huawei Ascend chips" in alert.summary
    state = CitedSource.objects.get(source=cited)
    assert state.state == "changed" and state.cited_capture == cited_capture
    assert state.latest_capture.text != cited_capture.text
    # in the API: the source is marked, and the alert names the claim
    model = as_user(legal).get("/api/models/glm-5/").json()
    assert model["claims"][0]["sources"][0]["evidence"]["state_label"] == "Changed since cited"
    alerts = as_user(legal).get(f"/api/watch/alerts/?claims={glm5['claim'].pk}").json()["results"]
    assert [a["id"] for a in alerts] == [alert.pk] and alerts[0]["evidence_source"] == cited.pk
    # checked again with the same edit: no second alert, no new capture
    assert evidence_source_recheck(source_id=cited.pk).status == "unchanged"
    assert Alert.objects.count() == 1 and Capture.objects.count() == 2


def test_a_404_marks_the_source_gone_and_alerts_once(cited, glm5, httpserver):
    evidence_source_capture(source_id=cited.pk)
    serve(httpserver, "Not here", status=404)

    result = evidence_source_recheck(source_id=cited.pk)

    assert result.status == "gone"
    state = CitedSource.objects.get(source=cited)
    assert state.state == "gone" and state.cited_capture.outcome == "ok"
    alert = Alert.objects.get()
    assert alert.title.startswith("Cited source gone (HTTP 404)")
    assert list(alert.claims.all()) == [glm5["claim"]]
    assert evidence_source_recheck(source_id=cited.pk).status == "unchanged"  # still gone: nothing new
    assert Alert.objects.count() == 1 and Capture.objects.count() == 2


def test_a_410_is_gone_too(cited, httpserver):
    evidence_source_capture(source_id=cited.pk)
    serve(httpserver, "Gone", status=410)

    assert evidence_source_recheck(source_id=cited.pk).status == "gone"


def test_legal_cites_the_latest_capture_after_reading_the_change(cited, httpserver, legal):
    from riskreg.evidence.services import evidence_source_recite

    evidence_source_capture(source_id=cited.pk)
    serve(httpserver, article("partly"))
    evidence_source_recheck(source_id=cited.pk)

    state = evidence_source_recite(source=cited, user=legal)

    assert state.state == "captured" and state.cited_capture == state.latest_capture
    assert evidence_source_recheck(source_id=cited.pk).status == "unchanged"


def test_a_new_alert_reopens_approved_requests_through_the_material_change_signal(
    cited, glm5, httpserver, django_capture_on_commit_callbacks
):
    from riskreg.core.events import material_change

    received = []

    def listener(sender, **kwargs):
        received.append(kwargs)

    material_change.connect(listener)
    try:
        evidence_source_capture(source_id=cited.pk)
        serve(httpserver, article("partly"))
        with applied_on_commit(django_capture_on_commit_callbacks):
            evidence_source_recheck(source_id=cited.pk)
    finally:
        material_change.disconnect(listener)

    assert [(r["model_ids"], r["kind"]) for r in received] == [([glm5["model"].pk], "evidence")]
