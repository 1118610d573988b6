"""The legal team's workspace in a real browser: home page, heat map, dossier, memo, as of a date, roles."""

from __future__ import annotations

import datetime

import pytest
from django.apps import apps
from django.utils import timezone

from models_catalog.models import AIModel, ProvenanceClaim
from reports.models import Memo
from reports.tasks import memo_generate_task
from tests.browser.conftest import axe_serious_violations, log_in_with_form
from tests.conftest import PASSWORD, wait_for

# Every test here starts on the committed demo register (tests/browser/conftest.py).
pytestmark = pytest.mark.demo


def _no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def test_legal_goes_from_the_home_page_to_the_glm5_dossier_and_files_a_memo(
    page, save_screenshot, legal, requester, auditor
):
    log_in_with_form(page, username="legal", password=PASSWORD, path="/admin/login/")
    page.wait_for_url("**/")

    # Home: my work, the portfolio with GLM-5's Entity List flag, the heat map with GLM-5 on it.
    assert page.locator("h1").first.inner_text() == "Home"
    assert page.locator("[data-testid=work-sign-offs] .count").inner_text() == "2"  # GLM-4.5 reopened, GLM-5 #3
    row = page.locator("[data-testid=portfolio-row-glm-5]")
    assert "Zhipu AI and 6 subsidiaries — BIS Entity List, 90 FR 4617" in row.inner_text()
    mark = page.locator("[data-testid=risk-heatmap] a[href='/models/glm-5/']")
    assert mark.count() == 1 and "GLM-5" in mark.text_content()
    assert _no_horizontal_scroll(page)
    violations = axe_serious_violations(page)
    assert violations == [], [(v["id"], [n["html"][:300] for n in v["nodes"]]) for v in violations]
    save_screenshot(page, "workspace-home.png")

    # The dossier: the risk first, the graph, the evidence.
    mark.click()
    page.wait_for_url("**/models/glm-5/")
    assert page.get_by_test_id("model-risk-level").inner_text().startswith("High")
    flags = page.get_by_test_id("exposure-flags").inner_text()
    assert "Zhipu AI and 6 subsidiaries — BIS Entity List, 90 FR 4617, listed 16 Jan 2025" in flags
    assert "Huawei, vendor of the training hardware — BIS Entity List, 84 FR 22961" in flags
    graph = page.get_by_test_id("supply-chain-graph")
    assert graph.is_visible() and graph.locator("g.node-listed").count() == 8
    assert "744B, 40B active" in page.locator("#facts").inner_text()
    assert page.get_by_test_id("edit-model").is_visible()
    assert _no_horizontal_scroll(page)
    violations = axe_serious_violations(page)
    assert violations == [], [(v["id"], [n["html"][:300] for n in v["nodes"]]) for v in violations]
    save_screenshot(page, "workspace-glm-5.png")

    # Generate memo: progress without a reload, then the PDF.
    page.evaluate("window.notReloaded = true")
    page.get_by_test_id("generate-memo").click()
    memo = wait_for(lambda: Memo.objects.filter(model__slug="glm-5").first(), timeout=15)
    page.locator(".memo-progress").filter(has_text="worker").wait_for()
    memo_generate_task(memo.pk)  # what the Celery worker does with the task the page queued
    link = page.get_by_test_id("memo-download")
    link.wait_for(timeout=30_000)
    assert page.evaluate("window.notReloaded") is True
    with page.expect_download() as download:
        link.click()
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"


def test_the_dossier_as_of_a_day_before_the_claims_were_recorded_shows_the_earlier_state(page, sign_in, legal):
    model = AIModel.objects.get(slug="glm-5")
    # The register began 30 days ago; GLM-5's claims were recorded today.
    month_ago = timezone.now() - datetime.timedelta(days=30)
    claim_history = ProvenanceClaim.history.model
    for history in apps.get_models():
        if (
            history.__name__.startswith("Historical")
            and history is not claim_history
            and hasattr(history, "history_date")
        ):
            history.objects.update(history_date=month_ago)
    week_ago = (timezone.localdate() - datetime.timedelta(days=7)).isoformat()

    sign_in(legal)
    page.goto(f"/models/{model.slug}/?as_of={week_ago}")

    assert "rebuilt from its history" in page.locator(".as-of-banner").inner_text()
    assert "No provenance claim recorded on that day" in page.locator("#claims").inner_text()
    assert "Ascend" not in page.get_by_test_id("supply-chain-graph").inner_html()  # no hardware claim yet
    assert "Zhipu AI and 6 subsidiaries" in page.get_by_test_id("exposure-flags").inner_text()
    page.goto(f"/models/{model.slug}/")
    assert "Ascend" in page.get_by_test_id("supply-chain-graph").inner_html()


def test_the_auditor_sees_everything_and_no_edit_control(page, sign_in, auditor):
    sign_in(auditor)

    page.goto("/")
    assert page.get_by_test_id("risk-heatmap").is_visible()
    assert page.locator("[data-testid=portfolio-row-glm-5]").is_visible()
    page.goto("/models/glm-5/")
    assert page.get_by_test_id("supply-chain-graph").is_visible()
    assert "Coding assistant for the platform team" in page.locator("#requests").inner_text()
    assert page.get_by_test_id("edit-model").count() == 0
    assert page.get_by_test_id("generate-memo").count() == 0
