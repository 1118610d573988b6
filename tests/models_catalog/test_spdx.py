"""SPDX 3.0.1 AI profile: GLM-5 as an ai_AIPackage, read back by the SPDX bindings; datasets as trainedOn; the
document imported again, whole (issue 27)."""

from __future__ import annotations

import copy
import io
import json

import pytest
from django.core.management import call_command

from models_catalog.interchange import InterchangeError
from models_catalog.interchange.modelcard import model_card_import
from models_catalog.interchange.spdx import model_spdx_export, spdx_import, spdx_validate
from models_catalog.models import AIModel, ProvenanceClaim
from tests.models_catalog.conftest import uploaded
from tests.models_catalog.test_cyclonedx import empty_register


def of_type(document: dict, kind: str) -> list[dict]:
    return [item for item in document["@graph"] if item["type"] == kind]


def test_glm5_is_an_ai_package_supplied_by_its_developer_with_training_information(catalog):
    document = model_spdx_export(model=catalog)

    assert spdx_validate(document) == []
    (package,) = of_type(document, "ai_AIPackage")
    (developer,) = [o for o in of_type(document, "Organization") if o["spdxId"] == package["suppliedBy"]]
    assert developer["name"] == "Beijing Zhipu Huazhang Technology Co., Ltd."
    assert package["releaseTime"] == "2026-02-01T00:00:00Z"
    assert package["ai_typeOfModel"] == ["Mixture of experts with DeepSeek Sparse Attention"]
    assert "Huawei Ascend (entirely) (reported, unconfirmed by developer)" in package["ai_informationAboutTraining"]
    assert "6.84e+24 FLOP (an estimate)" in package["ai_informationAboutTraining"]
    assert "trained entirely on Huawei Ascend chips" in package["ai_limitation"]
    assert "ai_safetyRiskAssessment" not in package  # not assessed by the register: left out, not guessed
    (licence,) = of_type(document, "simplelicensing_LicenseExpression")
    assert licence["simplelicensing_licenseExpression"] == "MIT"
    assert of_type(document, "CreationInfo")[0]["specVersion"] == "3.0.1"


def test_training_datasets_become_trained_on_relationships(catalog):
    card = b"---\nlicense: mit\ndatasets: [HuggingFaceFW/fineweb]\n---\n"
    model_card_import(data=card, name="GLM-5")

    document = model_spdx_export(model=AIModel.objects.get(slug="glm-5"))

    assert spdx_validate(document) == []
    (dataset,) = of_type(document, "dataset_DatasetPackage")
    assert dataset["name"] == "HuggingFaceFW/fineweb"
    (trained,) = [r for r in of_type(document, "Relationship") if r["relationshipType"] == "trainedOn"]
    assert trained["to"] == [dataset["spdxId"]]
    assert "dataset" in of_type(document, "SpdxDocument")[0]["profileConformance"]


def test_the_validator_names_what_is_wrong(catalog):
    document = model_spdx_export(model=catalog)
    broken = copy.deepcopy(document)
    of_type(broken, "ai_AIPackage")[0]["releaseTime"] = "February 2026"
    assert spdx_validate(broken) == ["'February 2026' is not a correctly formatted datetime"]
    broken = copy.deepcopy(document)
    del of_type(broken, "CreationInfo")[0]["specVersion"]
    assert "'specVersion' in CreationInfo" in spdx_validate(broken)[0]


def test_spdx_by_api_and_command(catalog, as_user, auditor, outsider, tmp_path):
    response = as_user(auditor).get("/api/models/glm-5/spdx/")
    assert response.status_code == 200 and response["Content-Type"] == "application/spdx+json"
    assert spdx_validate(json.loads(response.content)) == []
    assert as_user(outsider).get("/api/models/glm-5/spdx/").status_code == 403
    target = tmp_path / "glm-5.spdx.json"
    call_command("export_bom", "glm-5", "--format", "spdx", "--output", str(target), stdout=io.StringIO())
    assert spdx_validate(json.loads(target.read_text())) == []


def counted(document: dict) -> dict:
    """What a document holds, counted: AI packages, datasets, claims (the register's claim annotations)."""
    return {
        "packages": len(of_type(document, "ai_AIPackage")),
        "datasets": len(of_type(document, "dataset_DatasetPackage")),
        "claims": len(of_type(document, "Annotation")),
    }


def claims_in_register() -> list[tuple]:
    return sorted(
        (c.subject, c.value, c.confidence, c.country, c.accelerator.product if c.accelerator else "", c.statement)
        for c in ProvenanceClaim.objects.filter(model__slug="glm-5").select_related("accelerator__vendor")
    )


