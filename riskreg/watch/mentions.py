"""Which catalog names (organisations, accelerators, models) and source keywords an item names.

Both sides go through the screening normaliser, and a name matches only as a whole token sequence:
"Huawei" matches "HUAWEI TECHNOLOGIES CO., LTD." but "Technology" alone never matches, because a
catalog name made only of generic tokens (legal forms, places, "technology") is not used at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from models_catalog.models import Accelerator, AIModel, Organisation
from riskreg.screening.normalise import GENERIC_TOKENS, distinctive_tokens, normalise_name

LEGAL_FORMS = frozenset({"ltd", "llc", "jsc", "llp", "plc", "corp", "inc", "co", "gmbh", "sa"})


@dataclass(frozen=True)
class Term:
    phrase: str  # normalised tokens joined by one space
    kind: str  # organisation | accelerator | model | keyword
    object_id: int | None
    label: str  # the name as the catalog writes it


def name_phrases(name: str) -> list[str]:
    """The normalised forms of a name that may match: the whole name, and the name without its legal form."""
    if not distinctive_tokens(name) or len("".join(distinctive_tokens(name))) < 3:
        return []
    tokens = normalise_name(name).split()
    phrases = [" ".join(tokens)]
    while tokens and tokens[-1] in LEGAL_FORMS:
        tokens = tokens[:-1]
    if tokens and any(token not in GENERIC_TOKENS for token in tokens):
        stripped = " ".join(tokens)
        if stripped not in phrases:
            phrases.append(stripped)
    return phrases


@lru_cache(maxsize=20_000)
def _name_terms(name: str, kind: str, object_id: int | None) -> tuple[Term, ...]:
    """The terms of one catalog name; a pure function of its arguments, so memoised: the catalog is read on
    every check that has items to match, and normalising every name each time cost more than the queries."""
    return tuple(Term(phrase, kind, object_id, name) for phrase in name_phrases(name))


def catalog_terms(*, keywords: list[str] | None = None) -> list[Term]:
    """Every name in the catalog as it is now (read each time, so a name added a moment ago matches), and
    the source's keywords."""
    terms: list[Term] = []
    for org in Organisation.objects.order_by("pk").only("pk", "name", "short_name", "native_name", "aliases"):
        for name in org.all_names():
            terms += _name_terms(name, "organisation", org.pk)
    for pk, product in Accelerator.objects.order_by("pk").values_list("pk", "product"):
        terms += _name_terms(product, "accelerator", pk)
    for pk, name in AIModel.objects.order_by("pk").values_list("pk", "name"):
        terms += _name_terms(name, "model", pk)
    for keyword in keywords or []:
        phrase = normalise_name(str(keyword))
        if phrase:
            terms.append(Term(phrase, "keyword", None, str(keyword)))
    return terms


def text_matches(text: str, terms: list[Term]) -> list[Term]:
    """The terms whose whole token sequence occurs in text."""
    haystack = f" {normalise_name(text)} "
    if haystack.strip() == "":
        return []
    return [term for term in terms if f" {term.phrase} " in haystack]
