from django.apps import AppConfig


class ModelsCatalogConfig(AppConfig):
    name = "models_catalog"
    verbose_name = "Catalog"

    def ready(self) -> None:
        from models_catalog import signals  # noqa: F401
