"""Downloads for the admin: a permission-checked view, never a public media URL."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from reports.models import Memo
from reports.selectors import memos_visible_to
from reports.services import MemoError, memo_pdf_path


def memo_file_response(memo: Memo) -> FileResponse:
    if memo.status != Memo.Status.DONE:
        raise Http404("This memo is not ready yet.")
    try:
        path = memo_pdf_path(memo=memo)
        handle = path.open("rb")
    except (OSError, MemoError):
        raise Http404("The stored PDF of this memo is missing.") from None
    response = FileResponse(handle, content_type="application/pdf", as_attachment=True, filename=memo_filename(memo))
    response["X-Memo-SHA256"] = memo.pdf_sha256
    response["Cache-Control"] = "private, no-store"
    return response


def memo_filename(memo: Memo) -> str:
    if memo.kind == Memo.Kind.PORTFOLIO:
        return f"riskreg-portfolio-v{memo.version}.pdf"
    if memo.kind == Memo.Kind.REQUEST:
        return f"riskreg-request-{memo.request_id}-memo-v{memo.version}.pdf"
    return f"riskreg-{memo.model.slug}-memo-v{memo.version}.pdf"


@login_required
@require_GET
def memo_download(request, memo_id: int):
    """404 for memos the user may not see, so their existence is not revealed."""
    memo = get_object_or_404(memos_visible_to(user=request.user), pk=memo_id)
    return memo_file_response(memo)
