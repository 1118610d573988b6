"""Write-side rules of watch: configuring sources, checking them, recording changes, raising and handling alerts.

One check of one source (``watch_source_check``), used alike by the Celery task, the `watch check`
command and the admin's "check now":

1. claim the source with a conditional UPDATE (``claimed_until``/``claim_token``), so two workers never
   check it at once; a claim left by a killed worker expires after RISKREG_WATCH_CLAIM_SECONDS, or is taken
   over at once by the same task delivered again (the queue does that only when the worker running it was lost);
2. fetch it through riskreg.core.http with the last ETag/Last-Modified; a 304, or a body whose SHA-256
   equals the latest snapshot's, is "unchanged" and writes only the check record and the source's health;
3. otherwise read it with its kind (sources/), diff it against the latest snapshot, write the compressed
   body to a temporary file and rename it into place, then in ONE transaction (holding the source row
   and still owning the claim) write the snapshot, the change, the alerts, the check record and health.
   List files are imported by the screening importer inside that same transaction.

A check that fails (network, HTTP status, unreadable answer) records the error on the source, keeps the
last good snapshot, raises no alert, and pushes the next check back further with each failure.
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import os
import tempfile
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.core.mail import send_mail
from django.db import DataError, transaction
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone

from models_catalog.selectors import models_for_accelerators, models_for_organisations
from riskreg.core.errors import BadInput
from riskreg.core.events import ChangeKind, material_change_announce
from riskreg.core.http import FetchError, Response, fetch
from riskreg.core.jobs import lease_release, lease_take
from riskreg.core.urls import web_url
from riskreg.watch.diffing import diff_counts, extract_diff
from riskreg.watch.mentions import Term, catalog_terms, text_matches
from riskreg.watch.models import Alert, ChangeEvent, CheckRecord, Snapshot, SourceKind, WatchSource
from riskreg.watch.sources import Extract, Item, ListFileKind, SourceError, kind_for

logger = logging.getLogger(__name__)

MAX_BACKOFF_MINUTES = 24 * 60


class Status:
    BASELINE = CheckRecord.Outcome.BASELINE.value
    CHANGED = CheckRecord.Outcome.CHANGED.value
    UNCHANGED = CheckRecord.Outcome.UNCHANGED.value
    ERROR = CheckRecord.Outcome.ERROR.value
    SKIPPED = "skipped"  # not due, or another worker holds the claim: nothing was done


@dataclass
class CheckResult:
    source_id: int
    status: str
    added: int = 0
    removed: int = 0
    changed: int = 0
    alert_ids: list[int] = field(default_factory=list)
    error: str = ""
    snapshot_id: int | None = None
    change_id: int | None = None

    def as_json(self) -> dict:
        return {
            "source": self.source_id,
            "status": self.status,
            "diff": {"added": self.added, "removed": self.removed, "changed": self.changed},
            "alerts": self.alert_ids,
            "error": self.error,
        }


@dataclass
class DispatchResult:
    due: int
    dispatched: int
    error: str = ""


class _LostClaim(Exception):
    pass


# --- sources ----------------------------------------------------------------------------------------------------


def watch_source_create(
    *,
    name: str,
    kind: str,
    url: str,
    selector: str = "",
    keywords: list[str] | None = None,
    every_minutes: int = 1440,
    enabled: bool = True,
    owner=None,
    jurisdiction=None,
) -> WatchSource:
    """Configure a source; it is due at once. Raises ValidationError with the field at fault."""
    if kind not in SourceKind.values:
        raise BadInput({"kind": f"unknown kind {kind!r}; use one of {', '.join(SourceKind.values)}"})
    source = WatchSource(
        name=name,
        kind=kind,
        url=url,
        selector=selector or "",
        keywords=list(keywords or []),
        every_minutes=every_minutes,
        enabled=enabled,
        owner=owner,
        jurisdiction=jurisdiction,
        next_check_at=timezone.now(),
    )
    source.full_clean()
    if not url.lower().startswith(("http://", "https://")):
        raise BadInput({"url": "only http and https URLs can be watched"})
    source.save()
    return source


def _claim_seconds() -> int:
    return settings.RISKREG_WATCH_CLAIM_SECONDS


def watch_source_claim(
    *, source_id: int, force: bool = False, now: datetime | None = None, task_id: str = ""
) -> str | None:
    """Claim the source for one check; the token, or None when another worker holds it or it is not due.
    A conditional UPDATE, so of two workers racing exactly one wins. A task claims with its id, so when its
    worker is killed and the queue delivers it again, the redelivery takes its own claim over at once."""
    now = now or timezone.now()
    token = (task_id or uuid.uuid4().hex)[:64]
    due = Q() if force else (Q(enabled=True) & (Q(next_check_at__isnull=True) | Q(next_check_at__lte=now)))
    rows = WatchSource.objects.filter(due, pk=source_id)
    claimed = lease_take(rows, token=token, seconds=_claim_seconds(), now=now, own=bool(task_id))
    return token if claimed else None


def _release(source_id: int, token: str) -> None:
    lease_release(WatchSource.objects.filter(pk=source_id), token=token)


def failure_backoff(*, every_minutes: int, failures: int) -> timedelta:
    """The wait before the next check of a failing source: doubles with each failure, from at most 5
    minutes, up to a day (or the source's own period if that is longer)."""
    base = min(every_minutes, 5)
    cap = max(every_minutes, MAX_BACKOFF_MINUTES)
    return timedelta(minutes=min(base * 2 ** min(max(failures, 1) - 1, 20), cap))


# --- snapshot files -------------------------------------------------------------------------------------------


def snapshot_file_write(*, source_id: int, sha256: str, body: bytes) -> str:
    """Store the body compressed as watch/<source>/<sha256>.gz (relative path returned). Written to a
    temporary name and renamed, so a reader never sees half a file and a killed worker leaves none."""
    relative = f"watch/{source_id}/{sha256}.gz"
    target = Path(settings.RISKREG_DATA_DIR) / relative
    if target.exists():
        return relative
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=".gz")
    try:
        with os.fdopen(fd, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as out:
            out.write(body)
            out.flush()
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return relative


def snapshot_body(*, snapshot: Snapshot) -> bytes:
    with gzip.open(Path(settings.RISKREG_DATA_DIR) / snapshot.path, "rb") as handle:
        return handle.read()


# --- the check --------------------------------------------------------------------------------------------------


def watch_source_check(*, source_id: int, force: bool = False, task_id: str = "") -> CheckResult:
    """Check one source now (see the module docstring). `force` checks it even if not due or disabled;
    `task_id`, the Celery task's id, lets that task's redelivery take over the claim of its lost attempt."""
    token = watch_source_claim(source_id=source_id, force=force, task_id=task_id)
    if token is None:
        exists = WatchSource.objects.filter(pk=source_id).exists()
        reason = "being checked by another worker" if exists and force else "not due, or being checked"
        return CheckResult(source_id, Status.SKIPPED, error=reason if exists else "no such source")
    # Every outcome below releases the claim in the same write that records it; only an unexpected
    # exception (database, disk) needs the release here, before Celery retries the task.
    try:
        # One query for the latest snapshot and its source (read after the claim, so it is current).
        latest = Snapshot.objects.select_related("source").filter(source_id=source_id).order_by("-sequence").first()
        source = latest.source if latest is not None else WatchSource.objects.get(pk=source_id)
        started = timezone.now()
        try:
            return _check_claimed(source=source, latest=latest, token=token, started=started)
        except _LostClaim:
            return CheckResult(source_id, Status.SKIPPED, error="the claim expired and another worker took over")
        except (FetchError, SourceError) as exc:
            status = getattr(exc, "status", None)
            return _record_failure(source=source, token=token, started=started, message=str(exc), http_status=status)
        except DataError as exc:  # a value the database cannot store: the source's fault, shown, not a silent "new"
            message = f"the answer holds a value the database cannot store ({str(exc).splitlines()[0][:200]})"
            return _record_failure(source=source, token=token, started=started, message=message, http_status=None)
    except BaseException:
        _release(source_id, token)
        raise


def watch_source_record(*, source_id: int, body: bytes, content_type: str = "") -> CheckResult:
    """Record a body obtained without fetching (a stored capture, e.g. the demo's) exactly as a check that
    fetched it would: snapshot, diff against the latest snapshot, alerts, reopened approvals. Nothing goes out
    on the network; the source need not be enabled or due."""
    token = watch_source_claim(source_id=source_id, force=True)
    if token is None:
        return CheckResult(source_id, Status.SKIPPED, error="being checked by another worker, or no such source")
    try:
        latest = Snapshot.objects.select_related("source").filter(source_id=source_id).order_by("-sequence").first()
        source = latest.source if latest is not None else WatchSource.objects.get(pk=source_id)
        started = timezone.now()
        sha256 = hashlib.sha256(body).hexdigest()
        response = Response(url=source.url, status=200, headers={"content-type": content_type}, body=body)
        if latest is not None and latest.sha256 == sha256:
            return _record_unchanged(source=source, token=token, started=started, response=response, snapshot=latest)
        return _record_new_content(
            source=source,
            token=token,
            started=started,
            response=response,
            sha256=sha256,
            latest=latest,
            kind=kind_for(source.kind),
        )
    except BaseException:
        _release(source_id, token)
        raise


def _snapshot_extract(snapshot: Snapshot, *, kind, source: WatchSource):
    """What the snapshot read, stored with it; read again from its file if it was not stored."""
    stored = Extract.from_json(snapshot.extract or {})
    if stored is not None:
        return stored
    try:
        body = snapshot_body(snapshot=snapshot)
        return kind.extract(body=body, content_type=snapshot.headers.get("content-type", ""), source=source)
    except (SourceError, OSError):
        return None


def _check_claimed(*, source: WatchSource, latest: Snapshot | None, token: str, started: datetime) -> CheckResult:
    kind = kind_for(source.kind)
    response = fetch(
        kind.request_url(source),
        etag=source.etag if latest else "",
        last_modified=source.last_modified if latest else "",
        accept=kind.accept,
    )
    if response.not_modified:
        if latest is None:
            raise SourceError("the server answered 304 Not Modified to a first request")
        return _record_unchanged(source=source, token=token, started=started, response=response, snapshot=latest)
    body = response.body
    sha256 = hashlib.sha256(body).hexdigest()
    if latest is not None and latest.sha256 == sha256:
        return _record_unchanged(source=source, token=token, started=started, response=response, snapshot=latest)
    if not body.strip():
        before = f"; the last good snapshot ({latest.size:,} bytes) is kept" if latest else ""
        raise SourceError(f"the server answered with an empty body (HTTP {response.status}){before}")
    return _record_new_content(
        source=source, token=token, started=started, response=response, sha256=sha256, latest=latest, kind=kind
    )


def _health_fields(*, now: datetime, source: WatchSource) -> dict:
    return {
        "health": WatchSource.Health.HEALTHY,
        "last_checked_at": now,
        "last_success_at": now,
        "consecutive_failures": 0,
        "last_error": "",
        "next_check_at": now + timedelta(minutes=source.every_minutes),
        "claimed_until": None,
        "claim_token": "",
    }


def _record_unchanged(
    *, source: WatchSource, token: str, started: datetime, response: Response, snapshot: Snapshot
) -> CheckResult:
    now = timezone.now()
    fields = _health_fields(now=now, source=source)
    if response.etag or response.last_modified:
        fields.update(etag=response.etag or source.etag, last_modified=response.last_modified or source.last_modified)
    with transaction.atomic():
        if not WatchSource.objects.filter(pk=source.pk, claim_token=token).update(**fields):
            raise _LostClaim
        CheckRecord.objects.create(
            source=source,
            started_at=started,
            finished_at=now,
            outcome=CheckRecord.Outcome.UNCHANGED,
            http_status=response.status,
            snapshot=snapshot,
        )
    return CheckResult(source.pk, Status.UNCHANGED, snapshot_id=snapshot.pk)


def _record_failure(
    *, source: WatchSource, token: str, started: datetime, message: str, http_status: int | None
) -> CheckResult:
    now = timezone.now()
    failures = source.consecutive_failures + 1
    with transaction.atomic():
        updated = WatchSource.objects.filter(pk=source.pk, claim_token=token).update(
            health=WatchSource.Health.FAILING,
            last_checked_at=now,
            consecutive_failures=failures,
            last_error=message[:2000],
            next_check_at=now + failure_backoff(every_minutes=source.every_minutes, failures=failures),
            claimed_until=None,
            claim_token="",
        )
        if not updated:
            return CheckResult(source.pk, Status.SKIPPED, error="the claim expired and another worker took over")
        CheckRecord.objects.create(
            source=source,
            started_at=started,
            finished_at=now,
            outcome=CheckRecord.Outcome.ERROR,
            http_status=http_status,
            error=message[:2000],
        )
    logger.warning("watch source %s (%s) failed (%d in a row): %s", source.pk, source.name, failures, message)
    return CheckResult(source.pk, Status.ERROR, error=message)


def _record_new_content(
    *, source: WatchSource, token: str, started: datetime, response: Response, sha256: str, latest, kind
) -> CheckResult:
    is_list = isinstance(kind, ListFileKind)
    diff: dict = {}
    items: list[Item] = []
    item_count = 0
    after = None
    if not is_list:
        after = kind.extract(body=response.body, content_type=response.content_type, source=source)
        item_count = after.count
        if latest is not None:
            before = _snapshot_extract(latest, kind=kind, source=source)
            if before is None:
                diff = {"kind": "unreadable", "note": "the previous snapshot cannot be read any more"}
            else:
                if before.count and not after.count:
                    raise SourceError(
                        f"the answer has no items where the last snapshot had {before.count}; treated as a fault, "
                        "not as everything removed, and the last good snapshot is kept"
                    )
                diff, items = extract_diff(before, after, label=source.name)
    path = snapshot_file_write(source_id=source.pk, sha256=sha256, body=response.body)
    now = timezone.now()
    fields = _health_fields(now=now, source=source)
    fields.update(etag=response.etag, last_modified=response.last_modified, last_sha256=sha256)
    with transaction.atomic():
        # The health update is conditional on still owning the claim and locks the source row until commit
        # (releasing the claim only then): nobody else can have recorded a snapshot since `latest`.
        if not WatchSource.objects.filter(pk=source.pk, claim_token=token).update(**fields):
            raise _LostClaim
        if is_list:
            diff, item_count = kind.list_import(body=response.body, source=source)
            if latest is not None:
                items = kind.entry_items(external_ids=[*diff["added"], *diff["changed"]])
        snapshot = Snapshot.objects.create(
            source=source,
            sequence=(latest.sequence if latest else 0) + 1,
            fetched_at=now,
            sha256=sha256,
            http_status=response.status,
            headers=response.headers,
            path=path,
            size=len(response.body),
            item_count=item_count,
            extract=after.as_json() if after is not None else {},
        )
        result = CheckResult(source.pk, Status.BASELINE if latest is None else Status.CHANGED, snapshot_id=snapshot.pk)
        if latest is not None:
            added, removed, changed = diff_counts(diff)
            change = ChangeEvent.objects.create(
                source=source,
                before=latest,
                after=snapshot,
                added_count=added,
                removed_count=removed,
                changed_count=changed,
                diff=diff,
            )
            result.added, result.removed, result.changed, result.change_id = added, removed, changed, change.pk
            result.alert_ids = alerts_raise(change=change, snapshot=snapshot, items=items)
        CheckRecord.objects.create(
            source=source,
            started_at=started,
            finished_at=now,
            outcome=result.status,
            http_status=response.status,
            snapshot=snapshot,
        )
    return result


# --- alerts -----------------------------------------------------------------------------------------------------


def alerts_raise(*, change: ChangeEvent, snapshot: Snapshot, items: list[Item]) -> list[int]:
    """One alert per added or changed item that names the catalog or a source keyword. Idempotent: the
    dedupe key is (source, snapshot number, item), so the same change never alerts twice."""
    if not items:
        return []
    source = change.source
    terms = catalog_terms(keywords=source.keywords)
    alert_ids: list[int] = []
    for item in items:
        matches = text_matches(f"{item.title}\n{item.text}", terms)
        if not matches:
            continue
        key_hash = hashlib.sha256(item.key.encode()).hexdigest()[:24]
        alert, created = Alert.objects.get_or_create(
            dedupe_key=f"{source.pk}:{snapshot.sequence}:{key_hash}",
            defaults={
                "change": change,
                "title": item.title[:500] or source.name,
                "summary": _summary(item, matches),
                # the item's link, made absolute against the source; never a javascript: or data: link
                "url": (web_url(item.url, base=source.url) or source.url)[:2000],
                "matched_terms": sorted({term.label for term in matches}),
                "assignee": source.owner,
            },
        )
        alert_ids.append(alert.pk)
        if created:
            _alert_link(alert=alert, matches=matches)
    return alert_ids


def _summary(item: Item, matches: list[Term]) -> str:
    names = ", ".join(sorted({term.label for term in matches}))
    text = item.text if len(item.text) <= 1500 else item.text[:1500] + "..."
    return f"Names: {names}.\n\n{text}".strip()


def _alert_link(*, alert: Alert, matches: list[Term]) -> None:
    org_ids = {term.object_id for term in matches if term.kind == "organisation"}
    accelerator_ids = {term.object_id for term in matches if term.kind == "accelerator"}
    model_ids = {term.object_id for term in matches if term.kind == "model"}
    model_ids |= set(models_for_organisations(organisation_ids=org_ids).values_list("pk", flat=True))
    model_ids |= set(models_for_accelerators(accelerator_ids=accelerator_ids).values_list("pk", flat=True))
    alert.organisations.set(org_ids)
    alert.accelerators.set(accelerator_ids)
    alert.ai_models.set(model_ids)
    if model_ids:
        material_change_announce(
            model_ids=model_ids,
            kind=ChangeKind.WATCH_ALERT,
            reason=f"Watch alert from {alert.change.source.name}: {alert.title}",
            reference=f"alert:{alert.pk}",
        )
    recipients = [user.email for user in {alert.change.source.owner, alert.assignee} if user and user.email]
    if recipients:
        transaction.on_commit(lambda: _alert_mail(alert_id=alert.pk, recipients=sorted(set(recipients))))


def _alert_mail(*, alert_id: int, recipients: list[str], intro: str = "") -> None:
    alert = (
        Alert.objects.select_related("change__source", "evidence_source")
        .prefetch_related("ai_models", "organisations")
        .get(pk=alert_id)
    )
    models = ", ".join(model.name for model in alert.ai_models.all()) or "none in the catalog"
    orgs = ", ".join(org.display_name for org in alert.organisations.all()) or "none"
    body = (
        f"{intro}{alert.summary}\n\n"
        f"Source: {alert.source_name} ({alert.change.source.url if alert.change_id else alert.url})\n"
        f"Link: {alert.url}\n"
        f"Organisations: {orgs}\nModels concerned: {models}\nMatched: {', '.join(alert.matched_terms)}\n"
        f"Status: {alert.get_status_display()}\n"
    )
    try:
        send_mail(f"[riskreg watch] {alert.title}"[:200], body, None, recipients)
    except Exception:  # a mail server down must not undo the alert
        logger.exception("could not mail alert %s to %s", alert_id, recipients)


def _alert_set(*, alert: Alert, user, status: str | None = None, note: str = "", **fields) -> Alert:
    with transaction.atomic():
        alert = Alert.objects.select_for_update().get(pk=alert.pk)
        if status is not None:
            alert.status = status
        for name, value in fields.items():
            setattr(alert, name, value)
        alert.handled_by = user
        if note:
            alert.note = note
        alert._history_user = user
        alert.save()
    return alert


def alert_acknowledge(*, alert: Alert, user, note: str = "") -> Alert:
    if alert.status == Alert.Status.RESOLVED:
        raise BadInput({"status": "a resolved alert cannot be acknowledged; it is closed"})
    return _alert_set(alert=alert, user=user, status=Alert.Status.ACKNOWLEDGED, note=note)


def alert_resolve(*, alert: Alert, user, note: str = "") -> Alert:
    return _alert_set(alert=alert, user=user, status=Alert.Status.RESOLVED, note=note)


def alert_note(*, alert: Alert, user, note: str) -> Alert:
    return _alert_set(alert=alert, user=user, note=note)


def alert_assignable_users():
    """Users who can see alerts, and so can be given one."""
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(
            Q(is_superuser=True)
            | Q(groups__permissions__codename="view_alert", groups__permissions__content_type__app_label="watch")
            | Q(user_permissions__codename="view_alert", user_permissions__content_type__app_label="watch")
        )
        .distinct()
    )


