"""The stored copy of a captured source, opened from the dossier (issue 23 item 6): legal reads what the register
relied on, as it was when captured, not the page as it is today.

Only for those who view captures (every role but the requester, riskreg.evidence.roles). The copy is served as
evidence, never as a live page: HTML and other text as plain text (its markup shown, nothing run or fetched), a PDF
or anything else as a download; the copy is checked against its SHA-256 first, and the answer says the SHA-256,
when it was retrieved and the type it came with. A sandboxing Content-Security-Policy covers it all the same.
"""

from __future__ import annotations

import hashlib

from csp.decorators import csp
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from riskreg.evidence.models import Capture
from riskreg.evidence.store import copy_read

TEXT_TYPES = ("text/", "application/json", "application/xml", "application/xhtml+xml", "application/rss+xml")
EXTENSIONS = {"application/pdf": "pdf"}


@require_GET
@login_required
@csp({"default-src": ["'none'"], "sandbox": [""]})
def capture_copy(request, capture_id: int):
    if not request.user.has_perm("evidence.view_capture"):
        raise PermissionDenied("Opening captured copies needs a role that reads the evidence (not the requester).")
    capture = get_object_or_404(Capture.objects.exclude(path=""), pk=capture_id)
    try:
        body = copy_read(path=capture.path)
    except OSError:
        return HttpResponse("The stored copy of this capture cannot be read.", status=410, content_type="text/plain")
    if hashlib.sha256(body).hexdigest() != capture.sha256:
        return HttpResponse(
            "The stored copy no longer matches the SHA-256 recorded when it was captured: it was altered or replaced, "
            "and is not served.",
            status=409,
            content_type="text/plain",
        )
    original = (capture.content_type or "").split(";")[0].strip().lower()
    if original.startswith(TEXT_TYPES):
        response = HttpResponse(body, content_type="text/plain; charset=utf-8")
        response["Content-Disposition"] = f'inline; filename="capture-{capture.pk}.txt"'
    else:
        response = HttpResponse(body, content_type="application/octet-stream")
        extension = EXTENSIONS.get(original, "bin")
        response["Content-Disposition"] = (
            f'attachment; filename="capture-{capture.pk}-{capture.sha256[:12]}.{extension}"'
        )
    response["X-Capture-SHA256"] = capture.sha256
    response["X-Capture-Retrieved-At"] = capture.retrieved_at.isoformat()
    response["X-Capture-Content-Type"] = capture.content_type or "unknown"
    response["Cache-Control"] = "private, no-store"
    return response
