"""Misconfiguration fails loudly at start, naming the variable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]
STRONG = "7fS2q-Lw9XpR3mKv8TzB4nQy6HcJ1gUe5WdA0sFiOoZrYtMbNlVkPjEhDx"  # 56 characters, random-looking


def _start(**env) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG", "DATABASE_URL", "REDIS_URL")}
    clean.update(DJANGO_SETTINGS_MODULE="riskreg.settings", **env)
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=BASE_DIR,
        env=clean,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, "SECRET_KEY must be set"),
        ({"SECRET_KEY": "x"}, "SECRET_KEY is too weak for production: it has 1 characters, fewer than 50"),
        ({"DEBUG": "maybe"}, "DEBUG='maybe' is not a boolean"),
        ({"SECRET_KEY": STRONG, "DATABASE_URL": "mysql://h/db"}, "supports sqlite:/// and postgres:// only"),
        ({"SECRET_KEY": STRONG, "REDIS_URL": "localhost:6379"}, "REDIS_URL='localhost:6379' must start with redis://"),
        ({"SECRET_KEY": STRONG, "RISKREG_WATCH_RETENTION_DAYS": "soon"}, "is not a whole number"),
    ],
)
def test_bad_settings_stop_the_start_with_a_clear_message(env, message):
    result = _start(**env)

    assert result.returncode != 0
    assert message in result.stderr


def test_good_production_settings_start(tmp_path):
    result = _start(
        SECRET_KEY=STRONG,
        DATABASE_URL="postgres://u@127.0.0.1:5432/riskreg",
        REDIS_URL="redis://127.0.0.1:6379/0",
        RISKREG_DATA_DIR=str(tmp_path),
    )

    assert result.returncode == 0, result.stderr


def test_a_weak_secret_key_is_accepted_on_a_development_machine(tmp_path):
    result = _start(SECRET_KEY="x", DEBUG="1", RISKREG_DATA_DIR=str(tmp_path))

    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("key", "why"),
    [
        ("a" * 60, "only 1 different characters"),
        ("changeme", "published example"),
        ("insecure-dev-only-key-do-not-use-in-production", "published example"),
        ("django-insecure-" + "q" * 50, "django-insecure-"),
        ("abcde" * 10, "'abcde' repeated"),  # the probe's: five different characters, one word
        ("abcdefghij" * 6 + "x", "fewer than a random key"),
        (STRONG, ""),
    ],
)
def test_what_makes_a_secret_key_weak(key, why):
    from riskreg.env import secret_key_weakness

    weakness = secret_key_weakness(key, known=["insecure-dev-only-key-do-not-use-in-production"])

    assert (why in weakness) if why else weakness == ""


def test_the_tests_ignore_the_callers_shell():
    """Issue 25: with RISKREG_DEMO_PASSWORD exported (as the README's `make run` line invites), five tests failed:
    the cast took the shell's password. The test settings drop the register's variables the caller set."""
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("RISKREG_")},
        "RISKREG_DEMO_PASSWORD": "from-my-shell-2026",
        "RISKREG_APPROVAL_VALIDITY_DAYS": "3",
        "DEBUG": "1",
    }
    code = (
        "import os, tests.settings as s; "
        "print(os.environ.get('RISKREG_DEMO_PASSWORD'), os.environ.get('RISKREG_APPROVAL_VALIDITY_DAYS'), s.DEBUG)"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=BASE_DIR, env=env, capture_output=True, text=True)

    assert result.stdout.split() == ["None", "None", "False"], result.stderr[-2000:]


def test_check_names_a_mistyped_register_variable_and_what_it_was_meant_to_be(monkeypatch):
    from riskreg.core.checks import unknown_register_variables

    monkeypatch.setenv("RISKREG_APROVAL_VALIDITY_DAYS", "30")
    monkeypatch.setenv("RISKREG_WHATEVER", "1")

    found = {warning.msg.split()[0]: warning.hint for warning in unknown_register_variables(None)}

    assert found == {
        "RISKREG_APROVAL_VALIDITY_DAYS": "Did you mean RISKREG_APPROVAL_VALIDITY_DAYS?",
        "RISKREG_WHATEVER": "See the README's configuration table for the names.",
    }


def test_every_register_variable_the_docs_name_is_one_the_register_reads():
    import re
    from pathlib import Path

    from riskreg.env import READ, READ_ELSEWHERE

    root = Path(__file__).resolve().parents[2]
    documented = set()
    for path in [root / "README.md", *sorted((root / "docs").glob("*.md"))]:
        documented |= set(re.findall(r"RISKREG_[A-Z][A-Z0-9_]*[A-Z0-9]", path.read_text()))

    documented.discard("RISKREG_APROVAL_VALIDITY_DAYS")  # the README's example of a typo the check catches
    assert documented - READ - set(READ_ELSEWHERE) == set()
