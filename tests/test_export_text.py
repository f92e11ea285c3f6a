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


def test_a_layer_written_in_batches_reads_back_as_one_written_whole(tmp_path, monkeypatch):
    from landplan.io import export

    n = 11
    frame = gpd.GeoDataFrame(
        {
            "parcel_id": pd.Series([f"P-{i}" if i % 4 else None for i in range(n)], dtype="str"),
            "holder": [None if i % 3 == 0 else f"企业{i}" for i in range(n)],
            "area_mu": [float("nan") if i % 5 == 0 else i * 1.5 for i in range(n)],
            "n_buildings": range(n),
            "low_efficiency": [i % 2 == 0 for i in range(n)],
            "idle_date": pd.to_datetime(
                [None if i % 2 else f"2025-01-{i + 1:02d}" for i in range(n)]
            ),
        },
        geometry=[shapely.box(i, 0, i + 1, 1) for i in range(n)],
        crs="EPSG:4547",
    )
    whole = pyogrio.read_dataframe(write_layer(frame, tmp_path / "whole.gpkg", layer="t"))
    monkeypatch.setattr(export, "_BATCH_ROWS", 3)
    parts = pyogrio.read_dataframe(write_layer(frame, tmp_path / "parts.gpkg", layer="t"))
    pd.testing.assert_frame_equal(
        pd.DataFrame(parts.drop(columns="geometry")), pd.DataFrame(whole.drop(columns="geometry"))
    )
    assert parts.geometry.geom_equals(whole.geometry).all()
    assert len(parts) == n


def test_text_in_several_arrow_chunks_is_written_whole(tmp_path):
    import pyarrow as pa

    from landplan.tables import write_csv

    holder = pd.concat(
        [pd.Series(["甲", None], dtype="str"), pd.Series(["=乙", "丙,丁"], dtype="str")],
        ignore_index=True,
    )
    assert pa.array(holder.array).num_chunks == 2  # the case this test is for
    frame = gpd.GeoDataFrame(
        {"holder": holder},
        geometry=[shapely.box(i, 0, i + 1, 1) for i in range(4)],
        crs="EPSG:4547",
    )
    read = pyogrio.read_dataframe(write_layer(frame, tmp_path / "t.gpkg", layer="t"))
    assert read["holder"].tolist()[2:] == ["=乙", "丙,丁"] and read["holder"].isna().tolist()[1]
    text = write_csv(frame, tmp_path / "t.csv").read_bytes().decode("utf-8-sig")
    assert text == 'holder\r\n甲\r\n\r\n\'=乙\r\n"丙,丁"\r\n'
