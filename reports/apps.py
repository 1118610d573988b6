from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Risk memos"

    def ready(self) -> None:
        from reports import checks  # noqa: F401  (registers the system checks)
        from reports.receivers import stuck_work_sweep_received
        from riskreg.core.events import stuck_work_sweep

        stuck_work_sweep.connect(stuck_work_sweep_received, dispatch_uid="reports-stuck-memos")
        self._extend_admins()

    def _extend_admins(self) -> None:
        """The memos tab and the generate-memo action on the catalog's model pages and the register's request
        pages: reports adds them itself, so neither app imports reports."""
        from models_catalog.models import AIModel
        from reports import admin as memo_admin
        from riskreg.core.extensions import admin_extend
        from riskreg.register.models import AdoptionRequest

        permissions = {"generate_memo": memo_admin.may_generate_memo}
        admin_extend(
            AIModel,
            inlines=[memo_admin.ModelMemoInline],
            actions=[memo_admin.generate_model_memo],
            permissions=permissions,
        )
        admin_extend(
            AdoptionRequest,
            inlines=[memo_admin.RequestMemoInline],
            actions=[memo_admin.generate_request_memo],
            permissions=permissions,
        )
