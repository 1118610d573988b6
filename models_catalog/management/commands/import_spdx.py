"""Import the AI packages of an SPDX 3.0.1 JSON-LD document: `manage.py import_spdx glm-5.spdx.json`."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from models_catalog.interchange import InterchangeError
from models_catalog.interchange.spdx import spdx_import


class Command(BaseCommand):
    help = (
        "Import an SPDX 3.0.1 JSON-LD document (AI profile): each ai_AIPackage becomes or updates a model, its "
        "suppliedBy (else originatedBy) the developer (screened as any other), its trainedOn datasets and claim "
        "annotations provenance claims with the document as source. A bad document is refused whole; the same "
        "document again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="the SPDX document (JSON-LD)")
        parser.add_argument("--developer", help="who developed the packages, when the document does not say")
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
            result = spdx_import(
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
