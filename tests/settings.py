"""Test settings: the real settings, with a test secret and a throwaway data directory.

DATABASE_URL and REDIS_URL pass through unchanged, so `make test` runs on SQLite by default and on
PostgreSQL and Redis when they are set (as .ci/run does). Values are put into os.environ so that a
real Celery worker started by a test inherits the same data directory and queue.
"""

import os
import tempfile
import uuid

# Long enough for the production check on SECRET_KEY (tests run with DEBUG off); used by tests only.
os.environ.setdefault("SECRET_KEY", "test-only-secret-key-" + "k3y" * 12)
os.environ.setdefault("RISKREG_DATA_DIR", tempfile.mkdtemp(prefix="riskreg-test-"))
os.environ.setdefault("RISKREG_WATCH_ALLOW_PRIVATE", "1")
# Each test run has its own queue, so a worker of another run (or of `make run`) never takes its tasks.
os.environ.setdefault("CELERY_QUEUE", f"riskreg-test-{uuid.uuid4().hex[:12]}")

from riskreg.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only; never in production
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# The suite makes thousands of API calls as the same few users; tests/core/test_throttling.py sets the
# production rates (API_THROTTLE_RATES, from riskreg.settings) and proves the 429 with them.
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "100000/minute", "user": "100000/minute"}}  # noqa: F405
