"""Load the demo register: users, catalog, lists, watch sources, requests. Running it twice changes nothing."""

from __future__ import annotations

from importlib import import_module
from importlib.util import find_spec

from django.core.management.base import BaseCommand

# Order matters: later parts refer to what earlier parts loaded.
DEMO_MODULES = [
    "riskreg.core.demo",
    "models_catalog.demo",
    "riskreg.screening.demo",
    "riskreg.watch.demo",
    "riskreg.evidence.demo",
    "riskreg.register.demo",
    "reports.demo",
]


class Command(BaseCommand):
    help = "Load the demo catalog and users (idempotent)."

    def handle(self, *args, **options):
        for name in DEMO_MODULES:
            if find_spec(name) is None:
                continue
            import_module(name).load(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("demo loaded"))
