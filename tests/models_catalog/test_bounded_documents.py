"""Uploads bounded by work, not only bytes (issue 26 item 2): a BOM nested thousands deep, one with more components
than a BOM of models needs, a model card of YAML aliases that would expand to megabytes, a card of 300,000 datasets:
each refused at once with where and why (a 400 through the API, never a 500), nothing imported; and one import
announces one material change, not one per claim."""

from __future__ import annotations

import io
import json

import pytest

from models_catalog.interchange import MAX_COMPONENTS, MAX_DEPTH, MAX_LIST_ITEMS, InterchangeError
from models_catalog.interchange.cyclonedx import bom_import
from models_catalog.interchange.modelcard import model_card_import
from models_catalog.models import AIModel, ProvenanceClaim
from riskreg.core.models import MaterialChange
from tests.models_catalog.conftest import uploaded


def _bom(**extra) -> bytes:
    return json.dumps({"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1, **extra}).encode()


def test_a_bom_nested_three_thousand_deep_is_refused_with_the_reason():
    deep = "[" * 3000 + "]" * 3000
    data = b'{"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1, "metadata": {"x": ' + deep.encode() + b"}}"

    with pytest.raises(InterchangeError, match=f"nests deeper than {MAX_DEPTH} levels"):
        bom_import(data=data, source_name="deep.cdx.json")


def test_a_bom_with_more_components_than_the_limit_is_refused_before_the_schema_check(db):
    components = [{"type": "library", "name": f"lib-{n}", "version": "1"} for n in range(MAX_COMPONENTS + 1)]

    with pytest.raises(InterchangeError, match=f"more than {MAX_COMPONENTS:,} components; split the BOM"):
        bom_import(data=_bom(components=components), source_name="big.cdx.json")


LAUGHS = """---
license: mit
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
co2_eq_emissions:
  hardware_used: *d
---
"""


def test_a_model_card_of_yaml_aliases_is_refused_before_anything_expands(catalog):
    with pytest.raises(InterchangeError, match=r"line 4.*an alias \(\*name\) is not accepted in a model card"):
        model_card_import(data=LAUGHS.encode(), source_name="laugh.md", name="Laugh", developer="Zhipu AI")
    assert not AIModel.objects.filter(name="Laugh").exists()


def test_a_card_of_too_many_datasets_is_refused_and_an_api_upload_is_a_400(catalog, as_user, legal):
    card = "---\nlicense: mit\ndatasets:\n" + "".join(f"  - org/set-{n}\n" for n in range(MAX_LIST_ITEMS + 1)) + "---\n"
    deep = "---\nlicense: mit\nx: " + "[" * 20_000 + "]" * 20_000 + "\n---\n"

    client = as_user(legal)
    many = uploaded(
        client,
        client.post(
            "/api/interchange/model-card/",
            {"file": io.BytesIO(card.encode()), "name": "Many", "developer": "Zhipu AI"},
            format="multipart",
        ),
    )
    nested = uploaded(
        client,
        client.post(
            "/api/interchange/model-card/",
            {"file": io.BytesIO(deep.encode()), "name": "Deep", "developer": "Zhipu AI"},
            format="multipart",
        ),
    )

    assert many["status"] == "failed" and f"over the limit of {MAX_LIST_ITEMS:,} for one list" in many["error"]
    assert nested["status"] == "failed" and "nests deeper" in nested["error"]
    assert not AIModel.objects.filter(name__in=["Many", "Deep"]).exists()


def test_one_card_import_announces_one_material_change_for_all_its_claims(catalog):
    card = "---\nlicense: mit\ndatasets:\n" + "".join(f"  - org/set-{n}\n" for n in range(40)) + "---\n"
    glm5 = AIModel.objects.get(name="GLM-5")
    before = set(MaterialChange.objects.values_list("pk", flat=True))

    model_card_import(data=card.encode(), source_name="glm-5.md", name="GLM-5")

    assert ProvenanceClaim.objects.filter(model=glm5, subject="training_data").count() == 40
    changes = list(MaterialChange.objects.exclude(pk__in=before))
    assert len(changes) == 1 and changes[0].model_ids == [glm5.pk]
    assert changes[0].reason == "Model card imported: GLM-5 (40 changes)"


def test_a_nul_character_in_a_bom_is_refused_naming_where_it_is():
    data = _bom(metadata={"component": {"type": "machine-learning-model", "name": "GLM\u0000-5"}})

    with pytest.raises(InterchangeError, match=r"/metadata/component/name: a value holds a NUL character"):
        bom_import(data=data, source_name="nul.cdx.json")
