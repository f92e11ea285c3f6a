"""Stand-ins for ``landplan.layers.validate_layer`` and ``landplan.io.read_layer``.

Installed only while those are not on this branch yet, so the store's tests can run; once they
are, ``install()`` does nothing and the real ones are used.
"""

from __future__ import annotations

import importlib.util
import sys
import types
from pathlib import Path

import numpy as np
import pandas as pd

import geopandas as gpd

_PKG = Path(__file__).resolve().parents[1] / "landplan"


def _validate_layer(gdf, layer, *, source=None, crs=None, policy=None, make_valid=False,
                    parcels=None):
    from landplan.policy import Policy

    spec = _layers.spec(layer)
    policy = policy or Policy.default()
    source = source or f"<{layer}>"
    if gdf is None:
        gdf = gpd.GeoDataFrame({c.name: [] for c in spec.columns}, geometry=[],
                               crs=policy.crs.working)
    gdf = gdf.rename(columns=spec.rename_map(gdf.columns)).copy()
    if not isinstance(gdf, gpd.GeoDataFrame):
        gdf = gpd.GeoDataFrame(gdf, geometry=[None] * len(gdf))
    if gdf.crs is None and crs is not None:
        gdf = gdf.set_crs(crs)
    gdf = gdf.to_crs(policy.crs.working)
    gdf = gdf.reset_index(drop=True)
    problems = []
    ids = gdf[spec.id_column].astype(object) if spec.id_column in gdf else None

    def fid(i):
        return str(ids.iloc[i]) if ids is not None and pd.notna(ids.iloc[i]) else f"row {i + 1}"

    for col in spec.columns:
        if col.derived:
            continue
        if col.name not in gdf:
            if col.required:
                problems.append(Problem(source, "*", col.name, "missing column", "the column"))
            gdf[col.name] = col.default
        s = gdf[col.name]
        if col.dtype == "vocab":
            out = []
            for i, v in enumerate(s.astype(object)):
                if v is None or (isinstance(v, float) and np.isnan(v)):
                    out.append(None)
                    continue
                n = col.vocab.normalise(v)
                if n is None:
                    problems.append(Problem(source, fid(i), col.name, f"unknown value {v!r}",
                                            f"one of {', '.join(col.vocab.values)}"))
                out.append(n)
            s = pd.Series(out, dtype=object)
        elif col.dtype in ("float", "int"):
            num = pd.to_numeric(s, errors="coerce")
            for i in np.flatnonzero((num.isna() & s.notna()).to_numpy()):
                problems.append(Problem(source, fid(i), col.name, f"not a number: {s.iloc[i]!r}",
                                        "a number"))
            for i in np.flatnonzero((num <= 0).to_numpy() if col.positive else []):
                problems.append(Problem(source, fid(i), col.name, f"{num.iloc[i]} <= 0",
                                        "a positive number"))
            s = num.astype("float64") if col.dtype == "float" else num.round().astype("Int64")
        elif col.dtype == "date":
            s = pd.to_datetime(s, errors="coerce").astype("datetime64[ns]")
        elif col.dtype == "bool":
            s = s.astype("boolean")
        else:
            s = pd.Series([None if pd.isna(v) else str(v) for v in s.astype(object)], dtype=object)
        if col.required:
            for i in np.flatnonzero(s.isna().to_numpy()):
                problems.append(Problem(source, fid(i), col.name, "empty", "a value"))
        gdf[col.name] = s.to_numpy() if s.dtype == object else s.array
    if problems:
        raise SchemaError(problems)
    area = gdf.geometry.area.to_numpy()
    for col in spec.columns:
        if col.derived and col.name in ("area_m2", "footprint_m2"):
            gdf[col.name] = area
        elif col.derived and col.name == "area_mu":
            gdf[col.name] = area / MU_M2
        elif col.derived and col.name == "length_m":
            gdf[col.name] = gdf.geometry.length.to_numpy()
    return gdf


def _read_layer(path, layer, *, crs=None, policy=None, make_valid=False, **kw):
    frame = gpd.read_file(path)
    return _validate_layer(frame, layer, source=str(path), crs=crs, policy=policy)


def install() -> None:
    global _layers, Problem, SchemaError, MU_M2
    if "landplan" not in sys.modules:
        # Import the package's modules without running its __init__ (which needs the
        # validator), patch, then run it.
        spec = importlib.util.spec_from_file_location(
            "landplan", _PKG / "__init__.py", submodule_search_locations=[str(_PKG)]
        )
        pkg = importlib.util.module_from_spec(spec)
        sys.modules["landplan"] = pkg
        import landplan.layers as _layers

        if not hasattr(_layers, "validate_layer"):
            _layers.validate_layer = _validate_layer
            _layers.validate_zone_layers = None
        spec.loader.exec_module(pkg)
    import landplan.layers as _layers
    from landplan.errors import Problem, SchemaError
    from landplan.units import MU_M2
    try:
        import landplan.io  # noqa: F401
    except ImportError:
        mod = types.ModuleType("landplan.io")
        mod.read_layer = _read_layer
        sys.modules["landplan.io"] = mod
