"""What every bench starts with: Django set up on the test settings, and a throwaway test database.

Importing this module puts the repository root on sys.path, takes DJANGO_SETTINGS_MODULE=tests.settings unless
it is set, and calls django.setup(); a bench imports it before anything that needs the apps loaded:

    from _harness import throwaway_database

    with throwaway_database():
        ...

Not a bench itself (the leading underscore keeps it out of `make bench`).
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import django

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
django.setup()


@contextmanager
def throwaway_database(*, sqlite_file: bool = False, postgres_prefix: str = "bench_") -> Iterator[str]:
    """Create a test database (migrated, empty), yield its name, and drop it on the way out.

    On SQLite it lives in memory, or with `sqlite_file` in a file in a new temporary folder, so that another
    process (a `manage.py` command, a worker) can open it by that name. On PostgreSQL it is named
    `postgres_prefix` + the configured name: "bench_" by default, never the "test_" database a test run on the
    same server may be using (it is dropped and made again).
    """
    from django.db import connection
    from django.test.utils import setup_test_environment, teardown_test_environment

    setup_test_environment()
    test_settings = connection.settings_dict.setdefault("TEST", {})
    if connection.vendor == "sqlite" and sqlite_file:
        test_settings["NAME"] = str(Path(tempfile.mkdtemp(prefix="riskreg-bench-db-")) / "db.sqlite3")
    elif connection.vendor == "postgresql":
        test_settings["NAME"] = postgres_prefix + connection.settings_dict["NAME"]
    old_name = connection.settings_dict["NAME"]
    name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        yield name
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()
