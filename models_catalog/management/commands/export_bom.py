"""Write a model as a CycloneDX 1.6 ML-BOM (`manage.py export_bom glm-5 --output glm-5.cdx.json`) or as an
SPDX 3.0.1 AI package (`--format spdx`)."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from models_catalog.interchange.cyclonedx import model_bom_export
from models_catalog.models import AIModel


class Command(BaseCommand):
    help = (
        "Print (or write with --output) a catalog model as a CycloneDX 1.6 JSON ML-BOM, validated before it is written."
    )
    requires_system_checks: list = []

    def add_arguments(self, parser):
        parser.add_argument("slug", help="the model's slug, e.g. glm-5")
        parser.add_argument("--output", help="write the BOM to this file instead of standard output")
        parser.add_argument("--format", dest="fmt", choices=["cyclonedx", "spdx"], default="cyclonedx")

    def handle(self, *args, slug: str, output: str | None, fmt: str, **options):
        model = AIModel.objects.select_related("developer").filter(slug=slug).first()
        if model is None:
            known = ", ".join(AIModel.objects.order_by("slug").values_list("slug", flat=True)[:20])
            raise CommandError(f"no model with slug {slug!r}; known: {known or 'none'}")
        if fmt == "spdx":
            from models_catalog.interchange.spdx import model_spdx_export

            document, label = model_spdx_export(model=model), "SPDX 3.0.1 AI package"
        else:
            document, label = model_bom_export(model=model), "CycloneDX 1.6 ML-BOM"
        text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
        if output:
            Path(output).write_text(text, encoding="utf-8")
            self.stdout.write(f"{model.name}: {label} written to {output}")
        else:
            self.stdout.write(text, ending="")
