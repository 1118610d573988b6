from __future__ import annotations

from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from riskreg.api import router
from riskreg.core.sso import CallbackView, SignInView
from riskreg.register.api import ListVersionImpactView
from riskreg.workspace.api import AIModelAsOfViewSet
from riskreg.workspace.views import login as workspace_login

admin.site.site_header = "riskreg: AI model risk register"
admin.site.site_title = "riskreg"
admin.site.site_url = "/"  # "View site" goes to the workspace home page
admin.site.index_title = "Catalog, screening, watch, register and memos"

urlpatterns = [
    # Browsers ask for /favicon.ico whatever the page says: the register's icon, not a 404 in the log.
    path("favicon.ico", RedirectView.as_view(url=static("workspace/favicon.svg"), permanent=True)),
    # The admin's login, landing on the workspace home page when no `next` is given.
    path("admin/login/", workspace_login, name="workspace-login"),
    # Single sign-on (riskreg/core/sso.py): 404 while no provider is configured.
    path("oidc/authenticate/", SignInView.as_view(), name="oidc_authentication_init"),
    path("oidc/callback/", CallbackView.as_view(), name="oidc_authentication_callback"),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger's start-up script as a file: no inline script for the CSP to allow.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path("api/auth/", include("rest_framework.urls")),
    # The catalog's model detail, plus ?as_of=YYYY-MM-DD (riskreg/workspace/api.py).
    path(
        "api/models/<slug:slug>/",
        AIModelAsOfViewSet.as_view(
            {"get": "retrieve", "put": "update", "patch": "partial_update", "delete": "destroy"}
        ),
        name="aimodel-detail-as-of",
    ),
    # Issue 14: a list version's impact (the register's derivation over the screening app's versions).
    path(
        "api/screening/list-versions/<int:pk>/impact/",
        ListVersionImpactView.as_view(),
        name="list-version-impact",
    ),
    path("api/", include(router.urls)),
    path("", include("riskreg.evidence.urls")),
    path("", include("reports.urls")),
    path("", include("riskreg.workspace.urls")),
]

# The register's own 403 and 404 pages (say why, and who can grant a role); 500 is templates/500.html.
handler403 = "riskreg.workspace.error_views.permission_denied"
handler404 = "riskreg.workspace.error_views.page_not_found"
