"""Import the ML components of a CycloneDX JSON BOM: `manage.py import_bom vendor.cdx.json`."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from models_catalog.interchange import InterchangeError
from models_catalog.interchange.cyclonedx import bom_import


class Command(BaseCommand):
    help = (
        "Import a CycloneDX 1.5/1.6 JSON BOM: each machine-learning-model component becomes or updates a model, "
        "its supplier an organisation (screened as any other), its claims provenance claims with the BOM as "
        "source. A bad BOM is refused whole; the same BOM again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="the BOM file (JSON)")
        parser.add_argument("--json", action="store_true", help="print the result as JSON")

    def handle(self, *args, path: str, json: bool, **options):
        source = Path(path)
        if not source.is_file():
            raise CommandError(f"{source}: no such file")
        try:
            result = bom_import(data=source.read_bytes(), source_name=str(source))
        except InterchangeError as exc:
            raise CommandError(f"{exc}\nNothing was imported.") from None
        if json:
            self.stdout.write(_dumps(result.as_dict()))
            return
        if not result.changed:
            self.stdout.write(f"{source}: nothing changed ({', '.join(result.models_unchanged)} already as in the BOM)")
            return
        for label, slugs in (
            ("created", result.models_created),
            ("updated", result.models_updated),
            ("unchanged", result.models_unchanged),
        ):
            if slugs:
                self.stdout.write(f"models {label}: {', '.join(slugs)}")
        if result.organisations_created:
            self.stdout.write(f"organisations created (screening queued): {', '.join(result.organisations_created)}")
        self.stdout.write(f"claims: {result.claims_created} created, {result.claims_updated} updated")


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)
