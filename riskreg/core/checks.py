"""System checks: misconfiguration shows up in `manage.py check`, not as a stack trace at 2 a.m."""

from __future__ import annotations

import os

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register


@register(Tags.compatibility, deploy=False)
def data_dir_writable(app_configs, **kwargs):
    data_dir = settings.RISKREG_DATA_DIR
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        return [Error(f"RISKREG_DATA_DIR {data_dir} cannot be created: {exc}", id="riskreg.E001")]
    if not os.access(data_dir, os.W_OK):
        return [Error(f"RISKREG_DATA_DIR {data_dir} is not writable by this user.", id="riskreg.E002")]
    return []


@register(Tags.security, deploy=True)
def production_services(app_configs, **kwargs):
    problems = []
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        problems.append(Warning("DATABASE_URL is SQLite; production runs on PostgreSQL.", id="riskreg.W002"))
    if not settings.REDIS_URL:
        problems.append(Warning("REDIS_URL is not set; the SQLite broker is for one machine only.", id="riskreg.W003"))
    return problems
