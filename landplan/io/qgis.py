"""What makes a GeoPackage open in QGIS ready to read: aliases, coded values and a default style.

:func:`describe_layer` adds to a GeoPackage layer written by GDAL:

- each column's Chinese alias and its description in ``gpkg_data_columns`` (the GeoPackage
  schema extension; GDAL reads them as field alternative names and comments, QGIS shows the
  alias in the attribute table and forms);
- every enumeration column's values with their Chinese labels as a coded-value list
  (``gpkg_data_column_constraints`` of type ``enum``; GDAL reads them as coded field domains);
- a default style in ``layer_styles``, the table QGIS reads when it opens a layer: a rule-based
  renderer in QML (with the aliases and value maps of the fields) and the same rules as SLD 1.1,
  for parcels and buildings by status, constraints by kind, the audit's parcels by finding, and
  candidate sites by kind. Colours are the maps' (:mod:`landplan.maps`), labels the registry's
  (:mod:`landplan.labels`).

Only Python's ``sqlite3`` is used; the tables are created as the GeoPackage 1.2 specification
and QGIS define them.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final
from xml.sax.saxutils import escape, quoteattr

import pandas as pd

from landplan import labels
from landplan.layers import LAYERS

__all__ = ["STYLED_KINDS", "Rule", "describe_layer", "style_rules"]

_SCHEMA_EXTENSION = "http://www.geopackage.org/spec120/#extension_schema"

_DDL = (
    """CREATE TABLE IF NOT EXISTS gpkg_extensions (
        table_name TEXT, column_name TEXT, extension_name TEXT NOT NULL,
        definition TEXT NOT NULL, scope TEXT NOT NULL,
        CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name))""",
    """CREATE TABLE IF NOT EXISTS gpkg_data_columns (
        table_name TEXT NOT NULL, column_name TEXT NOT NULL, name TEXT, title TEXT,
        description TEXT, mime_type TEXT, constraint_name TEXT,
        CONSTRAINT pk_gdc PRIMARY KEY (table_name, column_name),
        CONSTRAINT gdc_tn UNIQUE (table_name, name))""",
    """CREATE TABLE IF NOT EXISTS gpkg_data_column_constraints (
        constraint_name TEXT NOT NULL, constraint_type TEXT NOT NULL, value TEXT,
        min NUMERIC, min_is_inclusive BOOLEAN, max NUMERIC, max_is_inclusive BOOLEAN,
        description TEXT,
        CONSTRAINT gdcc_ntv UNIQUE (constraint_name, constraint_type, value))""",
    """CREATE TABLE IF NOT EXISTS layer_styles (
        id INTEGER PRIMARY KEY AUTOINCREMENT, f_table_catalog TEXT(256),
        f_table_schema TEXT(256), f_table_name TEXT(256), f_geometry_column TEXT(256),
        styleName TEXT(30), styleQML TEXT, styleSLD TEXT, useAsDefault BOOLEAN,
        description TEXT, owner TEXT(30), ui TEXT(30),
        update_time DATETIME DEFAULT CURRENT_TIMESTAMP)""",
)


@dataclass(frozen=True)
class Rule:
    """One class of a style: its label, colour, and the column values it takes (any of them)."""

    label: str
    colour: str
    where: tuple[tuple[str, object], ...] = ()

    @property
    def is_else(self) -> bool:
        """Whether the rule takes every feature the others do not."""
        return not self.where


#: The layer kinds given a default style.
STYLED_KINDS: Final = ("parcels", "buildings", "constraints", "audit", "candidates")

_OTHER_GREY = "#bdbdbd"


def _guess_kind(layer: str, frame: pd.DataFrame) -> str | None:
    if layer in LAYERS:
        return layer
    if "idle_state" in frame.columns and "low_efficiency" in frame.columns:
        return "audit"
    if "candidate_id" in frame.columns and "kind" in frame.columns:
        return "candidates"
    return None


def style_rules(kind: str, frame: pd.DataFrame) -> tuple[str, list[Rule]]:
    """Return a layer kind's style: its name and rules (the last one catches the rest)."""
    from landplan import maps

    zh: labels.Lang = "zh"
    if kind in ("parcels", "buildings") and "status" in frame.columns:
        colours = maps.PARCEL_COLOURS if kind == "parcels" else maps.BUILDING_COLOURS
        rules = [
            Rule(str(labels.value_label("status", s, zh)), c, (("status", s),))
            for s, c in colours.items()
        ]
        return "按状态", [*rules, Rule("其他", _OTHER_GREY)]
    if kind == "constraints" and "kind" in frame.columns:
        rules = [
            Rule(str(labels.value_label("kind", k, zh)), c, (("kind", k),))
            for k, c in maps.CONSTRAINT_COLOURS.items()
        ]
        return "按类型", [*rules, Rule("其他", _OTHER_GREY)]
    if kind == "audit":
        return "闲置与低效", [
            Rule("可无偿收回", "#67000d", (("idle_state", "recoverable"),)),
            Rule("已认定闲置", "#d7191c", (("idle_state", "idle"),)),
            Rule("低效用地", "#fdae61", (("low_efficiency", 1),)),
            Rule("其他", "#e0e0e0"),
        ]
    if kind == "candidates" and "kind" in frame.columns:
        rules = [
            Rule(str(labels.value_label("kind", k, zh)), c, (("kind", k),))
            for k, c in maps.KIND_COLOURS.items()
        ]
        return "按候选类型", [*rules, Rule("其他", _OTHER_GREY)]
    return "", []


