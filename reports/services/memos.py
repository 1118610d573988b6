"""Memo lifecycle: request (pending) -> generate (rendering -> done | failed) -> verify. Done memos never change."""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Max, Q
from django.utils import timezone

from models_catalog.models import AIModel
from reports.models import Memo, MemoVerification
from reports.services import versions
from reports.services.snapshot import (
    memo_meta,
    model_snapshot_build,
    portfolio_snapshot_build,
    snapshot_sha256,
    snapshot_storable,
)
from riskreg.core.errors import BadInput
from riskreg.core.jobs import job_claim, jobs_stuck
from riskreg.register.models import AdoptionRequest


def _render():
    """The WeasyPrint side, imported when a memo is made or verified: importing WeasyPrint (Pango through
    cffi) costs half a second, which every `manage.py` command and web process would otherwise pay."""
    from reports.services import render

    return render


logger = logging.getLogger(__name__)

#: After this many attempts that each ran out of time, a memo is failed instead of sent again.
MAX_ATTEMPTS = 3


def memo_render_stale_after() -> timedelta:
    """A memo "rendering" for longer than the render task's hard time limit has lost its worker (the limit
    kills it), so another task may claim it."""
    return timedelta(seconds=settings.RISKREG_TASK_LIMITS["memo"]["time_limit"])


class MemoError(BadInput, ValueError):
    """A memo cannot be made as asked; the message says why."""


def memo_storage_dir() -> Path:
    return Path(settings.RISKREG_DATA_DIR) / "memos"


def memo_download_name(*, memo: Memo) -> str:
    """The file name a memo downloads (and is copied) under."""
    if memo.kind == Memo.Kind.PORTFOLIO:
        return f"riskreg-portfolio-v{memo.version}.pdf"
    if memo.kind == Memo.Kind.REQUEST:
        return f"riskreg-request-{memo.request_id}-memo-v{memo.version}.pdf"
    return f"riskreg-{memo.model.slug}-memo-v{memo.version}.pdf"


def memo_pdf_path(*, memo: Memo) -> Path:
    """The stored PDF's absolute path; refuses a path that leaves the memo directory."""
    root = memo_storage_dir().resolve()
    path = (root / memo.pdf_path).resolve()
    if not memo.pdf_path or not path.is_relative_to(root):
        raise MemoError(f"memo {memo.pk} has no stored PDF under {root}")
    return path


def _subject_filter(*, kind: str, model: AIModel | None, request: AdoptionRequest | None) -> Q:
    if kind == Memo.Kind.MODEL:
        return Q(kind=kind, model=model)
    if kind == Memo.Kind.REQUEST:
        return Q(kind=kind, request=request)
    return Q(kind=kind)


# An arbitrary constant naming the portfolio memo's version counter among PostgreSQL advisory locks.
PORTFOLIO_MEMO_LOCK = 0x6D656D6F  # "memo"


def _subject_lock(*, kind: str, model: AIModel | None, request: AdoptionRequest | None) -> None:
    """Take the subject's row lock so that simultaneous memos of one subject number themselves one after
    the other (the unique constraint alone made all but one fail and retry, and retries ran out). A model
    memo locks the model, a request memo the request. The portfolio has no row of its own: on PostgreSQL it
    takes a transaction-level advisory lock (locking its latest memo left the first portfolio memo ever, and
    callers that read different "latest" rows, to the retry, which ran out under load); SQLite's write
    transactions are serialised already."""
    if kind == Memo.Kind.REQUEST:
        AdoptionRequest.objects.select_for_update().filter(pk=request.pk).values_list("pk", flat=True).first()
    elif kind == Memo.Kind.MODEL:
        AIModel.objects.select_for_update().filter(pk=model.pk).values_list("pk", flat=True).first()
    elif connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [PORTFOLIO_MEMO_LOCK])


def memo_create(*, kind: str, model: AIModel | None = None, request: AdoptionRequest | None = None, user=None) -> Memo:
    """A pending memo with the subject's next version number (nothing rendered yet)."""
    if kind == Memo.Kind.MODEL:
        if model is None or request is not None:
            raise MemoError("A model memo needs a model and no adoption request.")
    elif kind == Memo.Kind.REQUEST:
        if request is None:
            raise MemoError("An adoption request memo needs the request.")
        if model is not None and model.pk != request.model_id:
            raise MemoError(f"Request #{request.pk} is for another model than {model}.")
        model = request.model
    elif kind == Memo.Kind.PORTFOLIO:
        if model is not None or request is not None:
            raise MemoError("The portfolio report covers every model; give neither a model nor a request.")
    else:
        raise MemoError(f"Unknown memo kind {kind!r}; use one of {', '.join(Memo.Kind.values)}.")

    subject = _subject_filter(kind=kind, model=model, request=request)
    for _attempt in range(5):
        try:
            with transaction.atomic():
                _subject_lock(kind=kind, model=model, request=request)
                last = Memo.objects.filter(subject).aggregate(last=Max("version"))["last"] or 0
                memo = Memo(kind=kind, model=model, request=request, version=last + 1, generated_by=user)
                memo.save()
                return memo
        except IntegrityError:
            continue  # someone took that version number at the same moment; take the next one
    raise MemoError("Could not allocate a memo version after 5 attempts; try again.")


