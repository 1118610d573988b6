"""The screening engine: an index of a list version's names, and a scorer that trusts distinctive words.

How a name is matched (in the spirit of OpenSanctions' matchers, not brute force):

1. Names on both sides are normalised (`normalise.name_tokens`): ASCII, lower case, legal forms and common
   abbreviations folded ("Co., Ltd." = "Company Limited" = "ltd", "Tech" = "Technologies" = "technology").
2. Each word gets a weight: its inverse document frequency over the list's names, times 0.15 for the
   generic words of `normalise.GENERIC_TOKENS` ("beijing", "technology", "ltd"). Rare words weigh most.
3. Candidates come from an inverted index of the distinctive words only, looked up exactly and with one
   typo (a deletion-neighbourhood index: "rayboam" finds "raybeam"), so a query is compared with a few
   dozen names, not with all of them.
4. A candidate is scored by a soft TF-IDF cosine: words are paired by their rapidfuzz similarity (optimal
   string alignment), each pair counting its two weights times its similarity. Extra words on either side
   lower the score; a typo costs little; a shared generic word counts almost nothing.
5. A name matches only if at least one distinctive word pairs up, or if the whole normalised names are
   equal. "Beijing", "Technology" or "Co., Ltd." alone never make a match.
6. An identifier on the list (USCC, LEI, registration number...) equal to one of ours is a match whatever
   the names say (score 100).

An index is built once per list version and kept in this process (`index_for_version`), and a signed copy is
kept under RISKREG_DATA_DIR so that the next process (a `manage.py screen`, a new worker) loads it instead.
"""

from __future__ import annotations

import gc
import hashlib
import hmac
import logging
import math
import os
import pickle
import tempfile
from collections import OrderedDict, defaultdict
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from rapidfuzz.distance import OSA

from riskreg.screening.importers.base import identifier_key
from riskreg.screening.normalise import GENERIC_TOKENS, name_tokens, normalise_name

logger = logging.getLogger(__name__)

ALGORITHM_VERSION = "riskreg-softtfidf-1"
#: Scores at or above this are potential matches that a person reviews.
POTENTIAL_THRESHOLD = 80.0
GENERIC_FACTOR = 0.15
#: Two words pair up when their similarity reaches this (one typo in a five-letter word is 0.8).
TOKEN_SIMILARITY = 0.75
#: Words shorter than this pair only when spelt exactly alike.
FUZZY_MIN_LENGTH = 4
#: Whole names (without spaces) this short are also compared with one typo allowed.
COMPACT_MIN_LENGTH = 4
COMPACT_FUZZY_MAX_LENGTH = 16
#: Identifiers shorter than this (after removing punctuation) are too weak to match on their own.
IDENTIFIER_MIN_LENGTH = 6


@dataclass(frozen=True)
class IndexEntry:
    entry_id: int
    names: Sequence[str]
    identifiers: Sequence[dict] = ()


@dataclass
class Match:
    entry_id: int
    query_name: str
    matched_name: str
    score: float
    reasons: list[str] = field(default_factory=list)
    algorithm_version: str = ALGORITHM_VERSION


def _deletions(token: str) -> set[str]:
    return {token[:i] + token[i + 1 :] for i in range(len(token))}


def _dedupe(tokens: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(tokens))


