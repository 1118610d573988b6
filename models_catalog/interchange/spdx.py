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

So that the document comes back in whole (``spdx_import``, issue 27), what SPDX has no field for travels in SPDX
3's own extension for name/value pairs (``extension_CdxPropertiesExtension``, the CycloneDX properties, named
``riskreg:<name>`` as in the CycloneDX export): the developer's country, the model's family, weights and sizes,
and every provenance claim as an ``Annotation`` of the package (its statement, then subject, value, confidence,
country, accelerator, date and sources as properties; each source with an address also as an ``externalRef``).
"""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, time

from django.conf import settings
from spdx_python_model import v3_0_1 as spdx

from models_catalog.interchange import MAX_DOCUMENT_BYTES, InterchangeError, document_bounded
from models_catalog.interchange.cyclonedx import (
    PROPERTY_FAMILY,
    PROPERTY_PARAMETERS_ACTIVE,
    PROPERTY_PARAMETERS_TOTAL,
    PROPERTY_TRAINING_TOKENS,
    PROPERTY_WEIGHTS,
    VALUE_MAX,
    _claims_of,
    _compute_estimate,
)
from models_catalog.interchange.plans import (
    Developer,
    ImportResult,
    Plan,
    claim_plan,
    date_from,
    developer_claim,
    importer_developer,
    plans_import,
    web_address,
)
from models_catalog.licences import is_known_licence
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


PROPERTY_COUNTRY = "riskreg:country"
# A claim's fields, as properties of its Annotation (the statement is the Annotation's own).
CLAIM_FIELDS = {
    "riskreg:subject": "subject",
    "riskreg:value": "value",
    "riskreg:confidence": "confidence",
    "riskreg:country": "country",
    "riskreg:accelerator": "accelerator",
    "riskreg:accelerator-vendor": "accelerator_vendor",
    "riskreg:accelerator-vendor-country": "accelerator_vendor_country",
    "riskreg:as-of": "as_of",
    "riskreg:notes": "notes",
}
SOURCE_FIELDS = ("title", "url", "publisher", "kind", "citation", "published-on")


def _properties(**values) -> list:
    """SPDX's name/value extension holding the values that are set."""
    entries = [
        spdx.extension_CdxPropertyEntry(extension_cdxPropName=name, extension_cdxPropValue=str(value))
        for name, value in values.items()
        if value not in (None, "")
    ]
    return [spdx.extension_CdxPropertiesExtension(extension_cdxProperty=entries)] if entries else []


