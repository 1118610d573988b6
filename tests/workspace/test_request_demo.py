"""The demo shows the loop: alerts recorded from a local capture of a real Federal Register answer, on GLM-5,
and an approved request reopened by one of them with its real reason. Nothing is fetched."""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command

from riskreg.register.models import AdoptionRequest, RequestEvent
from riskreg.watch.models import Alert

ZHIPU_RULE = "Addition of Entities to and Revision of Entry on the Entity List"


def test_the_demo_inbox_has_real_alerts_on_glm5_and_one_approval_they_reopened(
    requester, legal, security, procurement, settings, tmp_path
):
    settings.RISKREG_WATCH_ALLOW_PRIVATE = False  # nothing may be fetched, not even from this machine
    settings.RISKREG_DATA_DIR = tmp_path
    call_command("load_demo", "--without-memos", stdout=StringIO())

    glm5_alerts = Alert.objects.filter(ai_models__slug="glm-5")
    assert set(glm5_alerts.values_list("title", flat=True)) == {
        ZHIPU_RULE,
        "Addition of Certain Entities to the Entity List and Revision of Entries on the Entity List",
    }
    zhipu = glm5_alerts.get(title=ZHIPU_RULE)
    assert "Beijing Zhipu Huazhang Technology Co., Ltd." in zhipu.matched_terms
    assert zhipu.url.endswith("/2025-00704/addition-of-entities-to-and-revision-of-entry-on-the-entity-list")
    assert zhipu.assignee == legal

    reopened = AdoptionRequest.objects.get(state="reopened")
    assert reopened.model.slug == "glm-4-5"
    event = RequestEvent.objects.get(request=reopened, kind="reopened")
    assert event.detail["reason"] == f"Watch alert from Federal Register: BIS Entity List rules: {ZHIPU_RULE}"
    assert event.detail["reference"] == f"alert:{zhipu.pk}"
    assert not RequestEvent.objects.filter(kind="reopened", detail__reason__startswith="Demo data").exists()
    # GLM-5's reviews are untouched: two in review (coding, chatbot), the CV screening draft not yet submitted
    assert sorted(AdoptionRequest.objects.filter(model__slug="glm-5").values_list("state", flat=True)) == [
        "draft",
        "in_review",
        "in_review",
    ]

    call_command("load_demo", "--without-memos", stdout=StringIO())
    assert Alert.objects.count() == 2
