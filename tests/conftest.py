"""The fixed cast of test users, API clients, and a real Celery worker on the real broker."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.contrib.auth.models import Group, User
from rest_framework.test import APIClient

from riskreg.core.roles import Role

BASE_DIR = Path(__file__).resolve().parent.parent
PASSWORD = "test-password-123"


def services_configured() -> bool:
    """The real PostgreSQL and Redis are configured (as in CI)."""
    return os.environ.get("DATABASE_URL", "").startswith("postgres") and bool(os.environ.get("REDIS_URL"))


def pytest_collection_modifyitems(config, items):
    if services_configured():
        return
    skip = pytest.mark.skip(reason="needs DATABASE_URL=postgres://... and REDIS_URL (run .ci/run)")
    for item in items:
        if "services" in item.keywords:
            item.add_marker(skip)


def _user(username: str, role: str | None = None, **extra) -> User:
    """Role holders are staff (they work in the admin); the outsider is not."""
    from tests.factories import UserFactory

    extra.setdefault("is_staff", role is not None)
    user = UserFactory(username=username, **extra)
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


T = TypeVar("T")


_MODULE_WORLDS: list[str] = []  # the module-scoped fixtures whose transaction is open, innermost last


def built_once_for_the_module(request, django_db_blocker, build: Callable[[], T]) -> Iterator[T]:
    """For a module-scoped fixture (`yield from` it, passing its `request`): rows that `build` makes once and the
    module's tests share.

    They live in a transaction opened before the first test that asks for the fixture and rolled back after the
    module's last test; each test runs in a savepoint inside it (pytest-django's `db`), so what a test changes is
    undone before the next one, as before. _module_worlds_are_asked_for keeps the other tests of the module out.
    """
    from django.db import transaction

    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer._from_testcase = True  # the code under test may open durable blocks, as inside a TestCase
        outer.__enter__()
        try:
            built = build()
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    _MODULE_WORLDS.append(request.fixturename)
    try:
        yield built
    finally:
        _MODULE_WORLDS.remove(request.fixturename)
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture(autouse=True)
def _module_worlds_are_asked_for(request):
    """A test of a module whose shared rows are built (built_once_for_the_module) runs inside their transaction:
    it must ask for them, so that it knows they are there, and must not commit (`transactional_db` would empty
    the tables of every test after it)."""
    if not _MODULE_WORLDS:
        return
    names = set(request.fixturenames)
    if {"transactional_db", "live_server"} & names:
        pytest.fail(f"this test commits, but the rows of {_MODULE_WORLDS[-1]} are open: move it to another module")
    if "db" in names and not set(_MODULE_WORLDS) <= names:
        pytest.fail(f"this test runs on the rows of {_MODULE_WORLDS} without asking for them: ask or move it")


def cast() -> dict[str, User]:
    """The role holders the fixtures below return, by role name."""
    roles = (Role.REQUESTER, Role.LEGAL, Role.SECURITY, Role.PROCUREMENT, Role.AUDITOR)
    return {role.value: _user(role.value, role.value) for role in roles}


def demo_load() -> None:
    """The demo register without its PDFs, the cast first (the demo reuses those users)."""
    from django.core.management import call_command

    cast()
    call_command("load_demo", "--without-memos", stdout=open(os.devnull, "w"))  # noqa: SIM115


@pytest.fixture(scope="module")
def demo_register(request, django_db_setup, django_db_blocker) -> None:
    """demo_load(), built once for a test module: see built_once_for_the_module."""
    yield from built_once_for_the_module(request, django_db_blocker, demo_load)


@pytest.fixture
def requester(db) -> User:
    return _user("requester", Role.REQUESTER)


@pytest.fixture
def legal(db) -> User:
    return _user("legal", Role.LEGAL)


@pytest.fixture
def security(db) -> User:
    return _user("security", Role.SECURITY)


@pytest.fixture
def procurement(db) -> User:
    return _user("procurement", Role.PROCUREMENT)


@pytest.fixture
def auditor(db) -> User:
    return _user("auditor", Role.AUDITOR)


@pytest.fixture
def outsider(db) -> User:
    """Logged in, but in no role."""
    return _user("outsider")


@pytest.fixture
def admin_user(db) -> User:
    return User.objects.create_superuser("admin", "admin@example.test", PASSWORD)


@pytest.fixture
def api():
    """An API client; call api.force_authenticate(user) or use as_user()."""
    return APIClient()


@pytest.fixture
def as_user():
    def make(user: User) -> APIClient:
        client = APIClient()
        client.force_authenticate(user)
        return client

    return make


def _test_database_url() -> str:
    from django.db import connection

    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path="/" + connection.settings_dict["NAME"]))


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker, tmp_path_factory):
    """A real `celery worker` process on the real Redis broker and the test PostgreSQL database.

    Tests that use it must use `transactional_db` so the worker sees their rows.
    """
    if not services_configured():
        pytest.skip("needs the real PostgreSQL and Redis")
    from riskreg.celery import app

    name = f"test-{uuid.uuid4().hex[:8]}@localhost"
    env = os.environ.copy()
    env["DATABASE_URL"] = _test_database_url()
    env["DJANGO_SETTINGS_MODULE"] = "tests.settings"
    log = tmp_path_factory.mktemp("worker") / "worker.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "riskreg",
                "worker",
                "--loglevel",
                "INFO",
                "--concurrency",
                "4",
                "--hostname",
                name,
                "--without-gossip",
                "--without-mingle",
            ],
            cwd=BASE_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                pytest.fail(f"celery worker exited with {proc.returncode}:\n{log.read_text()[-4000:]}")
            if app.control.ping(destination=[name], timeout=1.0):
                break
        else:
            pytest.fail(f"celery worker did not answer within 60 s:\n{log.read_text()[-4000:]}")
        proc.log_path = log
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def staff_client(user):
    """A test client logged in as `user`, made staff so the admin lets them in (their role decides the rest)."""
    from django.test import Client

    user.is_staff = True
    user.save(update_fields=["is_staff"])
    client = Client()
    client.force_login(user)
    return client


def wait_for(predicate, *, timeout: float = 30.0, interval: float = 0.2):
    """Poll until predicate() is truthy; return its value or fail with a clear message."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    pytest.fail(f"condition not met within {timeout} s: {getattr(predicate, '__name__', predicate)}")


