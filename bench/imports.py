"""Memory and time of a list import through the command line: the import is streamed, so its peak memory
should not grow with the file.

    .venv/bin/python bench/imports.py            (SQLite in a throwaway data directory)
    .venv/bin/python bench/imports.py --quick    (the real file and 20 MB only)

Each import runs in its own `manage.py import_sanctions` process, and its peak resident memory (RSS) is read
from the kernel when it exits (os.wait4). The baseline, measured in the same run, is the peak RSS of the same
command refused at once (a file that is not a list): what Django, the apps and the parsers cost before any
data. Files: the real sdn-2024-05-03.csv of tests/data (3.7 MB, 14,965 entries), and the same rows repeated
with entry numbers of their own per copy to 20 MB and 200 MB (under RISKREG_IMPORT_MAX_BYTES, 512 MB).
Target: the 200 MB import in at most 300 MB peak RSS.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
SDN = BASE_DIR / "tests" / "data" / "lists" / "ofac" / "sdn-2024-05-03.csv"
TARGET_MB = 300
MB = 1024 * 1024


def grown_sdn(target: Path, size: int) -> Path:
    """The real rows repeated until `size` bytes, each copy with entry numbers of its own."""
    rows = SDN.read_bytes().rstrip(b"\x1a").splitlines(keepends=True)
    written, copy = 0, 0
    with open(target, "wb") as out:
        while written < size:
            offset = copy * 1_000_000
            for row in rows:
                number, rest = row.split(b",", 1)
                line = str(int(number) + offset).encode() + b"," + rest
                out.write(line)
                written += len(line)
                if written >= size:
                    break
            copy += 1
    return target


def run(env: dict, *args: str) -> tuple[float, float, int, str]:
    """Seconds, peak RSS in MB, exit status and the last output line of one command."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    output = proc.stdout.read().decode(errors="replace")
    _pid, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    last = [line for line in output.splitlines() if line.strip()][-1:] or [""]
    return time.perf_counter() - started, usage.ru_maxrss / 1024, proc.returncode, last[0][:140]


def main() -> None:
    if not SDN.exists():
        raise SystemExit(f"{SDN} not found")
    sizes = [20] if "--quick" in sys.argv else [20, 200]
    with tempfile.TemporaryDirectory(prefix="riskreg-bench-imports-") as folder:
        data = Path(folder)
        env = {**os.environ, "DEBUG": "1", "RISKREG_DATA_DIR": str(data), "DATABASE_URL": "", "REDIS_URL": ""}
        subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=BASE_DIR, env=env, check=True)
        print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")

        junk = data / "not-a-list.csv"
        junk.write_bytes(b"<html>not a list</html>\n")
        seconds, baseline, _, _ = run(env, "import_sanctions", "ofac-sdn", str(junk))
        print(f"baseline (the command, refused at once): peak RSS {baseline:.0f} MB, {seconds:.1f} s")

        files = [("real sdn.csv", SDN)] + [(f"{mb} MB", data / f"sdn-{mb}mb.csv") for mb in sizes]
        for label, path in files:
            if path != SDN:
                grown_sdn(path, int(label.split()[0]) * MB)
            size = path.stat().st_size / MB
            seconds, peak, code, last = run(env, "import_sanctions", "ofac-sdn", str(path), "--allow-shrink")
            print(
                f"{label} ({size:.1f} MB): exit {code} in {seconds:.1f} s; peak RSS {peak:.0f} MB = "
                f"{peak / baseline:.2f}x the baseline, baseline + {peak - baseline:.0f} MB "
                f"({(peak - baseline) / size:.2f} MB a MB of file; target <= {TARGET_MB} MB)"
                f"  [{re.sub(r'sha256 [0-9a-f]+', 'sha256 ...', last)}]"
            )
            if path != SDN:
                path.unlink()
            (data / "riskreg.sqlite3").unlink(missing_ok=True)
            subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=BASE_DIR, env=env, check=True)


if __name__ == "__main__":
    main()
