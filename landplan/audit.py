"""Audit idle and low-efficiency land the way the regulations define it.

:func:`audit` takes a :class:`~landplan.zone.Zone` and an audit date and returns an
:class:`AuditResult`: per-parcel indicators, the idle-land clock (:mod:`landplan.idle`), every
low-efficiency rule that fires with its indicator, threshold and source, the per-mu evaluation of
enterprises (:mod:`landplan.evaluation`), the revitalisation potential, the deadlines of the next
days, and a zone summary. Every threshold comes from ``zone.policy``; the rules are catalogued in
:data:`RULES`.

How indicators are built (see ``docs/audit.md`` for the full list of decisions):

- **FAR** counts each building's floor area once, or twice where its storey height is over
  ``control.double_count_storey_height_m``; the storey height is ``storey_height_m`` or else
  ``height_m / floors``; a building with neither counts once.
- **Coverage** is building footprints over parcel area (structures and yards are not in the data,
  so coverage is a lower bound).
- **Apportionment**: a parcel shared by several enterprises is split between them in equal land
  shares; an enterprise on several parcels holds the sum of its shares, and its figures (output,
  value added, tax, energy, investment) are spread over its parcels in proportion to that land.
  A parcel's figure is missing when any of its enterprises lacks it, never taken as zero.
- **Dates**: "n full years after a date" is the n-th anniversary (:mod:`landplan._dates`); a rule
  fires on the anniversary itself.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal

import numpy as np
import pandas as pd

import geopandas as gpd

from landplan._dates import add_months, as_date, date_strings, days_between
from landplan._format import number_text
from landplan.audit_rules import RULES, Rule, share_text
from landplan.errors import CRSMismatchError, LandplanError, Message
from landplan.evaluation import CLASSES, evaluate_enterprises, industry_division
from landplan.idle import IDLE_STATES, idle_clock
from landplan.labels import (
    Lang,
    compose,
    message,
    policy_source,
    policy_table,
    value_label,
    value_texts,
)
from landplan.policy import Policy
from landplan.units import MU_M2
from landplan.zone import Zone

__all__ = ["RULES", "AuditResult", "Rule", "audit"]

Outcome = Literal["fires", "insufficient_data"]


_BIT: Final = {rule_id: 1 << i for i, rule_id in enumerate(RULES)}
# The idle-land rules have their own clock columns; "low efficiency" means the LE-* rules.
_LOW_EFFICIENCY_BITS: Final = sum(bit for rule_id, bit in _BIT.items() if rule_id.startswith("LE-"))

_FLAG_COLUMNS: Final = (
    "parcel_id",
    "enterprise_id",
    "rule_id",
    "rule_zh",
    "outcome",
    "indicator",
    "value",
    "threshold",
    "unit",
    "missing",
    "source",
    "reason",
)


@dataclass(frozen=True)
class AuditResult:
    """What :func:`audit` returns.

    Attributes
    ----------
    as_of : pandas.Timestamp
        The audit date.
    parcels : geopandas.GeoDataFrame
        One row per parcel: indicators, idle clock, low-efficiency rules, class, potential.
    enterprises : pandas.DataFrame
        One row per enterprise: land, per-mu indicators, scores, class and reason.
    flags : pandas.DataFrame
        One row per rule that fires or lacks data, per parcel (and enterprise where the rule is
        about one): ``rule_id``, ``indicator``, ``value``, ``threshold``, ``source``, ``reason``.
    deadlines : pandas.DataFrame
        Parcels reaching an idle-land deadline within ``idle.deadline_window_days``.
    totals : pandas.DataFrame
        Zone totals: counts and mu by status, idle state, class, cluster and rule; potential
        (also :meth:`summary`).
    policy_used : pandas.DataFrame
        The policy values and sources applied (``Policy.table()``, sources in the audit's
        language).
    """

    as_of: pd.Timestamp
    parcels: gpd.GeoDataFrame
    enterprises: pd.DataFrame
    flags: pd.DataFrame
    deadlines: pd.DataFrame
    totals: pd.DataFrame
    policy_used: pd.DataFrame

    def tables(self) -> dict[str, pd.DataFrame]:
        """Return the result's tables by sheet name, in report order."""
        return {
            "parcels": self.parcels,
            "enterprises": self.enterprises,
            "flags": self.flags,
            "deadlines": self.deadlines,
            "summary": self.totals,
            "policy": self.policy_used,
        }

    def layers(self) -> dict[str, gpd.GeoDataFrame]:
        """Return the audited parcels as the layer ``audit_parcels``."""
        return {"audit_parcels": self.parcels}

    def summary(self) -> pd.DataFrame:
        """Return the zone totals (section, item, parcels, area_mu, value)."""
        return self.totals


# --- links between layers -----------------------------------------------------------------------
@dataclass(frozen=True)
class _Pieces:
    """Enterprise-on-parcel pieces: enterprise ``e`` holds ``land_m2`` of parcel ``p``."""

    e: np.ndarray
    p: np.ndarray
    land_m2: np.ndarray
    share: np.ndarray  # the piece's share of its enterprise's land
    enterprise_land_m2: np.ndarray  # per enterprise
    per_parcel: np.ndarray  # enterprises per parcel


