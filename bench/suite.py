"""The test suite's time, as `make test` runs it (pytest on both cores, SQLite), against a baseline revision.

Each round runs the suite of this work tree, then the suite of the baseline revision (checked out once in a
temporary git worktree, run with the same interpreter and packages), and prints for each: wall time, CPU time of
all its processes, passed / failed counts, and the machine's load average just before; then the ratio of this
tree's wall time to the baseline's and to the 3-minute goal of `make test` (issue 12).

    .venv/bin/python bench/suite.py --rounds 3           # against 903901b (before this suite work)
    .venv/bin/python bench/suite.py --baseline none       # one run of this tree alone

Needs no database server: the suite's default is SQLite. A round takes the two suites' time (about 6 minutes).
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
GOAL_SECONDS = 180
WORKERS = "2"


def run_suite(folder: Path) -> dict:
    """One run of the suite in `folder`: wall and CPU seconds, counts, and the load average before it."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    load = os.getloadavg()[0]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-n", WORKERS, "--dist", "worksteal", "-p", "no:cacheprovider"],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    summary = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else done.stderr[-500:]
    counts = {word: int(n) for n, word in re.findall(r"(\d+) (passed|failed|errors?|skipped)", summary)}
    return {"wall": wall, "cpu": cpu, "load": load, "counts": counts, "ok": done.returncode == 0, "summary": summary}


def describe(name: str, result: dict) -> str:
    counts = ", ".join(f"{n} {word}" for word, n in result["counts"].items())
    state = "" if result["ok"] else f"  FAILED: {result['summary']}"
    return (
        f"{name:9} {result['wall']:6.1f} s wall, {result['cpu']:6.1f} s CPU, load before {result['load']:4.2f}; "
        f"{counts}{state}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--baseline", default="903901b", help="a git revision, or 'none'")
    args = parser.parse_args()

    baseline_dir = None
    if args.baseline != "none":
        baseline_dir = Path(tempfile.mkdtemp(prefix="riskreg-bench-suite-")) / "baseline"
        subprocess.run(
            ["git", "worktree", "add", "--detach", "--quiet", str(baseline_dir), args.baseline],
            cwd=BASE_DIR,
            check=True,
        )
    print(f"{os.cpu_count()} CPUs; this tree: {BASE_DIR}; baseline: {args.baseline}")
    try:
        for round_ in range(1, args.rounds + 1):
            current = run_suite(BASE_DIR)
            print(f"round {round_}: " + describe("this tree", current))
            line = f"round {round_}: ratio to the {GOAL_SECONDS} s goal {current['wall'] / GOAL_SECONDS:4.2f}"
            if baseline_dir is not None:
                baseline = run_suite(baseline_dir)
                print(f"round {round_}: " + describe("baseline", baseline))
                line += f"; to the baseline {current['wall'] / baseline['wall']:4.2f}"
            print(line, flush=True)
    finally:
        if baseline_dir is not None:
            subprocess.run(["git", "worktree", "remove", "--force", str(baseline_dir)], cwd=BASE_DIR, check=False)


if __name__ == "__main__":
    main()