def _vocabulary(kind: str | None, column: str) -> dict[str, str] | None:
    """Return the values of an enumeration column with their Chinese labels, or None."""
    spec = LAYERS.get(kind or "")
    vocab = spec.column(column).vocab if spec is not None and column in spec.names else None
    if vocab is not None:
        return {v: vocab.label(v, "zh") for v in vocab.values}
    domain = labels.VALUE_COLUMNS.get(column)
    if domain is None or domain == "boolean":
        return None
    return labels.value_labels(domain, "zh")


def _description(kind: str | None, column: str) -> str | None:
    spec = LAYERS.get(kind or "")
    if spec is not None and column in spec.names:
        return spec.column(column).description or None
    return None


def describe_layer(
    path: str | os.PathLike, layer: str, frame: pd.DataFrame, *, kind: str | None = None
) -> None:
    """Add aliases, coded-value lists and a default style to a GeoPackage layer.

    Parameters
    ----------
    path
        The GeoPackage, holding ``layer`` as GDAL wrote it.
    layer
        The layer's table name.
    frame
        The frame written (its columns and values).
    kind
        What the layer is (a landplan layer name, ``audit`` or ``candidates``); guessed from
        the layer's name and columns where None.
    """
    kind = kind or _guess_kind(layer, frame)
    columns = [str(c) for c in frame.columns if c != getattr(frame, "_geometry_column_name", None)]
    with sqlite3.connect(path) as conn:
        for ddl in _DDL[:-1]:
            conn.execute(ddl)
        for table in ("gpkg_data_columns", "gpkg_data_column_constraints"):
            conn.execute(
                "INSERT OR IGNORE INTO gpkg_extensions VALUES (?, NULL, 'gpkg_schema', ?, "
                "'read-write')",
                (table, _SCHEMA_EXTENSION),
            )
        names: set[str] = set()
        maps_of: dict[str, dict[str, str]] = {}
        for column in columns:
            alias = labels.column_label(column, "zh")
            if alias in names or alias == column:
                alias = f"{alias}（{column}）" if alias != column else column
            names.add(alias)
            values = _vocabulary(kind, column)
            constraint = None
            if values:
                constraint = f"{layer}_{column}"
                maps_of[column] = values
                conn.executemany(
                    "INSERT OR REPLACE INTO gpkg_data_column_constraints (constraint_name, "
                    "constraint_type, value, description) VALUES (?, 'enum', ?, ?)",
                    [(constraint, v, label) for v, label in values.items()],
                )
            conn.execute(
                "INSERT OR REPLACE INTO gpkg_data_columns (table_name, column_name, name, "
                "title, description, constraint_name) VALUES (?, ?, ?, ?, ?, ?)",
                (layer, column, alias, alias, _description(kind, column), constraint),
            )
        row = conn.execute(
            "SELECT column_name, geometry_type_name FROM gpkg_geometry_columns WHERE table_name=?",
            (layer,),
        ).fetchone()
        style_name, rules = style_rules(kind, frame) if kind else ("", [])
        if row and rules:
            geometry_column, geometry_type = row
            qml = _qml(rules, geometry_type, columns, maps_of)
            sld = _sld(layer, style_name, rules, geometry_type)
            # Created only with a style: GDAL lists layer_styles as a table of the file.
            conn.execute(_DDL[-1])
            conn.execute(
                "DELETE FROM layer_styles WHERE f_table_name=? AND styleName=?",
                (layer, style_name),
            )
            conn.execute("UPDATE layer_styles SET useAsDefault=0 WHERE f_table_name=?", (layer,))
            conn.execute(
                "INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name, "
                "f_geometry_column, styleName, styleQML, styleSLD, useAsDefault, description, "
                "owner, ui) VALUES ('', '', ?, ?, ?, ?, ?, 1, ?, '', '')",
                (layer, geometry_column, style_name, qml, sld, f"landplan: {style_name}"),
            )


