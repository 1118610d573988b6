"""A wrong sign-off policy shows up in `manage.py check`, not when the first request is submitted."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Tags, register

from riskreg.register.workflow import required_sign_offs_problems


@register(Tags.compatibility)
def required_sign_offs_setting(app_configs, **kwargs):
    override = getattr(settings, "RISKREG_REQUIRED_SIGN_OFFS", None)
    if override is None:
        return []
    return [
        Error(f"RISKREG_REQUIRED_SIGN_OFFS: {problem}.", id="register.E001")
        for problem in required_sign_offs_problems(override)
    ]
