"""The memo shows the obligations in force on the decision date and the next dates ahead (template memo-5); the
snapshot carries them, so a re-render is reproducible; memos made with memo-4 keep verifying byte for byte."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from models_catalog.models import AIModel, Obligation
from reports.models import Memo
from reports.services import memo_generate_now, memo_pdf_path, memo_verify
from reports.services.render import pdf_text
from reports.services.versions import TEMPLATE_VERSION
from riskreg.register.models import AdoptionRequest

GPAI = "Obligations for providers of general-purpose AI models"


@pytest.fixture
def demo(demo_register, db):
    """The demo register, built once for the module (tests/conftest.py)."""


def _text(memo: Memo) -> str:
    return " ".join(pdf_text(memo_pdf_path(memo=memo).read_bytes()).split())


def test_a_request_memo_shows_the_obligations_in_force_on_the_decision_date_and_the_next_dates_ahead(demo, legal):
    request = AdoptionRequest.objects.get(model__slug="llama-4", state="approved")
    request.decided_at = timezone.make_aware(datetime.datetime(2025, 6, 1, 10))
    request.save()

    memo = memo_generate_now(kind=Memo.Kind.REQUEST, request=request, user=legal)

    assert memo.template_version == TEMPLATE_VERSION == "memo-5"
    obligations = memo.snapshot["obligations"]
    assert obligations["on"] == "2025-06-01" and obligations["basis"] == "decision"
    text = _text(memo)
    assert "Obligations in force on 1 Jun 2025 (the decision date)" in text
    assert "European Union, since 2 Feb 2025: Prohibited AI practices and AI literacy" in text
    ahead = text[text.index("Next dates ahead") :]
    # Llama 4 was placed on the market on 5 Apr 2025, before 2 Aug 2025: its GPAI duties apply from 2 Aug 2027.
    assert f"2 Aug 2027, European Union: {GPAI}" in ahead
    assert "released 5 Apr 2025, before 2 Aug 2025: applies from 2 Aug 2027" in ahead
    assert "2 Aug 2026, European Union: Most remaining provisions" in ahead
    assert "Obligations 2 in force on 1 Jun 2025 (the decision date); next: 2 Aug 2026 (EU), 2 Aug 2027 (EU)" in text


def test_a_model_memo_shows_the_obligations_on_the_date_of_its_data_with_numbered_sources(demo, legal):
    memo = memo_generate_now(kind=Memo.Kind.MODEL, model=AIModel.objects.get(slug="glm-5"), user=legal)

    obligations = memo.snapshot["obligations"]
    assert obligations["on"] == timezone.now().date().isoformat() and obligations["basis"] == "data"
    text = _text(memo)
    assert f"European Union, since 2 Aug 2025: {GPAI}" in text  # GLM-5 was released in Feb 2026
    assert "United States, since 13 May 2025: BIS guidance" in text
    bis = next(o for o in obligations["in_force"] if o["jurisdiction"] == "US" and "Prohibition" in o["what"])
    source = next(s for s in memo.snapshot["sources"] if s["n"] == bis["source_n"])
    assert source["title"].startswith("Guidance on the use of Huawei Ascend")


def test_the_snapshot_carries_the_obligations_so_a_rerender_is_the_same_after_the_data_changes(demo, legal):
    memo = memo_generate_now(kind=Memo.Kind.MODEL, model=AIModel.objects.get(slug="glm-5"), user=legal)
    Obligation.objects.filter(applies_from=datetime.date(2025, 8, 2)).update(what="Something else entirely")

    result = memo_verify(memo=memo)

    assert result["ok"] and result["rerender_identical"], result["problems"]
    assert GPAI in _text(memo)


def test_a_memo_made_with_template_memo_4_still_verifies(demo, legal, monkeypatch):
    import reports.services.versions

    monkeypatch.setattr(reports.services.versions, "TEMPLATE_VERSION", "memo-4")
    memo = memo_generate_now(kind=Memo.Kind.MODEL, model=AIModel.objects.get(slug="glm-5"), user=legal)
    monkeypatch.undo()

    result = memo_verify(memo=memo)

    assert memo.template_version == "memo-4" != TEMPLATE_VERSION
    assert result["ok"] and result["rerender_identical"], result["problems"]
    assert "Obligations in force" not in _text(memo)  # memo-4's layout