class ScreeningIndex:
    """All names and identifiers of one list version, indexed for screening."""

    def __init__(self, entries: Iterable[IndexEntry]) -> None:
        self.name_entry: list[int] = []  # name number -> entry id
        self.name_text: list[str] = []
        self.name_tokens: list[tuple[str, ...]] = []
        self.exact: dict[str, list[int]] = defaultdict(list)  # normalised name -> name numbers
        self.postings: dict[str, list[int]] = defaultdict(list)  # distinctive token -> name numbers
        self.identifiers: dict[str, list[tuple[int, dict]]] = defaultdict(list)
        document_frequency: dict[str, int] = defaultdict(int)
        for entry in entries:
            seen_norms: set[str] = set()
            for name in entry.names:
                tokens = _dedupe(name_tokens(name))
                norm = " ".join(tokens)
                if not tokens or norm in seen_norms:
                    continue
                seen_norms.add(norm)
                number = len(self.name_entry)
                self.name_entry.append(entry.entry_id)
                self.name_text.append(name)
                self.name_tokens.append(tokens)
                self.exact[norm].append(number)
                for token in tokens:
                    document_frequency[token] += 1
                    if self._distinctive(token):
                        self.postings[token].append(number)
            for item in entry.identifiers:
                key = identifier_key(str(item.get("value", "")))
                if len(key) >= IDENTIFIER_MIN_LENGTH:
                    self.identifiers[key].append((entry.entry_id, item))
        total = max(len(self.name_entry), 1)
        self.max_weight = math.log(total + 1) + 1.0
        self.weights: dict[str, float] = {
            token: self._weight(token, count, total) for token, count in document_frequency.items()
        }
        self.neighbours: dict[str, list[str]] = defaultdict(list)  # deletion variant -> distinctive tokens
        for token in self.postings:
            if len(token) >= FUZZY_MIN_LENGTH:
                self.neighbours[token].append(token)
                for variant in _deletions(token):
                    self.neighbours[variant].append(token)
        self.norms = [math.sqrt(sum(self.weights[t] ** 2 for t in tokens)) for tokens in self.name_tokens]
        self.generic_norms = [
            math.sqrt(sum(self.weights[t] ** 2 for t in tokens if not self._distinctive(t)))
            for tokens in self.name_tokens
        ]
        # Names written together or apart ("AL-JIBAWI" / "ALJIBAWI", "EP-IBS" / "E-PIBS"): the name without
        # spaces, looked up exactly, and with one typo for short names.
        self.compact: dict[str, list[int]] = defaultdict(list)
        self.compact_neighbours: dict[str, list[str]] = defaultdict(list)
        for number, tokens in enumerate(self.name_tokens):
            compact = "".join(tokens)
            if compact not in self.compact and COMPACT_MIN_LENGTH <= len(compact) <= COMPACT_FUZZY_MAX_LENGTH:
                for variant in {compact, *_deletions(compact)}:
                    self.compact_neighbours[variant].append(compact)
            self.compact[compact].append(number)

    @staticmethod
    def _distinctive(token: str) -> bool:
        return token not in GENERIC_TOKENS and len(token) > 1

    @staticmethod
    def _weight(token: str, count: int, total: int) -> float:
        weight = math.log((total + 1) / (count + 1)) + 1.0
        return weight * GENERIC_FACTOR if token in GENERIC_TOKENS or len(token) == 1 else weight

    def __len__(self) -> int:
        return len(self.name_entry)

    # --- lookup ------------------------------------------------------------------------------

    def similar_tokens(self, token: str) -> list[tuple[str, float]]:
        """Distinctive index words spelt like `token` (itself, or one edit away), with similarity."""
        if len(token) < FUZZY_MIN_LENGTH:
            return [(token, 1.0)] if token in self.postings else []
        found: dict[str, float] = {}
        for probe in (token, *_deletions(token)):
            for candidate in self.neighbours.get(probe, ()):
                if candidate in found:
                    continue
                similarity = 1.0 if candidate == token else OSA.normalized_similarity(token, candidate)
                if similarity >= TOKEN_SIMILARITY:
                    found[candidate] = similarity
        return list(found.items())

    def query_weight(self, token: str, similar: list[tuple[str, float]]) -> float:
        if token in self.weights:
            return self.weights[token]
        if similar:  # a misspelling weighs what the word it stands for weighs
            return max(self.weights[t] for t, _ in similar)
        return self.max_weight * (GENERIC_FACTOR if token in GENERIC_TOKENS else 1.0)

    def match_name(self, query: str, *, threshold: float = POTENTIAL_THRESHOLD) -> dict[int, Match]:
        """Best match per entry for one of our names, at or above `threshold`."""
        tokens = _dedupe(name_tokens(query))
        if not tokens:
            return {}
        norm = " ".join(tokens)
        similar = {t: self.similar_tokens(t) for t in tokens if self._distinctive(t)}
        query_weights = {t: self.query_weight(t, similar.get(t, [])) for t in tokens}
        query_norm = math.sqrt(sum(w * w for w in query_weights.values()))
        generic_share = math.sqrt(sum(w * w for t, w in query_weights.items() if t not in similar)) / query_norm
        # Accumulate, per candidate name, what the distinctive words can contribute (an upper bound of the
        # score with the generic words' share added), and score in full only the names that could pass.
        reach: dict[int, float] = defaultdict(float)
        for token, pairs in similar.items():
            best: dict[int, float] = {}
            for candidate_token, similarity in pairs:
                contribution = query_weights[token] * self.weights[candidate_token] * similarity
                for number in self.postings[candidate_token]:
                    if contribution > best.get(number, 0.0):
                        best[number] = contribution
            for number, contribution in best.items():
                reach[number] += contribution
        found: dict[int, Match] = {}

        def keep(number: int, score: float, reasons: list[str]) -> None:
            entry_id = self.name_entry[number]
            if score >= threshold and (entry_id not in found or score > found[entry_id].score):
                found[entry_id] = Match(entry_id, query, self.name_text[number], round(score, 1), reasons)

        for number, accumulated in reach.items():
            norm_c = self.norms[number]
            bound = 100.0 * (accumulated / (query_norm * norm_c) + self.generic_norms[number] / norm_c + generic_share)
            if bound >= threshold:
                keep(number, *self._score(tokens, query_weights, query_norm, number, norm))
        for number in self.exact.get(norm, ()):
            keep(number, 100.0, [f"same name once normalised: {norm!r}"])
        compact = "".join(tokens)
        for number in self.compact.get(compact, ()):
            keep(number, 99.0, [f"same name written together or apart: {self.name_text[number]!r}"])
        if COMPACT_MIN_LENGTH <= len(compact) <= COMPACT_FUZZY_MAX_LENGTH and similar:
            seen: set[str] = set()
            for probe in (compact, *_deletions(compact)):
                for candidate in self.compact_neighbours.get(probe, ()):
                    if candidate in seen or candidate == compact:
                        continue
                    seen.add(candidate)
                    if OSA.distance(compact, candidate, score_cutoff=1) > 1:
                        continue
                    score = 100.0 * OSA.normalized_similarity(compact, candidate)
                    for number in self.compact[candidate]:
                        if any(self._distinctive(t) for t in self.name_tokens[number]):
                            keep(number, score, [f"one letter apart when written together: {candidate!r}"])
        return found

    def _score(
        self, tokens: tuple[str, ...], query_weights: dict[str, float], query_norm: float, number: int, norm: str
    ) -> tuple[float, list[str]]:
        name_tokens_ = self.name_tokens[number]
        if " ".join(name_tokens_) == norm:
            return 100.0, [f"same name once normalised: {norm!r}"]
        # Pair words greedily, most similar first; each list word pairs with at most one of ours.
        pairs: list[tuple[float, str, str]] = []
        for ours in tokens:
            for theirs in name_tokens_:
                if ours == theirs:
                    pairs.append((1.0, ours, theirs))
                elif (
                    min(len(ours), len(theirs)) >= FUZZY_MIN_LENGTH
                    and abs(len(ours) - len(theirs)) <= 1
                    and OSA.distance(ours, theirs, score_cutoff=1) <= 1
                ):
                    similarity = OSA.normalized_similarity(ours, theirs)
                    if similarity >= TOKEN_SIMILARITY:
                        pairs.append((similarity, ours, theirs))
        pairs.sort(key=lambda p: -p[0])
        used_ours: set[str] = set()
        used_theirs: set[str] = set()
        dot = 0.0
        distinctive: list[str] = []
        for similarity, ours, theirs in pairs:
            if ours in used_ours or theirs in used_theirs:
                continue
            used_ours.add(ours)
            used_theirs.add(theirs)
            dot += query_weights[ours] * self.weights[theirs] * similarity
            if self._distinctive(theirs) and self._distinctive(ours):
                distinctive.append(theirs if similarity == 1.0 else f"{ours}~{theirs}")
        if not distinctive:
            return 0.0, []
        score = 100.0 * dot / (query_norm * self.norms[number])
        unmatched = [t for t in name_tokens_ if t not in used_theirs]
        reasons = [f"distinctive words in common: {', '.join(distinctive)}"]
        if unmatched:
            reasons.append(f"words only on the list: {', '.join(unmatched)}")
        missing = [t for t in tokens if t not in used_ours]
        if missing:
            reasons.append(f"words only in ours: {', '.join(missing)}")
        return min(score, 100.0), reasons

    def match_identifiers(self, identifiers: dict[str, str] | Iterable[tuple[str, str]]) -> dict[int, Match]:
        items = identifiers.items() if isinstance(identifiers, dict) else identifiers
        found: dict[int, Match] = {}
        for scheme, value in items:
            key = identifier_key(value)
            for entry_id, listed in self.identifiers.get(key, ()) if len(key) >= IDENTIFIER_MIN_LENGTH else ():
                label = listed.get("label") or listed.get("scheme")
                found[entry_id] = Match(
                    entry_id,
                    f"{scheme}:{value}",
                    f"{label} {listed.get('value')}",
                    100.0,
                    [f"identifier match: our {scheme} {value} is the list's {label} {listed.get('value')}"],
                )
        return found

    def screen(self, *, names: Iterable[str], identifiers=(), threshold: float = POTENTIAL_THRESHOLD) -> list[Match]:
        """Best match per entry over all our names and identifiers, best first."""
        best: dict[int, Match] = {}
        for name in names:
            for entry_id, match in self.match_name(name, threshold=threshold).items():
                if entry_id not in best or match.score > best[entry_id].score:
                    best[entry_id] = match
        for entry_id, match in self.match_identifiers(identifiers).items():
            if entry_id in best and best[entry_id].score < 100:
                match.reasons.append(f"name similarity {best[entry_id].score}: {best[entry_id].matched_name!r}")
            best[entry_id] = match
        return sorted(best.values(), key=lambda m: (-m.score, m.matched_name))


