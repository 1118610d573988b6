"""Responses about the register stay in the reader's own cache: ``Cache-Control: private, no-cache`` on every API
answer and every page served to a signed-in user (a shared proxy keeps none of them; the browser asks again, and
the ETag of ConditionalGetMiddleware makes that a 304 when nothing changed). A view that sets its own
Cache-Control (a memo's PDF, say) keeps it, with ``private`` added."""

from __future__ import annotations

from django.utils.cache import patch_cache_control


class PrivateCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if request.path.startswith("/api/") or (user is not None and user.is_authenticated):
            if response.has_header("Cache-Control"):
                patch_cache_control(response, private=True)
            else:
                patch_cache_control(response, private=True, no_cache=True)
        return response
