"""Read side of the workspace pages: the model band, the dossier, the home page's work counts and portfolio.

Everything is read through the other apps' selectors and the memo snapshot builder (the same facts, levels and
wording a memo prints), in a fixed number of queries whatever the size of the catalog.

Point in time (`as_of`, a date): the register as it stood at the end of that day (UTC), rebuilt from
django-simple-history's records of the catalog, the sanctions notes, the screening hits, the risk items, the
adoption requests and their sign-offs, and from the list versions then in force. What history cannot give back
is listed in docs/workspace.md ("What cannot be reconstructed").
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db.models import CharField, Count, F, Func, Max, OuterRef, Q, Subquery, Value
from django.db.models.fields.json import KeyTextTransform
from django.urls import reverse
from django.utils import timezone

from models_catalog.models import (
    Accelerator,
    AIModel,
    EvidenceSource,
    Jurisdiction,
    ModelGuidanceStatus,
    Organisation,
    OrganisationRole,
    ProvenanceClaim,
    RegulatoryGuidance,
    SanctionsNote,
)
from reports.services.snapshot import (
    CLAIM_ORDER,
    CURRENT_REQUEST_STATES,
    RESTRICTIVE_LIST_STATUSES,
    _approval,
    _highest_request_risk,
    _iso,
    _name_regulations,
    _organisation,
    _risk,
    _SourceIndex,
    request_summary,
)
from riskreg.register.models import AdoptionRequest, RequestEvent, RiskItem, RiskMatrix, SignOff, sees_every_request
from riskreg.register.selectors import (
    adoption_requests_waiting_for,
    approvals_to_review,
    risk_level,
)
from riskreg.screening.models import ListEntry, ListVersion, ScreeningHit
from riskreg.screening.selectors import list_hits_by_organisation
from riskreg.watch.models import Alert, WatchSource

REQUEST_STATES = {value: str(label) for value, label in AdoptionRequest.State.choices}
GUIDANCE_STATUSES = {value: str(label) for value, label in ModelGuidanceStatus.Status.choices}
CONFIDENCES = {value: str(label) for value, label in ProvenanceClaim.Confidence.choices}
SUBJECTS = {value: str(label) for value, label in ProvenanceClaim.Subject.choices}
IN_FLIGHT_STATES = (AdoptionRequest.State.DRAFT, AdoptionRequest.State.IN_REVIEW, AdoptionRequest.State.REOPENED)
ROLE_PHRASES = {
    OrganisationRole.CHIP_VENDOR: "vendor of the training hardware",
    OrganisationRole.COMPUTE_PROVIDER: "compute provider",
    OrganisationRole.HOST: "host / API provider",
}


def end_of_day(day: date) -> datetime:
    """The last moment of `day` in UTC: 'as of 16 Jan 2025' includes everything recorded that day."""
    return datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=UTC) - dt.timedelta(microseconds=1)


def _related(obj, name: str):
    """A related object fetched with select_related, also on an instance rebuilt from history (simple-history
    keeps the historical record, which carries the join, as `_history`)."""
    record = getattr(obj, "_history", None)
    return getattr(record if record is not None else obj, name)


def _rows(model_class, at: datetime | None):
    """Live rows, or the rows as they stood at `at` (instances rebuilt from the history table)."""
    return model_class.objects.all() if at is None else model_class.history.as_of(at)


# --- list exposure ---------------------------------------------------------------------------------


def exposure_as_of(*, organisation_ids, at: datetime | None) -> dict[int, list[dict]]:
    """screening's list_hits_by_organisation, live or at a past moment. In the past: the hits as they were reviewed
    then (not dismissed), on entries of the list version then in force (three queries)."""
    ids = set(organisation_ids)
    if at is None:
        return list_hits_by_organisation(organisation_ids=ids)
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
                "listed_on": _iso(entry.listed_on),
                "citation": entry.citation,
                "programs": list(entry.programs),
                "score": hit.score,
                "status": hit.status,
                "reviewed_by": None,
                "reviewed_at": _iso(hit.reviewed_at),
                "reason": hit.review_reason,
            }
        )
    return exposure


# --- supply chains, for one model or every model --------------------------------------------------


@dataclass
class _Chains:
    """Organisations, accelerators and claims (live or at a moment) and each model's chain built from them."""

    organisations: dict[int, Organisation]
    subsidiaries: dict[int, list[Organisation]]
    accelerators: dict[int, Accelerator]
    claims: dict[int, list[ProvenanceClaim]]

    @classmethod
    def load(cls, *, model_ids, at: datetime | None) -> _Chains:
        organisations = {org.pk: org for org in _rows(Organisation, at)}
        subsidiaries: dict[int, list[Organisation]] = defaultdict(list)
        for org in sorted(organisations.values(), key=lambda o: o.name):
            if org.parent_id:
                subsidiaries[org.parent_id].append(org)
        claims: dict[int, list[ProvenanceClaim]] = defaultdict(list)
        query = _rows(ProvenanceClaim, at).filter(model_id__in=model_ids).select_related("accelerator")
        for claim in query.order_by("pk"):
            claims[claim.model_id].append(claim)
        # The chip named by a claim is read as it is today (a product and its vendor do not change).
        accelerators: dict[int, Accelerator] = {
            c.accelerator_id: _related(c, "accelerator") for cs in claims.values() for c in cs if c.accelerator_id
        }
        return cls(organisations, subsidiaries, accelerators, claims)

    def chain(self, model: AIModel) -> list[dict]:
        """As models_catalog.selectors.supply_chain: [{"organisation", "role", "via"}], first reason wins."""
        links: list[dict] = []
        seen: set[int] = set()

        def add(org_id: int | None, role: str, via: str) -> None:
            org = self.organisations.get(org_id)
            if org is not None and org.pk not in seen:
                seen.add(org.pk)
                links.append({"organisation": org, "role": role, "via": via})

        developer = self.organisations.get(model.developer_id)
        if developer is None:
            return links
        add(developer.pk, OrganisationRole.DEVELOPER, "developer")
        if developer.parent_id:
            add(developer.parent_id, OrganisationRole.AFFILIATE, f"parent of {developer.display_name}")
        for subsidiary in self.subsidiaries.get(developer.pk, []):
            add(subsidiary.pk, OrganisationRole.AFFILIATE, f"subsidiary of {developer.display_name}")
        for claim in self.claims.get(model.pk, []):
            accelerator = self.accelerators.get(claim.accelerator_id)
            confidence = CONFIDENCES.get(claim.confidence, claim.confidence).lower()
            if accelerator is not None:
                add(
                    accelerator.vendor_id,
                    OrganisationRole.CHIP_VENDOR,
                    f"vendor of {accelerator.product} ({confidence})",
                )
            if claim.organisation_id:
                role = (
                    OrganisationRole.HOST
                    if claim.subject == ProvenanceClaim.Subject.HOSTING
                    else OrganisationRole.COMPUTE_PROVIDER
                )
                add(claim.organisation_id, role, f"{SUBJECTS.get(claim.subject, claim.subject).lower()} ({confidence})")
        return links


