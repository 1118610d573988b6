"""CycloneDX 1.6 ML-BOM out of the catalog, and back in.

Export (`model_bom_export`): one `machine-learning-model` component per model with its developer as
`supplier` and `manufacturer`, its licence, `externalReferences` to the evidence (`model-card` for a
model card, `evidence` for the rest), and a `modelCard`; our provenance claims become the 1.6
`declarations.claims`, each with its `evidence`. The component, organisations, licences, external
references and properties are built with cyclonedx-python-lib; the library has no classes for
`modelCard` and `declarations` yet, so those two are added to its JSON as the 1.6 schema defines them,
and the whole document is checked with the library's 1.6 JSON validator before it leaves.

The standard has no field for training hardware, compute or parameter counts: they travel as
`properties` named `riskreg:<name>` (see `PROPERTY_*` below and docs/interchange.md).

Each claim's first `evidence` item (`propertyName` `riskreg:assessment`) carries what the claim is
about, its value, our confidence, the accelerator and country as named text attachments, and the date
the claim was last checked as `created`. The claim's sources follow as one `evidence` item each
(`propertyName` `riskreg:source`: title, URL, publisher as `author`, publication date as `created`).

Import (`bom_import`): every ML component becomes or updates a model (matched by name, or by the name in
its purl), its supplier becomes or is matched to an organisation (screened as any other once saved), and
its claims arrive with the BOM itself as their principal source and the sources it cites as further
sources. A claim keeps the confidence the BOM states in `riskreg:assessment`; a claim without one is
`developer-stated` (a vendor's BOM is the vendor's word). Nothing is written unless the whole BOM is
good; importing the same BOM again changes nothing.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import UTC, date, datetime, time
from functools import cache

from cyclonedx.model import ExternalReference, ExternalReferenceType, Property, XsUri
from cyclonedx.model.bom import Bom, BomMetaData
from cyclonedx.model.component import Component, ComponentType
from cyclonedx.model.contact import OrganizationalEntity, PostalAddress
from cyclonedx.model.license import DisjunctiveLicense
from cyclonedx.model.tool import ToolRepository
from cyclonedx.output.json import JsonV1Dot6
from cyclonedx.schema import SchemaVersion

from models_catalog.interchange import MAX_DEPTH, MAX_DOCUMENT_BYTES, InterchangeError, document_bounded
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
from models_catalog.models import (
    AIModel,
    EvidenceSource,
    Organisation,
    ProvenanceClaim,
)

SPEC_VERSION = "1.6"
#: BOM versions we read; each is checked against its own schema.
READABLE_VERSIONS = {"1.5": SchemaVersion.V1_5, "1.6": SchemaVersion.V1_6}
MAX_BOM_BYTES = MAX_DOCUMENT_BYTES
PREFIX = "riskreg:"
VALUE_MAX = ProvenanceClaim._meta.get_field("value").max_length
PROPERTY_FAMILY = "riskreg:family"
PROPERTY_WEIGHTS = "riskreg:weights"
PROPERTY_RELEASE_DATE = "riskreg:release-date"
PROPERTY_PARAMETERS_TOTAL = "riskreg:parameters-total"
PROPERTY_PARAMETERS_ACTIVE = "riskreg:parameters-active"
PROPERTY_TRAINING_TOKENS = "riskreg:training-tokens"
PROPERTY_COMPUTE = "riskreg:training-compute-flop-estimate"
PROPERTY_HARDWARE = "riskreg:training-hardware"
PROPERTY_COMPUTE_PROVIDER = "riskreg:compute-provider"
ASSESSMENT = "riskreg:assessment"
SOURCE = "riskreg:source"
#: Named pieces of a claim's assessment evidence, in the order they are written.
ASSESSMENT_FIELDS = (
    "subject",
    "value",
    "confidence",
    "accelerator",
    "accelerator-vendor",
    "accelerator-vendor-country",
    "country",
    "notes",
)
MODEL_CARD_KINDS = {EvidenceSource.Kind.MODEL_CARD}


# --- export --------------------------------------------------------------------------------------


def _model_ref(model: AIModel) -> str:
    return f"model:{model.slug}"


def _organisation_entity(organisation: Organisation) -> OrganizationalEntity:
    return OrganizationalEntity(
        name=organisation.name,
        urls=[XsUri(organisation.website)] if organisation.website else None,
        address=PostalAddress(country=organisation.country),
    )


def _compute_estimate(model: AIModel) -> int | None:
    """6 x parameters x tokens, active parameters for a mixture of experts: an estimate, not a disclosure."""
    parameters = model.parameters_active or model.parameters_total
    if parameters and model.training_tokens:
        return 6 * parameters * model.training_tokens
    return None


def _model_properties(model: AIModel, claims: list[ProvenanceClaim]) -> list[Property]:
    values: list[tuple[str, object]] = [
        (PROPERTY_FAMILY, model.family),
        (PROPERTY_WEIGHTS, model.weights),
        (PROPERTY_RELEASE_DATE, model.release_date.isoformat() if model.release_date else None),
        (PROPERTY_PARAMETERS_TOTAL, model.parameters_total),
        (PROPERTY_PARAMETERS_ACTIVE, model.parameters_active),
        (PROPERTY_TRAINING_TOKENS, model.training_tokens),
        (PROPERTY_COMPUTE, _compute_estimate(model)),
    ]
    for claim in claims:
        if claim.subject == ProvenanceClaim.Subject.TRAINING_HARDWARE:
            values.append((PROPERTY_HARDWARE, f"{claim.value} ({claim.get_confidence_display().lower()})"))
        elif claim.subject == ProvenanceClaim.Subject.COMPUTE_PROVIDER:
            values.append((PROPERTY_COMPUTE_PROVIDER, f"{claim.value} ({claim.get_confidence_display().lower()})"))
    return [Property(name=name, value=str(value)) for name, value in values if value not in (None, "")]


def _sources(claims: list[ProvenanceClaim]) -> list[EvidenceSource]:
    seen: dict[int, EvidenceSource] = {}
    for claim in claims:
        for source in claim.all_sources():
            seen.setdefault(source.pk, source)
    return list(seen.values())


def _external_references(sources: list[EvidenceSource]) -> list[ExternalReference]:
    return [
        ExternalReference(
            type=ExternalReferenceType.MODEL_CARD
            if source.kind in MODEL_CARD_KINDS
            else ExternalReferenceType.EVIDENCE,
            url=XsUri(source.url),
            comment=f"{source.publisher}: {source.title}",
        )
        for source in sources
        if source.url
    ]


def _licence(model: AIModel) -> list[DisjunctiveLicense]:
    if model.licence == "NOASSERTION":
        return []
    if model.licence.startswith("LicenseRef-"):
        return [DisjunctiveLicense(name=model.licence)]
    return [DisjunctiveLicense(id=model.licence)]


def _text(name: str, value: str) -> dict:
    return {"name": name, "contents": {"attachment": {"contentType": "text/plain", "content": value}}}


def _datetime(value: date | None) -> str | None:
    if value is None:
        return None
    return datetime.combine(value, time(0, 0), tzinfo=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _claims_declarations(model: AIModel, claims: list[ProvenanceClaim]) -> dict:
    declaration_claims, evidence = [], []
    for number, claim in enumerate(claims, start=1):
        assessment = {
            "subject": claim.subject,
            "value": claim.value,
            "confidence": claim.confidence,
            "accelerator": claim.accelerator.product if claim.accelerator_id else "",
            "accelerator-vendor": claim.accelerator.vendor.name if claim.accelerator_id else "",
            "accelerator-vendor-country": claim.accelerator.vendor.country if claim.accelerator_id else "",
            "country": claim.country,
            "notes": claim.notes,
        }
        item = {
            "bom-ref": f"evidence-{number}-assessment",
            "propertyName": ASSESSMENT,
            "data": [_text(key, assessment[key]) for key in ASSESSMENT_FIELDS if assessment[key]],
        }
        if claim.as_of:
            item["created"] = _datetime(claim.as_of)
        refs = [item["bom-ref"]]
        evidence.append(item)
        for k, source in enumerate(claim.all_sources(), start=1):
            data: dict = {"name": source.title}
            if source.url:
                data["contents"] = {"url": source.url}
            source_item = {
                "bom-ref": f"evidence-{number}-source-{k}",
                "propertyName": SOURCE,
                "data": [
                    data,
                    _text("kind", source.kind),
                    *([_text("citation", source.citation)] if source.citation else []),
                ],
                "author": {"name": source.publisher},
            }
            if source.published_on:
                source_item["created"] = _datetime(source.published_on)
            evidence.append(source_item)
            refs.append(source_item["bom-ref"])
        declaration_claims.append(
            {
                "bom-ref": f"claim-{number}",
                "target": _model_ref(model),
                "predicate": claim.statement,
                "reasoning": f"{claim.get_subject_display()}: {claim.value}. "
                f"Confidence: {claim.get_confidence_display()}.",
                "evidence": refs,
            }
        )
    return {"claims": declaration_claims, "evidence": evidence}


def _model_card(model: AIModel, claims: list[ProvenanceClaim]) -> dict:
    parameters: dict = {}
    if model.family:
        parameters["architectureFamily"] = model.family
    if model.architecture:
        parameters["modelArchitecture"] = model.architecture
    datasets = [
        {"type": "dataset", "name": claim.value}
        for claim in claims
        if claim.subject == ProvenanceClaim.Subject.TRAINING_DATA
    ]
    if datasets:
        parameters["datasets"] = datasets
    limitations = [
        f"{claim.statement} ({claim.get_confidence_display().lower()})"
        for claim in claims
        if claim.confidence in (ProvenanceClaim.Confidence.DISPUTED, ProvenanceClaim.Confidence.REPORTED)
    ]
    card: dict = {"bom-ref": f"{_model_ref(model)}:model-card", "modelParameters": parameters}
    if limitations:
        card["considerations"] = {"technicalLimitations": limitations}
    return card


def _claims_of(model: AIModel) -> list[ProvenanceClaim]:
    return list(
        model.claims.select_related("source", "accelerator__vendor", "organisation")
        .prefetch_related("other_sources")
        .order_by("subject", "value", "pk")
    )


def model_bom_export(*, model: AIModel) -> dict:
    """The model as a CycloneDX 1.6 ML-BOM (a dict ready for json.dumps), checked against the 1.6 schema.

    The same catalog state gives the same document: the timestamp is the last change of the model or its
    claims and the serial number is derived from the content.
    """
    claims = _claims_of(model)
    developer = model.developer
    component = Component(
        type=ComponentType.MACHINE_LEARNING_MODEL,
        name=model.name,
        version=model.version or None,
        bom_ref=_model_ref(model),
        description=model.description or None,
        supplier=_organisation_entity(developer),
        licenses=_licence(model),
        external_references=_external_references(_sources(claims)),
        properties=_model_properties(model, claims),
    )
    component.manufacturer = _organisation_entity(developer)
    changed = max([model.updated_at, *(c.updated_at for c in claims)])
    bom = Bom(components=[component], metadata=BomMetaData(timestamp=changed.replace(microsecond=0)))
    bom.metadata.tools = ToolRepository(
        components=[Component(type=ComponentType.APPLICATION, name="riskreg", group="riskreg")]
    )
    document = json.loads(JsonV1Dot6(bom).output_as_string())
    document["components"][0]["modelCard"] = _model_card(model, claims)
    if claims:
        document["declarations"] = _claims_declarations(model, claims)
    document.pop("serialNumber", None)
    digest = hashlib.sha256(json.dumps(document, sort_keys=True).encode()).hexdigest()
    document["serialNumber"] = f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'riskreg:bom:' + digest)}"
    problem = _validator(SchemaVersion.V1_6).validate_str(json.dumps(document))
    if problem is not None:  # a bug of ours, never the user's: fail loudly
        raise AssertionError(f"riskreg produced a CycloneDX BOM its validator refuses: {problem}")
    return document


@cache
def _validator(version: SchemaVersion):
    # Imported when first needed: it loads jsonschema's format checkers, one of which (rfc3987-syntax) builds an
    # IRI grammar at import, about 3 s that an export, the web process or a test run that does not validate
    # should not pay.
    from cyclonedx.validation.json import JsonStrictValidator

    return JsonStrictValidator(version)


def bom_validate(document_text: str, *, version: str = SPEC_VERSION) -> list[str]:
    """Every schema violation of a CycloneDX JSON document, each as 'at <path>: <message>'."""
    errors = _validator(READABLE_VERSIONS[version]).validate_str(document_text, all_errors=True) or []
    return [_describe(error.data) for error in errors]


def _describe(error) -> str:
    path = "/".join(str(part) for part in error.absolute_path) or "(top level)"
    message = error.message if len(error.message) <= 300 else error.message[:300] + "..."
    return f"at {path}: {message}"


# --- import --------------------------------------------------------------------------------------


def _parse(data: bytes, source_name: str) -> tuple[dict, str]:
    if len(data) > MAX_BOM_BYTES:
        raise InterchangeError(
            f"{source_name}: {len(data):,} bytes is over the {MAX_BOM_BYTES // (1024 * 1024)} MiB limit for a BOM"
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InterchangeError(f"{source_name}: not UTF-8 text (byte {exc.start})") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InterchangeError(f"{source_name}: not JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}") from None
    except RecursionError:
        raise InterchangeError(f"{source_name}: nests deeper than {MAX_DEPTH} levels") from None
    document_bounded(document, source_name=source_name)  # before the schema, whose cost grows with the document
    if not isinstance(document, dict) or document.get("bomFormat") != "CycloneDX":
        raise InterchangeError(f'{source_name}: not a CycloneDX JSON BOM (no "bomFormat": "CycloneDX")')
    version = document.get("specVersion")
    if version not in READABLE_VERSIONS:
        raise InterchangeError(
            f"{source_name}: CycloneDX specVersion {version!r} is not supported; "
            f"riskreg reads {' and '.join(sorted(READABLE_VERSIONS))}"
        )
    problems = bom_validate(text, version=version)
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise InterchangeError(f"{source_name}: invalid against the CycloneDX {version} schema {problems[0]}{more}")
    return document, version


def _ml_components(document: dict) -> list[tuple[str, dict]]:
    found = []
    subject = (document.get("metadata") or {}).get("component")
    if subject and subject.get("type") == "machine-learning-model":
        found.append(("metadata/component", subject))

    def walk(components: list, path: str) -> None:
        for i, component in enumerate(components):
            where = f"{path}/{i}"
            if component.get("type") == "machine-learning-model":
                found.append((where, component))
            walk(component.get("components") or [], f"{where}/components")

    walk(document.get("components") or [], "components")
    return found


def _properties(component: dict) -> dict[str, str]:
    return {p["name"]: p.get("value", "") for p in component.get("properties") or [] if p.get("name")}


def _integer(properties: dict[str, str], name: str, where: str) -> int | None:
    value = properties.get(name)
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except ValueError:
        raise InterchangeError(f"{where}: property {name} must be a whole number, not {value!r}") from None
    if number < 0:
        raise InterchangeError(f"{where}: property {name} cannot be negative")
    return number


def _component_licence(component: dict, where: str) -> str:
    for i, choice in enumerate(component.get("licenses") or []):
        licence = choice.get("license") or {}
        value = licence.get("id") or licence.get("name") or choice.get("expression")
        if not value:
            continue
        if not is_known_licence(value):
            raise InterchangeError(
                f"{where}/licenses/{i}: {value!r} is not a known SPDX licence id; use an SPDX id such as MIT or "
                "Apache-2.0, or a custom reference written LicenseRef-<name>"
            )
        return value
    return "NOASSERTION"


# Where writers put who made a model, in the order the register reads them (issue 27): the component's own
# fields, then the BOM's metadata (its manufacturer and supplier). supplier and manufacturer are the standard's
# organisational entities (with an address); authors, author (deprecated in 1.6) and publisher are names only.
_DEVELOPER_FIELDS = ("manufacturer", "supplier", "authors", "author", "publisher")
# In the metadata, authors are the BOM's own writers (a consultant, a tool), not the model's: only the maker and
# the supplier of the component the BOM describes count there.
_METADATA_DEVELOPER_FIELDS = ("manufacturer", "supplier")
_STANDARD_FIELDS = {"manufacturer", "supplier"}  # a developer read elsewhere (metadata too) is a claim to check


def _developer_in(holder: dict, key: str) -> tuple[str, dict] | None:
    value = holder.get(key)
    if key == "authors":
        value = next((a for a in value or [] if isinstance(a, dict) and (a.get("name") or "").strip()), None)
    if isinstance(value, str) and value.strip():
        return value.strip(), {}
    if isinstance(value, dict) and (value.get("name") or "").strip():
        return value["name"].strip(), value
    return None


def _developer(document: dict, component: dict, where: str, override: Developer | None) -> Developer:
    """Who developed the component: the importer's word if given, else the first of the fields above that names
    someone, on the component, then in the BOM's metadata. Refused, with what to give, when none does."""
    if override is not None and override.name:
        return override
    metadata = document.get("metadata") or {}
    for holder, whose, fields in (
        (component, "the component's", _DEVELOPER_FIELDS),
        (metadata, "the BOM metadata's", _METADATA_DEVELOPER_FIELDS),
    ):
        for key in fields:
            found = _developer_in(holder, key)
            if found is None:
                continue
            name, entity = found
            return Developer(
                name=name[:255],
                country=((entity.get("address") or {}).get("country") or "").strip().upper(),
                url=web_address(next(iter(entity.get("url") or []), ""), where=f"{where}/{key}/url"),
                taken_from=f"{whose} {key}",
                standard=key in _STANDARD_FIELDS and holder is component,  # the BOM's supplier may be a reseller
            )
    group = (component.get("group") or "").strip()
    hint = f" (its group is {group!r}, often the developer's name)" if group else ""
    raise InterchangeError(
        f"{where}: {component.get('name')!r} names no developer: no manufacturer, supplier, authors, author or "
        f"publisher on the component, nor a manufacturer or supplier in the BOM's metadata{hint}. Say who it is: "
        "--developer NAME "
        "--developer-country CC (developer and developer_country in the API)"
    )