class Worker:
    """A real `celery worker` process started by a test, on the broker of its environment, consuming the
    test's own default queue (`queue`) or its own watch queue: no other worker of the session takes its tasks,
    so send them there (`task.apply_async(..., queue=worker.queue)`)."""

    def __init__(
        self, *, log: Path, prefix: str, watch: bool = False, pool: str = "prefork", concurrency: int = 1, env=None
    ):
        self.log = log
        self.name = f"fault-{uuid.uuid4().hex[:8]}@localhost"
        self.queue, self.watch_queue = prefix, f"{prefix}-watch"
        queues = [self.watch_queue if watch else self.queue]
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "DATABASE_URL": _test_database_url(),
            "CELERY_QUEUE": prefix,  # the worker routes what it sends (the sweep's tasks) to the test's queues
            **(env or {}),
        }
        self.command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "riskreg",
            "worker",
            "--queues",
            ",".join(queues),
            "--pool",
            pool,
            "--concurrency",
            str(concurrency),
            "--hostname",
            self.name,
            "--without-gossip",
            "--without-mingle",
            "--loglevel",
            "INFO",
        ]
        self.proc: subprocess.Popen | None = None

    def start(self) -> Worker:
        offset = self.log.stat().st_size if self.log.exists() else 0
        with open(self.log, "ab") as out:
            self.proc = subprocess.Popen(
                self.command, cwd=BASE_DIR, env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(f"celery worker exited with {self.proc.returncode}:\n{self.log.read_text()[-4000:]}")
            if b" ready." in self.log.read_bytes()[offset:]:
                return self
            time.sleep(0.1)
        pytest.fail(f"celery worker not ready within 60 s:\n{self.log.read_text()[-4000:]}")

    def pool_pids(self) -> list[int]:
        path = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
        return [int(pid) for pid in path.read_text().split()]

    def kill_all(self) -> None:
        """kill -9 of the whole worker: its main process and its pool, as a crash or an OOM kill would."""
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.kill_all()  # the test is over: nothing to finish, and a threads pool would wait for its tasks


@pytest.fixture
def start_worker(tmp_path):
    """Start real worker processes for one test (needs the real PostgreSQL: use `transactional_db`);
    every one of them is stopped at the end."""
    if not services_configured():
        pytest.skip("needs the real PostgreSQL and Redis")
    workers: list[Worker] = []
    prefix = f"fault-{uuid.uuid4().hex[:12]}"

    def start(**options) -> Worker:
        worker = Worker(log=tmp_path / f"worker-{len(workers)}.log", prefix=prefix, **options)
        workers.append(worker)
        return worker.start()

    yield start
    for worker in workers:
        worker.stop()
