from __future__ import annotations

from riskreg.screening.normalise import GENERIC_TOKENS, distinctive_tokens, name_tokens, normalise_name


def test_legal_forms_and_abbreviations_fold_to_one_form():
    assert normalise_name("Beijing Zhipu Huazhang Technology Co., Ltd.") == "beijing zhipu huazhang technology ltd"
    assert normalise_name("BEIJING ZHIPU HUAZHANG TECH COMPANY LIMITED") == "beijing zhipu huazhang technology ltd"
    assert normalise_name("OOO Romashka") == normalise_name("Obshchestvo s Ogranichennoi Otvetstvennostyu Romashka")
    assert normalise_name("Joint Stock Company Mikron") == normalise_name("JSC MIKRON")
    assert normalise_name("Smith & Sons Ind.") == "smith and sons industry"


def test_a_typo_in_a_legal_form_word_is_corrected_before_folding():
    assert normalise_name("Limited Liabilty Compny Iksora") == "llc iksora"
    assert normalise_name("WALDAU INVSTMENTS LIMITED") == normalise_name("WALDAU INVESTMENTS LIMITED")


def test_names_are_transliterated_to_ascii_and_apostrophes_dropped():
    assert normalise_name("Müller Straße") == "muller strasse"
    assert normalise_name("JAMA'AT NUSRAT") == "jamaat nusrat"
    assert name_tokens("北京") == ["bei", "jing"]


def test_generic_words_are_not_distinctive():
    assert distinctive_tokens("Beijing Technology Co., Ltd.") == []
    assert distinctive_tokens("Huawei Technologies Co., Ltd.") == ["huawei"]
    assert {"beijing", "technology", "ltd"} <= GENERIC_TOKENS
