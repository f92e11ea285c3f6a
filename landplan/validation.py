"""Validation of layers: every problem collected, then one :class:`SchemaError`.

:func:`validate_layer` turns a frame read from any source (file, Excel sheet, database) into the
layer landplan works with: columns renamed from their Chinese aliases, values coerced to the
schema's types, vocabularies normalised, geometry checked, the CRS checked for plausibility and
converted to the policy's working CRS, and derived areas added. It never changes the input.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Mapping

import numpy as np
import pandas as pd

import geopandas as gpd
import shapely
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError

from landplan._dates import DATE_FORMS, is_ambiguous, parse_dates
from landplan.errors import Code, Message, Problem, SchemaError
from landplan.layers import LAYERS, Column, LayerSpec, spec, split_list
from landplan.policy import Policy
from landplan.units import MU_M2

__all__ = [
    "check_layer",
    "id_key",
    "normalise_id",
    "overlap_bound",
    "overlapping_pairs",
    "validate_layer",
    "validate_zone_layers",
]

# Characters a list column splits on (landplan.layers.split_list): never part of an id.
_ID_SEPARATORS = re.compile(r"[;；,，]")
_SPACES = re.compile(r"\s+")
# No quantity landplan reads comes near this (10¹⁵ m² is twice the Earth's surface).
_LARGEST = 1e15
_PLAIN_ID = r"[\x21-\x7e]+(?: [\x21-\x7e]+)*"
# Columns holding ids of a layer's features: normalised alike wherever they appear.
_ID_COLUMNS = {s.id_column for s in LAYERS.values()}


def normalise_id(value: object) -> str | None:
    """Return an id as landplan keeps it: NFKC, invisible characters dropped, spaces single.

    Full-width letters and digits become their ASCII forms, zero-width spaces, joiners, byte
    order marks, direction marks and control characters go, runs of white space become one
    space, and the ends are trimmed. Empty text gives None.

    Examples
    --------
    >>> normalise_id("ＰＪ－０６\u200b ")
    'PJ-06'
    """
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    text = unicodedata.normalize("NFKC", str(value))
    text = "".join(c for c in text if unicodedata.category(c) not in ("Cf", "Cc") or c in "\t\n")
    text = _SPACES.sub(" ", text).strip()
    return text or None


def _normalise_ids(ids: pd.Series) -> pd.Series:
    """:func:`normalise_id` for a column, skipping the plain ASCII ids most data hold."""
    text = ids.astype("string")
    odd = text.notna() & ~text.str.fullmatch(_PLAIN_ID).fillna(False)
    out = ids.astype(object).copy()
    if odd.any():
        out[odd] = [normalise_id(v) for v in ids[odd]]
    return out.where(out.notna(), None)


def id_key(value: object) -> str | None:
    """Return the key two ids are the same under: the normalised id, case folded.

    Examples
    --------
    >>> id_key("p-1") == id_key("Ｐ-1\u200b")
    True
    """
    text = normalise_id(value)
    return None if text is None else text.casefold()


_TRUE = {"true", "t", "yes", "y", "1", "是", "有", "√", "1.0"}
_FALSE = {"false", "f", "no", "n", "0", "否", "无", "×", "0.0"}

_PANDAS_DTYPE = {
    "str": object,
    "ids": object,
    "vocab": object,
    "float": "float64",
    "int": "Int64",
    "bool": "boolean",
    "date": "datetime64[ns]",
}


class _Collector:
    """Collects problems with the feature label of each row."""

    def __init__(self, source: str, labels: np.ndarray) -> None:
        self.source = source
        self.labels = labels
        self.problems: list[Problem] = []

    def layer(self, column: str, problem: Message, expected: Message) -> None:
        self.problems.append(Problem(self.source, "*", column, problem, expected))

    def rows(self, mask, column: str, problem, expected) -> None:
        """Add a problem for every row where ``mask`` is true; problem/expected may be callables."""
        for i in np.flatnonzero(np.asarray(mask, dtype=bool)):
            self.problems.append(
                Problem(
                    self.source,
                    str(self.labels[i]),
                    column,
                    problem(i) if callable(problem) else problem,
                    expected(i) if callable(expected) else expected,
                )
            )


def _unit(unit: str, key: str = "v_unit") -> Message | str:
    """Return a field's unit as a message's ending (`` mu`` / ``（单位：亩）``), or nothing."""
    return Message(key, unit=Message(f"unit_{unit}")) if unit else ""


def _geometry_types(layer: LayerSpec) -> Code:
    """Return the layer's geometry types, listed as "Polygon or MultiPolygon" / "面或多面"."""
    return Code(tuple(Message(f"geometry_{t}") for t in layer.geometry_types), sep=(" or ", "或"))


def _above(low: str, high: str, df: pd.DataFrame, i: int) -> Message:
    """Say that the value of column ``low`` is above that of ``high`` in row ``i``."""
    return Message("v_above", low=Code(low), high=Code(high), a=df[low].iloc[i], b=df[high].iloc[i])


def _row_labels(df: pd.DataFrame, id_column: str) -> np.ndarray:
    labels = np.array([f"row {i + 1}" for i in range(len(df))], dtype=object)
    if id_column in df.columns:
        ids = _as_str(df[id_column])
        have = ids.notna().to_numpy()
        labels[have] = ids[have].to_numpy()
    return labels


def _as_str(values: pd.Series) -> pd.Series:
    """Strings stripped, numbers that are whole written without '.0', empty -> None."""
    kind = pd.api.types.infer_dtype(values, skipna=True)
    if kind in ("string", "empty"):
        # The common case, kept vectorised: a column of text.
        text = values.astype("string").str.strip()
        text = text.mask(text == "")
        return text.astype(object).where(text.notna(), None)

    def one(v):
        if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)):
            return None
        if isinstance(v, float) and v.is_integer():
            v = int(v)
        text = str(v).strip()
        return text or None

    return pd.Series(
        [one(v) for v in values.to_numpy(dtype=object)], index=values.index, dtype=object
    )