def _texts(item: dict) -> dict[str, str]:
    out = {}
    for data in item.get("data") or []:
        attachment = (data.get("contents") or {}).get("attachment")
        if data.get("name") and attachment and "content" in attachment:
            out[data["name"]] = attachment["content"]
    return out


def _plan_component(document: dict, where: str, component: dict, override: Developer | None = None) -> Plan:
    name = (component.get("name") or "").strip()
    purl = component.get("purl") or ""
    if not name and purl:
        name = purl.split("/")[-1].split("@")[0]
    if not name:
        raise InterchangeError(f"{where}: the machine-learning-model component has no name")
    if len(name) > AIModel._meta.get_field("name").max_length:
        raise InterchangeError(f"{where}/name: {len(name)} characters is longer than a model name may be (120)")
    developer = _developer(document, component, where, override)
    properties = _properties(component)
    release = properties.get(PROPERTY_RELEASE_DATE)
    card = component.get("modelCard") or {}
    parameters = card.get("modelParameters") or {}
    weights = properties.get(PROPERTY_WEIGHTS) or AIModel.Weights.OPEN
    if weights not in AIModel.Weights.values:
        raise InterchangeError(
            f"{where}: property {PROPERTY_WEIGHTS} is {weights!r}; use one of {', '.join(AIModel.Weights.values)}"
        )
    values = {
        "family": (properties.get(PROPERTY_FAMILY) or parameters.get("architectureFamily") or name.split("-")[0])[:80],
        "version": (component.get("version") or "")[:40],
        "parameters_total": _integer(properties, PROPERTY_PARAMETERS_TOTAL, where),
        "parameters_active": _integer(properties, PROPERTY_PARAMETERS_ACTIVE, where),
        "training_tokens": _integer(properties, PROPERTY_TRAINING_TOKENS, where),
        "architecture": (parameters.get("modelArchitecture") or "")[:255],
        "licence": _component_licence(component, where),
        "weights": weights,
        "release_date": date_from(release),
        "description": _description(component),
    }
    if release and values["release_date"] is None:
        raise InterchangeError(f"{where}: property {PROPERTY_RELEASE_DATE} {release!r} is not a date (YYYY-MM-DD)")
    claims = _plan_claims(document, component, where)
    claims += _card_claims(document, component, where, name, developer, claims)
    return Plan(where=where, name=name, values=values, developer=developer, claims=claims)


