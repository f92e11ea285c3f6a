"""Whole commands on a store of the sample zone: load, ``landplan match`` and ``landplan allocate``.

    python benchmarks/bench_commands.py --parcels 100000 --where /tmp/zone100k
    python benchmarks/bench_commands.py --parcels 1000000 --where /tmp/zone1m --skip allocate

``--where`` holds the store built once (``landplan sample``, ``init``, ``import`` of every layer
and the projects) and reused on later runs. Each figure is printed beside its peer, measured in
the same run:

- load: ``Store.load_zone()`` (every layer, typed, statuses as of today) beside GDAL reading
  the same layers of the same file into GeoDataFrames with Arrow
  (``pyogrio.read_dataframe(..., use_arrow=True)``); with ``--postgis URL`` (a store already
  holding the same zone), beside ``geopandas.read_postgis`` of the same tables;
- ``landplan match PROJECT --db``: the command with the site index kept beside the store,
  beside the same command with no index kept (it prepares the index and keeps it);
- ``landplan allocate --db``: likewise.

Commands run in a subprocess; each reports its CPU seconds (user + system) and peak resident
memory from ``os.wait4``. The machine's load (``uptime``) is printed before and after each step.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

LAYERS = (
    "parcels", "buildings", "enterprises", "constraints", "corridors", "substations", "roads",
)  # fmt: skip
LANDPLAN = str(Path(sys.executable).parent / "landplan")


def load_average() -> str:
    return "load average " + ", ".join(f"{v:.2f}" for v in os.getloadavg())


def command(*args: str, cwd: Path) -> dict[str, float]:
    """Run one landplan command; its wall time, CPU seconds and peak memory (GB)."""
    started = time.perf_counter()
    # The command of this tree, whatever the folder it runs in and the installed landplan.
    env = os.environ | {"PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    child = subprocess.Popen(
        [LANDPLAN, *args], cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    _pid, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status):
        raise SystemExit(f"landplan {' '.join(args)} failed: {child.stderr.read().decode()}")
    child.stderr.close()
    cpu = usage.ru_utime + usage.ru_stime
    return {"wall": wall, "cpu": cpu, "rss_gb": usage.ru_maxrss / 1024**2}


def build(where: Path, n: int) -> Path:
    store = where / "store.gpkg"
    if store.exists():
        return store
    where.mkdir(parents=True, exist_ok=True)
    command("sample", "--parcels", str(n), "--out", "zone", cwd=where)
    command("init", "--db", "store.gpkg", cwd=where)
    for layer in LAYERS:
        command("import", layer, "zone/zone.gpkg", "--db", "store.gpkg", cwd=where)
    command("import", "projects", "zone/projects.csv", "--db", "store.gpkg", cwd=where)
    return store


def best_of(repeat: int, fn) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times)


def bench_load(store: Path, repeat: int, postgis: str | None) -> None:
    import sqlalchemy as sa

    import geopandas as gpd
    import pyogrio

    from landplan.store import open_store

    def ours(url) -> None:
        with open_store(url) as s:
            s.load_zone()

    def gdal() -> None:
        for layer in (*LAYERS, "projects"):
            pyogrio.read_dataframe(store, layer=layer, use_arrow=True)

    mine = best_of(repeat, lambda: ours(store))
    peer = best_of(repeat, gdal)
    print(
        f"load GeoPackage: store {mine:.2f} s | pyogrio+Arrow {peer:.2f} s | "
        f"ratio {mine / peer:.2f}; {load_average()}"
    )
    if postgis:
        engine = sa.create_engine(postgis)

        def read_postgis() -> None:
            with engine.connect() as conn:
                for layer in (*LAYERS, "projects"):
                    gpd.read_postgis(f'SELECT * FROM "{layer}" ORDER BY fid', conn, geom_col="geom")

        mine = best_of(repeat, lambda: ours(postgis))
        peer = best_of(repeat, read_postgis)
        print(
            f"load PostGIS: store {mine:.2f} s | geopandas.read_postgis {peer:.2f} s | "
            f"ratio {mine / peer:.2f}; {load_average()}"
        )


def bench_command(name: str, args: list[str], store: Path) -> None:
    from landplan.store import open_store

    with open_store(store) as s:
        # A store of code from before the index was kept has no location for it.
        kept = s.cache_location() if hasattr(s, "cache_location") else None
    if kept is not None:
        kept.unlink(missing_ok=True)
    cold = command(*args, cwd=store.parent)
    warm = command(*args, cwd=store.parent)
    print(
        f"{name}: index kept {warm['cpu']:.1f} s CPU, {warm['wall']:.1f} s wall, "
        f"peak {warm['rss_gb']:.2f} GB | no index kept {cold['cpu']:.1f} s CPU, "
        f"{cold['wall']:.1f} s wall, peak {cold['rss_gb']:.2f} GB; {load_average()}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parcels", type=int, default=100_000)
    parser.add_argument("--where", type=Path, required=True, help="folder of the store (reused)")
    parser.add_argument("--project", default="PJ-03")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--postgis", help="a PostGIS store holding the same zone")
    parser.add_argument("--skip", nargs="*", default=(), choices=("load", "match", "allocate"))
    args = parser.parse_args()
    print(load_average())
    store = build(args.where, args.parcels)
    print(f"store of {args.parcels:,} parcels at {store}; {load_average()}")
    if "load" not in args.skip:
        bench_load(store, args.repeat, args.postgis)
    if "match" not in args.skip:
        match = ["match", args.project, "--db", "store.gpkg"]
        bench_command(f"landplan match {args.project} --db", match, store)
    if "allocate" not in args.skip:
        allocate = ["allocate", "--db", "store.gpkg", "--out", "plan"]
        bench_command("landplan allocate --db", allocate, store)
    print(load_average())


if __name__ == "__main__":
    main()
