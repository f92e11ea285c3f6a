"""The writers' text of numbers and strings, against the plain Python formatting of each value."""

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from landplan import tables
from landplan.labels import translate_values
from landplan.tables import float_text, neutralise, write_csv

# Numbers where Arrow's notation and Python's part: exponents, tiny and large magnitudes.
AWKWARD_FLOATS = [
    0.0,
    -0.0,
    15.0,
    0.1,
    1e-4,
    9.99e-5,
    1e-5,
    1.5e-6,
    1e-7,
    5e-324,
    2e-308,
    999999999999999.9,
    1e15,
    2.5e15,
    1234567890123456.7,
    1e16,
    1.5e16,
    1e22,
    1.7976931348623157e308,
    13409899798.538094,
    123456789012345.0,
    -1e-5,
    math.inf,
    -math.inf,
    math.nan,
]


def _python(values: list[float]) -> list[str | None]:
    return [None if math.isnan(v) else repr(v) for v in values]


def _field(value: str | None) -> str:
    """One CSV field as a plain script writes it: neutralised, quoted where RFC 4180 asks."""
    if value is None:
        return ""
    text = neutralise(value)
    if any(ch in text for ch in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def test_awkward_floats_read_as_python_writes_them():
    assert float_text(np.array(AWKWARD_FLOATS)).to_pylist() == _python(AWKWARD_FLOATS)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(allow_nan=True, allow_infinity=True, width=64), max_size=60))
def test_float_text_is_python_repr(values):
    assert float_text(np.array(values, dtype="float64")).to_pylist() == _python(values)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.floats(allow_nan=True, allow_infinity=True, width=64) | st.sampled_from(AWKWARD_FLOATS),
        min_size=1,
        max_size=30,
    ),
    st.integers(0, 10**6),
)
def test_a_column_repeating_its_values_is_python_repr(values, seed):
    # Long enough and repetitive enough to be written once per distinct value; shuffled so the
    # repeats do not line up with the sample's stride.
    column = np.random.default_rng(seed).permutation(
        np.tile(np.array(values), 12_000 // len(values) + 1)
    )
    assert tables._repeats(column)
    assert float_text(column).to_pylist() == _python(column.tolist())


def test_zero_and_negative_zero_stay_apart_in_a_repeating_column():
    column = np.tile(np.array([0.0, -0.0, 1.0, math.nan]), 5_000)
    assert tables._repeats(column)
    assert float_text(column).to_pylist()[:4] == ["0.0", "-0.0", "1.0", None]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.floats(allow_nan=True, allow_infinity=True, width=64)
        | st.integers(-(10**17), 10**17).map(float)
        | st.sampled_from(AWKWARD_FLOATS),
        min_size=1,
        max_size=40,
    )
)
def test_float_column_of_a_csv_is_python_repr(tmp_path_factory, values):
    path = write_csv(pd.DataFrame({"x": values}), tmp_path_factory.mktemp("f") / "t.csv")
    rows = path.read_bytes().decode("utf-8-sig").split("\r\n")
    assert rows[1:-1] == ["" if v is None else v for v in _python(values)]


TEXT = st.text(
    st.characters(blacklist_categories=("Cs",))
    | st.sampled_from([",", '"', "\r", "\n", "=", "+", "-", "@", "\t", "'", "园", " "]),
    max_size=12,
)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.none() | TEXT, min_size=1, max_size=40), st.sampled_from(["str", "object"]))
def test_text_column_of_a_csv_is_plain_python(tmp_path_factory, values, dtype):
    frame = pd.DataFrame({"t": pd.Series(values, dtype=dtype), "n": range(len(values))})
    path = write_csv(frame, tmp_path_factory.mktemp("t") / "t.csv")
    expected = "".join(f"{_field(v)},{i}\r\n" for i, v in enumerate(values))
    assert path.read_bytes().decode("utf-8-sig") == "t,n\r\n" + expected


