"""Reading a 三调 DLTB layer through the ``dltb`` profile, next to GDAL's plain read.

    python benchmarks/bench_import.py [--patches 100000] [--repeat 3]

The layer is generated with the survey's field names (BSM, DLBM, DLMC, QSXZ, QSDWMC, ZLDWMC,
TBMJ) and zone-prefixed eastings (EPSG:4525), then written as a File Geodatabase and as a GBK
shapefile without .cpg. "read" is ``pyogrio.read_dataframe`` alone; "profile" is the whole
``read_layer(..., profile="dltb")``: reading, the encoding check, field and code mapping,
land-use codes through their scheme, validation, reprojection to the working CRS, the area and
name checks. Each figure is the best of ``--repeat`` runs, since the machine may be shared.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

import geopandas as gpd
import pyogrio
import shapely

from landplan.io import read_layer

_NAMES = {
    "0601": "工业用地",
    "0602": "采矿用地",
    "1001": "铁路用地",
    "0101": "水田",
    "05H1": "商业服务业设施用地",
    "0508": "物流仓储用地",
    "0701": "城镇住宅用地",
    "1201": "空闲地",
}


def dltb(n: int) -> gpd.GeoDataFrame:
    side = int(np.ceil(np.sqrt(n)))
    i = np.arange(n)
    x0 = 37_590_000 + (i % side) * 60.0
    y0 = 2_520_000 + (i // side) * 60.0
    rng = np.random.default_rng(1)
    codes = np.array(list(_NAMES))
    dlbm = codes[rng.integers(0, len(codes), n)]
    return gpd.GeoDataFrame(
        {
            "BSM": [f"44053121{k:08d}" for k in range(n)],
            "DLBM": dlbm,
            "DLMC": [_NAMES[c] for c in dlbm],
            "QSXZ": np.array(["10", "20", "30", "31", "40"])[rng.integers(0, 5, n)],
            "QSDWMC": ["石岗村股份经济合作社"] * n,
            "ZLDWMC": ["石岗村"] * n,
            "TBMJ": np.full(n, 2500.0),
        },
        geometry=shapely.box(x0, y0, x0 + 50, y0 + 50),
        crs="EPSG:4525",
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--patches", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    frame = dltb(args.patches)
    with tempfile.TemporaryDirectory() as tmp:
        gdb, shp = Path(tmp) / "dltb.gdb", Path(tmp) / "dltb.shp"
        pyogrio.write_dataframe(frame, gdb, layer="DLTB", driver="OpenFileGDB")
        pyogrio.write_dataframe(frame, shp, encoding="GBK")
        shp.with_suffix(".cpg").unlink()
        print(f"| {args.patches} patches | read s | profile s | warnings |")
        print("| --- | ---: | ---: | ---: |")
        for path, encoding in ((gdb, None), (shp, "GB18030")):
            reads, profiles = [], []
            for _ in range(args.repeat):
                start = time.perf_counter()
                pyogrio.read_dataframe(path, encoding=encoding)
                reads.append(time.perf_counter() - start)
                start = time.perf_counter()
                parcels = read_layer(path, "parcels", profile="dltb")
                profiles.append(time.perf_counter() - start)
            warnings = len(parcels.attrs["notices"])
            print(f"| {path.suffix} | {min(reads):.2f} | {min(profiles):.2f} | {warnings} |")


if __name__ == "__main__":
    main()
