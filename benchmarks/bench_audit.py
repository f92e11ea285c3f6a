"""Benchmark: the audit of a sample zone of 10⁶ parcels, beside a per-row implementation on 10⁴.

Run from the repository root::

    /work/venv/bin/python benchmarks/bench_audit.py            # 10⁶ parcels, baseline on 10⁴
    /work/venv/bin/python benchmarks/bench_audit.py -n 100000  # a smaller zone

With ``--store STORE`` (a store built by ``landplan init`` and ``landplan import`` of a sample
zone) it times the whole command ``landplan audit --db STORE`` in its own process (CPU seconds,
peak memory), then, in this process, each part of it beside its peer: loading the zone, the
audit, the workbook beside a plain xlsxwriter ``write_row`` of the same sheets, the CSV files
beside pyarrow's ``write_csv`` of the same tables, the GeoPackage beside ``GeoDataFrame.to_file``::

    python benchmarks/bench_audit.py --store /tmp/z1e6/store.gpkg

The per-row baseline is what a straightforward GeoPandas script does: loop over the parcels,
take each parcel's buildings and enterprises from a lookup, and compute the same indicators
(area, FAR with the 8 m rule, coverage, vacancy, apportioned figures per mu, the idle clock, the
low-efficiency rules with thresholds) one feature at a time. Both run on the same 10⁴ parcels and
their results are compared, so the speed-up is between two implementations that agree.
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from landplan.audit import audit
from landplan.policy import Policy
from landplan.sample import AS_OF, make_zone
from landplan.units import MU_M2
from landplan.zone import Zone


def subset(zone: Zone, n: int) -> Zone:
    """The first ``n`` parcels with their buildings and the enterprises wholly on them."""
    parcels = zone.parcels.iloc[:n]
    ids = set(parcels["parcel_id"])
    buildings = zone.buildings[zone.buildings["parcel_id"].isin(ids)]
    parts = zone.enterprises["parcel_id"].str.split(";")
    inside = parts.map(lambda p: all(x in ids for x in p))
    return replace(zone, parcels=parcels, buildings=buildings, enterprises=zone.enterprises[inside])


def _years_after(date, years: int):
    return date + pd.DateOffset(years=years)


def per_row_audit(zone: Zone, as_of: pd.Timestamp) -> pd.DataFrame:  # noqa: C901 -- a peer written plainly, rule by rule
    """The same parcel indicators, idle clock and low-efficiency rules, one parcel at a time."""
    policy: Policy = zone.policy
    control, idle, low = policy.control, policy.idle, policy.low_efficiency
    table = {str(k): float(v) for k, v in control.far_min_by_division.items()}
    # dict(groupby) would read the groupby's ``keys`` attribute, so iterate explicitly
    buildings_of = {pid: frame for pid, frame in zone.buildings.groupby("parcel_id")}  # noqa: C416
    holders: dict[str, list] = {}
    for ent in zone.enterprises.itertuples():
        for pid in ent.parcel_id.split(";"):
            holders.setdefault(pid, []).append(ent)
    area_of = dict(zip(zone.parcels["parcel_id"], zone.parcels.geometry.area, strict=True))
    occupants = {pid: len(v) for pid, v in holders.items()}
    land_of = {
        ent.enterprise_id: sum(area_of[p] / occupants[p] for p in ent.parcel_id.split(";"))
        for ent in zone.enterprises.itertuples()
    }
    no_buildings = pd.DataFrame(columns=zone.buildings.columns)

    rows = []
    for parcel in zone.parcels.itertuples():
        pid = parcel.parcel_id
        area = parcel.geometry.area
        mu = area / MU_M2
        floor = far_floor = footprint = vacant = 0.0
        for b in buildings_of.get(pid, no_buildings).itertuples():
            storey = b.storey_height_m
            if pd.isna(storey) and not pd.isna(b.height_m):
                storey = b.height_m / b.floors
            floor += b.floor_area_m2
            far_floor += b.floor_area_m2 * (
                2 if storey > control.double_count_storey_height_m else 1
            )
            footprint += b.geometry.area
            vacant += 0.0 if pd.isna(b.vacant_area_m2) else b.vacant_area_m2
        ents = holders.get(pid, [])
        totals = {}
        for col in ("output_wan_yuan", "tax_wan_yuan", "fixed_investment_wan_yuan"):
            if not ents:
                totals[col] = np.nan
                continue
            total = 0.0
            for ent in ents:
                share = (area / len(ents)) / land_of[ent.enterprise_id]
                total += getattr(ent, col) * share
            totals[col] = total
        if ents:
            mins = []
            for ent in ents:
                code = (ent.industry_code or "").lstrip("ABCDEFGHIJKLMNOPQRST")
                mins.append(table.get(code[:2], control.far_min_default))
            far_min = sum(mins) / len(mins)
        else:
            far_min = control.far_min_default if pd.isna(parcel.far_min) else parcel.far_min
        far = far_floor / area
        coverage = footprint / area

        # idle clock
        state = "not_applicable"
        exempt = parcel.status in idle.exempt_statuses or parcel.tenure == "collective"
        started = (
            (not pd.isna(parcel.actual_start) and parcel.actual_start <= as_of)
            or (not pd.isna(parcel.completed) and parcel.completed <= as_of)
            or pid in buildings_of
        )
        done = not pd.isna(parcel.completed) and parcel.completed <= as_of
        ext = 0 if pd.isna(parcel.extension_months) else int(parcel.extension_months)
        start = None
        if not exempt and not started:
            if pd.isna(parcel.agreed_start):
                state = "insufficient_data"
            else:
                start = parcel.agreed_start + pd.DateOffset(months=ext)
                grace = idle.start_grace_years
        elif (
            not exempt
            and started
            and not done
            and not pd.isna(parcel.suspended_since)
            and parcel.suspended_since <= as_of
        ):
            if parcel.developed_share < idle.developed_share_min or (
                parcel.invested_share < idle.invested_share_min
            ):
                start = parcel.suspended_since + pd.DateOffset(months=ext)
                grace = idle.suspended_years
            elif pd.isna(parcel.developed_share) or pd.isna(parcel.invested_share):
                state = "insufficient_data"
        if start is not None:
            if as_of >= _years_after(start, idle.recover_years):
                state = "recoverable"
            elif as_of >= _years_after(start, grace):
                state = "idle"
            else:
                state = "not_due"

        flags = []
        in_use = parcel.status in low.statuses and (
            pd.isna(parcel.land_use) or parcel.land_use in low.industrial_land_uses
        )
        if in_use and far < far_min:
            flags.append("LE-FAR")
        if in_use and coverage < control.coverage_min:
            flags.append("LE-COVERAGE")
        if (
            in_use
            and not pd.isna(parcel.completed)
            and as_of >= _years_after(parcel.completed, low.completed_years)
        ):
            contract = parcel.contract_investment_wan_yuan
            base = control.investment_intensity_min_wan_yuan_per_mu
            if not pd.isna(contract):
                base = contract / mu
            if totals["fixed_investment_wan_yuan"] / mu < low.intensity_share_min * base:
                flags.append("LE-INTENSITY")
            if totals["output_wan_yuan"] / mu < (
                low.output_share_min * control.output_per_mu_min_wan_yuan
            ):
                flags.append("LE-OUTPUT")
        for ent in ents:
            if (
                ent.operating_status in ("stopped", "half_stopped")
                and not pd.isna(ent.stopped_since)
                and as_of >= _years_after(ent.stopped_since, low.stopped_years)
            ):
                flags.append("LE-STOPPED")
        rows.append(
            {
                "parcel_id": pid,
                "area_mu": mu,
                "far": far,
                "coverage": coverage,
                "vacancy": vacant / floor if floor else np.nan,
                "tax_per_mu_wan_yuan": totals["tax_wan_yuan"] / mu,
                "output_per_mu_wan_yuan": totals["output_wan_yuan"] / mu,
                "idle_state": state,
                "rules": sorted(set(flags)),
            }
        )
    return pd.DataFrame(rows)


def compare(vectorised: pd.DataFrame, per_row: pd.DataFrame) -> None:
    """Fail loudly if the two implementations disagree on the indicators both compute."""
    v = vectorised.set_index("parcel_id")
    r = per_row.set_index("parcel_id")
    for col in ("area_mu", "far", "coverage", "vacancy", "tax_per_mu_wan_yuan"):
        np.testing.assert_allclose(v[col].to_numpy(), r[col].to_numpy(), rtol=1e-6, err_msg=col)
    assert (v["idle_state"] == r["idle_state"]).all(), "idle_state differs"
    checked = ("LE-FAR", "LE-COVERAGE", "LE-STOPPED")
    mine = (
        v["low_efficiency_rules"]
        .str.split(";")
        .map(lambda rs: sorted(x for x in rs if x in checked))
    )
    theirs = r["rules"].map(lambda rs: [x for x in rs if x in checked])
    assert (mine == theirs).all(), "rules differ"


def _timed(what: str, fn, peer: str | None = None, peer_fn=None) -> None:
    t = time.process_time()
    fn()
    mine = time.process_time() - t
    line = f"| {what} | {mine:.1f} |"
    if peer_fn is not None:
        t = time.process_time()
        peer_fn()
        theirs = time.process_time() - t
        line += f" {peer} | {theirs:.1f} |"
    else:
        line += " | |"
    print(line, flush=True)


def _plain(value):
    """A value as xlsxwriter's ``write_row`` takes it: missing as None, others as they are."""
    if value is None or value is pd.NaT or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, bool | int | float | str | dt.date):
        return value
    return str(value)


