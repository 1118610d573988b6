"""Load the demo register: users, catalog, lists, watch sources, requests. Running it twice changes nothing."""

from __future__ import annotations

from importlib import import_module
from importlib.util import find_spec
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand


def demo_modules() -> list[str]:
    """The demo part of each of the project's own apps that has one (its demo.py), in INSTALLED_APPS order:
    later parts refer to what earlier parts loaded, as later apps build on earlier ones."""
    base = Path(settings.BASE_DIR).resolve()
    return [
        f"{config.name}.demo"
        for config in apps.get_app_configs()
        if Path(config.path).resolve().is_relative_to(base) and find_spec(f"{config.name}.demo") is not None
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
        for name in demo_modules():
            module = import_module(name)
            if options["without_memos"] and getattr(module, "RENDERS_MEMOS", False):
                continue
            module.load(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("demo loaded"))