def _chain_rows(links: list[dict], *, notes_by_org, exposure, sources: _SourceIndex | None) -> list[dict]:
    """The snapshot's supply_chain rows (same keys), from chain links, sanctions notes and list exposure."""
    rows = []
    for link in links:
        org = link["organisation"]
        entries = sorted(
            exposure.get(org.pk, []), key=lambda e: (e["status"], e["listed_on"] or "", e["list_code"], e["entry_id"])
        )
        notes = [
            {
                "authority": note.authority,
                "list_name": note.list_name,
                "citation": note.citation,
                "listed_on": _iso(note.listed_on),
                "notes": note.notes,
                "source": sources.cite(note.source) if sources and note.source_id else None,
            }
            for note in sorted(notes_by_org.get(org.pk, []), key=lambda n: (n.listed_on or date.min, n.pk))
        ]
        role = link["role"]
        rows.append(
            {
                "organisation": _organisation(org),
                "role": str(role),
                "role_label": str(OrganisationRole(role).label),
                "via": link["via"],
                "list_entries": entries,
                "sanctions_notes": notes,
                "listed": bool(notes) or any(e["status"] in RESTRICTIVE_LIST_STATUSES for e in entries),
            }
        )
    return rows


# --- the dossier snapshot: live (the memo's builder) or rebuilt from history -------------------------


def dossier_snapshot(*, model: AIModel, as_of: date | None = None) -> dict | None:
    """What the dossier shows of `model`, in the memo snapshot's shape (a model memo, no request), live or as it
    stood at the end of `as_of`; None when the model was not yet in the register on that date.

    One builder serves both, so "as of today" is the live page by construction; it reuses the memo snapshot's
    pieces (levels, drivers, source numbering, approval wording) and tests hold it to model_snapshot_build.
    Unlike the memo it leaves out watch alerts (the home page counts them), which keeps the page within its
    query budget: 13 queries live, 19 in the past, whatever the size of the catalog."""
    if as_of is None:
        return _dossier_build(model=model, at=None)
    return _dossier_build(model=model, at=end_of_day(as_of))


