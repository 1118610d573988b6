"""Alert matching: whole token sequences of normalised names; generic words alone never match."""

from __future__ import annotations

from riskreg.watch.mentions import catalog_terms, name_phrases, text_matches


def labels(text, terms):
    return sorted({term.label for term in text_matches(text, terms)})


def test_names_made_only_of_generic_words_are_not_used():
    assert name_phrases("Technology Co., Ltd.") == []
    assert name_phrases("Beijing Technology") == []


def test_a_legal_name_also_matches_without_its_legal_form():
    assert name_phrases("Huawei Technologies Co., Ltd.") == ["huawei technology ltd", "huawei technology"]


def test_matching_is_by_whole_tokens(catalog):
    terms = catalog_terms()

    assert labels("HUAWEI TECHNOLOGIES CO., LTD. and affiliates", terms) == ["Huawei", "Huawei Technologies Co., Ltd."]
    assert labels("Huaweicloud outage", terms) == []
    assert labels("Technology companies in Beijing", terms) == []
    assert labels("北京智谱华章科技股份有限公司 新闻", terms) == ["北京智谱华章科技股份有限公司"]
    assert labels("Trained on the Ascend 910B", terms) == ["Ascend 910B"]
    assert labels("GLM-5 released", terms) == ["GLM-5"]


def test_keywords_match_after_normalisation(db):
    terms = catalog_terms(keywords=["Entity List"])

    assert labels("Additions to the ENTITY LIST", terms) == ["Entity List"]


def test_a_name_added_to_the_catalog_matches_at_the_next_read(catalog):
    assert labels("Zhipu Qingyan released", catalog_terms()) == []

    catalog["zhipu"].aliases = ["Zhipu Qingyan"]
    catalog["zhipu"].save()

    assert labels("Zhipu Qingyan released", catalog_terms()) == ["Zhipu Qingyan"]


def test_a_renamed_catalog_name_stops_matching_at_the_next_read(catalog):
    assert labels("Shipments of the Ascend 910B", catalog_terms()) == ["Ascend 910B"]

    catalog["ascend"].product = "Ascend 910C"
    catalog["ascend"].save()

    assert labels("Shipments of the Ascend 910B", catalog_terms()) == []
    assert labels("Shipments of the Ascend 910C", catalog_terms()) == ["Ascend 910C"]
