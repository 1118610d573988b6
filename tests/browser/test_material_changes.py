"""An auditor reads the material changes in the admin: what changed, whether it was applied, and why not."""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone

from riskreg.core.models import ChangeKind, MaterialChange


def test_an_auditor_sees_which_material_changes_were_applied_and_the_error_of_one_that_was_not(
    page, sign_in, auditor, save_screenshot
):
    auditor.is_staff = True
    auditor.save(update_fields=["is_staff"])
    MaterialChange.objects.create(
        kind=ChangeKind.WATCH_ALERT,
        model_ids=[1],
        reason="Watch alert from Federal Register: Entity List additions (90 FR 4617) name Zhipu AI",
        reference="alert:12",
        applied_at=timezone.now(),
        attempts=1,
    )
    MaterialChange.objects.create(
        kind=ChangeKind.CLAIM,
        model_ids=[2],
        reason="Provenance claim changed: training hardware = Huawei Ascend 910B (reported)",
        reference="claim:7",
        attempts=2,
        last_attempt_at=timezone.now(),
        last_error="material_change_received: OperationalError: could not obtain lock on adoption request 4",
    )
    sign_in(auditor)

    page.goto("/admin/")
    page.get_by_role("link", name="Material changes").click()
    page.wait_for_url("**/admin/core/materialchange/")

    rows = page.locator("#result_list tbody tr")
    assert rows.count() == 2
    claim_row = rows.filter(has_text="claim:7")
    assert "Being retried" in claim_row.inner_text() and "could not obtain lock" in claim_row.inner_text()
    assert "Applied 28 Nov" not in claim_row.inner_text() and "Applied" in rows.filter(has_text="alert:12").inner_text()
    assert page.get_by_role("link", name="Add material change").count() == 0
    save_screenshot(page, "material-changes.png")
    # The list itself; the breadcrumbs above it are Django's admin chrome (links told by colour alone, axe
    # link-in-text-block), the same on every admin page.
    results = Axe().run(page, context="#content")
    serious = [v["id"] for v in results.response["violations"] if v.get("impact") in ("serious", "critical")]
    assert serious == []

    claim_row.locator("th a, td a").first.click()
    assert "could not obtain lock on adoption request 4" in page.locator("#content").inner_text()
    assert page.locator("input[type=submit][name=_save]").count() == 0  # read-only
