"""Import profiles: how a delivered layer's fields and codes become a landplan layer.

A profile is a TOML file a user can copy and edit (``landplan/datasets/profiles/*.toml`` are the
built-in ones: ``dltb`` for the 三调 地类图斑, ``zd`` for cadastral 宗地, ``low_efficiency`` for a
low-efficiency survey layer, ``kg`` for a control-plan layer). It says

- which source fields fill which landplan columns (``[fields]``: ``parcel_id = "BSM"``, or a
  list of spellings, the first the source has being used: ``["BSM", "标识码"]``), and which may
  be missing from a delivery (``[optional_fields]``, the same form);
- how source codes map to landplan values (``[codes.tenure]``: ``10 = "state"``); a code not
  listed is reported, never guessed;
- the land-use scheme of the land-use code field (``land_use_scheme``, see :mod:`landplan.landuse`);
- values for what the source does not say (``[defaults]``: ``status = "occupied"``);
- the official area field and its unit, kept beside the area computed from the geometry, with the
  share they may differ by before a warning (``[area]``);
- checks between fields (``[check]``: the land-use name field against the code table's name).

Source fields the profile does not name are kept with the features (in the store's ``extra``).
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from landplan.errors import Code, Message, Problem, ReadError
from landplan.layers import spec
from landplan.units import MU_M2

__all__ = [
    "ImportProfile",
    "apply_profile",
    "area_discrepancies",
    "builtin_profiles",
    "load_profile",
]

#: Columns a profile may fill besides the layer's own: the land-use code and the official area.
_EXTRA_TARGETS = ("land_use_code", "land_use_scheme", "official_area_m2")
_AREA_UNITS = {"m2": 1.0, "mu": MU_M2, "ha": 10_000.0}
_SECTIONS = {"profile", "fields", "optional_fields", "codes", "defaults", "area", "check"}
_PROFILE_KEYS = {"id", "zh", "en", "layer", "source_layers", "land_use_scheme", "description"}


@dataclass(frozen=True)
class ImportProfile:
    """A parsed import profile; see the module docstring for the file's sections."""

    id: str
    zh: str
    en: str
    layer: str
    fields: dict[str, tuple[str, ...]]
    optional_fields: frozenset[str] = frozenset()
    codes: dict[str, dict[str, str]] = field(default_factory=dict)
    defaults: dict[str, Any] = field(default_factory=dict)
    source_layers: tuple[str, ...] = ()
    land_use_scheme: str | None = None
    area_unit: str = "m2"
    area_tolerance_share: float | None = None
    land_use_name_field: tuple[str, ...] = ()
    path: str = ""


def builtin_profiles() -> dict[str, Path]:
    """Return the built-in profiles by id, with the file each is read from."""
    folder = resources.files("landplan.datasets").joinpath("profiles")
    return {
        Path(entry.name).stem: Path(str(entry))
        for entry in folder.iterdir()
        if entry.name.endswith(".toml")
    }


def load_profile(name: str | os.PathLike) -> ImportProfile:
    """Read a built-in profile by id (``dltb``) or a profile file, checking every key.

    Raises
    ------
    ReadError
        If the profile is unknown or its file is not a valid profile; the message lists every
        problem.
    """
    builtin = builtin_profiles()
    path = builtin.get(str(name)) or Path(name)
    if not path.exists():
        raise ReadError.of(
            "plan_no_profile",
            name=str(name),
            builtin=", ".join(sorted(builtin)),
            builtin_zh="、".join(sorted(builtin)),
        )
    try:
        tree = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ReadError.of("plan_profile_unreadable", path=path, why=exc) from exc
    return _parse(tree, path)


