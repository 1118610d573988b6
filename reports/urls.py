from __future__ import annotations

from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("memos/<int:memo_id>/download/", views.memo_download, name="memo-download"),
]