# --- the per-process cache, keyed by list version, one version per list ----------------------------------------

_CACHE: OrderedDict[tuple, ScreeningIndex] = OrderedDict()
_CACHE_SIZE = 8


def index_for_version(version_id: int) -> ScreeningIndex:
    """The index of the entries in force for this version, built once per process.

    A process that starts without it (a command, a new worker) first looks for the copy the last build left
    under RISKREG_DATA_DIR (`_stored_index`), which loads in a fraction of the build time.
    """
    from riskreg.screening.models import ListEntry, ListVersion

    version = ListVersion.objects.get(pk=version_id)
    # The key includes the file hash and import time, so a reused primary key never returns a stale index.
    key = (version.pk, version.sha256, version.imported_at.isoformat(), version.sanctions_list_id)
    if key in _CACHE:
        _CACHE.move_to_end(key)
        return _CACHE[key]
    for older in [k for k in _CACHE if k[3] == version.sanctions_list_id]:  # one index per list: the newest asked
        del _CACHE[older]  # a list's old version (up to 2 GB for a large one) is not kept beside the new
    index = _stored_index(key)
    if index is None:
        rows = ListEntry.objects.filter(sanctions_list_id=version.sanctions_list_id, active=True).values_list(
            "pk", "primary_name", "aliases", "identifiers"
        )
        with _gc_paused():  # a build makes ~10^6 small containers; the cycle collector only slows it down
            index = ScreeningIndex(
                IndexEntry(pk, [primary, *(aliases or [])], identifiers or [])
                for pk, primary, aliases, identifiers in rows
            )
        _index_store(key, index)
    _CACHE[key] = index
    while len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return index


