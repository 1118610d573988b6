"""Name normalisation shared by screening and watch alerts.

normalise_name("Beijing Zhipu Huazhang Technology Co., Ltd.") == "beijing zhipu huazhang technology co ltd"
folded so that legal forms and common abbreviations compare equal: "co ltd", "company limited",
"co., ltd." and "limited company" all become "ltd"; "tech" and "technologies" become "technology".
"""

from __future__ import annotations

import re
import unicodedata

from unidecode import unidecode

# Multi-word legal forms first (longest first), folded to one short form each.
_LEGAL_FORMS: list[tuple[str, str]] = [
    ("obshchestvo s ogranichennoy otvetstvennostyu", "llc"),
    ("obshchestvo s ogranichennoi otvetstvennostyu", "llc"),
    ("aktsionernoe obshchestvo", "jsc"),
    ("joint stock company", "jsc"),
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
    }
)


def normalise_name(text: str) -> str:
    """Lower-case ASCII words with legal forms and abbreviations folded, separated by one space."""
    if not text:
        return ""
    ascii_text = unidecode(unicodedata.normalize("NFKC", text)).lower()
    ascii_text = ascii_text.replace("&", " & ")
    words = _NON_WORD.sub(" ", ascii_text).split()
    words = [_ABBREVIATIONS.get(word, word) for word in words]
    joined = " ".join(words)
    joined = _LEGAL_PATTERN.sub(lambda m: _LEGAL_MAP[m.group(1)], joined)
    return " ".join(joined.split())


def name_tokens(text: str) -> list[str]:
    return normalise_name(text).split()


def distinctive_tokens(text: str) -> list[str]:
    """The tokens that can make a match on their own (not legal forms, places or generic words)."""
    return [token for token in name_tokens(text) if token not in GENERIC_TOKENS and len(token) > 1]
