"""Hugging Face model cards in: by command and API, hardware_used to an accelerator claim, and what is refused."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from models_catalog.interchange import InterchangeError
from models_catalog.interchange.modelcard import model_card_import
from models_catalog.models import AIModel, EvidenceSource, ProvenanceClaim
from tests.models_catalog.conftest import uploaded

CARD = """---
license: mit
base_model: zai-org/GLM-4.5-Base
datasets:
  - HuggingFaceFW/fineweb
  - bigcode/the-stack-v2
model-index:
  - name: GLM-5-Air
    results: []
co2_eq_emissions:
  emissions: 1200000
  hardware_used: 512 Ascend 910B
  geographical_location: Beijing, China
---
# GLM-5-Air

A smaller GLM-5.
"""


def card(text: str = CARD) -> bytes:
    return text.encode()


def test_a_card_becomes_a_model_with_developer_stated_claims_sourced_to_the_card(catalog):
    result = model_card_import(data=card(), source_name="README.md", developer="Zhipu AI")

    model = AIModel.objects.get(slug="glm-5-air")
    assert result.model_outcome == "created" and result.claims_created == 5
    assert model.licence == "MIT" and model.developer.short_name == "Zhipu AI" and model.weights == "open"
    claims = {c.subject + ":" + c.value: c for c in model.claims.all()}
    assert set(claims) == {
        "other:base model: zai-org/GLM-4.5-Base",
        "training_data:HuggingFaceFW/fineweb",
        "training_data:bigcode/the-stack-v2",
        "training_location:Beijing, China",
        "training_hardware:512 Ascend 910B",
    }
    hardware = claims["training_hardware:512 Ascend 910B"]
    assert str(hardware.accelerator) == "Huawei Ascend 910B"
    assert hardware.confidence == "developer_stated"
    assert hardware.source.kind == EvidenceSource.Kind.MODEL_CARD
    assert result.hardware_accelerator == "Huawei Ascend 910B"


def test_hardware_the_catalog_does_not_know_stays_as_text(catalog):
    text = CARD.replace("512 Ascend 910B", "384 A100 80GB GPUs")

    result = model_card_import(data=card(text), developer="Zhipu AI")

    claim = ProvenanceClaim.objects.get(model__slug="glm-5-air", subject="training_hardware")
    assert claim.value == "384 A100 80GB GPUs" and claim.accelerator is None
    assert result.notes == ["hardware_used '384 A100 80GB GPUs' names no accelerator in the catalog; kept as text"]


def test_a_card_for_a_model_in_the_catalog_updates_it_and_h800_is_recognised(catalog):
    text = "---\nlicense: apache-2.0\nco2_eq_emissions:\n  hardware_used: H800\n---\n"

    result = model_card_import(data=card(text), name="DeepSeek-V3")

    model = AIModel.objects.get(slug="deepseek-v3")
    assert result.model_outcome == "updated" and model.licence == "Apache-2.0"
    assert str(model.claims.get(subject="training_hardware", value="H800").accelerator) == "Nvidia H800"


def test_importing_the_same_card_again_changes_nothing(catalog):
    model_card_import(data=card(), developer="Zhipu AI")
    counts = (AIModel.objects.count(), ProvenanceClaim.objects.count(), EvidenceSource.objects.count())
    history = ProvenanceClaim.history.count() + AIModel.history.count()

    result = model_card_import(data=card(), developer="Zhipu AI")

    assert not result.changed
    assert (AIModel.objects.count(), ProvenanceClaim.objects.count(), EvidenceSource.objects.count()) == counts
    assert ProvenanceClaim.history.count() + AIModel.history.count() == history


def snapshot() -> tuple[int, int, int]:
    return AIModel.objects.count(), ProvenanceClaim.objects.count(), EvidenceSource.objects.count()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("---\nlicense: mit\ndatasets: [a, b\n---\n", "README.md, line 4, column 1: broken YAML: "),
        ("---\nlicense: wtfpl-but-nicer\n---\n", "license: 'wtfpl-but-nicer' is not a known licence id"),
        ("---\nlicense: other\n---\n", "license is 'other' but the card gives no license_name"),
        ("# GLM-5-Air\nNo metadata.\n", "no YAML front matter"),
        ("---\n- just\n- a list\n---\n", "the front matter is not a mapping"),
        (CARD.replace("model-index:\n  - name: GLM-5-Air\n    results: []\n", ""), "give --name"),
    ],
)
def test_a_bad_card_is_refused_whole_with_the_problem_named(catalog, text, message):
    before = snapshot()
    with pytest.raises(InterchangeError) as refused:
        model_card_import(data=card(text), source_name="README.md", developer="Zhipu AI")
    assert message in str(refused.value)
    assert snapshot() == before


def test_a_new_model_needs_a_developer_the_register_knows(catalog):
    before = snapshot()
    with pytest.raises(InterchangeError, match="does not say who developed it"):
        model_card_import(data=card())
    with pytest.raises(InterchangeError, match="developer 'Nobody Inc.' is not an organisation in the register"):
        model_card_import(data=card(), developer="Nobody Inc.")
    assert snapshot() == before


def test_import_model_card_command(catalog, tmp_path):
    path = tmp_path / "README.md"
    path.write_bytes(card())
    out = io.StringIO()
    call_command("import_model_card", str(path), "--developer", "Zhipu AI", "--json", stdout=out)
    assert json.loads(out.getvalue())["hardware_accelerator"] == "Huawei Ascend 910B"
    out = io.StringIO()
    call_command("import_model_card", str(path), "--developer", "Zhipu AI", stdout=out)
    assert "nothing changed" in out.getvalue()
    path.write_bytes(b"---\nlicense: [\n---\n")
    with pytest.raises(CommandError, match=r"broken YAML(.|\n)*Nothing was imported"):
        call_command("import_model_card", str(path), "--name", "X", stdout=io.StringIO())


def upload(client, content: bytes, **fields):
    return client.post("/api/interchange/model-card/", {"file": io.BytesIO(content), **fields}, format="multipart")


def test_legal_uploads_a_card_through_the_api_and_a_worker_imports_it(catalog, as_user, legal):
    client = as_user(legal)
    accepted = upload(client, card(), developer="Zhipu AI")
    assert accepted.json()["options"] == {"developer": "Zhipu AI"}

    first = uploaded(client, accepted)
    again = uploaded(client, upload(client, card(), developer="Zhipu AI"))

    assert (first["status"], first["result"]["model"], first["result"]["changed"]) == ("done", "glm-5-air", True)
    assert (again["status"], again["result"]["changed"]) == ("done", False)


def test_a_bad_card_upload_ends_as_a_failed_job_and_nothing_is_imported(catalog, as_user, legal):
    before = snapshot()
    client = as_user(legal)
    job = uploaded(client, upload(client, card("---\nlicense: not-a-licence\n---\n"), name="X", developer="Zhipu AI"))
    assert job["status"] == "failed"
    assert "'not-a-licence' is not a known licence id" in job["error"]
    assert snapshot() == before


def test_auditors_and_requesters_cannot_upload_cards(catalog, as_user, auditor, requester):
    before = snapshot()
    assert upload(as_user(auditor), card(), developer="Zhipu AI").status_code == 403
    assert upload(as_user(requester), card(), developer="Zhipu AI").status_code == 403
    assert snapshot() == before
