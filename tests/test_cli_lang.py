"""Every command prints in Chinese by default and in English with --lang en.

Each command runs on the sample zone through typer's runner; what it prints in Chinese is read back
and searched for the vocabulary's identifiers (status codes, clusters, principles, rules, column
and layer names), which must never reach a Chinese reader.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest
from typer.testing import CliRunner

from landplan.cli import app
from landplan.labels import vocabulary_codes
from landplan.sample import write_sample

_PATH = re.compile(r"\S*[/\\]\S*|\S+\.(?:gpkg|xlsx|csv|html|png|pdf|docx|md|toml)\b")
_WORD = re.compile(r"(?<![A-Za-z_])[a-z_]{4,}(?![A-Za-z_])")


def leaked(text: str) -> set[str]:
    """Return the vocabulary's identifiers found in a text, file paths left out."""
    return {w for w in _WORD.findall(_PATH.sub(" ", text)) if w in vocabulary_codes()}


def test_the_check_finds_identifiers_and_spares_paths():
    # The oracle is checked on its own: a code in prose is found, a code in a path is not.
    assert leaked("地块 P-1：under_construction → 闲置") == {"under_construction"}
    assert leaked("集群 metal_smart_manufacturing，原则 industrial_leverage") == {
        "metal_smart_manufacturing",
        "industrial_leverage",
    }
    assert leaked("已写出 /tmp/x/audit/csv/parcels.csv 和 allocation.xlsx") == set()
    assert leaked("landplan 演示 PJ-06 P-0001 EPSG:4546 sqlite") == set()


@pytest.fixture(scope="module")
def zone_files(tmp_path_factory):
    out = tmp_path_factory.mktemp("lang")
    paths = write_sample(out / "sample")
    return out, paths


def invoke(*args: str, code: int = 0) -> str:
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "200"})
    assert result.exit_code == code, result.output
    return result.output


@pytest.fixture(scope="module")
def store(zone_files):
    out, paths = zone_files
    db = str(out / "store.gpkg")
    outputs = {"init": invoke("init", "--db", db)}
    for layer in ("parcels", "buildings", "enterprises", "roads", "corridors", "substations"):
        outputs[f"import {layer}"] = invoke(
            "import", layer, str(paths["gpkg"]), "--source-layer", layer, "--db", db
        )
    outputs["import projects"] = invoke("import", "projects", str(paths["csv"]), "--db", db)
    return db, outputs


def _zh_and_en(*args: str) -> tuple[str, str]:
    return invoke(*args), invoke(*args, "--lang", "en")


def test_store_commands_print_chinese(store, zone_files, tmp_path):
    db, outputs = store
    assert "已创建数据库" in outputs["init"]
    assert "地块（追加" in outputs["import parcels"] and "新增450个" in outputs["import parcels"]
    assert "项目（追加" in outputs["import projects"]
    idle = invoke("status", "on", "2026-06-30", "--db", db)
    parcel = pd.read_csv(zone_files[1]["csv"]).iloc[0]  # a project, for the reservation
    site = _an_idle_parcel(zone_files[1]["gpkg"])
    outputs |= {
        "status on": idle,
        "set": invoke("status", "set", "parcel", site, "occupied", "--reason", "出让", "--db", db),
        "history": invoke("status", "history", site, "--db", db),
        "retract": invoke("status", "retract", "parcel", site, "--reason", "录入有误", "--db", db),
        "reserve": invoke("reserve", parcel["project_id"], site, "--note", "意向", "--db", db),
        "reservations": invoke("reservations", "--db", db),
        "release": invoke("release", parcel["project_id"], "--db", db),
        "all": invoke("reservations", "--all", "--db", db),
        "export": invoke("export", "parcels", str(tmp_path / "parcels.gpkg"), "--db", db),
    }
    update = tmp_path / "update.csv"
    pd.DataFrame({"parcel_id": [site], "holder": ["云浮某公司"]}).to_csv(update, index=False)
    outputs["update"] = invoke("update", "parcels", str(update), "--reason", "核实", "--db", db)
    assert "闲置 → 已用" in outputs["set"]
    assert "已撤回" in outputs["retract"] and "“已用”" in outputs["retract"]
    assert "状态变更记录" in outputs["history"]
    assert f"已为项目 {parcel['project_id']} 预留地块 {site}" in outputs["reserve"]
    assert "当前预留" in outputs["reservations"] and "意向" in outputs["reservations"]
    assert "解除" in outputs["all"] and "已解除项目" in outputs["release"]
    assert "已写出地块450个" in outputs["export"]
    assert "1个要素有变更" in outputs["update"]
    for name, text in outputs.items():
        assert not leaked(text), (name, leaked(text), text)
    en = invoke(
        "status", "set", "parcel", site, "occupied", "--reason", "x", "--db", db, "--lang", "en"
    )
    assert f"parcels {site}: idle → occupied" in en


def _an_idle_parcel(gpkg) -> str:
    import pyogrio

    parcels = pyogrio.read_dataframe(gpkg, layer="parcels", read_geometry=False)
    return str(parcels.loc[parcels["status"] == "idle", "parcel_id"].iloc[0])


