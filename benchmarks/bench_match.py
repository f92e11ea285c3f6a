"""Match one project against a large sample zone, and run the same filter as one PostGIS query.

    /work/venv/bin/python benchmarks/bench_match.py --parcels 1000000 --project PJ-03 \
        --db postgresql://postgres@127.0.0.1:5432/landplan_bench_match

Prints the time of ``feasible_parcels`` (the hard rules over every parcel), of ``prepare_sites``
(what matching needs of the zone whatever the project, once per zone), of ``match`` given the
prepared index (rules, assemblies, cut-outs, floor space, scoring and ranking) and of ``match``
without it (preparing the index itself), checking both give the same result; then loads parcels,
constraints and substations into PostGIS (once; ``--reload`` to replace them), runs the hard-rule
filter as a single SQL query using the GiST indexes, checks it finds the same parcels, and prints
its time.
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np

from landplan.demand import as_project, land_demand
from landplan.match import feasible_parcels, match, prepare_sites
from landplan.sample import make_zone
from landplan.zone import Zone

_SQL = """
SELECT p.parcel_id, p.area_m2 BETWEEN :min_m2 AND :max_m2 AS fits
FROM bench_parcels p
WHERE p.status = ANY(:available)
  AND NOT (:buy AND (p.status = ANY(:lease_only) OR p.tenure IS NOT DISTINCT FROM 'collective'))
  AND p.land_use = ANY(:allowed)
  AND (SELECT COALESCE(SUM(ST_Area(ST_Intersection(c.geom, p.geom))), 0)
       FROM bench_constraints c
       WHERE c.kind = ANY(:protected) AND ST_Intersects(c.geom, p.geom)) <= :sliver
  AND (NOT :hazardous OR NOT EXISTS (
    SELECT 1 FROM bench_constraints c
    WHERE c.kind = 'residential' AND ST_DWithin(c.geom, p.geom, :setback)
      AND ST_Distance(c.geom, p.geom) < :setback))
  AND (NOT :storage OR NOT EXISTS (
    SELECT 1 FROM bench_constraints c
    WHERE c.kind = 'fuel_station' AND ST_DWithin(c.geom, p.geom, :fuel_setback)
      AND ST_Distance(c.geom, p.geom) < :fuel_setback))
  AND (:kv < 0 OR EXISTS (
    SELECT 1 FROM bench_substations s
    WHERE s.voltage_kv >= :kv AND ST_DWithin(s.geom, p.geom, :reach)))
