from django.apps import AppConfig


class RegisterConfig(AppConfig):
    name = "riskreg.register"
    label = "register"
    verbose_name = "Risk register and sign-off"

    def ready(self) -> None:
        from riskreg.core.events import material_change
        from riskreg.register import checks  # noqa: F401  (registers the system checks)
        from riskreg.register.receivers import material_change_received

        material_change.connect(material_change_received, dispatch_uid="riskreg.register.reopen_on_material_change")
