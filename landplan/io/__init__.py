"""Reading and writing layers: every vector format GDAL reads, CSV and Excel.

One reader serves every format: :func:`read_layer` reads the file into a frame, then hands it to
:func:`landplan.validation.validate_layer`, so a layer from Excel is checked exactly like one from a
File Geodatabase. GDAL chooses the format (GeoPackage, Esri File Geodatabase, shapefile, zipped
or not, GeoJSON, FlatGeobuf, KML, GML, MapInfo ...); a small registry (:data:`ADAPTERS`) holds the
formats that need more than GDAL gives: CSV and Excel tables, GeoParquet, and CAD drawings (DXF,
see :mod:`landplan.io.dxf`). Shapefile text is decoded as its ``.cpg`` or DBF code page says, and
where neither says, as UTF-8 or GB18030, whichever the bytes are. A file that is not what it
claims (truncated, wrong layer name, wrong encoding) raises :class:`~landplan.errors.ReadError`
naming the file; a file with bad rows raises :class:`~landplan.errors.SchemaError` listing all of
them.

CSV and Excel files carry geometry either as WKT (a column ``geometry``, ``wkt`` or ``几何``) or
as point coordinates (``lon``/``lat``, ``longitude``/``latitude``, ``经度``/``纬度``). Their
coordinates are CGCS2000 longitude/latitude (policy ``crs.lonlat``) unless a CRS is named.
"""

from __future__ import annotations

from landplan.io.crs import likely_crs
from landplan.io.encoding import shapefile_encoding
from landplan.io.readers import ADAPTERS, TABLE_SUFFIXES, read_frame, read_layer
from landplan.io.zone import read_projects, read_zone, write_layer, write_layers, write_zone

__all__ = [
    "ADAPTERS",
    "TABLE_SUFFIXES",
    "likely_crs",
    "read_frame",
    "read_layer",
    "read_projects",
    "read_zone",
    "shapefile_encoding",
    "write_layer",
    "write_layers",
    "write_zone",
]
