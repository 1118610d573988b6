"""Test settings: the real settings, with a test secret and a throwaway data directory.

DATABASE_URL and REDIS_URL pass through unchanged, so `make test` runs on SQLite by default and on
PostgreSQL and Redis when they are set (as .ci/run does). Values are put into os.environ so that a
real Celery worker started by a test inherits the same data directory and queue.
"""

import os
import tempfile
import uuid

# The tests ignore the caller's shell: a value `make run` invites one to export (the demo password) or a tuning
# of the register (RISKREG_APPROVAL_VALIDITY_DAYS ...) would change what they find. Those the test run sets for
# itself below (its data directory, queue and cache keys, inherited by a worker it starts) are kept.
_OWN = {"RISKREG_TEST_RUN", "RISKREG_DATA_DIR", "RISKREG_TEST_CACHE_PREFIX", "RISKREG_WATCH_ALLOW_PRIVATE"}
_OWN.add("RISKREG_SCREENSHOTS")  # `make screenshots` asks the browser tests to write docs/*.png
if os.environ.get("RISKREG_TEST_RUN") is None:  # the first process of the run, not a worker it started
    for _name in [n for n in os.environ if n.startswith("RISKREG_") and n not in _OWN]:
        del os.environ[_name]
    os.environ.pop("RISKREG_DATA_DIR", None)
    for _name in ("DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "CELERY_QUEUE"):
        os.environ.pop(_name, None)

# Long enough for the production check on SECRET_KEY (tests run with DEBUG off); used by tests only.
os.environ.setdefault("SECRET_KEY", "test-only-secret-key-0123456789-ABCDEFGHIJ-abcdefghij")
os.environ.setdefault("RISKREG_WATCH_ALLOW_PRIVATE", "1")

# Under pytest-xdist every worker process (gw0, gw1, ...) is a test run of its own: it inherits the values the
# controller chose, so it replaces them once with its own data directory, queue and cache keys (a Celery
# worker it starts inherits them in turn and keeps them: RISKREG_TEST_RUN tells it they are already set).
_run = os.environ.get("PYTEST_XDIST_WORKER", "main")
if os.environ.get("RISKREG_TEST_RUN") != _run:
    _fresh = _run != "main"
    os.environ["RISKREG_TEST_RUN"] = _run
    if _fresh or "RISKREG_DATA_DIR" not in os.environ:
        os.environ["RISKREG_DATA_DIR"] = tempfile.mkdtemp(prefix=f"riskreg-test-{_run}-")
    # Each test run has its own queue, so a worker of another run (or of `make run`) never takes its tasks.
    if _fresh or "CELERY_QUEUE" not in os.environ:
        os.environ["CELERY_QUEUE"] = f"riskreg-test-{uuid.uuid4().hex[:12]}-{_run}"
    os.environ["RISKREG_TEST_CACHE_PREFIX"] = os.environ["CELERY_QUEUE"]

from riskreg.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only; never in production
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# The suite makes thousands of API calls as the same few users; tests/core/test_throttling.py sets the
# production rates (API_THROTTLE_RATES, from riskreg.settings) and proves the 429 with them.
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "100000/minute", "user": "100000/minute"}}  # noqa: F405
# Runs sharing one Redis (the xdist workers, a Celery worker and the test that started it) share cache keys only
# within a run: throttling counts and other cached values are keyed by user ids that every test database reuses.
CACHES = {name: {**cache, "KEY_PREFIX": os.environ["RISKREG_TEST_CACHE_PREFIX"]} for name, cache in CACHES.items()}  # noqa: F405
