from pathlib import Path

from django.apps import AppConfig
from django.conf import settings


class ScreeningConfig(AppConfig):
    name = "riskreg.screening"
    label = "screening"
    verbose_name = "Sanctions screening"

    def ready(self) -> None:
        from riskreg.screening import signals  # noqa: F401

        _filesystem_broker_folders()


def _filesystem_broker_folders() -> None:
    """The filesystem broker (no REDIS_URL) fails to publish until its folders exist; screening publishes
    from signals after commit, so make sure they do. (Belongs in core; see the screening report.)"""
    if not str(getattr(settings, "CELERY_BROKER_URL", "")).startswith("filesystem"):
        return
    options = getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {})
    for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        if options.get(key):
            try:
                Path(options[key]).mkdir(parents=True, exist_ok=True)
            except OSError:
                pass  # the data-directory system check reports an unwritable directory
