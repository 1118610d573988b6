"""CycloneDX 1.6 ML-BOM: export validated by cyclonedx-python-lib, import, round trip, and what is refused."""

from __future__ import annotations

import copy
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from models_catalog.interchange import InterchangeError
from models_catalog.interchange.cyclonedx import MAX_BOM_BYTES, bom_import, bom_validate, model_bom_export
from models_catalog.models import (
    Accelerator,
    AIModel,
    EvidenceSource,
    InterchangeImportJob,
    Jurisdiction,
    Licence,
    ModelGuidanceStatus,
    Organisation,
    ProvenanceClaim,
    RegulatoryGuidance,
    SanctionsNote,
)
from tests.models_catalog.conftest import uploaded


def empty_register() -> None:
    """Remove the whole catalog, as in a fresh register."""
    ProvenanceClaim.objects.all().delete()
    ModelGuidanceStatus.objects.all().delete()
    SanctionsNote.objects.all().delete()
    RegulatoryGuidance.objects.all().delete()
    AIModel.objects.all().delete()
    Accelerator.objects.all().delete()
    Organisation.objects.update(parent=None)
    Organisation.objects.all().delete()
    Licence.objects.exclude(source=None).delete()  # the licences legal read; the standard ones stay (a migration's)
    EvidenceSource.objects.all().delete()
    Jurisdiction.objects.all().delete()


def claims_of(document: dict) -> list[tuple]:
    """Each claim as (predicate, its assessment, the titles of its sources)."""
    evidence = {item["bom-ref"]: item for item in document.get("declarations", {}).get("evidence", [])}
    out = []
    for claim in document["declarations"]["claims"]:
        items = [evidence[ref] for ref in claim["evidence"]]
        assessment = {
            d["name"]: d["contents"]["attachment"]["content"]
            for item in items
            if item["propertyName"] == "riskreg:assessment"
            for d in item["data"]
        }
        sources = {item["data"][0]["name"] for item in items if item["propertyName"] == "riskreg:source"}
        out.append((claim["predicate"], tuple(sorted(assessment.items())), frozenset(sources)))
    return sorted(out)


def component_of(document: dict) -> dict:
    component = copy.deepcopy(document["components"][0])
    component.pop("externalReferences", None)  # the BOM itself joins the evidence on import
    return component


def as_bytes(document: dict) -> bytes:
    return json.dumps(document).encode()


@pytest.fixture
def glm5_bom(catalog) -> dict:
    return model_bom_export(model=catalog)


def test_glm5_bom_validates_against_the_cyclonedx_1_6_schema(glm5_bom):
    assert bom_validate(json.dumps(glm5_bom)) == []
    assert glm5_bom["specVersion"] == "1.6"
    component = glm5_bom["components"][0]
    assert component["type"] == "machine-learning-model"
    assert (
        component["supplier"]["name"]
        == component["manufacturer"]["name"]
        == ("Beijing Zhipu Huazhang Technology Co., Ltd.")
    )
    assert component["licenses"] == [{"license": {"id": "MIT"}}]
    assert component["modelCard"]["modelParameters"]["modelArchitecture"].startswith("Mixture of experts")
    properties = {p["name"]: p["value"] for p in component["properties"]}
    assert properties["riskreg:training-hardware"] == "Huawei Ascend (entirely) (reported, unconfirmed by developer)"
    assert properties["riskreg:training-compute-flop-estimate"] == str(6 * 40_000_000_000 * 28_500_000_000_000)
    assert {ref["type"] for ref in component["externalReferences"]} == {"evidence"}


def test_glm5_claims_are_declarations_with_confidence_sources_and_dates(glm5_bom):
    claims = dict((predicate, (dict(assessment), sources)) for predicate, assessment, sources in claims_of(glm5_bom))
    assessment, sources = claims["GLM-5 was trained entirely on Huawei Ascend chips."]
    assert assessment["confidence"] == "reported"
    assert assessment["subject"] == "training_hardware"
    assert assessment["accelerator-vendor"] == "Huawei Technologies Co., Ltd."
    assert len(sources) == 2
    dated = [e for e in glm5_bom["declarations"]["evidence"] if e["propertyName"] == "riskreg:source"]
    assert all(e["author"]["name"] for e in dated) and any("created" in e for e in dated)


def test_the_same_catalog_state_gives_the_same_bom(catalog, glm5_bom):
    assert model_bom_export(model=catalog) == glm5_bom


