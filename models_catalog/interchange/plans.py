"""What an import asks of the catalog, checked before anything is written, then written in one go: the part every
import format shares (CycloneDX, SPDX). A format's module reads its document into ``Plan``s (one per model: its
values, its developer, its claims), and ``plans_write`` creates or updates the organisations, models, sources and
claims, saving a row only when something differs, so the same document again changes nothing.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from models_catalog.interchange import InterchangeError
from models_catalog.models import (
    Accelerator,
    AIModel,
    EvidenceSource,
    Organisation,
    OrganisationRole,
    ProvenanceClaim,
    model_slug,
)
from riskreg.core.events import ChangeKind, material_changes_batched
from riskreg.core.urls import web_url

VALUE_MAX = ProvenanceClaim._meta.get_field("value").max_length


@dataclass
class ImportResult:
    models_created: list[str] = field(default_factory=list)
    models_updated: list[str] = field(default_factory=list)
    models_unchanged: list[str] = field(default_factory=list)
    organisations_created: list[str] = field(default_factory=list)
    claims_created: int = 0
    claims_updated: int = 0
    source_id: int | None = None
    messages: list[str] = field(default_factory=list)  # one sentence per component: what it created or changed

    @property
    def changed(self) -> bool:
        return bool(self.models_created or self.models_updated or self.organisations_created) or bool(
            self.claims_created or self.claims_updated
        )

    def as_dict(self) -> dict:
        return {
            "messages": self.messages,
            "models_created": self.models_created,
            "models_updated": self.models_updated,
            "models_unchanged": self.models_unchanged,
            "organisations_created": self.organisations_created,
            "claims_created": self.claims_created,
            "claims_updated": self.claims_updated,
            "source": self.source_id,
            "changed": self.changed,
        }


@dataclass
class Developer:
    name: str
    country: str = ""
    url: str = ""
    taken_from: str = ""  # "the component's publisher", "the importer (--developer)"
    standard: bool = False  # from a field whose meaning is the maker (manufacturer, supplier)
    by_importer: bool = False  # the person importing named it (--developer)

    @property
    def decides(self) -> bool:
        """Whether this may change the developer of a model already in the register: the standard's field for
        the maker, or the importer's word; a publisher or author only suggests (recorded as a claim to check)."""
        return self.standard or self.by_importer


@dataclass
class Plan:
    """What one ML component asks for, checked before anything is written."""

    where: str
    name: str
    values: dict
    developer: Developer
    claims: list[dict]

    @property
    def developer_name(self) -> str:
        return self.developer.name


def importer_developer(
    developer: str | None, developer_country: str | None, *, source_name: str
) -> tuple[Developer | None, str]:
    """What the importer said (--developer, --developer-country): the developer to use for every model, if named,
    and the two-letter country for a developer the register does not know yet."""
    country = (developer_country or "").strip().upper()
    if country and (len(country) != 2 or not country.isalpha()):
        raise InterchangeError(f"{source_name}: developer country {country!r} is not a two-letter ISO code")
    if not developer or not developer.strip():
        return None, country
    named = Developer(
        name=developer.strip()[:255], country=country, taken_from="the importer (--developer)", by_importer=True
    )
    return named, country


def claim_plan(*, where: str, statement: str, subject: str, value: str, confidence: str, **fields) -> dict:
    """One claim an import asks for, in the shape ``claim_write`` takes; what is not given is empty."""
    return {
        "where": where,
        "statement": statement,
        "subject": subject,
        "value": value[:VALUE_MAX],
        "confidence": confidence,
        "accelerator": "",
        "accelerator_vendor": "",
        "accelerator_vendor_country": "",
        "country": "",
        "notes": "",
        "as_of": None,
        "sources": [],
        **fields,
    }


def developer_claim(plan_where: str, model_name: str, developer: Developer) -> dict:
    """Where a developer read outside the standard's own field for the maker came from, as a claim legal checks."""
    return claim_plan(
        where=plan_where,
        statement=f"{model_name} was developed by {developer.name}: taken from {developer.taken_from}.",
        subject=ProvenanceClaim.Subject.OTHER,
        value=f"developer: {developer.name}",
        confidence=ProvenanceClaim.Confidence.UNVERIFIED,
        notes=f"Developer taken from {developer.taken_from}; check it before relying on it.",
    )


