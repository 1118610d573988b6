"""Import a Hugging Face model card: `manage.py import_model_card README.md --name GLM-5`."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from models_catalog.interchange import InterchangeError
from models_catalog.interchange.modelcard import model_card_import


class Command(BaseCommand):
    help = (
        "Import the YAML front matter of a Hugging Face model card (licence, base model, datasets, "
        "co2_eq_emissions.hardware_used) as the model and developer-stated claims with the card as source. "
        "A broken card is refused whole; the same card again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="the model card (README.md)")
        parser.add_argument(
            "--repo",
            help="the card's Hugging Face repository id, owner/name: the model is named after it and, for a model "
            "not yet in the catalog, its owner is taken as the developer (recorded as a claim to check)",
        )
        parser.add_argument(
            "--name", help="the model's name (default: the repository's name, else the card's model-index name)"
        )
        parser.add_argument("--developer", help="the developer's name, for a model not yet in the catalog")
        parser.add_argument(
            "--developer-country",
            help="two-letter country of a developer the register does not know yet: it is created and screened",
        )
        parser.add_argument("--json", action="store_true", help="print the result as JSON")

    def handle(
        self,
        *args,
        path: str,
        name: str | None,
        developer: str | None,
        json: bool,
        repo: str | None = None,
        developer_country: str | None = None,
        **options,
    ):
        source = Path(path)
        if not source.is_file():
            raise CommandError(f"{source}: no such file")
        try:
            result = model_card_import(
                data=source.read_bytes(),
                source_name=str(source),
                name=name,
                developer=developer,
                repo=repo,
                developer_country=developer_country,
            )
        except InterchangeError as exc:
            raise CommandError(f"{exc}\nNothing was imported.") from None
        if json:
            self.stdout.write(_dumps(result.as_dict()))
            return
        self.stdout.write(result.message)
        if not result.changed:
            self.stdout.write(f"{source}: nothing changed ({result.model} already as in the card)")
            return
        if result.hardware_accelerator:
            self.stdout.write(f"training hardware: {result.hardware_accelerator}")
        for note in result.notes:
            self.stdout.write(note)


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)