def test_glm5_round_trips_through_an_empty_register(glm5_bom):
    empty_register()

    result = bom_import(data=as_bytes(glm5_bom), source_name="glm-5.cdx.json")

    assert result.models_created == ["glm-5"]
    assert set(result.organisations_created) == {
        "Beijing Zhipu Huazhang Technology Co., Ltd.",
        "Huawei Technologies Co., Ltd.",
    }
    again = model_bom_export(model=AIModel.objects.get(slug="glm-5"))
    assert bom_validate(json.dumps(again)) == []
    assert component_of(again) == component_of(glm5_bom)
    before, after = claims_of(glm5_bom), claims_of(again)
    assert [(p, a) for p, a, _ in after] == [(p, a) for p, a, _ in before]
    for (_, _, old_sources), (_, _, new_sources) in zip(before, after, strict=True):
        assert old_sources < new_sources  # the cited sources, and the BOM they came in
    claim = ProvenanceClaim.objects.get(subject="training_hardware")
    assert claim.source.kind == EvidenceSource.Kind.DEVELOPER_STATEMENT
    assert claim.accelerator.vendor.name == "Huawei Technologies Co., Ltd."


def test_importing_the_same_bom_again_changes_nothing(glm5_bom):
    empty_register()
    bom_import(data=as_bytes(glm5_bom))
    counts = [m.objects.count() for m in (AIModel, Organisation, ProvenanceClaim, EvidenceSource, Accelerator)]
    histories = AIModel.history.count() + ProvenanceClaim.history.count()

    result = bom_import(data=as_bytes(glm5_bom))

    assert not result.changed and result.models_unchanged == ["glm-5"]
    assert [m.objects.count() for m in (AIModel, Organisation, ProvenanceClaim, EvidenceSource, Accelerator)] == counts
    assert AIModel.history.count() + ProvenanceClaim.history.count() == histories


def test_a_vendor_bom_claim_without_our_assessment_is_developer_stated_with_the_bom_as_source(glm5_bom):
    empty_register()
    glm5_bom["declarations"]["evidence"] = [
        e for e in glm5_bom["declarations"]["evidence"] if e["propertyName"] != "riskreg:assessment"
    ]
    for claim in glm5_bom["declarations"]["claims"]:
        claim["evidence"] = [ref for ref in claim["evidence"] if not ref.endswith("assessment")]

    bom_import(data=as_bytes(glm5_bom), source_name="vendor.json")

    claims = ProvenanceClaim.objects.all()
    assert {c.confidence for c in claims} == {"developer_stated"}
    assert {c.source.title for c in claims} == {f"CycloneDX 1.6 ML-BOM {glm5_bom['serialNumber']}"}


def test_an_imported_supplier_is_screened_like_any_new_organisation(glm5_bom, django_capture_on_commit_callbacks):
    empty_register()
    with django_capture_on_commit_callbacks() as callbacks:
        bom_import(data=as_bytes(glm5_bom))
    assert len(callbacks) >= 2  # one screening per organisation created


def snapshot() -> list[int]:
    return [m.objects.count() for m in (AIModel, Organisation, ProvenanceClaim, EvidenceSource, Accelerator)]


def broken(bom: dict, how: str) -> bytes:
    bom = copy.deepcopy(bom)
    if how == "version":
        bom["specVersion"] = "1.4"
    elif how == "schema":
        bom["components"][0]["type"] = "neural-network"
    elif how == "no-ml":
        bom["components"][0]["type"] = "library"
        del bom["components"][0]["modelCard"]
    elif how == "licence":
        bom["components"][0]["licenses"] = [{"license": {"name": "Some-Custom-Licence"}}]
    elif how == "json":
        return as_bytes(bom)[:-20]
    elif how == "size":
        bom["components"][0]["description"] = "x" * MAX_BOM_BYTES
    return as_bytes(bom)


@pytest.mark.parametrize(
    ("how", "message"),
    [
        ("version", "specVersion '1.4' is not supported; riskreg reads 1.5 and 1.6"),
        ("schema", "invalid against the CycloneDX 1.6 schema at components/0/type"),
        ("no-ml", "no component of type machine-learning-model; nothing to import"),
        ("licence", "components/0/licenses/0: 'Some-Custom-Licence' is not a known SPDX licence id"),
        ("json", "not JSON: "),
        ("size", "over the 5 MiB limit for a BOM"),
    ],
)
def test_a_bad_bom_is_refused_whole_with_the_problem_named(glm5_bom, how, message):
    before = snapshot()
    with pytest.raises(InterchangeError, match="bad.json") as refused:
        bom_import(data=broken(glm5_bom, how), source_name="bad.json")
    assert message in str(refused.value)
    assert snapshot() == before


def test_a_bom_with_a_new_developer_and_no_country_is_refused(glm5_bom):
    empty_register()
    del glm5_bom["components"][0]["supplier"]["address"]
    del glm5_bom["components"][0]["manufacturer"]["address"]
    with pytest.raises(InterchangeError, match="gives no two-letter country for it. Give its country"):
        bom_import(data=as_bytes(glm5_bom))
    assert snapshot() == [0, 0, 0, 0, 0]


