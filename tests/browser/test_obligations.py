"""Obligations of a use in a real browser: legal sees on the home page an approval whose validity crosses a day on
which an obligation of its use starts to apply, opens it, marks the obligation considered with a reason (then it
no longer counts), and reads the model's obligations by holder in the dossier."""

from __future__ import annotations

import datetime

import pytest

from models_catalog.models import AIModel
from riskreg.register import demo as demo_data
from riskreg.register.models import AdoptionRequest, RequestEvent
from tests.browser.conftest import axe_serious_violations, log_in_with_form
from tests.conftest import PASSWORD


@pytest.fixture
def cv_screening_approved(legal, requester, security, procurement):
    """GLM-5 approved for ranking job applications in the EU (Annex III, employment), valid until 20 Dec 2027:
    the deployer duties of high-risk systems start on 2 Dec 2027, within its validity."""
    cv = {**demo_data.GLM5_USES["cv"][1], "modification": "none", "finetune_flop": None}
    users = {"requester": requester, "legal": legal, "security": security, "procurement": procurement}
    approval = demo_data.approved(
        AIModel.objects.get(slug="glm-5"), users, "Rank job applications", context=cv, classification="public"
    )
    AdoptionRequest.objects.filter(pk=approval.pk).update(expires_on=datetime.date(2027, 12, 20))
    return approval


@pytest.mark.demo
def test_legal_marks_a_new_obligation_of_the_use_considered_and_reads_the_dossiers_obligations(
    page, tmp_path, cv_screening_approved
):
    approval = cv_screening_approved
    log_in_with_form(page, username="legal", password=PASSWORD, path="/admin/login/")
    page.wait_for_url("**/")

    to_review = page.get_by_test_id("work-list-review-before")
    assert "Review before 2 Dec 2027" in to_review.inner_text()
    to_review.get_by_role("link", name=f"#{approval.pk} GLM-5").click()
    page.wait_for_url(f"**/requests/{approval.pk}/")
    flag = page.get_by_test_id("review-before")
    assert flag.inner_text().startswith("Review before 2 Dec 2027")
    assert "As deployer of a high-risk AI system" in flag.inner_text()
    assert axe_serious_violations(page) == []
    page.screenshot(path=str(tmp_path / "request-review-before.png"), full_page=True)

    # Each crossing obligation is marked considered, with the reason the approval stands.
    while page.get_by_test_id("review-before").count():
        form = page.locator(".consider-form").first
        form.get_by_label("Why the approval stands").fill("Human review of every ranking is already in place.")
        form.get_by_role("button", name="Mark considered").click()
        page.wait_for_load_state()
    considered = page.get_by_test_id("considered").inner_text()
    assert considered.startswith("Considered by legal on") and "Human review of every ranking" in considered
    assert RequestEvent.objects.filter(request=approval, kind=RequestEvent.Kind.OBLIGATION_CONSIDERED).exists()
    page.goto("/")
    assert page.get_by_test_id("work-list-review-before").count() == 0

    # The GLM-5 dossier: ours, the developer's and the supply chain's, each with why it reaches the model.
    page.goto("/models/glm-5/")
    section = page.get_by_test_id("obligations")
    section.scroll_into_view_if_needed()
    text = section.inner_text()
    assert "European Union" in text and "United States" in text
    assert "Reaches it because it may be used in the European Union" in text
    assert "BIS guidance of 13 May 2025" in text
    assert "2 Dec 2027" in section.get_by_test_id("obligations-ahead").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    assert axe_serious_violations(page) == []
    section.screenshot(path=str(tmp_path / "dossier-obligations.png"))  # in pytest's tmp dir: not a README image