# --- QML and SLD ---------------------------------------------------------------------------------


def _family(geometry_type: str) -> str:
    upper = geometry_type.upper()
    if "POINT" in upper:
        return "marker"
    if "LINE" in upper:
        return "line"
    return "fill"


def _rgba(colour: str, alpha: int = 255) -> str:
    colour = colour.lstrip("#")
    r, g, b = (int(colour[i : i + 2], 16) for i in (0, 2, 4))
    return f"{r},{g},{b},{alpha}"


def _literal(value: object) -> str:
    if isinstance(value, int | float):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


def _expression(rule: Rule) -> str:
    return " OR ".join(f'"{c}" = {_literal(v)}' for c, v in rule.where)


def _qml_symbol(index: int, family: str, colour: str) -> str:
    if family == "fill":
        layer = (
            '<layer class="SimpleFill" enabled="1" locked="0" pass="0"><Option type="Map">'
            f'<Option type="QString" name="color" value="{_rgba(colour, 190)}"/>'
            '<Option type="QString" name="outline_color" value="60,60,60,255"/>'
            '<Option type="QString" name="outline_width" value="0.2"/>'
            '<Option type="QString" name="outline_width_unit" value="MM"/>'
            '<Option type="QString" name="style" value="solid"/></Option></layer>'
        )
    elif family == "line":
        layer = (
            '<layer class="SimpleLine" enabled="1" locked="0" pass="0"><Option type="Map">'
            f'<Option type="QString" name="line_color" value="{_rgba(colour)}"/>'
            '<Option type="QString" name="line_width" value="0.6"/>'
            '<Option type="QString" name="line_width_unit" value="MM"/></Option></layer>'
        )
    else:
        layer = (
            '<layer class="SimpleMarker" enabled="1" locked="0" pass="0"><Option type="Map">'
            f'<Option type="QString" name="color" value="{_rgba(colour)}"/>'
            '<Option type="QString" name="name" value="circle"/>'
            '<Option type="QString" name="size" value="2.6"/>'
            '<Option type="QString" name="outline_color" value="35,35,35,255"/></Option></layer>'
        )
    return f'<symbol type="{family}" name="{index}" alpha="1" clip_to_extent="1">{layer}</symbol>'


