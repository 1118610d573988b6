"""Which catalog names (organisations, accelerators, models) and source keywords an item names.

Both sides go through the screening normaliser, and a name matches only as a whole token sequence:
"Huawei" matches "HUAWEI TECHNOLOGIES CO., LTD." but "Technology" alone never matches, because a
catalog name made only of generic tokens (legal forms, places, "technology") is not used at all.
"""

from __future__ import annotations

from dataclasses import dataclass

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


def catalog_terms(*, keywords: list[str] | None = None) -> list[Term]:
    terms: list[Term] = []
    for org in Organisation.objects.only("pk", "name", "short_name", "native_name", "aliases"):
        for name in org.all_names():
            terms += [Term(phrase, "organisation", org.pk, name) for phrase in name_phrases(name)]
    for accelerator in Accelerator.objects.only("pk", "product"):
        terms += [
            Term(p, "accelerator", accelerator.pk, accelerator.product) for p in name_phrases(accelerator.product)
        ]
    for model in AIModel.objects.only("pk", "name"):
        terms += [Term(phrase, "model", model.pk, model.name) for phrase in name_phrases(model.name)]
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
