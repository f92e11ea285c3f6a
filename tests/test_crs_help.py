"""CRS help: a file without a CRS is told the likely EPSG; old datums need their parameters."""

from __future__ import annotations

import numpy as np
import pytest

import geopandas as gpd
import pyogrio
import shapely
from pyproj import Transformer
from shapely import affinity, box

from landplan.errors import ReadError, SchemaError
from landplan.io import likely_crs, read_layer

from .conftest import X0, Y0
from .test_cli_store import run


def _shapefile_without_prj(tmp_path, dx: float = 0.0, dy: float = 0.0, scale: float = 1.0):
    geoms = [box(X0 + 150 * i, Y0, X0 + 150 * i + 100, Y0 + 100) for i in range(2)]
    geoms = [
        affinity.translate(affinity.scale(g, scale, scale, origin=(0, 0)), dx, dy) for g in geoms
    ]
    frame = gpd.GeoDataFrame(
        {"parcel_id": ["P-1", "P-2"], "status": ["idle", "idle"]}, geometry=geoms, crs="EPSG:4546"
    )
    path = tmp_path / "noprj.shp"
    pyogrio.write_dataframe(frame, path)
    path.with_suffix(".prj").unlink()  # as delivered: no .prj
    return path


@pytest.mark.parametrize(
    ("dx", "scale", "named"),
    [
        (37_000_000.0, 1.0, "EPSG:4525 (CGCS2000 3° Gauss–Krüger zone 37, CM 111°E"),
        (38_000_000.0, 1.0, "EPSG:4526 (CGCS2000 3° Gauss–Krüger zone 38, CM 114°E"),
        (19_000_000.0, 1.0, "EPSG:4497 (CGCS2000 6° Gauss–Krüger zone 19, CM 111°E"),
        (0.0, 1.0, "EPSG:4534–4554 for CM 75°E–135°E"),
        (0.0, 1.0, "CM 111°E is EPSG:4546"),
    ],
)
def test_a_file_without_prj_is_told_the_likely_epsg(tmp_path, dx, scale, named):
    path = _shapefile_without_prj(tmp_path, dx=dx, scale=scale)
    with pytest.raises(SchemaError) as info:
        read_layer(path, "parcels")
    (problem,) = info.value.problems
    assert problem.problem.startswith("the data have no CRS")
    assert named in problem.expected
    assert "pass --crs" in problem.expected


def test_zone_prefix_read_with_the_named_crs(tmp_path):
    path = _shapefile_without_prj(tmp_path, dx=37_000_000.0)
    parcels = read_layer(path, "parcels", crs="EPSG:4525")
    # Zone 37 is CM 111°E: the working CRS (EPSG:4546) is the same zone without the prefix.
    assert parcels.geometry.iloc[0].bounds[:2] == pytest.approx((X0, Y0), abs=1e-6)


def test_likely_crs_of_degrees():
    assert likely_crs(112.0, 22.9).startswith("longitude/latitude: EPSG:4490")
    assert likely_crs(np.nan, 1.0) is None


# --- old datums ------------------------------------------------------------------------------

#: Seven parameters as a city's conversion publishes them (invented here): metres, arc-seconds, ppm.
SEVEN = (24.0, -123.0, -94.0, 0.02, -0.25, -0.13, 1.1)
#: Written out step by step, independently of landplan's BoundCRS: Xian 1980 (IAG 1975 ellipsoid)
#: Gauss–Krüger CM 111°E → cartesian → 7-parameter Helmert (position vector) → GRS80/CGCS2000.
PIPELINE = (
    "+proj=pipeline "
    "+step +inv +proj=tmerc +lat_0=0 +lon_0=111 +k=1 +x_0=500000 +y_0=0 +ellps=IAU76 "
    "+step +proj=cart +ellps=IAU76 "
    "+step +proj=helmert +x=24 +y=-123 +z=-94 +rx=0.02 +ry=-0.25 +rz=-0.13 +s=1.1 "
    "+convention=position_vector "
    "+step +inv +proj=cart +ellps=WGS84 "
    "+step +proj=tmerc +lat_0=0 +lon_0=111 +k=1 +x_0=500000 +y_0=0 +ellps=GRS80"
)


def _xian80(tmp_path):
    frame = gpd.GeoDataFrame(
        {"parcel_id": ["P-1"], "status": ["idle"]},
        geometry=[box(X0, Y0, X0 + 100, Y0 + 100)],
        crs="EPSG:2382",  # Xian 1980 / 3-degree Gauss-Kruger CM 111E
    )
    path = tmp_path / "xian80.gpkg"
    pyogrio.write_dataframe(frame, path)
    return path


def test_xian_1980_needs_its_parameters(tmp_path):
    path = _xian80(tmp_path)
    with pytest.raises(SchemaError) as info:
        read_layer(path, "parcels")
    (problem,) = info.value.problems
    assert "Xian 1980" in problem.problem and "needs the parameters" in problem.problem
    assert "--towgs84" in problem.expected and "does not guess" in problem.expected
    with pytest.raises(ReadError, match="expected 3 or 7 numbers"):
        read_layer(path, "parcels", towgs84="1,2")


def test_xian_1980_shifted_with_the_given_parameters(tmp_path):
    path = _xian80(tmp_path)
    parcels = read_layer(path, "parcels", towgs84=",".join(map(str, SEVEN)))
    got = shapely.get_coordinates(parcels.geometry.iloc[0])
    source = shapely.get_coordinates(box(X0, Y0, X0 + 100, Y0 + 100))
    expected = np.column_stack(Transformer.from_pipeline(PIPELINE).transform(*source.T))
    assert got == pytest.approx(expected, abs=0.01)
    shift = np.hypot(*(got[0] - source[0]))
    assert 20 < shift < 200  # the datum shift is tens of metres, which a ballpark would drop
    (notice,) = parcels.attrs["warnings"]
    assert notice.problem.startswith("converted from Xian 1980 / 3-degree Gauss-Kruger CM 111E")


def test_cli_towgs84(store_url, tmp_path, capsys):
    db = ("--db", store_url)
    assert run("init", *db) == 0
    path = _xian80(tmp_path)
    assert run("import", "parcels", str(path), *db) == 2
    assert "--towgs84" in capsys.readouterr().err
    assert (
        run("import", "parcels", str(path), "--towgs84", "24,-123,-94,0.02,-0.25,-0.13,1.1", *db)
        == 0
    )
    # The command speaks Chinese (the default): the warning names the conversion in Chinese.
    assert "从 Xian 1980" in capsys.readouterr().err.replace("\n", "")
