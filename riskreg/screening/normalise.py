"""Name normalisation shared by screening and watch alerts.

normalise_name("Beijing Zhipu Huazhang Technology Co., Ltd.") == "beijing zhipu huazhang technology ltd":
ASCII (transliterated), lower case, punctuation gone, legal forms and common abbreviations folded so that
they compare equal: "co ltd", "company limited", "co., ltd." and "limited company" all become "ltd";
"tech" and "technologies" become "technology"; a one-letter typo in a legal-form or generic word of six
letters or more is corrected first ("Compny Limted" is "company limited", hence "ltd").
"""

from __future__ import annotations

import re
import unicodedata

from rapidfuzz.distance import OSA
from unidecode import unidecode

# Multi-word legal forms first (longest first), folded to one short form each.
_LEGAL_FORMS: list[tuple[str, str]] = [
    ("obshchestvo s ogranichennoy otvetstvennostyu", "llc"),
    ("obshchestvo s ogranichennoi otvetstvennostyu", "llc"),
    ("aktsionernoe obshchestvo", "jsc"),
    ("joint stock company", "jsc"),
    ("joint stock co", "jsc"),
    ("limited liability co", "llc"),
    ("limited liability company", "llc"),
    ("limited liability partnership", "llp"),
    ("public limited company", "plc"),
    ("company limited", "ltd"),
    ("co ltd", "ltd"),
    ("co limited", "ltd"),
    ("limited company", "ltd"),
    ("limited", "ltd"),
    ("corporation", "corp"),
    ("incorporated", "inc"),
    ("company", "co"),
    ("gesellschaft mit beschrankter haftung", "gmbh"),
    ("societe anonyme", "sa"),
    ("ooo", "llc"),
    ("zao", "jsc"),
    ("oao", "jsc"),
    ("pao", "jsc"),
    ("ao", "jsc"),
]
_ABBREVIATIONS: dict[str, str] = {
    "tech": "technology",
    "technologies": "technology",
    "technological": "technology",
    "ind": "industry",
    "industries": "industry",
    "industrial": "industry",
    "intl": "international",
    "int'l": "international",
    "mfg": "manufacturing",
    "svcs": "services",
    "svc": "service",
    "grp": "group",
    "hldgs": "holdings",
    "holding": "holdings",
    "sci": "science",
    "sciences": "science",
    "&": "and",
}
_LEGAL_PATTERN = re.compile(r"\b(" + "|".join(re.escape(form) for form, _ in _LEGAL_FORMS) + r")\b")
_LEGAL_MAP = dict(_LEGAL_FORMS)
_NON_WORD = re.compile(r"[^a-z0-9&]+")

#: Tokens so common in company names that on their own they must never make a match.
GENERIC_TOKENS = frozenset(
    {
        "ltd",
        "llc",
        "jsc",
        "llp",
        "plc",
        "corp",
        "inc",
        "co",
        "gmbh",
        "sa",
        "and",
        "the",
        "of",
        "technology",
        "industry",
        "international",
        "group",
        "holdings",
        "science",
        "trading",
        "services",
        "service",
        "manufacturing",
        "development",
        "investment",
        "enterprise",
        "beijing",
        "shanghai",
        "shenzhen",
        "hangzhou",
        "china",
        "chinese",
        "hong",
        "kong",
        "research",
        "institute",
        "electronics",
        "intelligent",
        "network",
        "information",
        "bank",
        "company",
        "limited",
        "global",
        "general",
        "national",
        "new",
        "import",
        "export",
        # legal-form words and abbreviations that survive folding
        "liability",
        "joint",
        "stock",
        "public",
        "private",
        "corporation",
        "incorporated",
        "partnership",
        "pjsc",
        "ojsc",
        "cjsc",
        "sarl",
        "srl",
        "spa",
        "bv",
        "nv",
        "ag",
        "ab",
        "oy",
        "kk",
        "pte",
        "pty",
        "sas",
        "se",
        "lp",
        "kg",
    }
)


#: Words of legal forms and generic words, which a misspelling is folded back to ("compny" -> "company")
#: so that a typo in "Limited Liability Company" does not turn a generic word into a rare one.
_KNOWN_WORDS = frozenset(
    word
    for word in {
        *(w for form, _ in _LEGAL_FORMS for w in form.split()),
        *_ABBREVIATIONS,
        *_ABBREVIATIONS.values(),
        *GENERIC_TOKENS,
        "limited",
        "liability",
        "company",
        "corporation",
        "incorporated",
        "partnership",
        "industries",
        "technologies",
        "engineering",
        "joint",
        "stock",
    }
    if len(word) >= 6 and word.isalpha()
)
_KNOWN_DELETIONS: dict[str, str] = {}
for _word in sorted(_KNOWN_WORDS):
    for _i in range(len(_word)):
        _KNOWN_DELETIONS.setdefault(_word[:_i] + _word[_i + 1 :], _word)
    _KNOWN_DELETIONS.setdefault(_word, _word)


def _spell_known(word: str) -> str:
    """A word one typo away from a legal-form or generic word (6+ letters) is taken as that word."""
    if len(word) < 6 or word in _KNOWN_WORDS or not word.isalpha():
        return word
    stems = (word, word[:-1]) if word.endswith("s") else (word,)  # "investments" is "investment"
    if len(stems) == 2 and stems[1] in _KNOWN_WORDS:
        return stems[1]
    for stem in stems:
        for probe in (stem, *(stem[:i] + stem[i + 1 :] for i in range(len(stem)))):
            known = _KNOWN_DELETIONS.get(probe)
            if known is not None and OSA.distance(stem, known, score_cutoff=1) <= 1:
                return known
    return word


def normalise_name(text: str) -> str:
    """Lower-case ASCII words with legal forms and abbreviations folded, separated by one space."""
    if not text:
        return ""
    ascii_text = unidecode(unicodedata.normalize("NFKC", text)).lower()
    ascii_text = ascii_text.replace("&", " & ").replace("'", "").replace("`", "")  # JAMA'AT = JAMAAT
    words = _NON_WORD.sub(" ", ascii_text).split()
    words = [_ABBREVIATIONS.get(word, word) for word in map(_spell_known, words)]
    joined = " ".join(words)
    joined = _LEGAL_PATTERN.sub(lambda m: _LEGAL_MAP[m.group(1)], joined)
    return " ".join(joined.split())


def name_tokens(text: str) -> list[str]:
    return normalise_name(text).split()


def distinctive_tokens(text: str) -> list[str]:
    """The tokens that can make a match on their own (not legal forms, places or generic words)."""
    return [token for token in name_tokens(text) if token not in GENERIC_TOKENS and len(token) > 1]
