"""The policy: every threshold landplan uses, each default with its source.

The defaults ship as ``landplan/datasets/policy.toml``. A user's file overrides only the keys it
names; an unknown key or a value of the wrong type is an error that names the file and the key.
Each section may hold a ``sources`` table citing where its defaults come from.

Examples
--------
>>> policy = Policy.default()
>>> policy.idle.recover_years
2
>>> policy.source("idle.recover_years").startswith("国土资源部令第53号")
True
>>> Policy.from_toml_text(policy.to_toml()) == policy
True
"""

from __future__ import annotations

import copy
import functools
import itertools
import math
import tomllib
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import tomli_w

from landplan import vocab
from landplan.errors import Code, Message, PolicyError
from landplan.vocab import Vocabulary

__all__ = ["Policy", "Section"]

_DEFAULT_PATH = Path(__file__).parent / "datasets" / "policy.toml"
_SOURCES = "sources"


class Section(Mapping[str, Any]):
    """A read-only table of policy values with attribute access (``policy.idle.recover_years``)."""

    def __init__(self, path: str, values: Mapping[str, Any]) -> None:
        self._path = path
        self._values = values

    def __getitem__(self, key: str) -> Any:
        value = self._values[key]
        if isinstance(value, Mapping):
            return Section(f"{self._path}.{key}", value)
        return value

    def __getattr__(self, key: str) -> Any:
        if key.startswith("_"):
            raise AttributeError(key)
        try:
            return self[key]
        except KeyError:
            known = ", ".join(sorted(self._values))
            raise AttributeError(
                f"policy section {self._path!r} has no key {key!r}; known keys: {known}"
            ) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        return f"Section({self._path!r}, {dict(self._values)!r})"


def _split_sources(tree: Mapping[str, Any], prefix: str = "") -> tuple[dict, dict[str, str]]:
    """Separate the values from the ``sources`` tables, returning (values, {dotted key: source})."""
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for key, value in tree.items():
        path = f"{prefix}{key}"
        if key == _SOURCES and isinstance(value, Mapping):
            for name, text in value.items():
                sources[f"{prefix}{name}"] = str(text)
        elif isinstance(value, Mapping):
            sub_values, sub_sources = _split_sources(value, f"{path}.")
            values[key] = sub_values
            sources.update(sub_sources)
        else:
            values[key] = value
    return values, sources


def _same_kind(default: Any, given: Any) -> bool:
    if isinstance(default, bool) or isinstance(given, bool):
        return isinstance(default, bool) and isinstance(given, bool)
    if isinstance(default, int | float):
        return isinstance(given, int | float)
    if isinstance(default, list):
        return isinstance(given, list)
    return isinstance(given, type(default))


def _merge(defaults: dict, given: Mapping, where: str, prefix: str, problems: list[str]) -> dict:
    merged = copy.deepcopy(defaults)
    for key, value in given.items():
        path = f"{prefix}{key}"
        if key not in defaults:
            if isinstance(defaults, dict) and prefix and _open_table(prefix):
                merged[key] = value
                continue
            keys = ", ".join(sorted(defaults))
            known = Message("out_keys", keys=keys) if keys else Message("out_none")
            problems.append(Message("out_policy_unknown_key", where=where, path=path, known=known))
            continue
        default = defaults[key]
        if isinstance(default, dict):
            if not isinstance(value, Mapping):
                problems.append(
                    Message("out_policy_not_table", where=where, path=path, value=value)
                )
                continue
            merged[key] = _merge(default, value, where, f"{path}.", problems)
        elif not _same_kind(default, value):
            kind = type(default).__name__
            problems.append(
                Message(
                    "out_policy_kind",
                    where=where,
                    path=path,
                    kind=kind,
                    default=default,
                    value=value,
                )
            )
        else:
            merged[key] = float(value) if isinstance(default, float) else value
    return merged


# Tables whose keys are data (industry divisions, class names), so a user may add new ones.
_OPEN_TABLES = ("control.far_min_by_division.",)


def _open_table(prefix: str) -> bool:
    return prefix in _OPEN_TABLES


# --- validation: what each value may be -------------------------------------------------------

