"""Imports are streamed: the importers read the file as they go, the import writes it in chunks inside one
transaction (a file refused half-way writes nothing), and memory does not grow with the file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest

from riskreg.screening import services
from riskreg.screening.errors import ListImportError
from riskreg.screening.importers import csl, ofac, un
from riskreg.screening.importers.base import JsonReader
from riskreg.screening.models import ListEntry, ListVersion
from riskreg.screening.services import sanctions_list_import
from tests.screening.conftest import OFAC_2021, SDN_NEW, SMALL_SDN_ROWS, UN_XML, sdn_bytes

BASE_DIR = Path(__file__).resolve().parents[2]
MB = 1024 * 1024


def grown_sdn(target: Path, size: int) -> Path:
    """The real sdn.csv repeated until `size` bytes, each copy with entry numbers of its own (as bench/imports.py)."""
    rows = SDN_NEW.read_bytes().rstrip(b"\x1a").splitlines(keepends=True)
    written, copy = 0, 0
    with open(target, "wb") as out:
        while written < size:
            for row in rows:
                number, rest = row.split(b",", 1)
                line = str(int(number) + copy * 1_000_000).encode() + b"," + rest
                out.write(line)
                written += len(line)
                if written >= size:
                    break
            copy += 1
    return target


def _rows(count: int, *, start: int = 1) -> list[str]:
    return [
        f'{n},"ENTITY NUMBER {n}",-0- ,"SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- '
        for n in range(start, start + count)
    ]


def _state() -> tuple:
    return (
        list(ListVersion.objects.order_by("pk").values_list("pk", flat=True)),
        sorted(ListEntry.objects.values_list("external_id", "content_hash", "active", "last_version_id")),
    )


def test_the_ofac_importer_yields_entries_while_reading_the_file(tmp_path):
    path = grown_sdn(tmp_path / "sdn.csv", 8 * MB)

    with open(path, "rb") as stream:
        entries = ofac.iter_sdn(stream)
        first = next(entries)

        assert first.external_id == "36" and first.location == "line 1"
        assert stream.tell() < MB  # a few buffers read, not the 8 MB file


def test_the_un_importer_reads_the_xml_as_a_stream_and_drops_each_record(tmp_path):
    text = UN_XML.read_text()
    start, end = text.index("<INDIVIDUAL>"), text.index("</INDIVIDUAL>") + len("</INDIVIDUAL>")
    record = text[start:end]
    copies = "".join(record.replace("<DATAID>", f"<DATAID>9{n}", 1) for n in range(3000))
    path = tmp_path / "consolidated.xml"
    path.write_text(f"<CONSOLIDATED_LIST><INDIVIDUALS>{copies}</INDIVIDUALS><ENTITIES/></CONSOLIDATED_LIST>")
    size = path.stat().st_size

    with open(path, "rb") as stream:
        entries = un.iter_entries(stream)
        first = next(entries)
        assert first.location.startswith("<INDIVIDUAL> #1") and first.raw["FIRST_NAME"]
        assert stream.tell() < size / 4
        tracemalloc.start()
        count = 1 + sum(1 for _ in entries)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()

    assert count == 3000
    assert peak < size / 2, f"{peak:,} bytes traced while reading a {size:,}-byte file: records are kept"


def test_a_file_refused_after_chunks_were_written_leaves_the_version_in_force_untouched(db, small_sdn, monkeypatch):
    monkeypatch.setattr(services, "_WRITE_CHUNK", 3)
    sanctions_list_import(list_code="ofac-sdn", data=small_sdn, source_name="good")
    before = _state()
    broken = sdn_bytes([*_rows(10, start=30000), '30010,"CUT SHORT",-0- ,"SDGT"'])

    with pytest.raises(ListImportError) as refused:
        sanctions_list_import(list_code="ofac-sdn", data=broken, source_name="cut", allow_shrink=True)

    assert refused.value.location == "line 11"
    assert _state() == before


def test_an_id_twice_in_different_chunks_is_refused_naming_both_lines(db, monkeypatch):
    monkeypatch.setattr(services, "_WRITE_CHUNK", 2)
    data = sdn_bytes([*_rows(5, start=100), *_rows(1, start=101)])

    with pytest.raises(ListImportError) as refused:
        sanctions_list_import(list_code="ofac-sdn", data=data, source_name="twice")

    assert refused.value.message == "101 appears twice (first at line 2)"
    assert refused.value.location == "line 6"
    assert _state() == ([], [])


def test_the_diff_is_the_same_when_the_file_is_compared_in_small_chunks(db, small_sdn, monkeypatch):
    monkeypatch.setattr(services, "_WRITE_CHUNK", 2)
    sanctions_list_import(
        list_code="ofac-sdn", data=sdn_bytes([*SMALL_SDN_ROWS, *_rows(3, start=30000)]), source_name="1"
    )
    changed = SMALL_SDN_ROWS[1].replace("RAYBEAM OPTRONICS CO. LTD.", "RAYBEAM OPTRONICS CO., LTD.")
    next_rows = [SMALL_SDN_ROWS[0], changed, SMALL_SDN_ROWS[2], *_rows(3, start=30001)]

    result = sanctions_list_import(list_code="ofac-sdn", data=sdn_bytes(next_rows), source_name="2")

    assert (result.added, result.removed, result.changed) == (["30003"], ["2686", "30000"], ["22685"])
    version = result.version
    assert (version.entry_count, version.added_count, version.removed_count, version.changed_count) == (6, 1, 2, 1)
    in_force = ListEntry.objects.filter(active=True)
    assert sorted(in_force.values_list("external_id", flat=True)) == sorted(
        ["306", "22685", "22687", *map(str, range(30001, 30004))]
    )
    assert set(in_force.values_list("last_version", flat=True)) == {version.pk}


def test_ofac_companion_files_are_matched_by_entry_number_whatever_their_order(db):
    sdn, alt, add = (OFAC_2021 / name for name in ("sdn.csv", "alt.csv", "add.csv"))
    in_order = {e.external_id: e for e in ofac.parse_sdn(sdn.read_bytes(), alt=alt.read_bytes(), add=add.read_bytes())}
    shuffled_alt = b"".join(reversed(alt.read_bytes().rstrip(b"\x1a").splitlines(keepends=True)))

    shuffled = {e.external_id: e for e in ofac.parse_sdn(sdn.read_bytes(), alt=shuffled_alt, add=add.read_bytes())}

    assert {k: sorted(e.aliases) for k, e in shuffled.items()} == {k: sorted(e.aliases) for k, e in in_order.items()}
    assert sum(len(e.aliases) for e in in_order.values()) > 0


def test_an_alias_of_an_entry_not_in_sdn_csv_is_refused_naming_its_line(db):
    sdn = sdn_bytes(SMALL_SDN_ROWS)
    alt = b'306,1,"aka","BNC BANK",-0- \r\n99999,2,"aka","NOBODY",-0- \r\n'

    with pytest.raises(ListImportError) as refused:
        sanctions_list_import(list_code="ofac-sdn", data=sdn, alt_data=alt, source_name="sdn.csv")

    assert refused.value.location == "alt.csv line 2"
    assert "ent_num 99999, which is not in sdn.csv" in refused.value.message


def _peak_rss_mb(*args: str, env: dict) -> float:
    proc = subprocess.Popen(
        [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    output = proc.stdout.read().decode(errors="replace")
    _pid, status, usage = os.wait4(proc.pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, output
    return usage.ru_maxrss / 1024


@pytest.mark.services  # two command-line imports: 20 s on an idle machine, minutes on a loaded one; runs in CI
def test_the_memory_of_a_command_line_import_does_not_grow_with_the_file(tmp_path):
    """A 6 MB grown file (24,000 entries) through `manage.py import_sanctions` in its own process, its peak RSS
    read from the kernel (os.wait4), against the same command importing a 4-entry file. Parsed whole, the file
    cost about 17 MB of memory a MB; streamed, the difference is the diff's external ids (a few MB)."""
    env = {**os.environ, "DEBUG": "1", "RISKREG_DATA_DIR": str(tmp_path), "DATABASE_URL": "", "REDIS_URL": ""}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=BASE_DIR, env=env, check=True)
    small = tmp_path / "small.csv"
    small.write_bytes(sdn_bytes(SMALL_SDN_ROWS))
    big = grown_sdn(tmp_path / "big.csv", 6 * MB)

    baseline = _peak_rss_mb("import_sanctions", "ofac-sdn", str(small), env=env)
    peak = _peak_rss_mb("import_sanctions", "ofac-sdn", str(big), env=env)

    assert peak - baseline < 50, f"peak RSS {peak:.0f} MB against {baseline:.0f} MB for a 4-entry file"


