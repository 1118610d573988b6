"""Write-side rules of screening. The importer entry point is a contract used by watch sources."""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import BinaryIO

from django.conf import settings
from django.db import reset_queries, transaction
from django.utils import timezone

from models_catalog.models import Organisation
from riskreg.core.errors import PERMISSION, BadInput, Refused
from riskreg.core.events import ChangeKind, material_change_announce
from riskreg.screening.errors import ListImportError
from riskreg.screening.importers import FORMAT_LABELS, PARSERS, ParsedEntry, sniff
from riskreg.screening.importers.base import Source, head, open_source
from riskreg.screening.importers.ofac import iter_sdn
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
#: Entries compared and written at a time by an import (one query to compare, one bulk insert), and bytes read
#: at a time when hashing a file: what an import holds in memory besides the diff's external ids.
_WRITE_CHUNK = 2000
_READ_BYTES = 1024 * 1024


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
    """`data` is the head of the file (its first few KB) when the format is detected."""
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


@dataclass
class _Scan:
    """What one pass over the files says before parsing: the SHA-256, whether the file holds anything but
    whitespace, and whether a NUL (a raw byte, or \\u0000 in JSON) may be in it."""

    sha256: str
    empty: bool
    nul: bool


def _scan(streams: Sequence[BinaryIO | None]) -> _Scan:
    """One pass in chunks. The SHA-256 is of sdn.csv alone, or of the SHA-256s of sdn.csv, alt.csv and add.csv."""
    digests, empty, nul = [], True, False
    for index, stream in enumerate(streams):
        digest = hashlib.sha256()
        if stream is not None:
            stream.seek(0)
            tail = b""
            while chunk := stream.read(_READ_BYTES):
                digest.update(chunk)
                if index == 0 and empty and chunk.strip(b"\x1a\r\n\t "):
                    empty = False
                window = tail + chunk[:8] if tail else b""
                nul = nul or b"\x00" in chunk or b"\\u0000" in chunk or b"\\u0000" in window
                tail = chunk[-6:]
            stream.seek(0)
        digests.append(digest)
    if streams[1] is None and streams[2] is None:
        return _Scan(sha256=digests[0].hexdigest(), empty=empty, nul=nul)
    combined = hashlib.sha256()
    for digest in digests:
        combined.update(digest.digest())
    return _Scan(sha256=combined.hexdigest(), empty=empty, nul=nul)


def _open(part: Source | None, stack: ExitStack) -> BinaryIO | None:
    if part is None:
        return None
    stream = open_source(part)
    if stream is not part:
        stack.callback(stream.close)
    return stream


def _size(stream: BinaryIO) -> int:
    size = stream.seek(0, os.SEEK_END)
    stream.seek(0)
    return size


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


_UPDATE_FIELDS = [*_entry_fields(ParsedEntry(external_id="", primary_name="")), "active", "last_version"]


def _entry_number(external_id: str) -> int | None:
    return int(external_id) if external_id.isdecimal() else None


def _newest_in_force(sanctions_list: SanctionsList) -> int | None:
    """The highest numeric external id among the entries in force, read in chunks."""
    newest = None
    ids = ListEntry.objects.filter(sanctions_list=sanctions_list, active=True).values_list("external_id", flat=True)
    for external_id in ids.iterator(chunk_size=_WRITE_CHUNK):
        number = _entry_number(external_id)
        if number is not None and (newest is None or number > newest):
            newest = number
    return newest


