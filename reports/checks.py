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
