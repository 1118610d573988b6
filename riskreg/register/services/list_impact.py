"""The impact of a sanctions list version: "this list version adds entity X" (issue 14, part 2).

For the entries a version adds (and removes), the catalog organisations they match (the screening engine, the
same matching organisation screening runs after every import), the models whose supply chain reaches those
organisations, and what the register's derivation would change on them. For the version in force, what it would
still change: the rules run with the listings as they are and again with its matches legal has not confirmed
counted as if confirmed (dismissed ones left out); what is confirmed is applied already, so a version whose matches
are all reviewed changes nothing (no false alarm). For a version no longer in force, what it changed: the rules
run with the listings as the version before it left them and with its own. Requests, sign-offs and memos are
those the announcement of a confirmed hit reaches (``models_for_organisations``, as ``screening_hit_review`` and
the import announce), read by the same code as a guidance draft's impact. Nothing is written.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from models_catalog.selectors import models_for_organisations
from riskreg.register import rules
from riskreg.register.services.guidance import BATCH, ModelImpact, impact_compare, impact_consequences
from riskreg.screening.models import ListEntry, ListVersion, ScreeningHit
from riskreg.screening.selectors import organisations_matching_entries


@dataclass
class ListVersionImpact:
    version: dict
    entries_added: list[dict] = field(default_factory=list)  # added entries that match catalog organisations
    entries_removed: list[dict] = field(default_factory=list)  # removed entries that had hits
    models: list[ModelImpact] = field(default_factory=list)
    requests_reopening: list[dict] = field(default_factory=list)
    approvals_lapsing: list[dict] = field(default_factory=list)
    memos_out_of_date: list[dict] = field(default_factory=list)
    models_considered: int = 0

    @property
    def model_ids(self) -> list[int]:
        return [model.id for model in self.models]

    def as_dict(self) -> dict:
        return {**asdict(self), "model_ids": self.model_ids}


def _merged(base: dict[int, list[dict]], extra: dict[int, list[dict]]) -> dict[int, list[dict]]:
    """Listings by organisation: ``base``'s, then ``extra``'s."""
    return {org_id: base.get(org_id, []) + extra.get(org_id, []) for org_id in base.keys() | extra.keys()}


def _listing(entry: ListEntry, *, list_name: str, hit_id: int | None) -> dict:
    """A listing in the shape the rules read (``rules.models_facts``), as a confirmed hit on this entry gives."""
    return {
        "kind": "screening_hit",
        "hit_id": hit_id,
        "list": list_name,
        "entry": entry.primary_name,
        "citation": entry.citation,
        "listed_on": entry.listed_on.isoformat() if entry.listed_on else None,
    }


def _entry_json(entry: ListEntry) -> dict:
    return {
        "id": entry.pk,
        "external_id": entry.external_id,
        "name": entry.primary_name,
        "citation": entry.citation,
        "listed_on": entry.listed_on.isoformat() if entry.listed_on else None,
        "active": entry.active,
        "organisations": [],
    }


def list_version_impact(*, version_id: int, reader) -> ListVersionImpact:
    """What this version's added and removed entries change in the register (see the module docstring); of the
    requests, sign-offs and memos it reaches, only those ``reader`` may see (None for the register itself)."""
    version = ListVersion.objects.select_related("sanctions_list", "imported_by").get(pk=version_id)
    sanctions_list = version.sanctions_list
    added = set(version.diff.get("added", []))  # external ids
    removed = set(version.diff.get("removed", []))
    impact = ListVersionImpact(
        version={
            "id": version.pk,
            "list": sanctions_list.code,
            "list_name": sanctions_list.name,
            "source_name": version.source_name,
            "imported_at": version.imported_at.isoformat(),
            "entry_count": version.entry_count,
            "added": version.added_count,
            "removed": version.removed_count,
            "changed": version.changed_count,
            "in_force": sanctions_list.current_version_id == version.pk,
            "rolled_back": version.rolled_back_at is not None,
        }
    )
    # The hits on the entries this version added or removed: read through the list's hits (as many as the catalog
    # has matches), not the entries (a first import adds the whole list).
    hits = {
        (hit.entry_id, hit.organisation_id): hit
        for hit in ScreeningHit.objects.filter(entry__sanctions_list_id=sanctions_list.pk).select_related(
            "organisation", "entry"
        )
        if hit.entry.external_id in added or hit.entry.external_id in removed
    }
    removed_entries = {hit.entry_id: hit.entry for hit in hits.values() if hit.entry.external_id in removed}

    # Added entries: the organisations the engine matches, each counted as listed unless legal dismissed it.
    before_drop: set[int] = set()  # hits on added entries: not there before this version
    after_add: dict[int, list[dict]] = {}
    matches = organisations_matching_entries(list_version_id=version.pk, external_ids=added)
    for entry, pairs in sorted(matches.items(), key=lambda item: item[0].primary_name):
        entry_id = entry.pk
        row = _entry_json(entry)
        for organisation, match in pairs:
            hit = hits.get((entry_id, organisation.pk))
            status = hit.status if hit else None
            row["organisations"].append(
                {
                    "id": organisation.pk,
                    "name": organisation.display_name,
                    "score": match.score,
                    "matched_name": match.matched_name,
                    "our_name": match.query_name,
                    "hit": {"id": hit.pk, "status": hit.status, "status_label": hit.get_status_display()}
                    if hit
                    else None,
                }
            )
            if hit:
                before_drop.add(hit.pk)
            if status != ScreeningHit.Status.DISMISSED:
                after_add.setdefault(organisation.pk, []).append(
                    _listing(entry, list_name=sanctions_list.name, hit_id=hit.pk if hit else None)
                )
        impact.entries_added.append(row)

    # Removed entries: the hits on them; a confirmed one was a listing before this version.
    before_add: dict[int, list[dict]] = {}
    for (entry_id, _org_id), hit in sorted(hits.items(), key=lambda item: item[1].pk):
        if entry_id not in removed_entries or hit.status == ScreeningHit.Status.DISMISSED:
            continue
        entry = removed_entries[entry_id]
        row = next((r for r in impact.entries_removed if r["id"] == entry_id), None)
        if row is None:
            row = _entry_json(entry)
            impact.entries_removed.append(row)
        row["organisations"].append(
            {
                "id": hit.organisation_id,
                "name": hit.organisation.display_name,
                "score": hit.score,
                "matched_name": hit.matched_name,
                "our_name": hit.query_name,
                "hit": {"id": hit.pk, "status": hit.status, "status_label": hit.get_status_display()},
            }
        )
        if hit.status == ScreeningHit.Status.CONFIRMED:
            before_add.setdefault(hit.organisation_id, []).append(
                _listing(entry, list_name=sanctions_list.name, hit_id=hit.pk)
            )

    confirmed = {hit.pk for hit in hits.values() if hit.status == ScreeningHit.Status.CONFIRMED}
    # The kind of list each listing is on (a blocking list, the Entity List), for the rules' consequences.
    kinds = {
        f"hit:{hit.pk}": rules.list_kind(
            list_code=sanctions_list.code, names=[sanctions_list.name, *hit.entry.programs[:1]]
        )
        for hit in hits.values()
    }
    reached = set(after_add) | set(before_add)
    # The version in force was applied at import and as legal confirmed its hits: what it would still change is its
    # matches legal has not confirmed, counted as if confirmed. A version no longer in force shows what it changed
    # against the one before it: its entries' hits taken out of today's listings, then put back as they were.
    in_force = impact.version["in_force"]
    pending_add = {
        org_id: pending
        for org_id, items in after_add.items()
        if (pending := [item for item in items if item["hit_id"] not in confirmed])
    }
    touched = before_drop | {hit.pk for (entry_id, _org), hit in hits.items() if entry_id in removed_entries}
    candidates = list(models_for_organisations(organisation_ids=reached).order_by("name").values_list("pk", flat=True))
    impact.models_considered = len(candidates)
    guidance = rules.guidance_applying()
    for start in range(0, len(candidates), BATCH):
        batch = rules.models_facts(model_ids=candidates[start : start + BATCH], guidance=guidance)
        if not batch:
            continue
        current = batch[0].listings  # shared by the batch, keyed by organisation
        if in_force:
            before, after = current, _merged(current, pending_add)
        else:
            kept = {
                org_id: [item for item in items if item.get("hit_id") not in touched]
                for org_id, items in current.items()
            }
            before, after = _merged(kept, before_add), _merged(kept, after_add)
        for facts in batch:
            facts.listings = before
            facts.list_kinds = {**facts.list_kinds, **kinds}
            impact_compare(impact, facts, lambda facts, after=after: setattr(facts, "listings", after))
    # As on a confirmed hit: every model whose supply chain holds the organisation is announced; for the version
    # in force, only the organisations whose matches legal has still to confirm (the rest was announced already).
    announced = candidates
    if in_force:
        announced = list(models_for_organisations(organisation_ids=set(pending_add)).values_list("pk", flat=True))
    impact_consequences(impact, model_ids=announced, reader=reader)
    return impact
