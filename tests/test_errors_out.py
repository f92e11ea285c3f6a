"""The errors of outputs, reports, maps, the policy and the store say themselves in Chinese.

So does the command line's help, down to its usage line and the kinds of value options take.

One error from each module, read in Chinese: Chinese characters, no English sentence and no
vocabulary identifier (the check of :mod:`tests.test_errors_zh`); read in English, the text
``str(err)`` gives to library users.
"""

from __future__ import annotations

import pytest

from landplan.errors import LandplanError

from .test_errors_zh import check_both_languages


def _outputs(tmp_path):
    from landplan.outputs import check_replace

    path = tmp_path / "audit.xlsx"
    path.write_text("a planner's own notes", encoding="utf-8")
    return check_replace(path, "audit", parts=["parcels"])


def _period(tmp_path):
    from landplan.report import parse_period

    return parse_period("2026Q1")


def _gongwen(tmp_path):
    from landplan.report.gongwen import read_office_text

    path = tmp_path / "text.txt"
    path.write_text("# 成绩\n很好\n", encoding="utf-8")
    return read_office_text(path)


def _sheet(tmp_path):
    from landplan.maps.sheet import print_map

    return print_map(tmp_path / "map.html", tmp_path / "map.svg")


def _basemaps(tmp_path):
    from landplan.maps.basemaps import start_map
    from landplan.policy import Policy

    policy = Policy.default()
    return start_map([], m=None, lang="zh", basemap="tianditu", tianditu_key=None, policy=policy)


def _browser(tmp_path):
    from landplan.maps import find_browser

    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("LANDPLAN_CHROMIUM", raising=False)
        patch.setenv("PATH", str(tmp_path))  # no chromium on it
        return find_browser()


def _policy(tmp_path):
    from landplan.policy import Policy

    changes = {"control.coverage_min": 2.0, "idle.exempt_statuses": ["idel"]}
    return Policy.default().replace(**changes)


def _store(tmp_path):
    from landplan.store import open_store

    store = open_store(tmp_path / "store.gpkg")
    raise store._failure(RuntimeError(), writing=True)


@pytest.mark.parametrize(
    ("module", "call", "english_says"),
    [
        ("outputs", _outputs, "exists and is not a landplan output"),
        ("report.period", _period, "period '2026Q1' is not a half year"),
        ("report.gongwen", _gongwen, "line 1: unknown part '成绩'"),
        ("maps.sheet", _sheet, "expected a .pdf or .png file"),
        ("maps.basemaps", _basemaps, "expected a Tianditu key"),
        ("maps.output", _browser, "expected a Chromium browser"),
        ("policy", _policy, "2 problem(s) in the policy replace()"),
        ("store", _store, "the database failed: RuntimeError; nothing was written"),
    ],
)
def test_an_output_error_says_itself_in_chinese(tmp_path, module, call, english_says):
    with pytest.raises(LandplanError) as info:
        call(tmp_path)
    check_both_languages(info.value, module, english_says)


def test_the_help_and_a_usage_error_read_in_chinese(monkeypatch):
    from .test_cli_lang import invoke

    monkeypatch.setenv("LANDPLAN_LANG", "zh")
    out = invoke("validate", "--help")
    assert "用法：landplan validate [选项] {file}" in out, out
    assert {"<路径>", "<文本>", "<开关>"} <= set(out.split()), out
    assert not {"Usage:", "[OPTIONS]", "<str>", "<path>", "<bool>"} & set(out.split()), out
    assert "用法：landplan status [选项] 命令 [参数]..." in invoke("status", "--help")
    err = invoke("validate", "x.gpkg", code=2)
    assert "请用 'landplan validate --help' 查看帮助。" in err and "─ 错误 ─" in err, err
    assert "缺少选项 '--layer' / '-l'。" in err and "Missing" not in err, err
    err = invoke("match", "--topp", "3", code=2)
    assert "没有选项 --topp（可用的有：--top）" in err and "No such option" not in err, err
    err = invoke("match", "PJ-03", "--top", "x", code=2)
    assert "'--top' / '-n' 的值无效：应为整数" in err and "Input should" not in err, err
    assert "缺少参数 'file'。" in invoke("validate", code=2)
    monkeypatch.setenv("LANDPLAN_LANG", "en")
    out = invoke("validate", "--help")
    assert "Usage: landplan validate [OPTIONS] {file}" in out and "<str>" in out, out
    assert "No such option: --topp" in invoke("match", "--topp", "3", code=2)
