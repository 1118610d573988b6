"""Legal works in the admin: search, filters, inlines, history; others read or are kept out."""

from __future__ import annotations

import pytest
from django.test import Client

from models_catalog.models import AIModel


@pytest.fixture
def browser():
    return Client()


def test_legal_sees_glm5_with_its_claims_sources_and_exposure(catalog, browser, legal):
    browser.force_login(legal)

    page = browser.get(f"/admin/models_catalog/aimodel/{catalog.pk}/change/")

    assert page.status_code == 200
    html = page.content.decode()
    assert "Huawei Ascend (entirely)" in html
    assert "Smart Chunks" in html
    assert "84 FR 22961" in html  # Huawei's Entity List note, through the supply chain
    assert "90 FR 4617" in html


@pytest.mark.parametrize(
    "query",
    [
        "q=GLM",
        "developer__country=CN",
        "claims__confidence__exact=reported",
        "guidance_statuses__status__exact=permitted",
    ],
)
def test_model_list_search_and_filters_work(catalog, browser, legal, query):
    browser.force_login(legal)

    assert browser.get(f"/admin/models_catalog/aimodel/?{query}").status_code == 200


def test_organisation_search_finds_native_names_and_aliases(catalog, browser, legal):
    browser.force_login(legal)

    by_native = browser.get("/admin/models_catalog/organisation/?q=智谱").content.decode()
    by_alias = browser.get("/admin/models_catalog/organisation/?q=Z.ai").content.decode()

    assert "Beijing Zhipu Huazhang" in by_native
    assert "Beijing Zhipu Huazhang" in by_alias


def test_history_shows_who_changed_a_model_and_cannot_revert(catalog, browser, legal):
    browser.force_login(legal)
    catalog.description = "Edited by legal"
    catalog._history_user = legal
    catalog.save()

    page = browser.get(f"/admin/models_catalog/aimodel/{catalog.pk}/history/")

    assert page.status_code == 200
    assert "legal" in page.content.decode()
    assert catalog.history.as_of(catalog.history.earliest().history_date).description != "Edited by legal"


def test_auditor_can_view_but_not_change_a_model(catalog, browser, auditor):
    browser.force_login(auditor)
    url = f"/admin/models_catalog/aimodel/{catalog.pk}/change/"

    assert browser.get(url).status_code == 200
    assert browser.post(url, {"name": "Renamed"}).status_code == 403
    assert AIModel.objects.get(pk=catalog.pk).name == "GLM-5"


def test_outsider_is_sent_to_the_login_page(catalog, browser, outsider):
    browser.force_login(outsider)

    assert browser.get("/admin/models_catalog/aimodel/").status_code == 302


def test_admin_form_refuses_unknown_licence_with_a_field_error(catalog, browser, legal):
    browser.force_login(legal)
    developer = catalog.developer

    page = browser.post(
        "/admin/models_catalog/aimodel/add/",
        {
            "name": "Bad",
            "slug": "bad",
            "family": "X",
            "developer": developer.pk,
            "licence": "Nope-1.0",
            "weights": "open",
            "claims-TOTAL_FORMS": 0,
            "claims-INITIAL_FORMS": 0,
            "guidance_statuses-TOTAL_FORMS": 0,
            "guidance_statuses-INITIAL_FORMS": 0,
        },
    )

    assert page.status_code == 200
    assert "is not a known SPDX licence id" in page.content.decode()
    assert not AIModel.objects.filter(name="Bad").exists()