def _dossier_build(*, model: AIModel, at: datetime | None) -> dict | None:
    model_id = model.pk
    past = model if at is None else _rows(AIModel, at).filter(pk=model_id).first()
    if past is None:
        return None
    chains = _Chains.load(model_ids=[model_id], at=at)
    if past.developer_id not in chains.organisations:  # recorded before history began: read it as it is now
        chains.organisations[past.developer_id] = Organisation.objects.get(pk=past.developer_id)
    claims_then = chains.claims.get(model_id, [])
    source_ids = {c.source_id for c in claims_then}
    further: dict[int, list[int]] = defaultdict(list)
    if claims_then:
        if at is None:
            rows = ProvenanceClaim.other_sources.through.objects.filter(
                provenanceclaim_id__in=[c.pk for c in claims_then]
            )
        else:  # the many-to-many as recorded with each claim's history row (simple-history m2m_fields)
            m2m = apps.get_model("models_catalog", "HistoricalProvenanceClaim_other_sources")
            rows = m2m.objects.filter(history_id__in=[c._history.pk for c in claims_then])
        for row in rows.order_by("evidencesource_id").values("provenanceclaim_id", "evidencesource_id"):
            further[row["provenanceclaim_id"]].append(row["evidencesource_id"])
    source_ids |= _flat(further)
    notes_then = list(_rows(SanctionsNote, at).filter(organisation_id__in=chains.organisations))
    source_ids |= {n.source_id for n in notes_then if n.source_id}
    statuses = list(_rows(ModelGuidanceStatus, at).filter(model_id=model_id).select_related("jurisdiction"))
    jurisdictions = {s.jurisdiction_id: _related(s, "jurisdiction") for s in statuses}
    guidance_ids_by_status: dict[int, list[int]] = defaultdict(list)
    if statuses:
        if at is None:
            rows = ModelGuidanceStatus.guidance.through.objects.filter(
                modelguidancestatus_id__in=[s.pk for s in statuses]
            )
        else:  # the many-to-many as recorded with each status's history row
            m2m = apps.get_model("models_catalog", "HistoricalModelGuidanceStatus_guidance")
            rows = m2m.objects.filter(history_id__in=[s._history.pk for s in statuses])
        for row in rows.values("modelguidancestatus_id", "regulatoryguidance_id"):
            guidance_ids_by_status[row["modelguidancestatus_id"]].append(row["regulatoryguidance_id"])
    guidance = {g.pk: g for g in _rows(RegulatoryGuidance, at).filter(pk__in=_flat(guidance_ids_by_status))}
    source_ids |= {g.source_id for g in guidance.values() if g.source_id}
    sources_by_id = {s.pk: s for s in EvidenceSource.objects.filter(pk__in=source_ids)}

    sources = _SourceIndex()
    claims = []
    for claim in sorted(
        claims_then,
        key=lambda c: (CLAIM_ORDER.index(c.subject) if c.subject in CLAIM_ORDER else len(CLAIM_ORDER), c.pk),
    ):
        accelerator = chains.accelerators.get(claim.accelerator_id)
        vendor = chains.organisations.get(accelerator.vendor_id) if accelerator else None
        organisation = chains.organisations.get(claim.organisation_id)
        claims.append(
            {
                "id": claim.pk,
                "subject": claim.subject,
                "subject_label": str(claim.get_subject_display()),
                "statement": claim.statement,
                "value": claim.value,
                "accelerator": (
                    {
                        "product": accelerator.product,
                        "vendor": vendor.display_name if vendor else "",
                        "vendor_id": accelerator.vendor_id,
                    }
                    if accelerator
                    else None
                ),
                "organisation": organisation.display_name if organisation else None,
                "country": claim.country,
                "confidence": claim.confidence,
                "confidence_label": str(claim.get_confidence_display()),
                "as_of": _iso(claim.as_of),
                "notes": claim.notes,
                "citations": [
                    sources.cite(sources_by_id.get(pk))
                    for pk in [claim.source_id, *(pk for pk in further.get(claim.pk, []) if pk != claim.source_id)]
                ],
            }
        )
    links = chains.chain(past)
    notes_by_org: dict[int, list[SanctionsNote]] = defaultdict(list)
    for note in notes_then:
        note.source = sources_by_id.get(note.source_id)
        notes_by_org[note.organisation_id].append(note)
    exposure = exposure_as_of(organisation_ids=[link["organisation"].pk for link in links], at=at)
    chain = _chain_rows(links, notes_by_org=notes_by_org, exposure=exposure, sources=sources)

    regulatory = []
    for status in sorted(statuses, key=lambda s: jurisdictions[s.jurisdiction_id].code):
        jurisdiction = jurisdictions[status.jurisdiction_id]
        items = [guidance[pk] for pk in guidance_ids_by_status.get(status.pk, []) if pk in guidance]
        regulatory.append(
            {
                "jurisdiction": {"code": jurisdiction.code, "name": jurisdiction.name},
                "status": status.status,
                "status_label": str(status.get_status_display()),
                "rationale": status.rationale,
                "conditions": status.conditions,
                "reviewed_on": _iso(status.reviewed_on),
                "guidance": [
                    {
                        "id": item.pk,
                        "jurisdiction": jurisdiction.code,
                        "issuer": item.issuer,
                        "title": item.title,
                        "reference": item.reference,
                        "kind": item.kind,
                        "kind_label": str(item.get_kind_display()),
                        "status": item.status,
                        "status_label": str(item.get_status_display()),
                        "issued_on": _iso(item.issued_on),
                        "effective_from": _iso(item.effective_from),
                        "effective_to": _iso(item.effective_to),
                        "summary": item.summary,
                        "source": sources.cite(sources_by_id.get(item.source_id)),
                    }
                    for item in sorted(items, key=lambda g: (g.issued_on or date.min, g.pk))
                ],
            }
        )

    items_query = _rows(RiskItem, at).filter(model_id=model_id).select_related("matrix", "owner")
    items_then = [item for item in items_query.order_by("category", "pk") if item.status != RiskItem.Status.RETIRED]
    requests_query = _rows(AdoptionRequest, at).filter(model_id=model_id).select_related("requester")
    requests_then = list(requests_query.order_by("pk"))
    sign_offs_query = _rows(SignOff, at).filter(request_id__in=[r.pk for r in requests_then])
    sign_offs_then = list(sign_offs_query.select_related("signer"))
    users = {s.signer_id: _related(s, "signer") for s in sign_offs_then}
    for item in items_then:
        item.matrix = _related(item, "matrix")
        item.owner = _related(item, "owner")
    risk = _risk([i for i in items_then if i.request_id is None])
    requests = []
    for req in requests_then:
        req.requester = _related(req, "requester")
        requests.append(_request_then(req, [s for s in sign_offs_then if s.request_id == req.pk], users))
        accepted = [i for i in items_then if i.request_id == req.pk and i.status == RiskItem.Status.ACCEPTED]
        summary = _risk(accepted)
        requests[-1]["risk"] = {"overall": summary["overall"], "accepted_count": summary["accepted_count"]}
    risk["requests_highest"] = _highest_request_risk(requests)
    facts = {
        "id": past.pk,
        "name": past.name,
        "slug": past.slug,
        "family": past.family,
        "version": past.version,
        "developer": _organisation(chains.organisations[past.developer_id]),
        "developer_parent": None,
        "parameters_total": past.parameters_total,
        "parameters_active": past.parameters_active,
        "training_tokens": past.training_tokens,
        "architecture": past.architecture,
        "licence": past.licence,
        "weights": past.weights,
        "weights_label": str(past.get_weights_display()),
        "release_date": _iso(past.release_date),
        "description": past.description,
    }
    developer = chains.organisations[past.developer_id]
    if developer.parent_id and developer.parent_id in chains.organisations:
        facts["developer_parent"] = _organisation(chains.organisations[developer.parent_id])
    if at is None:  # today's view: each source's captured copy and whether it changed since cited (evidence)
        sources.add_captures(claims=claims)
    _name_regulations(risk["items"], risk_items=items_then, regulatory=regulatory)
    return {
        "kind": "model",
        "generated_at": _iso(at or timezone.now()),
        "as_of": _iso(at.date()) if at else None,
        "model": facts,
        "request": None,
        "requests": requests,
        "approval": _approval(kind="model", requests=requests, request_id=None),
        "claims": claims,
        "supply_chain": chain,
        "regulatory": regulatory,
        "risk": risk,
        "alerts": [],
        "sources": sources.sources,
    }


