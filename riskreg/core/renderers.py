"""`?format=csv` and `?format=xlsx` on the API's list endpoints: every row the filters select, formulas
neutralised, the file's SHA-256 in `Repr-Digest` (see riskreg/core/exports.py)."""

from __future__ import annotations

from rest_framework.renderers import BaseRenderer

from riskreg.core.exports import dicts_dataset, file_bytes, sha256_digest_header


class _TableRenderer(BaseRenderer):
    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        if isinstance(data, dict) and isinstance(data.get("results"), list):
            items = data["results"]
        elif isinstance(data, list):
            items = data
        else:
            items = [data] if data is not None else []
        items = [item if isinstance(item, dict) else {"value": item} for item in items]
        view = (renderer_context or {}).get("view")
        if not items and view is not None and hasattr(view, "get_serializer"):
            # An empty table still has its columns (and a body: DRF drops Content-Type from an empty one).
            items = [dict.fromkeys(view.get_serializer().fields)]
            content = file_bytes(dicts_dataset(items, spreadsheet=True).subset(rows=[]), self.format)
        else:
            content = file_bytes(dicts_dataset(items, spreadsheet=True), self.format)
        response = (renderer_context or {}).get("response")
        if response is not None:
            response["Repr-Digest"] = sha256_digest_header(content)
            name = getattr(view, "basename", None) or "export"
            response["Content-Disposition"] = f'attachment; filename="{name}.{self.format}"'
        return content


class CSVRenderer(_TableRenderer):
    media_type = "text/csv"
    format = "csv"


class XLSXRenderer(_TableRenderer):
    media_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    format = "xlsx"
