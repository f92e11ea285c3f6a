"""Benchmark: ``landplan validate FILE --layer parcels`` beside a plain read of the same layer.

Run from the repository root, on a zone written once by ``landplan sample``::

    landplan sample --parcels 1000000 --out /tmp/z1e6
    python benchmarks/bench_validate.py /tmp/z1e6/zone.gpkg

The command runs in its own process (CPU seconds and peak memory of that process); its peer,
in a process of its own too, is ``pyogrio.read_dataframe`` of the same layer, which reads what
validation then checks: the difference is what validation costs.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _command import load, run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path, help="a GeoPackage written by `landplan sample`")
    args = parser.parse_args()
    print(f"load average at the start: {load()}")
    command = run(["validate", str(args.file), "--layer", "parcels"])
    peer_code = "import sys, pyogrio; pyogrio.read_dataframe(sys.argv[1], layer='parcels')"
    import resource
    import subprocess
    import time

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", peer_code, str(args.file)], check=True)
    peer_wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    peer_cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    print("| | CPU s | wall s | peak RSS GB |")
    print("| --- | ---: | ---: | ---: |")
    print(
        f"| `landplan validate --layer parcels` | {command['cpu_s']:.1f} | "
        f"{command['wall_s']:.1f} | {command['peak_rss_gb']:.2f} |"
    )
    print(f"| peer: `pyogrio.read_dataframe` | {peer_cpu:.1f} | {peer_wall:.1f} | |")
    print(f"load average at the end: {load()}")


if __name__ == "__main__":
    main()