# Lists whose items are identifiers of a vocabulary (a misspelt one would silently drop a rule).
_VOCAB_LISTS: dict[str, Vocabulary] = {
    "idle.exempt_statuses": vocab.PARCEL_STATUS,
    "low_efficiency.statuses": vocab.PARCEL_STATUS,
    "low_efficiency.industrial_land_uses": vocab.LAND_USE,
    "review.clusters": vocab.CLUSTER,
    "siting.available_statuses": vocab.PARCEL_STATUS,
    "siting.hazardous_land_use": vocab.LAND_USE,
    "siting.blocking_constraints": vocab.CONSTRAINT_KIND,
    "siting.lease_only_statuses": vocab.PARCEL_STATUS,
    "siting.industrial_land_use": vocab.LAND_USE,
    "siting.storage_land_use": vocab.LAND_USE,
    "siting.hazardous_kinds": vocab.HAZARD,
    "siting.floor_space_statuses": vocab.BUILDING_STATUS,
    "capacity.supply_statuses": vocab.PARCEL_STATUS,
    "report.signed_stages": vocab.PROJECT_STAGE,
    "report.landed_stages": vocab.PROJECT_STAGE,
    "report.pipeline_stages": vocab.PROJECT_STAGE,
    "report.floor_space_statuses": vocab.BUILDING_STATUS,
    "revitalise.village_statuses": vocab.PARCEL_STATUS,
}
# Tables keyed by a vocabulary's identifiers.
_VOCAB_KEYS: dict[str, Vocabulary] = {
    "capacity.months_to_land": vocab.PROJECT_STAGE,
    "capacity.stage_probability": vocab.PROJECT_STAGE,
    "allocation.stage_weights": vocab.PROJECT_STAGE,
}
# The column whose values each vocabulary holds: its label names the vocabulary in Chinese.
_VOCAB_COLUMNS: dict[str, str] = {
    vocab.PARCEL_STATUS.name: "status",
    vocab.BUILDING_STATUS.name: "status",
    vocab.LAND_USE.name: "land_use",
    vocab.CLUSTER.name: "cluster",
    vocab.CONSTRAINT_KIND.name: "kind",
    vocab.HAZARD.name: "hazard",
    vocab.PROJECT_STAGE.name: "stage",
}
# Text values with a closed set of choices.
_CHOICES: dict[str, tuple[str, ...]] = {
    "potential.target_far": ("far_max", "industry_min"),
    "evaluation.missing": ("average", "zero"),
}
# Shares: between 0 and 1 (every other number must be finite and not negative).
_SHARES = (
    "control.coverage_min",
    "control.office_share_max",
    "control.green_share_max",
    "idle.fee_share",
    "idle.developed_share_min",
    "idle.invested_share_min",
    "low_efficiency.intensity_share_min",
    "low_efficiency.output_share_min",
    "low_efficiency.tax_per_mu_share_of_zone_average",
    "low_efficiency.dilapidated_floor_share_max",
    "evaluation.class_shares.*",
    "capacity.stage_probability.*",
    "siting.cutout_area_tolerance",
    "allocation.mip_rel_gap",
)
# Numbers that divide or scale others, or a size that cannot be nothing: greater than 0.
_POSITIVE = (
    "control.double_count_storey_height_m",
    "control.investment_intensity_min_wan_yuan_per_mu",
    "control.output_per_mu_min_wan_yuan",
    "control.far_min_default",
    "control.far_min_by_division.*",
    "idle.start_grace_years",
    "idle.recover_years",
    "idle.suspended_years",
    "low_efficiency.overdue_completion_years",
    "low_efficiency.completed_years",
    "low_efficiency.stopped_years",
    "low_efficiency.no_tax_years",
    "evaluation.benchmarks.*",
    "siting.storage_mu_per_mwh",
    "siting.max_group_size",
    "siting.cutout_min_ratio",
    "siting.cutout_width_to_depth",
    "siting.lease_max_years",
    "siting.storage_voltage_kv",
    "siting.road_width_default_m",
    "ranking.avenue_distance_zero_m",
    "ranking.substation_distance_zero_m",
    "ranking.cluster_radius_m",
    "ranking.cluster_full_count",
    "ranking.frontage_full_m",
    "ranking.readiness_horizon_months",
    "allocation.time_limit_s",
    "allocation.investment_reference_wan_yuan",
    "capacity.horizon_quarters",
    "corridor.width_m",
    "corridor.phase_length_m",
    "corridor.curve_step_m",
)


def _matches(key: str, patterns: tuple[str, ...]) -> bool:
    return any(key == p or (p.endswith(".*") and key.startswith(p[:-1])) for p in patterns)