def _flat(mapping: dict[int, list[int]]) -> set[int]:
    return {value for values in mapping.values() for value in values}


def _users(ids) -> dict:
    from django.contrib.auth import get_user_model

    return {user.pk: user for user in get_user_model().objects.filter(pk__in={pk for pk in ids if pk})}


def _request_then(req: AdoptionRequest, sign_offs: list[SignOff], users: dict) -> dict:
    """The memo's request summary, for a request rebuilt from history (its sign-offs given apart)."""
    return request_summary(
        req,
        sign_offs=sorted(sign_offs, key=lambda s: (s.review_round, s.created_at)),
        signer=lambda sign_off: users.get(sign_off.signer_id),
    )


# --- the model band ---------------------------------------------------------------------------------


def _listing_label(authority: str, list_name: str) -> str:
    """'US Department of Commerce, BIS' + 'Entity List' -> 'BIS Entity List'."""
    short = (authority or "").rsplit(",", 1)[-1].strip()
    if short and len(short) <= 6 and short.lower() not in list_name.lower():
        return f"{short} {list_name}"
    return list_name


def exposure_groups(chain: list[dict]) -> list[dict]:
    """The chain's listings grouped by listing, each with who is on it in a phrase:
    [{"who": "Zhipu AI and 6 subsidiaries", "listing": "BIS Entity List", "citation": "90 FR 4617",
      "listed_on": "2025-01-16", "potential": False, "organisations": [...]}].
    Legal's sanctions note and a confirmed screening hit with the same citation are one listing."""
    groups: dict[str, dict] = {}
    for link in chain:
        if not link["listed"]:
            continue
        listings = [
            (
                n["citation"] or n["list_name"],
                _listing_label(n["authority"], n["list_name"]),
                n["citation"],
                n["listed_on"],
                False,
            )
            for n in link["sanctions_notes"]
        ]
        seen = {key for key, *_ in listings}
        for entry in link["list_entries"]:
            if entry["status"] not in RESTRICTIVE_LIST_STATUSES:
                continue
            key = entry["citation"] or f"{entry['list_name']} {entry['entry_id']}"
            if key in seen:
                continue
            seen.add(key)
            listings.append(
                (key, entry["list_name"], entry["citation"], entry["listed_on"], entry["status"] == "potential")
            )
        for key, label, citation, listed_on, potential in listings:
            group = groups.setdefault(
                key,
                {"listing": label, "citation": citation, "listed_on": listed_on, "potential": True, "links": []},
            )
            if listed_on and (not group["listed_on"] or listed_on < group["listed_on"]):
                group["listed_on"] = listed_on
            group["potential"] = group["potential"] and potential
            if all(existing["organisation"]["id"] != link["organisation"]["id"] for existing in group["links"]):
                group["links"].append(link)
    result = []
    for group in groups.values():
        links = group.pop("links")
        group["who"] = _who(links)
        group["developer"] = any(link["role"] == OrganisationRole.DEVELOPER for link in links)
        group["organisations"] = [link["organisation"]["display_name"] for link in links]
        result.append(group)
    # Confirmed before potential; the developer's group first (it is whom we would deal with), then by date.
    return sorted(result, key=lambda g: (g["potential"], not g["developer"], g["listed_on"] or "9999"))


def _who(links: list[dict]) -> str:
    developer = next((link for link in links if link["role"] == OrganisationRole.DEVELOPER), None)
    affiliates = [link for link in links if link["role"] == OrganisationRole.AFFILIATE]
    subsidiaries = [link for link in affiliates if link["via"].startswith("subsidiary")]
    parents = [link for link in affiliates if link not in subsidiaries]
    others = [link for link in links if link["role"] not in (OrganisationRole.DEVELOPER, OrganisationRole.AFFILIATE)]
    parts = []
    if developer:
        text = developer["organisation"]["display_name"]
        if subsidiaries:
            text += f" and {len(subsidiaries)} subsidiar{'y' if len(subsidiaries) == 1 else 'ies'}"
        parts.append(text)
    elif subsidiaries:
        parts.append(
            subsidiaries[0]["organisation"]["display_name"] + f", {subsidiaries[0]['via']}"
            if len(subsidiaries) == 1
            else f"{len(subsidiaries)} {subsidiaries[0]['via'].replace('subsidiary', 'subsidiaries', 1)}"
        )
    for link in parents:
        parts.append(f"{link['organisation']['display_name']}, {link['via']}")
    for link in others:
        phrase = ROLE_PHRASES.get(link["role"], link["via"])
        parts.append(f"{link['organisation']['display_name']}, {phrase}")
    return "; ".join(parts)


