from __future__ import annotations

from django.apps import AppConfig


class WorkspaceConfig(AppConfig):
    """The register's own pages for the people who use it: the home page of one's work, the model dossier and
    the request page. It sits on top of every other app and reads them through their selectors; no app
    imports it."""

    name = "riskreg.workspace"
    label = "workspace"
    verbose_name = "Workspace"