def _numbers(raw: pd.Series) -> pd.Series:
    """Parse numbers, accepting text with thousands separators ("1,200.5")."""
    if pd.api.types.is_bool_dtype(raw):
        return raw.astype("float64")
    if pd.api.types.is_numeric_dtype(raw):
        return raw.astype("float64")
    values = pd.to_numeric(raw, errors="coerce").astype("float64")
    # Text cells among numbers (a spreadsheet column typed by hand) parse after their thousands
    # separators and spaces go; only cells that failed are looked at again.
    retry = values.isna().to_numpy() & raw.notna().to_numpy()
    if retry.any():
        text = raw[retry].astype("string").str.replace(",", "", regex=False).str.strip()
        values[retry] = pd.to_numeric(text, errors="coerce").astype("float64")
    return values


def _empty_frame(layer: LayerSpec, crs) -> gpd.GeoDataFrame | pd.DataFrame:
    data = {c.name: pd.Series([], dtype=_PANDAS_DTYPE[c.dtype]) for c in layer.columns}
    if layer.has_geometry:
        return gpd.GeoDataFrame(data, geometry=gpd.GeoSeries([], crs=crs), crs=crs)
    return pd.DataFrame(data)


def _coerce(col: Column, raw: pd.Series, bad: _Collector, policy: Policy) -> pd.Series:
    """Coerce one column to its dtype; record a problem for every value that does not fit."""
    present = raw.notna().to_numpy()
    stripped = None  # the text stripped, made once: stripping a million strings takes seconds
    if raw.dtype == object or pd.api.types.is_string_dtype(raw.dtype):
        stripped = _as_str(raw)
        present = present & stripped.notna().to_numpy()
    if col.dtype in ("str", "ids"):
        return _coerce_text(col, stripped if stripped is not None else _as_str(raw))
    if col.dtype == "vocab":
        return _coerce_vocab(col, stripped if stripped is not None else _as_str(raw), present, bad)
    if col.dtype in ("float", "int"):
        return _coerce_number(col, raw, present, bad)
    if col.dtype == "bool":
        return _coerce_bool(col, raw, bad)
    if col.dtype == "date":
        return _coerce_date(col, raw, present, bad)
    raise TypeError(f"unknown dtype {col.dtype!r}")  # pragma: no cover - schema bug


def _coerce_text(col: Column, out: pd.Series) -> pd.Series:
    """Text fields as stripped text; id lists and ids normalised."""
    if col.dtype == "ids":
        return out.map(
            lambda v: (
                None if v is None else ";".join(filter(None, map(normalise_id, split_list(v))))
            )
        )
    if col.name in _ID_COLUMNS:
        return _normalise_ids(out)
    return out


def _coerce_vocab(col: Column, text: pd.Series, present: np.ndarray, bad: _Collector) -> pd.Series:
    """Vocabulary fields as their codes, from a code, a label or an alias."""
    name = col.name
    assert col.vocab is not None
    uniques = pd.unique(text[text.notna()])
    mapping = {u: col.vocab.normalise(u) for u in uniques}
    out = text.map(lambda v: None if v is None else mapping[v]).astype(object)
    unknown = present & out.isna().to_numpy()
    vocabulary = col.vocab
    values = Code(tuple(vocabulary.values), name)
    # A file with one wrong value on every row: each distinct value is looked at (its nearest
    # valid value found) and said once, for all its rows.
    said: dict[object, tuple[Message, Message]] = {}

    def messages(i: int) -> tuple[Message, Message]:
        value = text.iloc[i]
        if value not in said:
            nearest = vocabulary.hint(value)
            hint = Message("v_did_you_mean", value=Code(nearest, name)) if nearest else ""
            said[value] = (
                Message("v_unknown_value", kind=vocabulary.name, column=Code(name), value=value),
                Message("v_one_of", english=vocabulary.expected(value), values=values, hint=hint),
            )
        return said[value]

    bad.rows(unknown, name, lambda i: messages(i)[0], lambda i: messages(i)[1])
    return out


def _coerce_number(col: Column, raw: pd.Series, present: np.ndarray, bad: _Collector) -> pd.Series:
    """Numbers, finite and within the field's bounds; whole numbers for integer fields."""
    name = col.name
    unit = _unit(col.unit)
    nums = _numbers(raw)
    not_num = present & nums.isna().to_numpy()
    bad.rows(
        not_num,
        name,
        lambda i: Message("v_not_a_number", value=raw.iloc[i]),
        Message("v_a_number", unit=_unit(col.unit, "v_in_unit")),
    )
    values = nums.to_numpy()
    # inf, -inf and 1e308 are read as numbers but are none a planner could mean (a ratio
    # over one is infinite or zero); they are refused, not carried into scores.
    absurd = ~np.isnan(values) & ~(np.abs(values) < _LARGEST)
    bad.rows(
        absurd,
        name,
        lambda i: Message("v_not_usable", value=raw.iloc[i]),
        Message("v_finite", largest=_LARGEST, unit=unit),
    )
    values = np.where(absurd, np.nan, values)
    finite = ~np.isnan(values)
    if col.positive:
        bad.rows(
            finite & (values <= 0),
            name,
            lambda i: Message("v_not_positive", value=values[i]),
            Message("v_positive", unit=unit),
        )
    if col.minimum is not None:
        bad.rows(
            finite & (values < col.minimum),
            name,
            lambda i: Message("v_below_minimum", value=values[i]),
            Message("v_at_least", minimum=col.minimum, unit=unit),
        )
    if col.maximum is not None:
        bad.rows(
            finite & (values > col.maximum),
            name,
            lambda i: Message("v_above_maximum", value=values[i]),
            Message("v_at_most", maximum=col.maximum, unit=unit),
        )
    if col.dtype == "int":
        fractional = finite & (np.floor(values) != values)
        bad.rows(
            fractional,
            name,
            lambda i: Message("v_not_whole", value=values[i]),
            Message("v_whole"),
        )
        return pd.Series(np.where(fractional, np.nan, values), index=raw.index).astype("Int64")
    return pd.Series(values, index=raw.index, dtype="float64")