def _description(component: dict) -> str:
    """The component's description, then what its model card says of its purpose (task, approach, intended users
    and uses), which the catalog has no field for."""
    text = component.get("description") or ""
    card = component.get("modelCard") or {}
    parameters = card.get("modelParameters") or {}
    considerations = card.get("considerations") or {}
    facts = []
    if isinstance(parameters.get("task"), str) and parameters["task"].strip():
        facts.append(f"task: {parameters['task'].strip()}")
    approach = (parameters.get("approach") or {}).get("type")
    if isinstance(approach, str) and approach:
        facts.append(f"approach: {approach}")
    for key, label in (("users", "intended users"), ("useCases", "use cases")):
        items = [item.strip() for item in considerations.get(key) or [] if isinstance(item, str) and item.strip()]
        if items:
            facts.append(f"{label}: {'; '.join(items)}")
    if facts:
        text = (text + "\n\n" if text else "") + "From the BOM's model card: " + ". ".join(facts) + "."
    return text


def _component_by_ref(document: dict, ref: str) -> dict | None:
    stack = list(document.get("components") or [])
    while stack:
        component = stack.pop()
        if component.get("bom-ref") == ref:
            return component
        stack.extend(component.get("components") or [])
    return None


def _card_claims(
    document: dict, component: dict, where: str, name: str, developer: Developer, declared: list[dict]
) -> list[dict]:
    """Claims the component's model card and its developer field make, which the BOM's declarations do not
    already: a training-data claim per dataset of modelCard.modelParameters (with its address as a source), and,
    when the developer was not read from the standard's manufacturer or supplier, a claim saying where it was
    read, to be checked (confidence: unverified)."""
    taken = {(claim["subject"], claim["value"]) for claim in declared}
    claims = []
    datasets = ((component.get("modelCard") or {}).get("modelParameters") or {}).get("datasets") or []
    for i, dataset in enumerate(datasets):
        if not isinstance(dataset, dict):
            continue
        here = f"{where}/modelCard/modelParameters/datasets/{i}"
        if dataset.get("ref") and not dataset.get("name"):
            dataset = _component_by_ref(document, dataset["ref"]) or {}
        dataset_name = (dataset.get("name") or "").strip()[:VALUE_MAX]
        if not dataset_name or (ProvenanceClaim.Subject.TRAINING_DATA, dataset_name) in taken:
            continue
        url = web_address((dataset.get("contents") or {}).get("url"), where=f"{here}/contents/url")
        claims.append(
            claim_plan(
                where=here,
                statement=f"{name} was trained on the dataset {dataset_name} (the BOM's model card).",
                subject=ProvenanceClaim.Subject.TRAINING_DATA,
                value=dataset_name,
                confidence=ProvenanceClaim.Confidence.DEVELOPER_STATED,
                notes=f"Classification: {dataset['classification']}." if dataset.get("classification") else "",
                sources=[
                    {
                        "title": f"Dataset: {dataset_name}"[:500],
                        "url": url[:1000],
                        "publisher": developer.name,
                        "kind": EvidenceSource.Kind.OTHER,
                        "citation": "",
                        "published_on": None,
                    }
                ]
                if url
                else [],
            )
        )
    if (
        not developer.standard
        and (ProvenanceClaim.Subject.OTHER, f"developer: {developer.name}"[:VALUE_MAX]) not in taken
    ):
        claims.append(developer_claim(where, name, developer))
    return claims