def web_address(value, *, where: str) -> str:
    """An address from the file: http(s) only, else the whole file is refused with where it is."""
    if not value:
        return ""
    address = web_url(value)
    if not address:
        raise InterchangeError(f"{where}: {str(value)[:100]!r} is not an http or https address")
    return address


def date_from(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).date()
    except ValueError:
        return None


def organisation_find(name: str) -> Organisation | None:
    organisation = Organisation.objects.filter(name__iexact=name).first()
    if organisation is None:
        organisation = Organisation.objects.filter(short_name__iexact=name).first()
    return organisation


def upsert(model, lookup: dict, values: dict, *, update: bool = True) -> tuple[object, str]:
    """Create or update one row, saving only when something differs (history stays quiet on a re-import)."""
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **values)
        obj.full_clean()
        obj.save()
        return obj, "created"
    changed = [key for key, value in values.items() if getattr(obj, key) != value] if update else []
    if changed:
        for key in changed:
            setattr(obj, key, values[key])
        obj.full_clean()
        obj.save()
        return obj, "updated"
    return obj, "unchanged"


def model_find(name: str) -> AIModel | None:
    return AIModel.objects.filter(name__iexact=name).first() or AIModel.objects.filter(slug=model_slug(name)).first()


def validation_text(exc: ValidationError) -> str:
    if hasattr(exc, "message_dict"):
        return "; ".join(f"{key}: {' '.join(messages)}" for key, messages in exc.message_dict.items())
    return " ".join(exc.messages)


def plans_import(
    *,
    plans: list[Plan],
    data: bytes,
    source_name: str,
    source_title: str,
    source_summary: str,
    published_on: date | None,
    country: str = "",
    reason: str,
) -> ImportResult:
    """Write the plans, all or nothing, as one material change (``reason``): the document becomes the principal
    source of every claim it makes (a developer statement, with its SHA-256). A developer the register does not
    know needs a two-letter country (its own, or ``country``, the importer's) to be created and screened;
    without one the whole document is refused, saying how to give it."""
    for plan in plans:
        if country and not plan.developer.country:
            plan.developer.country = country
        if _keeps_developer(plan):
            continue
        if organisation_find(plan.developer_name) is None and len(plan.developer.country) != 2:
            raise InterchangeError(
                f"{source_name}: {plan.where}: developer {plan.developer_name!r} (from {plan.developer.taken_from}) "
                "is not in the register and the document gives no two-letter country for it. Give its country "
                "(--developer-country CC, developer_country in the API) and it is created and screened, or name "
                "an organisation the register has (--developer NAME)"
            )
    try:
        with (
            transaction.atomic(),
            material_changes_batched(
                kind=ChangeKind.CLAIM, reason=reason[:200], reference=f"import:{source_name}"[:255]
            ),
        ):
            return _plans_write(
                plans=plans,
                data=data,
                source_name=source_name,
                source_title=source_title,
                source_summary=source_summary,
                published_on=published_on,
            )
    except ValidationError as exc:
        raise InterchangeError(f"{source_name}: refused by the catalog's rules: {validation_text(exc)}") from None


def _keeps_developer(plan: Plan, model: AIModel | None = None) -> bool:
    """A model already in the register keeps its developer when the document only suggests another (a publisher,
    an author): the suggestion is recorded as a claim to check, the supply chain screening reads is not changed."""
    model = model if model is not None else model_find(plan.name)
    return model is not None and not plan.developer.decides and model.developer.name != plan.developer_name