def _leaves(node: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for key, value in node.items():
        if isinstance(value, Mapping):
            yield from _leaves(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", value


def _number_problems(key: str, value: Any, default: Any) -> list[str]:
    """Finite, not negative, a share within 0..1, positive where it must be, whole if an int."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return []
    if not math.isfinite(value):
        return [Message("out_policy_finite", key=key, value=value)]
    out: list[str] = []
    if value < 0:
        out.append(Message("out_policy_negative", key=key, value=value))
    elif _matches(key, _POSITIVE) and value == 0:
        out.append(Message("out_policy_positive", key=key, value=value))
    if _matches(key, _SHARES) and value > 1:
        out.append(Message("out_policy_share", key=key, value=value))
    if isinstance(default, int) and not isinstance(default, bool) and value != int(value):
        out.append(Message("out_policy_whole", key=key, default=default, value=value))
    return out


def _vocab_problems(key: str, values: Any, vocabulary: Vocabulary) -> list[str]:
    out: list[str] = []
    for item in values if isinstance(values, list) else []:
        if not isinstance(item, str) or item not in vocabulary.labels:
            column = _VOCAB_COLUMNS[vocabulary.name]
            out.append(
                Message(
                    "out_policy_vocab",
                    key=key,
                    item=item,
                    kind=vocabulary.name,
                    vocabulary=Code(column),
                    suggestion=Code(vocabulary.suggest(item), column),
                    values=Code(vocabulary.values, column),
                )
            )
    return out


def _cross_problems(values: Mapping[str, Any]) -> list[str]:
    """Rules between keys: what one value promises, another must keep."""
    get = functools.partial(_dig, values)
    return [
        *_weight_problems(get),
        *_stage_problems(get),
        *_measure_problems(get),
        *_crs_problems(get("crs.working"), get("crs.lonlat")),
    ]


def _weight_problems(get: Callable[[str], Any]) -> list[str]:
    """Weights that weigh something, class shares summing to one, essential principles."""
    out: list[str] = []
    for key in ("review.weights", "ranking.weights", "evaluation.weights"):
        weights = get(key) or {}
        if weights and not sum(v for v in weights.values() if _finite(v)) > 0:
            out.append(Message("out_policy_weights", key=key, weights=dict(weights)))
    shares = get("evaluation.class_shares") or {}
    if all(_finite(v) for v in shares.values()) and abs(sum(shares.values()) - 1.0) > 1e-9:
        total = sum(shares.values())
        out.append(Message("out_policy_shares_sum", shares=dict(shares), total=total))
    essential = get("review.essential") or []
    principles = list(get("review.weights") or {})
    for name in essential:
        if name not in principles:
            listed = Code(principles, "principle")
            out.append(Message("out_policy_essential", name=name, principles=listed))
    return out


def _stage_problems(get: Callable[[str], Any]) -> list[str]:
    """Statuses with a readiness delay, stages with both capacity keys, landed after signed."""
    out: list[str] = []
    readiness = get("readiness") or {}
    for status in get("capacity.supply_statuses") or []:
        if isinstance(status, str) and f"{status}_months" not in readiness:
            said = Code(status, "status")
            out.append(Message("out_policy_readiness", code=status, status=said))
    probability = set(get("capacity.stage_probability") or {})
    months = set(get("capacity.months_to_land") or {})
    for stage in sorted(probability - months):
        out.append(Message("out_policy_stage_months", code=stage, stage=Code(stage, "stage")))
    signed = set(get("report.signed_stages") or [])
    for stage in get("report.landed_stages") or []:
        if stage not in signed:
            out.append(Message("out_policy_landed", code=stage, stage=Code(stage, "stage")))
    return out


def _measure_problems(get: Callable[[str], Any]) -> list[str]:
    """Band edges, ratios, division codes and decimals that can be used as given."""
    out: list[str] = []
    for key in ("capacity.floor_load_bands_kn_m2", "capacity.clear_height_bands_m"):
        bands = get(key) or []
        if not all(_finite(b) for b in bands) or not bands:
            out.append(Message("out_policy_bands", key=key, bands=bands))
        elif bands[0] != 0 or any(b <= a for a, b in itertools.pairwise(bands)):
            out.append(Message("out_policy_bands_order", key=key, bands=bands))
    for key, meaning in (
        ("siting.cutout_min_ratio", "out_cutout_larger"),
        ("siting.cutout_max_aspect", "out_length_over_width"),
    ):
        ratio = get(key)
        if _finite(ratio) and ratio < 1:
            out.append(Message("out_policy_ratio", key=key, meaning=Message(meaning), ratio=ratio))
    for division, far in (get("control.far_min_by_division") or {}).items():
        if not (isinstance(division, str) and len(division) == 2 and division.isdigit()):
            out.append(Message("out_policy_division", division=division))
        if not _finite(far):
            out.append(Message("out_policy_division_far", division=division, far=far))
    decimals = get("maps.coordinate_decimals")
    if _finite(decimals) and decimals > 15:
        out.append(Message("out_policy_decimals", decimals=decimals))
    return out


def _crs_problems(working: Any, lonlat: Any) -> list[str]:
    from pyproj import CRS
    from pyproj.exceptions import CRSError

    out: list[str] = []
    for key, value, projected in (("crs.working", working, True), ("crs.lonlat", lonlat, False)):
        try:
            crs = CRS.from_user_input(value)
        except (CRSError, TypeError):
            out.append(Message("out_policy_crs_unknown", key=key, value=value))
            continue
        if projected and not crs.is_projected:
            out.append(Message("out_policy_crs_projected", key=key, value=value))
        if not projected and not crs.is_geographic:
            out.append(Message("out_policy_crs_geographic", key=key, value=value))
    return out


def _lines(problems: list[str]) -> Code:
    """Return the problems one a line, each said in the language the error is read in."""
    return Code(problems, sep=("\n", "\n"))


def _finite(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _dig(values: Mapping[str, Any], dotted: str) -> Any:
    node: Any = values
    for part in dotted.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return node


def _problems(values: Mapping[str, Any], defaults: Mapping[str, Any]) -> list[str]:
    """Every problem with a policy's values, each as one line naming its key."""
    out: list[str] = []
    for key, value in _leaves(values):
        default = _dig(defaults, key)
        out += _number_problems(key, value, default)
        if isinstance(value, list):
            for item in value:
                out += _number_problems(key, item, None)
        if key in _VOCAB_LISTS:
            out += _vocab_problems(key, value, _VOCAB_LISTS[key])
        if key in _CHOICES and value not in _CHOICES[key]:
            choices = ", ".join(map(repr, _CHOICES[key]))
            out.append(Message("out_policy_choice", key=key, choices=choices, value=value))
    for key, vocabulary in _VOCAB_KEYS.items():
        out += _vocab_problems(key, list(_dig(values, key) or {}), vocabulary)
    return out + _cross_problems(values)


class Policy:
    """Every threshold, weight and setting the analyses use.

    Build one with :meth:`default`, :meth:`from_toml` (a user's overrides on top of the
    defaults) or :meth:`replace`. Sections are read as attributes: ``policy.control.coverage_min``.
    """

    def __init__(self, values: Mapping[str, Any], sources: Mapping[str, str]) -> None:
        self._values = copy.deepcopy(dict(values))
        self._sources = dict(sources)

    # construction -------------------------------------------------------------------------
    @classmethod
    def default(cls) -> Policy:
        """Return the shipped default policy."""
        return cls._shipped()

    @classmethod
    def _shipped(cls) -> Policy:
        return _shipped_policy()

    @classmethod
    def from_toml(cls, path: str | Path) -> Policy:
        """Read a user's policy file on top of the defaults.

        Parameters
        ----------
        path
            A TOML file holding only the keys it overrides.

        Raises
        ------
        PolicyError
            If the file cannot be parsed, or names unknown keys or values of the wrong type.
        """
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise PolicyError.of("policy_unreadable", path=str(path), why=exc.strerror) from exc
        return cls.from_toml_text(text, where=str(path))

    @classmethod
    def from_toml_text(
        cls, text: str, *, where: str = "<policy>", _base: Policy | bool | None = True
    ) -> Policy:
        """Parse policy TOML text; keys it does not name keep their default values."""
        try:
            tree = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise PolicyError.of("policy_not_toml", where=where, why=exc) from exc
        values, sources = _split_sources(tree)
        if _base is None:
            return cls(values, sources).validate(where=where)
        base = cls.default()
        problems: list[str] = []
        merged = _merge(base._values, values, where, "", problems)
        if problems:
            raise PolicyError.of("policy_problems", n=len(problems), lines=_lines(problems))
        return cls(merged, {**base._sources, **sources}).validate(where=where)

    def replace(self, **changes: Any) -> Policy:
        """Return a copy with dotted keys changed.

        Example: ``policy.replace(**{"idle.recover_years": 3})``.
        """
        tree: dict[str, Any] = {}
        for dotted, value in changes.items():
            node = tree
            *parents, leaf = dotted.split(".")
            for part in parents:
                node = node.setdefault(part, {})
            node[leaf] = value
        problems: list[str] = []
        where = Message("out_policy_replace")
        merged = _merge(self._values, tree, where, "", problems)
        if problems:
            raise PolicyError.of("policy_problems", n=len(problems), lines=_lines(problems))
        return Policy(merged, self._sources).validate(where=where)

    def validate(self, *, where: str = "<policy>") -> Policy:
        """Check every value, and the values against each other; return the policy.

        Lists of statuses, land uses, constraint kinds, clusters and stages must hold the
        vocabularies' identifiers (a misspelt one would silently remove a rule); numbers must be
        finite and not negative, shares within 0..1, sizes and divisors above 0, whole numbers
        whole; text choices one of their options; and keys that depend on each other must agree
        (class shares summing to 1, a readiness delay for every supply status, essential
        principles that exist, a projected working CRS ...).

        Raises
        ------
        PolicyError
            One error listing every problem, each naming its key.
        """
        defaults = self._values if where == "<defaults>" else Policy._shipped()._values
        problems = _problems(self._values, defaults)
        if problems:
            lines = _lines([Message("out_policy_line", problem=p) for p in problems])
            raise PolicyError.of("policy_problems_in", n=len(problems), where=where, lines=lines)
        return self

    # access -------------------------------------------------------------------------------
    def __getattr__(self, key: str) -> Any:
        if key.startswith("_"):
            raise AttributeError(key)
        return Section("", self._values).__getattr__(key)

    def get(self, dotted: str) -> Any:
        """Return the value at a dotted key such as ``"control.coverage_min"``."""
        node: Any = self._values
        for part in dotted.split("."):
            if not isinstance(node, Mapping) or part not in node:
                raise PolicyError.of("policy_no_key", key=dotted)
            node = node[part]
        return Section(dotted, node) if isinstance(node, Mapping) else node

    def source(self, dotted: str) -> str:
        """Return the cited source of a value, falling back to its table's source."""
        parts = dotted.split(".")
        for end in range(len(parts), 0, -1):
            key = ".".join(parts[:end])
            if key in self._sources:
                return self._sources[key]
        return ""

    def table(self) -> pd.DataFrame:
        """Every value as rows of (key, value, source): the policy used, for reports."""
        rows = []

        def walk(node: Mapping[str, Any], prefix: str) -> None:
            for key, value in node.items():
                path = f"{prefix}{key}"
                if isinstance(value, Mapping):
                    walk(value, f"{path}.")
                else:
                    rows.append({"key": path, "value": value, "source": self.source(path)})

        walk(self._values, "")
        return pd.DataFrame(rows, columns=["key", "value", "source"])

    def to_dict(self) -> dict[str, Any]:
        """Return the values and sources as the nested dictionary the TOML file holds."""
        tree = copy.deepcopy(self._values)
        for dotted, text in self._sources.items():
            *parents, leaf = dotted.split(".")
            node = tree
            for part in parents:
                node = node.setdefault(part, {})
            node.setdefault(_SOURCES, {})[leaf] = text
        return tree

    def to_toml(self) -> str:
        """Serialise the policy, sources included, as TOML text that :meth:`from_toml` reads."""
        return tomli_w.dumps(self.to_dict())

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Policy):
            return NotImplemented
        return self._values == other._values and self._sources == other._sources

    def __hash__(self) -> int:
        return hash(self.to_toml())

    def __repr__(self) -> str:
        return f"Policy(sections={sorted(self._values)!r})"


@functools.cache
def _shipped_values() -> tuple[dict[str, Any], dict[str, str]]:
    values, sources = _split_sources(tomllib.loads(_DEFAULT_PATH.read_text(encoding="utf-8")))
    Policy(values, sources).validate(where="<defaults>")
    return values, sources


def _shipped_policy() -> Policy:
    values, sources = _shipped_values()
    return Policy(values, sources)
