"""Read-side rules of screening, shared with the catalog pages, the register and the memos."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from django.db.models import Max

from riskreg.screening.models import ListEntry, ListVersion, ScreeningHit


def list_hits_by_organisation(*, organisation_ids: Iterable[int], at: datetime | None = None) -> dict[int, list[dict]]:
    """Each organisation's list exposure: confirmed and potential hits (dismissed ones are left out,
    and so are hits on entries that have since left their list). With ``at``, as it stood then: the hits as they
    were reviewed at that moment, on entries of the list versions then in force (list_hits_as_of).

    Contract used by the catalog API and admin, the register's derived risks and the memo snapshot;
    every value is JSON-serialisable:
    {"organisation_id", "hit_id", "list_code", "list_name", "authority", "entry_id", "entry_name",
     "listed_on" (ISO date or None), "citation", "programs", "score", "status", "reviewed_by",
     "reviewed_at" (ISO datetime or None), "reason"}
    """
    ids = set(organisation_ids)
    if at is not None:
        return list_hits_as_of(organisation_ids=ids, at=at)
    exposure: dict[int, list[dict]] = {pk: [] for pk in ids}
    hits = (
        ScreeningHit.objects.filter(organisation_id__in=ids, entry__active=True)
        .exclude(status=ScreeningHit.Status.DISMISSED)
        .select_related("entry", "entry__sanctions_list", "reviewed_by")
        .order_by("organisation_id", "status", "-score")
    )
    for hit in hits:
        entry = hit.entry
        exposure[hit.organisation_id].append(
            {
                "organisation_id": hit.organisation_id,
                "hit_id": hit.pk,
                "list_code": entry.sanctions_list.code,
                "list_name": entry.sanctions_list.name,
                "authority": entry.sanctions_list.authority,
                "entry_id": entry.external_id,
                "entry_name": entry.primary_name,
                "listed_on": entry.listed_on.isoformat() if entry.listed_on else None,
                "citation": entry.citation,
                "programs": list(entry.programs),
                "score": hit.score,
                "status": hit.status,
                "reviewed_by": hit.reviewed_by.get_username() if hit.reviewed_by else None,
                "reviewed_at": hit.reviewed_at.isoformat() if hit.reviewed_at else None,
                "reason": hit.review_reason,
            }
        )
    return exposure


def list_hits_as_of(*, organisation_ids: Iterable[int], at: datetime) -> dict[int, list[dict]]:
    """list_hits_by_organisation's rows as they stood at ``at`` (three queries): the hits as reviewed then (not
    dismissed), on entries of the list version then in force. Who reviewed a hit is not kept in its history."""
    ids = set(organisation_ids)
    exposure: dict[int, list[dict]] = {pk: [] for pk in ids}
    hits = [
        hit
        for hit in ScreeningHit.history.as_of(at).filter(organisation_id__in=ids)
        if hit.status != ScreeningHit.Status.DISMISSED
    ]
    in_force: dict[int, datetime] = dict(
        ListVersion.objects.filter(imported_at__lte=at)
        .values("sanctions_list")
        .annotate(latest=Max("imported_at"))
        .values_list("sanctions_list", "latest")
    )
    entries = ListEntry.objects.filter(pk__in={hit.entry_id for hit in hits}).select_related(
        "sanctions_list", "first_version", "last_version"
    )
    by_id = {}
    for entry in entries:
        version_at = in_force.get(entry.sanctions_list_id)
        first = entry.first_version.imported_at if entry.first_version_id else None
        last = entry.last_version.imported_at if entry.last_version_id else None
        if version_at is None or (first and first > version_at) or (last and last < version_at):
            continue  # not on the list in force that day
        by_id[entry.pk] = entry
    for hit in sorted(hits, key=lambda h: (h.status, -h.score)):
        entry = by_id.get(hit.entry_id)
        if entry is None:
            continue
        exposure[hit.organisation_id].append(
            {
                "organisation_id": hit.organisation_id,
                "hit_id": hit.pk,
                "list_code": entry.sanctions_list.code,
                "list_name": entry.sanctions_list.name,
                "authority": entry.sanctions_list.authority,
                "entry_id": entry.external_id,
                "entry_name": entry.primary_name,
                "listed_on": entry.listed_on.isoformat() if entry.listed_on else None,
                "citation": entry.citation,
                "programs": list(entry.programs),
                "score": hit.score,
                "status": hit.status,
                "reviewed_by": None,
                "reviewed_at": hit.reviewed_at.astimezone(UTC).replace(microsecond=0).isoformat()
                if hit.reviewed_at
                else None,
                "reason": hit.review_reason,
            }
        )
    return exposure


def organisations_matching_entries(
    *, list_version_id: int, external_ids: Iterable[str]
) -> dict[ListEntry, list[tuple]]:
    """The catalog organisations that the entries of a list with these external ids match, by the engine
    organisation screening uses (every name and identifier of every organisation against the list's index),
    without writing a hit.

    Returns {entry: [(organisation, Match), ...]}, best score first. The index is the one of the list's version in
    force (entries active now); entries no longer on the list match nothing. Only the entries matched are read,
    however many ids are asked about (a first import adds every entry of the list). Queries: the organisations, the
    matched entries, and the index when this process has not built or loaded it yet.
    """
    from models_catalog.models import Organisation
    from riskreg.screening.matching import index_for_version

    wanted = set(external_ids)
    if not wanted:
        return {}
    version = ListVersion.objects.select_related("sanctions_list").defer("diff").get(pk=list_version_id)
    index = index_for_version(version.sanctions_list.current_version_id or version.pk)
    by_entry: dict[int, list[tuple]] = {}
    for organisation in Organisation.objects.order_by("name"):
        identifiers = {scheme: value for scheme, value in (organisation.identifiers or {}).items() if value}
        for match in index.screen(names=organisation.all_names(), identifiers=identifiers):
            by_entry.setdefault(match.entry_id, []).append((organisation, match))
    found: dict[ListEntry, list[tuple]] = {}
    for entry in ListEntry.objects.filter(pk__in=list(by_entry), sanctions_list_id=version.sanctions_list_id):
        if entry.external_id in wanted:
            found[entry] = sorted(by_entry[entry.pk], key=lambda pair: (-pair[1].score, pair[0].name))
    return found


def list_entries(*, list_code: str, external_ids: Iterable[str]) -> list[ListEntry]:
    """The entries of one list with these external ids (active or not), in one query: what a watched list
    file's change is about (riskreg.watch.sources.lists shows their names, aliases, remarks and programs)."""
    return list(ListEntry.objects.filter(sanctions_list__code=list_code, external_id__in=list(external_ids)))