def test_glm5_round_trips_spdx_register_spdx_through_an_empty_register_and_again_changes_nothing(catalog):
    document = model_spdx_export(model=catalog)
    before = claims_in_register()
    facts = {f: getattr(catalog, f) for f in ("name", "family", "version", "parameters_total", "training_tokens")}
    empty_register()

    result = spdx_import(data=json.dumps(document).encode(), source_name="glm-5.spdx.json")

    model = AIModel.objects.get(slug="glm-5")
    assert result.models_created == ["glm-5"] and model.developer.country == "CN"
    assert {f: getattr(model, f) for f in facts} == facts and model.licence == "MIT"
    assert claims_in_register() == before  # every claim: subject, value, confidence, country, chip, statement
    hardware = model.claims.get(subject="training_hardware")
    assert hardware.accelerator.vendor.name == "Huawei Technologies Co., Ltd."
    assert hardware.source.title == "SPDX 3.0.1 document http://localhost:8000/spdx/glm-5/document"
    again = model_spdx_export(model=model)
    assert spdx_validate(again) == [] and counted(again) == counted(document)
    assert counted(document) == {"packages": 1, "datasets": 0, "claims": len(before)}
    repeat = spdx_import(data=json.dumps(document).encode(), source_name="glm-5.spdx.json")
    assert repeat.changed is False and repeat.messages[0].endswith("0 claims created, 0 updated.")


def test_datasets_come_back_as_training_data_claims(catalog):
    model_card_import(data=b"---\nlicense: mit\ndatasets:\n  - HuggingFaceFW/fineweb\n---\n", name="GLM-5")
    document = model_spdx_export(model=AIModel.objects.get(slug="glm-5"))
    empty_register()

    spdx_import(data=json.dumps(document).encode(), developer_country="CN")

    assert AIModel.objects.get(slug="glm-5").claims.filter(subject="training_data").count() == 1
    assert counted(model_spdx_export(model=AIModel.objects.get(slug="glm-5")))["datasets"] == 1


def test_another_tools_document_without_a_supplier_needs_the_developer_named(catalog):
    document = model_spdx_export(model=catalog)
    package = of_type(document, "ai_AIPackage")[0]
    del package["suppliedBy"], package["originatedBy"]
    document["@graph"] = [item for item in document["@graph"] if item["type"] != "Annotation"]  # another tool's
    kept = {item.get("spdxId") for item in document["@graph"]}
    spdx_document = of_type(document, "SpdxDocument")[0]
    spdx_document["element"] = [ref for ref in spdx_document["element"] if ref in kept]
    data = json.dumps(document).encode()

    with pytest.raises(InterchangeError, match=r"no suppliedBy or originatedBy.*--developer NAME"):
        spdx_import(data=data, source_name="other.spdx.json")
    spdx_import(data=data, source_name="other.spdx.json", developer="Zhipu AI")

    claim = AIModel.objects.get(slug="glm-5").claims.get(value="developer: Zhipu AI")
    assert claim.confidence == "unverified" and claim.statement.endswith("taken from the importer (--developer).")


@pytest.mark.parametrize(
    ("data", "refusal"),
    [
        (b'{"bomFormat": "CycloneDX"}', "not an SPDX 3.0.1 JSON-LD document"),
        (b"\xff\xfe", "not UTF-8"),
        (b"[" * 100 + b"]" * 100, "nests deeper than 64 levels"),
    ],
)
def test_what_is_not_an_spdx_document_is_refused_whole(catalog, data, refusal):
    with pytest.raises(InterchangeError, match=refusal):
        spdx_import(data=data, source_name="bad.json")


def test_an_invalid_spdx_document_is_refused_with_the_bindings_reason(catalog):
    document = model_spdx_export(model=catalog)
    of_type(document, "CreationInfo")[0]["created"] = "February 2026"

    with pytest.raises(InterchangeError, match="invalid SPDX 3.0.1: 'February 2026' is not a correctly formatted"):
        spdx_import(data=json.dumps(document).encode(), source_name="bad.json")


def test_an_spdx_upload_and_the_command(catalog, as_user, legal, tmp_path):
    document = model_spdx_export(model=catalog)
    empty_register()
    client = as_user(legal)

    job = uploaded(
        client,
        client.post("/api/interchange/spdx/", {"file": io.BytesIO(json.dumps(document).encode())}, format="multipart"),
    )
    path = tmp_path / "glm-5.spdx.json"
    path.write_text(json.dumps(document))
    out = io.StringIO()
    call_command("import_spdx", str(path), stdout=out)

    assert job["kind"] == "spdx" and job["status"] == "done" and job["result"]["models_created"] == ["glm-5"]
    assert out.getvalue().splitlines()[-1].endswith("nothing changed")
