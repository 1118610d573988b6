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

# What a document may cost besides its bytes (issue 26 item 2): a 5 MB BOM of 92,000 components took hours to
# validate (the schema's uniqueItems is quadratic), a 333-byte card of YAML aliases expanded to 35-312 MB.
MAX_DEPTH = 64  # nesting of objects and lists
MAX_LIST_ITEMS = 2_000  # items of any one list (components, datasets, claims ...)
MAX_STRING = 20_000  # characters of any one value (an attached file, base64, aside: the register never reads it)
MAX_COMPONENTS = 1_000  # components of a BOM, nested ones included


def document_bounded(document, *, source_name: str) -> None:
    """Refuse, naming where, a parsed document deeper, longer or with longer values than the limits above, or with
    a NUL character in a value (no database column holds one). Walks the document once, without recursion."""
    stack = [(document, "", 1)]
    components = 0
    while stack:
        value, path, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise InterchangeError(f"{source_name}: {path or '/'} nests deeper than {MAX_DEPTH} levels")
        if isinstance(value, str):
            if len(value) > MAX_STRING:
                raise InterchangeError(
                    f"{source_name}: {path}: a value of {len(value):,} characters is over the {MAX_STRING:,} limit"
                )
            if "\x00" in value:
                raise InterchangeError(f"{source_name}: {path}: a value holds a NUL character (\\u0000)")
        elif isinstance(value, dict):
            for key, item in value.items():
                if isinstance(key, str) and len(key) > MAX_STRING:
                    raise InterchangeError(f"{source_name}: {path}: a key over the {MAX_STRING:,} character limit")
                if key == "content" and value.get("encoding") == "base64" and isinstance(item, str):
                    continue  # an attached file (a model card's chart): never read, never stored
                stack.append((item, f"{path}/{key}", depth + 1))
        elif isinstance(value, list):
            if len(value) > MAX_LIST_ITEMS:
                raise InterchangeError(
                    f"{source_name}: {path}: {len(value):,} items is over the limit of {MAX_LIST_ITEMS:,} for one list"
                )
            if path.endswith("/components"):
                components += len(value)
                if components > MAX_COMPONENTS:
                    raise InterchangeError(
                        f"{source_name}: more than {MAX_COMPONENTS:,} components; split the BOM (at {path})"
                    )
            stack.extend((item, f"{path}/{index}", depth + 1) for index, item in enumerate(value))
