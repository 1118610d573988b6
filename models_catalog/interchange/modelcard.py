"""Hugging Face model cards into the catalog: the YAML front matter of a README.md.

What is read (https://huggingface.co/docs/hub/model-cards): `license` (with `license_name` when it is
`other`), `base_model`, `datasets`, `model-index` (its first `name` names the model when no name is
given), `co2_eq_emissions` (`hardware_used`, `geographical_location`, `emissions`), `model_creator` and
the `extra_gated_*` keys (gated weights).

What it becomes: the model (created, or its licence and weights updated), and developer-stated claims
with the card as their source: the base model, one training-data claim per dataset, the training
location, and the training hardware. `hardware_used` is free text ("384 A100 80GB GPUs"): when it names
an accelerator the catalog knows ("512 Ascend 910B", "H800") the claim points to it, so its vendor joins
the supply chain; otherwise the text is kept as the claim's value with no accelerator.

A card with broken YAML, no front matter or an unknown licence id is refused whole; importing the same
card again changes nothing.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

import yaml
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from models_catalog.interchange import MAX_DEPTH, MAX_DOCUMENT_BYTES, InterchangeError, document_bounded
from models_catalog.interchange.plans import model_find, organisation_find, upsert
from models_catalog.licences import SPDX_IDS
from models_catalog.models import (
    Accelerator,
    AIModel,
    EvidenceSource,
    Organisation,
    OrganisationRole,
    ProvenanceClaim,
)
from riskreg.core.events import ChangeKind, material_changes_batched

FRONT_MATTER = re.compile(r"\A\ufeff?---[ \t]*\r?\n(.*?)^(?:---|\.\.\.)[ \t]*$", re.DOTALL | re.MULTILINE)
_SPDX_BY_LOWER = {licence.lower(): licence for licence in SPDX_IDS}
#: Licence ids of the Hugging Face Hub that are not SPDX ids: kept as the custom reference named here.
HUB_LICENCES = {
    "llama2": "LicenseRef-Llama-2-Community",
    "llama3": "LicenseRef-Llama-3-Community",
    "llama3.1": "LicenseRef-Llama-3.1-Community",
    "llama3.2": "LicenseRef-Llama-3.2-Community",
    "llama3.3": "LicenseRef-Llama-3.3-Community",
    "llama4": "LicenseRef-Llama-4-Community",
    "gemma": "LicenseRef-Gemma",
    "openrail": "LicenseRef-OpenRAIL",
    "openrail++": "LicenseRef-OpenRAIL-plus-plus",
    "bigscience-openrail-m": "LicenseRef-BigScience-OpenRAIL-M",
    "bigscience-bloom-rail-1.0": "LicenseRef-BigScience-BLOOM-RAIL-1.0",
    "bigcode-openrail-m": "LicenseRef-BigCode-OpenRAIL-M",
    "deepfloyd-if-license": "LicenseRef-DeepFloyd-IF",
    "apple-amlr": "LicenseRef-Apple-AMLR",
    "unknown": "NOASSERTION",
}
VALUE_MAX = ProvenanceClaim._meta.get_field("value").max_length


@dataclass
class CardImportResult:
    model: str = ""
    model_outcome: str = ""
    claims_created: int = 0
    claims_updated: int = 0
    hardware_accelerator: str | None = None
    source_id: int | None = None
    notes: list[str] = field(default_factory=list)
    developer: str = ""
    developer_created: bool = False
    message: str = ""  # one sentence: what the import created or changed

    @property
    def changed(self) -> bool:
        return self.model_outcome != "unchanged" or bool(self.claims_created or self.claims_updated)

    def as_dict(self) -> dict:
        return {
            "message": self.message,
            "model": self.model,
            "model_outcome": self.model_outcome,
            "developer": self.developer,
            "developer_created": self.developer_created,
            "claims_created": self.claims_created,
            "claims_updated": self.claims_updated,
            "hardware_accelerator": self.hardware_accelerator,
            "source": self.source_id,
            "notes": self.notes,
            "changed": self.changed,
        }


def card_front_matter(*, data: bytes, source_name: str) -> dict:
    """The YAML front matter of a model card as a mapping; InterchangeError naming the line when it is broken."""
    if len(data) > MAX_DOCUMENT_BYTES:
        raise InterchangeError(
            f"{source_name}: {len(data):,} bytes is over the {MAX_DOCUMENT_BYTES // (1024 * 1024)} MiB limit"
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InterchangeError(f"{source_name}: not UTF-8 text (byte {exc.start})") from None
    found = FRONT_MATTER.match(text)
    if found is None:
        raise InterchangeError(
            f"{source_name}: no YAML front matter: a model card starts with a line '---', its metadata, and '---'"
        )
    try:
        meta = yaml.load(found.group(1), Loader=_CardLoader)  # noqa: S506 - SafeLoader, aliases refused
    except RecursionError:
        raise InterchangeError(f"{source_name}: the front matter nests deeper than {MAX_DEPTH} levels") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f", line {mark.line + 2}, column {mark.column + 1}" if mark else ""
        raise InterchangeError(f"{source_name}{where}: broken YAML: {exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        raise InterchangeError(f"{source_name}: broken YAML: {exc}") from None
    if not isinstance(meta, dict):
        raise InterchangeError(f"{source_name}: the front matter is not a mapping of keys to values")
    document_bounded(meta, source_name=source_name)
    return meta


class _CardLoader(yaml.SafeLoader):
    """YAML's safe loader without aliases: ``*name`` repeats a value by reference, and a few hundred bytes of
    aliases to aliases expand to hundreds of megabytes once read (a "billion laughs"); no model card needs them."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None, None, "an alias (*name) is not accepted in a model card: write the value out", event.start_mark
            )
        return super().compose_node(parent, index)


