"""The 403 and 404 pages in the register's look (handler403/handler404 in riskreg/urls.py): they say why, and
who can grant a role. The 500 page is a plain template (templates/500.html): it must render with nothing."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.shortcuts import render

from riskreg.core.roles import Role, user_roles
from riskreg.workspace.views import page_context

GENERIC_REFUSAL = "Your role in the register does not allow this."


def _administrators() -> list[dict]:
    """Who can grant a role: the active administrators (a handful at most)."""
    users = get_user_model().objects.filter(is_active=True, is_superuser=True).order_by("username")[:5]
    return [{"name": user.get_full_name() or user.get_username(), "email": user.email} for user in users]


def permission_denied(request, exception=None):
    reason = str(exception or "").strip() or GENERIC_REFUSAL
    user = request.user
    context = page_context(
        request,
        title="You may not do this",
        reason=reason,
        roles=[Role(role).label for role in sorted(user_roles(user))] if user.is_authenticated else [],
        all_roles=[label for _, label in Role.choices],
        administrators=_administrators() if user.is_authenticated else [],
        is_nav_sidebar_enabled=False,
    )
    return render(request, "403.html", context, status=403)


def page_not_found(request, exception=None):
    context = page_context(request, title="Nothing here", path=request.path, is_nav_sidebar_enabled=False)
    return render(request, "404.html", context, status=404)
