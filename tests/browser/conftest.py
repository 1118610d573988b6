"""Browser tests: Playwright for Python driving Debian's Chromium against a live server.

Playwright's own browser download is not used (nor reachable): `make test` and `.ci/run` install Debian's
`chromium` package when it is missing. Each test gets a fresh browser context at 1366 x 900, a laptop.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
from pathlib import Path

import pytest
from django.conf import settings

CHROMIUM = os.environ.get("RISKREG_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1366, "height": 900}
DOCS = Path(__file__).resolve().parents[2] / "docs"


@pytest.fixture(scope="session")
def chromium():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (make test installs it when run as root)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are still synchronous.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(autouse=True)
def roles(transactional_db, request):
    """A live server needs committed rows, so browser tests run in transactional_db, which empties every table
    between tests: the role groups are made again for each test, and a test marked `demo` starts on the demo
    register (before the cast fixtures, which then find their users in it)."""
    from riskreg.core.roles import roles_sync

    if request.node.get_closest_marker("demo"):
        demo_committed()
    else:
        roles_sync()


#: The committed demo of this worker, once loaded: the SQLite database as it was then, and its data files.
_DEMO: dict = {}


def demo_committed() -> None:
    """demo_load(), committed. On SQLite the first call in a worker loads it and keeps a copy of the database and
    of the files it wrote (evidence captures, watch snapshots); later calls put that copy back (SQLite's backup
    API, milliseconds) instead of loading it again (a second or two). On PostgreSQL it is loaded each time."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection

    from tests.conftest import demo_load

    data_dir = Path(settings.RISKREG_DATA_DIR)
    on_sqlite = connection.vendor == "sqlite"
    if on_sqlite and _DEMO:
        connection.ensure_connection()
        _DEMO["database"].backup(connection.connection)
        shutil.copytree(_DEMO["files"], data_dir, dirs_exist_ok=True)
        ContentType.objects.clear_cache()  # the ids are the copy's (the same as when it was made)
        return
    demo_load()
    if on_sqlite:
        copy = sqlite3.connect(":memory:", check_same_thread=False)
        connection.connection.backup(copy)
        files = tempfile.mkdtemp(prefix="riskreg-demo-files-")
        shutil.copytree(data_dir, files, dirs_exist_ok=True)
        _DEMO.update(database=copy, files=files)


@pytest.fixture
def page(chromium, live_server):
    """A new page in its own context (no shared cookies), at laptop size, with base_url the live server."""
    context = chromium.new_context(viewport=VIEWPORT, base_url=live_server.url)
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def sign_in(page, live_server):
    """sign_in(user) puts the user's session cookie in the page's context (no clicks spent on the login form)."""
    from django.test import Client

    def sign_in_as(user):
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        page.context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}]
        )
        return page

    return sign_in_as


def log_in_with_form(page, *, username: str, password: str, path: str = "/") -> None:
    """Log in as a person does: open `path`, get sent to the login form, type, submit."""
    page.goto(path)
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("input[type=submit], button[type=submit]")


def axe_serious_violations(page) -> list[dict]:
    """axe-core's serious and critical violations on the page as it is now (the engine ships in the wheel)."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")]


@pytest.fixture
def save_screenshot(tmp_path):
    """save_screenshot(page, name): a full-page screenshot. Under docs/ (the README shows them) only when
    RISKREG_SCREENSHOTS=1 (`make screenshots`), so an ordinary test run leaves the work tree clean; otherwise
    into the test's tmp dir (the page is still rendered whole, so a page that cannot be drawn still fails)."""
    folder = DOCS if os.environ.get("RISKREG_SCREENSHOTS") == "1" else tmp_path

    def save(page, name: str) -> Path:
        path = folder / name
        page.screenshot(path=str(path), full_page=True)
        return path

    return save
