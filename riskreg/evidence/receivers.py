"""A source added with a URL, or whose URL changes, is captured by a worker once the change commits."""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from models_catalog.models import EvidenceSource

logger = logging.getLogger(__name__)


@receiver(pre_save, sender=EvidenceSource, dispatch_uid="evidence.remember_url")
def _remember_url(sender, instance: EvidenceSource, raw=False, **kwargs):
    if raw:
        return
    old = EvidenceSource.objects.filter(pk=instance.pk).values_list("url", flat=True).first() if instance.pk else None
    instance._evidence_url_changed = bool(instance.url) and old != instance.url


@receiver(post_save, sender=EvidenceSource, dispatch_uid="evidence.capture_on_url")
def _capture_on_url(sender, instance: EvidenceSource, raw=False, **kwargs):
    if raw or not getattr(instance, "_evidence_url_changed", False):
        return
    from riskreg.evidence.services import evidence_source_url_changed
    from riskreg.evidence.tasks import evidence_source_capture_task

    evidence_source_url_changed(source_id=instance.pk)
    source_id = instance.pk

    def dispatch() -> None:
        # A broker that is down must not fail the edit: the source is due at once, so the next beat captures it.
        try:
            evidence_source_capture_task.apply_async(args=[source_id], retry=False)
        except Exception as exc:  # the broker's errors vary by transport
            logger.warning("could not queue the capture of evidence source %s (the beat will): %s", source_id, exc)

    transaction.on_commit(dispatch)
