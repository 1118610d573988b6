"""System checks for memo rendering."""

from __future__ import annotations

import shutil
import subprocess

from django.core.checks import Error, Tags, Warning, register


@register(Tags.compatibility)
def pdf_rendering_available(app_configs, **kwargs):
    problems = []
    try:
        import weasyprint  # noqa: F401  (imports Pango through cffi)
    except OSError as exc:
        problems.append(
            Error(
                f"WeasyPrint cannot load Pango: {exc}",
                hint="Install the system package: apt-get install libpango-1.0-0 libpangoft2-1.0-0",
                id="riskreg.E003",
            )
        )
    if shutil.which("fc-list"):
        out = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True, check=False)
        if not out.stdout.strip():
            problems.append(
                Warning(
                    "No font with Chinese coverage: native names such as 北京智谱华章科技股份有限公司 "
                    "will render as boxes in PDF memos.",
                    hint="apt-get install fonts-noto-cjk",
                    id="riskreg.W001",
                )
            )
    return problems


@register(Tags.compatibility)
def harfbuzz_subset_available(app_configs, **kwargs):
    try:
        from weasyprint.text.ffi import harfbuzz_subset
    except OSError:  # WeasyPrint itself cannot load; riskreg.E003 reports it
        return []
    if harfbuzz_subset is None:
        return [
            Warning(
                "HarfBuzz-Subset is missing: WeasyPrint falls back to fontTools, which takes 10 s or more per "
                "memo to subset the CJK font used for native-script names.",
                hint="apt-get install libharfbuzz-subset0",
                id="reports.W001",
            )
        ]
    return []


@register(Tags.compatibility)
def weasyprint_patches_guarded(app_configs, **kwargs):
    """The two WeasyPrint patches in reports/services/render.py were written for one WeasyPrint version."""
    from importlib.metadata import PackageNotFoundError, version

    from reports.services.weasyprint_compat import PATCHES, WEASYPRINT_PATCHED_FOR

    try:
        installed = version("weasyprint")
    except PackageNotFoundError:  # riskreg.E003 says WeasyPrint is missing
        return []
    problems = []
    if installed != WEASYPRINT_PATCHED_FOR:
        reasons = "; ".join(f"{name}: {reason}" for name, reason in PATCHES.items())
        problems.append(
            Warning(
                f"WeasyPrint {installed} is installed; the memo renderer's patches were written for "
                f"{WEASYPRINT_PATCHED_FOR} ({reasons}). Memos made before the upgrade may no longer verify byte "
                "for byte.",
                hint="Install the pinned version (pip install -r requirements.txt), or run tests/reports against "
                "the new one and update WEASYPRINT_PATCHED_FOR in reports/services/weasyprint_compat.py.",
                id="reports.W002",
            )
        )
    try:
        from reports.services import render
    except OSError:  # WeasyPrint cannot load Pango; riskreg.E003 reports it
        return problems
    if render.MEMO_UA_STYLESHEET is None:
        problems.append(
            Warning(
                "WeasyPrint's user-agent stylesheet is not the shape the memo renderer trims: memos render with the "
                "stock sheet (slower, and their bytes may differ from memos made before).",
                hint="See PATCHES['trimmed user-agent stylesheet'] in reports/services/weasyprint_compat.py.",
                id="reports.W003",
            )
        )
    if render._font_subset_original() is None:
        problems.append(
            Warning(
                "WeasyPrint has no Font._harfbuzz_subset: memo font subsets are not cached (slower memos).",
                hint="See PATCHES['font subset cache'] in reports/services/weasyprint_compat.py.",
                id="reports.W004",
            )
        )
    return problems
