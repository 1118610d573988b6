"""Memo figures: render time against a plain WeasyPrint document, snapshot SQL queries, worker throughput.

    .venv/bin/python bench/reports.py
    .venv/bin/python bench/reports.py --render-only   (figure 2 alone, for iterating on the renderer)
    DATABASE_URL=postgres://... REDIS_URL=redis://... .venv/bin/python bench/reports.py   (adds the worker figure)

Works on a throwaway database it creates and drops. Figures:
1. SQL queries to build the GLM-5 snapshot with 5 and with 200 claims (target: the same count).
2. GLM-5 memo: median render time (snapshot -> PDF) against WeasyPrint rendering a plain document of the
   same page count, interleaved in the same run (target: within 1.5x).
3. 100 memos through real `celery worker` processes on Redis + PostgreSQL: one worker process (-c 1)
   against two worker processes (-c 1 each), and the scaling ratio. These memos are light (a model with
   no claims, risks or requests: two pages) to keep the run short; the per-memo cost of a full GLM-5
   memo is figure 2.
"""

from __future__ import annotations

import logging
import os
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from _harness import BASE_DIR, throwaway_database
from django.db import connection
from django.test.utils import CaptureQueriesContext

logging.getLogger("riskreg.core.events").setLevel(logging.WARNING)  # one line per claim otherwise

MEMOS = 100
RENDER_ROUNDS = 5


def plain_html(paragraphs: int) -> str:
    para = "<p>" + "The register records who built a model, on what hardware, and under which rules. " * 8 + "</p>"
    return (
        "<html><head><style>@page { size: A4; margin: 22mm 18mm 20mm 18mm; "
        "@bottom-right { content: 'Page ' counter(page) ' of ' counter(pages) } } "
        'html { font-family: "DejaVu Sans", "Noto Sans CJK SC", sans-serif; font-size: 8.6pt; line-height: 1.38 }'
        "</style></head><body><h1>Plain document</h1>" + para * paragraphs + "</body></html>"
    )


def plain_with_pages(pages: int) -> str:
    import weasyprint

    paragraphs = 8 * pages
    while True:
        count = len(weasyprint.HTML(string=plain_html(paragraphs)).render().pages)
        if count == pages:
            return plain_html(paragraphs)
        paragraphs += -2 if count > pages else 3


def figure_render(snapshot: dict) -> None:
    import weasyprint

    from reports.services import memo_render

    pages = memo_render(snapshot=snapshot).pages  # warm-up (fonts, templates)
    plain = plain_with_pages(pages)
    memo_times, plain_times, memo_cpu, plain_cpu, cold_times = [], [], [], [], []
    for _ in range(RENDER_ROUNDS):
        start, cpu = time.perf_counter(), time.process_time()
        memo_render(snapshot=snapshot)
        memo_times.append(time.perf_counter() - start)
        memo_cpu.append(time.process_time() - cpu)
        start, cpu = time.perf_counter(), time.process_time()
        weasyprint.HTML(string=plain).write_pdf()
        plain_times.append(time.perf_counter() - start)
        plain_cpu.append(time.process_time() - cpu)
    for _ in range(RENDER_ROUNDS):  # after the others: a dropped font configuration is freed at leisure
        _forget_per_process_reuse()
        start = time.perf_counter()
        memo_render(snapshot=snapshot)
        cold_times.append(time.perf_counter() - start)
    memo_s, plain_s = statistics.median(memo_times), statistics.median(plain_times)
    memo_c, plain_c = statistics.median(memo_cpu), statistics.median(plain_cpu)
    print(f"2. GLM-5 memo render ({pages} pages): median {memo_s:.2f} s over {RENDER_ROUNDS} renders")
    print(f"   plain WeasyPrint document ({pages} pages): median {plain_s:.2f} s")
    print(f"   ratio memo / plain: {memo_s / plain_s:.2f}x (target <= 1.5x)")
    # CPU time of this process: the same ratio, less disturbed when other processes share the cores.
    print(f"   CPU time: memo {memo_c:.2f} s, plain {plain_c:.2f} s, ratio {memo_c / plain_c:.2f}x")
    cold_s = statistics.median(cold_times)
    print(
        f"   memo with nothing reused from earlier renders (new font configuration, empty font-subset cache, as "
        f"the first memo a worker makes): median {cold_s:.2f} s, ratio {cold_s / plain_s:.2f}x"
    )


def _forget_per_process_reuse() -> None:
    from reports.services import render

    render._font_config = None
    render.FONT_SUBSET_CACHE.clear()


def figure_queries(world) -> dict:
    from models_catalog.models import ProvenanceClaim
    from reports.services.snapshot import model_snapshot_build

    meta = {"id": 0, "kind": "model", "version": 1, "generated_by": None, "template_version": "bench", "subject": ""}
    from django.utils import timezone

    with CaptureQueriesContext(connection) as five:
        snapshot = model_snapshot_build(model_id=world.model.pk, request_id=None, memo=meta, at=timezone.now())
    for n in range(195):
        claim = ProvenanceClaim.objects.create(
            model=world.model,
            subject="other",
            statement=f"Observation {n}",
            value=f"obs {n}",
            confidence="unverified",
            source=world.sources["analysis"],
            accelerator=world.ascend if n % 7 == 0 else None,
        )
        claim.other_sources.set([world.sources["card"], world.sources["report"]])
    with CaptureQueriesContext(connection) as many:
        big = model_snapshot_build(model_id=world.model.pk, request_id=None, memo=meta, at=timezone.now())
    print(
        f"1. snapshot SQL queries: {len(five)} with {len(snapshot['claims'])} claims, "
        f"{len(many)} with {len(big['claims'])} claims (ratio {len(many) / len(five):.2f}x; target 1.00x)"
    )
    ProvenanceClaim.objects.filter(model=world.model, subject="other", value__startswith="obs ").delete()
    return snapshot