def test_text_of_a_sliced_column_is_read_from_its_own_rows(tmp_path):
    # Arrow text that is a slice of a longer array: its rows start past the buffer's start.
    values = pd.Series(["a,b", "=x", "", None, 'q"q', "园区"] * 5, dtype="str")
    frame = pd.DataFrame({"t": values}).iloc[7:23]
    path = write_csv(frame, tmp_path / "t.csv")
    expected = "".join(
        f"{_field(v)}\r\n" for v in frame["t"].astype(object).where(frame["t"].notna(), None)
    )
    assert path.read_bytes().decode("utf-8-sig") == "t\r\n" + expected


@pytest.mark.parametrize("dtype", ["str", "object"])
def test_labels_of_a_table_with_its_own_index_are_those_of_the_registry(dtype):
    frame = pd.DataFrame(
        {
            "status": pd.Series(["in_use", "idle", None, "in_use", "unknown_code"], dtype=dtype),
            "low_efficiency": [True, False, True, True, False],
            "low_efficiency_rules": pd.Series(
                ["LE-FAR;LE-COVERAGE", "", None, "LE-FAR", "free; text"], dtype=dtype
            ),
            "area_mu": [1.0, 2.0, 3.0, 4.0, 5.0],
        },
        index=[40, 7, 12, 3, 99],  # a filtered table's index, as the class D sheet has
    )
    for lang in ("zh", "en"):
        shown = tables._display(frame, lang)
        expected = translate_values(frame, lang)
        assert list(shown.columns) == list(expected.columns)
        assert list(shown.index) == list(expected.index)
        for column in frame.columns:
            mine = shown[column].astype(object).where(shown[column].notna(), None).tolist()
            theirs = expected[column].astype(object).where(expected[column].notna(), None)
            assert mine == theirs.tolist(), column


WORKBOOK_TEXT = st.text(
    st.characters(blacklist_categories=("Cs",), max_codepoint=0x9FFF)
    | st.sampled_from(["&", "<", ">", "_", "x", "0", "=", "+", "-", "@", "\t", "\r", " ", "\x07"]),
    max_size=10,
)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.none() | WORKBOOK_TEXT, min_size=1, max_size=30))
def test_text_cells_read_back_as_xlsxwriter_writes_them(tmp_path_factory, values):
    import xlsxwriter
    from openpyxl import load_workbook

    where = tmp_path_factory.mktemp("w")
    ours = tables.write_workbook(where / "ours.xlsx", {"t": pd.DataFrame({"note": values})})
    plain = xlsxwriter.Workbook(str(where / "plain.xlsx"))
    sheet = plain.add_worksheet("t")
    for row, text in enumerate(values, start=1):
        if text is not None and text != "":
            sheet.write_string(row, 0, text)
    plain.close()

    def cells(path):
        column = load_workbook(path)["t"]["A"][1:]
        return {c.row: (c.value, bool(c.quotePrefix)) for c in column if c.value not in (None, "")}

    mine, theirs = cells(ours), cells(where / "plain.xlsx")
    assert {r: v for r, (v, _) in mine.items()} == {r: v for r, (v, _) in theirs.items()}
    for row, (_, quoted) in mine.items():
        assert quoted == values[row - 2].startswith(tables.FORMULA_PREFIXES)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.none() | TEXT, min_size=1, max_size=30))
def test_a_categorical_column_of_text_is_written_as_its_text(tmp_path_factory, values):
    where = tmp_path_factory.mktemp("c")
    plain = write_csv(pd.DataFrame({"t": pd.Series(values, dtype="str")}), where / "plain.csv")
    held = write_csv(pd.DataFrame({"t": pd.Series(values, dtype="category")}), where / "held.csv")
    assert held.read_bytes() == plain.read_bytes()
    expected = "".join(f"{_field(v)}\r\n" for v in values)
    assert held.read_bytes().decode("utf-8-sig") == "t\r\n" + expected
