"""A layer's text columns reach the GeoPackage alike, held in Arrow or as Python strings."""

import pandas as pd

import geopandas as gpd
import pyogrio
import shapely

from landplan.io import write_layer


def test_text_in_arrow_reads_back_as_text_in_python_strings(tmp_path):
    text = ["园区", None, "=SUM(A1)", "", 'a,"b"', "x" * 300]
    squares = [shapely.box(i, 0, i + 1, 1) for i in range(len(text))]
    read = {}
    for dtype in ("str", "object"):
        frame = gpd.GeoDataFrame(
            {"holder": pd.Series(text, dtype=dtype), "n": range(len(text))},
            geometry=squares,
            crs="EPSG:4547",
        ).iloc[1:]  # a slice: its Arrow text starts past its buffer's start
        path = write_layer(frame, tmp_path / f"{dtype}.gpkg", layer="t")
        read[dtype] = pyogrio.read_dataframe(path, layer="t")
    assert read["str"]["holder"].tolist() == read["object"]["holder"].tolist()
    assert read["str"]["holder"].isna().tolist() == [True, False, False, False, False]
    assert read["str"]["holder"].tolist()[1:] == text[2:]
    assert read["str"].geometry.geom_equals(read["object"].geometry).all()
