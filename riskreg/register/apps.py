from django.apps import AppConfig


class RegisterConfig(AppConfig):
    name = "riskreg.register"
    label = "register"
    verbose_name = "Risk register and sign-off"
