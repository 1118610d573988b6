"""SPDX 3.0.1 AI profile: GLM-5 as an ai_AIPackage, read back by the SPDX bindings; datasets as trainedOn."""

from __future__ import annotations

import copy
import io
import json

from django.core.management import call_command

from models_catalog.interchange.modelcard import model_card_import
from models_catalog.interchange.spdx import model_spdx_export, spdx_validate
from models_catalog.models import AIModel


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
