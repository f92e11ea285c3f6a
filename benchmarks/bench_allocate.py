"""Allocation: the reduced program beside the unreduced one, measured in the same run.

Two workloads, each figure printed beside its peer from the same run:

- synthetic (default): 100 projects x up to 50 candidate sites on a grid of 1 ha parcels.
  Projects draw their candidates from overlapping windows of the grid, so many compete for the
  same parcels: single parcels, assemblies of 2-4 neighbours, cut-outs (west or east strip of a
  parcel) and floor space in vacant buildings. The peer is the same allocation with
  ``reduce=False`` (the whole program at once, no reductions, no warm start);

- ``--pipeline N``: the sample zone of N parcels imported into an embedded store
  (``landplan sample``, ``init``, ``import``), then the whole command ``landplan allocate --db``
  timed as a user runs it; beside it, in this process, loading, matching, the reduced
  allocation and its peer, the unreduced program, on the same candidates;

- ``--db STORE --peer REV``: the whole command ``landplan allocate --db STORE`` of this tree
  beside the same command of the revision ``REV`` of the repository (exported with
  ``git archive``), each in a subprocess with its CPU seconds (user + system) and peak memory
  from ``os.wait4``; the two plans' candidate tables must be the same bytes.

    python benchmarks/bench_allocate.py --projects 100 --candidates 50 --seeds 3 --grid 10
    python benchmarks/bench_allocate.py --pipeline 100000
    python benchmarks/bench_allocate.py --db /tmp/zone100k/store.gpkg --peer main
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

import geopandas as gpd
import shapely

from landplan.allocate import allocate
from landplan.zone import Zone

X0, Y0 = 602_600.0, 2_533_800.0
SIDE = 100.0


def instance(n_projects: int, n_candidates: int, seed: int, grid: int):
    rng = np.random.default_rng(seed)
    ij = np.array([(i, j) for j in range(grid) for i in range(grid)])
    cells = shapely.box(
        X0 + ij[:, 0] * SIDE,
        Y0 + ij[:, 1] * SIDE,
        X0 + (ij[:, 0] + 1) * SIDE,
        Y0 + (ij[:, 1] + 1) * SIDE,
    )
    ids = np.array([f"P{k}" for k in range(len(ij))])
    parcels = gpd.GeoDataFrame(
        {"parcel_id": ids, "status": "state_reserve", "land_use": "M1", "tenure": "state"},
        geometry=cells,
        crs="EPSG:4546",
    )
    with_building = rng.choice(len(ij), size=len(ij) // 10, replace=False)
    centre = shapely.centroid(cells[with_building])
    buildings = gpd.GeoDataFrame(
        {
            "building_id": [f"B{k}" for k in range(len(with_building))],
            "parcel_id": ids[with_building],
            "status": "partly_vacant",
            "floors": 3,
            "floor_area_m2": 6000.0,
            "vacant_area_m2": 3000.0,
        },
        geometry=shapely.buffer(centre, 15.0, cap_style="square"),
        crs="EPSG:4546",
    )
    projects = pd.DataFrame(
        {
            "project_id": [f"J{k}" for k in range(n_projects)],
            "name": [f"J{k}" for k in range(n_projects)],
            "stage": rng.choice(["signed", "framework", "prospect"], n_projects),
            "investment_wan_yuan": rng.choice([5000.0, 10000.0, 30000.0, 80000.0], n_projects),
            "land_mu_min": 15.0,
        }
    )
    zone = Zone.from_layers({"parcels": parcels, "buildings": buildings, "projects": projects})

    rows = []
    window = min(6, grid - 1)
    for k in range(n_projects):
        i0, j0 = rng.integers(0, grid - window, size=2)
        for c in range(rng.integers(n_candidates // 2, n_candidates + 1)):
            kind = rng.choice(
                ["single", "assembly", "cutout", "floor_space"], p=[0.4, 0.35, 0.15, 0.1]
            )
            i, j = i0 + rng.integers(0, window), j0 + rng.integers(0, window)
            cell = j * grid + i
            score = float(rng.integers(20, 100))
            base = {
                "project_id": f"J{k}",
                "candidate_id": f"J{k}-{c}",
                "score": score,
                "building_id": None,
                "floor_area_m2": 0.0,
            }
            if kind == "single":
                rows.append(
                    {
                        **base,
                        "kind": kind,
                        "parcel_ids": [ids[cell]],
                        "area_m2": SIDE * SIDE,
                        "geometry": cells[cell],
                    }
                )
            elif kind == "assembly":
                size = rng.integers(2, 5)
                group = [j * grid + min(i + d, grid - 1) for d in range(size)]
                group = sorted(set(group))
                rows.append(
                    {
                        **base,
                        "kind": kind if len(group) > 1 else "single",
                        "parcel_ids": list(ids[group]),
                        "area_m2": SIDE * SIDE * len(group),
                        "geometry": shapely.union_all(cells[group]),
                    }
                )
            elif kind == "cutout":
                west = rng.random() < 0.5
                x = X0 + i * SIDE + (0.0 if west else 60.0)
                geom = shapely.box(x, Y0 + j * SIDE, x + 40.0, Y0 + (j + 1) * SIDE)
                rows.append(
                    {
                        **base,
                        "kind": kind,
                        "parcel_ids": [ids[cell]],
                        "area_m2": geom.area,
                        "geometry": geom,
                    }
                )
            else:
                b = int(rng.integers(0, len(with_building)))
                rows.append(
                    {
                        **base,
                        "kind": kind,
                        "parcel_ids": [ids[with_building[b]]],
                        "building_id": f"B{b}",
                        "area_m2": 0.0,
                        "floor_area_m2": float(rng.choice([1000.0, 1500.0, 2000.0])),
                        "geometry": buildings.geometry.iloc[b],
                    }
                )
    candidates = gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4546")
    return zone, candidates


def _load() -> str:
    return "load average " + " ".join(f"{x:.1f}" for x in os.getloadavg())


def synthetic(args) -> None:
    print(_load())
    print(
        f"{'seed':>4} {'cands':>6} {'rows':>6} {'status':>10} {'time s':>7} {'peer s':>7} "
        f"{'peer':>10} {'optimum':>10} {'greedy':>10} {'gain':>6} {'placed':>6} {'dropped':>7}"
    )
    for seed in range(args.seeds):
        zone, candidates = instance(args.projects, args.candidates, seed, args.grid)
        started = time.perf_counter()
        result = allocate(None, zone, candidates=candidates, time_limit_s=args.time_limit)
        total = time.perf_counter() - started
        started = time.perf_counter()
        peer = allocate(
            None, zone, candidates=candidates, time_limit_s=args.time_limit, reduce=False
        )
        peer_total = time.perf_counter() - started
        dropped = int((~result.candidates["in_program"]).sum())
        print(
            f"{seed:>4} {len(candidates):>6} {result.n_constraints:>6} {result.status:>10} "
            f"{total:>7.2f} {peer_total:>7.2f} {peer.status:>10} {result.objective:>10.1f} "
            f"{result.greedy_objective:>10.1f} {result.gain_over_greedy:>6.1%} "
            f"{len(result.plan):>6} {dropped:>7}"
        )
        if abs(result.objective - peer.objective) > 1e-6 * max(1.0, abs(peer.objective)):
            print(f"     the peer's value differs: {peer.objective:.3f}")
    print(_load())


def _cli(*args: str, cwd: Path) -> float:
    """Run one landplan command; return its wall time."""
    started = time.perf_counter()
    subprocess.run(
        [str(Path(sys.executable).parent / "landplan"), *args],
        cwd=cwd,
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - started


def pipeline(args) -> None:
    from landplan.allocate import _match_candidates, _projects_in_scope
    from landplan.store import open_store

    print(_load())
    with tempfile.TemporaryDirectory() as tmp:
        where = Path(tmp)
        _cli("sample", "--parcels", str(args.pipeline), "--out", "zone", cwd=where)
        _cli("init", "--db", "store.gpkg", cwd=where)
        for layer in (
            "parcels", "buildings", "enterprises", "constraints", "corridors", "substations",
            "roads",
        ):  # fmt: skip
            _cli("import", layer, "zone/zone.gpkg", "--db", "store.gpkg", cwd=where)
        _cli("import", "projects", "zone/projects.csv", "--db", "store.gpkg", cwd=where)
        print(f"store of {args.pipeline:,} parcels built; {_load()}")
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        wall = _cli("allocate", "--db", "store.gpkg", "--out", "plan", cwd=where)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
        print(f"landplan allocate --db: {wall:.1f} s wall, {cpu:.1f} s CPU; {_load()}")

        started = time.perf_counter()
        with open_store(where / "store.gpkg") as store:
            zone = store.load_zone()
            reserved = store.reservations()
        loaded = time.perf_counter() - started
        started = time.perf_counter()
        scope = _projects_in_scope(zone.projects, None, zone.policy)
        candidates, _ = _match_candidates(scope, zone)
        matched = time.perf_counter() - started
        runs = {}
        for reduce in (True, False):
            started = time.perf_counter()
            result = allocate(
                None,
                zone,
                candidates=candidates,
                reserved=reserved,
                time_limit_s=args.time_limit,
                reduce=reduce,
            )
            runs[reduce] = (time.perf_counter() - started, result)
        (fast, result), (slow, peer) = runs[True], runs[False]
        kept = int(result.candidates["in_program"].sum())
        print(f"load {loaded:.1f} s, match {matched:.1f} s ({len(candidates):,} candidates)")
        print(
            f"allocate {fast:.1f} s {result.status} value {result.objective:,.2f} "
            f"(solver {result.solve_time_s:.2f} s, {kept:,} sites in {result.n_parts} part(s), "
            f"{result.n_dominated:,} dominated) | peer reduce=False {slow:.1f} s {peer.status} "
            f"value {peer.objective:,.2f} (solver {peer.solve_time_s:.2f} s)"
        )
    print(_load())


def _allocate_with(source: Path, store: Path, out: Path) -> dict[str, float]:
    """Run ``landplan allocate --db`` of the package under ``source``; its CPU s and peak GB."""
    env = {**os.environ, "PYTHONPATH": str(source)}
    command = [str(Path(sys.executable).parent / "landplan"), "allocate", "--db", str(store)]
    child = subprocess.Popen(
        [*command, "--out", str(out)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    _pid, status, usage = os.wait4(child.pid, 0)
    if os.waitstatus_to_exitcode(status):
        raise SystemExit(f"allocate of {source} failed: {child.stderr.read().decode()}")
    child.stderr.close()
    return {"cpu": usage.ru_utime + usage.ru_stime, "rss_gb": usage.ru_maxrss / 1024**2}


def against_revision(args) -> None:
    here = Path(__file__).resolve().parent.parent
    store = Path(args.db).resolve()
    with tempfile.TemporaryDirectory() as tmp:
        peer = Path(tmp) / "peer"
        peer.mkdir()
        archive = subprocess.run(
            ["git", "archive", args.peer, "landplan"], cwd=here, check=True, capture_output=True
        )
        subprocess.run(["tar", "-x", "-C", str(peer)], input=archive.stdout, check=True)
        runs = {}
        for name, source in (("this tree", here), (f"peer {args.peer}", peer)):
            print(f"{name}: {_load()}")
            runs[name] = _allocate_with(source, store, Path(tmp) / name.replace(" ", "_"))
            print(
                f"  landplan allocate --db {store}: {runs[name]['cpu']:.1f} s CPU, "
                f"{runs[name]['rss_gb']:.1f} GB"
            )
        table = "allocation_candidates.csv"
        same = all(
            (Path(tmp) / "this_tree" / table).read_bytes()
            == (Path(tmp) / name.replace(" ", "_") / table).read_bytes()
            for name in runs
        )
        print(f"candidate tables the same bytes: {same}; {_load()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--projects", type=int, default=100)
    parser.add_argument("--candidates", type=int, default=50)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--grid", type=int, default=14, help="parcels per side of the grid")
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--pipeline", type=int, default=0, help="parcels of the sample zone")
    parser.add_argument("--db", help="a store of a zone: allocate it with this tree and --peer")
    parser.add_argument("--peer", default="main", help="the revision measured beside this tree")
    args = parser.parse_args()
    if args.db:
        against_revision(args)
    elif args.pipeline:
        pipeline(args)
    else:
        synthetic(args)


if __name__ == "__main__":
    main()