def _licence(meta: dict, source_name: str) -> str | None:
    value = meta.get("license")
    if value is None:
        return None
    if isinstance(value, list):
        value = value[0] if value else None
    if not isinstance(value, str):
        raise InterchangeError(f"{source_name}: license: expected a licence id, got {value!r}")
    key = value.strip().lower()
    if key == "other":
        name = str(meta.get("license_name") or "").strip()
        if not name:
            raise InterchangeError(f"{source_name}: license is 'other' but the card gives no license_name")
        if not re.fullmatch(r"[A-Za-z0-9.\-]+", name):
            raise InterchangeError(
                f"{source_name}: license_name {name!r} is not a plain name (letters, digits, dots and dashes)"
            )
        return f"LicenseRef-{name}"
    if key in _SPDX_BY_LOWER:
        return _SPDX_BY_LOWER[key]
    if key in HUB_LICENCES:
        return HUB_LICENCES[key]
    if value.startswith("LicenseRef-") and re.fullmatch(r"LicenseRef-[A-Za-z0-9.\-]+", value):
        return value
    raise InterchangeError(
        f"{source_name}: license: {value!r} is not a known licence id (an SPDX id such as mit or apache-2.0, "
        "a Hugging Face Hub id such as llama3, or 'other' with a license_name)"
    )


def _strings(meta: dict, key: str, source_name: str) -> list[str]:
    value = meta.get(key)
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    if not all(isinstance(item, str) and item.strip() for item in items):
        raise InterchangeError(f"{source_name}: {key}: expected a name or a list of names")
    return [item.strip() for item in items]


def _card_name(meta: dict, name: str | None, source_name: str) -> str:
    if name:
        return name.strip()
    index = meta.get("model-index")
    if isinstance(index, list) and index and isinstance(index[0], dict) and isinstance(index[0].get("name"), str):
        return index[0]["name"].strip()
    raise InterchangeError(f"{source_name}: the card does not name its model (no model-index name): give --name")


def _squash(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def accelerator_named(text: str) -> Accelerator | None:
    """The catalog accelerator whose product `text` names ("512 Ascend 910B" -> Ascend 910B), longest first."""
    squashed = _squash(text)
    best: Accelerator | None = None
    for accelerator in Accelerator.objects.select_related("vendor"):
        product = _squash(accelerator.product)
        if len(product) >= 3 and product in squashed and (best is None or len(product) > len(_squash(best.product))):
            best = accelerator
    return best


REPO_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,95}/[A-Za-z0-9][A-Za-z0-9._-]{0,95}")