def memo_request(*, kind: str, model: AIModel | None = None, request: AdoptionRequest | None = None, user=None) -> Memo:
    """Create a pending memo and have a worker render it once this transaction commits."""
    from reports.tasks import memo_generate_task

    memo = memo_create(kind=kind, model=model, request=request, user=user)
    memo_generate_task.delay_on_commit(memo.pk)
    return memo


def memo_snapshot(*, memo: Memo, at) -> dict:
    meta = memo_meta(
        kind=memo.kind,
        version=memo.version,
        generated_by=memo.generated_by,
        template_version=versions.TEMPLATE_VERSION,
        subject=str(memo),
    )
    meta["id"] = memo.pk
    if memo.kind == Memo.Kind.PORTFOLIO:
        return snapshot_storable(portfolio_snapshot_build(memo=meta, at=at))
    return snapshot_storable(model_snapshot_build(model_id=memo.model_id, request_id=memo.request_id, memo=meta, at=at))


def _store_pdf(*, memo: Memo, pdf: bytes, sha256: str) -> str:
    if memo.kind == Memo.Kind.PORTFOLIO:
        folder = Path("portfolio")
    elif memo.kind == Memo.Kind.REQUEST:
        folder = Path("requests") / str(memo.request_id)
    else:
        folder = Path("models") / str(memo.model_id)
    relative = folder / f"memo-{memo.pk}-v{memo.version}-{sha256[:12]}.pdf"
    target = memo_storage_dir() / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=target.parent, prefix=".tmp-", delete=False) as handle:
        handle.write(pdf)
        handle.flush()
        os.fsync(handle.fileno())
    os.chmod(handle.name, 0o444)
    os.replace(handle.name, target)
    return relative.as_posix()


def memo_generate(*, memo_id: int, task_id: str = "") -> Memo:
    """Build the snapshot, render it and store the PDF. Idempotent: a done memo is returned untouched,
    and one being rendered by another worker is left to it, unless that worker has been at it longer than
    the render's hard time limit, or `task_id` is the task that claimed it: the queue delivers a task again
    only when the worker running it was lost, so the new delivery takes the memo over at once."""
    claimed = job_claim(
        Memo,
        pk=memo_id,
        task_id=task_id,
        working=Memo.Status.RENDERING,
        stale_after=memo_render_stale_after(),
        ready=(Memo.Status.PENDING, Memo.Status.FAILED),
        error="",
    )
    memo = Memo.objects.select_related("generated_by").get(pk=memo_id)
    now = memo.started_at or timezone.now()
    if not claimed:
        return memo
    try:
        snapshot = memo_snapshot(memo=memo, at=now)
        snapshot_hash = snapshot_sha256(snapshot)
        result = _render().memo_render(snapshot=snapshot)
        pdf_hash = hashlib.sha256(result.pdf).hexdigest()
        relative = _store_pdf(memo=memo, pdf=result.pdf, sha256=pdf_hash)
        Memo.objects.filter(pk=memo.pk, status=Memo.Status.RENDERING).update(
            status=Memo.Status.DONE,
            snapshot=snapshot,
            snapshot_sha256=snapshot_hash,
            pdf_path=relative,
            pdf_sha256=pdf_hash,
            pages=result.pages,
            template_version=versions.TEMPLATE_VERSION,
            renderer=_render().RENDERER,
            finished_at=timezone.now(),
            error="",
        )
    except Exception as exc:
        logger.exception("memo %s failed", memo_id)
        if isinstance(exc, SoftTimeLimitExceeded):
            error = (
                f"Rendering took longer than the time limit of {settings.RISKREG_MEMO_TIME_LIMIT} s "
                "(RISKREG_MEMO_TIME_LIMIT) and was stopped; generate the memo again, or raise the limit."
            )
        else:
            error = f"{type(exc).__name__}: {exc}"[:4000]
        Memo.objects.filter(pk=memo_id, status=Memo.Status.RENDERING).update(
            status=Memo.Status.FAILED, error=error, finished_at=timezone.now()
        )
        raise
    memo.refresh_from_db()
    return memo


