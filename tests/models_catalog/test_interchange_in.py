"""Interchange that takes what others write (issue 27): the CycloneDX specification's own ML-BOM, a real Hugging Face
card from a developer the register does not know, each in one command, shown on the dossier with their sources;
every import says in one sentence what it did."""

from __future__ import annotations

import copy
import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from models_catalog.interchange import InterchangeError
from models_catalog.interchange.cyclonedx import bom_import
from models_catalog.interchange.modelcard import model_card_import
from models_catalog.models import AIModel, Organisation, ProvenanceClaim
from tests.models_catalog.conftest import uploaded

DATA = Path(__file__).resolve().parent.parent / "data" / "interchange"
SPEC_EXAMPLE = DATA / "valid-machine-learning-1.6.json"  # CycloneDX/specification, tools/src/test/resources/1.6
AIRA_CARD = DATA / "nicholasKluge--Aira-2-portuguese-1B7.md"  # huggingface.co/nicholasKluge/Aira-2-portuguese-1B7
AIRA_REPO = "nicholasKluge/Aira-2-portuguese-1B7"


def spec_example(**changes) -> bytes:
    document = json.loads(SPEC_EXAMPLE.read_bytes())
    component = document["components"][0]
    for key, value in changes.items():
        if value is None:
            component.pop(key, None)
        else:
            component[key] = value
    return json.dumps(document).encode()


