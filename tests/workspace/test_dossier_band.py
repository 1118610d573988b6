"""The model band: the residual level, exposure grouped by listing, guidance chips and requests in flight."""

from __future__ import annotations

import datetime

from django.template.loader import render_to_string
from django.utils.html import strip_tags

from models_catalog.models import AIModel
from riskreg.workspace.selectors import model_band


def _text(band) -> str:
    return " ".join(strip_tags(render_to_string("workspace/includes/model_band.html", {"band": band})).split())


def test_the_band_puts_the_risk_first_in_human_words(demo):
    band = model_band(model=demo)

    assert band["level"]["name"] == "High"
    flags = {flag["citation"]: flag for flag in band["exposure"]}
    assert flags["90 FR 4617"]["who"] == "Zhipu AI and 6 subsidiaries"
    assert flags["84 FR 22961"]["who"] == "Huawei, vendor of the training hardware"
    assert band["exposure"][0]["citation"] == "90 FR 4617"  # the developer's group first
    assert [(g["code"], g["status_label"]) for g in band["guidance"]] == [
        ("EU", "Under review"),
        ("US", "Under review"),
    ]
    assert [r["state"] for r in band["requests"]] == ["in_review", "in_review", "draft"]  # three uses of GLM-5
    text = _text(band)
    assert "Zhipu AI and 6 subsidiaries — BIS Entity List, 90 FR 4617, listed 16 Jan 2025" in text
    assert "Huawei, vendor of the training hardware — BIS Entity List, 84 FR 22961, listed 16 May 2019" in text
    assert "2025-01-16" not in text

    hidden = model_band(model=demo, visible_request_ids=set())
    assert hidden["requests"] == [] and hidden["level"]["name"] == "High"  # GLM-5's own register, not a request's

    llama = model_band(model=AIModel.objects.get(slug="llama-4"))  # its licence's use policy, on its request
    assert llama["exposure"] == [] and llama["level"]["from_request"] == llama_request_id()
    deepseek_v3 = model_band(model=AIModel.objects.get(slug="deepseek-v3"))  # no request, no item of its own
    assert deepseek_v3["level"] is None and "Not assessed" in _text(deepseek_v3)
    assert "No organisation in the supply chain is on a list" in _text(deepseek_v3)

    glm45 = model_band(model=AIModel.objects.get(slug="glm-4-5"))
    assert glm45["level"]["from_request"] == glm45["requests"][0]["id"]  # no own level: the request's

    assert model_band(model=demo, as_of=datetime.date(2020, 1, 1)) is None


def llama_request_id() -> int:
    from riskreg.register.models import AdoptionRequest

    return AdoptionRequest.objects.get(model__slug="llama-4").pk
