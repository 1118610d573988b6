"""The impact page of a sanctions list version: what its added and removed entries would change (issue 14)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from riskreg.register.services.list_impact import list_version_impact
from riskreg.screening.models import ListVersion
from riskreg.workspace.views import page_context, require_a_role


@login_required
@require_GET
def list_version_impact_page(request, version_id: int):
    require_a_role(request.user)
    if not request.user.has_perm("screening.view_listversion"):
        raise PermissionDenied("You may not read sanctions list versions.")
    version = get_object_or_404(ListVersion.objects.select_related("sanctions_list", "imported_by"), pk=version_id)
    impact = list_version_impact(version_id=version.pk, reader=request.user)
    context = page_context(
        request,
        title=f"Impact of {version.sanctions_list.name}, version #{version.pk}",
        version=version,
        impact=impact,
    )
    return render(request, "workspace/list_version_impact.html", context)
