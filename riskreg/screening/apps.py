from django.apps import AppConfig


class ScreeningConfig(AppConfig):
    name = "riskreg.screening"
    label = "screening"
    verbose_name = "Sanctions screening"

    def ready(self) -> None:
        from riskreg.core.events import stuck_work_sweep
        from riskreg.screening import signals  # noqa: F401
        from riskreg.screening.receivers import stuck_work_sweep_received

        stuck_work_sweep.connect(stuck_work_sweep_received, dispatch_uid="screening-stuck-imports")

        # The catalog's pages and API show each organisation's list exposure; screening knows it.
        from models_catalog.ports import organisations_list_exposure
        from riskreg.screening.selectors import list_hits_by_organisation

        organisations_list_exposure.provide(list_hits_by_organisation)
