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

    def add_arguments(self, parser):
        parser.add_argument(
            "--without-memos",
            action="store_true",
            help="Do not render the demo memo (tests and pages that never look at a PDF load faster).",
        )

    def handle(self, *args, **options):
        for name in DEMO_MODULES:
            if find_spec(name) is None or (options["without_memos"] and name == "reports.demo"):
                continue
            import_module(name).load(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("demo loaded"))
