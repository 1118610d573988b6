from django.apps import AppConfig


class WatchConfig(AppConfig):
    name = "riskreg.watch"
    label = "watch"
    verbose_name = "Watch sources and alerts"
