from __future__ import annotations

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from riskreg.api import router

admin.site.site_header = "riskreg: AI model risk register"
admin.site.site_title = "riskreg"
admin.site.site_url = "/"  # "View site" goes to the workspace home page
admin.site.index_title = "Catalog, screening, watch, register and memos"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("api/auth/", include("rest_framework.urls")),
    path("api/", include(router.urls)),
    path("", include("reports.urls")),
    path("", include("riskreg.workspace.urls")),
]

# The register's own 403 and 404 pages (say why, and who can grant a role); 500 is templates/500.html.
handler403 = "riskreg.workspace.error_views.permission_denied"
handler404 = "riskreg.workspace.error_views.page_not_found"
