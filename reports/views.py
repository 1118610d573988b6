"""Downloads for the admin: a permission-checked view, never a public media URL."""

from __future__ import annotations

import hashlib
import io
import logging

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from reports.models import Memo
from reports.services import MemoError, memo_download_name, memo_pdf_path

logger = logging.getLogger(__name__)


def memo_file_response(memo: Memo) -> HttpResponse:
    """The stored PDF, only if it still has the SHA-256 recorded when it was made: a reader never
    receives an altered or damaged memo as if it were the filed one."""
    if memo.status != Memo.Status.DONE:
        raise Http404("This memo is not ready yet.")
    try:
        data = memo_pdf_path(memo=memo).read_bytes()
    except (OSError, MemoError):
        raise Http404("The stored PDF of this memo is missing.") from None
    if hashlib.sha256(data).hexdigest() != memo.pdf_sha256:
        logger.error("memo %s: stored PDF does not match its recorded SHA-256; download refused", memo.pk)
        return HttpResponse(
            f"The stored PDF of memo #{memo.pk} does not match the SHA-256 recorded when it was generated "
            f"({memo.pdf_sha256}): it was altered or damaged, so it is not served. Verify the memo and "
            "generate a new version from the register.",
            status=409,
            content_type="text/plain; charset=utf-8",
        )
    response = FileResponse(
        io.BytesIO(data), content_type="application/pdf", as_attachment=True, filename=memo_download_name(memo=memo)
    )
    response["X-Memo-SHA256"] = memo.pdf_sha256
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def memo_download(request, memo_id: int):
    """404 for memos the user may not see, so their existence is not revealed."""
    memo = get_object_or_404(Memo.objects.visible_to(request.user), pk=memo_id)
    return memo_file_response(memo)
