"""Sign-in lockout figures: what a guessed password costs the server before and after the lockout.

Run: .venv/bin/python bench/login.py

With Django's production password hasher (PBKDF2; the test settings use MD5 for speed), on a throwaway
test database it creates and drops: RISKREG_LOGIN_FAILURE_LIMIT wrong HTTP basic-auth calls to the API
(each hashes the guess: the baseline), then as many again once the account and address are locked out
(refused before hashing). Prints the time per attempt of each and their ratio, and the answers.
"""

from __future__ import annotations

import base64
import logging
import statistics
import time
import warnings

from _harness import throwaway_database
from django.conf import settings
from django.db import connection
from django.test.utils import override_settings

PRODUCTION_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]


def attempt(client, password: str) -> tuple[float, int]:
    header = "Basic " + base64.b64encode(f"bench-legal:{password}".encode()).decode()
    start = time.perf_counter()
    response = client.get("/api/models/", HTTP_AUTHORIZATION=header)
    return time.perf_counter() - start, response.status_code


def main() -> None:
    for name in ("django.request", "axes", "axes.watch_login", "axes.handlers.database"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    warnings.filterwarnings("ignore", message="No directory at")
    with throwaway_database():
        from django.contrib.auth.models import Group, User
        from django.test import Client

        with override_settings(PASSWORD_HASHERS=PRODUCTION_HASHERS):
            user = User.objects.create_user("bench-legal", password="the-right-password-123")
            user.groups.add(Group.objects.get(name="legal"))
            client = Client(REMOTE_ADDR="10.9.9.9")
            limit = settings.AXES_FAILURE_LIMIT
            before = [attempt(client, f"guess-{i}") for i in range(limit - 1)]
            after = [attempt(client, f"guess-{i}") for i in range(limit, 2 * limit)]
            right = attempt(client, "the-right-password-123")
        hashed = statistics.median(t for t, _ in before)
        locked = statistics.median(t for t, _ in after)
        print(f"database: {connection.vendor}; hasher: PBKDF2 ({PRODUCTION_HASHERS[0].rsplit('.', 1)[1]})")
        print(
            f"wrong password, before the lockout: {hashed * 1000:8.1f} ms per attempt (median of {len(before)}), "
            f"answers {sorted({code for _, code in before})}"
        )
        print(
            f"wrong password, locked out:         {locked * 1000:8.1f} ms per attempt (median of {len(after)}), "
            f"answers {sorted({code for _, code in after})}"
        )
        print(f"right password while locked out: answer {right[1]}")
        print(f"ratio: a locked-out guess costs {hashed / locked:.1f}x less than a hashed one")


if __name__ == "__main__":
    main()
