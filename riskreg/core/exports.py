"""Exports for auditors: register tables as CSV, XLSX and JSON, with a manifest of SHA-256 digests.

Two doors, one set of rules:
- the admin action *Export for auditors* on every register table: the rows selected (tick "select all"
  after filtering to take the whole filtered table) as a zip of `<table>.csv`, `<table>.xlsx`,
  `<table>.json` and `manifest.json` (each file's SHA-256 and size, the row count, the filters, who
  exported and when);
- the API: `?format=csv` or `?format=xlsx` on any list endpoint gives every row the filters select (no
  pagination) with the file's SHA-256 in the `Repr-Digest` header (RFC 9530).

Whoever may read a table may export it, and nothing else: the admin action needs the view permission of
the table and works on the admin's own queryset; the API uses the endpoint's own permissions and
filters. Password hashes and claim tokens are never exported.

Spreadsheet formulas: a text value starting with `=`, `+`, `-`, `@`, a tab or a carriage return would be
run by a spreadsheet (CSV injection, OWASP), and so would such a part after a `;` where `;` separates cells; in
CSV and XLSX such a value (or part) is written with a leading `'`,
which spreadsheets show as text, and control characters (which an XLSX file cannot hold) become U+FFFD.
JSON keeps values exactly as they are.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
import zipfile
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal

import tablib
from django.contrib import admin, messages
from django.db import models
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from riskreg.core.roles import register_app_labels

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: Never exported, whatever the table.
SECRET_FIELDS = frozenset({"password", "claim_token", "key"})
SPREADSHEET_FORMATS = ("csv", "xlsx")


#: Control characters a spreadsheet file cannot hold (XLSX is XML 1.0); each becomes U+FFFD.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


#: A formula after a semicolon: spreadsheets of locales whose list separator is ";" split the cell there.
AFTER_SEMICOLON = re.compile(r"(;\s*)(?=[=+\-@\t\r])")


def neutralise(value):
    """A text value made safe for a spreadsheet: control characters replaced, a formula made into text, at the
    start and after each semicolon (``ok;=1+1`` is two cells where ";" separates them)."""
    if not isinstance(value, str):
        return value
    value = CONTROL_CHARACTERS.sub("\ufffd", value)
    value = AFTER_SEMICOLON.sub(r"\1'", value)
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _cell(value):
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (dict, list, tuple)):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def rows_dataset(headers: Sequence[str], rows: Iterable[Sequence], *, spreadsheet: bool) -> tablib.Dataset:
    """A dataset of plain cells; for a spreadsheet format, formulas neutralised."""
    dataset = tablib.Dataset(headers=list(headers))
    for row in rows:
        cells = [_cell(value) for value in row]
        dataset.append([neutralise(cell) for cell in cells] if spreadsheet else cells)
    return dataset


def dicts_dataset(items: Sequence[dict], *, spreadsheet: bool) -> tablib.Dataset:
    """API rows (serializer output) as a dataset: one column per key, nested values as JSON text."""
    headers: list[str] = []
    for item in items:
        headers += [key for key in item if key not in headers and key not in SECRET_FIELDS]
    return rows_dataset(headers, ([item.get(key) for key in headers] for item in items), spreadsheet=spreadsheet)


def _fields(model: type[models.Model]) -> list[models.Field]:
    return [
        field
        for field in model._meta.concrete_fields
        if field.name not in SECRET_FIELDS and not field.name.startswith("_")
    ]


def queryset_table(queryset: models.QuerySet) -> tuple[list[str], list[list]]:
    """Headers and rows of a queryset: every column, foreign keys as the related row's name and id."""
    fields = _fields(queryset.model)
    related = [f.name for f in fields if f.is_relation]
    headers: list[str] = []
    for field in fields:
        headers += [field.name, f"{field.name}_id"] if field.is_relation else [field.name]
    rows = []
    for obj in queryset.select_related(*related):
        row = []
        for field in fields:
            if field.is_relation:
                target = getattr(obj, field.name)
                row += [str(target) if target is not None else None, getattr(obj, field.attname)]
            else:
                row.append(field.value_from_object(obj))
        rows.append(row)
    return headers, rows


def file_bytes(dataset: tablib.Dataset, fmt: str) -> bytes:
    content = dataset.export(fmt)
    return content.encode("utf-8") if isinstance(content, str) else content


def sha256_digest_header(content: bytes) -> str:
    """`Repr-Digest` value (RFC 9530) for these bytes."""
    return f"sha-256=:{base64.b64encode(hashlib.sha256(content).digest()).decode()}:"


def export_bundle(*, queryset: models.QuerySet, name: str, filters: dict, exported_by: str) -> bytes:
    """A zip with the table as CSV, XLSX and JSON, and manifest.json with each file's SHA-256."""
    headers, rows = queryset_table(queryset)
    files = {
        f"{name}.csv": file_bytes(rows_dataset(headers, rows, spreadsheet=True), "csv"),
        f"{name}.xlsx": file_bytes(rows_dataset(headers, rows, spreadsheet=True), "xlsx"),
        f"{name}.json": json.dumps(
            [dict(zip(headers, (_cell(v) for v in row), strict=True)) for row in rows], ensure_ascii=False, indent=2
        ).encode(),
    }
    manifest = {
        "table": name,
        "rows": len(rows),
        "filters": filters,
        "exported_by": exported_by,
        "exported_at": timezone.now().isoformat(timespec="seconds"),
        "formulas": "CSV and XLSX: text starting with = + - @ tab or CR is written with a leading ' (shown as text)",
        "files": {
            filename: {"sha256": hashlib.sha256(content).hexdigest(), "bytes": len(content)}
            for filename, content in files.items()
        },
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bundle:
        for filename, content in files.items():
            bundle.writestr(filename, content)
        bundle.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2))
    return out.getvalue()


@admin.action(description=_("Export for auditors (CSV, XLSX, JSON with a SHA-256 manifest)"), permissions=["view"])
def export_for_auditors(modeladmin, request, queryset):
    opts = modeladmin.model._meta
    if opts.app_label not in register_app_labels():
        modeladmin.message_user(request, _("Only register tables are exported this way."), messages.ERROR)
        return None
    name = f"{opts.app_label}-{opts.model_name}"
    filters = {key: value for key, value in request.GET.items() if key not in ("o", "p")}
    content = export_bundle(queryset=queryset, name=name, filters=filters, exported_by=request.user.get_username())
    response = HttpResponse(content, content_type="application/zip")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.zip"'
    response["Repr-Digest"] = sha256_digest_header(content)
    return response
