from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "riskreg.core"
    label = "core"
    verbose_name = "System"

    def ready(self) -> None:
        from django.contrib import admin

        from riskreg.core import checks  # noqa: F401  (registers the system checks)
        from riskreg.core.exports import export_for_auditors

        admin.site.add_action(export_for_auditors)

        post_migrate.connect(_sync_roles_after_last_app, dispatch_uid="riskreg.core.roles_sync")

        from riskreg.core.events import stuck_work_sweep

        stuck_work_sweep.connect(_material_changes_stuck, dispatch_uid="core-stuck-material-changes")

        from django.contrib.auth import get_user_model
        from django.db.models.signals import m2m_changed

        from riskreg.core.roles import group_names_forget

        m2m_changed.connect(
            group_names_forget, sender=get_user_model().groups.through, dispatch_uid="riskreg.core.group_names"
        )


def _sync_roles_after_last_app(sender, using="default", **kwargs) -> None:
    # Permissions of every app exist only once the last app's post_migrate has run (Django sends it only
    # for apps with a models module).
    with_models = [config for config in apps.get_app_configs() if config.models_module is not None]
    if sender.label != with_models[-1].label:
        return
    from riskreg.core.roles import roles_sync

    roles_sync(using=using)


def _material_changes_stuck(sender, **kwargs) -> dict[str, int]:
    """Connected to riskreg.core.events.stuck_work_sweep: material changes not applied past their limit."""
    from riskreg.core.services import material_changes_resend_stuck

    return material_changes_resend_stuck()
