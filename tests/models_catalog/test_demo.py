"""`load_demo` gives a working register, and running it twice changes nothing."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from models_catalog.models import AIModel, Organisation
from models_catalog.selectors import supply_chain
from riskreg.core import demo as demo_users


def _load(*, memos: bool = False) -> str:
    """The demo as `make run` loads it; without the demo memo's PDF unless the test is about the whole command
    (these tests read the catalog and the users; tests/reports/test_demo.py is about the memo)."""
    out = io.StringIO()
    call_command("load_demo", *([] if memos else ["--without-memos"]), stdout=out)
    return out.getvalue()


def test_demo_has_glm5_with_the_facts_of_the_fact_sheet(db, monkeypatch):
    monkeypatch.setenv("RISKREG_DEMO_PASSWORD", "a-demo-password-1")
    _load()

    glm5 = AIModel.objects.get(slug="glm-5")
    assert glm5.developer.short_name == "Zhipu AI"
    assert (glm5.parameters_total, glm5.parameters_active) == (744_000_000_000, 40_000_000_000)
    assert glm5.training_tokens == 28_500_000_000_000
    assert glm5.licence == "MIT"
    assert set(AIModel.objects.values_list("slug", flat=True)) >= {
        "glm-5",
        "glm-5-1",
        "glm-4-5",
        "deepseek-v3",
        "deepseek-v4",
        "llama-4",
        "qwen3",
    }
    assert User.objects.get(username="legal").check_password("a-demo-password-1")


def test_glm5_supply_chain_reaches_huawei_and_zhipu_affiliates(db):
    _load()

    chain = {link.organisation.name: link.role for link in supply_chain(model=AIModel.objects.get(slug="glm-5"))}

    assert chain["Huawei Technologies Co., Ltd."] == "chip_vendor"
    assert chain["Beijing Zhipu Future Technology Co., Ltd."] == "affiliate"


def test_running_the_demo_twice_changes_nothing(db):
    _load(memos=True)
    history_rows = sum(model.history.count() for model in (AIModel, Organisation))

    second = _load(memos=True)

    assert "0 rows created, 0 updated" in second
    assert sum(model.history.count() for model in (AIModel, Organisation)) == history_rows


def test_without_a_demo_password_one_is_generated_and_printed_once(db, monkeypatch):
    monkeypatch.delenv("RISKREG_DEMO_PASSWORD", raising=False)

    first = _load()
    second = _load()

    assert "password (shown once)" in first
    assert "shown once" not in second


def test_a_chosen_demo_password_applies_to_demo_users_that_already_exist(db, monkeypatch):
    """Found in review: `make run`, then `RISKREG_DEMO_PASSWORD=... make run` left the random password."""
    monkeypatch.delenv("RISKREG_DEMO_PASSWORD", raising=False)
    _load()
    monkeypatch.setenv("RISKREG_DEMO_PASSWORD", "choose-a-password")

    _load()

    assert User.objects.get(username="legal").check_password("choose-a-password")
    assert User.objects.get(username="admin").check_password("choose-a-password")


@pytest.mark.parametrize(
    ("password", "rule"),
    [("a", "too short"), ("password123", "too common")],
)
def test_a_demo_password_that_breaks_the_password_rules_is_refused_and_nothing_is_created(
    db, monkeypatch, password, rule
):
    monkeypatch.setenv("RISKREG_DEMO_PASSWORD", password)

    with pytest.raises(CommandError, match=f"RISKREG_DEMO_PASSWORD is refused by the password rules: .*{rule}"):
        _load()

    assert not User.objects.exists()


def test_a_weak_demo_password_never_replaces_the_existing_ones(db, monkeypatch):
    monkeypatch.setenv("RISKREG_DEMO_PASSWORD", "a-demo-password-1")
    demo_users.load(stdout=io.StringIO())
    monkeypatch.setenv("RISKREG_DEMO_PASSWORD", "a")

    with pytest.raises(CommandError, match="too short"):
        demo_users.load(stdout=io.StringIO())

    assert User.objects.get(username="admin").check_password("a-demo-password-1")


def test_load_demo_runs_again_after_a_demo_model_is_renamed_and_keeps_the_new_name(db):
    _load()
    glm5 = AIModel.objects.get(slug="glm-5")
    glm5.name = "GLM-5 (Zhipu AI)"
    glm5.save()
    models_before = AIModel.objects.count()

    second = _load()

    assert "0 rows created, 0 updated" in second
    assert AIModel.objects.count() == models_before
    assert AIModel.objects.get(slug="glm-5").name == "GLM-5 (Zhipu AI)"
