"""Interchange: the catalog in and out of the standard formats (CycloneDX ML-BOM, Hugging Face model cards).

Each format has its own module with an export service and/or an import service. Imports are refused
whole on bad input (`InterchangeError` names the problem and where it is) and write nothing then;
a re-import of the same document changes nothing.
"""

from __future__ import annotations

from riskreg.core.errors import BadInput


class InterchangeError(BadInput, ValueError):
    """A document we cannot take: the message says what is wrong and where; nothing was imported."""


#: A BOM or model card larger than this is refused before it is parsed.
MAX_DOCUMENT_BYTES = 5 * 1024 * 1024
