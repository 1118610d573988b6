"""Issue 26's probes rerun, in one process, against a baseline of the same process: a small API read.

1. baseline: `GET /api/models/tiny-1/` as legal (the mean of 20);
2. the 92,000-component BOM (3.0 MB, under the 5 MiB cap) posted to `/api/interchange/cyclonedx/`: the web's
   answer (202, a job), then the worker's refusal of the job (in this process, as the worker would run it);
3. the 8-level YAML alias card (333 bytes that expanded to 312 MB) posted to `/api/interchange/model-card/`: the
   web's answer, then the worker's refusal and the length of its message;
4. the PDF whose 200 pages share one 1 MB content stream (the evidence capture probe): the text extracted from
   it, its length and time (the capture's cap is 300 pages and 1,000,000 characters).

    .venv/bin/python bench/hardening.py

Works on a throwaway SQLite database (or DATABASE_URL's server). Prints each time and its ratio to the baseline.
"""

from __future__ import annotations

import io
import json
import statistics
import time

from _harness import throwaway_database

ALIASES_8 = "---\nlicense: mit\na: &a [" + ",".join(['"lol"'] * 9) + "]\n"
for name, previous in zip("bcdefgh", "abcdefg", strict=True):
    ALIASES_8 += f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]\n"
ALIASES_8 += "co2_eq_emissions:\n  hardware_used: *h\n---\n"


def timed(action):
    started = time.perf_counter()
    result = action()
    return result, time.perf_counter() - started


def main() -> None:
    from django.db import connection
    from rest_framework.test import APIClient

    from models_catalog.interchange.jobs import interchange_job_run
    from models_catalog.models import AIModel, Organisation
    from riskreg.core.roles import Role
    from riskreg.evidence.text import readable_text
    from tests.conftest import _user
    from tests.evidence.test_bounded import pdf_of_pages_sharing_one_stream

    with throwaway_database():
        print(f"database: {connection.vendor}")
        legal = _user("legal", Role.LEGAL)
        developer = Organisation.objects.create(name="Tiny Labs Ltd", country="GB")
        AIModel.objects.create(name="Tiny-1", family="Tiny", developer=developer, licence="MIT", weights="open")
        client = APIClient()
        client.force_authenticate(legal)

        client.get("/api/models/tiny-1/")
        reads = []
        for _ in range(20):
            response, seconds = timed(lambda: client.get("/api/models/tiny-1/"))
            assert response.status_code == 200
            reads.append(seconds)
        baseline = statistics.mean(reads)
        print(f"baseline: GET /api/models/tiny-1/ {baseline * 1000:7.1f} ms (mean of 20)")

        components = [{"type": "library", "name": f"c{n}"} for n in range(92_000)]
        bom = json.dumps(
            {"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1, "components": components},
            separators=(",", ":"),
        ).encode()
        response, web = timed(
            lambda: client.post("/api/interchange/cyclonedx/", {"file": io.BytesIO(bom)}, format="multipart")
        )
        job, worker = timed(lambda: interchange_job_run(job_id=response.json()["id"]))
        print(
            f"92,000-component BOM ({len(bom) / 1e6:.1f} MB): web answered {response.status_code} in "
            f"{web * 1000:6.1f} ms ({web / baseline:5.1f}x the baseline); the worker ended the job {job.status} in "
            f"{worker * 1000:6.1f} ms ({worker / baseline:5.1f}x): {job.error[:90]}"
        )

        card = ALIASES_8.encode()
        response, web = timed(
            lambda: client.post(
                "/api/interchange/model-card/",
                {"file": io.BytesIO(card), "name": "Laugh", "developer": "Tiny Labs Ltd"},
                format="multipart",
            )
        )
        job, worker = timed(lambda: interchange_job_run(job_id=response.json()["id"]))
        print(
            f"8-level alias card ({len(card)} bytes): web answered {response.status_code} in {web * 1000:6.1f} ms "
            f"({web / baseline:5.1f}x); the worker ended the job {job.status} in {worker * 1000:6.1f} ms "
            f"({worker / baseline:5.1f}x) with a {len(job.error)}-character message: {job.error[:110]}"
        )

        pdf = pdf_of_pages_sharing_one_stream(pages=200, words=70_000)  # 200 pages of one ~1 MB stream
        text, seconds = timed(lambda: readable_text(body=pdf, content_type="application/pdf"))
        print(
            f"PDF bomb ({len(pdf) / 1e3:.1f} KB, 200 pages of one 1 MB stream): {len(text):,} characters of text in "
            f"{seconds:5.2f} s ({seconds / baseline:7.1f}x); ends {text[-40:]!r}"
        )


if __name__ == "__main__":
    main()
