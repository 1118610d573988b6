"""Issue 14 in a real browser: legal drafts guidance from a Federal Register alert, completes it and reads its
impact; a sanctions list version's impact page says what its entries would change."""

from __future__ import annotations

import pytest

from models_catalog.models import RegulatoryGuidance
from riskreg.screening.models import SanctionsList
from riskreg.watch.models import Alert
from tests.browser.conftest import axe_serious_violations

# Every test here starts on the committed demo register (tests/browser/conftest.py).
pytestmark = pytest.mark.demo


def _no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def test_legal_drafts_guidance_from_the_zhipu_alert_completes_it_and_reads_its_impact(
    page, sign_in, save_screenshot, legal
):
    legal.is_staff = True
    legal.save(update_fields=["is_staff"])
    alert = Alert.objects.get(url__contains="2025-00704")
    sign_in(legal)

    # The alert in the admin offers the button; it drafts and opens the draft's impact page.
    page.goto(f"/admin/watch/alert/{alert.pk}/change/")
    page.get_by_test_id("draft-guidance").click()
    page.wait_for_url("**/guidance/*/impact/")
    draft = RegulatoryGuidance.objects.get(source_alert=alert)
    impact = page.get_by_test_id("impact")
    text = impact.inner_text()
    assert "United States" in text and "Draft" in text and "16 Jan 2025" in text
    assert "Reaches: Zhipu AI and its subsidiaries" in text
    assert page.get_by_test_id("no-impact").is_visible()  # no risk implied yet: it changes nothing
    assert page.get_by_test_id("implies-no-risk").is_visible()
    assert alert.title in page.get_by_test_id("drafted-from-alert").inner_text()
    save_screenshot(page, "alert-draft-impact-before.png")

    # Legal completes the draft in the admin (the risk it implies), then reads the impact again.
    page.goto(f"/admin/models_catalog/regulatoryguidance/{draft.pk}/change/")
    page.select_option("#id_risk_category", "sanctions")
    page.fill("#id_risk_likelihood", "4")
    page.fill("#id_risk_impact", "4")
    page.fill("#id_risk_sentence", "The developer and its affiliates are on the Entity List.")
    page.click("input[name=_save]")
    page.wait_for_url("**/regulatoryguidance/")
    page.goto(f"/guidance/{draft.pk}/impact/")
    text = page.get_by_test_id("impact").inner_text()
    assert "GLM-5" in text and "GLM-4.5" in text
    assert "Llama 4" not in text and "Qwen3" not in text
    assert page.get_by_test_id("publish").is_visible()
    assert _no_horizontal_scroll(page)
    assert axe_serious_violations(page) == []
    save_screenshot(page, "alert-draft-impact.png")

    # Back on the alert, the draft is linked and the button is gone.
    page.goto(f"/admin/watch/alert/{alert.pk}/change/")
    assert page.get_by_test_id("alert-guidance-impact").is_visible()
    assert page.get_by_test_id("draft-guidance").count() == 0


def test_the_entity_list_versions_impact_page_names_the_parties_it_added_and_nothing_left_to_change(
    page, sign_in, save_screenshot, auditor
):
    version = SanctionsList.objects.get(code="us-csl").current_version
    sign_in(auditor)

    page.goto(f"/lists/versions/{version.pk}/impact/")

    added = page.get_by_test_id("entries-added").inner_text()
    assert "Beijing Zhipu Huazhang Technology Co., Ltd." in added and "90 FR 4617" in added
    assert "Huawei Technologies Co., Ltd." in added and "Confirmed match" in added
    # In force, its matches confirmed by legal and applied: nothing left to change, and the page says why.
    assert "This version is in force" in page.get_by_test_id("in-force-note").inner_text()
    assert (
        "have these organisations in their supply chain and were checked"
        in page.get_by_test_id("no-impact").inner_text()
    )
    assert _no_horizontal_scroll(page)
    assert axe_serious_violations(page) == []
    save_screenshot(page, "list-version-impact.png")
