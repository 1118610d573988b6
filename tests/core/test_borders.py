"""The borders between apps: no import cycle between apps or between an app's modules, and core names no app.

The contracts are pyproject.toml's [tool.importlinter] (the layering is in the README's Development section);
these tests run them in the suite, so a new cycle fails `make test` as well as `lint-imports` in CI.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("riskreg", "models_catalog", "reports")


def lint_imports(root: Path) -> subprocess.CompletedProcess:
    """import-linter on the code under root, with root's pyproject.toml, writing no cache."""
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "from importlinter.cli import lint_imports_command; lint_imports_command()",
            "--no-cache",
        ],
        cwd=root,
        env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_apps_keep_their_import_contracts():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 3 kept, 0 broken." in result.stdout


@pytest.fixture
def code_copy(tmp_path):
    """The project's packages and pyproject.toml in a scratch directory, to break on purpose."""
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def _add_import(root: Path, module: str, statement: str) -> None:
    path = root / (module.replace(".", "/") + ".py")
    path.write_text(path.read_text() + f"\n\ndef _deliberate():\n    {statement}  # noqa\n")


@pytest.mark.parametrize(
    ("module", "statement", "broken"),
    [
        # the catalog's admin wiring in the memo actions itself, as it did before reports added them
        ("models_catalog.admin", "from reports.admin import generate_model_memo", "Apps import only the apps below"),
        # watch and the register side by side: neither imports the other
        ("riskreg.watch.services", "from riskreg.register import services", "Apps import only the apps below"),
        # core naming an app
        ("riskreg.core.selectors", "from riskreg.register.models import AdoptionRequest", "Apps import only"),
        # the memo context importing the renderer that imports it
        ("reports.services.context", "from reports.services.render import memo_html", "No cycle between the modules"),
        # a service importing a template tag
        ("reports.services.snapshot", "from reports.templatetags.memo import colour", "Template tags format"),
    ],
)
def test_a_new_cycle_or_crossing_breaks_a_contract(code_copy, module, statement, broken):
    _add_import(code_copy, module, statement)
    result = lint_imports(code_copy)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Contracts: 2 kept, 1 broken." in result.stdout
    assert re.search(rf"{re.escape(broken)}.* BROKEN", result.stdout), result.stdout


OTHER_APPS = ("models_catalog", "screening", "watch", "evidence", "register", "reports", "notifications", "workspace")
# an app's module path, or its label in a dotted string ("register.view_all_adoptionrequest") or a lookup
# (app_label="models_catalog"); words such as a change kind "evidence" or the "watch" worker are not app names
APP_NAMED = re.compile(
    r"riskreg\.(?:" + "|".join(OTHER_APPS) + r")\b"
    r"|\bmodels_catalog\b|\breports\.\w"
    r"|[\"'](?:" + "|".join(OTHER_APPS) + r")\."
    r"|app_label\w*\s*=\s*[\"']"
)


def test_core_names_no_app():
    """Core is the lowest layer: what it needs from an app, the app declares (roles.py, demo.py, AppConfig)."""
    named = []
    for path in sorted((ROOT / "riskreg" / "core").rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if APP_NAMED.search(line):
                named.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert named == []
