"""`manage.py check` guards the WeasyPrint patches: they were written for one WeasyPrint version."""

from __future__ import annotations

from importlib.metadata import version

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from reports import checks
from reports.services import weasyprint_compat


def ids(problems) -> list[str]:
    return [problem.id for problem in problems]


def test_the_pinned_weasyprint_passes_the_check_and_both_patches_apply():
    assert version("weasyprint") == weasyprint_compat.WEASYPRINT_PATCHED_FOR  # requirements.txt pins it
    assert checks.weasyprint_patches_guarded(None) == []


def test_another_weasyprint_version_is_a_warning_naming_each_patch_and_why(monkeypatch):
    monkeypatch.setattr(weasyprint_compat, "WEASYPRINT_PATCHED_FOR", "69.0")  # as if 70.0 were an upgrade

    (problem,) = checks.weasyprint_patches_guarded(None)

    assert problem.id == "reports.W002"
    assert f"WeasyPrint {version('weasyprint')} is installed" in problem.msg and "written for 69.0" in problem.msg
    for name, reason in weasyprint_compat.PATCHES.items():
        assert f"{name}: {reason}" in problem.msg
    assert "WEASYPRINT_PATCHED_FOR" in problem.hint


def test_manage_py_check_reports_the_version_mismatch(monkeypatch):
    call_command("check", fail_level="WARNING")  # clean with the pinned version
    monkeypatch.setattr(weasyprint_compat, "WEASYPRINT_PATCHED_FOR", "69.0")

    with pytest.raises(SystemCheckError, match="reports.W002"):
        call_command("check", fail_level="WARNING")
