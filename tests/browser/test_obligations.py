"""Obligations on a timeline in a real browser: legal sees on the home page the approval to review before a new
obligation applies, opens it, and reads the obligations in the model's dossier."""

from __future__ import annotations

import pytest

from riskreg.register.models import AdoptionRequest
from tests.browser.conftest import axe_serious_violations, log_in_with_form
from tests.conftest import PASSWORD


@pytest.mark.demo
def test_legal_finds_the_approval_to_review_and_reads_the_obligations_in_the_dossier(
    page, tmp_path, legal, requester, security, procurement
):
    llama = AdoptionRequest.objects.get(model__slug="llama-4", state="approved")
    log_in_with_form(page, username="legal", password=PASSWORD, path="/admin/login/")
    page.wait_for_url("**/")

    # Home: the approval whose year of validity crosses 2 Aug 2027 (Llama 4 was released before 2 Aug 2025).
    to_review = page.get_by_test_id("work-list-review-before")
    assert "Review before 2 Aug 2027" in to_review.inner_text()
    to_review.get_by_role("link", name=f"#{llama.pk} Llama 4").click()
    page.wait_for_url(f"**/requests/{llama.pk}/")
    flag = page.get_by_test_id("review-before").inner_text()
    assert flag.startswith("Review before 2 Aug 2027")
    assert "released 5 Apr 2025, before 2 Aug 2025: applies from 2 Aug 2027" in flag
    assert axe_serious_violations(page) == []
    page.screenshot(path=str(tmp_path / "request-review-before.png"), full_page=True)

    # The GLM-5 dossier: what is in force today per jurisdiction, and the next dates ahead, with citations.
    page.goto("/models/glm-5/")
    section = page.get_by_test_id("obligations")
    section.scroll_into_view_if_needed()
    assert section.is_visible()
    text = section.inner_text()
    assert "European Union" in text and "United States" in text
    assert "Regulation (EU) 2024/1689, Art. 113(b)" in text
    assert "BIS guidance of 13 May 2025 (General Prohibition 10)" in text
    assert "High-risk classification of Art. 6(1)" in section.get_by_test_id("obligations-ahead").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    assert axe_serious_violations(page) == []
    section.screenshot(path=str(tmp_path / "dossier-obligations.png"))  # in pytest's tmp dir: not a README image