def _plan_claims(document: dict, component: dict, where: str) -> list[dict]:
    declarations = document.get("declarations") or {}
    evidence = {item.get("bom-ref"): item for item in declarations.get("evidence") or [] if item.get("bom-ref")}
    ref = component.get("bom-ref")
    plans = []
    for i, claim in enumerate(declarations.get("claims") or []):
        if claim.get("target") not in (None, ref) or not claim.get("predicate"):
            continue
        assessment: dict[str, str] = {}
        sources = []
        as_of = None
        for evidence_ref in claim.get("evidence") or []:
            item = evidence.get(evidence_ref)
            if item is None:
                raise InterchangeError(
                    f"declarations/claims/{i}: evidence {evidence_ref!r} is not in declarations/evidence"
                )
            if item.get("propertyName") == ASSESSMENT:
                assessment = _texts(item)
                as_of = date_from(item.get("created"))
                continue
            texts = _texts(item)
            named = [
                d for d in item.get("data") or [] if d.get("name") and "attachment" not in (d.get("contents") or {})
            ]
            if not named:
                continue
            sources.append(
                {
                    "title": named[0]["name"][:500],
                    "url": web_address(
                        (named[0].get("contents") or {}).get("url"), where=f"declarations/evidence/{evidence_ref}"
                    )[:1000],
                    "publisher": ((item.get("author") or {}).get("name") or "")[:255],
                    "kind": texts.get("kind", ""),
                    "citation": texts.get("citation", "")[:120],
                    "published_on": date_from(item.get("created")),
                }
            )
        subject = assessment.get("subject", ProvenanceClaim.Subject.OTHER)
        confidence = assessment.get("confidence", ProvenanceClaim.Confidence.DEVELOPER_STATED)
        if subject not in ProvenanceClaim.Subject.values:
            raise InterchangeError(f"declarations/claims/{i}: unknown claim subject {subject!r}")
        if confidence not in ProvenanceClaim.Confidence.values:
            raise InterchangeError(f"declarations/claims/{i}: unknown confidence {confidence!r}")
        country = assessment.get("country", "").upper()
        if country and (len(country) != 2 or not country.isalpha()):
            raise InterchangeError(f"declarations/claims/{i}: country {country!r} is not a two-letter ISO code")
        plans.append(
            {
                "where": f"declarations/claims/{i}",
                "statement": claim["predicate"],
                "subject": subject,
                "value": (assessment.get("value") or claim["predicate"])[:255],
                "confidence": confidence,
                "accelerator": assessment.get("accelerator", "")[:120],
                "accelerator_vendor": assessment.get("accelerator-vendor", "")[:255],
                "accelerator_vendor_country": assessment.get("accelerator-vendor-country", "").upper()[:2],
                "country": country,
                "notes": assessment.get("notes", ""),
                "as_of": as_of,
                "sources": sources,
            }
        )
    return plans


