"""With the database down the API answers a JSON 503 with Retry-After, not Django's HTML 500.

The database really is unreachable: a separate Python process is configured with a PostgreSQL address
where nothing listens (127.0.0.1, port 9), and calls the API through Django's test client."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.conftest import BASE_DIR

SCRIPT = """
import base64, json, django
django.setup()
from django.test import Client
client = Client(raise_request_exception=False)
auth = "Basic " + base64.b64encode(b"legal:whatever-password").decode()
answers = {}
token = "Token " + "0" * 40
for path, header in (("/api/models/", auth), ("/api/adoption-requests/", token)):
    response = client.get(path, HTTP_AUTHORIZATION=header)
    answers[path] = [response.status_code, response["Content-Type"], response.get("Retry-After"),
                     response.content.decode()[:500]]
print(json.dumps(answers))
"""


def test_the_api_answers_a_json_503_when_the_database_is_down():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:9/riskreg_down",
        "PGCONNECT_TIMEOUT": "2",
        "REDIS_URL": "",
    }
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=60
    )

    assert done.returncode == 0, done.stderr[-3000:]
    answers = json.loads(done.stdout.strip().splitlines()[-1])
    for path, (code, content_type, retry_after, body) in answers.items():
        assert (path, code, content_type) == (path, 503, "application/json"), body
        assert retry_after == "30"
        assert "database is unavailable" in json.loads(body)["detail"]
