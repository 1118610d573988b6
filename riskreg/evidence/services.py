"""Write-side rules of evidence: capture a cited source, re-check it, upload a copy, raise alerts.

Every fetch goes through riskreg.core.http (address rules, deadline, size cap, redirect cap). One source is
captured or re-checked by one worker at a time: the ``CitedSource`` row is claimed with a conditional UPDATE
(as watch does), and every outcome is written in one transaction that also releases the claim.

- **Capture** (a source added with a URL, its URL changed, `evidence capture`, the admin's "capture now"):
  fetch, store the body content-addressed, extract its readable text, and make it the capture the claims
  rest on ("cited"). A failure (refused address, redirect loop, over the size cap, HTTP error, a PDF that
  does not parse, the deadline) is a failed capture with its reason; the source itself is never touched.
- **Re-check** (scheduled): a conditional GET with the last validators. A 304, the same bytes, or a body whose
  readable text is unchanged (markup noise) writes nothing but the next check time. Changed text writes a new
  capture, marks the source "changed since cited" and raises an alert with the text diff on the claims that
  cite the source and their models; a 404 or 410 marks it "gone" and alerts the same way. Other failures
  (a 500, a timeout) are recorded on the source and retried later with back-off; they do not change its state.
"""

from __future__ import annotations

import hashlib
import logging
import mimetypes
import uuid
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from models_catalog.models import EvidenceSource, ProvenanceClaim
from riskreg.core.errors import BadInput
from riskreg.core.events import ChangeKind, material_change_announce
from riskreg.core.http import FetchError, HTTPStatusError, fetch
from riskreg.core.jobs import lease_release, lease_take
from riskreg.evidence.models import Capture, CitedSource
from riskreg.evidence.store import copy_write
from riskreg.evidence.text import TextError, readable_text, text_diff, text_sha256
from riskreg.watch.models import Alert
from riskreg.watch.services import failure_backoff

logger = logging.getLogger(__name__)

GONE_STATUSES = (404, 410)


class Status:
    CAPTURED = "captured"
    FAILED = "failed"
    UNCHANGED = "unchanged"
    CHANGED = "changed"
    GONE = "gone"
    SKIPPED = "skipped"  # no URL, or another worker holds the source


@dataclass
class CaptureResult:
    source_id: int
    status: str
    capture_id: int | None = None
    sha256: str = ""
    error: str = ""
    alert_id: int | None = None

    def as_json(self) -> dict:
        return {
            "source": self.source_id,
            "status": self.status,
            "capture": self.capture_id,
            "sha256": self.sha256,
            "error": self.error,
            "alert": self.alert_id,
        }


@dataclass
class Fetched:
    """What one fetch of a source gave, read and extracted, before anything is written (no database)."""

    url: str
    ok: bool
    final_url: str = ""
    http_status: int | None = None
    content_type: str = ""
    body: bytes = b""
    text: str = ""
    etag: str = ""
    last_modified: str = ""
    error: str = ""
    not_modified: bool = False
    retrieved_at: datetime = field(default_factory=timezone.now)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.body).hexdigest() if self.ok and not self.not_modified else ""

    @property
    def gone(self) -> bool:
        return not self.ok and self.http_status in GONE_STATUSES


# --- settings -----------------------------------------------------------------------------------------------------


def recheck_period() -> timedelta:
    return timedelta(hours=settings.RISKREG_EVIDENCE_RECHECK_HOURS)


def _claim_seconds() -> int:
    # longer than any fetch (the outbound client's whole-fetch deadline) plus extraction and the write
    return int(settings.RISKREG_WATCH_TIMEOUT) + 120


# --- fetching (no database: runs in worker threads) ------------------------------------------------------------------


