"""System checks: misconfiguration shows up in `manage.py check`, not as a stack trace at 2 a.m."""

from __future__ import annotations

import difflib
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


@register(Tags.compatibility, deploy=False)
def unknown_register_variables(app_configs, **kwargs):
    """A RISKREG_* variable in the environment that nothing reads is a typo or a leftover: say so, and what it was
    probably meant to be (``RISKREG_APROVAL_VALIDITY_DAYS`` would otherwise leave approvals at the default)."""
    from riskreg.env import READ, READ_ELSEWHERE

    known = READ | set(READ_ELSEWHERE)
    problems = []
    for name in sorted(n for n in os.environ if n.startswith("RISKREG_") and n not in known):
        close = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.8)
        hint = f"Did you mean {close[0]}?" if close else "See the README's configuration table for the names."
        problems.append(
            Warning(
                f"{name} is set in the environment but the register reads no such variable.",
                hint=hint,
                id="riskreg.W010",
            )
        )
    return problems
