"""The revitalisation plan on a large sample zone (10⁵ parcels by default).

The zone and its audit are made apart from the plan, which is the figure that counts; matching
the pipeline against the released land is most of it.

    python benchmarks/bench_revitalise.py --parcels 100000 --repeat 1
"""

from __future__ import annotations

import argparse
import time

from landplan.audit import audit
from landplan.revitalise import revitalise
from landplan.sample import AS_OF, make_zone
from landplan.zone import Zone


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--parcels", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()

    started = time.perf_counter()
    zone = Zone.from_layers(make_zone(n_parcels=args.parcels))
    made = time.perf_counter()
    result = audit(zone, as_of=AS_OF)
    audited = time.perf_counter()
    print(
        f"{args.parcels:,} parcels, {len(zone.buildings):,} buildings: zone in "
        f"{made - started:.1f} s, audit in {audited - made:.1f} s"
    )
    best = float("inf")
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        plan = revitalise(zone, result)
        best = min(best, time.perf_counter() - t0)
    total = plan.totals.set_index("section").loc["total"]
    print(
        f"revitalise: {len(plan.parcels):,} parcels and {len(plan.buildings):,} buildings planned, "
        f"{total['land_mu']:,.1f} mu released, {plan.uses['project_id'].nunique()} projects "
        f"with sites; best of {args.repeat}: {best:.2f} s"
    )


if __name__ == "__main__":
    main()
