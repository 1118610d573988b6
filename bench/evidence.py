"""Evidence figures: capturing 200 cited sources served slowly on loopback, concurrently against one after another.

1. baseline: the 200 captures one after another (`evidence_sources_capture(workers=1)`): fetch, extract the
   text, store the copy, write the capture, in this process;
2. the same 200 sources captured again (every page changed, so every copy is new) with the fetches running
   concurrently in RISKREG_EVIDENCE_WORKERS threads (the writes stay one after another in the calling thread);
   the ratio printed is 1 / 2, measured in the same process and run;
3. a re-check sweep of the 200 unchanged sources: time, and the rows and files written (expected: none).

    .venv/bin/python bench/evidence.py            # EVIDENCE_BENCH_DELAY=0.2 seconds per answer, 25 threads

Works on a throwaway SQLite database (or DATABASE_URL's server) and a temporary data directory.
"""

from __future__ import annotations

import os
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

os.environ["RISKREG_DATA_DIR"] = tempfile.mkdtemp(prefix="riskreg-bench-evidence-")  # before Django reads it

from _harness import throwaway_database
from django.conf import settings

SOURCES = 200
DELAY = float(os.environ.get("EVIDENCE_BENCH_DELAY", 0.2))
WORKERS = int(os.environ.get("EVIDENCE_BENCH_WORKERS", 25))


class Pages:
    version = 1

    @classmethod
    def body(cls, n: int) -> bytes:
        return (
            f"<!doctype html><html><head><title>Source {n}</title><script>var x={n};</script></head><body>"
            f"<article><h1>Notice {n}</h1><p>Revision {cls.version} of the text cited by claim {n}.</p>"
            + "<p>Background paragraph on export controls and model provenance.</p>" * 20
            + "</article></body></html>"
        ).encode()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def do_GET(self):  # noqa: N802
        time.sleep(DELAY)
        body = Pages.body(int(self.path.rsplit("/", 1)[-1]))
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def figures() -> None:
    from models_catalog.models import EvidenceSource
    from riskreg.evidence.models import Capture
    from riskreg.evidence.services import evidence_source_recheck, evidence_sources_capture

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.request_queue_size = 256
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.RISKREG_WATCH_ALLOWED_ADDRESSES = [f"127.0.0.1:{server.server_address[1]}"]
    settings.RISKREG_WATCH_ALLOW_PRIVATE = False
    try:
        ids = []
        for n in range(SOURCES):
            source = EvidenceSource.objects.create(
                title=f"Source {n}",
                publisher="Bench",
                kind=EvidenceSource.Kind.PRESS,
                url=f"http://127.0.0.1:{server.server_address[1]}/page/{n}",
            )
            ids.append(source.pk)
        print(f"{SOURCES} sources, each answer delayed {DELAY:.2f} s, {WORKERS} threads for the concurrent run")

        started = time.perf_counter()
        results = evidence_sources_capture(source_ids=ids, workers=1)
        one_by_one = time.perf_counter() - started
        assert all(r.status == "captured" for r in results), {r.status for r in results}
        print(f"1. one after another: {one_by_one:6.2f} s ({SOURCES / one_by_one:5.1f} captures/s)")

        Pages.version = 2  # every page changed: every copy is new, as in the first run
        started = time.perf_counter()
        results = evidence_sources_capture(source_ids=ids, workers=WORKERS)
        concurrent = time.perf_counter() - started
        assert all(r.status == "captured" for r in results), {r.status for r in results}
        print(f"2. concurrently:      {concurrent:6.2f} s ({SOURCES / concurrent:5.1f} captures/s)")
        print(f"   ratio (1 / 2): {one_by_one / concurrent:.1f}x")

        captures, files = (
            Capture.objects.count(),
            sum(1 for p in Path(settings.RISKREG_DATA_DIR).rglob("*") if p.is_file()),
        )
        started = time.perf_counter()
        statuses = [evidence_source_recheck(source_id=pk).status for pk in ids]
        recheck = time.perf_counter() - started
        written = Capture.objects.count() - captures
        new_files = sum(1 for p in Path(settings.RISKREG_DATA_DIR).rglob("*") if p.is_file()) - files
        print(
            f"3. re-check of {SOURCES} unchanged sources (one after another): {recheck:6.2f} s, "
            f"{statuses.count('unchanged')} unchanged, {written} captures and {new_files} files written"
        )
    finally:
        server.shutdown()
        server.server_close()


def main() -> None:
    with throwaway_database():
        figures()


if __name__ == "__main__":
    main()
