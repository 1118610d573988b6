"""A memo verifies by re-rendering its snapshot with the files of its template version, byte for byte: so the files
a version names never change, and a change to what a memo looks like is a new version (reports/services/versions.py).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from reports.services.versions import TEMPLATE_VERSION, TEMPLATE_VERSIONS, template_version

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"
STATIC = ROOT / "reports" / "static"

#: The SHA-256 of every file a released version names. A new version adds its new files here; no line changes.
FROZEN = {
    "reports/memo-2.html": "7c43bc01055e1e946cf3f46d94b2e546aa88ee32f754eea30e182e17ab73c157",
    "reports/memo-3.html": "104f10921ef2822768b40ba146f42ea0851fd81a5ee8bba72f4c62d6fc2961a7",
    "reports/memo-4.html": "26d3b252e639509e8ae42f5bf6eeebcb85463835c5b5da31ba9862199364b61f",
    "reports/memo-5.html": "8d673cb67d1ad840f838d6af9a0b591c2af9e7db5beb9cbbfd18579a0af30e02",
    "reports/memo-6.html": "def04fb650ade1a123a48d31857476f3c4bd5a0ee2168ae217750afeea6e61ae",
    # memo-6's heat map, the page's too
    "dossier/heatmap-1.svg": "424948d3969825c3ff4540d170108829b1666f906b75088ed680b2795dc4cb4b",
    "reports/portfolio-2.html": "46b23718cb38a84070b8e06d2d6af59d0f5958ab04159b760d4926affe9824d2",
    "reports/portfolio-3.html": "2ea7566270f91b818c75b00e0fe094e3b2bbe92565d0c03c5091c5ea0392343d",
    "reports/memo-2.css": "2a5650e130571efdb39e14e4b8406adf222388c06361814ed2db1c406ea8a609",
    "reports/memo-3.css": "fb1e9bc6f9865b9c4cfc57daa3f94506dfb65e64877f3b20d7d751f3789e37fc",
    "reports/memo-4.css": "db2f7124900de73e39e9bf31e7b7ecba03e5c4194aecd87209d2b1edb99193f5",
}


def _named() -> dict[str, Path]:
    files = {}
    for version in TEMPLATE_VERSIONS.values():
        files[version.memo] = TEMPLATES / version.memo
        files[version.portfolio] = TEMPLATES / version.portfolio
        files[version.stylesheet] = STATIC / version.stylesheet
        if version.heatmap:
            files[version.heatmap] = TEMPLATES / version.heatmap
    return files


def test_no_file_a_version_names_has_changed():
    changed = [
        name
        for name, path in _named().items()
        if name not in FROZEN or hashlib.sha256(path.read_bytes()).hexdigest() != FROZEN[name]
    ]

    assert not changed, (
        f"{changed}: memos made with the versions that name these files would no longer verify. Put the change "
        "in new files (memo-N.html, memo-N.css) named by a new version in reports/services/versions.py, "
        "and add their SHA-256 here"
    )


def test_every_memo_template_and_stylesheet_in_the_tree_belongs_to_a_version():
    on_disk = {f"reports/{path.name}" for path in (TEMPLATES / "reports").glob("*.html")}
    on_disk |= {f"reports/{path.name}" for path in (STATIC / "reports").glob("memo*.css")}
    on_disk |= {f"dossier/{path.name}" for path in (TEMPLATES / "dossier").glob("heatmap-*.svg")}

    assert on_disk == set(_named())


def test_new_memos_use_the_last_version_and_an_unknown_one_renders_with_it():
    assert TEMPLATE_VERSION == list(TEMPLATE_VERSIONS)[-1]
    assert template_version({"memo": {"template_version": "memo-1"}}) == TEMPLATE_VERSIONS[TEMPLATE_VERSION]
    assert template_version({"memo": {}}) == TEMPLATE_VERSIONS[TEMPLATE_VERSION]
