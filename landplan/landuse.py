"""Land-use codes and their schemes: GB 50137-2011, GB/T 21010 (三调; 2007) and 用地用海 2023.

A land-use value is meaningless without its scheme: ``1001`` is 铁路用地 (railways) in GB/T
21010-2017 as the Third National Land Survey uses it, and 工业用地 (industrial) in the 2023
国土空间调查、规划、用途管制用地用海分类; ``0601`` is 工业用地 in the first and 乡村道路用地 in the
second. Older cadastral records carry the 2007 edition's three-digit codes (``061`` 工业用地,
``101`` 铁路用地). The code tables ship as data (``landplan/datasets/landuse/*.csv``, with
Chinese and English names), each code mapped to a landplan land-use class
(:data:`landplan.vocab.LAND_USE`: M1/M2/M3 industrial, W logistics, U utilities, ...), which is
what the siting and audit rules name. Where one code covers several classes (三调 ``0601``
工业用地 does not say whether the land is class 1, 2 or 3), the parcel gets the class they share
(``M``, industrial with the class not stated) and a warning; where they share none (``06``
工矿仓储用地), no class.

A parcel keeps the code it came with (``land_use_code``) and its scheme (``land_use_scheme``)
beside the class (``land_use``). :func:`crosswalk` follows the correspondences the schemes define
(``crosswalk.csv``): GB/T 21010-2017 to 用地用海 2023, and the 2007 edition to the 2017 one.

Examples
--------
>>> code = lookup("0601", "gbt21010")
>>> code.zh, code.land_class
('工业用地', 'M')
>>> lookup("100103", "ydyh2023").land_class
'M3'
>>> [c.code for c in crosswalk("0601", "gbt21010", "ydyh2023")]
['1001']
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np
import pandas as pd

from landplan.errors import Code, LandplanError, Message, Problem
from landplan.vocab import LAND_USE, fold, looks_like_code

__all__ = [
    "SCHEMES",
    "LandUseCode",
    "Scheme",
    "crosswalk",
    "explain_code",
    "land_use_notices",
    "lookup",
    "resolve_land_use",
    "scheme",
]

#: Classes grouped under one parent: a code covering several of them gets the parent.
_PARENT = {"M1": "M", "M2": "M", "M3": "M", "M": "M"}


@dataclass(frozen=True)
class LandUseCode:
    """One code of a scheme.

    Attributes
    ----------
    scheme : str
        The scheme's id (``gbt21010``).
    code : str
        The code as the scheme writes it (``0601``, ``M3``, ``100103``).
    zh, en : str
        Its name in Chinese and English.
    classes : tuple of str
        The landplan land-use classes it covers (several where the code does not decide).
    note : str
        What the table says about it (``三调工作分类`` for the survey's own codes).
    """

    scheme: str
    code: str
    zh: str
    en: str
    classes: tuple[str, ...]
    note: str = ""

    @property
    def land_class(self) -> str | None:
        """The one class a parcel with this code is given, or None where the code decides none."""
        if len(self.classes) == 1:
            return self.classes[0]
        parents = {_PARENT.get(c, c) for c in self.classes}
        return parents.pop() if len(parents) == 1 else None

    def describe(self, lang: str = "zh") -> str:
        """Name the code with its scheme and meaning: ``GB/T 21010-2017 0601 工业用地``."""
        name = self.zh if lang == "zh" else self.en
        return f"{SCHEMES[self.scheme].short} {self.code} {name}"


@dataclass(frozen=True)
class Scheme:
    """A land-use classification and its codes.

    Attributes
    ----------
    id : str
        ``gb50137``, ``gbt21010`` or ``ydyh2023``.
    short : str
        Its usual citation (``GB/T 21010-2017``).
    zh, en : str
        Its title.
    spellings : tuple of str
        Other names accepted for it (``三调``, ``用地用海``).
    table : str
        The code table's file in ``landplan/datasets/landuse``.
    """

    id: str
    short: str
    zh: str
    en: str
    spellings: tuple[str, ...]
    table: str

    @property
    def codes(self) -> dict[str, LandUseCode]:
        """Every code of the scheme, by code."""
        return _codes(self.id)

    def lookup(self, value: object) -> LandUseCode | None:
        """Return the code for a value (the code, in any case, or the code's Chinese name)."""
        key = normalise_code(value)
        codes = self.codes
        if key in codes:
            return codes[key]
        by_name = _names(self.id)
        return by_name.get(str(value).strip())


SCHEMES: dict[str, Scheme] = {
    s.id: s
    for s in (
        Scheme(
            "gb50137",
            "GB 50137-2011",
            "城市用地分类与规划建设用地标准",
            "Code for classification of urban land use and planning standards of development land",
            ("GB 50137", "GB50137-2011", "50137", "城市用地分类", "城市用地"),
            "gb50137_2011.csv",
        ),
        Scheme(
            "gbt21010",
            "GB/T 21010-2017",
            "土地利用现状分类(第三次全国国土调查工作分类)",
            "Current land use classification, as the Third National Land Survey uses it",
            (
                "GB/T 21010",
                "GBT21010",
                "GB/T21010-2017",
                "21010",
                "三调",
                "三调工作分类",
                "土地利用现状分类",
                "sandiao",
            ),
            "gbt21010_2017.csv",
        ),
        Scheme(
            "gbt21010_2007",
            "GB/T 21010-2007",
            "土地利用现状分类(2007, 第二次全国土地调查)",
            "Current land use classification, 2007 edition (Second National Land Survey)",
            ("GB/T 21010-2007", "GBT21010-2007", "21010-2007", "二调", "第二次全国土地调查"),
            "gbt21010_2007.csv",
        ),
        Scheme(
            "ydyh2023",
            "用地用海分类 2023",
            "国土空间调查、规划、用途管制用地用海分类",
            "Land and sea use classification for territorial survey, planning and use control",
            ("用地用海", "用地用海分类", "国土空间用地用海分类", "ydyh", "2023", "国土空间"),
            "ydyh_2023.csv",
        ),
    )
}


def scheme(name: object) -> Scheme:
    """Return a scheme by id or any accepted name (``三调``, ``GB/T 21010-2017``, ``用地用海``).

    Raises
    ------
    LandplanError
        For an unknown name, listing the schemes.
    """
    found = _scheme_table().get(fold(str(name)))
    if found is None:
        raise LandplanError.of("plan_unknown_scheme", name=name, schemes=_scheme_list())
    return SCHEMES[found]


def _scheme_list() -> str:
    return ", ".join(f"{s.id} ({s.short})" for s in SCHEMES.values())


@cache
def _scheme_table() -> dict[str, str]:
    table: dict[str, str] = {}
    for s in SCHEMES.values():
        for spelling in (s.id, s.short, s.zh, *s.spellings):
            table[fold(spelling)] = s.id
    return table


def normalise_code(value: object) -> str:
    """Write a code as its table does: trimmed, upper case; a number read as 601.0 is ``0601``.

    Codes of the numeric schemes have an even number of digits (two per level), so a code that
    a spreadsheet read as a number gets its leading zero back.
    """
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip().upper()
    if isinstance(value, int | np.integer) and len(text) % 2:
        # Only a number lost its zero: text such as "061" is a code as written.
        text = "0" + text
    return text


def _rows(table: str) -> list[dict[str, str]]:
    source = resources.files("landplan.datasets").joinpath("landuse").joinpath(table)
    # Traversable.open takes no newline argument; csv wants the text as read, newlines untouched.
    with io.TextIOWrapper(source.open("rb"), encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@cache
def _codes(scheme_id: str) -> dict[str, LandUseCode]:
    out: dict[str, LandUseCode] = {}
    for row in _rows(SCHEMES[scheme_id].table):
        classes = tuple(c for c in row["class"].split(";") if c)
        unknown = [c for c in classes if c not in LAND_USE.labels]
        if unknown:  # pragma: no cover - a table bug, caught by the tests
            raise LandplanError(f"{SCHEMES[scheme_id].table}: {row['code']}: classes {unknown}")
        out[row["code"]] = LandUseCode(
            scheme_id, row["code"], row["zh"], row["en"], classes, row.get("note") or ""
        )
    return out


@cache
def _names(scheme_id: str) -> dict[str, LandUseCode]:
    """Codes by Chinese name, for names that occur once in the scheme."""
    seen: dict[str, list[LandUseCode]] = {}
    for code in _codes(scheme_id).values():
        seen.setdefault(code.zh, []).append(code)
    return {name: codes[0] for name, codes in seen.items() if len(codes) == 1}


def lookup(value: object, scheme_name: str) -> LandUseCode | None:
    """Return the code ``value`` of a scheme, or None where the scheme has no such code."""
    return scheme(scheme_name).lookup(value)


@cache
def _crosswalk_table() -> dict[tuple[str, str, str], tuple[str, ...]]:
    table: dict[tuple[str, str, str], tuple[str, ...]] = {}
    for row in _rows("crosswalk.csv"):
        targets = tuple(row["to_code"].split(";"))
        table[(row["from_scheme"], row["from_code"], row["to_scheme"])] = targets
    return table


def crosswalk(value: object, from_scheme: str, to_scheme: str) -> list[LandUseCode]:
    """Return the codes of ``to_scheme`` that a code of ``from_scheme`` corresponds to.

    Uses the correspondence table where the schemes define one (GB/T 21010 → 用地用海, GB/T
    21010-2007 → 2017); to GB 50137, the codes of the code's classes.
    Several codes come back where one code corresponds to several.

    Raises
    ------
    LandplanError
        If the code is not a code of ``from_scheme``.
    """
    source, target = scheme(from_scheme), scheme(to_scheme)
    code = source.lookup(value)
    if code is None:
        raise LandplanError.of("plan_not_code_of", value=value, scheme=source.short)
    if source.id == target.id:
        return [code]
    listed = _crosswalk_table().get((source.id, code.code, target.id))
    if listed is not None:
        return [target.codes[c] for c in listed]
    if target.id == "gb50137":
        return [target.codes[c] for c in code.classes if c in target.codes]
    return []


def explain_code(value: object) -> Message | None:
    """Name a code with the schemes that have it and what it means in each, or None.

    For messages about a value that is not a land-use class: ``'0601' is GB/T 21010-2017 0601
    工业用地 (industrial) and 用地用海分类 2023 0601 乡村道路用地 (rural roads): say its scheme``.
    """
    text = str(value).strip()
    if not looks_like_code(text):
        return None
    found = [c for s in SCHEMES.values() if (c := s.lookup(text)) is not None]
    if not found:
        return Message("plan_code_of_none", text=text, schemes=_scheme_list())
    return Message(
        "plan_code_needs_scheme",
        text=text,
        meanings=" and ".join(f"{c.describe('zh')} ({c.en})" for c in found),
        meanings_zh="、".join(c.describe("zh") for c in found),
        column=Code("land_use_scheme"),
    )


def _scheme_column(frame: pd.DataFrame) -> pd.Series:
    if "land_use_scheme" not in frame:
        return pd.Series([None] * len(frame), index=frame.index, dtype=object)
    raw = frame["land_use_scheme"].astype(object)
    return raw.where(raw.notna(), None)


Report = Callable[..., None]


def resolve_land_use(frame: pd.DataFrame, report: Report) -> pd.DataFrame:
    """Turn land-use codes into classes through their scheme, keeping the code and scheme.

    The code comes from ``land_use_code`` where the frame has it, else from ``land_use``; the
    scheme from ``land_use_scheme``. A value that is already a land-use class (``M1``,
    ``一类工业用地``) needs no scheme; a GB 50137 letter code (``R2``, ``H21``) is unambiguous; any
    other code without a scheme is refused with what it means in each scheme that has it.

    Parameters
    ----------
    frame
        Parcels with their columns renamed to landplan's names.
    report
        ``report(mask, column, problem, expected)`` records a problem for the rows in ``mask``.

    Returns
    -------
    pandas.DataFrame
        A copy with ``land_use`` holding classes, and ``land_use_code`` and ``land_use_scheme``
        where a code of a scheme was given.
    """
    if "land_use" not in frame and "land_use_code" not in frame:
        return frame
    out = frame.copy()
    has_code_column = "land_use_code" in frame
    stated = out["land_use"].astype(object) if "land_use" in frame else None
    raw = out["land_use_code"].astype(object) if has_code_column else stated
    assert raw is not None
    if has_code_column and stated is not None:
        # A parcel without a code is judged by its class (or a code given as land_use).
        raw = raw.where(raw.notna(), stated)
    source = (
        pd.Series(np.where(out["land_use_code"].notna(), "land_use_code", "land_use"))
        if has_code_column
        else pd.Series(["land_use"] * len(out))
    )
    schemes = _scheme_column(out)
    n = len(out)
    classes = np.full(n, None, dtype=object)
    codes = np.full(n, None, dtype=object)
    scheme_ids = np.full(n, None, dtype=object)
    problems: dict[tuple[str, str, str], list[int]] = {}

    def problem(i: int, column: str, text: str, expected: str) -> None:
        problems.setdefault((column, text, expected), []).append(i)

    # Each distinct value is normalised once: a layer holds few distinct codes.
    table = {v: normalise_code(v) for v in pd.unique(raw.dropna())}
    text = raw.map(table).astype(object).where(raw.notna(), None).reset_index(drop=True)
    present = text.notna().to_numpy() & (text.astype(str) != "").to_numpy()
    pairs = pd.DataFrame({"v": text, "s": schemes.reset_index(drop=True)})
    groups = pairs[present].groupby(["v", "s"], dropna=False).indices
    for (value, scheme_name), idx in groups.items():
        given = None if pd.isna(scheme_name) else scheme_name
        found = _resolve_one(str(value), given)
        if found[0] == "unknown":
            # Left to the class check, which lists the classes, with the value as given.
            classes[idx] = raw.to_numpy(dtype=object)[idx]
        elif found[0] in ("scheme", "code"):
            for i in idx:
                column = "land_use_scheme" if found[0] == "scheme" else source.iat[i]
                problem(int(i), column, found[1], found[2])
        else:
            classes[idx], codes[idx], scheme_ids[idx] = found[1:]
    for (column, text, expected), idx in problems.items():
        mask = np.zeros(n, dtype=bool)
        mask[idx] = True
        report(mask, column, text, expected)
    if has_code_column and stated is not None:
        given = stated.map(lambda v: None if pd.isna(v) else LAND_USE.normalise(v)).to_numpy()
        both = out["land_use_code"].notna().to_numpy() & (given != None) & (classes != None)  # noqa: E711
        clash = both & (given != classes)
        report(
            clash,
            "land_use",
            lambda i: Message(
                "plan_class_disagrees", given=given[i], code=codes[i], cls=classes[i]
            ),
            Message("plan_class_of_code"),
        )
    out["land_use"] = pd.Series(classes, index=out.index, dtype=object)
    # A parcel given only a class keeps no code; a layer of classes alone gets no code columns.
    if any(c is not None for c in codes) or "land_use_scheme" in frame or has_code_column:
        out["land_use_code"] = pd.Series(codes, index=out.index, dtype=object)
        out["land_use_scheme"] = pd.Series(scheme_ids, index=out.index, dtype=object)
    return out


def _resolve_one(value: str, scheme_name: str | None) -> tuple:
    """Return ("ok", class, code, scheme), ("unknown",), or (kind, problem, expected)."""
    if scheme_name is not None:
        try:
            chosen = scheme(scheme_name)
        except LandplanError:
            return ("scheme", Message("plan_scheme_unknown", name=scheme_name), _scheme_list())
        code = chosen.lookup(value)
        if code is None:
            other = explain_code(value)
            example = next(iter(c for c in chosen.codes.values() if len(c.code) > 2), None)
            expected = Message(
                "plan_code_of",
                scheme=chosen.short,
                hint=Message("plan_such_as", example=example.describe()) if example else "",
                other=Message("plan_and_then", text=other) if other else "",
            )
            problem = Message("plan_not_code_of", value=value, scheme=chosen.short)
            return ("code", problem, expected)
        return ("ok", code.land_class, code.code, chosen.id)
    as_class = LAND_USE.normalise(value)
    if as_class is not None:
        return ("ok", as_class, None, None)
    gb = SCHEMES["gb50137"].lookup(value)
    if gb is not None and not value[:1].isdigit():
        # Letter codes (R2, H21, W1) exist in GB 50137 alone.
        return ("ok", gb.land_class, gb.code, "gb50137")
    if any(s.lookup(value) for s in SCHEMES.values()):
        meaning = explain_code(value) or ""
        return ("code", Message("plan_code_without_scheme", value=value), meaning)
    return ("unknown",)


def land_use_notices(frame: pd.DataFrame, source: str, id_column: str) -> list[Problem]:
    """Warn where a parcel's code covers several classes, or none: the class it was given.

    Returns
    -------
    list of Problem
        One per parcel whose code does not decide one class, naming the code, its scheme, the
        classes it covers and what the parcel was given.
    """
    if "land_use_code" not in frame or "land_use_scheme" not in frame:
        return []
    pairs = pd.DataFrame(
        {
            "code": frame["land_use_code"].astype(object).to_numpy(),
            "scheme": frame["land_use_scheme"].astype(object).to_numpy(),
        }
    )
    ids = frame[id_column].astype(str).to_numpy()
    found: list[tuple[int, Problem]] = []
    more = _more()
    for (code_text, scheme_id), rows in pairs.dropna().groupby(["code", "scheme"]).indices.items():
        message = _several(str(code_text), str(scheme_id))
        if message:
            found += [(int(i), Problem(source, ids[i], "land_use", message, more)) for i in rows]
    return [p for _, p in sorted(found, key=lambda t: t[0])]


def _more() -> Message:
    return Message("plan_next_level", column=Code("land_use"))


def _several(code_text: str, scheme_id: str) -> Message | None:
    code = SCHEMES[scheme_id].lookup(code_text) if scheme_id in SCHEMES else None
    if code is None or len(code.classes) == 1:
        return None
    given = code.land_class
    covers = "/".join(code.classes) if code.classes else Message("plan_no_class")
    if given == "M":
        return Message("plan_covers_m", code=code.describe(), covers=covers)
    if given is None:
        return Message("plan_covers_none", code=code.describe(), covers=covers)
    return Message("plan_covers", code=code.describe(), covers=covers, given=given)
