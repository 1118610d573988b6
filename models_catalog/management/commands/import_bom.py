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
        "its developer (manufacturer, supplier, authors, author or publisher, on the component or in the BOM's "
        "metadata) an organisation (screened as any other), its claims and model card datasets provenance claims "
        "with the BOM as source. A bad BOM is refused whole; the same BOM again changes nothing."
    )
    document = "the BOM file (JSON)"

    @staticmethod
    def document_import(**kwargs):
        return bom_import(**kwargs)

    def add_arguments(self, parser):
        parser.add_argument("path", help=self.document)
        parser.add_argument(
            "--developer",
            help="who developed the BOM's models, when the BOM does not say (or says it wrongly): an organisation "
            "in the register, or a new one with --developer-country",
        )
        parser.add_argument(
            "--developer-country",
            help="two-letter country of a developer the register does not know yet: it is created and screened",
        )
        parser.add_argument("--json", action="store_true", help="print the result as JSON")

    def handle(self, *args, path: str, json: bool, developer=None, developer_country=None, **options):
        source = Path(path)
        if not source.is_file():
            raise CommandError(f"{source}: no such file")
        try:
            result = self.document_import(
                data=source.read_bytes(),
                source_name=str(source),
                developer=developer,
                developer_country=developer_country,
            )
        except InterchangeError as exc:
            raise CommandError(f"{exc}\nNothing was imported.") from None
        if json:
            self.stdout.write(_dumps(result.as_dict()))
            return
        for message in result.messages:
            self.stdout.write(message)
        if not result.changed:
            self.stdout.write(f"{source}: nothing changed")


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)
