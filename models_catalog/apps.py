from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ModelsCatalogConfig(AppConfig):
    name = "models_catalog"
    verbose_name = "Catalog"

    def ready(self) -> None:
        from models_catalog import signals  # noqa: F401
        from models_catalog.receivers import stuck_work_sweep_received
        from riskreg.core.events import stuck_work_sweep

        stuck_work_sweep.connect(stuck_work_sweep_received, dispatch_uid="catalog-stuck-document-imports")

        post_migrate.connect(_standard_licences, sender=self, dispatch_uid="models_catalog.standard_licences")


def _standard_licences(sender, using="default", **kwargs) -> None:
    """The common permissive licences' terms, after every migrate (and after a test database is flushed)."""
    from models_catalog.standard_licences import standard_licences_ensure

    standard_licences_ensure(using=using)