def memos_stuck_resend(*, now: datetime | None = None) -> dict[str, int]:
    """The sweep's part for memos: send the render task again for every memo stuck past the render's hard time
    limit: "pending" (its message was lost with a broker or worker) or "rendering" (its worker died and nothing
    delivered the task again). A duplicate is harmless: the claim lets one task render. A memo whose attempts
    have all run out of time is failed with the reason instead of being sent forever."""
    from reports.tasks import memo_generate_task

    now = now or timezone.now()
    stuck, given_up = jobs_stuck(
        Memo,
        working=Memo.Status.RENDERING,
        stale_after=memo_render_stale_after(),
        max_attempts=MAX_ATTEMPTS,
        now=now,
        status=Memo.Status.FAILED,
        finished_at=now,
        error=(
            f"Rendering was stopped {MAX_ATTEMPTS} times by the time limit or a lost worker; "
            "generate the memo again, or raise RISKREG_MEMO_TIME_LIMIT."
        ),
    )
    for memo_id in stuck:
        memo_generate_task.delay_on_commit(memo_id)
    if stuck or given_up:
        logger.warning(
            "sweep: sent %d stuck memos again, failed %d after %d attempts", len(stuck), given_up, MAX_ATTEMPTS
        )
    return {"memos resent": len(stuck), "memos given up": given_up}


def memo_generate_now(
    *, kind: str, model: AIModel | None = None, request: AdoptionRequest | None = None, user=None
) -> Memo:
    """Create and render in this process (the `memo` command, the demo)."""
    memo = memo_create(kind=kind, model=model, request=request, user=user)
    return memo_generate(memo_id=memo.pk)


def _captures_problems(snapshot: dict) -> list[str]:
    from riskreg.evidence.selectors import captures_problems

    expected: dict[int, str] = {}
    for source in snapshot.get("sources", []):
        for capture in (source.get("capture"), source.get("latest_capture")):
            if capture:
                expected[capture["id"]] = capture["sha256"]
    for capture_id in snapshot["captures"]:
        expected.setdefault(capture_id, "")
    return captures_problems(expected=expected)


def memo_verify(*, memo: Memo, user=None) -> dict:
    """Recompute both hashes and re-render from the stored snapshot. The memo is ok when the stored snapshot
    still has its hash, the stored PDF still has its hash, and the re-rendered PDF is byte-identical to it.
    Each check is recorded (MemoVerification)."""
    problems: list[str] = []
    result: dict = {
        "memo_id": memo.pk,
        "version": memo.version,
        "status": memo.status,
        "snapshot_sha256": memo.snapshot_sha256,
        "pdf_sha256": memo.pdf_sha256,
        "pages": memo.pages,
        "template_version": memo.template_version,
        "renderer": memo.renderer,
    }
    checks = {"snapshot_sha256_ok": False, "pdf_sha256_ok": False, "rerender_ok": False, "rerender_identical": False}
    if memo.status != Memo.Status.DONE:
        problems.append(f"the memo is {memo.get_status_display().lower()}, not done")
    else:
        if snapshot_sha256(memo.snapshot) == memo.snapshot_sha256:
            checks["snapshot_sha256_ok"] = True
        else:
            problems.append("the stored snapshot no longer matches its SHA-256")
        stored = None
        try:
            stored = memo_pdf_path(memo=memo).read_bytes()
        except (OSError, MemoError) as exc:
            problems.append(f"the stored PDF cannot be read: {exc}")
        if stored is not None:
            result["stored_pdf_sha256"] = hashlib.sha256(stored).hexdigest()
            if result["stored_pdf_sha256"] == memo.pdf_sha256:
                checks["pdf_sha256_ok"] = True
            else:
                problems.append("the stored PDF does not match its recorded SHA-256 (altered or replaced)")
        try:
            rerender = _render().memo_render(snapshot=memo.snapshot)
        except Exception as exc:  # a snapshot that no longer renders is a failed verification, not a crash
            problems.append(f"re-rendering the snapshot failed: {type(exc).__name__}: {exc}")
        else:
            checks["rerender_ok"] = True
            result["rerendered_pdf_sha256"] = hashlib.sha256(rerender.pdf).hexdigest()
            result["rerendered_pages"] = rerender.pages
            checks["rerender_identical"] = result["rerendered_pdf_sha256"] == memo.pdf_sha256
            if not checks["rerender_identical"]:
                problems.append("re-rendering the snapshot does not reproduce the recorded PDF")
                if memo.renderer and memo.renderer != _render().RENDERER:
                    problems.append(f"the memo was rendered by {memo.renderer}, this system runs {_render().RENDERER}")
                if stored is not None:
                    stored_text, new_text = _render().pdf_text(stored), _render().pdf_text(rerender.pdf)
                    if stored_text is not None and new_text is not None:
                        result["rerender_text_identical"] = stored_text == new_text
        if "captures" in memo.snapshot:  # template memo-4 on: the source copies the memo cites
            capture_problems = _captures_problems(memo.snapshot)
            checks["captures_ok"] = not capture_problems
            result["captures_checked"] = len(memo.snapshot["captures"])
            problems.extend(capture_problems)
    result.update(checks)
    result["ok"] = all(checks.values()) and not problems
    result["problems"] = problems
    MemoVerification.objects.create(memo=memo, ok=result["ok"], result=result, verified_by=user)
    return result