@pytest.mark.parametrize(
    ("args", "zh_word", "en_word"),
    [
        (("audit", "--as-of", "2026-06-30"), "低效用地", "low-efficiency"),
        (("revitalise", "--as-of", "2026-06-30"), "盘活方案", "revitalisation plan"),
        (("review", "PJ-01"), "入园评审", "admit"),
        (("match", "PJ-06", "--top", "5"), "候选", "candidates"),
        (("allocate",), "已安排", "placed"),
        (("capacity", "--start", "2026-07-01"), "期末供需差", "balance at the horizon"),
        (("corridor",), "可开发土地", "developable"),
        (("map", "overview"), "已写出", "wrote"),
    ],
)
def test_analyses_print_chinese(store, tmp_path, args, zh_word, en_word):
    db, _ = store
    common = ("--db", db)
    out = ("--out", str(tmp_path / ("map.html" if args[0] == "map" else args[0])))
    zh, en = _zh_and_en(*args, *common, *out)
    assert zh_word in zh and en_word in en
    assert not leaked(zh), (leaked(zh), zh)


def test_validate_and_sample_print_chinese(zone_files, tmp_path):
    _, paths = zone_files
    gpkg = str(paths["gpkg"])
    zh, en = _zh_and_en("validate", gpkg, "--source-layer", "parcels", "--layer", "parcels")
    assert "校验通过" in zh and "总面积" in zh and "用地面积" in zh
    assert "valid" in en and "area_mu" in en
    assert not leaked(zh), leaked(zh)
    zh = invoke("sample", "--out", str(tmp_path / "s"), "--parcels", "30")
    assert "已写出" in zh and "字节" in zh and not leaked(zh)


def test_problem_summary_names_columns_in_chinese(zone_files, tmp_path):
    _, paths = zone_files
    projects = pd.read_csv(paths["csv"])
    projects.loc[0, "stage"] = "sigend"
    bad = tmp_path / "projects.csv"
    projects.to_csv(bad, index=False)
    result = CliRunner().invoke(app, ["validate", str(bad), "--layer", "projects"])
    assert result.exception is not None  # the runner holds the error main() would print
    text = str(result.exception) if result.exception else result.output
    # the summary's first row names the column in Chinese; the problem text is the validator's
    rows = text.split("按字段汇总：")[1].splitlines()
    assert rows[1].split()[:3] == ["字段", "错误", "警告"]
    assert rows[2].split()[0] == "项目阶段"


def test_user_errors_keep_exit_status_two_and_say_error_in_chinese(capsys):
    from landplan.cli import main

    for lang, head in (("zh", "错误："), ("en", "error: ")):
        with pytest.raises(SystemExit) as info:
            main(["capacity", "--start", "tomorrow", "--lang", lang])
        assert info.value.code == 2
        err = capsys.readouterr().err.splitlines()
        assert any(line.startswith(f"{head}--start 'tomorrow'") for line in err), err
    with pytest.raises(SystemExit) as info:
        main(["capacity", "--lang", "xx"])
    assert info.value.code == 2


def _commands(group, path=()):
    for name, command in group.commands.items():
        yield (*path, name), command
        if hasattr(command, "commands"):
            yield from _commands(command, (*path, name))


_CJK = re.compile(r"[\u4e00-\u9fff]")


def test_every_help_reads_in_chinese_by_default(monkeypatch):
    import typer

    monkeypatch.delenv("LANDPLAN_LANG", raising=False)
    root = typer.main.get_command(app)
    missing = []
    for path, command in [((), root), *_commands(root)]:
        texts = [("", command.help)] + [(p.name, p.help) for p in command.params]
        missing += [(path, name) for name, text in texts if text and not _CJK.search(text)]
        assert command.help, path
    assert missing == []
    # and every option a command has carries a help
    assert all(p.help for _, c in _commands(root) for p in c.params), "an option without help"


def test_help_in_english_with_landplan_lang(monkeypatch):
    monkeypatch.setenv("LANDPLAN_LANG", "en")
    out = invoke("import", "--help")
    assert "Validate a file and write it into a layer" in out and "校验文件" not in out
    assert "[required]" in out and "[default: landplan.gpkg]" in out and "Options" in out
    monkeypatch.setenv("LANDPLAN_LANG", "zh")
    out = invoke("import", "--help")
    assert "校验文件并写入图层" in out and "修复无效几何图形" in out
    assert "显示本帮助后退出" in out and "Show this message" not in out
    # the help's own markers and panel titles too
    assert "[必填]" in out and "[默认：landplan.gpkg]" in out and "[环境变量：LANDPLAN_DB]" in out
    assert "─ 参数 ─" in out and "─ 选项 ─" in out
    assert not {"[required]", "[default:", "[env var:", "Options", "Arguments"} & set(out.split())


def test_version():
    from landplan import __version__

    assert invoke("--version").strip() == f"landplan {__version__}"


def test_demo_table_names_its_steps_in_chinese(monkeypatch, tmp_path):
    import landplan.demo as demo

    def fake_run(out, *, policy=None, on_step=None):
        # The demo's own run is tested in test_demo.py; here only what the command prints.
        for name, _ in demo.STEPS:
            on_step(name)
        return [(name, tmp_path / f"{i}.xlsx") for i, (name, _) in enumerate(demo.STEPS)]

    monkeypatch.setattr(demo, "run_demo", fake_run)
    zh = invoke("demo", "--out", str(tmp_path))
    assert "landplan 演示：11个文件" in zh and "步骤" in zh
    assert "闲置与低效用地核查" in zh and "半年工作报告" in zh
    assert not leaked(zh) and "sample zone" not in zh
    en = invoke("demo", "--out", str(tmp_path), "--lang", "en")
    assert "landplan demo: 11 files" in en and "half-year report" in en
