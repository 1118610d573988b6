"""A watch alert from a regulator's source proposes a guidance draft (issue 14, part 4).

``guidance_draft_from_alert`` turns an alert into a DRAFT regulatory guidance record, prefilled with what the
alert knows: the jurisdiction of the source's regulator (``WatchSource.jurisdiction``, data, not code), the
alert's title, the item's date and reference when its text gives them, an evidence source for the link, and one
reach per catalog organisation (and accelerator family) the alert matched. A draft changes nothing in the
register: legal completes it (kind, status, the risk it implies) and assesses it with the impact view before
publishing. Calling it again returns the same draft.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction

from models_catalog.models import EvidenceSource, GuidanceReach, RegulatoryGuidance
from riskreg.core.errors import BadInput
from riskreg.core.urls import web_url
from riskreg.watch.models import LIST_FILE_KINDS, Alert, SourceKind

_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_FR_CITATION = re.compile(r"\b\d{1,3} FR \d{1,6}\b")


class DraftRefused(BadInput):
    """No draft can be made from this alert; the message says why. Nothing was written."""


@dataclass(frozen=True)
class DraftFromAlert:
    guidance: RegulatoryGuidance
    created: bool  # False: the alert had its draft already, and that one is returned


def alert_issued_on(alert: Alert) -> tuple[datetime.date, bool]:
    """The item's date: the first YYYY-MM-DD in its text (the Federal Register gives its publication date), else
    the day the alert was raised. The flag says whether the date came from the item itself."""
    for match in _ISO_DATE.finditer(alert.summary or ""):
        try:
            return datetime.date(*(int(part) for part in match.groups())), True
        except ValueError:
            continue
    return alert.created_at.date(), False


def draft_refusal(alert: Alert) -> str | None:
    """Why this alert cannot propose guidance, or None when it can (it comes from a regulator's source)."""
    if alert.change_id is None:
        return (
            f"Alert #{alert.pk} comes from the re-check of a cited source, not from a regulator's source: "
            "it cannot propose guidance. Nothing was drafted."
        )
    source = alert.change.source
    if source.kind in LIST_FILE_KINDS:
        return (
            f"Alert #{alert.pk} comes from {source.name}, a sanctions list file, not a regulator's guidance: "
            "the list version's impact page shows what its new entries would change. Nothing was drafted."
        )
    if source.jurisdiction_id is None:
        return (
            f"Alert #{alert.pk} comes from {source.name} ({source.get_kind_display()}), which is not a regulator's "
            "source: it names no regulator's jurisdiction. If it is one, legal sets its jurisdiction on the watch "
            "source first. Nothing was drafted."
        )
    return None


def _unique_title(jurisdiction_id: int, title: str, alert_id: int) -> str:
    if not RegulatoryGuidance.objects.filter(jurisdiction_id=jurisdiction_id, title=title).exists():
        return title
    suffix = f" (draft from watch alert #{alert_id})"
    return title[: 500 - len(suffix)] + suffix


def _evidence_source(alert: Alert, *, issued_on: datetime.date, dated: bool) -> EvidenceSource | None:
    if not web_url(alert.url):  # an alert made before links were checked may hold another scheme: no source
        return None
    source = alert.change.source
    federal_register = source.kind == SourceKind.FEDERAL_REGISTER
    kind = EvidenceSource.Kind.FEDERAL_REGISTER if federal_register else EvidenceSource.Kind.GUIDANCE
    retrieved = alert.created_at.date()
    published = issued_on if dated and issued_on <= retrieved else None
    evidence, _ = EvidenceSource.objects.get_or_create(
        title=alert.title[:500],
        publisher=source.name[:255],
        defaults={
            "url": web_url(alert.url)[:1000],
            "kind": kind,
            "published_on": published,
            "retrieved_on": retrieved,
            "summary": f"Seen by the watch source {source.name} (alert #{alert.pk}).",
        },
    )
    return evidence


def guidance_draft_from_alert(*, alert_id: int, actor) -> DraftFromAlert:
    """Draft guidance from a regulator's alert, for legal to complete. Only those who may add guidance (legal);
    refused, with the reason, for alerts that do not come from a regulator's source. Idempotent: the alert row is
    locked and keeps its draft, so a second call (or a second click at the same time) returns the same draft."""
    if not (actor and actor.is_authenticated and actor.has_perm("models_catalog.add_regulatoryguidance")):
        raise PermissionDenied("Only those who may add regulatory guidance (legal) may draft guidance from an alert.")
    with transaction.atomic():
        # Lock the alert row alone: after waiting for another click's lock, PostgreSQL re-reads the locked row
        # (its guidance_draft_id) but not rows joined to it, so the draft is fetched after the lock, by its id.
        alert = Alert.objects.select_for_update().filter(pk=alert_id).first()
        if alert is None:
            raise DraftRefused({"alert": f"There is no alert #{alert_id}. Nothing was drafted."})
        if alert.guidance_draft_id is not None:
            return DraftFromAlert(guidance=RegulatoryGuidance.objects.get(pk=alert.guidance_draft_id), created=False)
        if problem := draft_refusal(alert):
            raise DraftRefused({"alert": problem})
        source = alert.change.source
        issued_on, dated = alert_issued_on(alert)
        reference = _FR_CITATION.search(alert.summary or "")
        title = _unique_title(source.jurisdiction_id, alert.title[:500] or source.name, alert.pk)
        when = "the item's date" if dated else "the day of the alert (the item gave no date)"
        guidance = RegulatoryGuidance(
            jurisdiction=source.jurisdiction,
            issuer=source.name[:255],
            title=title,
            reference=reference.group(0) if reference else "",
            kind=RegulatoryGuidance.Kind.OTHER,
            status=RegulatoryGuidance.Status.PROPOSED,
            issued_on=issued_on,
            summary=(
                f"Drafted by {actor.get_username()} from watch alert #{alert.pk} ({source.name}). Issued: {when}. "
                "To complete before publishing: issuer, kind, legal status, what it reaches beyond what the alert "
                "named, and the risk it implies.\n\n" + (alert.summary or "")
            ).strip(),
            source=_evidence_source(alert, issued_on=issued_on, dated=dated),
            publication=RegulatoryGuidance.Publication.DRAFT,
        )
        guidance._history_user = actor
        guidance.full_clean()
        guidance.save()
        organisations = list(alert.organisations.all())
        ids = {org.pk for org in organisations}
        for org in sorted(organisations, key=lambda org: org.name):
            if org.parent_id in ids:
                continue  # reached through its parent's reach, which includes subsidiaries
            GuidanceReach.objects.create(guidance=guidance, kind=GuidanceReach.Kind.ORGANISATION, organisation=org)
        for accelerator in alert.accelerators.select_related("vendor").order_by("product"):
            GuidanceReach.objects.create(
                guidance=guidance,
                kind=GuidanceReach.Kind.ACCELERATOR,
                organisation=accelerator.vendor,
                product_prefix=accelerator.product,
            )
        alert.guidance_draft = guidance
        alert._history_user = actor
        alert.save(update_fields=["guidance_draft", "updated_at"])
    return DraftFromAlert(guidance=guidance, created=True)