def _coerce_bool(col: Column, raw: pd.Series, bad: _Collector) -> pd.Series:
    """Yes/no fields, from true/false, yes/no, 1/0 or 是/否."""
    name = col.name

    def as_bool(v):
        if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)):
            return None
        if isinstance(v, bool | np.bool_):
            return bool(v)
        key = str(v).strip().lower()
        if key in _TRUE:
            return True
        if key in _FALSE:
            return False
        return "?"

    if pd.api.types.infer_dtype(raw, skipna=True) in ("boolean", "string", "empty"):
        # One kind of value, a few distinct ones: each is read once, not once per row.
        codes, uniques = pd.factorize(raw.to_numpy(dtype=object), use_na_sentinel=True)
        read = np.array([*(as_bool(u) for u in uniques), None], dtype=object)
        mapped = read[codes].tolist()
    else:
        mapped = [as_bool(v) for v in raw.to_numpy(dtype=object)]
    wrong = np.array([m == "?" for m in mapped], dtype=bool)
    bad.rows(
        wrong,
        name,
        lambda i: Message("v_not_yes_no", value=raw.iloc[i]),
        Message("v_yes_no"),
    )
    return pd.Series([None if m == "?" else m for m in mapped], index=raw.index, dtype="boolean")


def _coerce_date(col: Column, raw: pd.Series, present: np.ndarray, bad: _Collector) -> pd.Series:
    """Dates written year first; an ambiguous one is named as such."""
    name = col.name
    dates, wrong = parse_dates(raw)

    def not_date(i: int) -> Message:
        key = "v_ambiguous_date" if is_ambiguous(raw.iloc[i]) else "v_not_a_date"
        return Message(key, value=raw.iloc[i])

    bad.rows(present & wrong, name, not_date, Message("v_date_forms", forms=DATE_FORMS))
    return dates


def _check_crs(gdf: gpd.GeoDataFrame, crs, bad: _Collector) -> CRS | None:
    file_crs = gdf.crs
    named = None
    if crs is not None:
        try:
            named = CRS.from_user_input(crs)
        except CRSError:
            bad.layer("geometry", Message("v_unknown_crs", crs=crs), Message("v_epsg_code"))
            return None
    if file_crs is None and named is None:
        bad.layer(
            "geometry",
            Message("v_no_crs"),
            Message("v_name_a_crs"),
        )
        return None
    if file_crs is not None and named is not None and not CRS(file_crs).equals(named):
        bad.layer(
            "geometry",
            Message("v_crs_differs", file=CRS(file_crs).to_string(), named=named.to_string()),
            Message("v_one_crs"),
        )
        return None
    return CRS(named or file_crs)


def _check_plausible(geoms: np.ndarray, crs: CRS, bad: _Collector) -> None:
    """Flag features whose coordinates cannot be right for the CRS (e.g. lat/lon swapped)."""
    have = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if not have.any():
        return
    bounds = shapely.bounds(geoms[have])
    x = (bounds[:, 0] + bounds[:, 2]) / 2
    y = (bounds[:, 1] + bounds[:, 3]) / 2
    area = crs.area_of_use
    if crs.is_geographic:
        lon, lat = x, y
        margin = 0.5
    else:
        to_lonlat = Transformer.from_crs(crs, crs.geodetic_crs, always_xy=True)
        with np.errstate(all="ignore"):
            lon, lat = to_lonlat.transform(x, y, errcheck=False)
        margin = 1.5
    if area is not None:
        west, south, east, north = (
            area.west - margin,
            area.south - margin,
            area.east + margin,
            area.north + margin,
        )
    else:
        west, south, east, north = -180.0, -90.0, 180.0, 90.0
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    inside = (
        np.isfinite(lon)
        & np.isfinite(lat)
        & (lon >= west)
        & (lon <= east)
        & (lat >= south)
        & (lat <= north)
    )
    if inside.all():
        return
    idx = np.flatnonzero(have)
    swapped = (x >= south) & (x <= north) & (y >= west) & (y <= east)
    looks_degrees = (np.abs(x) <= 180) & (np.abs(y) <= 90)
    crs_name = crs.to_string()

    def kind(k) -> str:
        if crs.is_geographic and swapped[k]:
            return "swapped"
        if not crs.is_geographic and looks_degrees[k]:
            return "degrees"
        return "outside"

    def message(k) -> Message:
        where = f"({x[k]:.6g}, {y[k]:.6g})"
        return Message(f"v_coordinates_{kind(k)}", where=where, crs=crs_name)

    def expected(k) -> Message:
        box = {"west": west, "east": east, "south": south, "north": north}
        return Message(f"v_expected_{kind(k)}", **box)

    outside = np.zeros(len(geoms), dtype=bool)
    outside[idx[~inside]] = True
    pos = {g: k for k, g in enumerate(idx)}
    bad.rows(outside, "geometry", lambda i: message(pos[i]), lambda i: expected(pos[i]))