def _parse(tree: dict[str, Any], path: Path) -> ImportProfile:
    errors: list[Message] = []
    errors += [Message("plan_profile_section", key=k) for k in tree if k not in _SECTIONS]
    head = tree.get("profile", {})
    errors += [Message("plan_profile_key", key=k) for k in head if k not in _PROFILE_KEYS]
    layer_name = str(head.get("layer", ""))
    try:
        layer = spec(layer_name)
    except ValueError:
        errors.append(Message("plan_profile_layer", name=layer_name))
        layer = None
    known = set(layer.names if layer else ()) | set(_EXTRA_TARGETS)
    fields = {str(k): _candidates(v) for k, v in tree.get("fields", {}).items()}
    optional = {str(k): _candidates(v) for k, v in tree.get("optional_fields", {}).items()}
    errors += [Message("plan_profile_both", key=k) for k in optional.keys() & fields.keys()]
    fields |= {k: v for k, v in optional.items() if k not in fields}
    errors += [Message("plan_profile_field_names", key=k) for k, v in fields.items() if not v]
    of_layer = Code(layer_name, of="layer")
    errors += [
        Message("plan_profile_not_column", section="fields", key=k, layer=of_layer)
        for k in fields
        if k not in known
    ]
    if layer is not None and layer.id_column not in fields:
        column = layer.id_column
        errors.append(Message("plan_profile_no_id", name=column, column=Code(column)))
    codes = {
        str(target): {_key(k): str(v) for k, v in table.items()}
        for target, table in tree.get("codes", {}).items()
        if isinstance(table, dict)
    }
    errors += [Message("plan_profile_codes", key=t) for t in codes if t not in fields]
    defaults = dict(tree.get("defaults", {}))
    errors += [
        Message("plan_profile_not_column", section="defaults", key=k, layer=of_layer)
        for k in defaults
        if k not in known
    ]
    area = tree.get("area", {})
    unit = str(area.get("unit", "m2"))
    if unit not in _AREA_UNITS:
        errors.append(Message("plan_profile_unit", unit=unit, units=", ".join(_AREA_UNITS)))
    tolerance = area.get("tolerance_share")
    if tolerance is not None and not (
        isinstance(tolerance, int | float) and 0 <= float(tolerance) < 1
    ):
        errors.append(Message("plan_profile_share", share=tolerance))
    scheme_name = head.get("land_use_scheme")
    if scheme_name is not None:
        from landplan.landuse import scheme

        try:
            scheme_name = scheme(scheme_name).id
        except ValueError as exc:
            errors.append(Message("plan_profile_scheme", why=exc.args[0]))
    if errors:
        listed = Code(errors, sep=("\n  ", "\n  "))
        raise ReadError.of("plan_profile_invalid", path=path, errors=listed)
    return ImportProfile(
        id=str(head.get("id", path.stem)),
        zh=str(head.get("zh", path.stem)),
        en=str(head.get("en", path.stem)),
        layer=layer_name,
        fields=fields,
        optional_fields=frozenset(optional),
        codes=codes,
        defaults=defaults,
        source_layers=tuple(str(s) for s in head.get("source_layers", ())),
        land_use_scheme=scheme_name,
        area_unit=unit,
        area_tolerance_share=None if tolerance is None else float(tolerance),
        land_use_name_field=_candidates(tree.get("check", {}).get("land_use_name", ())),
        path=str(path),
    )


def _candidates(value: object) -> tuple[str, ...]:
    """Read a field entry: one name, or a list of spellings of which the first found is used."""
    if isinstance(value, str):
        return (value,) if value.strip() else ()
    if isinstance(value, list | tuple) and all(isinstance(v, str) and v.strip() for v in value):
        return tuple(value)
    return ()


