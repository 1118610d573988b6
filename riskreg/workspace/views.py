"""The workspace pages. Each view checks its permission, reads through selectors and renders one template."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.views.decorators.http import require_GET

from riskreg.core.roles import user_roles


def page_context(request, **extra) -> dict:
    """What every workspace page needs: the admin's header, user tools and look (one product), then the page's own."""
    return {**admin.site.each_context(request), **extra}


def require_a_role(user) -> None:
    """A signed-in user with no role (and not an administrator) sees nothing of the register."""
    if not (user.is_superuser or user_roles(user)):
        raise PermissionDenied(
            "Your account has no role in the register yet. Ask an administrator to add you to a group."
        )


@login_required
@require_GET
def home(request):
    require_a_role(request.user)
    return render(request, "workspace/home.html", page_context(request, title="Home"))
