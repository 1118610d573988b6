"""Bulk screening: many names in one pass over the database, its bounds, and a start-up without WeasyPrint."""

from __future__ import annotations

import json
import subprocess
import sys
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from riskreg.screening.services import (
    SCREEN_MAX_IDENTIFIERS,
    SCREEN_MAX_NAME_LENGTH,
    SCREEN_MAX_NAMES,
    ScreenQuery,
    names_screen,
    names_screen_batch,
    sanctions_list_import,
)
from tests.conftest import BASE_DIR


@pytest.fixture
def sdn(db, small_sdn):
    sanctions_list_import(list_code="ofac-sdn", data=small_sdn, source_name="sdn.csv")


NAMES = ["Rayboam Optronics", "Google LLC", "Sunway Tech Co Ltd", "Banco Nacional de Cuba", "Hasan Nasrallah"]


def test_a_batch_finds_what_screening_each_name_alone_finds(sdn):
    report = names_screen_batch(queries=[ScreenQuery(label=name, names=[name]) for name in NAMES])

    assert [item["query"] for item in report] == NAMES
    for name, item in zip(NAMES, report, strict=True):
        alone = [
            (version.sanctions_list.code, match.matched_name, match.score)
            for version, match in names_screen(names=[name])
        ]
        assert [(hit["list"], hit["matched_name"], hit["score"]) for hit in item["hits"]] == alone
    assert report[0]["hits"][0]["entry_id"] == "22685"
    assert report[1]["hits"] == []


def test_a_batch_costs_the_same_queries_for_five_names_as_for_five_thousand(sdn):
    names_screen_batch(queries=[ScreenQuery(label="warm", names=["warm"])])  # the index is built once per process
    with CaptureQueriesContext(connection) as few:
        names_screen_batch(queries=[ScreenQuery(label=n, names=[n]) for n in NAMES])
    with CaptureQueriesContext(connection) as many:
        names_screen_batch(queries=[ScreenQuery(label=n, names=[n]) for n in NAMES * 1000])
    assert len(many) == len(few) <= 3


def screen(client, names):
    return client.post("/api/screening/screen/", {"names": names}, format="json")


def test_the_api_screens_ten_thousand_names_in_one_call(sdn, as_user, auditor):
    names = [f"Company {i} Trading" for i in range(SCREEN_MAX_NAMES - 1)] + ["Raybeam Optronics"]

    response = screen(as_user(auditor), names)

    assert response.status_code == 200
    report = response.json()
    assert len(report) == SCREEN_MAX_NAMES
    assert report[-1]["hits"][0]["entry_id"] == "22685"


def test_the_api_refuses_more_names_than_a_call_may_carry(sdn, as_user, auditor):
    response = screen(as_user(auditor), ["Acme"] * (SCREEN_MAX_NAMES + 1))

    assert response.status_code == 400
    assert response.json()["names"] == ["at most 10,000 names a call; send the rest in another call"]


def test_the_api_refuses_more_identifiers_than_a_call_may_carry(sdn, as_user, auditor):
    """Issue 26 item 7: 200,000 identifiers were accepted in one call."""
    identifiers = {f"scheme-{n}": str(n) for n in range(SCREEN_MAX_IDENTIFIERS + 1)}

    response = as_user(auditor).post("/api/screening/screen/", {"identifiers": identifiers}, format="json")

    assert response.status_code == 400
    assert response.json()["identifiers"] == [
        f"at most {SCREEN_MAX_IDENTIFIERS} identifiers a call ({SCREEN_MAX_IDENTIFIERS + 1:,} given); send the rest "
        "in another"
    ]


def test_the_api_refuses_a_name_over_the_length_cap_and_names_which(sdn, as_user, auditor):
    response = screen(as_user(auditor), ["Acme", "x" * (SCREEN_MAX_NAME_LENGTH + 1)])

    assert response.status_code == 400
    assert response.json()["names"] == {"1": [f"a name is at most {SCREEN_MAX_NAME_LENGTH} characters"]}


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_the_command_screens_a_names_file_in_one_report(sdn, tmp_path):
    names = tmp_path / "names.txt"
    names.write_text("\n".join(NAMES) + "\n\n", encoding="utf-8")

    report = json.loads(run("screen", "--json", "--names-file", str(names)))

    assert [item["query"] for item in report] == NAMES
    assert report[0]["hits"] == [
        {
            "list": "ofac-sdn",
            "entry_id": "22685",
            "name": "RAYBEAM OPTRONICS CO. LTD.",
            "score": report[0]["hits"][0]["score"],
        }
    ]


def test_the_command_names_the_line_of_a_name_over_the_cap(sdn, tmp_path):
    names = tmp_path / "names.txt"
    names.write_text("Acme\n" + "x" * (SCREEN_MAX_NAME_LENGTH + 1) + "\n", encoding="utf-8")

    with pytest.raises(
        CommandError, match=rf"names.txt, line 2: a name of 501 characters; names are at most {SCREEN_MAX_NAME_LENGTH}"
    ):
        run("screen", "--names-file", str(names))


def test_the_command_names_the_line_of_a_file_that_is_not_utf8(sdn, tmp_path):
    names = tmp_path / "names.txt"
    names.write_bytes(b"Acme\nCaf\xe9 de Paris\n")

    with pytest.raises(CommandError, match=r"names.txt, line 2: not UTF-8 text"):
        run("screen", "--names-file", str(names))


def test_django_starts_and_loads_the_admin_urls_and_screen_command_without_weasyprint():
    code = (
        "import os, sys; os.environ['DJANGO_SETTINGS_MODULE'] = 'tests.settings'; import django; django.setup(); "
        "import riskreg.urls; from django.core.management import load_command_class; "
        "command = load_command_class('riskreg.screening', 'screen'); "
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('weasyprint', 'cyclonedx')); "
        "print(heavy, command.requires_system_checks)"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=BASE_DIR, capture_output=True, text=True, check=True)

    assert done.stdout.strip() == "[] []"


def test_a_new_process_loads_the_stored_index_instead_of_reading_every_entry(sdn):
    from riskreg.screening.matching import index_cache_clear, index_dir

    names_screen_batch(queries=[ScreenQuery(label="Raybeam", names=["Raybeam"])])  # builds and stores it
    index_cache_clear()  # as a new process
    with CaptureQueriesContext(connection) as queries:
        report = names_screen_batch(queries=[ScreenQuery(label="Raybeam", names=["Raybeam Optronics"])])
    assert report[0]["hits"][0]["entry_id"] == "22685"
    assert not any("screening_listentry" in q["sql"] and "aliases" in q["sql"] for q in queries.captured_queries)
    assert len(list(index_dir().glob("version-*.pickle"))) == 1


def test_a_stored_index_not_signed_with_our_key_is_ignored_and_rebuilt(sdn):
    from riskreg.screening.matching import index_cache_clear, index_dir

    names_screen_batch(queries=[ScreenQuery(label="Raybeam", names=["Raybeam"])])
    (stored,) = index_dir().glob("version-*.pickle")
    stored.write_bytes(b"\0" * 32 + stored.read_bytes()[32:])  # a copy someone else wrote
    index_cache_clear()
    with CaptureQueriesContext(connection) as queries:
        report = names_screen_batch(queries=[ScreenQuery(label="Raybeam", names=["Raybeam Optronics"])])
    assert report[0]["hits"][0]["entry_id"] == "22685"
    assert any("screening_listentry" in q["sql"] and "aliases" in q["sql"] for q in queries.captured_queries)
