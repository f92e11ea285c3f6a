"""The error classes: one module, one message for a CRS mismatch, write failures named."""

from __future__ import annotations

import pandas as pd
import pytest

import folium
import geopandas as gpd
from pyproj import CRS
from shapely import box

from landplan import maps
from landplan.corridor import corridor
from landplan.errors import CRSMismatchError, LandplanError, OutputError, WriteError
from landplan.tables import write_csv, write_workbook

from .test_corridor import X0, Y0
from .test_corridor import make_zone as corridor_zone


def test_a_crs_mismatch_names_both_crs_and_the_fix():
    err = CRSMismatchError.between(
        "candidate sites", CRS("EPSG:4326"), CRS("EPSG:4546"), fix="candidates.to_crs(zone.crs)"
    )
    assert isinstance(err, LandplanError)
    assert str(err) == (
        "candidate sites are in 'EPSG:4326' but the zone is in 'EPSG:4546'; expected one CRS; "
        "use candidates.to_crs(zone.crs)"
    )
    assert "no CRS" in str(CRSMismatchError.between("x", None, CRS("EPSG:4546"), fix="f"))


def test_corridor_refuses_sites_in_another_crs_with_the_shared_message():
    sites = gpd.GeoDataFrame(
        {"project_id": ["J1"]}, geometry=[box(X0, Y0, X0 + 100, Y0 + 50)], crs="EPSG:4546"
    ).to_crs("EPSG:4326")
    with pytest.raises(
        CRSMismatchError,
        match=r"candidate sites are in 'EPSG:4326' but the zone is in 'EPSG:4546'; expected one "
        r"CRS; use candidates.to_crs\(zone.crs\)",
    ):
        corridor(corridor_zone(), candidates=sites)


@pytest.fixture
def blocked(tmp_path):
    """A path whose folder cannot be made: a file stands where the folder would be."""
    (tmp_path / "taken").write_text("not a folder", encoding="utf-8")
    return tmp_path / "taken" / "out"


def test_a_workbook_that_cannot_be_written_names_the_file(blocked):
    target = blocked / "table.xlsx"
    with pytest.raises(WriteError, match=r"table\.xlsx: .+; what was being written is") as caught:
        write_workbook(target, {"t": pd.DataFrame({"parcel_id": ["P-1"]})})
    assert isinstance(caught.value, LandplanError) and not isinstance(caught.value, OutputError)
    assert not target.exists()


def test_a_csv_that_cannot_be_written_names_the_file(blocked):
    with pytest.raises(WriteError, match=r"out[/\\]t\.csv: .+; what was being written"):
        write_csv(pd.DataFrame({"parcel_id": ["P-1"]}), blocked / "t.csv")


def test_a_map_that_cannot_be_saved_names_the_file(blocked):
    with pytest.raises(WriteError, match=r"map\.html: .+; .*check that the folder exists"):
        maps.save_map(folium.Map(tiles=None), blocked / "map.html")
