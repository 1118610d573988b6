"""A URLconf for the admin tests: the catalog and register admins wired the way docs/reports.md asks the
lead to wire them (their admin.py files belong to other branches)."""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from models_catalog.models import AIModel
from reports.admin import MemoAdmin, ModelMemoInline, RequestMemoInline, generate_model_memo, generate_request_memo
from reports.models import Memo
from riskreg.register.models import AdoptionRequest

site = admin.AdminSite(name="admin")


class AIModelAdmin(admin.ModelAdmin):
    inlines = [ModelMemoInline]
    actions = [generate_model_memo]


class AdoptionRequestAdmin(admin.ModelAdmin):
    inlines = [RequestMemoInline]
    actions = [generate_request_memo]


site.register(AIModel, AIModelAdmin)
site.register(AdoptionRequest, AdoptionRequestAdmin)
site.register(Memo, MemoAdmin)

urlpatterns = [
    path("admin/", site.urls),
    path("", include("reports.urls")),
]
