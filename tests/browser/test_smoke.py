from __future__ import annotations

from tests.browser.conftest import axe_serious_violations, log_in_with_form
from tests.conftest import PASSWORD


def test_legal_logs_in_and_lands_on_the_home_page(page, legal):
    log_in_with_form(page, username="legal", password=PASSWORD)
    page.wait_for_url("**/")
    assert page.locator("h1").first.inner_text() == "Home"
    assert axe_serious_violations(page) == []


def test_a_user_in_no_group_sees_nothing(page, sign_in, outsider):
    sign_in(outsider)
    response = page.goto("/")
    assert response.status == 403
