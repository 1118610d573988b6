"""The memo template versions: which templates and stylesheet each one renders with.

Every memo records the version it was made with, and verification re-renders its snapshot with that version's
files, byte for byte. So a file that a version names never changes once memos may have been made with it
(tests/reports/test_template_versions.py holds the SHA-256 of each): a change to what a memo looks like is a new
version, which names its changed files under its own number and keeps naming the files it did not change.
memo-1 was not kept: a snapshot of an unknown version renders with the current one (and verifies by text).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TemplateVersion:
    memo: str  # model and request memos
    portfolio: str
    stylesheet: str
    #: memo-2 wrote each heat map cell's score (likelihood x impact) in the cell.
    heatmap_cell_scores: bool = False
    #: memo-6 on: the heat map the page draws too (riskreg.dossier.presenters), from this template; "" for the
    #: memo's own drawing (reports.services.context.heatmap_svg). A change to it is a new file, as for the others.
    heatmap: str = ""
    #: memo-7 on: a tagged PDF for screen readers (WeasyPrint's PDF/UA-1 variant: structure tags, the document's
    #: language and title shown as its title); None for the untagged PDFs of the versions before.
    pdf_variant: str | None = None

    def template(self, kind: str) -> str:
        return self.portfolio if kind == "portfolio" else self.memo


TEMPLATE_VERSIONS: dict[str, TemplateVersion] = {
    "memo-2": TemplateVersion(
        memo="reports/memo-2.html",
        portfolio="reports/portfolio-2.html",
        stylesheet="reports/memo-2.css",
        heatmap_cell_scores=True,
    ),
    # One block per entry.
    "memo-3": TemplateVersion(
        memo="reports/memo-3.html", portfolio="reports/portfolio-3.html", stylesheet="reports/memo-3.css"
    ),
    # The sources' captures, one block per listing, one date format, the regulations behind each finding.
    "memo-4": TemplateVersion(
        memo="reports/memo-4.html", portfolio="reports/portfolio-3.html", stylesheet="reports/memo-4.css"
    ),
    # The obligations in force on the decision date and the next dates ahead.
    "memo-5": TemplateVersion(
        memo="reports/memo-5.html", portfolio="reports/portfolio-3.html", stylesheet="reports/memo-4.css"
    ),
    # The use: a request memo's context, our role, the obligations of the use with why each applies, the
    # conditions of approval with owners; the model memo's obligations by holder; the heat map shared with the page.
    "memo-6": TemplateVersion(
        memo="reports/memo-6.html",
        portfolio="reports/portfolio-3.html",
        stylesheet="reports/memo-4.css",
        heatmap="dossier/heatmap-1.svg",
    ),
    # memo-6, tagged (PDF/UA-1): a screen reader follows its headings, lists, tables and reading order.
    "memo-7": TemplateVersion(
        memo="reports/memo-6.html",
        portfolio="reports/portfolio-3.html",
        stylesheet="reports/memo-4.css",
        heatmap="dossier/heatmap-1.svg",
        pdf_variant="pdf/ua-1",
    ),
}

#: The version new memos are made with: the last one above.
TEMPLATE_VERSION = list(TEMPLATE_VERSIONS)[-1]


def template_version(snapshot: dict) -> TemplateVersion:
    """The files a snapshot renders with: those of its memo's version, or the current ones for a version that
    was not kept."""
    return TEMPLATE_VERSIONS.get(snapshot["memo"].get("template_version"), TEMPLATE_VERSIONS[TEMPLATE_VERSION])