def alert_assign(*, alert: Alert, assignee, user) -> Alert:
    if assignee is not None and not assignee.has_perm("watch.view_alert"):
        raise BadInput(
            {
                "assignee": f"{assignee.get_username()} cannot see alerts; assign someone who can (legal, security, "
                "procurement or auditor)"
            }
        )
    alert = _alert_set(alert=alert, user=user, assignee=assignee)
    if assignee is not None and assignee.email:
        transaction.on_commit(
            lambda: _alert_mail(
                alert_id=alert.pk, recipients=[assignee.email], intro=f"Assigned to you by {user.get_username()}.\n\n"
            )
        )
    return alert


# --- scheduling and retention ------------------------------------------------------------------------------------


def watch_due_dispatch(*, now: datetime | None = None, connection=None) -> DispatchResult:
    """Send one check task per due source. Nothing is marked as dispatched: a source's next check moves only
    when its check runs, so if the broker is down the same sources are due again at the next beat, and a
    duplicate task finds the source no longer due and does nothing."""
    from riskreg.watch.selectors import watch_sources_due
    from riskreg.watch.tasks import watch_source_check_task as check_task

    due = list(watch_sources_due(now=now or timezone.now()).values_list("pk", flat=True))
    dispatched = 0
    for source_id in due:
        try:
            check_task.apply_async(
                args=[source_id],
                retry=False,
                expires=settings.RISKREG_WATCH_TASK_EXPIRES,
                connection=connection,
            )
        except Exception as exc:  # the broker's errors vary by transport (kombu, redis, OSError)
            logger.warning("broker unreachable: %d due sources wait for the next beat: %s", len(due) - dispatched, exc)
            return DispatchResult(due=len(due), dispatched=dispatched, error=f"{type(exc).__name__}: {exc}")
        dispatched += 1
    return DispatchResult(due=len(due), dispatched=dispatched)


def watch_snapshots_prune(*, now: datetime | None = None, retention_days: int | None = None) -> int:
    """Delete snapshots older than RISKREG_WATCH_RETENTION_DAYS, never a source's latest, and their files
    when no snapshot uses them any more. Changes and alerts stay (their diff is kept with them)."""
    now = now or timezone.now()
    days = retention_days if retention_days is not None else settings.RISKREG_WATCH_RETENTION_DAYS
    newest = Snapshot.objects.filter(source=OuterRef("source")).order_by("-sequence").values("sequence")[:1]
    old = Snapshot.objects.filter(fetched_at__lt=now - timedelta(days=days)).exclude(sequence=Subquery(newest))
    doomed = list(old.values_list("pk", "path"))
    if not doomed:
        return 0
    with transaction.atomic():
        Snapshot.objects.filter(pk__in=[pk for pk, _ in doomed]).delete()
    still_used = set(Snapshot.objects.filter(path__in={path for _, path in doomed}).values_list("path", flat=True))
    for _, path in doomed:
        if path not in still_used:
            (Path(settings.RISKREG_DATA_DIR) / path).unlink(missing_ok=True)
    return len(doomed)