def _zone_notices(geoms: np.ndarray, working: CRS, source: str) -> list[Message]:
    """Warn when features lie outside the working CRS's zone, where areas grow distorted.

    A transverse Mercator projection keeps scale only near its central meridian: an area
    ``d`` degrees of longitude away is enlarged by about ``(d · cos(latitude) · π/180)²``.
    """
    area_of_use = working.area_of_use
    operation = working.coordinate_operation
    have = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if area_of_use is None or operation is None or not have.any():
        return []
    origin = [p.value for p in operation.params if p.name == "Longitude of natural origin"]
    if not origin:
        return []
    centres = shapely.centroid(geoms[have])
    to_lonlat = Transformer.from_crs(working, working.geodetic_crs, always_xy=True)
    lon, lat = to_lonlat.transform(shapely.get_x(centres), shapely.get_y(centres))
    outside = (lon < area_of_use.west) | (lon > area_of_use.east)
    if not outside.any():
        return []
    error = np.max((np.radians(lon - origin[0]) * np.cos(np.radians(lat))) ** 2)
    middle = float(np.median(lon))
    suggested = 4534 + round((middle - 75) / 3)
    better = f"EPSG:{suggested}" if 4534 <= suggested <= 4554 else Message("v_nearer_zone")
    return [
        Message(
            "v_outside_zone",
            source=source,
            n=int(outside.sum()),
            crs=working.to_string(),
            west=area_of_use.west,
            east=area_of_use.east,
            error=error,
            better=better,
        )
    ]


def _check_geometry(
    gdf: gpd.GeoDataFrame, layer: LayerSpec, bad: _Collector, make_valid: bool, repaired: list
) -> np.ndarray:
    geoms = np.asarray(gdf.geometry.array, dtype=object)
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    has_z = ~missing & shapely.has_z(geoms)
    if has_z.any():
        # Heights are not part of a plan's geometry, and the store's tables are declared 2D.
        geoms = geoms.copy()
        geoms[has_z] = shapely.force_2d(geoms[has_z])
        gdf.attrs.setdefault("notices", []).append(
            Message("v_heights_dropped", source=bad.source, n=int(has_z.sum()))
        )
    kinds = _geometry_types(layer)
    if layer.geometry_required:
        bad.rows(missing, "geometry", Message("v_no_geometry"), Message("v_a_type", types=kinds))
    have = ~missing
    types = np.array(shapely.get_type_id(geoms))
    type_names = {
        0: "Point",
        1: "LineString",
        2: "LinearRing",
        3: "Polygon",
        4: "MultiPoint",
        5: "MultiLineString",
        6: "MultiPolygon",
        7: "GeometryCollection",
    }
    allowed_ids = [k for k, v in type_names.items() if v in layer.geometry_types]
    wrong = have & ~np.isin(types, allowed_ids)
    bad.rows(
        wrong,
        "geometry",
        lambda i: Message(
            "v_wrong_type", type=Message(f"geometry_{type_names.get(int(types[i]), '?')}")
        ),
        Message("v_types", types=kinds),
    )
    invalid = have & ~wrong & ~shapely.is_valid(geoms)
    if invalid.any():
        reasons = shapely.is_valid_reason(geoms[invalid])
        reason_at = dict(zip(np.flatnonzero(invalid), reasons, strict=True))
        if make_valid:
            geoms = geoms.copy()
            for i in np.flatnonzero(invalid):
                fixed = shapely.make_valid(geoms[i])
                if (
                    "Polygon" in layer.geometry_types[0]
                    and fixed.geom_type not in layer.geometry_types
                ):
                    parts = [
                        p
                        for p in shapely.get_parts(fixed)
                        if p.geom_type in ("Polygon", "MultiPolygon")
                    ]
                    fixed = shapely.union_all(parts) if parts else shapely.Polygon()
                geoms[i] = fixed
                repaired.append((str(bad.labels[i]), reason_at[i]))
            still = np.zeros(len(geoms), dtype=bool)
            still[invalid] = shapely.is_empty(geoms[invalid]) | ~shapely.is_valid(geoms[invalid])
            bad.rows(
                still,
                "geometry",
                Message("v_unrepaired"),
                Message("v_redraw"),
            )
        else:
            n = int(invalid.sum())
            bad.rows(
                invalid,
                "geometry",
                lambda i: Message("v_invalid_geometry", reason=reason_at[i]),
                Message("v_repair", n=n),
            )
    return geoms


def _check_ids(df: pd.DataFrame, layer: LayerSpec, bad: _Collector) -> None:
    ids = df[layer.id_column]
    missing = ids.isna().to_numpy()
    bad.rows(missing, layer.id_column, Message("v_missing_id"), Message("v_an_id"))
    text = ids.astype("string")
    separated = text.str.contains(_ID_SEPARATORS).fillna(False)
    bad.rows(
        separated.to_numpy(dtype=bool),
        layer.id_column,
        lambda i: Message("v_id_separator", id=ids.iloc[i]),
        Message("v_id_without_separator", column=Code("parcel_ids")),
    )
    keys = text.str.casefold()  # ids are normalised already (_coerce)
    dup = keys.notna() & keys.duplicated(keep=False)
    first: dict[str, str] = {}
    for key, value in zip(keys[dup], ids[dup], strict=True):
        first.setdefault(key, value)

    def duplicate(i: int) -> Message:
        same, given = first[keys.iloc[i]], str(bad.labels[i])
        if same == given:
            return Message("v_duplicate_id", id=given)
        return Message("v_duplicate_id_folded", id=given, same=same)

    bad.rows(dup.to_numpy(), layer.id_column, duplicate, Message("v_each_id_once"))