def _key(value: object) -> str:
    """Write a code as text: 10, 10.0 and "10" are the same code."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _text(values: pd.Series) -> pd.Series:
    """Values as stripped text (None where empty), each distinct value converted once."""
    if pd.api.types.infer_dtype(values, skipna=True) in ("string", "empty"):
        text = values.astype("string").str.strip()
        text = text.mask(text == "")
        return text.astype(object).where(text.notna(), None)
    table = {v: None if pd.isna(v) else _key(v) or None for v in pd.unique(values.dropna())}
    return values.map(table).astype(object).where(values.notna(), None)


def apply_profile(
    frame: pd.DataFrame, profile: ImportProfile, *, source: str
) -> tuple[pd.DataFrame, list[Problem], list[Problem]]:
    """Turn a source frame into the profile's layer columns, before validation.

    Parameters
    ----------
    frame
        The layer as read from the file.
    profile
        The profile to apply.
    source
        The file's name, for messages.

    Returns
    -------
    frame, problems, notices
        The frame with landplan's columns (source fields the profile does not map kept beside
        them), the problems that refuse the import (a field missing, a code not in the
        profile's table), and notices (a land-use name that disagrees with its code).
    """
    folded = {str(c).strip().lower(): c for c in frame.columns}
    problems: list[Problem] = []
    chosen = {t: _present(names, folded) for t, names in profile.fields.items()}
    for target, names in profile.fields.items():
        if chosen[target] is None and target not in profile.optional_fields:
            expected = Message(
                "plan_field_of_profile",
                spelled=" or ".join(repr(n) for n in names),
                spelled_zh="或".join(f"「{n}」" for n in names),
                profile=profile.id,
                target=Code(target),
                columns=", ".join(map(str, frame.columns[:20])),
            )
            problems.append(Problem(source, "*", names[0], Message("plan_field_missing"), expected))
    if problems:
        return frame, problems, []
    chosen = {t: c for t, c in chosen.items() if c is not None}
    layer = spec(profile.layer)
    labels = _labels(frame, chosen[layer.id_column])
    out = pd.DataFrame(index=frame.index)
    for target, field_name in chosen.items():
        column = frame[field_name]
        if target in profile.codes:
            column = _map_codes(column, target, field_name, profile, source, labels, problems)
        out[target] = column
    for target, value in profile.defaults.items():
        if target not in out:
            out[target] = value
        else:
            out[target] = out[target].where(out[target].notna(), value)
    if profile.land_use_scheme is not None and "land_use_code" in out:
        out["land_use_scheme"] = profile.land_use_scheme
    if "official_area_m2" in out:
        area = pd.to_numeric(_text(out["official_area_m2"]), errors="coerce")
        out["official_area_m2"] = area * _AREA_UNITS[profile.area_unit]
    notices = _name_check(frame, out, folded, profile, source, labels)
    used = set(chosen.values())
    spellings = {s.lower() for c in layer.columns for s in c.spellings}
    keep = [
        c
        for c in frame.columns
        if c not in used and str(c).lower() not in spellings and c != _geometry_name(frame)
    ]
    kept = pd.concat([out, frame[keep]], axis=1)
    kept.attrs["source_fields"] = {t: str(c) for t, c in chosen.items()}
    geometry = _geometry_name(frame)
    if geometry is not None:
        import geopandas as gpd

        kept = gpd.GeoDataFrame(kept, geometry=frame.geometry, crs=frame.crs)
        kept.attrs["source_fields"] = {t: str(c) for t, c in chosen.items()}
    return kept, problems, notices


def _present(names: tuple[str, ...], folded: dict[str, Any]) -> Any:
    """Return the source column of the first of ``names`` the frame has (any case), or None."""
    return next((folded[n.lower()] for n in names if n.lower() in folded), None)


def _geometry_name(frame: pd.DataFrame) -> str | None:
    name = getattr(frame, "_geometry_column_name", None)
    return name if name in frame.columns else None


def _labels(frame: pd.DataFrame, id_field: str) -> np.ndarray:
    ids = _text(frame[id_field]).to_numpy(dtype=object)
    rows = np.array([f"row {i + 1}" for i in range(len(frame))], dtype=object)
    return np.where(pd.isna(ids), rows, ids)


def _map_codes(
    column: pd.Series,
    target: str,
    field_name: str,
    profile: ImportProfile,
    source: str,
    labels: np.ndarray,
    problems: list[Problem],
) -> pd.Series:
    table = profile.codes[target]
    text = _text(column)
    mapped = text.map(lambda v: None if v is None else table.get(v))
    unknown = (text.notna() & mapped.isna()).to_numpy()
    rows = np.flatnonzero(unknown)
    if not len(rows):
        return mapped
    from landplan.labels import value_label

    expected = Message(
        "plan_code_in_profile",
        listed=", ".join(f"{k} → {v}" for k, v in table.items()),
        listed_zh="、".join(f"{k} → {value_label(target, v)}" for k, v in table.items()),
        key=target,
    )
    # One message per code not in the table, however many rows hold it.
    said: dict[object, Message] = {}
    for i in rows:
        value = text.iloc[i]
        if value not in said:
            said[value] = Message(
                "plan_code_not_in_profile",
                field=field_name,
                value=value,
                profile=profile.id,
                target=Code(target),
            )
        problems.append(Problem(source, str(labels[i]), field_name, said[value], expected))
    return mapped


def _name_check(
    frame: pd.DataFrame,
    out: pd.DataFrame,
    folded: dict[str, Any],
    profile: ImportProfile,
    source: str,
    labels: np.ndarray,
) -> list[Problem]:
    found = _present(profile.land_use_name_field, folded)
    if found is None or "land_use_code" not in out:
        return []
    name_field = str(found)
    if profile.land_use_scheme is None:
        return []
    from landplan.landuse import SCHEMES

    order = {str(label): k for k, label in enumerate(labels)}
    chosen = SCHEMES[profile.land_use_scheme]
    pairs = pd.DataFrame(
        {
            "code": _text(out["land_use_code"]).to_numpy(dtype=object),
            "name": _text(frame[found]).to_numpy(dtype=object),
        }
    )
    notices = []
    for (code_text, name), rows in pairs.dropna().groupby(["code", "name"]).indices.items():
        code = chosen.lookup(code_text)
        if code is None or code.zh == name:
            continue
        problem = Message("plan_name_not_code", field=name_field, name=name, code=code.describe())
        expected = Message("plan_name_or_code", zh=code.zh, name=name)
        notices += [Problem(source, str(labels[i]), name_field, problem, expected) for i in rows]
    return sorted(notices, key=lambda n: order.get(n.feature, 0)) if notices else []


def area_discrepancies(
    frame: pd.DataFrame,
    profile: ImportProfile,
    *,
    source: str,
    id_column: str,
    field_name: str | None = None,
) -> tuple[pd.DataFrame, list[Problem]]:
    """Compare the official area with the area computed from the geometry.

    Adds ``area_discrepancy_share`` (computed / official − 1) beside ``official_area_m2``, and
    returns a notice for every feature where it exceeds the profile's ``area.tolerance_share``.
    """
    if "official_area_m2" not in frame or "area_m2" not in frame:
        return frame, []
    official = pd.to_numeric(frame["official_area_m2"], errors="coerce").astype("float64")
    computed = frame["area_m2"].astype("float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(official > 0, computed / official - 1.0, np.nan)
    out = frame.copy()
    out["official_area_m2"] = official
    out["area_discrepancy_share"] = share
    tol = profile.area_tolerance_share
    if tol is None:
        return out, []
    far = np.flatnonzero(np.nan_to_num(np.abs(share), nan=0.0) > tol)
    field_name = field_name or profile.fields.get("official_area_m2", ("official_area_m2",))[0]
    within = Message("plan_area_within", tolerance=tol, profile=profile.id)
    notices = [
        Problem(
            source,
            str(frame[id_column].iat[i]),
            field_name,
            Message(
                "plan_area_differs",
                official=official.iat[i],
                computed=computed.iat[i],
                share=share[i],
            ),
            within,
        )
        for i in far
    ]
    return out, notices
