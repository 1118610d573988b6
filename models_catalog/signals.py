"""Changed claims and guidance statuses are material changes for the models they describe."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from models_catalog.models import ModelGuidanceStatus, ProvenanceClaim
from riskreg.core.events import ChangeKind, material_change_announce

CLAIM_FIELDS = ("subject", "value", "confidence", "accelerator_id", "organisation_id", "country", "model_id")
STATUS_FIELDS = ("status", "conditions", "jurisdiction_id", "model_id")


def _changed_fields(instance, fields) -> list[str]:
    if instance.pk is None:
        return list(fields)
    old = type(instance).objects.filter(pk=instance.pk).values(*fields).first()
    if old is None:
        return list(fields)
    return [f for f in fields if old[f] != getattr(instance, f)]


@receiver(pre_save, sender=ProvenanceClaim)
@receiver(pre_save, sender=ModelGuidanceStatus)
def _remember_changes(sender, instance, raw=False, **kwargs):
    if raw:
        return
    fields = CLAIM_FIELDS if sender is ProvenanceClaim else STATUS_FIELDS
    instance._material_changes = _changed_fields(instance, fields)


@receiver(post_save, sender=ProvenanceClaim)
def _claim_saved(sender, instance: ProvenanceClaim, created, raw=False, **kwargs):
    changed = getattr(instance, "_material_changes", [])
    if raw or not changed:
        return
    verb = "added" if created else "changed"
    material_change_announce(
        model_ids=[instance.model_id],
        kind=ChangeKind.CLAIM,
        reason=f"Provenance claim {verb}: {instance.get_subject_display()} = {instance.value} "
        f"({instance.get_confidence_display()})",
        reference=f"claim:{instance.pk}",
    )


@receiver(post_delete, sender=ProvenanceClaim)
def _claim_deleted(sender, instance: ProvenanceClaim, **kwargs):
    material_change_announce(
        model_ids=[instance.model_id],
        kind=ChangeKind.CLAIM,
        reason=f"Provenance claim removed: {instance.get_subject_display()} = {instance.value}",
        reference=f"claim:{instance.pk}",
    )


@receiver(post_save, sender=ModelGuidanceStatus)
def _guidance_status_saved(sender, instance: ModelGuidanceStatus, created, raw=False, **kwargs):
    changed = getattr(instance, "_material_changes", [])
    if raw or not changed:
        return
    material_change_announce(
        model_ids=[instance.model_id],
        kind=ChangeKind.GUIDANCE,
        reason=f"Guidance status in {instance.jurisdiction.code} is now {instance.get_status_display()}",
        reference=f"guidance-status:{instance.pk}",
    )