def command_run(store: Path) -> None:
    """The whole ``landplan audit --db`` command, then its parts beside their peers."""
    import tempfile

    import pyarrow as pa
    import pyarrow.csv as pacsv
    import xlsxwriter

    from landplan.audit_io import audit_sheets
    from landplan.io import write_layer
    from landplan.store import open_store
    from landplan.tables import write_csvs, write_workbook

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from _command import load, run

    out = Path(tempfile.mkdtemp(prefix="bench_audit_"))
    print(f"load average at the start: {load()}")
    whole = run(["audit", "--db", str(store), "--as-of", str(AS_OF), "--out", str(out / "cmd")])
    print(
        f"`landplan audit --db`: {whole['cpu_s']:.1f} s CPU, {whole['wall_s']:.1f} s wall, "
        f"peak RSS {whole['peak_rss_gb']:.2f} GB; load average now {load()}"
    )
    print("| part (CPU s of this process) | landplan | peer | peer CPU s |")
    print("| --- | ---: | --- | ---: |")
    box: dict = {}

    def loaded():
        with open_store(str(store)) as s:
            box["zone"] = s.load_zone()

    _timed("load the zone from the store", loaded)
    _timed("`audit()`", lambda: box.update(result=audit(box["zone"], as_of=AS_OF)))
    result = box["result"]
    sheets = audit_sheets(result)
    cells = sum(t.shape[0] * t.shape[1] for t in sheets.values())

    def plain_workbook():
        book = xlsxwriter.Workbook(str(out / "plain.xlsx"), {"constant_memory": True})
        for name, table in sheets.items():
            sheet = book.add_worksheet(name[:31])
            sheet.write_row(0, 0, [str(c) for c in table.columns])
            for r, row in enumerate(pd.DataFrame(table).itertuples(index=False), start=1):
                sheet.write_row(r, 0, [_plain(v) for v in row])
        book.close()

    _timed(
        f"workbook ({cells:,} cells)",
        lambda: write_workbook(out / "audit.xlsx", sheets, lang="zh"),
        "xlsxwriter `write_row`",
        plain_workbook,
    )
    tables = result.tables()

    def plain_csv():
        for name, table in tables.items():
            frame = pd.DataFrame(table).drop(columns="geometry", errors="ignore")
            # A column of several kinds (the summary's values) goes as text, as a script would.
            for c in frame.columns:
                if pd.api.types.infer_dtype(frame[c], skipna=True).startswith("mixed"):
                    frame[c] = frame[c].map(str, na_action="ignore")
            pacsv.write_csv(pa.Table.from_pandas(frame), out / f"{name}.plain.csv")

    _timed(
        "CSV files (every table)",
        lambda: write_csvs(out / "csv", tables),
        "pyarrow `write_csv`",
        plain_csv,
    )
    _timed(
        f"GeoPackage ({len(result.parcels):,} parcels)",
        lambda: write_layer(result.parcels, out / "audit.gpkg", layer="audit_parcels"),
        "`to_file`",
        lambda: result.parcels.to_file(out / "plain.gpkg", layer="audit_parcels"),
    )
    print(f"load average at the end: {load()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--parcels", type=int, default=1_000_000)
    parser.add_argument("--baseline", type=int, default=10_000, help="parcels in the per-row run")
    parser.add_argument("--store", type=Path, help="time `landplan audit --db STORE` instead")
    args = parser.parse_args()
    if args.store is not None:
        command_run(args.store)
        return
    as_of = pd.Timestamp(AS_OF)

    t = time.perf_counter()
    layers = make_zone(n_parcels=args.parcels)
    made = time.perf_counter() - t
    t = time.perf_counter()
    zone = Zone.from_layers(layers)
    validated = time.perf_counter() - t
    del layers
    print(
        f"zone: {len(zone.parcels):,} parcels, {len(zone.buildings):,} buildings, "
        f"{len(zone.enterprises):,} enterprises (generated in {made:.1f} s, validated in "
        f"{validated:.1f} s; neither is part of the audit time)"
    )

    times = []
    for _ in range(3):
        t = time.perf_counter()
        result = audit(zone, as_of=as_of)
        times.append(time.perf_counter() - t)
    print(
        f"audit, vectorised, {len(zone.parcels):,} parcels: best {min(times):.2f} s of 3 "
        f"({', '.join(f'{x:.2f}' for x in times)}); {len(result.flags):,} flag rows, "
        f"{int(result.parcels['low_efficiency'].sum()):,} low-efficiency parcels"
    )

    small = subset(zone, args.baseline)
    fast = np.inf
    for _ in range(3):
        t = time.perf_counter()
        small_result = audit(small, as_of=as_of)
        fast = min(fast, time.perf_counter() - t)
    t = time.perf_counter()
    baseline = per_row_audit(small, as_of)
    slow = time.perf_counter() - t
    compare(small_result.parcels, baseline)
    print(
        f"subset of {len(small.parcels):,} parcels: vectorised {fast:.3f} s (best of 3), "
        f"per-row {slow:.2f} s ({slow / fast:.0f}x); results agree"
    )
    print(f"peak memory {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6:.1f} GB")


if __name__ == "__main__":
    main()
