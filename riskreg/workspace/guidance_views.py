"""The guidance impact page: what publishing a draft would do, and the button that publishes it (legal)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from models_catalog.models import RegulatoryGuidance
from riskreg.register.services.guidance import PublishRefused, guidance_impact, guidance_publish
from riskreg.workspace.views import page_context, require_a_role


@login_required
@require_http_methods(["GET", "POST"])
def guidance_impact_page(request, guidance_id: int):
    require_a_role(request.user)
    if not request.user.has_perm("models_catalog.view_regulatoryguidance"):
        raise PermissionDenied("You may not read regulatory guidance.")
    guidance = get_object_or_404(RegulatoryGuidance.objects.select_related("jurisdiction"), pk=guidance_id)
    can_publish = request.user.has_perm("models_catalog.change_regulatoryguidance")
    if request.method == "POST":
        if not can_publish:
            raise PermissionDenied("Only legal may publish guidance.")
        try:
            impact = guidance_publish(guidance_id=guidance.pk, actor=request.user)
        except PublishRefused as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                f"Published. {len(impact.models)} model(s) changed, {len(impact.requests_reopening)} request(s) "
                "reopened.",
            )
        return redirect("workspace:guidance-impact", guidance_id=guidance.pk)
    impact = guidance_impact(guidance=guidance, reader=request.user)
    context = page_context(
        request,
        title=f"Impact of {guidance.title}",
        guidance=guidance,
        impact=impact,
        can_publish=can_publish and guidance.publication == RegulatoryGuidance.Publication.DRAFT,
    )
    return render(request, "workspace/guidance_impact.html", context)
