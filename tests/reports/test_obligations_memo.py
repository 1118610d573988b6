"""A request memo shows the obligations of its use on the decision date, ours and the developer's, and a model memo
the obligations on the date of its data by holder (template memo-6); the snapshot carries them, so a re-render is
reproducible; memos made with memo-4 keep verifying byte for byte."""

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

GPAI = "The developer keeps technical documentation of the model"


@pytest.fixture
def demo(demo_register, db):
    """The demo register, built once for the module (tests/conftest.py)."""


def _text(memo: Memo) -> str:
    return " ".join(pdf_text(memo_pdf_path(memo=memo).read_bytes()).split())


def test_a_request_memo_shows_the_obligations_of_its_use_on_the_decision_date_and_those_ahead(demo, legal):
    request = AdoptionRequest.objects.get(model__slug="qwen3", state="approved")  # internal use in the EU
    request.decided_at = timezone.make_aware(datetime.datetime(2025, 6, 1, 10))
    request.save()

    memo = memo_generate_now(kind=Memo.Kind.REQUEST, request=request, user=legal)

    assert memo.template_version == TEMPLATE_VERSION == "memo-7"
    assert memo.snapshot["use_obligations"]["on"] == "2025-06-01"
    text = _text(memo)
    ours = text[text.index("Our obligations for this use, on 1 Jun 2025") : text.index("The developer's obligations")]
    assert "European Union, since 2 Feb 2025: Use it for no practice the AI Act prohibits" in ours
    assert "Applies because it will be used in the European Union; our role: deployer." in ours
    assert "European Union, from 2 Dec 2026: Use it to make no intimate images" in ours  # not yet in force then
    developer = text[text.index("The developer's obligations we rely on") :]
    # Qwen3 was placed on the market on 29 Apr 2025, before 2 Aug 2025: its GPAI duties apply from 2 Aug 2027.
    assert "released 29 Apr 2025, before 2 Aug 2025: applies from 2 Aug 2027" in developer
    assert "Exempt: released with open weights under Apache-2.0" in developer
    assert "Obligations of the use 3 ours, 3 of the developer, on 1 Jun 2025; next: 2 Dec 2026 (EU)" in text


def test_a_model_memo_shows_the_obligations_on_the_date_of_its_data_by_holder_with_numbered_sources(demo, legal):
    memo = memo_generate_now(kind=Memo.Kind.MODEL, model=AIModel.objects.get(slug="glm-5"), user=legal)

    obligations = memo.snapshot["obligations"]
    assert obligations["on"] == timezone.now().date().isoformat() and obligations["basis"] == "data"
    text = _text(memo)
    assert "European Union, since 2 Feb 2025: Use it for no practice the AI Act prohibits" in text
    assert "Ours; reaches it because it may be used in the European Union." in text
    # GLM-5 was released in Feb 2026 under MIT: the developer's documentation duty is exempt (Art. 53(2))
    assert (
        "The developer's duty; reaches it because it may be used in the European Union; exempt: released with " in text
    )
    assert "A rule on the supply chain; reaches it because Huawei Technologies Co., Ltd. is in its supply chain" in text
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
