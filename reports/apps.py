from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Risk memos"

    def ready(self) -> None:
        from reports import checks  # noqa: F401  (registers the system checks)
        from reports.receivers import stuck_work_sweep_received
        from riskreg.core.events import stuck_work_sweep

        stuck_work_sweep.connect(stuck_work_sweep_received, dispatch_uid="reports-stuck-memos")
