"""Read side of the model pages: the dossier (live or as of a day), the model band and the model's history.

The dossier itself is built by riskreg.dossier (the one builder the memo reads too); this module chooses the
moment, sums it up for the band a reader sees first, and reads the model's history of changes.

Point in time (``as_of``, a date): the register as it stood at the end of that day (UTC), rebuilt from
django-simple-history's records (riskreg/dossier/readers.py). What history cannot give back is listed in
docs/workspace.md ("What cannot be reconstructed").
"""

from __future__ import annotations

import datetime as dt
from datetime import UTC, date, datetime

from django.contrib.auth import get_user_model
from django.db.models import F, Value

from models_catalog.models import AIModel, ModelGuidanceStatus, ProvenanceClaim
from riskreg.dossier import Dossier, dossier_build
from riskreg.dossier.presenters import exposure_groups
from riskreg.register.models import AdoptionRequest

IN_FLIGHT_STATES = (AdoptionRequest.State.DRAFT, AdoptionRequest.State.IN_REVIEW, AdoptionRequest.State.REOPENED)


def end_of_day(day: date) -> datetime:
    """The last moment of `day` in UTC: 'as of 16 Jan 2025' includes everything recorded that day."""
    return datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=UTC) - dt.timedelta(microseconds=1)


def dossier_snapshot(*, model: AIModel, as_of: date | None = None, band_only: bool = False) -> Dossier | None:
    """The model's dossier (``model`` read with its developer and the developer's parent), live or as it stood at
    the end of ``as_of``; None when the model was not yet in the register on that date. It is the memo's builder
    (riskreg.dossier.dossier_build), so "as of today" is the live page and the page says what the memo says."""
    return dossier_build(
        model_id=model.pk, at=end_of_day(as_of) if as_of else None, live_model=model, band_only=band_only
    )


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


def model_band(
    *, model: AIModel, as_of: date | None = None, visible_request_ids=None, band_only: bool = False
) -> dict | None:
    """What a reader needs first about a model, for templates/workspace/includes/model_band.html: the residual
    level (the memo's overall level; the highest of the current requests when the model has no level of its
    own), the exposure flags grouped by listing, the guidance status per jurisdiction and the requests in
    flight. `visible_request_ids` (a set) hides requests the reader may not see. None when the model was not
    yet in the register on `as_of`. ``band_only``: a page that shows the band alone (not the dossier) lets the
    builder skip the obligations and the sources' captures."""
    snapshot = dossier_snapshot(model=model, as_of=as_of, band_only=band_only)
    if snapshot is None:
        return None
    return band_from_snapshot(snapshot, as_of=as_of, visible_request_ids=visible_request_ids)


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
    users = {user.pk: user for user in get_user_model().objects.filter(pk__in={row[3] for row in rows if row[3]})}
    subjects = dict(ProvenanceClaim.Subject.choices)
    statuses = dict(ModelGuidanceStatus.Status.choices)
    entries = []
    for when, kind_code, reason, user_id, kind, a, b in rows:
        if kind == "model":
            what = "Model facts"
        elif kind == "claim":
            what = f"Claim on {str(subjects.get(a, a)).lower()}: {b if len(b) <= 60 else b[:59].rstrip() + '…'}"
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