def _claim_properties(claim: ProvenanceClaim) -> dict:
    accelerator = claim.accelerator
    values = {
        "riskreg:subject": claim.subject,
        "riskreg:value": claim.value,
        "riskreg:confidence": claim.confidence,
        "riskreg:country": claim.country,
        "riskreg:accelerator": accelerator.product if accelerator else "",
        "riskreg:accelerator-vendor": accelerator.vendor.name if accelerator else "",
        "riskreg:accelerator-vendor-country": accelerator.vendor.country if accelerator else "",
        "riskreg:as-of": claim.as_of.isoformat() if claim.as_of else "",
        "riskreg:notes": claim.notes,
    }
    for number, source in enumerate(claim.all_sources(), 1):
        for name, value in zip(
            SOURCE_FIELDS,
            (
                source.title,
                source.url,
                source.publisher,
                source.kind,
                source.citation,
                source.published_on.isoformat() if source.published_on else "",
            ),
            strict=True,
        ):
            values[f"riskreg:source-{number}-{name}"] = value
    return values


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

    developer = element(
        spdx.Organization,
        "agent/developer",
        name=model.developer.name,
        extension=_properties(**{PROPERTY_COUNTRY: model.developer.country}),
    )
    package = element(
        spdx.ai_AIPackage,
        "model",
        name=model.name,
        summary=f"{model.name}, developed by {model.developer.name} ({model.developer.country}).",
        suppliedBy=developer,
        originatedBy=[developer],
        software_primaryPurpose=spdx.software_SoftwarePurpose.model,
        ai_informationAboutTraining=_training_text(model, claims),
        extension=_properties(
            **{
                PROPERTY_FAMILY: model.family,
                PROPERTY_WEIGHTS: model.weights,
                PROPERTY_PARAMETERS_TOTAL: model.parameters_total,
                PROPERTY_PARAMETERS_ACTIVE: model.parameters_active,
                PROPERTY_TRAINING_TOKENS: model.training_tokens,
            }
        ),
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
    for number, claim in enumerate(claims, 1):
        elements.append(
            element(
                spdx.Annotation,
                f"claim/{number}",
                annotationType=spdx.AnnotationType.other,
                subject=package,
                statement=claim.statement,
                extension=_properties(**_claim_properties(claim)),
                externalRef=[
                    spdx.ExternalRef(externalRefType=spdx.ExternalRefType.other, locator=[s.url], comment=s.title)
                    for s in claim.all_sources()
                    if s.url
                ],
            )
        )
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


# --- import ---------------------------------------------------------------------------------------


def _read(data: bytes, source_name: str) -> spdx.SHACLObjectSet:
    """The document's objects, read and linked by the SPDX bindings after the same bounds as every import; the
    whole document refused, saying what and where, when it is not SPDX 3.0.1 JSON-LD."""
    if len(data) > MAX_DOCUMENT_BYTES:
        raise InterchangeError(
            f"{source_name}: {len(data):,} bytes is over the {MAX_DOCUMENT_BYTES // (1024 * 1024)} MiB limit"
        )
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise InterchangeError(f"{source_name}: not UTF-8 text (byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise InterchangeError(f"{source_name}: not JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}") from None
    except RecursionError:
        raise InterchangeError(f"{source_name}: nests too deep") from None
    document_bounded(document, source_name=source_name)
    if not isinstance(document, dict) or "spdx.org/rdf/3.0.1" not in str(document.get("@context", "")):
        raise InterchangeError(f"{source_name}: not an SPDX 3.0.1 JSON-LD document (no SPDX 3.0.1 @context)")
    problems = spdx_validate(document)
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise InterchangeError(f"{source_name}: invalid SPDX 3.0.1: {problems[0]}{more}")
    objects = spdx.SHACLObjectSet()
    spdx.JSONLDDeserializer().read(io.BytesIO(json.dumps(document).encode()), objects)
    objects.link()
    return objects


def _props(element) -> dict[str, str]:
    found: dict[str, str] = {}
    for extension in getattr(element, "extension", None) or []:
        for entry in getattr(extension, "extension_cdxProperty", None) or []:
            found[entry.extension_cdxPropName] = entry.extension_cdxPropValue or ""
    return found


def _whole(props: dict[str, str], name: str, where: str) -> int | None:
    value = props.get(name)
    if not value:
        return None
    if not value.isdigit():
        raise InterchangeError(f"{where}: {name} must be a whole number, not {value!r}")
    return int(value)


def _claim_from(annotation, where: str) -> dict:
    props = _props(annotation)
    claim = {field: props.get(name, "") for name, field in CLAIM_FIELDS.items()}
    if claim["subject"] not in ProvenanceClaim.Subject.values:
        raise InterchangeError(f"{where}: unknown claim subject {claim['subject']!r}")
    if claim["confidence"] not in ProvenanceClaim.Confidence.values:
        raise InterchangeError(f"{where}: unknown confidence {claim['confidence']!r}")
    if not claim["value"] or not annotation.statement:
        raise InterchangeError(f"{where}: a claim needs a statement and a riskreg:value")
    claim["country"] = claim["country"].upper()
    claim["accelerator_vendor_country"] = claim["accelerator_vendor_country"].upper()[:2]
    claim["value"] = claim["value"][:VALUE_MAX]
    claim["as_of"] = date_from(claim["as_of"])
    claim.update(where=where, statement=annotation.statement, sources=[])
    number = 1
    while f"riskreg:source-{number}-title" in props:
        field = {name: props.get(f"riskreg:source-{number}-{name}", "") for name in SOURCE_FIELDS}
        claim["sources"].append(
            {
                "title": field["title"][:500],
                "url": web_address(field["url"], where=f"{where}/riskreg:source-{number}-url")[:1000],
                "publisher": field["publisher"][:255],
                "kind": field["kind"],
                "citation": field["citation"][:120],
                "published_on": date_from(field["published-on"]),
            }
        )
        number += 1
    return claim


def _plan_package(objects, package, where: str, override: Developer | None) -> Plan:
    name = (package.name or "").strip()
    if not name:
        raise InterchangeError(f"{where}: the ai_AIPackage has no name")
    props = _props(package)
    agent = package.suppliedBy or next(iter(package.originatedBy or []), None)
    if override is not None:
        developer = override
    elif agent is not None and getattr(agent, "name", None):
        developer = Developer(
            name=agent.name.strip()[:255],
            country=_props(agent).get(PROPERTY_COUNTRY, "").strip().upper(),
            taken_from="the package's suppliedBy" if package.suppliedBy else "the package's originatedBy",
            standard=True,
        )
    else:
        raise InterchangeError(
            f"{where}: {name!r} has no suppliedBy or originatedBy, so the register has no developer. Say who it is: "
            "--developer NAME --developer-country CC (developer and developer_country in the API)"
        )
    licence, datasets = "NOASSERTION", []
    for relationship in objects.foreach_type(spdx.Relationship):
        if relationship.from_ is not package:
            continue
        if relationship.relationshipType == spdx.RelationshipType.hasDeclaredLicense:
            expression = next(iter(relationship.to), None)
            value = getattr(expression, "simplelicensing_licenseExpression", None)
            if value and not is_known_licence(value):
                raise InterchangeError(f"{where}: declared licence {value!r} is not a known SPDX licence id")
            licence = value or licence
        elif relationship.relationshipType == spdx.RelationshipType.trainedOn:
            datasets += [item for item in relationship.to if getattr(item, "name", None)]
    weights = props.get(PROPERTY_WEIGHTS) or AIModel.Weights.OPEN
    if weights not in AIModel.Weights.values:
        raise InterchangeError(f"{where}: {PROPERTY_WEIGHTS} is {weights!r}; use one of {', '.join(AIModel.Weights)}")
    values = {
        "family": (props.get(PROPERTY_FAMILY) or name.split("-")[0])[:80],
        "version": (package.software_packageVersion or "")[:40],
        "parameters_total": _whole(props, PROPERTY_PARAMETERS_TOTAL, where),
        "parameters_active": _whole(props, PROPERTY_PARAMETERS_ACTIVE, where),
        "training_tokens": _whole(props, PROPERTY_TRAINING_TOKENS, where),
        "architecture": (next(iter(package.ai_typeOfModel or []), "") or "")[:255],
        "licence": licence,
        "weights": weights,
        "release_date": package.releaseTime.date() if package.releaseTime else None,
        "description": package.description or "",
    }
    claims = [
        _claim_from(annotation, f"{where}/annotation {annotation._id}")
        for annotation in objects.foreach_type(spdx.Annotation)
        if annotation.subject is package and _props(annotation).get("riskreg:subject")
    ]
    taken = {(claim["subject"], claim["value"]) for claim in claims}
    for dataset in datasets:
        value = dataset.name.strip()[:VALUE_MAX]
        if (ProvenanceClaim.Subject.TRAINING_DATA, value) in taken:
            continue
        claims.append(
            claim_plan(
                where=f"{where}/trainedOn {dataset._id}",
                statement=f"{name} was trained on the dataset {value} (the SPDX document's trainedOn).",
                subject=ProvenanceClaim.Subject.TRAINING_DATA,
                value=value,
                confidence=ProvenanceClaim.Confidence.DEVELOPER_STATED,
                notes=dataset.comment or "",
            )
        )
    return Plan(where=where, name=name[:120], values=values, developer=developer, claims=claims)


def spdx_import(
    *,
    data: bytes,
    source_name: str = "SPDX document",
    developer: str | None = None,
    developer_country: str | None = None,
    progress=None,
) -> ImportResult:
    """Import the AI packages of an SPDX 3.0.1 JSON-LD document (the AI profile the register exports, or another
    tool's): each ``ai_AIPackage`` becomes or updates a model, its ``suppliedBy`` (else ``originatedBy``) the
    developer, its ``trainedOn`` datasets and the register's claim annotations provenance claims, with the document
    as their source. Validated by the SPDX bindings, bounded like every import, all or nothing; the same document
    again changes nothing. Raises InterchangeError."""
    progress = progress or (lambda stage: None)
    progress("reading and validating the SPDX document")
    override, country = importer_developer(developer, developer_country, source_name=source_name)
    objects = _read(data, source_name)
    packages = sorted(objects.foreach_type(spdx.ai_AIPackage), key=lambda package: package._id or "")
    if not packages:
        raise InterchangeError(f"{source_name}: no ai_AIPackage; nothing to import")
    try:
        plans = [_plan_package(objects, package, f"ai_AIPackage {package._id}", override) for package in packages]
    except InterchangeError as exc:
        raise InterchangeError(f"{source_name}: {exc}") from None
    for plan in plans:
        if not plan.developer.standard:
            plan.claims.append(developer_claim(plan.where, plan.name, plan.developer))
    progress(f"writing {len(plans)} AI package{'s' if len(plans) != 1 else ''}")
    document = next(iter(objects.foreach_type(spdx.SpdxDocument)), None)
    created = next((p.creationInfo.created for p in packages if p.creationInfo and p.creationInfo.created), None)
    return plans_import(
        plans=plans,
        data=data,
        source_name=source_name,
        source_title=f"SPDX 3.0.1 document {getattr(document, '_id', None) or source_name}",
        source_summary=f"SPDX 3.0.1 AI profile imported from {source_name}: {', '.join(p.name for p in plans)}.",
        published_on=created.date() if created else None,
        country=country,
        reason=f"SPDX document imported: {source_name}",
    )
