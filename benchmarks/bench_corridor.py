"""Corridor analysis on a large sample zone (10⁶ parcels by default).

The zone comes from :func:`landplan.sample.make_zone`; generating and validating it is timed
apart from the analysis, which is the figure that counts.

    python benchmarks/bench_corridor.py --parcels 1000000 --repeat 3
"""

from __future__ import annotations

import argparse
import time

from landplan.corridor import corridor
from landplan.sample import make_zone
from landplan.zone import Zone


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--parcels", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--phase-length", type=float, default=None)
    args = parser.parse_args()

    started = time.perf_counter()
    layers = make_zone(n_parcels=args.parcels)
    generated = time.perf_counter()
    zone = Zone.from_layers(layers)
    validated = time.perf_counter()
    zone.parcels.sindex  # noqa: B018 - the index is built once per zone, outside the analysis
    indexed = time.perf_counter()
    print(
        f"{args.parcels:,} parcels, {len(zone.buildings):,} buildings: generated in "
        f"{generated - started:.1f} s, validated in {validated - generated:.1f} s, "
        f"indexed in {indexed - validated:.1f} s"
    )
    best = float("inf")
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        result = corridor(zone, phase_length_m=args.phase_length)
        best = min(best, time.perf_counter() - t0)
    phases = result.phases
    print(
        f"corridor {result.name}: {result.length_m:,.0f} m x {result.width_m:,.0f} m, "
        f"{len(phases)} phases, {len(result.pieces):,} parcel pieces; best of {args.repeat}: "
        f"{best:.2f} s"
    )
    total = phases["area_m2"].sum()
    print(
        f"phases add up to the corridor: {total:,.1f} m2 = {result.area_m2:,.1f} m2; "
        f"developable {phases['developable_mu'].sum():,.0f} mu, "
        f"vacant floor {phases['vacant_floor_m2'].sum():,.0f} m2"
    )


if __name__ == "__main__":
    main()