def test_the_csl_json_is_read_in_chunks_with_the_same_results_and_errors(monkeypatch):
    document = {
        "total": 2,
        "results": [
            {"id": "1", "name": "HUAWEI TECHNOLOGIES CO., LTD.", "type": "Entity", "source": "Entity List (EL) - BIS"},
            {"name": "SOPHGO TECHNOLOGIES LTD.", "type": "Entity", "source": "Entity List (EL) - BIS"},
        ],
        "sources_used": [{"source": "Entity List (EL) - BIS"}],
    }
    data = json.dumps(document, indent=1).encode()
    whole = csl.parse_json(data)
    monkeypatch.setattr(JsonReader, "CHUNK", 7)  # a result spans many chunks

    assert [e.content_hash() for e in csl.iter_json(data)] == [e.content_hash() for e in whole]
    with pytest.raises(ListImportError) as refused:
        list(csl.iter_json(data[:-40]))
    assert refused.value.location.startswith("line ")
    assert "the file looks truncated" in refused.value.message


def test_an_entry_number_that_only_looks_like_a_digit_is_refused_cleanly(db):
    data = sdn_bytes(['\u00b2,"SUPERSCRIPT TWO",-0- ,"SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- '])

    with pytest.raises(ListImportError) as refused:
        sanctions_list_import(list_code="ofac-sdn", data=data, source_name="odd")

    assert refused.value.location == "line 1"
    assert "not a number" in refused.value.message
