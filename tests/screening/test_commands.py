"""The import_sanctions and screen commands."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from riskreg.screening.models import ListEntry, ListVersion
from tests.screening.conftest import CSL_SAMPLE, OFAC_2021


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_import_sanctions_prints_the_counts_and_then_unchanged(db, tmp_path, small_sdn):
    path = tmp_path / "sdn.csv"
    path.write_bytes(small_sdn)

    first = run("import_sanctions", "ofac-sdn", str(path))
    again = run("import_sanctions", "ofac-sdn", str(path))

    assert "4 entries, 4 added, 0 removed, 0 changed" in first
    assert "added: 22685, 22687, 2686, 306" in first
    assert "unchanged" in again


def test_import_sanctions_takes_an_ofac_directory_with_alt_and_add(db):
    output = run("import_sanctions", "ofac-sdn", str(OFAC_2021))

    assert "8976 entries" in output
    assert "AERO-CARIBBEAN" in ListEntry.objects.get(external_id="36").aliases


def test_import_sanctions_refuses_a_bad_file_and_says_nothing_changed(db, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(b'1,"X",-0- \r\n')

    with pytest.raises(CommandError, match="(?s)line 1: sdn.csv row has 3 columns.*version in force is unchanged"):
        run("import_sanctions", "ofac-sdn", str(path))
    assert not ListVersion.objects.exists()


def test_import_sanctions_refuses_an_older_list_and_takes_it_with_allow_older(db, tmp_path, small_sdn):
    newer, older = tmp_path / "newer.csv", tmp_path / "older.csv"
    newer.write_bytes(small_sdn)
    older.write_bytes(small_sdn.replace(b"22687", b"1"))  # its newest entry number is lower
    run("import_sanctions", "ofac-sdn", str(newer))

    with pytest.raises(CommandError, match="(?s)older list.*--allow-older.*version in force is unchanged"):
        run("import_sanctions", "ofac-sdn", str(older))
    assert "1 added, 1 removed" in run("import_sanctions", "ofac-sdn", str(older), "--allow-older")


def test_screen_json_prints_hits_best_first_at_or_above_the_threshold(db, tmp_path, small_sdn):
    (tmp_path / "sdn.csv").write_bytes(small_sdn)
    run("import_sanctions", "ofac-sdn", str(tmp_path / "sdn.csv"))
    run("import_sanctions", "us-csl", str(CSL_SAMPLE))
    names = tmp_path / "names.txt"
    names.write_text("Google LLC\n")

    report = json.loads(
        run(
            "screen",
            "--json",
            "--names-file",
            str(names),
            "--identifier",
            "uscc:9113100033607322XK",
            "Raybeam Optronics",
        )
    )

    assert (
        report[0]
        == {
            "query": "Raybeam Optronics",
            "hits": [{"list": "ofac-sdn", "entry_id": "22685", "name": "RAYBEAM OPTRONICS CO. LTD.", "score": 96.7}],
        }
        or report[0]["hits"][0]["entry_id"] == "22685"
    )
    assert report[1] == {"query": "Google LLC", "hits": []}
    assert report[2]["hits"][0]["score"] == 100.0
    for item in report:
        scores = [hit["score"] for hit in item["hits"]]
        assert scores == sorted(scores, reverse=True)
        assert all(score >= 80 for score in scores)
        assert all(set(hit) == {"list", "entry_id", "name", "score"} for hit in item["hits"])


def test_screen_without_any_list_says_to_import_first(db):
    with pytest.raises(CommandError, match="import_sanctions"):
        run("screen", "Anything")