def command(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_the_specifications_example_is_refused_without_a_country_saying_whose_and_how_to_give_it(db):
    with pytest.raises(InterchangeError) as refused:
        bom_import(data=SPEC_EXAMPLE.read_bytes(), source_name="spec.json")

    message = str(refused.value)
    assert "developer 'Acme Inc' (from the component's publisher) is not in the register" in message
    assert "--developer-country CC" in message and "--developer NAME" in message
    assert not AIModel.objects.exists() and not Organisation.objects.exists()


def test_the_specifications_example_imports_in_one_command_with_its_dataset_and_model_card_facts(db, legal, client):
    said = command("import_bom", str(SPEC_EXAMPLE), "--developer-country", "US")

    model = AIModel.objects.get(name="stable-diffusion")
    assert model.developer.name == "Acme Inc" and model.developer.country == "US" and model.version == "1.4"
    assert model.licence == "NOASSERTION"  # the example declares none
    assert "From the BOM's model card: task: task goes here. approach: supervised." in model.description
    assert "use cases: " in model.description and "Text-to-image generation for creative applications" in (
        model.description
    )
    claims = {(c.subject, c.value): c for c in model.claims.all()}
    assert set(claims) == {("training_data", "Training Data"), ("other", "developer: Acme Inc")}
    dataset = claims[("training_data", "Training Data")]
    assert [s.url for s in dataset.all_sources()] == ["", "https://example.com/path/to/dataset"]
    assert dataset.notes == "Classification: public."
    developer = claims[("other", "developer: Acme Inc")]
    assert developer.confidence == ProvenanceClaim.Confidence.UNVERIFIED
    assert developer.statement == "stable-diffusion was developed by Acme Inc: taken from the component's publisher."
    assert said.splitlines()[0] == (
        "components/0 stable-diffusion: model stable-diffusion created; developer Acme Inc (created and queued for "
        "screening, from the component's publisher); 2 claims created, 0 updated."
    )

    again = command("import_bom", str(SPEC_EXAMPLE), "--developer-country", "US")

    assert again.splitlines()[-1].endswith("nothing changed")
    assert "model stable-diffusion unchanged; developer Acme Inc (in the register" in again
    client.force_login(legal)
    page = client.get("/models/stable-diffusion/").content.decode()
    assert "Acme Inc" in page and "Training Data" in page and "https://example.com/path/to/dataset" in page


def test_the_importer_names_the_developer_when_the_bom_does_not_and_the_refusal_hints_at_the_group(db):
    nobody = spec_example(publisher=None)

    with pytest.raises(InterchangeError, match=r"names no developer.*its group is 'CompVis'.*--developer NAME"):
        bom_import(data=nobody, source_name="spec.json")
    result = bom_import(data=nobody, source_name="spec.json", developer="CompVis", developer_country="de")

    model = AIModel.objects.get(name="stable-diffusion")
    assert (model.developer.name, model.developer.country) == ("CompVis", "DE")
    assert result.organisations_created == ["CompVis"]
    claim = model.claims.get(subject="other")
    assert claim.statement.endswith("taken from the importer (--developer).")


@pytest.mark.parametrize(
    ("changes", "metadata", "developer", "taken_from"),
    [
        ({"manufacturer": {"name": "CompVis", "address": {"country": "DE"}}}, {}, "CompVis", None),
        ({"authors": [{"email": "x@example.com"}, {"name": "Robin Rombach"}]}, {}, "Robin Rombach", "authors"),
        ({"author": "Patrick Esser"}, {}, "Patrick Esser", "author"),
        ({"publisher": None}, {"supplier": {"name": "Stability AI Ltd"}}, "Stability AI Ltd", "metadata"),
    ],
)
def test_the_developer_is_read_where_writers_put_it(db, changes, metadata, developer, taken_from):
    document = json.loads(spec_example(**changes))
    document["metadata"] = metadata
    if "manufacturer" in changes or "authors" in changes or "author" in changes:
        document["components"][0].pop("publisher")

    bom_import(data=json.dumps(document).encode(), source_name="bom.json", developer_country="GB")

    model = AIModel.objects.get(name="stable-diffusion")
    assert model.developer.name == developer
    recorded = model.claims.filter(subject="other", value=f"developer: {developer}").first()
    if taken_from is None:  # the standard's own field for the maker: nothing to check
        assert recorded is None
    else:
        assert taken_from in recorded.statement


def test_an_upload_through_the_api_takes_the_developer_and_its_country(as_user, legal, db):
    client = as_user(legal)
    response = client.post(
        "/api/interchange/cyclonedx/",
        {"file": io.BytesIO(SPEC_EXAMPLE.read_bytes()), "developer_country": "US"},
        format="multipart",
    )

    job = uploaded(client, response)

    assert job["status"] == "done" and job["result"]["organisations_created"] == ["Acme Inc"]
    assert job["result"]["messages"][0].startswith("components/0 stable-diffusion: model stable-diffusion created")


def test_a_real_card_from_an_unknown_developer_is_refused_with_the_exact_command_then_imports_in_one_step(
    db, legal, client
):
    with pytest.raises(CommandError) as refused:
        command("import_model_card", str(AIRA_CARD), "--repo", AIRA_REPO)

    assert f"--repo {AIRA_REPO} --developer-country CC" in str(refused.value)
    assert not AIModel.objects.exists() and not Organisation.objects.exists()

    said = command("import_model_card", str(AIRA_CARD), "--repo", AIRA_REPO, "--developer-country", "DE")

    model = AIModel.objects.get(slug="aira-2-portuguese-1b7")
    assert model.name == "Aira-2-portuguese-1B7" and model.licence == "LicenseRef-BigScience-BLOOM-RAIL-1.0"
    assert (model.developer.name, model.developer.country) == ("nicholasKluge", "DE")
    assert model.developer.website == "https://huggingface.co/nicholasKluge"
    assert {(c.subject, c.value) for c in model.claims.all()} == {
        ("other", "developer: nicholasKluge"),
        ("other", "base model: bigscience/bloom-1b7"),
        ("training_data", "nicholasKluge/instruct-aira-dataset"),
        ("training_location", "Singapore"),
        ("training_hardware", "NVIDIA A100-SXM4-40GB"),
    }
    assert said.splitlines()[0] == (
        "Aira-2-portuguese-1B7: model aira-2-portuguese-1b7 created; developer nicholasKluge (created and queued "
        f"for screening, from the Hugging Face repository id {AIRA_REPO}); 5 claims created, 0 updated."
    )
    assert "nothing changed" in command(
        "import_model_card", str(AIRA_CARD), "--repo", AIRA_REPO, "--developer-country", "DE"
    )
    client.force_login(legal)
    page = client.get("/models/aira-2-portuguese-1b7/").content.decode()
    assert "NVIDIA A100-SXM4-40GB" in page and "Model card of Aira-2-portuguese-1B7" in page


def test_a_card_uploaded_with_its_repository_id_through_the_api(as_user, legal, db):
    client = as_user(legal)
    response = client.post(
        "/api/interchange/model-card/",
        {"file": io.BytesIO(AIRA_CARD.read_bytes()), "repo": AIRA_REPO, "developer_country": "DE"},
        format="multipart",
    )

    job = uploaded(client, response)

    assert job["status"] == "done" and job["result"]["developer_created"] is True
    assert job["result"]["message"].startswith("Aira-2-portuguese-1B7: model aira-2-portuguese-1b7 created")
    bad = client.post(
        "/api/interchange/model-card/", {"file": io.BytesIO(b"---\n---\n"), "repo": "not a repo"}, format="multipart"
    )
    assert bad.status_code == 400 and "repo" in bad.json()


def test_a_card_names_an_existing_organisation_by_its_repository_owner(db):
    Organisation.objects.create(name="nicholasKluge", country="BR")
    text = copy.copy(AIRA_CARD.read_bytes())

    result = model_card_import(data=text, source_name="README.md", repo=AIRA_REPO)

    assert result.developer == "nicholasKluge" and result.developer_created is False
    assert AIModel.objects.get().developer.country == "BR"


def test_the_boms_own_authors_are_not_the_models_developer(db):
    """Review finding: metadata.authors are the BOM's writers (a consultant); they were taken as the developer."""
    document = json.loads(spec_example(publisher=None))
    document["metadata"] = {"authors": [{"name": "Jane Doe"}]}

    with pytest.raises(InterchangeError, match="names no developer"):
        bom_import(data=json.dumps(document).encode(), source_name="bom.json", developer_country="GB")


def test_a_publisher_only_suggests_another_developer_for_a_model_already_in_the_register(db):
    stability = Organisation.objects.create(name="Stability AI Ltd", country="GB")
    model = AIModel.objects.create(
        name="stable-diffusion", family="SD", developer=stability, licence="NOASSERTION", weights="open"
    )

    result = bom_import(data=SPEC_EXAMPLE.read_bytes(), source_name="spec.json")  # publisher: Acme Inc

    model.refresh_from_db()
    assert model.developer == stability and not Organisation.objects.filter(name="Acme Inc").exists()
    assert model.claims.get(subject="other").value == "developer: Acme Inc"  # recorded, to check
    assert "developer Stability AI Ltd kept (the component's publisher names Acme Inc" in result.messages[0]
    named = bom_import(
        data=SPEC_EXAMPLE.read_bytes(), source_name="spec.json", developer="Acme Inc", developer_country="US"
    )
    model.refresh_from_db()
    assert model.developer.name == "Acme Inc" and named.organisations_created == ["Acme Inc"]  # the importer decides