def model_card_import(
    *,
    data: bytes,
    source_name: str = "model card",
    name: str | None = None,
    developer: str | None = None,
    repo: str | None = None,
    developer_country: str | None = None,
    progress=None,
) -> CardImportResult:
    """Import a Hugging Face model card (README.md with YAML front matter). Raises InterchangeError.

    ``repo`` is the card's Hugging Face repository id (``owner/name``): the model is named after it and, for a
    model not yet in the catalog, its owner is offered as the developer (a claim to check records that). A
    developer the register does not know is created, and screened like any other, when ``developer_country``
    gives its two-letter country; otherwise the import is refused with the command that would take it.
    ``progress(stage)``, if given, hears what the import is doing (a background job shows it)."""
    progress = progress or (lambda stage: None)
    progress("reading the card's front matter")
    repo = (repo or "").strip()
    if repo and not REPO_ID.fullmatch(repo):
        raise InterchangeError(f"{source_name}: --repo {repo!r} is not a Hugging Face repository id (owner/name)")
    country = (developer_country or "").strip().upper()
    if country and (len(country) != 2 or not country.isalpha()):
        raise InterchangeError(f"{source_name}: developer country {country!r} is not a two-letter ISO code")
    meta = card_front_matter(data=data, source_name=source_name)
    licence = _licence(meta, source_name)
    model_name = _card_name(meta, name or (repo.split("/")[1] if repo else None), source_name)
    base_models = _strings(meta, "base_model", source_name)
    datasets = _strings(meta, "datasets", source_name)
    emissions = meta.get("co2_eq_emissions")
    if emissions is not None and not isinstance(emissions, dict):
        emissions = {"emissions": emissions}
    emissions = emissions or {}
    hardware = str(emissions.get("hardware_used") or "").strip()
    location = str(emissions.get("geographical_location") or "").strip()
    gated = any(str(key).startswith("extra_gated") for key in meta)
    model = model_find(model_name)
    organisation = model.developer if model else None
    creator, taken_from = "", ""
    if organisation is None:
        creator_field = meta.get("model_creator") if isinstance(meta.get("model_creator"), str) else None
        creator, taken_from = next(
            (
                (value.strip(), where)
                for value, where in (
                    (developer, ""),
                    (creator_field, "the card's model_creator"),
                    (repo.split("/")[0] if repo else None, f"the Hugging Face repository id {repo}"),
                )
                if value and value.strip()
            ),
            ("", ""),
        )
        if not creator:
            raise InterchangeError(
                f"{source_name}: {model_name} is not in the catalog and the card does not say who developed it: "
                "name the developer (--developer, or `developer` in the API), or give the repository id "
                "(--repo owner/name, `repo` in the API)"
            )
        organisation = organisation_find(creator)
        if organisation is None and not country:
            raise InterchangeError(
                f"{source_name}: developer {creator!r} is not an organisation in the register. Give its two-letter "
                f"country and it is created and screened: manage.py import_model_card {source_name}"
                + (f" --repo {repo}" if repo else f" --developer {creator!r}")
                + (f" --name {name!r}" if name else "")
                + " --developer-country CC (`developer_country` in the API); or name an organisation the "
                "register has with --developer"
            )
    digest = hashlib.sha256(data).hexdigest()
    progress(f"writing {model_name}")
    try:
        with (
            transaction.atomic(),
            material_changes_batched(
                kind=ChangeKind.CLAIM,
                reason=f"Model card imported: {model_name}"[:200],
                reference=f"card:{digest[:16]}",
            ),
        ):
            if organisation is None:
                organisation = Organisation(
                    name=creator[:255],
                    country=country,
                    roles=[OrganisationRole.DEVELOPER],
                    website=f"https://huggingface.co/{creator}" if repo and creator == repo.split("/")[0] else "",
                    notes=f"Created as the developer of {model_name} from {taken_from or 'the importer'} "
                    f"({source_name}).",
                )
                organisation.full_clean()
                organisation.save()
                created = True
            else:
                created = False
            result = _write(
                meta=meta,
                model=model,
                model_name=model_name,
                organisation=organisation,
                licence=licence,
                gated=gated,
                base_models=base_models,
                datasets=datasets,
                hardware=hardware,
                location=location,
                emissions=emissions,
                digest=digest,
                source_name=source_name,
                taken_from=taken_from,
            )
            result.developer, result.developer_created = organisation.name, created
            result.message = (
                f"{model_name}: model {result.model} {result.model_outcome}; developer {organisation.name} "
                + ("(created and queued for screening" if created else "(in the register")
                + (f", from {taken_from})" if taken_from else ")")
                + f"; {result.claims_created} claim{'' if result.claims_created == 1 else 's'} created, "
                f"{result.claims_updated} updated."
            )
            return result
    except ValidationError as exc:
        detail = "; ".join(f"{k}: {' '.join(v)}" for k, v in getattr(exc, "message_dict", {"": exc.messages}).items())
        raise InterchangeError(f"{source_name}: refused by the catalog's rules: {detail}") from None


