"""Errors and validation problems read in Chinese by default and in English with --lang en.

A planner who gives a command a broken layer reads what is wrong in Chinese: on the screen, in the
problems file, and in the message of every error a command can meet. ``str(err)`` stays English
for library users. The check of Chinese text looks for English sentences (two or more words of
three letters or more in a row, short words between them) and for the vocabulary's identifiers,
file paths left out.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest

import geopandas as gpd
import pyogrio
from shapely import box

from landplan.cli import main
from landplan.errors import LandplanError, Problem, SchemaError

from .conftest import X0, Y0
from .test_cli_lang import _PATH, leaked

# Two words of three letters or more, with any words between them ("not a number").
_SENTENCE = re.compile(
    r"(?<![A-Za-z_])[A-Za-z]{3,}(?:[ ,]+[A-Za-z]+)*?[ ,]+[A-Za-z]{3,}(?![A-Za-z_])"
)


_COMMAND = re.compile(r"`[^`]*`")


def english(text: str) -> list[str]:
    """Return the English sentences (and identifiers) in a text meant for a Chinese reader."""
    # Commands to type (`landplan init --db ...`) are code, not prose.
    text = _COMMAND.sub(" ", text)
    return _SENTENCE.findall(_PATH.sub(" ", text)) + sorted(leaked(text))


def check_both_languages(err: LandplanError, where: str, english_start: str) -> None:
    """Check that an error says itself in Chinese alone, and in English as ``str(err)``."""
    zh = err.text("zh")
    assert re.search(r"[\u4e00-\u9fff]{2}", zh), (where, zh)
    assert english(zh) == [], (where, zh)
    assert str(err) == err.text("en") and english(str(err)), (where, str(err))
    assert english_start in str(err), (where, str(err))


def test_the_check_finds_english_and_spares_paths_and_codes():
    # The oracle can fail: a planted English sentence and a status code are found.
    assert english("地块 P-1：not a number: 'abc'") == ["not a number"]
    assert english("状态为 under_construction") == ["under_construction"]
    assert english("已写出 /tmp/x/parcels.gpkg；EPSG:4546、WKT、GB18030、--make-valid") == []
    assert english("请用 `landplan init --db zone.gpkg` 创建") == []


def _broken(tmp_path) -> str:
    """A parcels layer with one problem of each common kind."""
    frame = gpd.GeoDataFrame(
        {
            "parcel_id": ["P-1", "P-1", None, "P-4"],
            "status": ["idel", "闲置", "在用", "在用"],
            "far_min": ["2", "abc", "1", "1"],
            "far_max": [1.0, 2.0, 2.0, 2.0],
            "holder": ["甲", "乙", "丙", "丁"],
        },
        geometry=[box(X0 + 200 * i, Y0, X0 + 200 * i + 100, Y0 + 80) for i in range(4)],
        crs="EPSG:4546",
    )
    path = tmp_path / "broken.gpkg"
    pyogrio.write_dataframe(frame, path)
    return str(path)


def _validate(capsys, *args: str) -> str:
    with pytest.raises(SystemExit) as info:
        main(["validate", *args])
    assert info.value.code == 2
    return capsys.readouterr().err


def test_validate_prints_problems_in_chinese_or_english(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("LANDPLAN_LANG", raising=False)
    path = _broken(tmp_path)
    zh = _validate(capsys, path, "--layer", "parcels")
    assert zh.startswith("错误：") and "发现6个问题" in zh
    said = ("无法识别的状态「idel」", "不是数字：「abc」", "缺少编号", "编号「P-1」重复", "高于")
    assert all(s in zh for s in said), zh
    assert english(zh) == [], zh
    en = _validate(capsys, path, "--layer", "parcels", "--lang", "en")
    assert en.startswith("error: ") and "6 problems found" in en
    assert "unknown parcel status 'idel'" in en and "not a number: 'abc'" in en
    assert "problems by column" in en


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_problems_file_is_in_the_commands_language(tmp_path, capsys, lang):
    import openpyxl

    report = tmp_path / "problems.xlsx"
    path = _broken(tmp_path)
    _validate(capsys, path, "--layer", "parcels", "--problems", str(report), "--lang", lang)
    rows = list(openpyxl.load_workbook(report)["问题 problems"].values)
    assert rows[0][4:] == ("问题 problem", "应为 expected")  # the headers stay bilingual
    assert {r[3] for r in rows[1:]} == {"parcel_id", "status", "far_min"}  # the data, as named
    said = "\n".join(f"{r[4]}\n{r[5]}" for r in rows[1:])
    if lang == "zh":
        assert "编号「P-1」重复" in said and english(said) == [], said
    else:
        assert "duplicate id 'P-1'" in said and "each id once in the layer" in said


def test_an_import_refused_says_so_with_its_summary(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("LANDPLAN_LANG", raising=False)
    db = str(tmp_path / "store.gpkg")
    with pytest.raises(SystemExit):
        main(["init", "--db", db])
    capsys.readouterr()
    with pytest.raises(SystemExit) as info:
        main(["import", "parcels", _broken(tmp_path), "--db", db])
    assert info.value.code == 2
    err = capsys.readouterr().err
    # The command's context, the problems and their summary by column, all in Chinese.
    assert err.startswith("错误：未写入地块：发现6个问题") and "按字段汇总：" in err, err
    assert english(err) == [], err


def test_the_command_lines_own_refusals_are_chinese(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("LANDPLAN_LANG", raising=False)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit):
        main(["capacity", "--start", "tomorrow"])
    err = capsys.readouterr().err.splitlines()[-1]
    assert err == "错误：--start 'tomorrow'：应为日期 YYYY-MM-DD", err
    assert english(err) == [], err


def _shapefile(tmp_path) -> str:
    path = tmp_path / "p.shp"
    frame = gpd.GeoDataFrame({"parcel_id": ["P-1"]}, geometry=[box(X0, Y0, X0 + 9, Y0 + 9)])
    pyogrio.write_dataframe(frame.set_crs("EPSG:4546"), path)
    return str(path)


def _store(tmp_path):
    from landplan.store import open_store

    store = open_store(tmp_path / "store.gpkg")
    store.init()
    return store


def _raises(call) -> LandplanError:
    with pytest.raises(LandplanError) as info:
        call()
    return info.value


def _validation(tmp_path):
    from landplan.validation import validate_layer

    return validate_layer(pd.DataFrame({"parcel_id": ["P-1"]}), "parcels")


def _readers(tmp_path):
    from landplan.io import read_layer

    return read_layer(tmp_path / "absent.gpkg", "parcels")


def _encoding(tmp_path):
    from landplan.io import read_layer

    return read_layer(_shapefile(tmp_path), "parcels", encoding="no-such-code")


def _zone(tmp_path):
    from landplan.io import read_zone

    path = tmp_path / "roads.gpkg"
    frame = gpd.GeoDataFrame({"road_id": ["R-1"]}, geometry=[box(X0, Y0, X0 + 9, Y0 + 9)])
    pyogrio.write_dataframe(frame.set_crs("EPSG:4546"), path, layer="roads")
    return read_zone(path)


def _crs(tmp_path):
    from landplan.io.crs import datum_shift

    frame = gpd.GeoDataFrame({"parcel_id": ["P-1"]}, geometry=[box(X0, Y0, X0 + 9, Y0 + 9)])
    return datum_shift(frame.set_crs("EPSG:2383"), None, "1,2", "p.gpkg")


def _export(tmp_path):
    from landplan.io import write_layer

    return write_layer(pd.DataFrame({"parcel_id": ["P-1"]}), tmp_path / "p.shp")


def _policy(tmp_path):
    from landplan.policy import Policy

    return Policy.default().get("control.no_such_key")


def _store_feature(tmp_path):
    return _store(tmp_path).set_status("parcel", "P-404", "idle", reason="核查")


def _store_reserve(tmp_path):
    return _store(tmp_path).reserve("PJ-404", ["P-1"])


def _store_open(tmp_path):
    from landplan.store import open_store

    return open_store(tmp_path / "empty.gpkg").load_layer("parcels")


def _problem_report(tmp_path):
    from landplan.problem_report import write_problems

    return write_problems(tmp_path / "p.txt", [Problem("f", "*", "*", "x", "y")])


def _sample(tmp_path):
    from landplan.sample import make_zone

    return make_zone(n_parcels=0)


@pytest.mark.parametrize(
    ("module", "call", "english_start"),
    [
        ("validation", _validation, "2 problems found"),
        ("io.readers", _readers, ""),
        ("io.encoding", _encoding, ""),
        ("io.zone", _zone, ""),
        ("io.crs", _crs, "--towgs84 '1,2': expected 3 or 7 numbers"),
        ("io.export", _export, ""),
        ("policy", _policy, "the policy has no key 'control.no_such_key'"),
        ("store (feature)", _store_feature, "parcels has no feature 'P-404'"),
        ("store (reservation)", _store_reserve, "project 'PJ-404' is not in the store"),
        ("store (not a store)", _store_open, ""),
        ("problem_report", _problem_report, ""),
        ("sample", _sample, "n_parcels must be at least 1"),
    ],
)
def test_an_error_says_itself_in_chinese(tmp_path, module, call, english_start):
    err = _raises(lambda: call(tmp_path))
    check_both_languages(err, module, english_start)
    if isinstance(err, SchemaError):
        assert all(p.problem_text("zh") != p.problem for p in err.problems)