def capture_fetch(*, url: str, etag: str = "", last_modified: str = "") -> Fetched:
    """Fetch url through the outbound client and extract its text. Never raises for the source's faults: a
    failed Fetched carries the reason."""
    started = timezone.now()
    try:
        response = fetch(url, etag=etag, last_modified=last_modified)
    except HTTPStatusError as exc:
        return Fetched(url, ok=False, final_url=exc.url, http_status=exc.status, error=str(exc), retrieved_at=started)
    except FetchError as exc:
        return Fetched(url, ok=False, final_url=exc.url, error=str(exc), retrieved_at=started)
    common = {
        "final_url": response.url,
        "http_status": response.status,
        "content_type": response.content_type[:200],
        "etag": response.etag[:500],
        "last_modified": response.last_modified[:100],
        "retrieved_at": started,
    }
    if response.not_modified:
        return Fetched(url, ok=True, not_modified=True, **common)
    if not response.body.strip():
        return Fetched(
            url, ok=False, error=f"the server answered with an empty body (HTTP {response.status})", **common
        )
    try:
        text = readable_text(body=response.body, content_type=response.content_type)
    except TextError as exc:
        return Fetched(url, ok=False, error=f"{exc}: {response.url}", **common)
    except SoftTimeLimitExceeded:
        reason = "the text took longer than the task's time limit"
        return Fetched(url, ok=False, error=f"its text cannot be read ({reason}): {response.url}", **common)
    except Exception as exc:  # noqa: BLE001 - a parser's own fault: a failure of the source, not of ours
        reason = type(exc).__name__
        return Fetched(url, ok=False, error=f"its text cannot be read ({reason}): {response.url}", **common)
    return Fetched(url, ok=True, body=response.body, text=text, **common)


def _failure_record(*, source_id: int, error: str) -> CaptureResult:
    """A capture or re-check that could not be recorded (the database refused it, the task's time ran out) is a
    failure of the source like any other: counted, backed off, visible, and its claim released, never sent again
    in a loop."""
    now = timezone.now()
    with transaction.atomic():
        cited = CitedSource.objects.select_for_update().filter(source_id=source_id).first()
        if cited is not None:
            CitedSource.objects.filter(pk=cited.pk).update(**_failed_fields(cited, now, error[:1000]))
    logger.warning("evidence source %s: %s", source_id, error)
    return CaptureResult(source_id, Status.FAILED, error=error)


# --- claiming -------------------------------------------------------------------------------------------------------


def cited_source_ensure(*, source_id: int) -> None:
    """The source's CitedSource row exists (two workers may race to create it: one wins, both go on)."""
    if CitedSource.objects.filter(source_id=source_id).exists():
        return
    try:
        with transaction.atomic():
            CitedSource.objects.create(source_id=source_id, next_check_at=timezone.now())
    except IntegrityError:
        pass


def _claim(*, source_id: int, now: datetime, due_only: bool = False, seconds: int | None = None) -> str | None:
    cited_source_ensure(source_id=source_id)
    token = uuid.uuid4().hex
    due = Q(next_check_at__lte=now) if due_only else Q()
    rows = CitedSource.objects.filter(due, source_id=source_id)
    return token if lease_take(rows, token=token, seconds=seconds or _claim_seconds(), now=now) else None


def _release(*, source_id: int, token: str) -> None:
    lease_release(CitedSource.objects.filter(source_id=source_id), token=token)


def _locked(*, source_id: int, token: str) -> CitedSource | None:
    """The claimed row, locked until the transaction ends; None when the claim was lost (it expired)."""
    return (
        CitedSource.objects.select_for_update(of=("self",))
        .select_related("source", "cited_capture", "latest_capture")
        .filter(source_id=source_id, claim_token=token)
        .first()
    )


def _done_fields(now: datetime) -> dict:
    return {
        "last_checked_at": now,
        "consecutive_failures": 0,
        "last_error": "",
        "next_check_at": now + recheck_period(),
        "claimed_until": None,
        "claim_token": "",
    }