def _older_than_in_force(
    *,
    current: ListVersion,
    version: ListVersion,
    sha256: str,
    fmt: str,
    newest_file: int | None,
    newest_in_force: int | None,
) -> str:
    """Why the file looks older than the version in force, or ''. Two signs: it is the very file of an
    earlier version of this list; or, for OFAC's sdn.csv, whose entry numbers only grow, its newest entry
    number is below the newest in force."""
    earlier = (
        ListVersion.objects.filter(sanctions_list_id=current.sanctions_list_id, sha256=sha256)
        .exclude(pk__in=[current.pk, version.pk])  # `version`: the one being written
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


def _refuse_nul_characters(parsed: Iterable[ParsedEntry]) -> Iterator[ParsedEntry]:
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
        yield entry


@dataclass
class _Tally:
    """What the streamed import has written so far: the entry count, the diff's external ids, the newest number."""

    entries: int = 0
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    newest: int | None = None


def _write_chunk(
    chunk: list[ParsedEntry],
    *,
    sanctions_list: SanctionsList,
    version: ListVersion,
    tally: _Tally,
    first_at: Callable[[str], str],
) -> None:
    """Compare a chunk of the file with the stored entries of the same ids (one query) and write it: new entries
    inserted, changed or returning ones updated, unchanged ones only marked as seen in this version. An id
    already seen in this version appears twice in the file, which refuses the file."""
    stored = {
        external_id: (pk, content_hash, active, last_version_id)
        for external_id, pk, content_hash, active, last_version_id in ListEntry.objects.filter(
            sanctions_list=sanctions_list, external_id__in=[entry.external_id for entry in chunk]
        ).values_list("external_id", "pk", "content_hash", "active", "last_version_id")
    }
    in_chunk: dict[str, str] = {}
    new_rows, updated_rows, seen_pks = [], [], []
    for entry in chunk:
        external_id = entry.external_id
        row = stored.get(external_id)
        if external_id in in_chunk or (row is not None and row[3] == version.pk):
            first = in_chunk.get(external_id) or first_at(external_id)
            raise ListImportError(f"{external_id} appears twice (first at {first})", location=entry.location)
        in_chunk[external_id] = entry.location
        tally.entries += 1
        number = _entry_number(external_id)
        if number is not None and (tally.newest is None or number > tally.newest):
            tally.newest = number
        fields = _entry_fields(entry)
        if row is None:
            tally.added.append(external_id)
            new_rows.append(
                ListEntry(
                    sanctions_list=sanctions_list,
                    external_id=external_id,
                    first_version=version,
                    last_version=version,
                    **fields,
                )
            )
        elif not row[2] or row[1] != fields["content_hash"]:  # back on the list after leaving it, or changed
            (tally.changed if row[2] else tally.added).append(external_id)
            updated = ListEntry(pk=row[0], **fields)
            updated.active = True
            updated.last_version = version
            updated_rows.append(updated)
        else:
            seen_pks.append(row[0])
    ListEntry.objects.bulk_create(new_rows)
    if updated_rows:
        ListEntry.objects.bulk_update(updated_rows, _UPDATE_FIELDS)
    if seen_pks:
        ListEntry.objects.filter(pk__in=seen_pks).update(last_version=version)


def _batches(entries: Iterable[ParsedEntry], size: int) -> Iterator[list[ParsedEntry]]:
    chunk: list[ParsedEntry] = []
    for entry in entries:
        chunk.append(entry)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _parse(fmt: str, main: BinaryIO, alt: BinaryIO | None, add: BinaryIO | None) -> Iterable[ParsedEntry]:
    if fmt == "ofac-sdn-csv":
        return iter_sdn(main, alt=alt, add=add)
    return PARSERS[fmt](main)


def sanctions_list_import(
    *,
    list_code: str,
    data: Source,
    source_name: str,
    fmt: str | None = None,
    user=None,
    alt_data: Source | None = None,
    add_data: Source | None = None,
    allow_shrink: bool = False,
    allow_older: bool = False,
    progress: Callable[..., None] | None = None,
) -> ListImportResult:
    """Parse `data` in the list's format and make it the version in force, or raise ListImportError
    and leave the previous version untouched.

    `data` (and `alt_data`/`add_data`, OFAC's alt.csv and add.csv for an sdn.csv) is the file's bytes, a
    path to it or a binary file open for reading; a file over RISKREG_IMPORT_MAX_BYTES is refused. The file
    is streamed: parsed one entry at a time and written in chunks of _WRITE_CHUNK entries inside one
    transaction, so a file refused half-way (broken, truncated, an id twice) writes nothing, and memory does
    not grow with the file (only the diff's external ids are kept). The diff against the version in force is
    by external id, chunk by chunk against the stored entries' content hashes; the entries in force that the
    file did not mention are the removed ones (found in SQL). Re-importing the file in force writes nothing.
    A file with fewer than half the entries in force is refused as probably truncated unless `allow_shrink`,
    and a file older than the version in force (see `_older_than_in_force`) is refused unless `allow_older`.
    After commit, every organisation is screened against the new version (a Celery task).
    `progress(stage)` is told what the import is doing (an import job shows it); the entry count is known when
    the file has been read, and the job records it with the version.
    """
    report = progress or (lambda stage, **counts: None)
    with ExitStack() as stack:
        streams = [_open(part, stack) for part in (data, alt_data, add_data)]
        _size_check(streams)

        def first_at(fmt: str, external_id: str) -> str:
            """Where an id first appears in the file, read again from the start (only when refusing it)."""
            with ExitStack() as again:
                fresh = [_open(part, again) for part in (data, alt_data, add_data)]
                for entry in _parse(fmt, *fresh):
                    if entry.external_id == external_id:
                        return entry.location
            return "an earlier record"

        return _import(
            list_code=list_code,
            streams=streams,
            first_at=first_at,
            source_name=source_name,
            fmt=fmt,
            user=user,
            allow_shrink=allow_shrink,
            allow_older=allow_older,
            report=report,
        )


def _size_check(streams: list[BinaryIO | None]) -> None:
    """Refuse a file (or OFAC's alt.csv, add.csv) over RISKREG_IMPORT_MAX_BYTES before reading it."""
    max_bytes = settings.RISKREG_IMPORT_MAX_BYTES
    for name, stream in zip(("file", "alt.csv", "add.csv"), streams, strict=True):
        if stream is not None and (size := _size(stream)) > max_bytes:
            raise ListImportError(
                f"the {name} is {size:,} bytes, over the limit of {max_bytes:,} (RISKREG_IMPORT_MAX_BYTES)"
            )


def _import(
    *,
    list_code: str,
    streams: list[BinaryIO | None],
    first_at: Callable[[str, str], str],
    source_name: str,
    fmt: str | None,
    user,
    allow_shrink: bool,
    allow_older: bool,
    report: Callable[..., None],
) -> ListImportResult:
    main, alt, add = streams
    sanctions_list = sanctions_list_ensure(list_code=list_code)
    report("reading and checking the file")
    scan = _scan(streams)
    sha256 = scan.sha256
    current = sanctions_list.current_version
    if current is not None and current.sha256 == sha256:
        return ListImportResult(version=current, unchanged=True)

    fmt = _resolve_format(sanctions_list, head(main), fmt)
    if (alt is not None or add is not None) and fmt != "ofac-sdn-csv":
        raise ListImportError("alt.csv and add.csv go with an OFAC sdn.csv only")
    if scan.empty:
        raise ListImportError("the file is empty", location="line 1")

    # Reported before the transaction: inside it, a job's progress would only be seen once it commits.
    report("reading, comparing and writing the entries in one transaction (all or nothing)")
    with transaction.atomic():
        sanctions_list = SanctionsList.objects.select_for_update().get(pk=sanctions_list.pk)
        current = sanctions_list.current_version
        if current is not None and current.sha256 == sha256:  # someone imported it meanwhile
            return ListImportResult(version=current, unchanged=True)
        in_force = ListEntry.objects.filter(sanctions_list=sanctions_list, active=True)
        in_force_count = in_force.count()
        newest_in_force = _newest_in_force(sanctions_list) if fmt == "ofac-sdn-csv" and current else None
        version = ListVersion.objects.create(
            sanctions_list=sanctions_list,
            sha256=sha256,
            source_name=source_name[:1000],
            format=fmt,
            imported_by=user if getattr(user, "is_authenticated", False) else None,
        )
        entries = _parse(fmt, main, alt, add)
        if scan.nul:
            entries = _refuse_nul_characters(entries)
        tally = _entries_write(
            entries, sanctions_list=sanctions_list, version=version, first_at=lambda eid: first_at(fmt, eid)
        )
        gone = in_force.exclude(last_version=version)
        removed = sorted(gone.values_list("external_id", flat=True).iterator(chunk_size=_WRITE_CHUNK))
        if not allow_shrink:
            _shrink_check(entries=tally.entries, in_force_count=in_force_count)
        if current is not None and not allow_older:
            _older_check(
                current=current,
                version=version,
                sha256=sha256,
                fmt=fmt,
                newest_file=tally.newest,
                newest_in_force=newest_in_force,
            )
        gone.update(active=False)
        added, changed = sorted(tally.added), sorted(tally.changed)
        _version_put_in_force(version, sanctions_list=sanctions_list, fmt=fmt, tally=tally, removed=removed)
        _announce_changed_confirmed_hits(sanctions_list, removed=removed, changed=changed)

        from riskreg.screening.tasks import screening_run_all

        screening_run_all.delay_on_commit(list_version_id=version.pk)
    logger.info(
        "imported %s from %s: %d entries, +%d -%d ~%d",
        list_code,
        source_name,
        tally.entries,
        len(added),
        len(removed),
        len(changed),
    )
    return ListImportResult(version=version, unchanged=False, added=added, removed=removed, changed=changed)


def _entries_write(entries, *, sanctions_list: SanctionsList, version: ListVersion, first_at) -> _Tally:
    """Compare and write the parsed entries chunk by chunk; the tally keeps the counts and the diff's ids."""
    tally = _Tally()
    for chunk in _batches(entries, _WRITE_CHUNK):
        _write_chunk(chunk, sanctions_list=sanctions_list, version=version, tally=tally, first_at=first_at)
        if settings.DEBUG:  # Django keeps the last 9,000 queries with DEBUG on: bulk inserts of a big file
            reset_queries()  # would hold hundreds of MB of SQL text
    return tally


def _shrink_check(*, entries: int, in_force_count: int) -> None:
    """Refuse a file with fewer than half the entries in force: it looks truncated."""
    if in_force_count and entries < SHRINK_LIMIT * in_force_count:
        raise ListImportError(
            f"the file has {entries} entries where the version in force has {in_force_count}; "
            "a list does not usually lose more than half its entries at once, so the file looks truncated. "
            "The version in force was kept (import with --allow-shrink if this is real)"
        )


def _older_check(**facts) -> None:
    """Refuse a file older than the version in force (see `_older_than_in_force`): it would roll the list back."""
    older = _older_than_in_force(**facts)
    if older:
        raise ListImportError(
            f"{older}. Importing it would roll the list back. The version in force was kept "
            "(import with --allow-older, or tick 'an older file', if going back is intended)"
        )


def _version_put_in_force(
    version: ListVersion, *, sanctions_list: SanctionsList, fmt: str, tally: _Tally, removed: list[str]
) -> None:
    """Record the version's counts and diff, and make it the list's version in force."""
    added, changed = sorted(tally.added), sorted(tally.changed)
    version.entry_count = tally.entries
    version.added_count, version.removed_count, version.changed_count = len(added), len(removed), len(changed)
    version.diff = {"added": added, "removed": removed, "changed": changed}
    version.save(update_fields=["entry_count", "added_count", "removed_count", "changed_count", "diff"])
    sanctions_list.current_version = version
    sanctions_list.format = fmt
    sanctions_list.save(update_fields=["current_version", "format"])


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
SCREEN_MAX_IDENTIFIERS = 100  # an organisation has a handful (LEI, registration, tax ...); 200,000 were accepted


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


class ReviewError(Refused):
    """A review decision was refused (not legal, or no such hit); the message says why. A decision or reason
    that cannot be taken is `BadInput`."""


def screening_hit_review(*, hit_id: int, user, decision: str, reason: str) -> ScreeningHit:
    """Confirm or dismiss a hit with a reason. Only holders of screening.review_screeninghit (legal).

    A confirmed hit is a material change: every model whose chain contains the organisation is
    announced, so approvals that relied on the old facts are reopened.
    """
    if decision not in (ScreeningHit.Status.CONFIRMED, ScreeningHit.Status.DISMISSED):
        raise BadInput({"decision": [f"decision must be confirmed or dismissed, not {decision!r}"]})
    if not (user and user.is_authenticated and user.has_perm("screening.review_screeninghit")):
        raise ReviewError("only legal reviewers may confirm or dismiss screening hits", code=PERMISSION)
    reason = (reason or "").strip()
    if not reason:
        raise BadInput({"reason": ["give the reason for the decision (it is kept in the history)"]})
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


class ListRollbackError(Refused):
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
    if not user.has_perm("screening.add_listversion"):
        raise Refused("Only legal (who import list files) may roll a list version back.", code=PERMISSION)
    reason = (reason or "").strip()
    if not reason:
        raise BadInput({"reason": ["give the reason for the rollback (it is kept with the version); nothing changed"]})
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
