"""Writing layers, and a whole zone to and from one GeoPackage with its projects."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

import geopandas as gpd
import pyogrio
from pyogrio.errors import DataSourceError

from landplan._collector import making_many
from landplan.errors import ReadError, SchemaError
from landplan.layers import LAYERS
from landplan.outputs import check_replace
from landplan.policy import Policy

if TYPE_CHECKING:
    pass

from landplan.io.encoding import file_suffix, first_line
from landplan.io.readers import read_frame, read_layer


def write_layer(
    frame: pd.DataFrame,
    path: str | os.PathLike,
    *,
    layer: str | None = None,
    policy: Policy | None = None,
    append: bool = False,
    kind: str | None = None,
    style: str | None = None,
    encoding: str = "UTF-8",
) -> Path:
    """Write a layer to GeoPackage, shapefile, GeoJSON, CSV or Excel, chosen by the suffix.

    See :func:`landplan.io.export.write_layer`, which does the writing: GeoPackages keep the working
    CRS and carry QGIS aliases, coded values and styles; GeoJSON is RFC 7946 in WGS84; CSV and
    Excel carry the geometry as WKT in CGCS2000 longitude/latitude (policy ``crs.lonlat``),
    which :func:`read_layer` reads back by default.

    ``kind`` is what the file is (``match``, ``zone`` ...; ``layer`` by default), marked in a
    GeoPackage or workbook: an existing one is replaced only if it is landplan's output of that
    kind. ``style`` names the layer's QGIS style (a layer name, ``audit``, ``candidates``).
    """
    from landplan.io.export import write_layer as _write

    return _write(
        frame,
        path,
        layer=layer,
        kind=kind,
        style=style,
        policy=policy,
        append=append,
        encoding=encoding,
    )


def write_layers(
    layers: Mapping[str, pd.DataFrame],
    path: str | os.PathLike,
    *,
    kind: str | None = None,
    policy: Policy | None = None,
) -> Path:
    """Write a result's layers (:meth:`landplan.result.SpatialResult.layers`) into one GeoPackage.

    The first layer is always written, so the file exists; the others where they have rows.
    ``kind`` is marked in the file as by :func:`write_layer`.
    """
    target = Path(path)
    for i, (name, frame) in enumerate(layers.items()):
        if i == 0:
            write_layer(frame, target, layer=name, kind=kind, policy=policy)
        elif len(frame):
            write_layer(frame, target, layer=name, policy=policy, append=True)
    return target


@making_many()
def read_zone(
    path: str | os.PathLike,
    *,
    projects: str | os.PathLike | None = None,
    policy: Policy | None = None,
    make_valid: bool = False,
):
    """Read a zone from a GeoPackage whose layers are named after landplan's layers.

    Parameters
    ----------
    path
        A GeoPackage with some of the layers ``parcels``, ``buildings``, ``enterprises``,
        ``constraints``, ``corridors``, ``substations``, ``roads`` and ``projects``.
    projects
        A projects CSV/Excel file, where the projects are not in the GeoPackage.
    policy
        The zone's policy; the default policy where None.
    make_valid
        Repair invalid geometry instead of rejecting it.

    Returns
    -------
    Zone
        Every layer validated together (links between layers included).
    """
    from landplan.zone import Zone

    path = Path(path)
    policy = policy or Policy.default()
    if not path.exists():
        raise ReadError.of("read_no_file", path=path)
    try:
        available = {str(name) for name, _ in pyogrio.list_layers(path)}
    except (DataSourceError, OSError) as exc:
        raise ReadError.of("zone_not_gpkg", path=path, why=first_line(exc)) from exc
    frames: dict[str, pd.DataFrame] = {}
    sources: dict[str, str] = {}
    for name in LAYERS:
        if name in available:
            frames[name], _ = read_frame(path, name, source_layer=name, policy=policy)
            sources[name] = f"{path}:{name}"
    if projects is not None:
        frame, problems = read_frame(projects, "projects", policy=policy)
        if problems:
            raise SchemaError(problems)
        frames["projects"] = frame
        sources["projects"] = str(projects)
    if "parcels" not in frames:
        raise ReadError.of("zone_no_parcels", path=path, available=", ".join(sorted(available)))
    return Zone.from_layers(frames, policy=policy, source=sources, make_valid=make_valid)


def write_zone(
    zone, path: str | os.PathLike, *, layers: Mapping[str, pd.DataFrame] | None = None
) -> Path:
    """Write every non-empty layer of a zone into one GeoPackage (replacing the file)."""
    path = Path(path)
    chosen = layers or zone.layers()
    check_replace(path, "zone", parts=chosen)
    path.unlink(missing_ok=True)
    for name, frame in chosen.items():
        if len(frame):
            write_layer(frame, path, layer=name, policy=zone.policy, append=True, kind="zone")
    return path


def read_projects(
    path: str | os.PathLike,
    *,
    sheet: str | int | None = None,
    policy: Policy | None = None,
) -> gpd.GeoDataFrame | pd.DataFrame:
    """Read projects from a TOML file or a CSV/Excel table, validated as the projects layer.

    A TOML file holds one project as top-level keys or a ``[project]`` table, or several as
    ``[[projects]]`` tables; keys are column names in any accepted spelling (``land_mu_min`` or
    ``用地需求下限``).

    Parameters
    ----------
    path
        ``.toml``, ``.csv``, ``.xlsx`` or ``.xlsm`` file.
    sheet
        Excel sheet name or position (first sheet by default).
    policy
        Vocabularies and working CRS; the default policy where None.

    Raises
    ------
    ReadError
        If the file cannot be read or a TOML file holds no project.
    SchemaError
        Listing every bad value.
    """
    import tomllib

    path = Path(path)
    policy = policy or Policy.default()
    if file_suffix(path) != ".toml":
        return read_layer(path, "projects", sheet=sheet, policy=policy)
    try:
        tree = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ReadError.of("zone_not_toml", path=path, why=first_line(exc)) from exc
    if isinstance(tree.get("projects"), list):
        rows = tree["projects"]
    elif isinstance(tree.get("project"), Mapping):
        rows = [tree["project"]]
    else:
        rows = [tree]
    if not rows or not all(isinstance(r, Mapping) and r for r in rows):
        raise ReadError.of("zone_no_project", path=path)
    from landplan.validation import validate_layer

    return validate_layer(
        pd.DataFrame([dict(r) for r in rows]), "projects", source=str(path), policy=policy
    )
