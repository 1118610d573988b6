"""The WeasyPrint version our two patches were written for, and why each exists (checked by reports.checks).

Kept apart from render.py, which imports WeasyPrint: `manage.py check` reads the installed version from the
package metadata without loading Pango.

Both patches touch WeasyPrint internals, so both are guarded: each falls back to stock WeasyPrint when the
internal it needs is not there, and `manage.py check` warns (reports.W002) when the installed WeasyPrint is not
the version below. After an upgrade: run tests/reports (the byte-identity and frozen-template tests), check each
patch still applies (reports.W003 / W004 say when one fell back), then change the version here.
"""

from __future__ import annotations

#: The WeasyPrint release the patches in render.py were written and tested against (requirements.txt pins it).
WEASYPRINT_PATCHED_FOR = "70.0"

#: What each patch touches and why, as `manage.py check` reports it.
PATCHES = {
    "trimmed user-agent stylesheet": (
        "MemoHTML overrides the private HTML._ua_stylesheets and rewrites weasyprint.html.UA with a regex, "
        "dropping footnote/note rules and scoping ::marker to li: the cascade does a sixth of the work, same bytes."
    ),
    "font subset cache": (
        "During a memo render only, the private Font._harfbuzz_subset is wrapped with a small cache of subsets "
        "(a Chinese name costs a 480 KB CJK subset and ~20 ms per render), same bytes."
    ),
}