def _positions(parcel_ids: Any, ids: object, layer: str) -> np.ndarray:
    """Return the position of each id among the parcels' ids (Arrow text, unique).

    The ids are matched by Arrow's hash of their bytes: no Python string is made per id.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    wanted = _arrow(ids)
    found = pc.index_in(wanted, value_set=parcel_ids)
    pos = pc.fill_null(found, -1).to_numpy().astype(np.int64)
    if (pos < 0).any():
        lost = sorted({str(v) for v in wanted.filter(pa.array(pos < 0)).to_pylist()})[:5]
        raise LandplanError(
            f"{layer} refer to parcel id(s) {lost} that the parcels layer does not hold; "
            "expected every parcel_id to exist: build the zone with Zone.from_layers, which checks"
        )
    return pos


def _pieces(parcels: pd.DataFrame, enterprises: pd.DataFrame, parcel_ids: Any) -> _Pieces:
    ids = pd.Series(enterprises["parcel_id"].to_numpy(dtype=object))
    several = ids.str.contains(";", regex=False).to_numpy(dtype=bool, na_value=False)
    one = np.flatnonzero(~several)
    # explode keeps each part's row position as its label
    split = ids[several].str.split(";").explode().str.strip()
    split = split[split.notna() & (split != "")]
    e = np.concatenate([one, split.index.to_numpy(dtype=np.int64)])
    p = _positions(
        parcel_ids,
        np.concatenate([ids.to_numpy()[one], split.to_numpy(dtype=object)]),
        "enterprises",
    )
    per_parcel = np.bincount(p, minlength=len(parcels))
    area = parcels["area_m2"].to_numpy(dtype="float64")
    land = area[p] / per_parcel[p]
    enterprise_land = np.bincount(e, weights=land, minlength=len(enterprises))
    return _Pieces(e, p, land, land / enterprise_land[e], enterprise_land, per_parcel)


def _apportion(values: np.ndarray, pieces: _Pieces, n_parcels: int) -> np.ndarray:
    """Spread enterprise figures over their parcels by land; NaN where any holder lacks it."""
    spread = values[pieces.e] * pieces.share
    total = np.bincount(pieces.p, weights=np.nan_to_num(spread), minlength=n_parcels)
    gaps = np.bincount(pieces.p, weights=np.isnan(spread), minlength=n_parcels)
    return np.where((gaps > 0) | (pieces.per_parcel == 0), np.nan, total)


def _floats(frame: pd.DataFrame, column: str) -> np.ndarray:
    return frame[column].to_numpy(dtype="float64", na_value=np.nan)


def _values(column: pd.Series) -> object:
    """Return a column's values for a new table: text held in Arrow as it is, else NumPy's.

    Text taken out of Arrow would be a Python string per value, read back into Arrow.
    """
    if isinstance(column.array, pd.arrays.ArrowStringArray):
        return column.array
    return column.to_numpy()


def _ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(denominator > 0, numerator / denominator, np.nan)


def _text(values: np.ndarray, decimals: int = 2) -> np.ndarray:
    return number_text(values, decimals)


def _building_totals(
    buildings: pd.DataFrame, parcel_ids: Any, policy: Policy
) -> dict[str, np.ndarray]:
    n = len(parcel_ids)
    pos = _positions(parcel_ids, buildings["parcel_id"], "buildings")
    floor = _floats(buildings, "floor_area_m2")
    storey = _floats(buildings, "storey_height_m")
    storey = np.where(
        np.isnan(storey),
        _ratio(_floats(buildings, "height_m"), _floats(buildings, "floors")),
        storey,
    )
    tall = storey > policy.control.double_count_storey_height_m
    status = buildings["status"].to_numpy(dtype=object)

    def total(weights: np.ndarray) -> np.ndarray:
        return np.bincount(pos, weights=weights, minlength=n)

    return {
        "n_buildings": np.bincount(pos, minlength=n),
        "floor_area_m2": total(floor),
        "far_floor_area_m2": total(np.where(tall, 2.0, 1.0) * floor),
        "footprint_m2": total(_floats(buildings, "footprint_m2")),
        "vacant_area_m2": total(np.nan_to_num(_floats(buildings, "vacant_area_m2"))),
        "dilapidated_area_m2": total(np.where(status == "dilapidated", floor, 0.0)),
    }


def _far_required(
    parcels: pd.DataFrame,
    enterprises: pd.DataFrame,
    pieces: _Pieces,
    policy: Policy,
    lang: Lang,
) -> tuple[np.ndarray, np.ndarray]:
    """Return the FAR minimum of each parcel, and the basis of that minimum in words."""
    control = policy.control
    table = {str(k): float(v) for k, v in control.far_min_by_division.items()}
    division = industry_division(enterprises["industry_code"])
    known = np.isin(division, list(table))
    enterprise_min = np.full(len(enterprises), float(control.far_min_default))
    enterprise_min[known] = pd.Series(division[known]).map(table).to_numpy(dtype="float64")
    n = len(parcels)
    occupants = pieces.per_parcel
    # Equal land shares make the land-weighted minimum the mean of the occupants' minimums.
    mean_min = _ratio(np.bincount(pieces.p, enterprise_min[pieces.e], minlength=n), occupants)
    planned = _floats(parcels, "far_min")
    required = np.where(
        occupants > 0, mean_min, np.where(np.isnan(planned), control.far_min_default, planned)
    )

    sole = occupants[pieces.p] == 1
    sole_division = np.full(n, None, dtype=object)
    sole_division[pieces.p[sole]] = division[pieces.e[sole]]
    sole_known = np.zeros(n, dtype=bool)
    sole_known[pieces.p[sole]] = known[pieces.e[sole]]
    basis = _choose(
        np.isnan(planned), message("basis_far_default", lang), message("basis_far_planned", lang)
    )
    basis[occupants == 1] = message("basis_far_unknown", lang)
    basis[sole_known] = _compose_distinct(
        "basis_far_division", lang, division=sole_division[sole_known].astype(object)
    )
    several = occupants > 1
    basis[several] = _compose_distinct("basis_far_several", lang, n=occupants[several])
    return required, basis


def _choose(where: np.ndarray, yes: str, no: str | np.ndarray) -> np.ndarray:
    """Return ``yes`` where ``where`` holds, else ``no``, as an object array of those strings.

    Every row refers to one of the few strings: NumPy's ``where`` of two strings would write
    a fixed-width text per row, and a new Python string per row once made objects.
    """
    out = np.array(no, dtype=object) if isinstance(no, np.ndarray) else np.full(len(where), no)
    out = out.astype(object, copy=False)
    out[where] = yes
    return out


def _compose_distinct(key: str, lang: Lang, /, **field: np.ndarray) -> np.ndarray:
    """Return :func:`~landplan.labels.compose`'s sentences of one field of few distinct values.

    Each distinct value's sentence is composed once and shared by its rows (a division's code,
    a count of occupants), so a million rows hold a few sentences, not a string each.
    """
    ((name, values),) = field.items()
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    return compose(key, lang, **{name: np.asarray(uniques)})[codes]


def _completion(parcels: pd.DataFrame, enterprises: pd.DataFrame, pieces: _Pieces) -> np.ndarray:
    """Completion date: ``completed``, else the earliest production start of an occupant."""
    completed = parcels["completed"].to_numpy(dtype="datetime64[ns]")
    start = enterprises["production_start"].to_numpy(dtype="datetime64[ns]").view(np.int64)
    never = np.iinfo(np.int64).max
    start = np.where(start == np.iinfo(np.int64).min, never, start)  # NaT sorts last
    earliest = np.full(len(parcels), never, dtype=np.int64)
    np.minimum.at(earliest, pieces.p, start[pieces.e])
    earliest_dates = np.where(earliest == never, np.iinfo(np.int64).min, earliest).view(
        "datetime64[ns]"
    )
    return np.where(np.isnat(completed), earliest_dates, completed)


# --- flags ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _FlagRows:
    """The rows one call of :meth:`_Flags.add` found: positions, numbers and their text."""

    rule_id: str
    outcome: Outcome
    p: np.ndarray  # parcel positions
    e: np.ndarray | None  # enterprise positions, None for a rule about parcels
    value: np.ndarray
    threshold: np.ndarray
    missing: object  # one text for every row, or Arrow text per row
    reason: object


class _Flags:
    """Collects flag rows rule by rule, column-wise, and assembles one table.

    The rows of each rule are kept as positions, numbers and Arrow text; the table is made
    once, its text columns taken from Arrow: a rule's name, indicator, unit and source are
    written per row only there, not held per rule as a column of repeated strings.
    """

    def __init__(
        self, parcel_ids: pd.Series, enterprise_ids: np.ndarray, policy: Policy, lang: Lang
    ) -> None:
        self._parcel_ids = parcel_ids
        self._enterprise_ids = enterprise_ids
        self._policy = policy
        self.lang = lang
        self._names = {rule_id: rule.text(policy) for rule_id, rule in RULES.items()}
        self._parts: list[_FlagRows] = []
        self.bits = np.zeros(len(parcel_ids), dtype=np.int64)
        self.insufficient_bits = np.zeros(len(parcel_ids), dtype=np.int64)

    def add(
        self,
        rule_id: str,
        where: np.ndarray,
        *,
        parcel: np.ndarray | None = None,
        enterprise: np.ndarray | None = None,
        value: np.ndarray,
        threshold: np.ndarray | float,
        reason: Callable[[np.ndarray], Any] | str,
        outcome: Outcome = "fires",
        missing: Any = "",
    ) -> None:
        """Add rows where ``where`` holds; arrays are per parcel, or per piece with ``parcel``.

        ``reason`` is one text for all rows, or a function of the row positions returning one
        text per row, so that text is only built for the rows that are flagged.
        """
        rows = np.flatnonzero(where)
        if not len(rows):
            return
        p = rows if parcel is None else parcel[rows]
        bits = self.bits if outcome == "fires" else self.insufficient_bits
        np.bitwise_or.at(bits, p, _BIT[rule_id])
        self._parts.append(
            _FlagRows(
                rule_id=rule_id,
                outcome=outcome,
                p=p,
                e=None if enterprise is None else enterprise[rows],
                value=np.asarray(value, dtype="float64")[rows],
                threshold=np.broadcast_to(np.asarray(threshold, "float64"), where.shape)[rows],
                missing=missing if isinstance(missing, str) else _arrow(_taken(missing, rows)),
                reason=_arrow(reason(rows)) if callable(reason) else reason,
            )
        )

    def table(self) -> pd.DataFrame:
        import pyarrow as pa
        import pyarrow.compute as pc

        parts = self._parts
        if not parts:
            return pd.DataFrame({c: pd.Series(dtype=object) for c in _FLAG_COLUMNS}).astype(
                {"value": "float64", "threshold": "float64"}
            )
        # Which part each row came from: a text the same for a whole part is taken by it.
        sizes = [len(part.p) for part in parts]
        part_of = pa.array(np.repeat(np.arange(len(parts)), sizes))

        def per_rule(texts: list[str]) -> pd.Categorical:
            # What names the rule is the same on all its rows: each text is held once, and
            # the writers take it per row as they write (tables.write_csv, write_workbook).
            categories, codes = np.unique(np.array(texts, dtype=object), return_inverse=True)
            return pd.Categorical.from_codes(
                np.repeat(codes, sizes), categories=pd.Index(categories, dtype="str")
            )

        def per_part(texts: list[object]) -> pd.api.extensions.ExtensionArray:
            if all(isinstance(t, str) for t in texts):
                return _str(pc.take(pa.array(texts, type=pa.large_string()), part_of))
            arrays = [
                pa.array(np.full(len(part.p), t, dtype=object), type=pa.large_string())
                if isinstance(t, str)
                else t
                for t, part in zip(texts, parts, strict=True)
            ]
            return _str(pa.chunked_array(arrays, type=pa.large_string()))

        rules = [RULES[part.rule_id] for part in parts]
        enterprises = [
            np.full(len(part.p), None, dtype=object)
            if part.e is None
            else self._enterprise_ids[part.e]
            for part in parts
        ]
        positions = pa.array(np.concatenate([part.p for part in parts]))
        columns = {
            "parcel_id": _str(pc.take(_arrow(self._parcel_ids), positions)),
            # Python objects, None for a rule about parcels: the column a parcel's rules leave
            # empty is not read as missing text.
            "enterprise_id": pd.Series(np.concatenate(enterprises), dtype=object),
            "rule_id": per_rule([part.rule_id for part in parts]),
            "rule_zh": per_rule([self._names[part.rule_id] for part in parts]),
            "outcome": per_rule([part.outcome for part in parts]),
            "indicator": per_rule([rule.indicator for rule in rules]),
            "value": np.concatenate([part.value for part in parts]),
            "threshold": np.concatenate([part.threshold for part in parts]),
            "unit": per_rule([rule.unit for rule in rules]),
            "missing": per_part([part.missing for part in parts]),
            "source": per_rule(
                [policy_source(self._policy, rule.policy_key, self.lang) for rule in rules]
            ),
            "reason": per_part([part.reason for part in parts]),
        }
        return pd.DataFrame(columns, copy=False)


def _taken(values: Any, rows: np.ndarray) -> Any:
    """Return some rows of an array, NumPy's or Arrow's."""
    import pyarrow as pa

    return values.take(pa.array(rows)) if isinstance(values, pa.Array) else values[rows]


def _arrow(values: object) -> Any:
    """Return text (an object array, Arrow text, a column of pandas' ``str``) as large text."""
    import pyarrow as pa

    if isinstance(values, pa.Array):
        return values.cast(pa.large_string())
    if isinstance(values, pd.Series):
        values = values.array
    if isinstance(values, pd.arrays.ArrowStringArray):
        return pa.chunked_array(pa.array(values)).combine_chunks().cast(pa.large_string())
    return pa.array(np.asarray(values, dtype=object), type=pa.large_string(), from_pandas=True)


def _text_column(values: object) -> object:
    """Return a column for a new table: text of Python strings as pandas' ``str`` from Arrow.

    Only an object array whose values are all text (or missing) is converted, as pandas'
    constructor would read it; any other column is returned as it is.
    """
    if (
        isinstance(values, np.ndarray)
        and values.dtype == object
        and pd.api.types.infer_dtype(values, skipna=True) == "string"
    ):
        return _str(_arrow(values))
    return values


def _str(text: object) -> pd.api.extensions.ExtensionArray:
    """Return Arrow text as a column of pandas' ``str``, missing where it is null."""
    return pd.array(text, dtype="str")


def _rule_names(bits: np.ndarray) -> np.ndarray:
    """``"LE-FAR;LE-COVERAGE"`` for each parcel's bit mask, built once per distinct mask."""
    masks, inverse = np.unique(bits, return_inverse=True)
    names = np.array(
        [";".join(r for r, bit in _BIT.items() if m & bit) for m in masks.tolist()], dtype=object
    )
    return names[inverse]


def _anniversary_rule(
    flags: _Flags,
    rule_id: str,
    *,
    start: np.ndarray,
    years: int,
    as_of: np.datetime64,
    scope: np.ndarray,
    text: str,
    fields: Mapping[str, np.ndarray] | None = None,
    parcel: np.ndarray | None = None,
    enterprise: np.ndarray | None = None,
    missing_name: str,
) -> None:
    """Apply a rule firing on the ``years``-th anniversary of a date (stopped, no tax, overdue).

    ``text`` is the key of the reason's template, filled with ``start``, ``due``, ``years`` and
    ``fields`` (per row of ``start``).
    """
    due = add_months(start, years * 12)
    known = scope & ~np.isnat(start)
    fires = known & (as_of >= due)
    elapsed = days_between(start, as_of)
    needed = days_between(start, due)
    flags.add(
        rule_id,
        fires,
        parcel=parcel,
        enterprise=enterprise,
        value=elapsed,
        threshold=needed,
        reason=lambda rows: compose(
            text,
            flags.lang,
            start=date_strings(start[rows]),
            due=date_strings(due[rows]),
            years=years,
            **{name: values[rows] for name, values in (fields or {}).items()},
        ),
    )
    flags.add(
        rule_id,
        scope & np.isnat(start),
        parcel=parcel,
        enterprise=enterprise,
        value=np.full(len(start), np.nan),
        threshold=np.full(len(start), np.nan),
        reason=message(
            "insufficient_data",
            flags.lang,
            missing=value_label("missing", missing_name, flags.lang),
        ),
        outcome="insufficient_data",
        missing=missing_name,
    )


def _below_rule(
    flags: _Flags,
    rule_id: str,
    *,
    scope: np.ndarray,
    value: np.ndarray,
    threshold: np.ndarray | float,
    basis: np.ndarray | str,
    missing_name: str,
    no_occupant: np.ndarray | None = None,
) -> None:
    """Apply a rule firing where an indicator is below its threshold; report missing values.

    ``no_occupant`` marks the parcels without an enterprise, whose missing figure is said so.
    """
    rule = RULES[rule_id]
    lang = flags.lang
    threshold = np.broadcast_to(np.asarray(threshold, dtype="float64"), value.shape)
    known = scope & ~np.isnan(value) & ~np.isnan(threshold)
    fires = known & (value < threshold)
    flags.add(
        rule_id,
        fires,
        value=value,
        threshold=threshold,
        reason=lambda rows: compose(
            "flag_below",
            lang,
            indicator=str(value_label("indicator", rule.indicator, lang)),
            value=_text(value[rows]),
            threshold=_text(threshold[rows]),
            basis=np.broadcast_to(np.asarray(basis, dtype=object), value.shape)[rows],
        ),
    )
    missing = str(value_label("missing", missing_name, lang))
    lacking = message("insufficient_data", lang, missing=missing)
    unoccupied = message("flag_no_occupant", lang, missing=missing)
    flags.add(
        rule_id,
        scope & ~known,
        value=value,
        threshold=threshold,
        reason=lambda rows: (
            np.full(len(rows), lacking, dtype=object)
            if no_occupant is None
            else np.where(no_occupant[rows], unoccupied, lacking).astype(object)
        ),
        outcome="insufficient_data",
        missing=missing_name,
    )


# --- the audit ------------------------------------------------------------------------------------
def _check_zone(zone: Zone) -> None:
    if not isinstance(zone, Zone):
        raise LandplanError(
            f"audit expects a landplan Zone, got {type(zone).__name__}; build one with "
            "Zone.from_layers(layers) or landplan.io.read_zone(path)"
        )
    crs = zone.parcels.crs
    if len(zone.parcels) and (crs is None or not crs.is_projected):
        raise CRSMismatchError.of(
            "plan_not_projected",
            crs=crs,
            srs=Message("plan_no_crs") if crs is None else crs.to_string(),
            working=zone.policy.crs.working,
        )
    ids = zone.parcels["parcel_id"]
    if len(ids) and not _unique(ids):
        twice = sorted(ids[ids.duplicated()].astype(str).unique())[:5]
        raise LandplanError.of("plan_duplicate_parcels", ids=twice, ids_zh="、".join(twice))


def _unique(ids: pd.Series) -> bool:
    """Whether no parcel id repeats, counted by Arrow where the ids are text."""
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        text = _arrow(ids)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return bool(ids.is_unique)
    return pc.count_distinct(text, mode="all").as_py() == len(ids)


def audit(zone: Zone, *, as_of: object, lang: Lang = "zh") -> AuditResult:
    """Audit every parcel of a zone: indicators, idle clock, low-efficiency flags, classes.

    Parameters
    ----------
    zone
        The zone, with its policy (every threshold comes from ``zone.policy``).
    as_of
        The audit date (``datetime.date``, ``Timestamp`` or ISO text such as ``"2025-06-30"``).
    lang
        Language of the explanations (``idle_reason``, the flags' ``reason`` and ``source``,
        ``class_reason``, the FAR and recovery bases): ``zh`` or ``en``. Codes (rules, states,
        the lists of missing data) are the same in both.

    Returns
    -------
    AuditResult
        Tables of parcels, enterprises, flags, deadlines, a summary and the policy used.

    Raises
    ------
    LandplanError
        If ``as_of`` is not a date, the zone is not in a projected CRS, parcel ids repeat, or a
        building or enterprise refers to a parcel that does not exist.

    Examples
    --------
    >>> from landplan.zone import Zone
    >>> result = audit(Zone.empty(), as_of="2025-06-30")
    >>> len(result.parcels), list(result.flags.columns[:3])
    (0, ['parcel_id', 'enterprise_id', 'rule_id'])
    """
    day = as_date(as_of)
    _check_zone(zone)
    policy = zone.policy
    parcels, enterprises = zone.parcels, zone.enterprises
    parcel_ids = _arrow(parcels["parcel_id"])
    n = len(parcels)

    built = _building_totals(zone.buildings, parcel_ids, policy)
    pieces = _pieces(parcels, enterprises, parcel_ids)
    scores = evaluate_enterprises(
        enterprises, land_m2=pieces.enterprise_land_m2, as_of=day, policy=policy, lang=lang
    )
    clock = idle_clock(
        parcels, as_of=day, policy=policy, has_buildings=built["n_buildings"] > 0, lang=lang
    )

    area_m2 = _floats(parcels, "area_m2")
    area_mu = area_m2 / MU_M2
    spread = {
        column: _apportion(_floats(enterprises, column), pieces, n)
        for column in (
            "output_wan_yuan",
            "value_added_wan_yuan",
            "tax_wan_yuan",
            "energy_tce",
            "fixed_investment_wan_yuan",
        )
    }
    far = built["far_floor_area_m2"] / area_m2
    coverage = built["footprint_m2"] / area_m2
    far_required, far_basis = _far_required(parcels, enterprises, pieces, policy, lang)
    indicators = {
        "n_buildings": built["n_buildings"],
        "floor_area_m2": built["floor_area_m2"],
        "far_floor_area_m2": built["far_floor_area_m2"],
        "far": far,
        "far_min_required": far_required,
        "far_min_basis": far_basis,
        "footprint_m2": built["footprint_m2"],
        "coverage": coverage,
        "vacant_area_m2": built["vacant_area_m2"],
        "vacancy": _ratio(built["vacant_area_m2"], built["floor_area_m2"]),
        "n_enterprises": pieces.per_parcel,
        **spread,
        "investment_intensity_wan_yuan_per_mu": spread["fixed_investment_wan_yuan"] / area_mu,
        "output_per_mu_wan_yuan": spread["output_wan_yuan"] / area_mu,
        "value_added_per_mu_wan_yuan": spread["value_added_wan_yuan"] / area_mu,
        "tax_per_mu_wan_yuan": spread["tax_wan_yuan"] / area_mu,
        "value_added_per_tce_wan_yuan": _ratio(
            spread["value_added_wan_yuan"], spread["energy_tce"]
        ),
    }

    flags = _Flags(
        parcels["parcel_id"],
        enterprises["enterprise_id"].to_numpy(dtype=object),
        policy,
        lang,
    )
    _idle_flags(flags, clock, day)
    zone_tax_per_mu = _low_efficiency_flags(
        flags,
        parcels=parcels,
        enterprises=enterprises,
        pieces=pieces,
        indicators=indicators,
        built=built,
        clock=clock,
        scores=scores,
        as_of=day,
        policy=policy,
    )

    parcel_class = _parcel_class(scores["evaluation_class"].to_numpy(dtype=object), pieces, n)
    potential = _potential(parcels, indicators, clock, scores, pieces, policy, lang)
    low_bits = flags.bits & _LOW_EFFICIENCY_BITS
    # One constructor call: adding columns one by one copies a million-row frame each time.
    columns = {
        c: _values(parcels[c])
        for c in ("parcel_id", "name", "status", "land_use", "tenure", "holder")
        if c in parcels
    }
    columns |= {"area_m2": area_m2, "area_mu": area_mu, **indicators}
    columns |= {c: _values(clock[c]) for c in clock.columns}
    columns |= {
        "low_efficiency": low_bits > 0,
        "low_efficiency_rules": _rule_names(low_bits),
        "insufficient_rules": _rule_names(flags.insufficient_bits),
        "evaluation_class": parcel_class,
        **potential,
    }
    # Composed text goes to Arrow in one call per column, not through pandas' reading of each
    # value; the geometry is a column of the one constructor call, so the frame's numbers are
    # not copied into one block beside the arrays they came from.
    columns = {name: _text_column(values) for name, values in columns.items()}
    columns["geometry"] = parcels.geometry.array
    result_parcels = gpd.GeoDataFrame(
        columns, index=parcels.index, geometry="geometry", crs=parcels.crs, copy=False
    )

    flag_table = flags.table()
    deadlines = _deadlines(result_parcels, day, policy)
    summary = _summary(
        result_parcels,
        flags.bits,
        scores,
        enterprises,
        pieces,
        deadlines,
        zone_tax_per_mu=zone_tax_per_mu,
    )
    enterprise_table = pd.concat(
        [
            pd.DataFrame(enterprises[["name", "industry_code", "cluster", "parcel_id"]]),
            scores.drop(columns="enterprise_id"),
        ],
        axis=1,
    )
    enterprise_table.insert(0, "enterprise_id", enterprises["enterprise_id"].to_numpy())
    return AuditResult(
        as_of=pd.Timestamp(day),
        parcels=result_parcels,
        enterprises=enterprise_table,
        flags=flag_table,
        deadlines=deadlines,
        totals=summary,
        policy_used=policy_table(policy, lang),
    )


def _idle_flags(flags: _Flags, clock: pd.DataFrame, as_of: np.datetime64) -> None:
    # The clock's text is compared and taken in Arrow, as the clock holds it.
    state = clock["idle_state"]
    due = state.isin(["idle", "recoverable"]).to_numpy(dtype=bool)
    lacking = (state == "insufficient_data").to_numpy(dtype=bool)
    start = clock["idle_clock_start"].to_numpy(dtype="datetime64[ns]")
    elapsed = days_between(start, as_of)
    needed = days_between(start, clock["idle_date"].to_numpy(dtype="datetime64[ns]"))
    reason = _arrow(clock["idle_reason"])
    missing = _arrow(clock["idle_missing"])
    for rule_id in ("IDLE-1", "IDLE-2"):
        mine = (clock["idle_rule"] == rule_id).to_numpy(dtype=bool)
        flags.add(
            rule_id,
            mine & due,
            value=elapsed,
            threshold=needed,
            reason=lambda rows: reason.take(rows),
        )
        flags.add(
            rule_id,
            mine & lacking,
            value=elapsed,
            threshold=needed,
            reason=lambda rows: reason.take(rows),
            outcome="insufficient_data",
            missing=missing,
        )


def _low_efficiency_flags(
    flags: _Flags,
    *,
    parcels: pd.DataFrame,
    enterprises: pd.DataFrame,
    pieces: _Pieces,
    indicators: dict[str, np.ndarray],
    built: dict[str, np.ndarray],
    clock: pd.DataFrame,
    scores: pd.DataFrame,
    as_of: np.datetime64,
    policy: Policy,
) -> float:
    """Apply the low-efficiency rules; return the zone's area-weighted tax per mu."""
    rules = policy.low_efficiency
    control = policy.control
    n = len(parcels)
    status = parcels["status"].to_numpy(dtype=object)
    land_use = parcels["land_use"].to_numpy(dtype=object)
    in_use = np.isin(status, list(rules.statuses))
    industrial = in_use & (np.isin(land_use, list(rules.industrial_land_uses)) | pd.isna(land_use))
    area_mu = _floats(parcels, "area_m2") / MU_M2
    occupied = pieces.per_parcel > 0

    _below_rule(
        flags,
        "LE-FAR",
        scope=industrial,
        value=indicators["far"],
        threshold=indicators["far_min_required"],
        basis=indicators["far_min_basis"],
        missing_name="far",
    )
    _below_rule(
        flags,
        "LE-COVERAGE",
        scope=industrial,
        value=indicators["coverage"],
        threshold=float(control.coverage_min),
        basis=message("basis_coverage", flags.lang),
        missing_name="coverage",
    )

    # Overdue completion, unless the idle-land clock already covers the parcel.
    completed = parcels["completed"].to_numpy(dtype="datetime64[ns]")
    done = ~np.isnat(completed) & (completed <= as_of)
    idle_now = np.isin(clock["idle_state"].to_numpy(dtype=object), ["idle", "recoverable"])
    supplied = ~np.isin(status, list(policy.idle.exempt_statuses))
    agreed_completion = parcels["agreed_completion"].to_numpy(dtype="datetime64[ns]")
    _anniversary_rule(
        flags,
        "LE-OVERDUE",
        start=agreed_completion,
        years=int(rules.overdue_completion_years),
        as_of=as_of,
        scope=supplied
        & ~done
        & ~idle_now
        & (~np.isnat(agreed_completion) | (status == "under_construction")),
        text="flag_overdue",
        missing_name="agreed_completion",
    )

    # Intensity and output: only for land completed two full years ago.
    completion = _completion(parcels, enterprises, pieces)
    mature = ~np.isnat(completion) & (
        as_of >= add_months(completion, int(rules.completed_years) * 12)
    )
    unknown_completion = industrial & np.isnat(completion)
    for rule_id in ("LE-INTENSITY", "LE-OUTPUT"):
        flags.add(
            rule_id,
            unknown_completion,
            value=np.full(n, np.nan),
            threshold=np.full(n, np.nan),
            reason=message("flag_completion_unknown", flags.lang),
            outcome="insufficient_data",
            missing="completed",
        )
    contract = _floats(parcels, "contract_investment_wan_yuan") / area_mu
    base = np.where(np.isnan(contract), control.investment_intensity_min_wan_yuan_per_mu, contract)
    no_occupant = ~occupied
    lang = flags.lang
    _below_rule(
        flags,
        "LE-INTENSITY",
        scope=industrial & mature,
        value=indicators["investment_intensity_wan_yuan_per_mu"],
        threshold=rules.intensity_share_min * base,
        basis=np.where(
            np.isnan(contract),
            message(
                "basis_control_share",
                lang,
                share=share_text(rules.intensity_share_min),
                control=f"{control.investment_intensity_min_wan_yuan_per_mu:g}",
            ),
            compose(
                "basis_contract_share",
                lang,
                share=share_text(rules.intensity_share_min),
                contract=_text(contract),
            ),
        ).astype(object),
        missing_name="fixed_investment_wan_yuan",
        no_occupant=no_occupant,
    )
    _below_rule(
        flags,
        "LE-OUTPUT",
        scope=industrial & mature,
        value=indicators["output_per_mu_wan_yuan"],
        threshold=rules.output_share_min * control.output_per_mu_min_wan_yuan,
        basis=message(
            "basis_control_share",
            lang,
            share=share_text(rules.output_share_min),
            control=f"{control.output_per_mu_min_wan_yuan:g}",
        ),
        missing_name="output_wan_yuan",
        no_occupant=no_occupant,
    )

    # Enterprise rules, one row per parcel the enterprise occupies.
    operating = enterprises["operating_status"].to_numpy(dtype=object)[pieces.e]
    stopped = np.isin(operating, ["stopped", "half_stopped"])
    _anniversary_rule(
        flags,
        "LE-STOPPED",
        start=enterprises["stopped_since"].to_numpy(dtype="datetime64[ns]")[pieces.e],
        years=int(rules.stopped_years),
        as_of=as_of,
        scope=stopped,
        text="flag_stopped",
        fields={"operating": value_texts("operating_status", operating, lang)},
        parcel=pieces.p,
        enterprise=pieces.e,
        missing_name="stopped_since",
    )
    tax = _floats(enterprises, "tax_wan_yuan")[pieces.e]
    last_tax = enterprises["last_tax_date"].to_numpy(dtype="datetime64[ns]")[pieces.e]
    _anniversary_rule(
        flags,
        "LE-NO-TAX",
        start=last_tax,
        years=int(rules.no_tax_years),
        as_of=as_of,
        # A firm that reports tax this year needs no last-payment date to pass.
        scope=~np.isnat(last_tax) | ~(tax > 0),
        text="flag_no_tax",
        parcel=pieces.p,
        enterprise=pieces.e,
        missing_name="last_tax_date",
    )

    tax_per_mu = indicators["tax_per_mu_wan_yuan"]
    counted = industrial & ~np.isnan(tax_per_mu)
    zone_average = float(
        np.sum(indicators["tax_wan_yuan"][counted]) / np.sum(area_mu[counted])
        if counted.any()
        else np.nan
    )
    share = rules.tax_per_mu_share_of_zone_average
    _below_rule(
        flags,
        "LE-TAX-ZONE",
        scope=industrial,
        value=tax_per_mu,
        threshold=share * zone_average,
        basis=message(
            "basis_zone_share", lang, share=share_text(share), average=f"{zone_average:.2f}"
        ),
        missing_name="tax_wan_yuan",
        no_occupant=no_occupant,
    )

    dilapidated = _ratio(built["dilapidated_area_m2"], built["floor_area_m2"])
    limit = float(rules.dilapidated_floor_share_max)
    fires = built["n_buildings"] > 0
    fires &= dilapidated > limit
    flags.add(
        "LE-DILAPIDATED",
        fires,
        value=dilapidated,
        threshold=limit,
        reason=lambda rows: compose(
            "flag_dilapidated", lang, value=_text(dilapidated[rows]), limit=f"{limit:g}"
        ),
    )

    cls = scores["evaluation_class"].to_numpy(dtype=object)[pieces.e]
    rank = scores["rank"].to_numpy(dtype="float64", na_value=np.nan)[pieces.e]
    evaluated = int((scores["evaluation_class"] != "T").sum())
    cut = 1.0 - float(policy.evaluation.class_shares["D"])
    flags.add(
        "LE-CLASS-D",
        cls == "D",
        parcel=pieces.p,
        enterprise=pieces.e,
        value=(rank - 1) / max(evaluated, 1),
        threshold=np.full(len(rank), cut),
        reason=lambda rows: compose(
            "flag_class_d",
            lang,
            reason=scores["class_reason"].to_numpy(dtype=object)[pieces.e[rows]],
        ),
    )
    return zone_average


def _parcel_class(classes: np.ndarray, pieces: _Pieces, n: int) -> np.ndarray:
    """Return the lowest class of each parcel's enterprises (D < C < B < A; T if all are T)."""
    order = {c: i for i, c in enumerate(CLASSES)}
    code = pd.Series(classes).map(order).fillna(-1).to_numpy(dtype=np.int64)
    worst = np.full(n, -2, dtype=np.int64)
    np.maximum.at(worst, pieces.p, code[pieces.e])
    names = np.array([None, "T", *CLASSES], dtype=object)
    return names[worst + 2]


def _potential(
    parcels: pd.DataFrame,
    indicators: dict[str, np.ndarray],
    clock: pd.DataFrame,
    scores: pd.DataFrame,
    pieces: _Pieces,
    policy: Policy,
    lang: Lang,
) -> dict[str, np.ndarray]:
    """Floor area gained by raising FAR, vacant floor space, and land recoverable, per parcel."""
    status = parcels["status"].to_numpy(dtype=object)
    land_use = parcels["land_use"].to_numpy(dtype=object)
    rules = policy.low_efficiency
    in_use = np.isin(status, list(rules.statuses)) & (
        np.isin(land_use, list(rules.industrial_land_uses)) | pd.isna(land_use)
    )
    planned_max = _floats(parcels, "far_max")
    target = indicators["far_min_required"]
    if policy.potential.target_far == "far_max":
        target = np.where(np.isnan(planned_max), target, planned_max)
    area_m2 = _floats(parcels, "area_m2")
    gain = np.where(in_use, np.maximum(target - indicators["far"], 0.0) * area_m2, 0.0)

    n = len(parcels)
    d_class = scores["evaluation_class"].to_numpy(dtype=object)[pieces.e] == "D"
    d_land = np.bincount(pieces.p, weights=pieces.land_m2 * d_class, minlength=n)
    recoverable = clock["idle_state"].to_numpy(dtype=object) == "recoverable"
    land = np.where(recoverable, area_m2, d_land) / MU_M2
    basis = _choose(
        recoverable,
        message("recoverable_idle", lang),
        _choose(d_land > 0, message("recoverable_class_d", lang), ""),
    )
    return {
        "target_far": np.where(in_use, target, np.nan),
        "far_gain_m2": gain,
        "recoverable_land_mu": land,
        "recoverable_basis": basis,
    }


def _deadlines(parcels: gpd.GeoDataFrame, as_of: np.datetime64, policy: Policy) -> pd.DataFrame:
    window = np.timedelta64(int(policy.idle.deadline_window_days), "D")
    parts = []
    for event, column, days in (
        ("becomes idle", "idle_date", "days_to_idle"),
        ("becomes recoverable", "recovery_date", "days_to_recovery"),
    ):
        date = parcels[column].to_numpy(dtype="datetime64[ns]")
        soon = ~np.isnat(date) & (date > as_of) & (date <= as_of + window)
        rows = parcels.loc[soon]
        parts.append(
            pd.DataFrame(
                {
                    "parcel_id": rows["parcel_id"].to_numpy(),
                    "holder": rows["holder"].to_numpy(),
                    "event": event,
                    "idle_rule": rows["idle_rule"].to_numpy(),
                    "deadline": date[soon],
                    "days_left": rows[days].to_numpy(),
                    "area_mu": rows["area_mu"].to_numpy(),
                    "idle_fee_wan_yuan": rows["idle_fee_wan_yuan"].to_numpy(),
                    "idle_reason": rows["idle_reason"].to_numpy(),
                }
            )
        )
    table = pd.concat(parts, ignore_index=True)
    return table.sort_values(["deadline", "parcel_id"], ignore_index=True)


def _group(section: str, keys: object, area_mu: np.ndarray, order) -> pd.DataFrame:
    frame = pd.DataFrame({"item": keys, "area_mu": area_mu})
    grouped = frame.groupby("item", sort=False).agg(
        parcels=("area_mu", "size"), area_mu=("area_mu", "sum")
    )
    grouped = grouped.reindex([k for k in order if k in grouped.index]).reset_index()
    grouped.insert(0, "section", section)
    return grouped


def _summary(
    parcels: gpd.GeoDataFrame,
    bits: np.ndarray,
    scores: pd.DataFrame,
    enterprises: pd.DataFrame,
    pieces: _Pieces,
    deadlines: pd.DataFrame,
    *,
    zone_tax_per_mu: float,
) -> pd.DataFrame:
    from landplan.vocab import CLUSTER, PARCEL_STATUS

    area_mu = parcels["area_mu"].to_numpy(dtype="float64")
    parts = [
        # The groups are keyed by the text as the table holds it (Arrow's, hashed in place).
        _group("status", _values(parcels["status"]), area_mu, PARCEL_STATUS.values),
        _group("idle_state", _values(parcels["idle_state"]), area_mu, IDLE_STATES),
    ]
    # Classes and clusters count the land each enterprise holds, so a shared parcel is split.
    piece_mu = pieces.land_m2 / MU_M2
    for section, labels, order in (
        ("class", scores["evaluation_class"].to_numpy(dtype=object), (*CLASSES, "T")),
        ("cluster", enterprises["cluster"].to_numpy(dtype=object), CLUSTER.values),
    ):
        piece_label = pd.Series(labels[pieces.e]).fillna("unknown").to_numpy(dtype=object)
        frame = pd.DataFrame({"item": piece_label, "p": pieces.p, "area_mu": piece_mu})
        grouped = frame.groupby("item", sort=False).agg(
            parcels=("p", "nunique"), area_mu=("area_mu", "sum")
        )
        grouped = grouped.reindex([k for k in (*order, "unknown") if k in grouped.index])
        grouped = grouped.reset_index()
        grouped.insert(0, "section", section)
        parts.append(grouped)
    hit = {rule_id: (bits & bit) > 0 for rule_id, bit in _BIT.items()}
    parts.append(
        pd.DataFrame(
            [
                {"section": "rule", "item": r, "parcels": int(m.sum()), "area_mu": area_mu[m].sum()}
                for r, m in hit.items()
                if m.any()
            ],
            columns=["section", "item", "parcels", "area_mu"],
        )
    )
    low = parcels["low_efficiency"].to_numpy(dtype=bool)
    totals = pd.DataFrame(
        {
            "section": "total",
            "item": [
                "parcels",
                "low_efficiency",
                "recoverable_land_mu",
                "far_gain_m2",
                "vacant_area_m2",
                "deadlines_within_window",
                "zone_tax_per_mu_wan_yuan",
            ],
            "parcels": [
                len(parcels),
                int(low.sum()),
                int((parcels["recoverable_land_mu"] > 0).sum()),
                int((parcels["far_gain_m2"] > 0).sum()),
                int((parcels["vacant_area_m2"] > 0).sum()),
                int(deadlines["parcel_id"].nunique()),
                np.nan,
            ],
            "area_mu": [
                area_mu.sum(),
                area_mu[low].sum(),
                parcels["recoverable_land_mu"].sum(),
                np.nan,
                np.nan,
                deadlines.drop_duplicates("parcel_id")["area_mu"].sum(),
                np.nan,
            ],
            "value": [
                np.nan,
                np.nan,
                parcels["recoverable_land_mu"].sum(),
                parcels["far_gain_m2"].sum(),
                parcels["vacant_area_m2"].sum(),
                np.nan,
                zone_tax_per_mu,
            ],
        }
    )
    summary = pd.concat([*parts, totals], ignore_index=True)
    summary["parcels"] = summary["parcels"].astype("Int64")
    return summary.loc[:, ["section", "item", "parcels", "area_mu", "value"]]
