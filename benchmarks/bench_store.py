"""Import and load times of the store on both backends, next to pyogrio and a GeoPackage.

    python benchmarks/bench_store.py [--parcels 100000] [--repeat 3] [--postgis URL]

The PostGIS URL defaults to $LANDPLAN_BENCH_POSTGIS_URL or $LANDPLAN_TEST_POSTGIS_URL; the run
uses a schema of its own and drops it. "import" is the whole ``Store.import_layer`` (validation
included, then one transaction); "write" is the same with the validation time taken off;
"load" is ``Store.load_layer``. pyogrio writes and reads the same validated layer as a
GeoPackage with GDAL's own writer. Each figure is the best of ``--repeat`` runs, since the
machine may be shared.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import uuid
from pathlib import Path

import sqlalchemy as sa

import pyogrio

from landplan.sample import make_zone
from landplan.store import open_store
from landplan.validation import validate_layer


def timed(fn):
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def best(runs: list[dict[str, float]]) -> dict[str, float]:
    return {k: min(r[k] for r in runs) for k in runs[0]}


def bench_store(url: str, raw, validate_s: float) -> dict[str, float]:
    store = open_store(url)
    store.init()
    imp, _ = timed(lambda: store.import_layer("parcels", raw, mode="replace"))
    load, frame = timed(lambda: store.load_layer("parcels"))
    assert len(frame) == len(raw)
    store.close()
    return {"import": imp, "write": imp - validate_s, "load": load}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parcels", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--postgis",
        default=os.environ.get("LANDPLAN_BENCH_POSTGIS_URL")
        or os.environ.get("LANDPLAN_TEST_POSTGIS_URL"),
    )
    args = parser.parse_args()

    gen, layers = timed(lambda: make_zone(n_parcels=args.parcels))
    raw = layers["parcels"]
    validate_s, parcels = min(
        (timed(lambda: validate_layer(raw, "parcels")) for _ in range(args.repeat)),
        key=lambda t: t[0],
    )
    print(f"{len(parcels)} parcels (generated in {gen:.1f} s, validated in {validate_s:.1f} s)")

    rows: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        runs = []
        for i in range(args.repeat):
            path = Path(tmp) / f"pyogrio{i}.gpkg"
            w, _ = timed(lambda p=path: pyogrio.write_dataframe(parcels, p, layer="parcels"))
            r, _ = timed(lambda p=path: pyogrio.read_dataframe(p, layer="parcels"))
            runs.append({"import": w + validate_s, "write": w, "load": r})
        rows["pyogrio GeoPackage"] = best(runs)
        rows["store: GeoPackage"] = best(
            [
                bench_store(str(Path(tmp) / f"store{i}.gpkg"), raw, validate_s)
                for i in range(args.repeat)
            ]
        )

    if args.postgis:
        schema = f"lp_bench_{uuid.uuid4().hex[:8]}"
        admin = sa.create_engine(args.postgis)
        with admin.begin() as conn:
            conn.execute(sa.schema.CreateSchema(schema))
        url = sa.make_url(args.postgis).update_query_dict(
            {"options": f"-csearch_path={schema},public"}
        )
        try:
            rows["store: PostGIS"] = best(
                [
                    bench_store(url.render_as_string(hide_password=False), raw, validate_s)
                    for _ in range(args.repeat)
                ]
            )
        finally:
            with admin.begin() as conn:
                conn.execute(sa.schema.DropSchema(schema, cascade=True))
            admin.dispose()
    else:
        print("PostGIS skipped: give --postgis URL or set LANDPLAN_TEST_POSTGIS_URL")

    base = rows["pyogrio GeoPackage"]
    print(
        f"\n{'':22} {'import s':>9} {'write s':>8} {'load s':>7} {'write/pyogrio':>14} "
        f"{'load/pyogrio':>13}"
    )
    for name, r in rows.items():
        print(
            f"{name:22} {r['import']:9.2f} {r['write']:8.2f} {r['load']:7.2f} "
            f"{r['write'] / base['write']:14.2f} {r['load'] / base['load']:13.2f}"
        )


if __name__ == "__main__":
    main()
