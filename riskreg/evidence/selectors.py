"""Read-side rules of evidence, shared with the catalog's pages, its API and the memos."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from django.db.models import Prefetch, Q, QuerySet

from riskreg.evidence.models import Capture, CitedSource


def cited_sources_due(*, now: datetime) -> QuerySet[CitedSource]:
    """Sources with a URL whose check is due and that no worker holds, oldest due first."""
    return (
        CitedSource.objects.filter(next_check_at__lte=now)
        .exclude(source__url="")
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .order_by("next_check_at", "pk")
    )


def sources_not_captured(*, source_ids: Iterable[int] | None = None):
    """Sources with a URL and no capture their claims rest on (never captured, or every attempt failed)."""
    from models_catalog.models import EvidenceSource

    sources = EvidenceSource.objects.exclude(url="").filter(
        Q(cited__isnull=True) | Q(cited__cited_capture__isnull=True)
    )
    if source_ids is not None:
        sources = sources.filter(pk__in=list(source_ids))
    return sources.order_by("pk")


def _capture_json(capture: Capture | None) -> dict | None:
    if capture is None:
        return None
    return {
        "id": capture.pk,
        "outcome": capture.outcome,
        "origin": capture.origin,
        "origin_label": str(capture.get_origin_display()),
        "retrieved_at": capture.retrieved_at.astimezone(UTC).replace(microsecond=0).isoformat(),
        "sha256": capture.sha256,
        "final_url": capture.final_url,
        "http_status": capture.http_status,
        "content_type": capture.content_type,
        "size": capture.size,
        "note": capture.note,
        "error": capture.error,
    }


def not_captured_reason(*, url: str, cited: CitedSource | None) -> str:
    if cited is not None and cited.latest_capture is not None and cited.latest_capture.error:
        return cited.latest_capture.error
    if not url:
        return "no address recorded and no copy uploaded"
    return "not captured yet"


def evidence_states(*, source_ids: Iterable[int]) -> dict[int, dict]:
    """For each source: its state ("not_captured", "captured", "changed", "gone") and label, the capture the
    claims rest on and the latest one, and why it is not captured. One query."""
    from models_catalog.models import EvidenceSource

    sources = EvidenceSource.objects.filter(pk__in=list(source_ids)).select_related(
        "cited__cited_capture", "cited__latest_capture"
    )
    return {source.pk: evidence_state_of(source) for source in sources}


def evidence_state_of(source) -> dict:
    """The same shape as evidence_states, for one source whose `cited` row (and its captures) was read with it
    (select_related("cited__cited_capture", "cited__latest_capture")), so a list costs no query per source."""
    try:
        cited = source.cited
    except CitedSource.DoesNotExist:
        cited = None
    state = cited.state if cited else CitedSource.State.NOT_CAPTURED
    return {
        "state": state,
        "state_label": str(CitedSource.State(state).label),
        "state_since": cited.state_since.isoformat() if cited and cited.state_since else None,
        "cited_capture": _capture_json(cited.cited_capture if cited else None),
        "latest_capture": _capture_json(cited.latest_capture if cited else None),
        "last_checked_at": cited.last_checked_at.isoformat() if cited and cited.last_checked_at else None,
        "not_captured_reason": (
            not_captured_reason(url=source.url, cited=cited) if state == CitedSource.State.NOT_CAPTURED else ""
        ),
    }


def captures_problems(*, expected: dict[int, str]) -> list[str]:
    """For a memo's verification: each capture (id -> SHA-256 the memo recorded) still exists with that hash
    and its stored copy still hashes to it. One query, then one file read per capture."""
    from riskreg.evidence.store import copy_problem

    problems = []
    found = {c.pk: c for c in Capture.objects.filter(pk__in=list(expected))}
    for capture_id, sha256 in sorted(expected.items()):
        capture = found.get(capture_id)
        if capture is None:
            problems.append(f"capture {capture_id} named in the memo no longer exists")
        elif capture.sha256 != sha256:
            problems.append(f"capture {capture_id} no longer has the SHA-256 the memo records")
        elif sha256 and (problem := copy_problem(path=capture.path, sha256=sha256)):
            problems.append(f"capture {capture_id}: {problem}")
    return problems


STATE_ORDER = {"gone": 0, "changed": 1, "not_captured": 2, "captured": 3}


def model_cited_sources(*, model_id: int) -> list[dict]:
    """The sources a model's claims cite, each with its state and captured copy in words, for the model's admin
    page: what changed or disappeared first. Two queries."""
    from models_catalog.models import ProvenanceClaim

    claims = (
        ProvenanceClaim.objects.filter(model_id=model_id)
        .select_related("source__cited__cited_capture", "source__cited__latest_capture")
        .prefetch_related(
            Prefetch(
                "other_sources",
                queryset=_sources_with_captures(),
            )
        )
        .order_by("pk")
    )
    rows: dict[int, dict] = {}
    for claim in claims:
        for source in [claim.source, *claim.other_sources.all()]:
            row = rows.get(source.pk)
            if row is None:
                state = evidence_state_of(source)
                cited = state["cited_capture"]
                if cited:
                    when = datetime.fromisoformat(cited["retrieved_at"])
                    copy = f"{when.day} {when:%b %Y}, SHA-256 {cited['sha256'][:16]}… ({cited['origin_label'].lower()})"
                else:
                    copy = f"not captured: {state['not_captured_reason']}"
                if state["state"] in ("changed", "gone") and state["state_since"]:
                    since = datetime.fromisoformat(state["state_since"])
                    copy += f"; {state['state_label'].lower()} on {since.day} {since:%b %Y}"
                row = rows[source.pk] = {
                    "id": source.pk,
                    "title": source.title,
                    "state": state["state"],
                    "state_label": state["state_label"],
                    "copy": copy,
                    "claims": [],
                }
            label = f"{claim.get_subject_display()}: {claim.value}"
            if label not in row["claims"]:
                row["claims"].append(label)
    result = sorted(rows.values(), key=lambda row: (STATE_ORDER.get(row["state"], 9), row["title"]))
    for row in result:
        row["claims"] = "; ".join(row["claims"])
    return result


def _sources_with_captures():
    from models_catalog.models import EvidenceSource

    return EvidenceSource.objects.select_related("cited__cited_capture", "cited__latest_capture")
