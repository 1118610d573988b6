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
from django.db.models import Max
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
    _organisation,
    _risk,
    _SourceIndex,
    _user,
    model_snapshot_build,
)
from riskreg.register.models import AdoptionRequest, RiskItem, RiskMatrix, SignOff
from riskreg.screening.models import ListEntry, ListVersion, ScreeningHit
from riskreg.screening.selectors import organisation_exposure

IN_FLIGHT_STATES = (AdoptionRequest.State.DRAFT, AdoptionRequest.State.IN_REVIEW, AdoptionRequest.State.REOPENED)
ROLE_PHRASES = {
    OrganisationRole.CHIP_VENDOR: "vendor of the training hardware",
    OrganisationRole.COMPUTE_PROVIDER: "compute provider",
    OrganisationRole.HOST: "host / API provider",
}


def end_of_day(day: date) -> datetime:
    """The last moment of `day` in UTC: 'as of 16 Jan 2025' includes everything recorded that day."""
    return datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=UTC) - dt.timedelta(microseconds=1)


def _rows(model_class, at: datetime | None):
    """Live rows, or the rows as they stood at `at` (instances rebuilt from the history table)."""
    return model_class.objects.all() if at is None else model_class.history.as_of(at)


# --- list exposure ---------------------------------------------------------------------------------


def exposure_as_of(*, organisation_ids, at: datetime | None) -> dict[int, list[dict]]:
    """screening's organisation_exposure, live or at a past moment. In the past: the hits as they were reviewed
    then (not dismissed), on entries of the list version then in force (three queries)."""
    ids = set(organisation_ids)
    if at is None:
        return organisation_exposure(organisation_ids=ids)
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
        for claim in _rows(ProvenanceClaim, at).filter(model_id__in=model_ids).order_by("pk"):
            claims[claim.model_id].append(claim)
        accelerator_ids = {c.accelerator_id for cs in claims.values() for c in cs if c.accelerator_id}
        accelerators = {a.pk: a for a in _rows(Accelerator, at).filter(pk__in=accelerator_ids)}
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
            confidence = claim.get_confidence_display().lower()
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
                add(claim.organisation_id, role, f"{claim.get_subject_display().lower()} ({confidence})")
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
    """The memo snapshot of `model` (no request), live or as it stood at the end of `as_of`.
    None when the model was not yet in the register on that date."""
    if as_of is None:
        return model_snapshot_build(model_id=model.pk, request_id=None, memo={}, at=timezone.now())
    return _snapshot_as_of(model_id=model.pk, at=end_of_day(as_of))