@contextmanager
def _gc_paused():
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# --- the copy on disk: signed, keyed by list version and by this code ---------------------------------------


@cache
def _code_fingerprint() -> str:
    """Changes whenever the matcher or the normaliser changes, so an index built by older code is never used."""
    from riskreg.screening import normalise

    digest = hashlib.sha256(ALGORITHM_VERSION.encode())
    for module_file in (__file__, normalise.__file__):
        digest.update(Path(module_file).read_bytes())
    return digest.hexdigest()[:16]


def index_dir() -> Path:
    from django.conf import settings

    return Path(settings.RISKREG_DATA_DIR) / "screening-index"


def _index_path(key: tuple) -> Path:
    name = hashlib.sha256(repr((key, _code_fingerprint())).encode()).hexdigest()[:32]
    return index_dir() / f"version-{key[0]}-{name}.pickle"


def _signature(payload: bytes) -> bytes:
    from django.conf import settings

    return hmac.new(f"riskreg.screening.index:{settings.SECRET_KEY}".encode(), payload, hashlib.sha256).digest()


def _stored_index(key: tuple) -> ScreeningIndex | None:
    """The index stored by an earlier build, if it is there, signed with our SECRET_KEY and of this code."""
    try:
        data = _index_path(key).read_bytes()
    except OSError:
        return None
    signature, payload = data[:32], data[32:]
    if not hmac.compare_digest(signature, _signature(payload)):
        logger.warning("screening index %s is not signed with this SECRET_KEY; rebuilding it", _index_path(key))
        return None
    with _gc_paused():
        index = pickle.loads(payload)  # noqa: S301 (our own file, checked against our own HMAC above)
    return index if isinstance(index, ScreeningIndex) else None


def _index_store(key: tuple, index: ScreeningIndex) -> None:
    """Keep a signed copy for the next process; one file per version (older copies of it are removed).
    A copy that cannot be written costs the next process a build, nothing else."""
    path = _index_path(key)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        payload = pickle.dumps(index, protocol=pickle.HIGHEST_PROTOCOL)
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False, suffix=".tmp") as out:
            out.write(_signature(payload) + payload)
        os.replace(out.name, path)
        for old in path.parent.glob(f"version-{key[0]}-*.pickle"):
            if old != path:
                old.unlink(missing_ok=True)
    except OSError as exc:
        logger.warning("screening index not stored at %s: %s", path, exc)


def index_cache_clear(*, stored: bool = False) -> None:
    """Forget the indexes of this process (and with `stored`, the copies on disk too)."""
    _CACHE.clear()
    if stored:
        for path in index_dir().glob("version-*.pickle"):
            path.unlink(missing_ok=True)


__all__ = [
    "ALGORITHM_VERSION",
    "POTENTIAL_THRESHOLD",
    "IndexEntry",
    "Match",
    "ScreeningIndex",
    "index_cache_clear",
    "index_for_version",
    "normalise_name",
]
