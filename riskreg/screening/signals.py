"""An organisation created, or with changed names or identifiers, is screened again (after commit)."""

from __future__ import annotations

from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from models_catalog.models import Organisation

SCREENED_FIELDS = ("name", "short_name", "native_name", "aliases", "identifiers")


@receiver(pre_save, sender=Organisation, dispatch_uid="screening.organisation_pre_save")
def _remember_screened_fields(sender, instance: Organisation, raw=False, **kwargs) -> None:
    if raw or instance.pk is None:
        instance._screening_changed = True
        return
    old = Organisation.objects.filter(pk=instance.pk).values(*SCREENED_FIELDS).first()
    instance._screening_changed = old is None or any(old[f] != getattr(instance, f) for f in SCREENED_FIELDS)


@receiver(post_save, sender=Organisation, dispatch_uid="screening.organisation_post_save")
def _screen_changed_organisation(sender, instance: Organisation, created, raw=False, **kwargs) -> None:
    if raw or not getattr(instance, "_screening_changed", created):
        return
    from riskreg.screening.tasks import screening_run_organisation

    screening_run_organisation.delay_on_commit(organisation_id=instance.pk)
