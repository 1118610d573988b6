from __future__ import annotations

from django.urls import path

from riskreg.workspace import guidance_views, list_views, request_views, views

app_name = "workspace"

urlpatterns = [
    path("", views.home, name="home"),
    # The request page (issue 11): file, submit, assess and sign off in one place.
    path("requests/new/", request_views.request_new, name="request-new"),
    path("requests/new/preview/", request_views.request_preview_fragment, name="request-preview"),
    path("requests/<int:request_id>/", request_views.request_detail, name="request-detail"),
    path("requests/<int:request_id>/submit/", request_views.request_submit, name="request-submit"),
    path("requests/<int:request_id>/accept-all/", request_views.risk_items_accept_all, name="request-accept-all"),
    path(
        "requests/<int:request_id>/risk-items/<int:item_id>/",
        request_views.risk_item_assess,
        name="request-risk-item",
    ),
    path("requests/<int:request_id>/sign-off/", request_views.request_sign_off, name="request-sign-off"),
    # Issue 21: the request page, complete: change or withdraw a draft, add a risk item, conditions, considered.
    path("requests/<int:request_id>/edit/", request_views.request_edit, name="request-edit"),
    path("requests/<int:request_id>/withdraw/", request_views.request_withdraw, name="request-withdraw"),
    path("requests/<int:request_id>/risk-items/new/", request_views.risk_item_add, name="request-risk-item-add"),
    path(
        "requests/<int:request_id>/conditions/<int:condition_id>/",
        request_views.request_condition,
        name="request-condition",
    ),
    path(
        "requests/<int:request_id>/obligations-considered/",
        request_views.request_obligation_consider,
        name="request-obligation-consider",
    ),
    path("models/<slug:slug>/", views.model_dossier, name="model"),
    # Issue 14: what publishing a draft guidance would change, and the publish button.
    path("guidance/<int:guidance_id>/impact/", guidance_views.guidance_impact_page, name="guidance-impact"),
    # Issue 14: what a sanctions list version's added and removed entries would change.
    path("lists/versions/<int:version_id>/impact/", list_views.list_version_impact_page, name="list-version-impact"),
]