def _write(
    *,
    meta: dict,
    model: AIModel | None,
    model_name: str,
    organisation: Organisation,
    licence: str | None,
    gated: bool,
    base_models: list[str],
    datasets: list[str],
    hardware: str,
    location: str,
    emissions: dict,
    digest: str,
    source_name: str,
    taken_from: str = "",
) -> CardImportResult:
    result = CardImportResult()
    source, _ = upsert(
        EvidenceSource,
        {"title": f"Model card of {model_name} (sha256 {digest[:12]})", "publisher": organisation.name},
        {"kind": EvidenceSource.Kind.MODEL_CARD, "captured_sha256": digest},
    )
    if source.retrieved_on is None:
        source.retrieved_on = timezone.localdate()
        source.summary = f"Hugging Face model card imported from {source_name}."
        source.save(update_fields=["retrieved_on", "summary"])
    result.source_id = source.pk
    values: dict = {}
    if licence:
        values["licence"] = licence
    if model is None:
        values.setdefault("licence", "NOASSERTION")
        family = re.split(r"[-\s]", model_name, maxsplit=1)[0]
        values.update(family=family[:80], weights=AIModel.Weights.GATED if gated else AIModel.Weights.OPEN)
        model, outcome = upsert(AIModel, {"name": model_name}, {**values, "developer": organisation})
    else:
        if gated:
            values["weights"] = AIModel.Weights.GATED
        model, outcome = upsert(AIModel, {"pk": model.pk}, values)
    result.model, result.model_outcome = model.slug, outcome

    def claim(subject: str, value: str, statement: str, **extra) -> None:
        _, done = upsert(
            ProvenanceClaim,
            {"model": model, "subject": subject, "value": value[:VALUE_MAX]},
            {"statement": statement, "confidence": ProvenanceClaim.Confidence.DEVELOPER_STATED, "source": source}
            | extra,
        )
        if done == "created":
            result.claims_created += 1
        elif done == "updated":
            result.claims_updated += 1

    if taken_from:
        claim(
            ProvenanceClaim.Subject.OTHER,
            f"developer: {organisation.name}",
            f"{model_name} was developed by {organisation.name}: taken from {taken_from}.",
            confidence=ProvenanceClaim.Confidence.UNVERIFIED,
            notes=f"Developer taken from {taken_from}; check it before relying on it.",
        )
    for base in base_models:
        claim(ProvenanceClaim.Subject.OTHER, f"base model: {base}", f"{model_name} is derived from {base}.")
    for dataset in datasets:
        claim(ProvenanceClaim.Subject.TRAINING_DATA, dataset, f"{model_name} was trained on the dataset {dataset}.")
    if location:
        claim(ProvenanceClaim.Subject.TRAINING_LOCATION, location, f"{model_name} was trained in {location}.")
    if hardware:
        accelerator = accelerator_named(hardware)
        notes = ""
        if emissions.get("emissions") is not None:
            notes = f"co2_eq_emissions.emissions: {emissions['emissions']} (grams of CO2, as the card states)"
        claim(
            ProvenanceClaim.Subject.TRAINING_HARDWARE,
            hardware,
            f"The model card of {model_name} gives its training hardware as: {hardware}.",
            accelerator=accelerator,
            notes=notes,
        )
        if accelerator is not None:
            result.hardware_accelerator = str(accelerator)
        else:
            result.notes.append(f"hardware_used {hardware!r} names no accelerator in the catalog; kept as text")
    return result