def _snapshot_as_of(*, model_id: int, at: datetime) -> dict | None:
    past = _rows(AIModel, at).filter(pk=model_id).first()
    if past is None:
        return None
    chains = _Chains.load(model_ids=[model_id], at=at)
    claims_then = chains.claims.get(model_id, [])
    source_ids = {c.source_id for c in claims_then}
    further: dict[int, list[int]] = defaultdict(list)
    if claims_then:
        m2m = apps.get_model("models_catalog", "HistoricalProvenanceClaim_other_sources")
        rows = m2m.objects.filter(history_id__in=[c._history.pk for c in claims_then]).order_by("evidencesource_id")
        for row in rows.values("provenanceclaim_id", "evidencesource_id"):
            further[row["provenanceclaim_id"]].append(row["evidencesource_id"])
    source_ids |= _flat(further)
    notes_then = list(_rows(SanctionsNote, at).filter(organisation_id__in=chains.organisations))
    source_ids |= {n.source_id for n in notes_then if n.source_id}
    statuses = sorted(_rows(ModelGuidanceStatus, at).filter(model_id=model_id), key=lambda s: s.jurisdiction_id)
    guidance_ids_by_status: dict[int, list[int]] = defaultdict(list)
    if statuses:
        # The many-to-many as recorded with each status's history row (simple-history m2m_fields).
        history_ids = [s._history.pk for s in statuses]
        m2m = apps.get_model("models_catalog", "HistoricalModelGuidanceStatus_guidance")
        for row in m2m.objects.filter(history_id__in=history_ids).values("history_id", "regulatoryguidance_id"):
            guidance_ids_by_status[row["history_id"]].append(row["regulatoryguidance_id"])
    guidance = {g.pk: g for g in _rows(RegulatoryGuidance, at).filter(pk__in=_flat(guidance_ids_by_status))}
    source_ids |= {g.source_id for g in guidance.values() if g.source_id}
    sources_by_id = {s.pk: s for s in EvidenceSource.objects.filter(pk__in=source_ids)}
    jurisdictions = {j.pk: j for j in Jurisdiction.objects.all()}

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
        items = [guidance[pk] for pk in guidance_ids_by_status.get(status._history.pk, []) if pk in guidance]
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

    items_then = [
        item
        for item in _rows(RiskItem, at).filter(model_id=model_id).order_by("category", "pk")
        if item.status != RiskItem.Status.RETIRED
    ]
    requests_then = list(_rows(AdoptionRequest, at).filter(model_id=model_id).order_by("pk"))
    sign_offs_then = list(_rows(SignOff, at).filter(request_id__in=[r.pk for r in requests_then]))
    matrices = {m.pk: m for m in RiskMatrix.objects.filter(pk__in={i.matrix_id for i in items_then})}
    users = _users(
        {i.owner_id for i in items_then}
        | {r.requester_id for r in requests_then}
        | {s.signer_id for s in sign_offs_then}
    )
    for item in items_then:
        item.matrix = matrices[item.matrix_id]
        item.owner = users.get(item.owner_id)
    risk = _risk([i for i in items_then if i.request_id is None])
    requests = []
    for req in requests_then:
        req.requester = users.get(req.requester_id)
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
    return {
        "kind": "model",
        "generated_at": _iso(at),
        "as_of": _iso(at.date()),
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
    """reports.services.snapshot._request, for a request rebuilt from history (its sign-offs given apart)."""
    rows, signed = [], set()
    for sign_off in sorted(sign_offs, key=lambda s: (s.review_round, s.created_at)):
        current = sign_off.review_round == req.review_round
        if current:
            signed.add(sign_off.role)
        rows.append(
            {
                "role": sign_off.role,
                "signer": _user(users.get(sign_off.signer_id)),
                "decision": sign_off.decision,
                "decision_label": str(sign_off.get_decision_display()),
                "comment": sign_off.comment,
                "conditions": sign_off.conditions,
                "signed_at": _iso(sign_off.created_at),
                "review_round": sign_off.review_round,
                "current_round": current,
                "risk_state_sha256": sign_off.risk_state_sha256,
            }
        )
    return {
        "id": req.pk,
        "use_case": req.use_case,
        "deployment": req.deployment,
        "deployment_label": str(req.get_deployment_display()),
        "data_classification": req.data_classification,
        "data_classification_label": str(req.get_data_classification_display()),
        "requester": _user(req.requester),
        "state": req.state,
        "state_label": str(req.get_state_display()),
        "current": req.state in CURRENT_REQUEST_STATES,
        "review_round": req.review_round,
        "required_roles": list(req.required_roles or []),
        "missing_roles": [role for role in req.required_roles or [] if role not in signed]
        if req.state in (AdoptionRequest.State.IN_REVIEW, AdoptionRequest.State.REOPENED)
        else [],
        "submitted_at": _iso(req.submitted_at),
        "decided_at": _iso(req.decided_at),
        "expires_on": _iso(req.expires_on),
        "sign_offs": rows,
    }


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
        group["organisations"] = [link["organisation"]["display_name"] for link in links]
        result.append(group)
    return sorted(result, key=lambda g: (g["potential"], g["listed_on"] or "9999"), reverse=False)


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
