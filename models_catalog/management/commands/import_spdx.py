"""Import the AI packages of an SPDX 3.0.1 JSON-LD document: `manage.py import_spdx glm-5.spdx.json`."""

from __future__ import annotations

from models_catalog.interchange.spdx import spdx_import
from models_catalog.management.commands.import_bom import Command as BomCommand


class Command(BomCommand):
    help = (
        "Import an SPDX 3.0.1 JSON-LD document (AI profile): each ai_AIPackage becomes or updates a model, its "
        "suppliedBy (else originatedBy) the developer (screened as any other), its trainedOn datasets and claim "
        "annotations provenance claims with the document as source. A bad document is refused whole; the same "
        "document again changes nothing."
    )
    document = "the SPDX document (JSON-LD)"

    @staticmethod
    def document_import(**kwargs):
        return spdx_import(**kwargs)
