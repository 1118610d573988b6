"""SPDX 3.0.1 with the AI profile: a catalog model as an `ai_AIPackage`, JSON-LD.

Built with spdx-python-model, the SPDX project's bindings generated from the 3.0.1 SHACL model: every
property is type-checked when it is set and every required property when the document is written, and
`spdx_validate` reads a document back with the same bindings (spdx-tools 0.8 implements a pre-release of
SPDX 3, not 3.0.1, so it cannot check these documents).

What the register fills in, and what it leaves out rather than guess:
- `suppliedBy` (the developer), `releaseTime`, `software_packageVersion`, `ai_typeOfModel` (the
  architecture), `ai_informationAboutTraining` (tokens, the compute estimate, the training-hardware,
  compute-provider and training-location claims with their confidence), `ai_limitation` (claims that are
  only reported or disputed), `ai_standardCompliance` (the regulations, with their formal references, of
  each jurisdiction where legal has recorded a status of *permitted*), the declared licence, and a
  `trainedOn` relationship to a `dataset_DatasetPackage` per training-data claim;
- `ai_energyConsumption` only when a claim gives energy in kWh (none does today) and
  `ai_safetyRiskAssessment` never: it is the EU product-safety category of Regulation (EC) 765/2008, which
  the register does not assess. A field left out says "not known"; a guessed one would mislead.
"""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, time

from django.conf import settings
from spdx_python_model import v3_0_1 as spdx

from models_catalog.interchange.cyclonedx import _claims_of, _compute_estimate
from models_catalog.models import AIModel, ModelGuidanceStatus, ProvenanceClaim

TRAINING_SUBJECTS = (
    ProvenanceClaim.Subject.TRAINING_HARDWARE,
    ProvenanceClaim.Subject.COMPUTE_PROVIDER,
    ProvenanceClaim.Subject.TRAINING_LOCATION,
)
PERMITTED = (ModelGuidanceStatus.Status.PERMITTED, ModelGuidanceStatus.Status.PERMITTED_WITH_CONDITIONS)


def _moment(value) -> datetime:
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(microsecond=0)
    return datetime.combine(value, time(0, 0), tzinfo=UTC)


def _training_text(model: AIModel, claims: list[ProvenanceClaim]) -> str:
    parts = []
    if model.training_tokens:
        parts.append(f"Training tokens: {model.training_tokens:,}.")
    compute = _compute_estimate(model)
    if compute:
        parts.append(f"Training compute, estimated as 6 x parameters x tokens: {compute:.2e} FLOP (an estimate).")
    for claim in claims:
        if claim.subject in TRAINING_SUBJECTS:
            parts.append(f"{claim.get_subject_display()}: {claim.value} ({claim.get_confidence_display().lower()}).")
    return " ".join(parts) or "noAssertion"


def model_spdx_export(*, model: AIModel) -> dict:
    """The model as an SPDX 3.0.1 JSON-LD document (a dict), written by the SPDX bindings."""
    claims = _claims_of(model)
    changed = max([model.updated_at, *(c.updated_at for c in claims)])
    base = f"{settings.RISKREG_SITE_URL.rstrip('/')}/spdx/{model.slug}/"
    objects = spdx.SHACLObjectSet()
    creator = objects.add(spdx.Organization(_id=f"{base}agent/riskreg", name="riskreg register"))
    info = spdx.CreationInfo(specVersion="3.0.1", created=_moment(changed), createdBy=[creator])
    creator.creationInfo = info

    def element(cls, path: str, **values):
        return objects.add(cls(_id=f"{base}{path}", creationInfo=info, **values))

    developer = element(spdx.Organization, "agent/developer", name=model.developer.name)
    package = element(
        spdx.ai_AIPackage,
        "model",
        name=model.name,
        summary=f"{model.name}, developed by {model.developer.name} ({model.developer.country}).",
        suppliedBy=developer,
        originatedBy=[developer],
        software_primaryPurpose=spdx.software_SoftwarePurpose.model,
        ai_informationAboutTraining=_training_text(model, claims),
    )
    if model.description:
        package.description = model.description
    if model.version:
        package.software_packageVersion = model.version
    if model.release_date:
        package.releaseTime = _moment(model.release_date)
    if model.architecture:
        package.ai_typeOfModel.append(model.architecture)
    limitations = [
        f"{c.statement} ({c.get_confidence_display().lower()})"
        for c in claims
        if c.confidence in (ProvenanceClaim.Confidence.REPORTED, ProvenanceClaim.Confidence.DISPUTED)
    ]
    if limitations:
        package.ai_limitation = " ".join(limitations)
    statuses = model.guidance_statuses.filter(status__in=PERMITTED).prefetch_related("guidance")
    for reference in sorted({g.reference for s in statuses for g in s.guidance.all() if g.reference}):
        package.ai_standardCompliance.append(reference)
    elements = [developer, package]
    if model.licence != "NOASSERTION":
        licence = element(
            spdx.simplelicensing_LicenseExpression, "licence", simplelicensing_licenseExpression=model.licence
        )
        elements += [
            licence,
            element(
                spdx.Relationship,
                "relationship/declared-licence",
                from_=package,
                relationshipType=spdx.RelationshipType.hasDeclaredLicense,
                to=[licence],
            ),
        ]
    datasets = []
    for number, claim in enumerate((c for c in claims if c.subject == ProvenanceClaim.Subject.TRAINING_DATA), 1):
        datasets.append(
            element(
                spdx.dataset_DatasetPackage,
                f"dataset/{number}",
                name=claim.value,
                software_primaryPurpose=spdx.software_SoftwarePurpose.data,
                software_downloadLocation="noAssertion",
                builtTime=_moment(claim.as_of or changed),
                dataset_datasetType=[spdx.dataset_DatasetType.noAssertion],
                comment=f"{claim.statement} ({claim.get_confidence_display().lower()})",
            )
        )
    if datasets:
        elements += [
            *datasets,
            element(
                spdx.Relationship,
                "relationship/trained-on",
                from_=package,
                relationshipType=spdx.RelationshipType.trainedOn,
                to=datasets,
            ),
        ]
    element(
        spdx.SpdxDocument,
        "document",
        name=f"{model.name}: SPDX 3.0.1 AI profile from riskreg",
        rootElement=[package],
        element=elements,
        profileConformance=[
            spdx.ProfileIdentifierType.core,
            spdx.ProfileIdentifierType.software,
            spdx.ProfileIdentifierType.ai,
            *([spdx.ProfileIdentifierType.dataset] if datasets else []),
        ],
    )
    out = io.BytesIO()
    spdx.JSONLDSerializer().write(objects, out, indent=None)
    return json.loads(out.getvalue())


def spdx_validate(document: dict) -> list[str]:
    """Problems the SPDX 3.0.1 bindings find when they read the document back (types, required properties,
    references); [] when it is valid."""
    objects = spdx.SHACLObjectSet()
    try:
        spdx.JSONLDDeserializer().read(io.BytesIO(json.dumps(document).encode()), objects)
        missing = objects.link()
        spdx.JSONLDSerializer().write(objects, io.BytesIO())  # checks every required property again
    except (TypeError, ValueError, KeyError) as exc:
        return [str(exc)]
    return [f"reference to an element not in the document: {ref}" for ref in sorted(missing)]