def _failed_fields(cited: CitedSource, now: datetime, error: str) -> dict:
    failures = cited.consecutive_failures + 1
    every = int(recheck_period().total_seconds() // 60)
    return {
        "last_checked_at": now,
        "consecutive_failures": failures,
        "last_error": error[:2000],
        "next_check_at": now + failure_backoff(every_minutes=every, failures=failures),
        "claimed_until": None,
        "claim_token": "",
    }


def _capture_create(*, source: EvidenceSource, fetched: Fetched, origin: str = Capture.Origin.FETCHED) -> Capture:
    common = {
        "source": source,
        "origin": origin,
        "requested_url": fetched.url[:1000],
        "final_url": fetched.final_url[:2000],
        "http_status": fetched.http_status,
        "content_type": fetched.content_type,
        "retrieved_at": fetched.retrieved_at,
        "etag": fetched.etag,
        "last_modified": fetched.last_modified,
    }
    if not fetched.ok:
        return Capture.objects.create(outcome=Capture.Outcome.FAILED, error=fetched.error[:4000], **common)
    sha256, path = copy_write(body=fetched.body)
    return Capture.objects.create(
        outcome=Capture.Outcome.OK,
        sha256=sha256,
        size=len(fetched.body),
        path=path,
        text=fetched.text,
        text_sha256=text_sha256(fetched.text),
        **common,
    )


# --- capture ------------------------------------------------------------------------------------------------------


def evidence_source_capture(*, source_id: int) -> CaptureResult:
    """Capture the source now from its URL and make the capture the one its claims rest on."""
    return evidence_sources_capture(source_ids=[source_id], workers=1)[0]


def evidence_sources_capture(
    *, source_ids: Iterable[int], workers: int | None = None, due_only: bool = False
) -> list[CaptureResult]:
    """Capture several sources: the fetches run concurrently in `workers` threads (I/O bound; each bounded by
    the outbound client's deadline), the writes one after another in this thread. In the order given."""
    now = timezone.now()
    source_ids = list(source_ids)
    results: dict[int, CaptureResult] = {}
    jobs: list[tuple[int, str, str]] = []
    urls = dict(EvidenceSource.objects.filter(pk__in=source_ids).values_list("pk", "url"))
    order = list(dict.fromkeys(source_ids))
    workers = max(1, workers or settings.RISKREG_EVIDENCE_WORKERS)
    # Every source is claimed before the first fetch; the last one's turn comes after the others' rounds, so
    # the claims last for all the rounds (each at most the outbound deadline) plus the write.
    rounds = -(-len(order) // workers) if order else 1
    seconds = int(settings.RISKREG_WATCH_TIMEOUT) * rounds + _claim_seconds()
    for source_id in order:
        url = urls.get(source_id)
        if url is None:
            results[source_id] = CaptureResult(source_id, Status.SKIPPED, error="no such source")
            continue
        if not url:
            results[source_id] = CaptureResult(source_id, Status.SKIPPED, error="the source has no URL to capture")
            continue
        token = _claim(source_id=source_id, now=now, due_only=due_only, seconds=seconds)
        if token is None:
            reason = "not due, or being captured by another worker" if due_only else "being captured by another worker"
            results[source_id] = CaptureResult(source_id, Status.SKIPPED, error=reason)
            continue
        jobs.append((source_id, token, url))
    workers = min(workers, len(jobs) or 1)
    try:
        if workers == 1:
            for source_id, token, url in jobs:
                results[source_id] = _capture_record(source_id=source_id, token=token, fetched=capture_fetch(url=url))
        else:
            with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="evidence-capture") as pool:
                futures = {pool.submit(capture_fetch, url=url): (source_id, token) for source_id, token, url in jobs}
                for future in as_completed(futures):
                    source_id, token = futures[future]
                    results[source_id] = _capture_record(source_id=source_id, token=token, fetched=future.result())
    finally:
        for source_id, token, _url in jobs:
            if source_id not in results:
                _release(source_id=source_id, token=token)
    return [results[source_id] for source_id in order]


def _capture_record(*, source_id: int, token: str, fetched: Fetched) -> CaptureResult:
    now = timezone.now()
    try:
        with transaction.atomic():
            cited = _locked(source_id=source_id, token=token)
            if cited is None:
                return CaptureResult(source_id, Status.SKIPPED, error="the claim expired and another worker took over")
            capture = _capture_create(source=cited.source, fetched=fetched)
            if capture.outcome == Capture.Outcome.OK:
                fields = {
                    **_done_fields(now),
                    "state": CitedSource.State.CAPTURED,
                    "state_since": now,
                    "cited_capture": capture,
                    "latest_capture": capture,
                    "etag": fetched.etag,
                    "last_modified": fetched.last_modified,
                }
                result = CaptureResult(source_id, Status.CAPTURED, capture_id=capture.pk, sha256=capture.sha256)
            else:
                fields = {**_failed_fields(cited, now, fetched.error), "latest_capture": capture}
                result = CaptureResult(source_id, Status.FAILED, capture_id=capture.pk, error=fetched.error)
            CitedSource.objects.filter(pk=cited.pk).update(**fields)
    except Exception as exc:  # noqa: BLE001 - e.g. a NUL the database refuses: recorded, not retried in a loop
        return _failure_record(source_id=source_id, error=f"the capture could not be recorded ({type(exc).__name__})")
    except BaseException:
        _release(source_id=source_id, token=token)
        raise
    if result.status == Status.FAILED:
        logger.warning("capture of evidence source %s failed: %s", source_id, fetched.error)
    return result


def evidence_capture_upload(
    *, source: EvidenceSource, body: bytes, filename: str, content_type: str = "", user=None, note: str = ""
) -> Capture:
    """Legal's own copy of the source (the PDF of a paywalled article) becomes the capture its claims rest on.
    A file that is empty, too large or does not parse is refused whole, with its name; nothing is stored and
    the source keeps the capture it had."""
    label = filename or "the file"
    if not body:
        raise BadInput({"file": f"{label} is empty; nothing was stored and the source keeps its capture"})
    if len(body) > settings.RISKREG_WATCH_MAX_BYTES:
        raise BadInput(
            {
                "file": f"{label} is {len(body):,} bytes, over the limit of {settings.RISKREG_WATCH_MAX_BYTES:,}; "
                "nothing was stored and the source keeps its capture"
            }
        )
    content_type = content_type or mimetypes.guess_type(filename)[0] or "application/octet-stream"
    try:
        text = readable_text(body=body, content_type=content_type)
    except TextError as exc:
        raise BadInput({"file": f"{label}: {exc}; nothing was stored and the source keeps its capture"}) from None
    now = timezone.now()
    sha256, path = copy_write(body=body)
    cited_source_ensure(source_id=source.pk)
    with transaction.atomic():
        cited = CitedSource.objects.select_for_update(of=("self",)).get(source=source)
        capture = Capture.objects.create(
            source=source,
            origin=Capture.Origin.UPLOADED,
            outcome=Capture.Outcome.OK,
            requested_url="",
            final_url=source.url,
            content_type=content_type[:200],
            retrieved_at=now,
            sha256=sha256,
            size=len(body),
            path=path,
            text=text,
            text_sha256=text_sha256(text),
            note=(note or f"Uploaded file {filename}")[:500],
            captured_by=user,
        )
        cited.state = CitedSource.State.CAPTURED
        cited.state_since = now
        cited.cited_capture = capture
        cited.latest_capture = capture
        cited.etag = cited.last_modified = ""
        cited.save()
    return capture


def evidence_source_recite(*, source: EvidenceSource, user=None) -> CitedSource:
    """Legal has read the change: the latest successful capture becomes the one the claims rest on."""
    with transaction.atomic():
        cited = CitedSource.objects.select_for_update(of=("self",)).select_related("latest_capture").get(source=source)
        latest = (
            Capture.objects.filter(source=source, outcome=Capture.Outcome.OK).order_by("-retrieved_at", "-pk").first()
        )
        if latest is None:
            raise BadInput({"source": f"{source.title} has no successful capture to cite"})
        cited.cited_capture = latest
        cited.state = CitedSource.State.CAPTURED
        cited.state_since = timezone.now()
        cited.save()
    return cited


def evidence_source_url_changed(*, source_id: int) -> None:
    """A source added with a URL, or whose URL changed: what was captured before is no longer what the claims
    cite; the new address is due for capture at once."""
    cited_source_ensure(source_id=source_id)
    CitedSource.objects.filter(source_id=source_id).update(
        state=CitedSource.State.NOT_CAPTURED,
        state_since=timezone.now(),
        cited_capture=None,
        etag="",
        last_modified="",
        consecutive_failures=0,
        last_error="",
        next_check_at=timezone.now(),
    )


# --- re-check -----------------------------------------------------------------------------------------------------


def evidence_source_check(*, source_id: int) -> CaptureResult:
    """The scheduled check: capture a source not captured yet, re-check one that is."""
    cited = CitedSource.objects.filter(source_id=source_id).values_list("cited_capture_id", flat=True).first()
    if cited is None:
        return evidence_sources_capture(source_ids=[source_id], workers=1, due_only=True)[0]
    return evidence_source_recheck(source_id=source_id, force=False)


def evidence_source_recheck(*, source_id: int, force: bool = True) -> CaptureResult:
    """Re-check a captured source (module docstring). Writes nothing but the next check time when unchanged."""
    now = timezone.now()
    token = _claim(source_id=source_id, now=now, due_only=not force)
    if token is None:
        return CaptureResult(source_id, Status.SKIPPED, error="not due, or being checked by another worker")
    try:
        cited = CitedSource.objects.select_related("source", "cited_capture", "latest_capture").get(source_id=source_id)
        if cited.cited_capture is None or not cited.source.url:
            _release(source_id=source_id, token=token)
            return CaptureResult(source_id, Status.SKIPPED, error="nothing captured to re-check, or no URL")
        fetched = capture_fetch(url=cited.source.url, etag=cited.etag, last_modified=cited.last_modified)
        return _recheck_record(cited=cited, token=token, fetched=fetched)
    except Exception as exc:  # noqa: BLE001 - recorded as the source's failure, with back-off
        reason = "the task's time limit" if isinstance(exc, SoftTimeLimitExceeded) else type(exc).__name__
        return _failure_record(source_id=source_id, error=f"the re-check could not finish ({reason})")
    except BaseException:
        _release(source_id=source_id, token=token)
        raise


def _baseline(cited: CitedSource) -> Capture | None:
    """The capture a fresh fetch is compared with: the latest fetched copy since the cited one (the cited one
    itself when it was fetched). An uploaded or local copy is not the live page's markup, so until the page has
    been fetched once there is nothing to compare its text with."""
    return (
        Capture.objects.filter(
            source_id=cited.source_id,
            outcome=Capture.Outcome.OK,
            origin=Capture.Origin.FETCHED,
            pk__gte=cited.cited_capture_id,
        )
        .order_by("-pk")
        .first()
    )


def _recheck_record(*, cited: CitedSource, token: str, fetched: Fetched) -> CaptureResult:
    now = timezone.now()
    source_id = cited.source_id
    validators = {"etag": fetched.etag or cited.etag, "last_modified": fetched.last_modified or cited.last_modified}
    if fetched.not_modified:
        return _unchanged(cited=cited, token=token, now=now, validators=validators)
    if not fetched.ok and not fetched.gone:
        with transaction.atomic():
            CitedSource.objects.filter(pk=cited.pk, claim_token=token).update(
                **_failed_fields(cited, now, fetched.error)
            )
        logger.warning("re-check of evidence source %s failed: %s", source_id, fetched.error)
        return CaptureResult(source_id, Status.FAILED, error=fetched.error)
    if fetched.gone:
        if cited.state == CitedSource.State.GONE:
            return _unchanged(cited=cited, token=token, now=now, validators=validators)
        return _record_change(cited=cited, token=token, now=now, fetched=fetched, state=CitedSource.State.GONE)
    baseline = _baseline(cited)
    if baseline is not None and baseline.sha256 == fetched.sha256:
        return _unchanged(cited=cited, token=token, now=now, validators=validators)
    new_text = text_sha256(fetched.text)
    if baseline is None:
        # First fetch after an uploaded or local copy: the page becomes the baseline, no alert.
        return _record_change(cited=cited, token=token, now=now, fetched=fetched, state=cited.state, alert=False)
    if baseline.text_sha256 == new_text and cited.state != CitedSource.State.GONE:
        return _unchanged(cited=cited, token=token, now=now, validators=validators)  # markup noise only
    if new_text == cited.cited_capture.text_sha256:
        # Back to what was cited (an edit undone, a page restored): recorded, no alert.
        return _record_change(
            cited=cited, token=token, now=now, fetched=fetched, state=CitedSource.State.CAPTURED, alert=False
        )
    return _record_change(cited=cited, token=token, now=now, fetched=fetched, state=CitedSource.State.CHANGED)


def _unchanged(*, cited: CitedSource, token: str, now: datetime, validators: dict) -> CaptureResult:
    """Nothing new: only the schedule (and the validators the server sent) move; one UPDATE, no capture, no file."""
    fields = _done_fields(now)
    if validators["etag"] != cited.etag or validators["last_modified"] != cited.last_modified:
        fields.update(validators)
    CitedSource.objects.filter(pk=cited.pk, claim_token=token).update(**fields)
    return CaptureResult(cited.source_id, Status.UNCHANGED, capture_id=cited.latest_capture_id)


def _record_change(
    *, cited: CitedSource, token: str, now: datetime, fetched: Fetched, state: str, alert: bool = True
) -> CaptureResult:
    with transaction.atomic():
        locked = _locked(source_id=cited.source_id, token=token)
        if locked is None:
            return CaptureResult(
                cited.source_id, Status.SKIPPED, error="the claim expired and another worker took over"
            )
        capture = _capture_create(source=locked.source, fetched=fetched)
        fields = {
            **_done_fields(now),
            "latest_capture": capture,
            "etag": fetched.etag,
            "last_modified": fetched.last_modified,
        }
        if state != locked.state:
            fields.update(state=state, state_since=now)
        CitedSource.objects.filter(pk=locked.pk).update(**fields)
        alert_id = None
        if alert:
            alert_id = _alert_raise(cited=locked, capture=capture, state=state)
    status = {CitedSource.State.GONE: Status.GONE, CitedSource.State.CHANGED: Status.CHANGED}.get(
        state, Status.UNCHANGED
    )
    return CaptureResult(cited.source_id, status, capture_id=capture.pk, sha256=capture.sha256, alert_id=alert_id)


# --- alerts -------------------------------------------------------------------------------------------------------


def claims_citing(*, source_id: int):
    return (
        ProvenanceClaim.objects.filter(Q(source_id=source_id) | Q(other_sources__id=source_id))
        .select_related("model")
        .distinct()
        .order_by("model__name", "pk")
    )


def _alert_raise(*, cited: CitedSource, capture: Capture, state: str) -> int:
    """One alert per source and new content (a retried check raises none twice), on the claims citing the source
    and their models; their approved adoption requests reopen (core.events)."""
    source = cited.source
    cited_capture = cited.cited_capture
    claims = list(claims_citing(source_id=source.pk))
    model_ids = sorted({claim.model_id for claim in claims})
    when = f"{cited_capture.retrieved_at.day} {cited_capture.retrieved_at:%b %Y}"
    if state == CitedSource.State.GONE:
        key = f"evidence:{source.pk}:{cited_capture.pk}:gone"
        title = f"Cited source gone (HTTP {capture.http_status}): {source.title}"
        body = f"The address now answers HTTP {capture.http_status}. The copy captured on {when} is kept."
    else:
        key = f"evidence:{source.pk}:{cited_capture.pk}:{capture.text_sha256[:24]}"
        title = f"Cited source changed since cited: {source.title}"
        diff = text_diff(cited_capture.text, capture.text, label_before=f"as cited ({when})", label_after="now")
        body = (
            f"The text of the page differs from the copy captured on {when} (SHA-256 {cited_capture.sha256}).\n\n{diff}"
        )
    cites = "; ".join(f"{claim.model.name}: {claim.get_subject_display()} = {claim.value}" for claim in claims)
    summary = f"{source.publisher}: {source.title}\nClaims citing it: {cites or 'none'}.\n\n{body}"
    alert, created = Alert.objects.get_or_create(
        dedupe_key=key[:255],
        defaults={
            "evidence_source": source,
            "title": title[:500],
            "summary": summary,
            "url": (capture.final_url or source.url)[:2000],
            "matched_terms": [],
        },
    )
    if created:
        alert.claims.set(claims)
        alert.ai_models.set(model_ids)
        material_change_announce(
            model_ids=model_ids,
            kind=ChangeKind.EVIDENCE,
            reason=f"{title[:300]}",
            reference=f"alert:{alert.pk}",
        )
    return alert.pk


# --- scheduling ---------------------------------------------------------------------------------------------------


def evidence_due_dispatch(*, now: datetime | None = None) -> int:
    """Send one check task per due source (captured ones to re-check, uncaptured ones with a URL to capture).
    Nothing is marked: a duplicate task finds the source claimed or no longer due and does nothing."""
    from riskreg.evidence.selectors import cited_sources_due
    from riskreg.evidence.tasks import evidence_source_check_task as check_task

    due = list(cited_sources_due(now=now or timezone.now()).values_list("source_id", flat=True))
    for count, source_id in enumerate(due):
        try:
            check_task.apply_async(args=[source_id], retry=False, expires=500)
        except Exception as exc:  # the broker's errors vary by transport
            logger.warning(
                "broker unreachable: %d due evidence sources wait for the next beat: %s", len(due) - count, exc
            )
            return count
    return len(due)
