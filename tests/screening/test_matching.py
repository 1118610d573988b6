"""The engine on its own: distinctive words make matches, generic ones never do."""

from __future__ import annotations

import pytest

from riskreg.screening.importers import ofac
from riskreg.screening.matching import ALGORITHM_VERSION, IndexEntry, ScreeningIndex
from tests.screening.conftest import SDN_NEW

BIG_FIVE = [
    "Google LLC",
    "Microsoft Corporation",
    "NVIDIA Corporation",
    "Huawei Technologies Co., Ltd.",
    "Beijing Zhipu Huazhang Technology Co., Ltd.",
]


@pytest.fixture(scope="module")
def sdn_index():
    entries = ofac.parse_sdn(SDN_NEW.read_bytes())
    index = ScreeningIndex(IndexEntry(int(e.external_id), [e.primary_name, *e.aliases], e.identifiers) for e in entries)
    return index


def small_index(*names: str, identifiers=()) -> ScreeningIndex:
    return ScreeningIndex(IndexEntry(n, [name], identifiers if n == 1 else ()) for n, name in enumerate(names, 1))


@pytest.mark.parametrize("name", BIG_FIVE)
def test_big_companies_that_are_not_on_the_sdn_are_not_flagged(sdn_index, name):
    assert sdn_index.screen(names=[name]) == []


@pytest.mark.parametrize(
    ("query", "listed"),
    [
        ("Rayboam Optronics Co Ltd", "RAYBEAM OPTRONICS CO. LTD."),
        ("Hassan Nasrallah", "NASRALLAH, Hasan"),
        ("Sunway Technology Company Limited", "SUNWAY TECH CO., LTD"),
        ("Banco Nacional de Cuba", "BANCO NACIONAL DE CUBA"),
        ("Aerocaribbean Airlines", "AEROCARIBBEAN AIRLINES"),
    ],
)
def test_misspelt_and_reworded_names_of_real_entries_match(sdn_index, query, listed):
    hits = sdn_index.screen(names=[query])

    assert hits and hits[0].matched_name == listed
    assert hits[0].algorithm_version == ALGORITHM_VERSION


def test_generic_words_alone_never_make_a_match():
    index = small_index("Beijing Yunze Technology Co., Ltd.", "NAZ Technology Co., Ltd.", "Shenzhen Electronics Co")

    assert index.screen(names=["Beijing Zhipu Huazhang Technology Co., Ltd."]) == []
    assert index.screen(names=["Beijing Technology Co., Ltd."]) == []
    assert index.screen(names=["Shenzhen Electronics"]) == []


def test_a_whole_name_of_generic_words_still_matches_itself():
    index = small_index("China National Trading Co")

    (hit,) = index.screen(names=["CHINA NATIONAL TRADING COMPANY"])

    assert hit.score == 100.0


def test_an_identifier_on_the_list_is_a_match_whatever_the_name():
    index = small_index("Raybeam Optronics Co. Ltd.", identifiers=[{"scheme": "uscc", "value": "9113100033607322XK"}])

    (hit,) = index.screen(names=["Completely Different Name"], identifiers={"uscc": "9113-1000-3360-7322-XK"})

    assert hit.score == 100.0
    assert "identifier match" in hit.reasons[0]


def test_each_hit_says_why_it_matched():
    index = small_index("Beijing Zhipu Huazhang Technology Co., Ltd.")

    (hit,) = index.screen(names=["Beijing Zhipu Huazhang Tech Company Limited"])

    assert hit.score == 100.0
    assert hit.reasons == ["same name once normalised: 'beijing zhipu huazhang technology ltd'"]


def test_a_subsidiary_with_a_different_distinctive_word_is_not_the_parent():
    index = small_index("Beijing Zhipu Qingyan Technology")

    assert index.screen(names=["Beijing Zhipu Future Technology Co., Ltd."]) == []


def test_names_written_together_or_apart_match():
    index = small_index("AL-JIBAWI, Ridwan 'Ali")

    (hit,) = index.screen(names=["ALJIBAWI, Ridwan Ali"])

    assert hit.score >= 95
