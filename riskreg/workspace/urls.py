from __future__ import annotations

from django.urls import path

from riskreg.workspace import views

app_name = "workspace"

urlpatterns = [
    path("", views.home, name="home"),
    path("models/<slug:slug>/", views.model_dossier, name="model"),
]