def overlapping_pairs(
    geoms: np.ndarray, others: np.ndarray | None, tolerance_m2: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (i, j, area) for polygons overlapping by more than ``tolerance_m2``.

    The one definition of "the same ground" for parcels: in one file (``others`` None: pairs
    i < j of ``geoms``), and between a file and the parcels a store holds (``others``).
    Invalid, empty and missing geometries take no part.

    Examples
    --------
    >>> a = np.array([shapely.box(0, 0, 10, 10), shapely.box(10, 0, 20, 10)])
    >>> b = np.array([shapely.box(5, 0, 15, 10)])
    >>> [x.tolist() for x in overlapping_pairs(a, b, 1.0)]
    [[0, 1], [0, 0], [50.0, 50.0]]
    """
    same = others is None
    others = geoms if others is None else others

    def usable(g: np.ndarray) -> np.ndarray:
        return np.flatnonzero(~(shapely.is_missing(g) | shapely.is_empty(g)) & shapely.is_valid(g))

    mine = usable(geoms)
    theirs = mine if same else usable(others)
    empty = np.array([], dtype=np.int64)
    if len(mine) == 0 or len(theirs) == 0:
        return empty, empty, np.array([], dtype="float64")
    tree = shapely.STRtree(others[theirs])
    left, right = tree.query(geoms[mine])
    left, right = mine[left], theirs[right]
    if same:
        keep = left < right
        left, right = left[keep], right[keep]
    # Neighbours sharing an edge are the common case, and their boxes in the frame of one's
    # longest edge meet in a sliver: only pairs whose bound passes the tolerance are intersected.
    near = overlap_bound(geoms, left, others, right) > tolerance_m2
    left, right = left[near], right[near]
    overlap = shapely.area(shapely.intersection(geoms[left], others[right]))
    over = overlap > tolerance_m2
    order = np.lexsort((right[over], left[over]))
    return left[over][order], right[over][order], overlap[over][order]


# Pairs bounded at a time: the vertex arrays of a chunk stay within some hundred megabytes.
_BOUND_CHUNK = 250_000


def overlap_bound(
    geoms: np.ndarray, left: np.ndarray, others: np.ndarray, right: np.ndarray
) -> np.ndarray:
    """Return an upper bound of the area ``geoms[left] ∩ others[right]``, pair by pair.

    The intersection lies in both polygons, so in both their bounding boxes in any frame; in
    the frame turned to the longest edge of ``geoms[left]`` the boxes of two neighbours on one
    grid meet in a sliver whatever the grid's bearing. The bound is the area where the two
    boxes overlap, widened by a micrometre for the rounding of the rotation.

    Examples
    --------
    >>> a = np.array([shapely.box(0, 0, 10, 10)])
    >>> b = np.array([shapely.box(10, 0, 20, 10), shapely.box(5, 0, 15, 10)])
    >>> overlap_bound(a, np.array([0, 0]), b, np.array([0, 1])).round(3).tolist()
    [0.0, 50.0]
    """
    out = np.empty(len(left), dtype="float64")
    points_a, index_a = shapely.get_coordinates(geoms, return_index=True)
    if others is geoms:
        points_b, index_b = points_a, index_a
    else:
        points_b, index_b = shapely.get_coordinates(others, return_index=True)
    start_a = np.searchsorted(index_a, np.arange(len(geoms)))
    count_a = np.bincount(index_a, minlength=len(geoms))
    start_b = np.searchsorted(index_b, np.arange(len(others)))
    count_b = np.bincount(index_b, minlength=len(others))
    # Each polygon's bearing: that of its longest edge (any bearing gives a true bound).
    step = np.diff(points_a, axis=0)
    length = np.hypot(step[:, 0], step[:, 1])
    length[index_a[1:] != index_a[:-1]] = -1.0  # no edge joins two polygons
    bearing = np.zeros(len(geoms))
    if len(length):
        best = pd.Series(length).groupby(index_a[:-1]).idxmax()
        bearing[best.index.to_numpy()] = np.arctan2(step[best, 1], step[best, 0])
    for lo in range(0, len(left), _BOUND_CHUNK):
        i, j = left[lo : lo + _BOUND_CHUNK], right[lo : lo + _BOUND_CHUNK]
        cos, sin = np.cos(bearing[i]), np.sin(bearing[i])
        origin = points_a[start_a[i]]
        box_a = _turned_box(points_a, start_a[i], count_a[i], origin, cos, sin)
        box_b = _turned_box(points_b, start_b[j], count_b[j], origin, cos, sin)
        width = np.minimum(box_a[2], box_b[2]) - np.maximum(box_a[0], box_b[0]) + 2e-6
        height = np.minimum(box_a[3], box_b[3]) - np.maximum(box_a[1], box_b[1]) + 2e-6
        out[lo : lo + len(i)] = np.clip(width, 0, None) * np.clip(height, 0, None)
    return out


def _turned_box(points, start, count, origin, cos, sin) -> tuple[np.ndarray, ...]:
    """Return (u_min, v_min, u_max, v_max) of each polygon's vertices in its pair's frame."""
    pair = np.repeat(np.arange(len(start)), count)
    first = np.cumsum(count) - count
    at = start[pair] + np.arange(len(pair)) - first[pair]
    x = points[at, 0] - origin[pair, 0]
    y = points[at, 1] - origin[pair, 1]
    u = x * cos[pair] + y * sin[pair]
    v = y * cos[pair] - x * sin[pair]
    return (
        np.minimum.reduceat(u, first),
        np.minimum.reduceat(v, first),
        np.maximum.reduceat(u, first),
        np.maximum.reduceat(v, first),
    )


def _check_overlaps(gdf: gpd.GeoDataFrame, tolerance_m2: float, bad: _Collector) -> None:
    geoms = np.asarray(gdf.geometry.array, dtype=object)
    left, right, overlap = overlapping_pairs(geoms, None, tolerance_m2)
    expected = Message("v_no_overlap", tolerance=tolerance_m2)
    for a, b, area in zip(left, right, overlap, strict=True):
        bad.problems.append(
            Problem(
                bad.source,
                str(bad.labels[a]),
                "geometry",
                Message("v_overlaps", other=bad.labels[b], area=area),
                expected,
            )
        )


def _check_layer_rules(df: pd.DataFrame, layer: LayerSpec, bad: _Collector, policy: Policy) -> None:
    """Rules between columns of one layer."""
    name = layer.name
    if name == "parcels":
        both = df["far_min"].notna() & df["far_max"].notna()
        bad.rows(
            (both & (df["far_min"] > df["far_max"])).to_numpy(),
            "far_min",
            lambda i: _above("far_min", "far_max", df, i),
            Message("v_not_above", low=Code("far_min"), high=Code("far_max")),
        )
        limit = policy.idle.extension_max_months
        ext = df["extension_months"].astype("float64")
        bad.rows(
            (ext > limit).fillna(False).to_numpy(),
            "extension_months",
            lambda i: Message("v_extension", months=ext.iloc[i]),
            Message("v_extension_limit", limit=limit),
        )
    elif name == "buildings":
        over = (df["vacant_area_m2"] > df["floor_area_m2"]).fillna(False).to_numpy()
        bad.rows(
            over,
            "vacant_area_m2",
            lambda i: Message(
                "v_vacant_over_floor",
                vacant=df["vacant_area_m2"].iloc[i],
                floor=df["floor_area_m2"].iloc[i],
            ),
            Message("v_not_above", low=Code("vacant_area_m2"), high=Code("floor_area_m2")),
        )
    elif name == "projects":
        both = df["land_mu_min"].notna() & df["land_mu_max"].notna()
        bad.rows(
            (both & (df["land_mu_min"] > df["land_mu_max"])).to_numpy(),
            "land_mu_min",
            lambda i: _above("land_mu_min", "land_mu_max", df, i),
            Message("v_not_above", low=Code("land_mu_min"), high=Code("land_mu_max")),
        )
        demand = (
            df[["land_mu_min", "land_mu_max", "floor_area_m2", "storage_mwh"]].fillna(0).sum(axis=1)
        )
        bad.rows(
            (demand <= 0).to_numpy(),
            "land_mu_max",
            Message("v_no_demand"),
            Message(
                "v_demand_columns",
                low=Code("land_mu_min"),
                high=Code("land_mu_max"),
                floor=Code("floor_area_m2"),
                storage=Code("storage_mwh"),
            ),
        )
    elif name == "corridors":

        def breaks_bad(v):
            if v is None:
                return False
            try:
                vals = [float(p) for p in split_list(v)]
            except ValueError:
                return True
            return any(b <= a for a, b in itertools.pairwise(vals)) or any(x < 0 for x in vals)

        wrong = df["phase_breaks_m"].map(breaks_bad).to_numpy(dtype=bool)
        bad.rows(
            wrong,
            "phase_breaks_m",
            lambda i: Message("v_phase_breaks", value=df["phase_breaks_m"].iloc[i]),
            Message("v_chainages"),
        )


def _check_links(
    df: gpd.GeoDataFrame,
    layer: LayerSpec,
    parcels: gpd.GeoDataFrame,
    bad: _Collector,
    policy: Policy,
) -> None:
    """Links to the parcels layer: existing parcel ids, buildings inside their parcel."""
    known = set(parcels["parcel_id"].dropna())
    if layer.name == "enterprises":

        def missing_ids(v):
            return [p for p in (v or "").split(";") if p and p not in known]

        lost = df["parcel_id"].map(missing_ids)
        bad.rows(
            lost.map(bool).to_numpy(),
            "parcel_id",
            lambda i: Message("v_no_parcels", ids=", ".join(lost.iloc[i])),
            Message("v_a_parcel_id"),
        )
        return
    if layer.name != "buildings":
        return
    pid = df["parcel_id"]
    lost = (pid.notna() & ~pid.isin(known)).to_numpy()
    bad.rows(
        lost,
        "parcel_id",
        lambda i: Message("v_no_parcel", id=pid.iloc[i]),
        Message("v_a_parcel_id"),
    )
    geoms = np.asarray(df.geometry.array, dtype=object)
    parcel_geom = pd.Series(
        np.asarray(parcels.geometry.array, dtype=object), index=parcels["parcel_id"].to_numpy()
    )
    parcel_geom = parcel_geom[~parcel_geom.index.duplicated()]
    linked = (pid.notna() & pid.isin(known)).to_numpy()
    linked = (
        linked & ~(shapely.is_missing(geoms) | shapely.is_empty(geoms)) & shapely.is_valid(geoms)
    )
    if not linked.any():
        return
    own = parcel_geom.reindex(pid[linked].to_numpy()).to_numpy()
    ok_parcel = shapely.is_valid(own) & ~shapely.is_missing(own)
    sub = np.flatnonzero(linked)[ok_parcel]
    own = own[ok_parcel]
    # A footprint its parcel covers (nearly all of them) has nothing outside: the predicate is
    # far cheaper than the difference, which is left for the others.
    out_area = np.zeros(len(sub))
    loose = ~shapely.covers(own, geoms[sub])
    out_area[loose] = shapely.area(shapely.difference(geoms[sub][loose], own[loose]))
    share = out_area / np.maximum(shapely.area(geoms[sub]), 1e-9)
    tol = policy.validation.building_outside_tolerance
    outside = np.zeros(len(df), dtype=bool)
    outside[sub[share > tol]] = True
    share_at = dict(zip(sub, share, strict=True))
    bad.rows(
        outside,
        "geometry",
        lambda i: Message("v_footprint_outside", share=share_at[i], parcel=pid.iloc[i]),
        Message("v_footprint_inside", tolerance=tol),
    )


def _validate(
    data: pd.DataFrame | None,
    layer: LayerSpec,
    *,
    source: str,
    crs,
    policy: Policy,
    make_valid: bool,
    parcels: gpd.GeoDataFrame | None,
) -> tuple[pd.DataFrame | None, list[Problem]]:
    working = CRS.from_user_input(policy.crs.working)
    if data is None:
        return _empty_frame(layer, working), []
    df, bad = _named(data, layer, source)
    if df is None:
        return None, bad.problems
    table = _attributes(df, layer, bad, policy)
    if not layer.has_geometry:
        return table.reset_index(drop=True), bad.problems
    gdf = _geometry(df, table, layer, bad, crs=crs, working=working, make_valid=make_valid)
    if gdf is None or bad.problems:
        return None, bad.problems
    return _measured(gdf, layer, bad, policy, parcels), bad.problems


def _named(
    data: pd.DataFrame, layer: LayerSpec, source: str
) -> tuple[pd.DataFrame | None, _Collector]:
    """Rename the given columns to the layer's fields; None where a field is missing or doubled."""
    df = data.copy()
    renames = layer.rename_map(df.columns)
    targets = list(renames.values())
    clashes = {t for t in targets if targets.count(t) > 1 or t in df.columns}
    # With two columns meaning one field the renamed frame has that name twice: label rows
    # from the columns as given.
    named = df if clashes else df.rename(columns=renames)
    bad = _Collector(source, _row_labels(named, layer.id_column))
    for target in sorted(clashes):
        given = [c for c in data.columns if renames.get(c, c) == target]
        bad.layer(
            target,
            Message("v_columns_clash", given=given, listed="、".join(given), target=Code(target)),
            Message("v_one_column"),
        )
    if clashes:
        return None, bad
    df = df.rename(columns=renames)
    if layer.prepare is not None:
        df = layer.prepare(df, bad.rows)
    for col in layer.columns:
        if col.required and not col.derived and col.name not in df.columns:
            bad.layer(
                col.name,
                Message("v_required_column"),
                Message("v_a_column", name=col.name, zh=col.zh),
            )
    if layer.id_column not in df.columns:
        return None, bad
    return df, bad


def _attributes(
    df: pd.DataFrame, layer: LayerSpec, bad: _Collector, policy: Policy
) -> pd.DataFrame:
    """Coerce every field to its type, check required values, ids and the layer's rules."""
    out: dict[str, pd.Series] = {}
    for col in layer.columns:
        if col.name not in df.columns:
            out[col.name] = pd.Series([col.default] * len(df), index=df.index, dtype=object).astype(
                _PANDAS_DTYPE[col.dtype]
            )
            continue
        values = _coerce(col, df[col.name], bad, policy)
        if col.required and not col.derived and col.name != layer.id_column:
            _check_required(col, df[col.name], values, bad)
        if col.default is not None:
            values = values.where(values.notna(), col.default)
        out[col.name] = values
    table = pd.DataFrame(out, index=df.index)
    _check_ids(table, layer, bad)
    _check_layer_rules(table, layer, bad, policy)
    extra = [
        c
        for c in df.columns
        if c not in out and c != getattr(df, "_geometry_column_name", None) and c != "geometry"
    ]
    for c in extra:
        table[c] = df[c]
    return table


def _check_required(col: Column, raw: pd.Series, values: pd.Series, bad: _Collector) -> None:
    """Record every empty value of a required field: missing, or text that is only blanks."""
    empty, every = Message("v_empty_required"), Message("v_every_feature", column=Code(col.name))
    bad.rows(values.isna().to_numpy() & raw.isna().to_numpy(), col.name, empty, every)
    blank = values.isna().to_numpy() & raw.notna().to_numpy()
    if blank.any():
        blank[blank] = _as_str(raw[blank]).isna().to_numpy()
    bad.rows(blank, col.name, empty, every)


def _geometry(
    df: pd.DataFrame,
    table: pd.DataFrame,
    layer: LayerSpec,
    bad: _Collector,
    *,
    crs,
    working: CRS,
    make_valid: bool,
) -> gpd.GeoDataFrame | None:
    """Attach and check the geometry, in the working CRS; None where it cannot be used."""
    repaired: list[tuple[str, str]] = []
    geom_col = (
        df.geometry.name
        if isinstance(df, gpd.GeoDataFrame) and df._geometry_column_name in df.columns
        else None
    )
    if geom_col is None:
        if layer.geometry_required:
            bad.layer(
                "geometry",
                Message("v_no_geometry_column"),
                Message("v_geometry_columns", types=_geometry_types(layer)),
            )
            return None
        gdf = gpd.GeoDataFrame(
            table, geometry=gpd.GeoSeries([None] * len(table), index=table.index), crs=working
        )
        the_crs: CRS | None = working
    else:
        gdf = gpd.GeoDataFrame(
            table, geometry=gpd.GeoSeries(df.geometry.array, index=df.index, crs=df.crs)
        )
        the_crs = _check_crs(df, crs, bad)
        if the_crs is not None and gdf.crs is None:
            gdf = gdf.set_crs(the_crs)
    geoms = _check_geometry(gdf, layer, bad, make_valid, repaired)
    notices = list(gdf.attrs.get("notices", []))
    gdf = gdf.set_geometry(gpd.GeoSeries(geoms, index=gdf.index, crs=gdf.crs))
    if the_crs is None:
        return None
    _check_plausible(geoms, the_crs, bad)
    if bad.problems:
        return None
    if not the_crs.equals(working):
        gdf = gdf.to_crs(working)
    gdf.attrs["repaired"] = repaired
    gdf.attrs["notices"] = notices
    return gdf


def _measured(
    gdf: gpd.GeoDataFrame,
    layer: LayerSpec,
    bad: _Collector,
    policy: Policy,
    parcels: gpd.GeoDataFrame | None,
) -> gpd.GeoDataFrame:
    """Add the measures derived from geometry, and check overlaps and links to parcels."""
    repaired, notices = gdf.attrs["repaired"], gdf.attrs["notices"]
    geoms = np.asarray(gdf.geometry.array, dtype=object)
    if layer.name in ("parcels", "buildings"):
        area = shapely.area(geoms)
        bad.rows(area <= 0, "geometry", Message("v_zero_area"), Message("v_positive_area"))
        notices += _zone_notices(geoms, gdf.crs, bad.source)
    if layer.name == "parcels":
        gdf["area_m2"] = shapely.area(geoms)
        gdf["area_mu"] = gdf["area_m2"] / MU_M2
        _check_overlaps(gdf, policy.validation.overlap_tolerance_m2, bad)
    elif layer.name == "buildings":
        gdf["footprint_m2"] = shapely.area(geoms)
    elif layer.name == "constraints":
        gdf["area_m2"] = shapely.area(geoms)
    elif layer.name == "corridors":
        gdf["length_m"] = shapely.length(geoms)
    if parcels is not None and layer.name in ("buildings", "enterprises"):
        _check_links(gdf, layer, parcels, bad, policy)
    gdf = gdf.reset_index(drop=True)
    gdf.attrs["repaired"] = repaired
    gdf.attrs["notices"] = notices
    return gdf


def check_layer(
    data: pd.DataFrame | None,
    layer: LayerSpec,
    *,
    source: str,
    crs,
    policy: Policy,
    make_valid: bool = False,
    parcels: gpd.GeoDataFrame | None = None,
) -> tuple[pd.DataFrame | None, list[Problem]]:
    """Validate one layer as :func:`validate_layer` does, returning the problems, not raising.

    For readers that add problems of their own (a profile's, a file's) before raising once.

    Returns
    -------
    tuple
        The validated layer (None where a problem stops validation) and every problem found.
    """
    return _validate(
        data,
        layer,
        source=source,
        crs=crs,
        policy=policy,
        make_valid=make_valid,
        parcels=parcels,
    )


def validate_layer(
    data: pd.DataFrame | None,
    layer: str,
    *,
    source: str | None = None,
    crs=None,
    policy: Policy | None = None,
    make_valid: bool = False,
    parcels: gpd.GeoDataFrame | None = None,
) -> gpd.GeoDataFrame | pd.DataFrame:
    """Validate one layer and return it ready for analysis.

    Parameters
    ----------
    data
        The layer as read (GeoDataFrame, or DataFrame for a table without geometry); ``None``
        gives an empty layer with every column.
    layer
        Layer name: ``parcels``, ``buildings``, ``enterprises``, ``projects``, ``constraints``,
        ``corridors``, ``substations`` or ``roads``.
    source
        Where the data came from (a file name), quoted in every problem.
    crs
        The CRS of data that carry none (a file without ``.prj``); it must agree with a CRS the
        data do carry.
    policy
        Supplies the working CRS and tolerances; the default policy where None.
    make_valid
        Repair invalid geometry (``shapely.make_valid``) instead of rejecting it; the repaired
        features are listed in ``result.attrs["repaired"]`` as (feature, reason) pairs.
    parcels
        The zone's validated parcels, to check that buildings lie inside their parcel and that
        enterprises' parcels exist.

    Returns
    -------
    GeoDataFrame or DataFrame
        Every schema column (missing optional ones empty) with the schema's dtypes, canonical
        vocabulary ids, geometry in the working CRS, derived areas in m² and mu, a fresh
        RangeIndex; columns outside the schema follow unchanged.

    Raises
    ------
    SchemaError
        Listing every problem as (file, feature, column, problem, expected).

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import box
    >>> raw = gpd.GeoDataFrame({"地块编号": ["P-1"], "状态": ["闲置"]},
    ...                        geometry=[box(500000, 2530000, 500100, 2530100)], crs="EPSG:4546")
    >>> parcels = validate_layer(raw, "parcels")
    >>> parcels.loc[0, "parcel_id"], parcels.loc[0, "status"], float(parcels.loc[0, "area_mu"])
    ('P-1', 'idle', 15.0)
    """
    layer_spec = spec(layer)
    policy = policy or Policy.default()
    result, problems = _validate(
        data,
        layer_spec,
        source=source or layer,
        crs=crs,
        policy=policy,
        make_valid=make_valid,
        parcels=parcels,
    )
    if problems:
        raise SchemaError(problems)
    return result


def validate_zone_layers(
    layers: Mapping[str, pd.DataFrame | None],
    *,
    policy: Policy | None = None,
    source: str | Mapping[str, str] = "<zone>",
    make_valid: bool = False,
) -> dict[str, gpd.GeoDataFrame]:
    """Validate every layer of a zone and the links between them; raise once for all problems.

    Parameters
    ----------
    layers
        Layer name -> frame; layers not given come back empty.
    policy
        The policy; the default where None.
    source
        One name for all layers, or layer name -> source (file) name.
    make_valid
        Repair invalid geometry instead of rejecting it.

    Returns
    -------
    dict
        Layer name -> validated frame, for every layer landplan knows.
    """
    policy = policy or Policy.default()
    problems: list[Problem] = []
    done: dict[str, gpd.GeoDataFrame] = {}

    def where(name: str) -> str:
        if isinstance(source, Mapping):
            return source.get(name, name)
        return f"{source}:{name}" if source else name

    order = ["parcels", *[n for n in LAYERS if n != "parcels"]]
    for name in order:
        parcels = done.get("parcels") if name in ("buildings", "enterprises") else None
        if (
            name in ("buildings", "enterprises")
            and "parcels" not in done
            and layers.get("parcels") is not None
        ):
            parcels = None  # parcels failed: their own problems are reported
        result, found = _validate(
            layers.get(name),
            spec(name),
            source=where(name),
            crs=None,
            policy=policy,
            make_valid=make_valid,
            parcels=parcels,
        )
        problems.extend(found)
        if result is not None and not found:
            done[name] = result
    if problems:
        raise SchemaError(problems)
    return done
