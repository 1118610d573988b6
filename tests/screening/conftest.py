"""Screening fixtures: real list files, a small OFAC file, organisations, and a clean index cache."""

from __future__ import annotations

from pathlib import Path

import pytest

from models_catalog.models import Organisation
from riskreg.screening.matching import index_cache_clear

LISTS = Path(__file__).resolve().parents[1] / "data" / "lists"  # real list files, copied into the repository
SDN_OLD = LISTS / "ofac" / "sdn-2024-03-14.csv"
SDN_NEW = LISTS / "ofac" / "sdn-2024-05-03.csv"
OFAC_2021 = LISTS / "ofac" / "2021-07"
CSL_SAMPLE = LISTS / "csl" / "consolidated-sample.csv"
UN_XML = LISTS / "un" / "consolidated.xml"

SMALL_SDN_ROWS = [
    '306,"BANCO NACIONAL DE CUBA",-0- ,"CUBA",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"a.k.a. \'BNC\'."',
    '22685,"RAYBEAM OPTRONICS CO. LTD.",-0- ,"NPWMD] [IFSR",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,'
    '-0- ,"Website www.raybeam.cn; '
    "Registration Number 131082000061293 (China); Unified Social Credit Code (USCC) 9113100033607322XK (China); "
    'Linked To: LIU, Baoxia."',
    '22687,"SUNWAY TECH CO., LTD",-0- ,"NPWMD] [IFSR",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"Unified Social Credit Code '
    '(USCC) 91110117663725176G (China)."',
    '2686,"NASRALLAH, Hasan","individual","SDGT] [SYRIA","Secretary General of Hizballah",-0- ,-0- ,-0- ,-0- ,-0- ,'
    '-0- ,"DOB 31 Aug 1960; nationality Lebanon."',
]


def sdn_bytes(rows: list[str]) -> bytes:
    """An sdn.csv as OFAC publishes it: CRLF line ends and a trailing Ctrl-Z."""
    return ("\r\n".join(rows) + "\r\n").encode() + b"\x1a"


@pytest.fixture
def small_sdn() -> bytes:
    return sdn_bytes(SMALL_SDN_ROWS)


@pytest.fixture(autouse=True)
def _fresh_index_cache():
    index_cache_clear(stored=True)
    yield
    index_cache_clear(stored=True)


@pytest.fixture
def make_org(db):
    def make(name: str, **fields) -> Organisation:
        fields.setdefault("country", "CN")
        return Organisation.objects.create(name=name, **fields)

    return make


def run_import_jobs() -> list:
    """What the worker does with queued list imports: run each by calling its task, as a worker would."""
    from riskreg.screening.models import ListImportJob
    from riskreg.screening.tasks import list_import_job_run

    pending = list(ListImportJob.objects.filter(status="pending").order_by("pk").values_list("pk", flat=True))
    for job_id in pending:
        list_import_job_run.apply(args=(job_id,))
    return list(ListImportJob.objects.filter(pk__in=pending).order_by("pk"))