def band_from_snapshot(snapshot: dict, *, as_of: date | None = None, visible_request_ids=None) -> dict:
    """The model band from a dossier snapshot (so a page that has the snapshot pays no second time)."""
    risk = snapshot["risk"]
    level = None
    if risk.get("overall"):
        level = {**risk["overall"], "from_request": None}
    elif risk.get("requests_highest"):
        highest = risk["requests_highest"]
        if visible_request_ids is None or highest["request_id"] in visible_request_ids:
            level = {**highest, "from_request": highest["request_id"]}
    requests = [
        r
        for r in snapshot["requests"]
        if r["state"] in IN_FLIGHT_STATES and (visible_request_ids is None or r["id"] in visible_request_ids)
    ]
    return {
        "model": {"name": snapshot["model"]["name"], "slug": snapshot["model"]["slug"]},
        "as_of": as_of,
        "level": level,
        "exposure": exposure_groups(snapshot["supply_chain"]),
        "guidance": [
            {
                "code": row["jurisdiction"]["code"],
                "name": row["jurisdiction"]["name"],
                "status": row["status"],
                "status_label": row["status_label"],
            }
            for row in snapshot["regulatory"]
        ],
        "requests": requests,
    }


def model_band(*, model: AIModel, as_of: date | None = None, visible_request_ids=None) -> dict | None:
    """What a reader needs first about a model, for templates/workspace/includes/model_band.html: the residual
    level (the memo's overall level; the highest of the current requests when the model has no level of its
    own), the exposure flags grouped by listing, the guidance status per jurisdiction and the requests in
    flight. `visible_request_ids` (a set) hides requests the reader may not see. None when the model was not
    yet in the register on `as_of`."""
    snapshot = dossier_snapshot(model=model, as_of=as_of)
    if snapshot is None:
        return None
    return band_from_snapshot(snapshot, as_of=as_of, visible_request_ids=visible_request_ids)


# --- the home page ----------------------------------------------------------------------------------


WORK_LIST_LIMIT = 10


def _waiting_item(request: AdoptionRequest) -> dict:
    return {
        "id": request.pk,
        "model": request.model.name,
        "use_case": request.use_case,
        "when": request.submitted_at,
        "detail": f"by {request.requester.get_username()}",
    }


def reopened_requests(*, user, limit: int = WORK_LIST_LIMIT) -> list[dict]:
    """The reopened requests the user may see, the latest reopened first, each with the reason it was reopened
    (the alert's title or the change, as the register recorded it) and when: one query."""
    latest = RequestEvent.objects.filter(
        request=OuterRef("pk"), kind__in=[RequestEvent.Kind.REOPENED, RequestEvent.Kind.REVIEW_RESTARTED]
    ).order_by("-at", "-pk")
    rows = (
        AdoptionRequest.objects.visible_to(user)
        .filter(state=AdoptionRequest.State.REOPENED)
        .annotate(
            reopened_at=Subquery(latest.values("at")[:1]),
            reopened_reason=Subquery(
                latest.annotate(reason=KeyTextTransform("reason", "detail")).values("reason")[:1],
                output_field=CharField(),
            ),
        )
        .select_related("model")
        .only("pk", "use_case", "model__name")
        .order_by(F("reopened_at").desc(nulls_last=True), "-pk")[:limit]
    )
    return [
        {
            "id": r.pk,
            "model": r.model.name,
            "use_case": r.use_case,
            "when": r.reopened_at,
            "detail": r.reopened_reason or "A material change was recorded.",
        }
        for r in rows
    ]


def work_counts(*, user, today: date | None = None) -> list[dict]:
    """ "My work": each count with the filtered list it opens (the admin's changelists), only those the user
    may open. [{"key", "label", "count", "url", "hint"}]"""
    today = today or timezone.localdate()
    counts: list[dict] = []
    if user.has_perm("register.view_adoptionrequest"):
        changelist = reverse("admin:register_adoptionrequest_changelist")
        visible = AdoptionRequest.objects.visible_to(user)
        totals = visible.aggregate(
            reopened=Count("pk", filter=Q(state=AdoptionRequest.State.REOPENED)),
            expiring=Count(
                "pk",
                filter=Q(
                    state=AdoptionRequest.State.APPROVED,
                    expires_on__gte=today,
                    expires_on__lte=today + dt.timedelta(days=30),
                ),
            ),
            drafts=Count("pk", filter=Q(state=AdoptionRequest.State.DRAFT, requester=user)),
        )
        if sees_every_request(user):  # reviewers, auditors, administrators
            waiting = list(
                adoption_requests_waiting_for(user=user)
                .select_related("model", "requester")
                .order_by("submitted_at", "pk")
                .only(
                    "pk",
                    "use_case",
                    "state",
                    "required_roles",
                    "submitted_at",
                    "model__name",
                    "requester__username",
                )
            )
            counts.append(
                {
                    "key": "sign-offs",
                    "label": "Sign-offs waiting for me",
                    "count": len(waiting),
                    "url": f"{changelist}?queue=mine",
                    "hint": "Requests in review that need your role's decision.",
                    "items": [_waiting_item(r) for r in waiting[:WORK_LIST_LIMIT]],
                }
            )
        else:
            counts.append(
                {
                    "key": "drafts",
                    "label": "My draft requests",
                    "count": totals["drafts"],
                    "url": f"{changelist}?state__exact=draft",
                    "hint": "Not yet submitted for review.",
                }
            )
        counts.append(
            {
                "key": "reopened",
                "label": "Requests reopened",
                "count": totals["reopened"],
                "url": f"{changelist}?queue=reopened",
                "hint": "Approved, then reopened by a material change.",
                "items": reopened_requests(user=user) if totals["reopened"] else [],
            }
        )
        approved = list(
            visible.filter(state=AdoptionRequest.State.APPROVED)
            .select_related("model")
            .only("pk", "use_case", "state", "decided_at", "expires_on", "model_id", "model__name")
            .order_by("expires_on", "pk")
        )
        flags = approvals_to_review(requests=approved, today=today)
        to_review = sorted((r for r in approved if r.pk in flags), key=lambda r: (flags[r.pk]["review_before"], r.pk))
        counts.append(
            {
                "key": "review-before",
                "label": "Approvals to review before a new obligation",
                "count": len(to_review),
                "url": f"{changelist}?queue=review",
                "hint": "Their validity crosses a day on which a new obligation starts to apply to the model.",
                "items": [
                    {
                        "id": r.pk,
                        "model": r.model.name,
                        "use_case": r.use_case,
                        "label": flags[r.pk]["label"],
                        "overdue": flags[r.pk]["overdue"],
                        "detail": "; ".join(
                            f"{o['jurisdiction_name']}: {o['what']} ({o['citation']})"
                            for o in flags[r.pk]["obligations"]
                        ),
                    }
                    for r in to_review[:WORK_LIST_LIMIT]
                ],
            }
        )
        counts.append(
            {
                "key": "expiring",
                "label": "Approvals expiring in 30 days",
                "count": totals["expiring"],
                "url": f"{changelist}?queue=expiring",
                "hint": "Renew or let them lapse.",
            }
        )
    watch_counts = _watch_and_screening_counts(user)
    if "alerts" in watch_counts:
        counts.append(
            {
                "key": "alerts",
                "label": "Alerts for me",
                "count": watch_counts["alerts"],
                "url": f"{reverse('admin:watch_alert_changelist')}?status__exact=new&assignee__id__exact={user.pk}",
                "hint": "New changes in watched sources that name our models or suppliers.",
            }
        )
    if "hits" in watch_counts:
        counts.append(
            {
                "key": "hits",
                "label": "Screening hits to review",
                "count": watch_counts["hits"],
                "url": f"{reverse('admin:screening_screeninghit_changelist')}?status__exact=potential",
                "hint": "Potential list matches waiting for a person.",
            }
        )
    if "failing" in watch_counts:
        counts.append(
            {
                "key": "failing",
                "label": "Watch sources failing",
                "count": watch_counts["failing"],
                "url": f"{reverse('admin:watch_watchsource_changelist')}?health__exact=failing&enabled__exact=1",
                "hint": "Sources we are not hearing from.",
            }
        )
    order = ["sign-offs", "drafts", "reopened", "alerts", "hits", "failing", "expiring", "review-before"]
    return sorted(counts, key=lambda c: order.index(c["key"]))