def _qml(
    rules: Sequence[Rule],
    geometry_type: str,
    columns: Sequence[str],
    value_maps: dict[str, dict[str, str]],
) -> str:
    family = _family(geometry_type)
    rule_xml, symbols = [], []
    for i, rule in enumerate(rules):
        test = "ELSE" if rule.is_else else _expression(rule)
        rule_xml.append(
            f"<rule key={quoteattr(f'r{i}')} symbol={quoteattr(str(i))} "
            f"label={quoteattr(rule.label)} filter={quoteattr(test)}/>"
        )
        symbols.append(_qml_symbol(i, family, rule.colour))
    fields = []
    for column in columns:
        widget = '<editWidget type="TextEdit"><config><Option/></config></editWidget>'
        if column in value_maps:
            entries = "".join(
                f'<Option type="Map"><Option type="QString" name={quoteattr(label)} '
                f"value={quoteattr(value)}/></Option>"
                for value, label in value_maps[column].items()
            )
            widget = (
                '<editWidget type="ValueMap"><config><Option type="Map">'
                f'<Option type="List" name="map">{entries}</Option></Option></config></editWidget>'
            )
        fields.append(f'<field name={quoteattr(column)} configurationFlags="None">{widget}</field>')
    aliases = "".join(
        f"<alias field={quoteattr(c)} index={quoteattr(str(i))} "
        f"name={quoteattr(labels.column_label(c, 'zh'))}/>"
        for i, c in enumerate(columns)
    )
    return (
        "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
        '<qgis version="3.28.0" styleCategories="Symbology|Fields|Forms">'
        '<renderer-v2 type="RuleRenderer" symbollevels="0" enableorderby="0" forceraster="0">'
        f'<rules key="root">{"".join(rule_xml)}</rules>'
        f"<symbols>{''.join(symbols)}</symbols></renderer-v2>"
        f"<fieldConfiguration>{''.join(fields)}</fieldConfiguration>"
        f"<aliases>{aliases}</aliases></qgis>\n"
    )


def _sld_filter(rule: Rule) -> str:
    def equal(column: str, value: object) -> str:
        return (
            "<ogc:PropertyIsEqualTo>"
            f"<ogc:PropertyName>{escape(column)}</ogc:PropertyName>"
            f"<ogc:Literal>{escape(str(value))}</ogc:Literal></ogc:PropertyIsEqualTo>"
        )

    if rule.is_else:
        return "<se:ElseFilter/>"
    tests = [equal(c, v) for c, v in rule.where]
    body = tests[0] if len(tests) == 1 else f"<ogc:Or>{''.join(tests)}</ogc:Or>"
    return f"<ogc:Filter>{body}</ogc:Filter>"


def _sld_symbolizer(family: str, colour: str) -> str:
    if family == "fill":
        return (
            "<se:PolygonSymbolizer><se:Fill>"
            f'<se:SvgParameter name="fill">{colour}</se:SvgParameter>'
            '<se:SvgParameter name="fill-opacity">0.75</se:SvgParameter></se:Fill>'
            '<se:Stroke><se:SvgParameter name="stroke">#3c3c3c</se:SvgParameter>'
            '<se:SvgParameter name="stroke-width">0.5</se:SvgParameter></se:Stroke>'
            "</se:PolygonSymbolizer>"
        )
    if family == "line":
        return (
            "<se:LineSymbolizer><se:Stroke>"
            f'<se:SvgParameter name="stroke">{colour}</se:SvgParameter>'
            '<se:SvgParameter name="stroke-width">2</se:SvgParameter>'
            "</se:Stroke></se:LineSymbolizer>"
        )
    return (
        "<se:PointSymbolizer><se:Graphic><se:Mark><se:WellKnownName>circle</se:WellKnownName>"
        f'<se:Fill><se:SvgParameter name="fill">{colour}</se:SvgParameter></se:Fill></se:Mark>'
        "<se:Size>8</se:Size></se:Graphic></se:PointSymbolizer>"
    )


def _sld(layer: str, style_name: str, rules: Sequence[Rule], geometry_type: str) -> str:
    family = _family(geometry_type)
    body = "".join(
        f"<se:Rule><se:Name>{escape(rule.label)}</se:Name>"
        f"<se:Description><se:Title>{escape(rule.label)}</se:Title></se:Description>"
        f"{_sld_filter(rule)}{_sld_symbolizer(family, rule.colour)}</se:Rule>"
        for rule in rules
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<StyledLayerDescriptor version="1.1.0" xmlns="http://www.opengis.net/sld" '
        'xmlns:ogc="http://www.opengis.net/ogc" xmlns:se="http://www.opengis.net/se" '
        'xmlns:xlink="http://www.w3.org/1999/xlink" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xsi:schemaLocation="http://www.opengis.net/sld '
        'http://schemas.opengis.net/sld/1.1.0/StyledLayerDescriptor.xsd">'
        f"<NamedLayer><se:Name>{escape(layer)}</se:Name><UserStyle>"
        f"<se:Name>{escape(style_name)}</se:Name><se:FeatureTypeStyle>{body}"
        "</se:FeatureTypeStyle></UserStyle></NamedLayer></StyledLayerDescriptor>\n"
    )
