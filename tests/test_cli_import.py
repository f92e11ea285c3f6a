"""``landplan import`` and ``validate`` with the options their messages ask for."""

from __future__ import annotations

import pandas as pd
import pytest

import geopandas as gpd
import pyogrio
from shapely import box

from landplan.store import open_store

from .conftest import X0, Y0
from .test_cli_store import run


def _parcels(n: int = 3) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "地块编号": [f"P-{i + 1}" for i in range(n)],
            "状态": ["在用"] * n,
            "权利人": [f"企业{i + 1}" for i in range(n)],
        },
        geometry=[box(X0 + 120 * i, Y0, X0 + 120 * i + 100, Y0 + 80) for i in range(n)],
        crs="EPSG:4546",
    )


def test_source_layer_encoding_and_sheet_options(store_url, tmp_path, capsys):
    db = ("--db", store_url)
    assert run("init", *db) == 0
    gdb = tmp_path / "zone.gdb"
    pyogrio.write_dataframe(_parcels(), gdb, layer="DLTB", driver="OpenFileGDB")
    pyogrio.write_dataframe(_parcels(1), gdb, layer="XZQ", driver="OpenFileGDB", append=True)
    capsys.readouterr()
    assert run("import", "parcels", str(gdb), *db) == 2
    err = capsys.readouterr().err
    assert "--source-layer" in err and "Traceback" not in err
    assert run("import", "parcels", str(gdb), "--source-layer", "DLTB", *db) == 0
    assert "3 new" in capsys.readouterr().out

    shp = tmp_path / "gbk.shp"
    pyogrio.write_dataframe(_parcels(4).iloc[3:], shp, encoding="GBK")
    shp.with_suffix(".cpg").write_text("UTF-8")  # wrong: the text is GBK
    assert run("validate", str(shp), "--layer", "parcels") == 2
    err = capsys.readouterr().err
    assert "pass --encoding GB18030" in err and "Traceback" not in err
    assert run("validate", str(shp), "--layer", "parcels", "--encoding", "GB18030") == 0
    assert run("import", "parcels", str(shp), "--append", "--encoding", "GBK", *db) == 0

    book = tmp_path / "parcels.xlsx"
    table = pd.DataFrame(_parcels(5).iloc[4:].drop(columns="geometry"))
    table["wkt"] = _parcels(5).iloc[4:].to_crs("EPSG:4490").geometry.to_wkt(rounding_precision=10)
    with pd.ExcelWriter(book) as writer:
        pd.DataFrame({"说明": ["封面"]}).to_excel(writer, sheet_name="封面", index=False)
        table.to_excel(writer, sheet_name="地块", index=False)
    assert run("import", "parcels", str(book), "--append", "--sheet", "地块", *db) == 0
    with open_store(store_url) as store:
        stored = store.load_layer("parcels")
    assert stored["parcel_id"].tolist() == ["P-1", "P-2", "P-3", "P-4", "P-5"]
    assert stored["holder"].tolist()[3:] == ["企业4", "企业5"]


@pytest.mark.parametrize("option", ["--source-layer", "--encoding", "--sheet"])
def test_the_options_exist_on_both_commands(option, capsys):
    for command in ("import", "validate"):
        assert run(command, "--help") == 0
        assert option in capsys.readouterr().out
