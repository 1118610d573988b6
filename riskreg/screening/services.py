"""Write-side rules of screening. The importer entry point is a contract used by watch sources."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from models_catalog.models import Organisation
from riskreg.core.events import ChangeKind, material_change_announce
from riskreg.screening.errors import ListImportError
from riskreg.screening.importers import FORMAT_LABELS, PARSERS, ParsedEntry, sniff
from riskreg.screening.importers.ofac import parse_sdn
from riskreg.screening.matching import POTENTIAL_THRESHOLD, Match, index_for_version
from riskreg.screening.models import ListCode, ListEntry, ListVersion, SanctionsList, ScreeningHit

logger = logging.getLogger(__name__)

__all__ = [
    "LIST_DEFAULTS",
    "ListImportError",
    "ListImportResult",
    "names_screen",
    "names_screen_batch",
    "organisation_screen",
    "organisations_screen",
    "sanctions_list_ensure",
    "sanctions_list_import",
    "screening_hit_review",
]

#: The lists riskreg knows, with their official sources and the formats each accepts (first = default).
LIST_DEFAULTS: dict[str, dict] = {
    ListCode.OFAC_SDN: {
        "name": "OFAC Specially Designated Nationals (SDN) List",
        "authority": "US Department of the Treasury, Office of Foreign Assets Control (OFAC)",
        "source_url": "https://www.treasury.gov/ofac/downloads/sdn.csv",
        "formats": ("ofac-sdn-csv",),
    },
    ListCode.US_CSL: {
        "name": "US Consolidated Screening List (incl. BIS Entity List)",
        "authority": "US Department of Commerce, International Trade Administration (trade.gov)",
        "source_url": "https://data.trade.gov/downloadable_consolidated_screening_list/v1/consolidated.csv",
        "formats": ("us-csl-csv", "us-csl-json"),
    },
    ListCode.UN_SC: {
        "name": "UN Security Council Consolidated List",
        "authority": "United Nations Security Council",
        "source_url": "https://scsanctions.un.org/resources/xml/en/consolidated.xml",
        "formats": ("un-sc-xml",),
    },
    ListCode.EU_FSF: {
        "name": "EU Financial Sanctions Files (consolidated list)",
        "authority": "European Commission (FISMA), on behalf of the Council of the EU",
        "source_url": "https://webgate.ec.europa.eu/fsd/fsf/public/files/xmlFullSanctionsList_1_1/content",
        "formats": ("eu-fsf-xml",),
    },
    ListCode.OPENSANCTIONS: {
        "name": "OpenSanctions (FollowTheMoney)",
        "authority": "OpenSanctions (aggregated from official lists)",
        "source_url": "https://data.opensanctions.org/datasets/latest/sanctions/entities.ftm.json",
        "formats": ("opensanctions-ftm",),
    },
}
#: A new file with fewer than this share of the entries in force is refused as probably truncated.
SHRINK_LIMIT = 0.5
_BATCH = 1000


@dataclass
class ListImportResult:
    version: ListVersion | None  # the new version, or the one in force when the file did not change
    unchanged: bool  # the file's SHA-256 matched the version in force: nothing was written
    added: list[str] = field(default_factory=list)  # external ids
    removed: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)


# --- lists and imports -------------------------------------------------------------------------


def sanctions_list_ensure(*, list_code: str) -> SanctionsList:
    """The list with this code, created from LIST_DEFAULTS the first time."""
    existing = SanctionsList.objects.filter(code=list_code).first()
    if existing is not None:
        return existing
    defaults = LIST_DEFAULTS.get(list_code)
    if defaults is None:
        known = ", ".join(LIST_DEFAULTS)
        raise ListImportError(f"unknown list code {list_code!r}; known lists: {known}")
    sanctions_list, _ = SanctionsList.objects.get_or_create(
        code=list_code,
        defaults={
            "name": defaults["name"],
            "authority": defaults["authority"],
            "source_url": defaults["source_url"],
            "format": defaults["formats"][0],
        },
    )
    return sanctions_list


def _resolve_format(sanctions_list: SanctionsList, data: bytes, fmt: str | None) -> str:
    allowed = LIST_DEFAULTS.get(sanctions_list.code, {}).get("formats") or tuple(PARSERS)
    if fmt:
        if fmt not in PARSERS:
            raise ListImportError(f"unknown format {fmt!r}; formats: {', '.join(PARSERS)}")
        if fmt not in allowed:
            raise ListImportError(
                f"{sanctions_list.code} is published as {', '.join(allowed)}, not {fmt}; "
                "check the list code and the format"
            )
        return fmt
    found = sniff(data)
    if found in allowed:
        return found
    if found in FORMAT_LABELS and found not in ("xml", "json", "unknown"):
        raise ListImportError(
            f"this looks like {FORMAT_LABELS[found]} ({found}), a file of another list, "
            f"not {' or '.join(FORMAT_LABELS[a] for a in allowed)}",
            location="line 1",
        )
    return sanctions_list.format if sanctions_list.format in allowed else allowed[0]


def _file_hash(data: bytes, alt_data: bytes | None, add_data: bytes | None) -> str:
    if alt_data is None and add_data is None:
        return hashlib.sha256(data).hexdigest()
    combined = hashlib.sha256()
    for part in (data, alt_data or b"", add_data or b""):
        combined.update(hashlib.sha256(part).digest())
    return combined.hexdigest()


def _entry_fields(parsed: ParsedEntry) -> dict:
    return {
        "primary_name": parsed.primary_name[:1000],
        "aliases": parsed.aliases,
        "entity_type": parsed.entity_type,
        "programs": parsed.programs,
        "countries": parsed.countries,
        "addresses": parsed.addresses,
        "identifiers": parsed.identifiers,
        "listed_on": parsed.listed_on,
        "citation": parsed.citation[:255],
        "remarks": parsed.remarks,
        "linked_to": parsed.linked_to,
        "raw": parsed.raw,
        "content_hash": parsed.content_hash(),
    }


def _newest_entry_number(external_ids) -> int | None:
    return max((int(x) for x in external_ids if x.isdigit()), default=None)


def _older_than_in_force(*, current: ListVersion, sha256: str, fmt: str, incoming: dict, in_force: set) -> str:
    """Why the file looks older than the version in force, or ''. Two signs: it is the very file of an
    earlier version of this list; or, for OFAC's sdn.csv, whose entry numbers only grow, its newest entry
    number is below the newest in force."""
    earlier = (
        ListVersion.objects.filter(sanctions_list_id=current.sanctions_list_id, sha256=sha256)
        .exclude(pk=current.pk)
        .order_by("-imported_at")
        .first()
    )
    if earlier is not None and earlier.rolled_back_at is not None:
        return (
            f"this file is the one of version #{earlier.pk}, which {earlier.rolled_back_by} rolled back on "
            f"{earlier.rolled_back_at:%Y-%m-%d %H:%M} ({earlier.rollback_reason})"
        )
    if earlier is not None:
        return (
            f"this file is the one of an earlier version (#{earlier.pk}, imported "
            f"{earlier.imported_at:%Y-%m-%d %H:%M}), not newer than the version in force "
            f"(#{current.pk}, imported {current.imported_at:%Y-%m-%d %H:%M})"
        )
    if fmt == "ofac-sdn-csv":
        newest_file, newest_in_force = _newest_entry_number(incoming), _newest_entry_number(in_force)
        if newest_file is not None and newest_in_force is not None and newest_file < newest_in_force:
            return (
                f"the file's newest entry is number {newest_file}, below {newest_in_force} in the version in "
                "force; OFAC numbers entries in the order it lists them, so this is an older list"
            )
    return ""


def _nul_field(value, path: str) -> str:
    """The field holding a NUL character (U+0000), or ''."""
    if isinstance(value, str):
        return path if "\x00" in value else ""
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list | tuple):
        items = enumerate(value)
    else:
        return ""
    for key, item in items:
        found = _nul_field(key, path) or _nul_field(item, f"{path}.{key}" if path else str(key))
        if found:
            return found
    return ""


def _refuse_nul_characters(parsed: list[ParsedEntry]) -> None:
    """A NUL character is never text: a file holding one is damaged. PostgreSQL cannot store it (a 500
    there) and SQLite would store it silently, so it is refused here, the same on both."""
    for entry in parsed:
        found = _nul_field(vars(entry), "")
        if found:
            raise ListImportError(
                f"entry {entry.external_id or '(no id)'} holds a NUL character (byte 0x00) in {found}; a list file "
                "is text, so this one is damaged. Nothing was imported; the version in force is unchanged",
                location=entry.location or f"entry {entry.external_id}",
            )


def sanctions_list_import(
    *,
    list_code: str,
    data: bytes,
    source_name: str,
    fmt: str | None = None,
    user=None,
    alt_data: bytes | None = None,
    add_data: bytes | None = None,
    allow_shrink: bool = False,
    allow_older: bool = False,
    progress: Callable[..., None] | None = None,
) -> ListImportResult:
    """Parse `data` in the list's format and make it the version in force, or raise ListImportError
    and leave the previous version untouched.

    The diff against the version in force is by external id. Re-importing the file in force writes
    nothing. `alt_data`/`add_data` are OFAC's alt.csv and add.csv for an sdn.csv. A file with fewer
    than half the entries in force is refused as probably truncated unless `allow_shrink`, and a file
    older than the version in force (see `_older_than_in_force`) is refused unless `allow_older`.
    After commit, every organisation is screened against the new version (a Celery task).
    `progress(stage, entries_total=None)` is told what the import is doing (an import job shows it).
    """
    report = progress or (lambda stage, **counts: None)
    max_bytes = settings.RISKREG_IMPORT_MAX_BYTES
    for name, part in (("file", data), ("alt.csv", alt_data), ("add.csv", add_data)):
        if part is not None and len(part) > max_bytes:
            raise ListImportError(
                f"the {name} is {len(part):,} bytes, over the limit of {max_bytes:,} (RISKREG_IMPORT_MAX_BYTES)"
            )
    sanctions_list = sanctions_list_ensure(list_code=list_code)
    sha256 = _file_hash(data, alt_data, add_data)
    current = sanctions_list.current_version
    if current is not None and current.sha256 == sha256:
        return ListImportResult(version=current, unchanged=True)

    fmt = _resolve_format(sanctions_list, data, fmt)
    if (alt_data is not None or add_data is not None) and fmt != "ofac-sdn-csv":
        raise ListImportError("alt.csv and add.csv go with an OFAC sdn.csv only")
    if not data.strip(b"\x1a\r\n\t "):
        raise ListImportError("the file is empty", location="line 1")
    report("reading and checking the file")
    if fmt == "ofac-sdn-csv":
        parsed = parse_sdn(data, alt=alt_data, add=add_data)
    else:
        parsed = PARSERS[fmt](data)
    incoming = {entry.external_id: entry for entry in parsed}
    if any(b"\x00" in part or b"\\u0000" in part for part in (data, alt_data or b"", add_data or b"")):
        _refuse_nul_characters(parsed)
    report(f"comparing and writing {len(incoming):,} entries (in one transaction)", entries_total=len(incoming))

    with transaction.atomic():
        sanctions_list = SanctionsList.objects.select_for_update().get(pk=sanctions_list.pk)
        current = sanctions_list.current_version
        if current is not None and current.sha256 == sha256:  # someone imported it meanwhile
            return ListImportResult(version=current, unchanged=True)
        existing = {
            external_id: (pk, content_hash, active)
            for external_id, pk, content_hash, active in ListEntry.objects.filter(
                sanctions_list=sanctions_list
            ).values_list("external_id", "pk", "content_hash", "active")
        }
        in_force = {external_id for external_id, (_, _, active) in existing.items() if active}
        if in_force and not allow_shrink and len(incoming) < SHRINK_LIMIT * len(in_force):
            raise ListImportError(
                f"the file has {len(incoming)} entries where the version in force has {len(in_force)}; "
                "a list does not usually lose more than half its entries at once, so the file looks truncated. "
                "The version in force was kept (import with --allow-shrink if this is real)"
            )
        if current is not None and not allow_older:
            older = _older_than_in_force(current=current, sha256=sha256, fmt=fmt, incoming=incoming, in_force=in_force)
            if older:
                raise ListImportError(
                    f"{older}. Importing it would roll the list back. The version in force was kept "
                    "(import with --allow-older, or tick 'an older file', if going back is intended)"
                )
        fields = {external_id: _entry_fields(entry) for external_id, entry in incoming.items()}
        added = sorted(set(incoming) - in_force)
        removed = sorted(in_force - set(incoming))
        changed = sorted(
            external_id
            for external_id in set(incoming) & in_force
            if existing[external_id][1] != fields[external_id]["content_hash"]
        )
        version = ListVersion.objects.create(
            sanctions_list=sanctions_list,
            sha256=sha256,
            source_name=source_name[:1000],
            format=fmt,
            imported_by=user if getattr(user, "is_authenticated", False) else None,
            entry_count=len(incoming),
            added_count=len(added),
            removed_count=len(removed),
            changed_count=len(changed),
            diff={"added": added, "removed": removed, "changed": changed},
        )
        new_rows, updated_rows = [], []
        for external_id in added + changed:
            if external_id in existing:  # changed, or back on the list after leaving it
                row = ListEntry(pk=existing[external_id][0], **fields[external_id])
                row.active = True
                row.last_version = version
                updated_rows.append(row)
            else:
                new_rows.append(
                    ListEntry(
                        sanctions_list=sanctions_list,
                        external_id=external_id,
                        first_version=version,
                        last_version=version,
                        **fields[external_id],
                    )
                )
        ListEntry.objects.bulk_create(new_rows, batch_size=_BATCH)
        update_fields = [*_entry_fields(parsed[0]).keys(), "active", "last_version"]
        ListEntry.objects.bulk_update(updated_rows, update_fields, batch_size=_BATCH)
        ListEntry.objects.filter(sanctions_list=sanctions_list, active=True).exclude(last_version=version).update(
            last_version=version
        )
        for start in range(0, len(removed), _BATCH):
            ListEntry.objects.filter(
                sanctions_list=sanctions_list, external_id__in=removed[start : start + _BATCH]
            ).update(active=False)
        sanctions_list.current_version = version
        sanctions_list.format = fmt
        sanctions_list.save(update_fields=["current_version", "format"])
        _announce_changed_confirmed_hits(sanctions_list, removed=removed, changed=changed)

        from riskreg.screening.tasks import screening_run_all

        screening_run_all.delay_on_commit(list_version_id=version.pk)
    logger.info(
        "imported %s from %s: %d entries, +%d -%d ~%d",
        list_code,
        source_name,
        len(incoming),
        len(added),
        len(removed),
        len(changed),
    )
    return ListImportResult(version=version, unchanged=False, added=added, removed=removed, changed=changed)


def _announce_changed_confirmed_hits(sanctions_list: SanctionsList, *, removed: list[str], changed: list[str]) -> None:
    """A confirmed hit whose entry changed or left the list is a material change for its models."""
    touched = set(removed) | set(changed)
    if not touched:
        return
    hits = ScreeningHit.objects.filter(
        entry__sanctions_list=sanctions_list, status=ScreeningHit.Status.CONFIRMED
    ).select_related("entry", "organisation")
    for hit in hits:
        if hit.entry.external_id not in touched:
            continue
        what = "left the list" if hit.entry.external_id in removed else "changed"
        _announce(hit, reason=f"{sanctions_list.code} entry {hit.entry.external_id} ({hit.entry.primary_name}) {what}")


def _announce(hit: ScreeningHit, *, reason: str) -> None:
    from models_catalog.selectors import models_for_organisations

    material_change_announce(
        model_ids=[m.pk for m in models_for_organisations(organisation_ids=[hit.organisation_id])],
        kind=ChangeKind.SCREENING_HIT,
        reason=reason,
        reference=f"screening-hit:{hit.pk}",
    )


# --- screening ---------------------------------------------------------------------------------


@dataclass
class ScreeningResult:
    created: int = 0
    updated: int = 0
    reopened: int = 0
    removed: int = 0

    def __iadd__(self, other: ScreeningResult) -> ScreeningResult:
        self.created += other.created
        self.updated += other.updated
        self.reopened += other.reopened
        self.removed += other.removed
        return self


def _versions_in_force(list_codes: Iterable[str] | None = None) -> list[ListVersion]:
    lists = SanctionsList.objects.filter(current_version__isnull=False)
    if list_codes:
        lists = lists.filter(code__in=list(list_codes))
    versions = []
    for sanctions_list in lists.select_related("current_version"):
        version = sanctions_list.current_version
        version.sanctions_list = sanctions_list
        versions.append(version)
    return versions


def names_screen(
    *,
    names: Iterable[str],
    identifiers: dict[str, str] | None = None,
    list_codes: Iterable[str] | None = None,
    threshold: float = POTENTIAL_THRESHOLD,
) -> list[tuple[ListVersion, Match]]:
    """Ad-hoc screening of names and identifiers against every list in force; writes nothing."""
    names = [n for n in names if n and n.strip()]
    results: list[tuple[ListVersion, Match]] = []
    for version in _versions_in_force(list_codes):
        index = index_for_version(version.pk)
        results.extend(
            (version, match) for match in index.screen(names=names, identifiers=identifiers or {}, threshold=threshold)
        )
    results.sort(key=lambda pair: -pair[1].score)
    return results


#: Bounds of one ad-hoc screening call (API and command): names per call, and characters per name (the longest
#: legal names on the lists run to about 250 characters).
SCREEN_MAX_NAMES = 10_000
SCREEN_MAX_NAME_LENGTH = 500


@dataclass(frozen=True)
class ScreenQuery:
    """One line of an ad-hoc screening: what the report calls it, the names and the identifiers it screens."""

    label: str
    names: Sequence[str] = ()
    identifiers: dict[str, str] = field(default_factory=dict)


def names_screen_batch(
    *,
    queries: Sequence[ScreenQuery],
    list_codes: Iterable[str] | None = None,
    threshold: float = POTENTIAL_THRESHOLD,
) -> list[dict]:
    """Screen many queries in one pass over the database; writes nothing.

    Three queries whatever the number of names: the versions in force, each version's index (built once per
    process and list version, then cached), and the list entries of every hit. Returns, per query and in
    order, {"query": label, "hits": [{"list", "entry_id", "name", "matched_name", "score", "reasons",
    "listed_on", "citation", "algorithm_version"}, ...]} with hits best first.
    """
    indexes = [(version, index_for_version(version.pk)) for version in _versions_in_force(list_codes)]
    found: list[list[tuple[ListVersion, Match]]] = []
    for query in queries:
        names = [n for n in query.names if n and n.strip()]
        results = [
            (version, match)
            for version, index in indexes
            for match in index.screen(names=names, identifiers=query.identifiers, threshold=threshold)
        ]
        results.sort(key=lambda pair: -pair[1].score)
        found.append(results)
    entry_ids = {match.entry_id for results in found for _, match in results}
    entries = ListEntry.objects.only("external_id", "primary_name", "listed_on", "citation").in_bulk(entry_ids)
    return [
        {
            "query": query.label,
            "hits": [
                {
                    "list": version.sanctions_list.code,
                    "entry_id": entries[match.entry_id].external_id,
                    "name": entries[match.entry_id].primary_name,
                    "matched_name": match.matched_name,
                    "score": match.score,
                    "reasons": match.reasons,
                    "listed_on": entries[match.entry_id].listed_on,
                    "citation": entries[match.entry_id].citation,
                    "algorithm_version": match.algorithm_version,
                }
                for version, match in results
                if match.entry_id in entries
            ],
        }
        for query, results in zip(queries, found, strict=True)
    ]


def _organisation_identifiers(organisation: Organisation) -> dict[str, str]:
    return {scheme: value for scheme, value in (organisation.identifiers or {}).items() if value}


@transaction.atomic
def organisation_screen(*, organisation_id: int, list_codes: Iterable[str] | None = None) -> ScreeningResult:
    """Screen one organisation (all its names and identifiers) against the lists in force.

    New matches become potential hits. A potential hit that no longer matches is removed; reviewed hits
    are kept. A dismissed hit stays dismissed unless its list entry changed since the dismissal, in which
    case it is reopened for review.
    """
    result = ScreeningResult()
    organisation = Organisation.objects.select_for_update().filter(pk=organisation_id).first()
    if organisation is None:
        return result
    names = organisation.all_names()
    identifiers = _organisation_identifiers(organisation)
    for version in _versions_in_force(list_codes):
        matches = {m.entry_id: m for m in index_for_version(version.pk).screen(names=names, identifiers=identifiers)}
        hits = {
            hit.entry_id: hit
            for hit in ScreeningHit.objects.filter(
                organisation=organisation, entry__sanctions_list_id=version.sanctions_list_id
            ).select_related("entry")
        }
        entry_hashes = dict(ListEntry.objects.filter(pk__in=matches.keys()).values_list("pk", "content_hash"))
        for entry_id, match in matches.items():
            hit = hits.get(entry_id)
            if hit is None:
                ScreeningHit.objects.create(
                    organisation=organisation,
                    entry_id=entry_id,
                    query_name=match.query_name[:1000],
                    matched_name=match.matched_name[:1000],
                    score=match.score,
                    reasons=match.reasons,
                    algorithm_version=match.algorithm_version,
                )
                result.created += 1
                continue
            reopen = (
                hit.status == ScreeningHit.Status.DISMISSED
                and hit.entry_hash_at_review
                and hit.entry_hash_at_review != entry_hashes.get(entry_id)
            )
            same = (
                hit.query_name == match.query_name
                and hit.matched_name == match.matched_name
                and hit.score == match.score
                and hit.reasons == match.reasons
                and hit.algorithm_version == match.algorithm_version
            )
            if same and not reopen:
                continue
            hit.query_name = match.query_name[:1000]
            hit.matched_name = match.matched_name[:1000]
            hit.score = match.score
            hit.reasons = match.reasons
            hit.algorithm_version = match.algorithm_version
            if reopen:
                hit.status = ScreeningHit.Status.POTENTIAL
                hit.reviewed_by, hit.reviewed_at, hit.review_reason = None, None, ""
                hit._change_reason = "list entry changed since it was dismissed: review again"
                result.reopened += 1
            else:
                result.updated += 1
            hit.save()
        stale = [
            hit
            for entry_id, hit in hits.items()
            if entry_id not in matches and hit.status == ScreeningHit.Status.POTENTIAL
        ]
        for hit in stale:
            hit._change_reason = "no longer matches the list in force"
            hit.delete()
            result.removed += 1
    return result


def organisations_screen(
    *, organisation_ids: Iterable[int] | None = None, list_codes: Iterable[str] | None = None
) -> ScreeningResult:
    """Screen these organisations (all of them when None), one transaction each."""
    ids = list(organisation_ids) if organisation_ids is not None else None
    if ids is None:
        ids = list(Organisation.objects.order_by("pk").values_list("pk", flat=True))
    total = ScreeningResult()
    for organisation_id in ids:
        total += organisation_screen(organisation_id=organisation_id, list_codes=list_codes)
    return total


# --- review ------------------------------------------------------------------------------------


class ReviewError(Exception):
    """A review decision was refused; the message says why."""


def screening_hit_review(*, hit_id: int, user, decision: str, reason: str) -> ScreeningHit:
    """Confirm or dismiss a hit with a reason. Only holders of screening.review_screeninghit (legal).

    A confirmed hit is a material change: every model whose chain contains the organisation is
    announced, so approvals that relied on the old facts are reopened.
    """
    if decision not in (ScreeningHit.Status.CONFIRMED, ScreeningHit.Status.DISMISSED):
        raise ReviewError(f"decision must be confirmed or dismissed, not {decision!r}")
    if not (user and user.is_authenticated and user.has_perm("screening.review_screeninghit")):
        raise ReviewError("only legal reviewers may confirm or dismiss screening hits")
    reason = (reason or "").strip()
    if not reason:
        raise ReviewError("give the reason for the decision (it is kept in the history)")
    with transaction.atomic():
        hit = (
            ScreeningHit.objects.select_for_update()
            .select_related("entry", "entry__sanctions_list", "organisation")
            .filter(pk=hit_id)
            .first()
        )
        if hit is None:
            raise ReviewError(f"screening hit {hit_id} does not exist")
        if hit.status == decision and hit.review_reason == reason:
            return hit
        hit.status = decision
        hit.reviewed_by = user
        hit.reviewed_at = timezone.now()
        hit.review_reason = reason
        hit.entry_hash_at_review = hit.entry.content_hash
        hit._history_user = user
        hit._change_reason = f"{decision} by {user.get_username()}"
        hit.save()
        if decision == ScreeningHit.Status.CONFIRMED:
            entry = hit.entry
            listed = f", listed {entry.listed_on:%d %b %Y}" if entry.listed_on else ""
            citation = f", {entry.citation}" if entry.citation else ""
            _announce(
                hit,
                reason=f"{hit.organisation.display_name} confirmed on {entry.sanctions_list.name}: "
                f"{entry.primary_name}{listed}{citation} (confirmed by {user.get_username()}: {reason})",
            )
    return hit


# --- rolling back a bad file ---------------------------------------------------------------------


class ListRollbackError(Exception):
    """A rollback that cannot be done; the message says why and that nothing changed."""


def list_version_rollback(*, version_id: int, user, reason: str) -> ListVersion:
    """Legal withdraws the version in force of a list (a bad file: bogus entries or entry numbers, the
    wrong list) with a reason; the version before it is in force again.

    Entries the bad file added leave the list again and entries it removed come back, so the next real
    file is compared with the list as it was (a bogus high OFAC entry number no longer makes every later
    file look older). Entries it changed keep the file's wording until the next import, which compares
    and corrects them (a version keeps no copy of its file). The rollback is recorded on the version
    (who, when, why) and in the list's history; the rolled-back file, imported again, is refused as an
    earlier file. Every organisation is screened again after commit.
    """
    from django.core.exceptions import PermissionDenied

    if not user.has_perm("screening.add_listversion"):
        raise PermissionDenied("Only legal (who import list files) may roll a list version back.")
    reason = (reason or "").strip()
    if not reason:
        raise ListRollbackError("give the reason for the rollback (it is kept with the version); nothing changed")
    with transaction.atomic():
        version = ListVersion.objects.filter(pk=version_id).first()
        if version is None:
            raise ListRollbackError(f"there is no list version #{version_id}; nothing changed")
        sanctions_list = SanctionsList.objects.select_for_update().get(pk=version.sanctions_list_id)
        if sanctions_list.current_version_id != version.pk:
            raise ListRollbackError(
                f"version #{version.pk} of {sanctions_list.code} is not the version in force "
                f"(#{sanctions_list.current_version_id}); only the version in force can be rolled back, "
                "newest first. Nothing changed"
            )
        previous = (
            ListVersion.objects.filter(sanctions_list=sanctions_list, rolled_back_at__isnull=True, pk__lt=version.pk)
            .order_by("-pk")
            .first()
        )
        added, removed = version.diff.get("added", []), version.diff.get("removed", [])
        entries = ListEntry.objects.filter(sanctions_list=sanctions_list)
        for start in range(0, len(added), _BATCH):
            entries.filter(external_id__in=added[start : start + _BATCH]).update(active=False)
        for start in range(0, len(removed), _BATCH):
            entries.filter(external_id__in=removed[start : start + _BATCH]).update(active=True)
        entries.filter(active=True).update(last_version=previous)
        version.rolled_back_at = timezone.now()
        version.rolled_back_by = user
        version.rollback_reason = reason
        version.save(update_fields=["rolled_back_at", "rolled_back_by", "rollback_reason"])
        sanctions_list.current_version = previous
        sanctions_list._history_user = user
        sanctions_list._change_reason = f"Rolled back version #{version.pk}: {reason}"[:100]
        sanctions_list.save(update_fields=["current_version"])
        _announce_changed_confirmed_hits(sanctions_list, removed=added, changed=[])

        from riskreg.screening.tasks import screening_run_all

        screening_run_all.delay_on_commit(list_version_id=previous.pk if previous else None)
    logger.info("rolled back %s version %s (%s): %s", sanctions_list.code, version.pk, user, reason)
    return version