def _watch_and_screening_counts(user) -> dict[str, int]:
    """The counts of the user's new alerts, potential hits and failing sources that the user may see, in one
    query (each a scalar subquery)."""
    wanted = {}
    if user.has_perm("watch.view_alert"):
        wanted["alerts"] = Alert.objects.filter(assignee=user, status=Alert.Status.NEW)
    if user.has_perm("screening.view_screeninghit"):
        wanted["hits"] = ScreeningHit.objects.filter(status=ScreeningHit.Status.POTENTIAL)
    if user.has_perm("watch.view_watchsource"):
        wanted["failing"] = WatchSource.objects.filter(enabled=True, health=WatchSource.Health.FAILING)
    if not wanted:
        return {}
    counts = {
        key: Subquery(queryset.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")[:1])
        for key, queryset in wanted.items()
    }
    row = get_user_model().objects.filter(pk=user.pk).values(**counts).first() or {}
    return {key: row.get(key) or 0 for key in wanted}


def portfolio(*, as_of: date | None = None, visible_request_ids=None) -> dict:
    """Every model with its residual level (the memo's rule), list exposure grouped by listing, guidance status
    per jurisdiction and its requests' states; live or at the end of `as_of`. A fixed number of queries
    whatever the number of models. {"rows": [...], "matrix": RiskMatrix | None}"""
    at = end_of_day(as_of) if as_of else None
    models = sorted(_rows(AIModel, at), key=lambda m: m.name.lower())
    ids = [m.pk for m in models]
    chains = _Chains.load(model_ids=ids, at=at)
    links_by_model = {m.pk: chains.chain(m) for m in models}
    org_ids = {link["organisation"].pk for links in links_by_model.values() for link in links}
    notes_by_org: dict[int, list[SanctionsNote]] = defaultdict(list)
    for note in _rows(SanctionsNote, at).filter(organisation_id__in=org_ids):
        notes_by_org[note.organisation_id].append(note)
    exposure = exposure_as_of(organisation_ids=org_ids, at=at)
    statuses: dict[int, list] = defaultdict(list)
    status_query = _rows(ModelGuidanceStatus, at).filter(model_id__in=ids)
    if at is None:
        status_query = status_query.select_related("jurisdiction")
        jurisdictions = {}
    else:
        jurisdictions = {j.pk: j for j in Jurisdiction.objects.all()}
    for status in status_query:
        statuses[status.model_id].append(status)
        if at is None:
            jurisdictions[status.jurisdiction_id] = status.jurisdiction
    matrices = {m.pk: m for m in RiskMatrix.objects.all()}
    items: dict[int, list[RiskItem]] = defaultdict(list)
    for item in _rows(RiskItem, at).filter(model_id__in=ids, status=RiskItem.Status.ACCEPTED).order_by("pk"):
        item.matrix = matrices[item.matrix_id]
        items[item.model_id].append(item)
    requests: dict[int, list[AdoptionRequest]] = defaultdict(list)
    for req in _rows(AdoptionRequest, at).filter(model_id__in=ids).order_by("pk"):
        requests[req.model_id].append(req)

    rows = []
    for model in models:
        own = _top_rating([i for i in items[model.pk] if i.request_id is None])
        request_rows = []
        for req in requests[model.pk]:
            if visible_request_ids is not None and req.pk not in visible_request_ids:
                continue
            request_rows.append(
                {
                    "id": req.pk,
                    "state": req.state,
                    "state_label": REQUEST_STATES.get(req.state, req.state),
                    "current": req.state in CURRENT_REQUEST_STATES,
                    "top": _top_rating([i for i in items[model.pk] if i.request_id == req.pk]),
                }
            )
        top, from_request = own, None
        if top is None:
            rated = [r for r in request_rows if r["current"] and r["top"]]
            if rated:
                best = max(rated, key=lambda r: (r["top"]["score"], -r["id"]))
                top, from_request = best["top"], best["id"]
        chain = _chain_rows(links_by_model[model.pk], notes_by_org=notes_by_org, exposure=exposure, sources=None)
        rows.append(
            {
                "name": model.name,
                "slug": model.slug,
                "developer": chains.organisations[model.developer_id].display_name
                if model.developer_id in chains.organisations
                else "",
                "level": top,
                "from_request": from_request,
                "likelihood": top["likelihood"] if top else None,
                "impact": top["impact"] if top else None,
                "exposure": exposure_groups(chain),
                "guidance": [
                    {
                        "code": jurisdictions[s.jurisdiction_id].code,
                        "name": jurisdictions[s.jurisdiction_id].name,
                        "status": s.status,
                        "status_label": GUIDANCE_STATUSES.get(s.status, s.status),
                    }
                    for s in sorted(statuses[model.pk], key=lambda s: jurisdictions[s.jurisdiction_id].code)
                ],
                "requests": request_rows,
            }
        )
    # The riskiest first: what needs a decision; unassessed models last, by name.
    rows.sort(key=lambda row: (-(row["level"] or {}).get("score", 0), not row["exposure"], row["name"].lower()))
    default = next((m for m in matrices.values() if m.is_default), None) or next(iter(matrices.values()), None)
    return {"rows": rows, "matrix": default}


def _top_rating(items: list[RiskItem]) -> dict | None:
    """The portfolio's rule (reports.services.snapshot.portfolio_snapshot_build): the highest band among accepted
    items, each rated residual where assessed, else inherent; with the likelihood and impact that place it on
    the heat map. {"name", "colour", "score", "likelihood", "impact"} or None."""
    best = None
    for item in items:
        likelihood = item.residual_likelihood or item.inherent_likelihood
        impact = item.residual_impact or item.inherent_impact
        level = risk_level(matrix=item.matrix, likelihood=likelihood, impact=impact)
        if level and (best is None or level["score"] > best["score"]):
            best = {**level, "likelihood": likelihood, "impact": impact}
    return best


def heatmap(*, rows: list[dict], matrix: RiskMatrix | None) -> dict | None:
    """The portfolio on the matrix: cells (x, y, colour) and each model's mark, placed by the residual likelihood
    x impact of the item that sets its level. Geometry in SVG units, computed here so the template only draws."""
    if matrix is None:
        return None
    size_l, size_i = len(matrix.likelihood_labels), len(matrix.impact_labels)
    cell_w, cell_h, left, top = 128, 74, 118, 10
    cells, marks = [], []
    placed: dict[tuple[int, int], int] = defaultdict(int)
    for lk in range(size_l, 0, -1):
        for im in range(1, size_i + 1):
            level = risk_level(matrix=matrix, likelihood=lk, impact=im) or {}
            cells.append(
                {
                    "x": left + (im - 1) * cell_w,
                    "y": top + (size_l - lk) * cell_h,
                    "colour": level.get("colour", "#777777"),
                    "name": level.get("name", ""),
                }
            )
    for row in rows:
        lk, im = row["likelihood"], row["impact"]
        if not lk or not im:
            continue
        slot = placed[(lk, im)]
        placed[(lk, im)] += 1
        x = left + (im - 1) * cell_w + 10
        y = top + (size_l - lk) * cell_h + 16 + slot * 17
        marks.append({**row, "x": x, "y": y, "overflow": slot >= 4})
    return {
        "width": left + size_i * cell_w + 10,
        "height": top + size_l * cell_h + 50,
        "cell_w": cell_w,
        "cell_h": cell_h,
        "cells": cells,
        "marks": [m for m in marks if not m["overflow"]],
        "hidden": [m for m in marks if m["overflow"]],
        "likelihood_axis": [
            {"label": label, "y": top + (size_l - n) * cell_h + cell_h / 2}
            for n, label in enumerate(matrix.likelihood_labels, start=1)
        ],
        "impact_axis": [
            {"label": label, "x": left + (n - 1) * cell_w + cell_w / 2}
            for n, label in enumerate(matrix.impact_labels, start=1)
        ],
        "axis_y": top + size_l * cell_h,
        "left": left,
        "top": top,
    }


# --- the dossier's supply-chain graph ---------------------------------------------------------------

NODE_COLOURS = {
    "model": ("#37474f", "#ffffff"),
    "listed": ("#b71c1c", "#ffffff"),
    "potential": ("#f9a825", "#1d1d1d"),
    "clear": ("#ffffff", "#1d1d1d"),
    "product": ("#eceff1", "#1d1d1d"),
}


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def supply_chain_graph(snapshot: dict) -> dict:
    """The supply chain as a left-to-right tree for an inline SVG: model -> developer -> its parent and
    subsidiaries; model -> training hardware -> its vendor; model -> compute provider / host. Each organisation
    node is coloured by its exposure (listed, potential match, clear). Geometry is computed here."""
    columns = (8, 248, 608)
    widths = (200, 310, 400)
    node_h, pitch, top = 42, 52, 34
    chain = {link["organisation"]["id"]: link for link in snapshot["supply_chain"]}
    by_name = {link["organisation"]["display_name"]: link for link in snapshot["supply_chain"]}
    nodes: list[dict] = []
    edges: list[dict] = []
    row = 0

    def exposure_of(link: dict | None) -> tuple[str, str]:
        if link is None:
            return "clear", "no list exposure recorded"
        groups = exposure_groups([link])
        if not groups:
            return "clear", "no list exposure"
        first = groups[0]
        kind = "potential" if first["potential"] else "listed"
        words = f"{first['listing']}{', ' + first['citation'] if first['citation'] else ''}"
        return kind, ("potential match: " if first["potential"] else "") + words

    def node(col: int, r: int, kind: str, title: str, sub: str) -> dict:
        fill, ink = NODE_COLOURS[kind]
        item = {
            "x": columns[col],
            "y": top + r * pitch,
            "w": widths[col],
            "h": node_h,
            "kind": kind,
            "fill": fill,
            "ink": ink,
            "title": _short(title, (24, 38, 50)[col]),
            "full_title": title,
            "sub": _short(sub, (30, 50, 64)[col]),
            "full_sub": sub,
        }
        nodes.append(item)
        return item

    def org_node(col: int, r: int, link: dict, role_words: str) -> dict:
        kind, words = exposure_of(link)
        org = link["organisation"]
        return node(col, r, kind, org["display_name"], f"{org['country']} · {role_words} · {words}")

    def edge(a: dict, b: dict) -> None:
        x1, y1 = a["x"] + a["w"], a["y"] + a["h"] / 2
        x2, y2 = b["x"], b["y"] + b["h"] / 2
        mid = (x1 + x2) / 2
        edges.append({"d": f"M{x1:.0f},{y1:.0f} C{mid:.0f},{y1:.0f} {mid:.0f},{y2:.0f} {x2:.0f},{y2:.0f}"})

    branches: list[tuple[dict, list[dict]]] = []
    developer_id = snapshot["model"]["developer"]["id"]
    developer = chain.get(developer_id)
    if developer:
        group = [link for link in snapshot["supply_chain"] if link["role"] == OrganisationRole.AFFILIATE]
        first = org_node(1, row, developer, "developer")
        children = []
        for i, link in enumerate(group):
            words = "parent" if link["via"].startswith("parent") else "subsidiary"
            children.append(org_node(2, row + i, link, words))
        branches.append((first, children))
        row += max(1, len(group))
    for claim in snapshot["claims"]:
        if claim["subject"] != "training_hardware" or not claim["accelerator"]:
            continue
        accelerator = claim["accelerator"]
        product = node(1, row, "product", accelerator["product"], f"training hardware · {claim['confidence_label']}")
        vendor_link = chain.get(accelerator["vendor_id"])
        children = [org_node(2, row, vendor_link, "chip vendor")] if vendor_link else []
        branches.append((product, children))
        row += 1
    for claim in snapshot["claims"]:
        link = by_name.get(claim["organisation"] or "")
        if link is None or link["role"] not in (OrganisationRole.COMPUTE_PROVIDER, OrganisationRole.HOST):
            continue
        branches.append((org_node(1, row, link, str(link["role_label"]).lower()), []))
        row += 1
    rows = max(row, 1)
    model = snapshot["model"]
    model_row = (rows - 1) / 2
    root = node(0, 0, "model", model["name"], f"{model['developer']['display_name']} · {model['licence']}")
    root["y"] = top + model_row * pitch
    for first, children in branches:
        edge(root, first)
        for child in children:
            edge(first, child)
    return {
        "width": columns[2] + widths[2] + 12,
        "height": top + rows * pitch + 4,
        "nodes": nodes,
        "edges": edges,
        "headings": [
            {"x": columns[0], "text": "Model"},
            {"x": columns[1], "text": "Developer, training hardware, compute"},
            {"x": columns[2], "text": "Group companies, chip vendors"},
        ],
        "listed": sum(1 for n in nodes if n["kind"] == "listed"),
    }


# --- the dossier's history --------------------------------------------------------------------------

HISTORY_VERBS = {"+": "added", "~": "changed", "-": "deleted"}


def model_history(*, model: AIModel, as_of: date | None = None, limit: int = 12) -> list[dict]:
    """The latest recorded changes to the model, its claims and its guidance statuses, newest first, in one
    query (a UNION of the three history tables): [{"at", "who", "what", "verb", "reason"}]."""
    at = end_of_day(as_of) if as_of else None
    columns = ("history_date", "history_type", "history_change_reason", "history_user_id", "kind", "a", "b")
    parts = [
        AIModel.history.filter(id=model.pk).annotate(kind=Value("model"), a=F("name"), b=F("version")),
        ProvenanceClaim.history.filter(model_id=model.pk).annotate(kind=Value("claim"), a=F("subject"), b=F("value")),
        ModelGuidanceStatus.history.filter(model_id=model.pk).annotate(
            kind=Value("guidance"), a=F("jurisdiction__name"), b=F("status")
        ),
    ]
    if at is not None:
        parts = [part.filter(history_date__lte=at) for part in parts]
    parts = [part.order_by().values_list(*columns) for part in parts]
    rows = list(parts[0].union(*parts[1:], all=True).order_by("-history_date")[:limit])
    users = _users({row[3] for row in rows})
    subjects = dict(ProvenanceClaim.Subject.choices)
    statuses = dict(ModelGuidanceStatus.Status.choices)
    entries = []
    for when, kind_code, reason, user_id, kind, a, b in rows:
        if kind == "model":
            what = "Model facts"
        elif kind == "claim":
            what = f"Claim on {str(subjects.get(a, a)).lower()}: {_short(b, 60)}"
        else:
            what = f"Guidance status in {a}: {statuses.get(b, b)}"
        user = users.get(user_id)
        entries.append(
            {
                "at": when,
                "who": (user.get_full_name() or user.get_username()) if user else "the system",
                "what": what,
                "verb": HISTORY_VERBS.get(kind_code, "changed"),
                "reason": reason or "",
            }
        )
    return entries
