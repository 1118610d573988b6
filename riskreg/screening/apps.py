from django.apps import AppConfig


class ScreeningConfig(AppConfig):
    name = "riskreg.screening"
    label = "screening"
    verbose_name = "Sanctions screening"

    def ready(self) -> None:
        from riskreg.screening import signals  # noqa: F401
