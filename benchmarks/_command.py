"""Running a landplan command as a user does: in its own process, timed by the OS."""

from __future__ import annotations

import resource
import subprocess
import sys
import time
from pathlib import Path

_ROOT = Path(__file__).resolve().parents[1]


def run(args: list[str]) -> dict[str, float]:
    """Run ``landplan ARGS`` in a child process; return its wall and CPU seconds and peak RSS.

    Each call is one child at a time, so the children's peak RSS after it is that child's
    unless an earlier child of this process peaked higher: run the largest command first, or
    one command per benchmark process.
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    code = "import sys; from landplan.cli import main; main(sys.argv[1:])"
    subprocess.run(
        [sys.executable, "-c", code, *args],
        check=True,
        cwd=_ROOT,
        env={"PYTHONPATH": str(_ROOT), "PATH": "/usr/bin:/bin"},
        stdout=subprocess.DEVNULL,
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall_s": wall, "cpu_s": cpu, "peak_rss_gb": after.ru_maxrss / 1024**2}


def load() -> str:
    """The machine's load averages, as ``uptime`` prints them."""
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])
