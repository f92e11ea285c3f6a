"""Land-use codes carry their scheme; rules name classes; no fuzzy hints for codes."""

from __future__ import annotations

import csv
from importlib import resources

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import geopandas as gpd
from shapely import box

from landplan.errors import SchemaError
from landplan.landuse import (
    SCHEMES,
    crosswalk,
    explain_code,
    land_use_notices,
    lookup,
    scheme,
)
from landplan.match import feasible_parcels
from landplan.sample import make_zone
from landplan.validation import validate_layer
from landplan.vocab import LAND_USE, PARCEL_STATUS, TENURE
from landplan.zone import Zone

from .conftest import X0, Y0


def _table(name: str) -> list[dict[str, str]]:
    path = resources.files("landplan.datasets").joinpath("landuse").joinpath(name)
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


# --- the code tables ---------------------------------------------------------------------------


@pytest.mark.parametrize("scheme_id", sorted(SCHEMES))
def test_tables_are_whole(scheme_id):
    rows = _table(SCHEMES[scheme_id].table)
    codes = [r["code"] for r in rows]
    assert len(codes) == len(set(codes)), "a code listed twice"
    for row in rows:
        assert row["zh"] and row["en"], row
        assert all(c in LAND_USE.labels for c in row["class"].split(";") if c), row
        code = row["code"]
        if scheme_id != "gb50137" and len(code) > 2:
            # Every level below the first sits under its first level (0601 under 06).
            assert code[:2] in codes, code


def test_crosswalk_targets_exist():
    for row in _table("crosswalk.csv"):
        assert row["from_code"] in SCHEMES[row["from_scheme"]].codes, row
        targets = SCHEMES[row["to_scheme"]].codes
        assert all(c in targets for c in row["to_code"].split(";")), row
        # A crosswalk never moves land between classes it does not share.
        source = SCHEMES[row["from_scheme"]].codes[row["from_code"]]
        for c in row["to_code"].split(";"):
            assert set(targets[c].classes) <= set(source.classes) | {"M"}, (row, c)


@pytest.mark.parametrize(
    ("code", "scheme_name", "zh", "land_class"),
    [
        ("0601", "三调", "工业用地", "M"),
        ("0602", "gbt21010", "采矿用地", "H"),
        ("1001", "GB/T 21010-2017", "铁路用地", "H"),
        ("1101", "三调", "河流水面", "E"),
        ("1001", "用地用海", "工业用地", "M"),
        ("100101", "ydyh2023", "一类工业用地", "M1"),
        ("100102", "ydyh2023", "二类工业用地", "M2"),
        ("100103", "ydyh2023", "三类工业用地", "M3"),
        ("1101", "用地用海", "物流仓储用地", "W"),
        ("0601", "用地用海", "乡村道路用地", "E"),
        ("M3", "GB 50137-2011", "三类工业用地", "M3"),
        ("W2", "gb50137", "二类物流仓储用地", "W"),
        ("H21", "gb50137", "铁路用地", "H"),
        ("061", "GB/T 21010-2007", "工业用地", "M"),
        ("101", "二调", "铁路用地", "H"),
    ],
)
def test_the_same_code_means_what_its_scheme_says(code, scheme_name, zh, land_class):
    found = lookup(code, scheme_name)
    assert (found.zh, found.land_class) == (zh, land_class)


def test_crosswalk_where_the_schemes_define_it():
    assert [c.code for c in crosswalk("0601", "三调", "用地用海")] == ["1001"]
    assert [c.code for c in crosswalk("1006", "三调", "用地用海")] == ["0601"]
    several = crosswalk("08H2", "gbt21010", "ydyh2023")
    assert [c.zh for c in several] == ["科研用地", "文化用地", "教育用地", "医疗卫生用地"]
    assert [c.code for c in crosswalk("100103", "ydyh2023", "gb50137")] == ["M3"]
    assert [c.code for c in crosswalk("0601", "gbt21010", "gb50137")] == ["M1", "M2", "M3"]
    assert [c.code for c in crosswalk("061", "GB/T 21010-2007", "三调")] == ["0601"]
    assert [c.zh for c in crosswalk("127", "二调", "三调")] == ["裸土地", "裸岩石砾地"]


def test_scheme_names():
    assert scheme("三调").id == scheme("GB/T 21010-2017").id == "gbt21010"
    assert scheme("国土空间调查、规划、用途管制用地用海分类").id == "ydyh2023"
    with pytest.raises(ValueError, match=r"unknown land-use scheme 'GB 99'; expected gb50137"):
        scheme("GB 99")


# --- parcels: a land-use column says its scheme --------------------------------------------------


def _parcels(land_use, **columns) -> gpd.GeoDataFrame:
    n = len(land_use)
    return gpd.GeoDataFrame(
        {
            "parcel_id": [f"P-{i + 1}" for i in range(n)],
            "status": ["state_reserve"] * n,
            "land_use": land_use,
            **columns,
        },
        geometry=[box(X0 + 200 * i, Y0, X0 + 200 * i + 100, Y0 + 100) for i in range(n)],
        crs="EPSG:4546",
    )


