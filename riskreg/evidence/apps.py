from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    name = "riskreg.evidence"
    label = "evidence"
    verbose_name = "Evidence captures"

    def ready(self) -> None:
        from riskreg.evidence import receivers  # noqa: F401  (captures a source when its URL is added or changed)
