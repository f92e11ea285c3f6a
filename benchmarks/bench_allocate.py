"""Allocation of 100 projects x up to 50 candidate sites: the exact optimum beside greedy.

The zone is a grid of 1 ha parcels. Projects draw their candidates from overlapping windows of
the grid, so many compete for the same parcels: single parcels, assemblies of 2-4 neighbours,
cut-outs (west or east strip of a parcel) and floor space in vacant buildings.

    python benchmarks/bench_allocate.py --projects 100 --candidates 50 --seeds 3
"""

from __future__ import annotations

import argparse
import time

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--projects", type=int, default=100)
    parser.add_argument("--candidates", type=int, default=50)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--grid", type=int, default=14, help="parcels per side of the grid")
    parser.add_argument("--time-limit", type=float, default=60.0)
    args = parser.parse_args()
    print(
        f"{'seed':>4} {'cands':>6} {'rows':>6} {'status':>10} {'time s':>7} {'optimum':>10} "
        f"{'bound':>10} {'greedy':>10} {'gain':>6} {'placed':>6}"
    )
    for seed in range(args.seeds):
        zone, candidates = instance(args.projects, args.candidates, seed, args.grid)
        started = time.perf_counter()
        result = allocate(None, zone, candidates=candidates, time_limit_s=args.time_limit)
        total = time.perf_counter() - started
        print(
            f"{seed:>4} {len(candidates):>6} {result.n_constraints:>6} {result.status:>10} "
            f"{total:>7.2f} {result.objective:>10.1f} {result.bound:>10.1f} "
            f"{result.greedy_objective:>10.1f} {result.gain_over_greedy:>6.1%} "
            f"{len(result.plan):>6}"
        )
        print(f"     solver {result.solve_time_s:.2f} s of {total:.2f} s (the rest builds rows)")


if __name__ == "__main__":
    main()