def test_codes_become_classes_and_keep_code_and_scheme():
    raw = _parcels(
        ["0601", "100103", "1001", 1001.0, "M2", "R2"],
        land_use_scheme=["三调", "用地用海", "三调", "用地用海", None, None],
    )
    parcels = validate_layer(raw, "parcels")
    assert parcels["land_use"].tolist() == ["M", "M3", "H", "M", "M2", "R"]
    assert parcels["land_use_code"].tolist() == ["0601", "100103", "1001", "1001", None, "R2"]
    assert parcels["land_use_scheme"].tolist() == [
        "gbt21010",
        "ydyh2023",
        "gbt21010",
        "ydyh2023",
        None,
        "gb50137",
    ]
    # Stored and read back, the parcels validate to the same classes.
    again = validate_layer(parcels.drop(columns=["area_m2", "area_mu"]), "parcels")
    assert again["land_use"].tolist() == parcels["land_use"].tolist()


def test_a_code_covering_several_classes_is_warned():
    parcels = validate_layer(
        _parcels(["0601", "100101", "06"], land_use_scheme=["三调", "用地用海", "三调"]), "parcels"
    )
    notes = land_use_notices(parcels, "dltb.shp", "parcel_id")
    assert [(n.feature, n.column) for n in notes] == [("P-1", "land_use"), ("P-3", "land_use")]
    assert notes[0].problem == (
        "GB/T 21010-2017 0601 工业用地 covers M1/M2/M3: given M (industrial, class not stated), "
        "which hazardous projects needing M3 do not accept"
    )
    assert "06 工矿仓储用地 covers M/H/W: given no land-use class" in notes[1].problem
    assert pd.isna(parcels["land_use"].iloc[2])


def test_a_code_without_its_scheme_is_named_with_each_meaning():
    with pytest.raises(SchemaError) as info:
        validate_layer(_parcels(["0601", "1001", "061"]), "parcels")
    message = str(info.value)
    assert "land-use code '0601' without its scheme" in message
    assert "GB/T 21010-2017 0601 工业用地 (industrial)" in message
    assert "用地用海分类 2023 0601 乡村道路用地 (rural roads)" in message
    assert "GB/T 21010-2017 1001 铁路用地 (railways) and 用地用海分类 2023 1001 工业用地" in message
    # No did-you-mean towards another class, for any of them (0601 was offered 'M3', 061 'W').
    assert "did you mean" not in message
    assert "'061' is GB/T 21010-2007 061 工业用地 (industrial): a code needs its scheme" in message
    with pytest.raises(SchemaError, match="'0999' is a code of none of the land-use schemes"):
        validate_layer(_parcels(["0999"]), "parcels")


def test_a_code_not_in_the_named_scheme():
    with pytest.raises(SchemaError, match=r"'0699' is not a code of GB/T 21010-2017"):
        validate_layer(_parcels(["0699"], land_use_scheme=["三调"]), "parcels")
    with pytest.raises(SchemaError, match=r"unknown land-use scheme 'GB 99'"):
        validate_layer(_parcels(["0601"], land_use_scheme=["GB 99"]), "parcels")


@pytest.mark.parametrize(
    ("vocab", "value"),
    [
        (LAND_USE, "0601"),
        (LAND_USE, "061"),
        (LAND_USE, "M4"),
        (TENURE, "10"),
        (TENURE, "30"),
        (PARCEL_STATUS, "07"),
    ],
)
def test_no_hint_for_codes(vocab, value):
    assert vocab.hint(value) is None
    assert "did you mean" not in vocab.expected(value)


def test_hints_for_misspelt_words_only_when_clear():
    assert PARCEL_STATUS.hint("ocupied") == "occupied"
    assert TENURE.hint("colective") == "collective"
    assert LAND_USE.hint("class 9 industrial") is None  # between M1, M2 and M3: no pick
    assert "10/20 → state" in TENURE.expected("10")
    assert explain_code("dltb") is None


# --- rules against classes ------------------------------------------------------------------


def test_hazardous_siting_takes_class_3_from_any_scheme():
    raw = _parcels(
        ["0601", "100103", "M3", "100102"],
        land_use_scheme=["三调", "用地用海", None, "用地用海"],
    )
    zone = Zone.from_layers({"parcels": raw})
    project = {
        "project_id": "J-1",
        "name": "废润滑油再生",
        "stage": "signed",
        "investment_wan_yuan": 20000.0,
        "land_mu_min": 12.0,
        "land_mu_max": 18.0,
        "hazard": "hazardous_waste",
    }
    mask, rejected = feasible_parcels(project, zone, lang="en")
    assert mask.tolist() == [False, True, True, False]
    reasons = rejected.loc[rejected["rule"] == "land_use"].set_index("parcel_id")["reason"]
    assert reasons["P-1"].startswith("land-use class M does not suit")
    said = feasible_parcels(project, zone)[1].set_index("parcel_id").loc["P-1", "reason"]
    assert said.startswith(
        "用地性质工业用地(类别未定)(M)不适合危险废物类项目：须为三类工业用地(M3)"
    )
    ordinary = dict(project, hazard="none")
    assert feasible_parcels(ordinary, zone)[0].tolist() == [True, True, True, True]


def test_sample_zone_classes_unchanged():
    layers = make_zone()
    parcels = validate_layer(layers["parcels"], "parcels")
    assert "land_use_code" not in parcels
    given = pd.Series(layers["parcels"]["land_use"]).astype(object)
    assert parcels["land_use"].astype(object).fillna("-").tolist() == given.fillna("-").tolist()


@given(st.from_regex(r"[0-9]{2,6}|[A-Z][0-9]{1,3}|[0-9]{2}H[0-9]", fullmatch=True))
@settings(max_examples=200, deadline=None)
def test_no_code_ever_gets_a_did_you_mean(code):
    for vocab in (LAND_USE, TENURE, PARCEL_STATUS):
        assert "did you mean" not in vocab.expected(code)