def _worker_env() -> dict:
    env = os.environ.copy()
    parts = urlsplit(os.environ["DATABASE_URL"])
    env["DATABASE_URL"] = urlunsplit(parts._replace(path="/" + connection.settings_dict["NAME"]))
    env["DJANGO_SETTINGS_MODULE"] = "tests.settings"
    return env


def _start_workers(count: int, log_dir: Path) -> list[tuple[subprocess.Popen, str]]:
    from riskreg.celery import app

    workers = []
    for index in range(count):
        name = f"bench-{uuid.uuid4().hex[:6]}-{index}@localhost"
        log = open(log_dir / f"{name}.log", "wb")  # noqa: SIM115  (closed with the process)
        proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "riskreg", "worker", "--loglevel", "WARNING", "--concurrency", "1"]
            + ["--hostname", name, "--without-gossip", "--without-mingle", "--prefetch-multiplier", "1"],
            cwd=BASE_DIR,
            env=_worker_env(),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        workers.append((proc, name))
    deadline = time.monotonic() + 90
    for proc, name in workers:
        while not app.control.ping(destination=[name], timeout=1.0):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"worker {name} did not start; see {log_dir}")
    return workers


def _stop_workers(workers) -> None:
    for proc, _name in workers:
        proc.terminate()
    for proc, _name in workers:
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _run_batch(model, workers_count: int, log_dir: Path) -> float:
    from reports.models import Memo
    from reports.services import memo_create
    from reports.tasks import memo_generate_task

    workers = _start_workers(workers_count, log_dir)
    try:
        ids = [memo_create(kind=Memo.Kind.MODEL, model=model).pk for _ in range(MEMOS)]
        start = time.perf_counter()
        for memo_id in ids:
            memo_generate_task.delay(memo_id)
        deadline = time.monotonic() + 600
        while Memo.objects.filter(pk__in=ids, status=Memo.Status.DONE).count() < MEMOS:
            failed = Memo.objects.filter(pk__in=ids, status=Memo.Status.FAILED).first()
            if failed or time.monotonic() > deadline:
                raise SystemExit(f"memo batch did not finish: {failed and failed.error}")
            time.sleep(0.2)
        return time.perf_counter() - start
    finally:
        _stop_workers(workers)


def _spin(n: int = 15_000_000) -> None:
    total = 0
    for i in range(n):
        total += i


def cpu_parallel_speedup() -> float:
    """What two processes can gain on this machine at all: the same pure-Python work, sequential vs parallel."""
    from multiprocessing import Process

    start = time.perf_counter()
    _spin()
    _spin()
    sequential = time.perf_counter() - start
    start = time.perf_counter()
    procs = [Process(target=_spin) for _ in range(2)]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join()
    return sequential / (time.perf_counter() - start)


def figure_workers() -> None:
    if not (os.environ.get("DATABASE_URL", "").startswith("postgres") and os.environ.get("REDIS_URL")):
        print("3. worker throughput: skipped (needs DATABASE_URL=postgres://... and REDIS_URL)")
        return
    import tempfile

    from tests.reports.factories import light_model

    log_dir = Path(tempfile.mkdtemp(prefix="bench-workers-"))
    model = light_model(name="Bench-1")
    one = _run_batch(model, 1, log_dir)
    two = _run_batch(model, 2, log_dir)
    print(f"3. {MEMOS} light memos, 1 worker process (-c 1): {one:.1f} s ({MEMOS / one:.1f} memos/s)")
    print(f"   {MEMOS} light memos, 2 worker processes (-c 1 each): {two:.1f} s ({MEMOS / two:.1f} memos/s)")
    print(f"   scaling 1 -> 2 workers: {one / two:.2f}x")
    print(f"   baseline: two CPU-bound processes on this machine run {cpu_parallel_speedup():.2f}x faster than one")


def glm5_snapshot(world) -> dict:
    from django.utils import timezone

    from reports.services.snapshot import model_snapshot_build

    meta = {"id": 0, "kind": "model", "version": 1, "generated_by": None, "template_version": "bench", "subject": ""}
    return model_snapshot_build(model_id=world.model.pk, request_id=None, memo=meta, at=timezone.now())


def main() -> None:
    from tests.reports.factories import glm5_world

    render_only = "--render-only" in sys.argv[1:]

    with throwaway_database():
        started = time.perf_counter()
        world = glm5_world()
        snapshot = glm5_snapshot(world) if render_only else figure_queries(world)
        figure_render(snapshot)
        if not render_only:
            figure_workers()
    print(f"(bench took {time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
