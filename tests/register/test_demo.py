"""The demo fills every queue, and loading it twice writes nothing the second time."""

from __future__ import annotations

import io

import pytest

from models_catalog.models import AIModel, Organisation
from riskreg.register import demo
from riskreg.register.models import AdoptionRequest, RequestEvent, RiskItem, SignOff
from tests.reactions import material_changes_apply_all


@pytest.fixture
def demo_catalog(glm5, llama4, zhipu, entity_listed, bis_guidance):
    deepseek = Organisation.objects.create(name="Hangzhou DeepSeek", short_name="DeepSeek", country="CN")
    alibaba = Organisation.objects.create(name="Alibaba Cloud Computing Co., Ltd.", country="CN")
    AIModel.objects.create(name="DeepSeek-V4", family="DeepSeek", developer=deepseek, licence="MIT", weights="open")
    AIModel.objects.create(name="GLM-4.5", family="GLM", developer=zhipu, licence="MIT", weights="open")
    AIModel.objects.create(name="Qwen3", family="Qwen", developer=alibaba, licence="Apache-2.0", weights="open")


def test_the_demo_fills_every_queue(demo_catalog, requester, legal, security, procurement):
    out = io.StringIO()

    demo.load(stdout=out)

    states = sorted(AdoptionRequest.objects.values_list("model__slug", "state"))
    assert states == [
        ("deepseek-v4", "rejected"),
        ("glm-4-5", "reopened"),
        ("glm-5", "draft"),
        ("glm-5", "in_review"),
        ("glm-5", "in_review"),
        ("llama-4", "approved"),
        ("qwen3", "approved"),
    ]
    coding, chatbot, cv = AdoptionRequest.objects.filter(model__slug="glm-5").order_by("pk")
    assert (coding.use_case_area, coding.access, coding.jurisdictions) == ("general", "self_hosted", ["EU", "US"])
    assert (chatbot.access, chatbot.users, chatbot.data_to) == ("developer_api", "customers", "CN")
    assert (cv.use_case_area, cv.modification) == ("employment", "fine_tuning")
    items = RiskItem.objects.filter(request=coding)
    assert items.count() == 5
    assert all(i.status == "accepted" and i.residual_likelihood and i.assessed_by == legal for i in items)
    assert SignOff.objects.get(request=coding).conditions == demo.GLM5_CONDITIONS
    assert [c.text for c in coding.conditions.all()] == [
        "Self-hosted only.",
        "No support contract or payment to Zhipu AI or its affiliates.",
    ]
    llama = AdoptionRequest.objects.get(model__slug="llama-4")
    assert llama.requester == requester
    assert set(SignOff.objects.filter(request=llama).values_list("signer__username", flat=True)) == {
        "legal",
        "security",
        "procurement",
    }


def test_loading_the_demo_twice_writes_nothing_the_second_time(demo_catalog, requester, legal, security, procurement):
    demo.load(stdout=io.StringIO())
    before = (
        AdoptionRequest.objects.count(),
        SignOff.objects.count(),
        RiskItem.objects.count(),
        RequestEvent.objects.count(),
    )
    out = io.StringIO()

    demo.load(stdout=out)

    assert (
        AdoptionRequest.objects.count(),
        SignOff.objects.count(),
        RiskItem.objects.count(),
        RequestEvent.objects.count(),
    ) == before
    assert "present" in out.getvalue()


def test_the_demo_skips_what_the_catalog_lacks(requester, legal, security, procurement):
    out = io.StringIO()

    demo.load(stdout=out)

    assert AdoptionRequest.objects.count() == 0
    assert "llama-4 is not in the catalog" in out.getvalue()


def test_the_catalogs_changes_applied_after_the_demo_leave_its_requests_as_loaded(
    demo_catalog, requester, legal, security, procurement
):
    """The catalog's claims and statuses are material changes recorded before the demo's requests; the worker
    applies them after `load_demo` (make run starts it last): the requests filed since stay as the demo made them."""
    demo.load(stdout=io.StringIO())
    states = dict(AdoptionRequest.objects.values_list("model__slug", "state"))
    events = RequestEvent.objects.count()

    assert material_changes_apply_all()  # the fixtures' claims and guidance statuses

    assert dict(AdoptionRequest.objects.values_list("model__slug", "state")) == states
    assert RequestEvent.objects.count() == events
