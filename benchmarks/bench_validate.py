"""Benchmark: ``landplan validate FILE --layer parcels`` beside a plain read of the same layer.

Run from the repository root, on a zone written once by ``landplan sample``::

    landplan sample --parcels 1000000 --out /tmp/z1e6
    python benchmarks/bench_validate.py /tmp/z1e6/zone.gpkg

The command runs in its own process (CPU seconds and peak memory of that process); its peers,
in processes of their own too, are ``pyogrio.read_dataframe`` of the same layer row by row and
through Arrow (as landplan reads it), which read what validation then checks: the difference
is what validation costs.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _command import load, run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path, help="a GeoPackage written by `landplan sample`")
    args = parser.parse_args()
    print(f"load average at the start: {load()}")
    command = run(["validate", str(args.file), "--layer", "parcels"])
    peers = {
        "peer: `pyogrio.read_dataframe`": "",
        "peer: `pyogrio.read_dataframe(use_arrow=True)`": ", use_arrow=True",
    }
    rows = []
    for title, option in peers.items():
        code = f"import sys, pyogrio; pyogrio.read_dataframe(sys.argv[1], layer='parcels'{option})"
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code, str(args.file)], check=True)
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        rows.append(f"| {title} | {cpu:.1f} | {wall:.1f} | |")
    print("| | CPU s | wall s | peak RSS GB |")
    print("| --- | ---: | ---: | ---: |")
    print(
        f"| `landplan validate --layer parcels` | {command['cpu_s']:.1f} | "
        f"{command['wall_s']:.1f} | {command['peak_rss_gb']:.2f} |"
    )
    print("\n".join(rows))
    print(f"load average at the end: {load()}")


if __name__ == "__main__":
    main()
