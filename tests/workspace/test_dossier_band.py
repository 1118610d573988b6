"""The model band: the residual level, exposure grouped by listing, guidance chips and requests in flight."""

from __future__ import annotations

import datetime

from django.template.loader import render_to_string
from django.utils.html import strip_tags

from models_catalog.models import AIModel
from riskreg.workspace.selectors import model_band


def test_glm5_band_groups_zhipu_and_its_subsidiaries_under_one_listing_and_names_huawei_as_hardware_vendor(demo):
    band = model_band(model=demo)

    assert band["level"]["name"] == "High"
    flags = {flag["citation"]: flag for flag in band["exposure"]}
    assert flags["90 FR 4617"]["who"] == "Zhipu AI and 6 subsidiaries"
    assert flags["90 FR 4617"]["listing"] == "BIS Entity List"
    assert flags["90 FR 4617"]["listed_on"] == "2025-01-16"
    assert flags["84 FR 22961"]["who"] == "Huawei, vendor of the training hardware"
    assert [(g["code"], g["status_label"]) for g in band["guidance"]] == [
        ("EU", "Under review"),
        ("US", "Under review"),
    ]
    assert [r["state"] for r in band["requests"]] == ["in_review"]


def test_band_renders_level_flags_and_dates_in_human_words(demo):
    html = render_to_string("workspace/includes/model_band.html", {"band": model_band(model=demo)})

    assert 'data-testid="model-risk-level"' in html and "High" in html
    assert 'data-testid="exposure-flags"' in html
    text = " ".join(strip_tags(html).split())
    assert "Zhipu AI and 6 subsidiaries — BIS Entity List, 90 FR 4617, listed 16 Jan 2025" in text
    assert "Huawei, vendor of the training hardware — BIS Entity List, 84 FR 22961, listed 16 May 2019" in text
    assert "2025-01-16" not in html


def test_a_model_with_no_listed_party_and_no_assessment_says_so(demo):
    band = model_band(model=AIModel.objects.get(slug="llama-4"))
    html = render_to_string("workspace/includes/model_band.html", {"band": band})

    assert band["exposure"] == [] and band["level"] is None
    assert "Not assessed" in html and "No organisation in the supply chain is on a list" in html


def test_band_as_of_a_day_before_the_model_was_recorded_is_none(demo):
    assert model_band(model=demo, as_of=datetime.date(2020, 1, 1)) is None


def test_band_hides_requests_the_reader_may_not_see(demo):
    band = model_band(model=demo, visible_request_ids=set())

    assert band["requests"] == []
    assert band["level"]["name"] == "High"  # GLM-5's own register, not a request's
