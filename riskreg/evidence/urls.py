from django.urls import path

from riskreg.evidence import views

urlpatterns = [
    path("evidence/captures/<int:capture_id>/copy/", views.capture_copy, name="evidence-capture-copy"),
]