def test_export_bom_command_writes_a_valid_bom(catalog, tmp_path):
    target = tmp_path / "glm-5.cdx.json"
    call_command("export_bom", "glm-5", "--output", str(target), stdout=io.StringIO())
    assert bom_validate(target.read_text()) == []
    with pytest.raises(CommandError, match="no model with slug 'glm-6'"):
        call_command("export_bom", "glm-6", stdout=io.StringIO())


def test_import_bom_command_imports_then_changes_nothing(glm5_bom, tmp_path):
    empty_register()
    path = tmp_path / "glm-5.cdx.json"
    path.write_bytes(as_bytes(glm5_bom))
    out = io.StringIO()
    call_command("import_bom", str(path), "--json", stdout=out)
    assert json.loads(out.getvalue())["models_created"] == ["glm-5"]
    out = io.StringIO()
    call_command("import_bom", str(path), stdout=out)
    assert "nothing changed" in out.getvalue()


def test_import_bom_command_names_the_problem_and_imports_nothing(glm5_bom, tmp_path):
    path = tmp_path / "old.json"
    path.write_bytes(broken(glm5_bom, "version"))
    before = snapshot()
    with pytest.raises(CommandError, match=r"specVersion '1.4' is not supported(.|\n)*Nothing was imported"):
        call_command("import_bom", str(path), stdout=io.StringIO())
    assert snapshot() == before


def test_every_role_reads_a_model_as_cyclonedx(catalog, as_user, requester, auditor):
    response = as_user(requester).get("/api/models/glm-5/cyclonedx/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.cyclonedx+json")
    assert bom_validate(response.content.decode()) == []
    assert as_user(auditor).get("/api/models/glm-5/cyclonedx/").status_code == 200
    assert as_user(auditor).get("/api/models/glm-6/cyclonedx/").status_code == 404


def test_outsiders_and_anonymous_users_get_no_bom(catalog, as_user, outsider, api):
    assert as_user(outsider).get("/api/models/glm-5/cyclonedx/").status_code == 403
    assert api.get("/api/models/glm-5/cyclonedx/").status_code == 401


def upload(client, content: bytes):
    return client.post("/api/interchange/cyclonedx/", {"file": io.BytesIO(content)}, format="multipart")


def test_legal_uploads_a_bom_a_worker_imports_it_and_the_same_upload_changes_nothing(glm5_bom, as_user, legal):
    empty_register()
    client = as_user(legal)
    accepted = upload(client, as_bytes(glm5_bom))
    assert accepted.json()["status"] == "pending" and accepted.json()["kind"] == "cyclonedx"

    first = uploaded(client, accepted)
    second = uploaded(client, upload(client, as_bytes(glm5_bom)))

    assert (first["status"], first["stage"], first["result"]["models_created"]) == ("done", "imported", ["glm-5"])
    assert (second["status"], second["stage"], second["result"]["changed"]) == ("done", "unchanged", False)
    assert InterchangeImportJob.objects.get(pk=first["id"]).document == b""  # not kept once imported


def test_a_bad_upload_ends_as_a_failed_job_naming_the_problem_and_nothing_is_imported(glm5_bom, as_user, legal):
    before = snapshot()
    job = uploaded(as_user(legal), upload(as_user(legal), broken(glm5_bom, "no-ml")))
    assert job["status"] == "failed" and job["status_label"] == "Refused or failed"
    assert "no component of type machine-learning-model" in job["error"]
    assert job["error"].endswith("Nothing was imported.")
    assert snapshot() == before


def test_an_upload_over_the_size_limit_is_a_400_at_once_and_no_job_is_made(as_user, legal, catalog):
    response = upload(as_user(legal), b" " * (MAX_BOM_BYTES + 1))
    assert response.status_code == 400 and "MiB limit" in response.json()["detail"]
    assert not InterchangeImportJob.objects.exists()


def test_only_importers_see_the_import_jobs(glm5_bom, as_user, legal, auditor, requester):
    job = upload(as_user(legal), as_bytes(glm5_bom)).json()
    assert as_user(legal).get("/api/interchange/jobs/").json()["count"] == 1
    assert as_user(auditor).get(job["url"]).status_code == 403
    assert as_user(requester).get("/api/interchange/jobs/").status_code == 403


def test_only_catalog_editors_may_upload_a_bom(glm5_bom, as_user, auditor, requester):
    before = snapshot()
    assert upload(as_user(auditor), as_bytes(glm5_bom)).status_code == 403
    assert upload(as_user(requester), as_bytes(glm5_bom)).status_code == 403
    assert snapshot() == before