def bom_import(
    *,
    data: bytes,
    source_name: str = "BOM",
    developer: str | None = None,
    developer_country: str | None = None,
    progress=None,
) -> ImportResult:
    """Import the ML components of a CycloneDX 1.5/1.6 JSON BOM into the catalog. Raises InterchangeError.

    The developer of each component is read where writers put it (see ``_DEVELOPER_FIELDS``); ``developer``
    names it instead, for every component (the importer's word is recorded as a claim to check), and
    ``developer_country`` gives the two-letter country of a developer the register does not know yet, which is
    then created and screened like any other. ``progress(stage)``, if given, hears what the import is doing (a
    background job shows it)."""
    override, country = importer_developer(developer, developer_country, source_name=source_name)
    progress = progress or (lambda stage: None)
    progress("reading and validating the BOM")
    document, version = _parse(data, source_name)
    components = _ml_components(document)
    if not components:
        raise InterchangeError(f"{source_name}: no component of type machine-learning-model; nothing to import")
    try:
        plans = [_plan_component(document, where, component, override) for where, component in components]
    except InterchangeError as exc:
        raise InterchangeError(f"{source_name}: {exc}") from None
    progress(f"writing {len(plans)} machine-learning component{'s' if len(plans) != 1 else ''}")
    digest = hashlib.sha256(data).hexdigest()
    metadata = document.get("metadata") or {}
    return plans_import(
        plans=plans,
        data=data,
        source_name=source_name,
        source_title=f"CycloneDX {version} ML-BOM {document.get('serialNumber') or f'sha256:{digest[:16]}'}",
        source_summary=f"Machine-learning BOM imported from {source_name}: {', '.join(p.name for p in plans)}.",
        published_on=date_from(metadata.get("timestamp")),
        country=country,
        reason=f"BOM imported: {source_name}",
    )
