"""System checks for memo rendering."""

from __future__ import annotations

from django.core.checks import Tags, Warning, register


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