def _plans_write(
    *, plans: list[Plan], data: bytes, source_name: str, source_title: str, source_summary: str, published_on
) -> ImportResult:
    result = ImportResult()
    source, _ = upsert(
        EvidenceSource,
        {"title": source_title[:500], "publisher": plans[0].developer_name[:255]},
        {
            "kind": EvidenceSource.Kind.DEVELOPER_STATEMENT,
            "published_on": published_on,
            "retrieved_on": timezone.localdate(),
            "captured_sha256": hashlib.sha256(data).hexdigest(),
            "summary": source_summary,
        },
        update=False,
    )
    result.source_id = source.pk
    for plan in plans:
        model = model_find(plan.name)
        kept = model is not None and _keeps_developer(plan, model)
        developer = model.developer if kept else organisation_find(plan.developer_name)
        developer_created = developer is None
        if developer is None:
            developer, _ = upsert(
                Organisation,
                {"name": plan.developer_name[:255]},
                {
                    "country": plan.developer.country,
                    "roles": [OrganisationRole.DEVELOPER],
                    "website": plan.developer.url[:200],
                    "notes": f"Created as the developer of {plan.name} ({plan.developer.taken_from}) in {source_name}.",
                },
            )
            result.organisations_created.append(developer.name)
        if model is None:
            model, outcome = upsert(AIModel, {"name": plan.name}, {**plan.values, "developer": developer})
        else:
            model, outcome = upsert(AIModel, {"pk": model.pk}, {**plan.values, "developer": developer})
        {"created": result.models_created, "updated": result.models_updated, "unchanged": result.models_unchanged}[
            outcome
        ].append(model.slug)
        before = (result.claims_created, result.claims_updated)
        for claim in plan.claims:
            claim_write(result, model, claim, source)
        created, updated = result.claims_created - before[0], result.claims_updated - before[1]
        if kept:
            said = (
                f"developer {developer.name} kept ({plan.developer.taken_from} names {plan.developer_name}: "
                "recorded as a claim to check)"
            )
        else:
            said = (
                f"developer {developer.name} "
                f"({'created and queued for screening' if developer_created else 'in the register'}, from "
                f"{plan.developer.taken_from})"
            )
        result.messages.append(
            f"{plan.where} {plan.name}: model {model.slug} {outcome}; {said}; {count(created, 'claim')} created, "
            f"{updated} updated."
        )
    return result


def count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def claim_write(result: ImportResult, model: AIModel, claim: dict, bom_source: EvidenceSource) -> None:
    """One planned claim: its accelerator (and the vendor, when new and its country given), its sources, the row."""
    accelerator = None
    if claim["accelerator"] and claim["accelerator_vendor"]:
        vendor = organisation_find(claim["accelerator_vendor"])
        if vendor is None and len(claim["accelerator_vendor_country"]) == 2:
            vendor, _ = upsert(
                Organisation,
                {"name": claim["accelerator_vendor"]},
                {"country": claim["accelerator_vendor_country"], "roles": [OrganisationRole.CHIP_VENDOR]},
            )
            result.organisations_created.append(vendor.name)
        if vendor is not None:
            accelerator, _ = upsert(Accelerator, {"vendor": vendor, "product": claim["accelerator"]}, {}, update=False)
    cited = []
    for spec in claim["sources"]:
        kind = spec["kind"] if spec["kind"] in EvidenceSource.Kind.values else EvidenceSource.Kind.OTHER
        found, _ = upsert(
            EvidenceSource,
            {"title": spec["title"], "publisher": spec["publisher"] or bom_source.publisher},
            {"url": spec["url"], "kind": kind, "citation": spec["citation"], "published_on": spec["published_on"]},
            update=False,
        )
        cited.append(found)
    row, outcome = upsert(
        ProvenanceClaim,
        {"model": model, "subject": claim["subject"], "value": claim["value"]},
        {
            "statement": claim["statement"],
            "confidence": claim["confidence"],
            "accelerator": accelerator,
            "country": claim["country"],
            "notes": claim["notes"],
            "as_of": claim["as_of"],
            "source": bom_source,
        },
    )
    wanted = {s.pk for s in cited if s.pk != bom_source.pk}
    if set(row.other_sources.values_list("pk", flat=True)) != wanted:
        row.other_sources.set(wanted)
        outcome = "updated" if outcome == "unchanged" else outcome
    if outcome == "created":
        result.claims_created += 1
    elif outcome == "updated":
        result.claims_updated += 1