"""


def _best(fn, repeat: int) -> tuple[float, object]:
    best, out = math.inf, None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def _params(project, zone: Zone) -> dict:
    policy = zone.policy
    siting = policy.siting
    demand = land_demand(project, policy)
    storage = project.get("hazard") == "energy_storage" or (project.get("storage_mwh") or 0) > 0
    return {
        "min_m2": demand.min_m2,
        "max_m2": demand.max_m2,
        "available": list(siting.available_statuses),
        "buy": (project.get("tenure_ok") or "buy") == "buy",
        "lease_only": list(siting.lease_only_statuses),
        "allowed": list(demand.land_use),
        "protected": list(siting.blocking_constraints),
        "sliver": float(siting.sliver_area_m2),
        "hazardous": project.get("hazard") in siting.hazardous_kinds,
        "setback": float(siting.hazardous_setback_m),
        "storage": bool(storage),
        "fuel_setback": float(siting.fuel_station_setback_m),
        "kv": -1.0 if np.isnan(demand.voltage_kv) else float(demand.voltage_kv),
        "reach": float(siting.substation_max_distance_m),
    }


def _load_postgis(url: str, zone: Zone, reload: bool):
    import sqlalchemy as sa

    base, name = url.rsplit("/", 1)
    admin = sa.create_engine(f"{base}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
        if exists.scalar() is None:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE EXTENSION IF NOT EXISTS postgis"))
        have = conn.execute(sa.text("SELECT to_regclass('bench_parcels') IS NOT NULL")).scalar()
        count = conn.execute(sa.text("SELECT count(*) FROM bench_parcels")).scalar() if have else -1
    if reload or count != len(zone.parcels):
        t = time.perf_counter()
        layers = {
            "bench_parcels": zone.parcels[
                ["parcel_id", "status", "land_use", "tenure", "area_m2", "geometry"]
            ],
            "bench_constraints": zone.constraints[["constraint_id", "kind", "geometry"]],
            "bench_substations": zone.substations[["substation_id", "voltage_kv", "geometry"]],
        }
        for table, frame in layers.items():
            frame.rename_geometry("geom").to_postgis(
                table, engine, if_exists="replace", index=False, chunksize=50_000
            )
        with engine.begin() as conn:
            for table in layers:
                conn.execute(sa.text(f"CREATE INDEX ON {table} USING gist (geom)"))
            conn.execute(sa.text("CREATE INDEX ON bench_parcels (status)"))
            for table in layers:
                conn.execute(sa.text(f"ANALYZE {table}"))
        print(f"loaded PostGIS in {time.perf_counter() - t:.1f} s")
    return engine


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parcels", type=int, default=1_000_000)
    parser.add_argument("--project", default="PJ-03")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--db", default=None, help="PostGIS URL; skipped where not given")
    parser.add_argument("--reload", action="store_true")
    args = parser.parse_args()

    t = time.perf_counter()
    layers = make_zone(n_parcels=args.parcels)
    zone = Zone.from_layers(layers)
    print(
        f"zone of {len(zone.parcels):,} parcels built and validated in "
        f"{time.perf_counter() - t:.1f} s"
    )
    projects = zone.projects.set_index("project_id", drop=False)
    project = as_project(projects.loc[args.project], policy=zone.policy)

    t_rules, (mask, _rej) = _best(lambda: feasible_parcels(project, zone), args.repeat)
    t_prepare, sites = _best(lambda: prepare_sites(zone), 1)
    t_match, found = _best(lambda: match(project, zone, top=10, sites=sites), args.repeat)
    t_alone, alone = _best(lambda: match(project, zone, top=10), args.repeat)
    same = found.ranked.equals(alone.ranked) and found.rejections.equals(alone.rejections)
    kinds = found.ranked["kind"].value_counts().to_dict()
    print(f"{args.project}: {int(mask.sum()):,} parcels pass the hard rules")
    print(f"feasible_parcels (hard rules, all parcels): {t_rules:.2f} s (best of {args.repeat})")
    print(f"prepare_sites (once per zone): {t_prepare:.2f} s")
    print(
        f"match with the prepared index (rules + assemblies + cut-outs + floor space + ranking): "
        f"{t_match:.2f} s (best of {args.repeat}); {len(found.ranked):,} candidates {kinds}"
    )
    print(
        f"match without it (preparing its own): {t_alone:.2f} s (best of {args.repeat}); "
        f"same result: {same}"
    )

    if args.db:
        import sqlalchemy as sa

        engine = _load_postgis(args.db, zone, args.reload)
        params = _params(project, zone)
        query = sa.text(_SQL)

        def run():
            with engine.connect() as conn:
                return conn.execute(query, params).fetchall()

        t_sql, rows = _best(run, args.repeat)
        sql_ids = {r[0] for r in rows}
        py_ids = set(zone.parcels.loc[mask.to_numpy(), "parcel_id"])
        fits = sum(1 for r in rows if r[1])
        singles = int((found.ranked["kind"] == "single").sum())
        print(
            f"PostGIS, one query: {t_sql:.2f} s (best of {args.repeat}); {len(sql_ids):,} "
            f"parcels, {fits:,} in the window; same parcels as Python: {sql_ids == py_ids}; "
            f"same single-parcel candidates: {fits == singles}"
        )


if __name__ == "__main__":
    main()
