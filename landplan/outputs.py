"""Output files: names made from data ids, kept inside their folder, never replacing others.

A project id or a layer name comes from data, and data is never a path: :func:`output_path`
turns an id into one safe file name inside the output folder (no separators, no ``..``, no
device names, bounded length), and two ids that differ only in characters a file name cannot
hold still get two names. :func:`check_replace` refuses to overwrite a file that is not
landplan's own output of the same kind (a landplan store, a user's workbook, a symlink), so a
run can never delete data by writing a report.

Each workbook and GeoPackage landplan writes carries its kind (:data:`OUTPUT_MARK`): a custom
document property in XLSX, dataset metadata in a GeoPackage.

Examples
--------
>>> safe_stem("PJ-06")
'PJ-06'
>>> safe_stem("机械装备项目")
'机械装备项目'
>>> safe_stem("../../etc/passwd")
'etc_passwd-936d7c04'
"""

from __future__ import annotations

import hashlib
import os
import re
import sqlite3
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from xml.etree import ElementTree

from landplan.errors import Message, OutputError, WriteError

__all__ = ["OUTPUT_MARK", "check_replace", "output_path", "safe_stem", "writing"]

#: Name of the property (XLSX) or metadata item (GeoPackage) holding an output's kind.
OUTPUT_MARK = "landplan_output"

# A file name is at most 255 bytes on common file systems; an id's part stays well below.
_MAX_STEM_BYTES = 120
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10))} | {
    f"lpt{i}" for i in range(10)
}
_UNSAFE = re.compile(r"[^\w\-.]+")


def safe_stem(text: object) -> str:
    """Return a file-name part for an id: letters, digits, ``-``, ``_`` and ``.`` only.

    Unicode letters (Chinese included) are kept after NFKC normalisation. Anything else (path
    separators, ``..``, control and invisible characters, spaces) becomes ``_``; leading and
    trailing dots and underscores go. Where the id had to change, eight hex digits of its hash
    follow, so that ``a/b`` and ``a_b`` still name two files.

    Parameters
    ----------
    text
        The id (any value; it is turned into text).

    Returns
    -------
    str
        A non-empty name that is one path component on every common file system.
    """
    original = str(text)
    name = unicodedata.normalize("NFKC", original)
    name = "".join(c if unicodedata.category(c)[0] != "C" else "_" for c in name)
    name = _UNSAFE.sub("_", name)
    name = re.sub(r"_{2,}", "_", name).strip("._")
    while len(name.encode("utf-8")) > _MAX_STEM_BYTES:
        name = name[:-1]
    if name.split(".")[0].lower() in _RESERVED:
        name = f"{name}_"
    if name != original or not name:
        digest = hashlib.sha1(original.encode("utf-8", "surrogatepass")).hexdigest()[:8]
        name = f"{name}-{digest}" if name else f"id-{digest}"
    return name


def output_path(folder: str | os.PathLike, prefix: str, ident: object, suffix: str) -> Path:
    """Return ``folder/<prefix>_<safe id><suffix>``, checked to lie inside ``folder``.

    Parameters
    ----------
    folder
        The output folder (created if missing).
    prefix
        What the file holds (``match``, ``review``): landplan's own word, not data.
    ident
        The id from data the file is named after.
    suffix
        The file's suffix with its dot (``.xlsx``).

    Raises
    ------
    OutputError
        If the name would still lead outside the folder (a symlink in its place).
    """
    base = Path(folder)
    base.mkdir(parents=True, exist_ok=True)
    path = base / f"{prefix}_{safe_stem(ident)}{suffix}"
    if path.is_symlink() or path.resolve().parent != base.resolve():
        raise OutputError.of("out_outside_folder", path=path, base=base)
    return path


def check_replace(path: str | os.PathLike, kind: str, *, parts: Iterable[str] = ()) -> None:
    """Refuse to overwrite ``path`` unless it is landplan's own output of ``kind``.

    A missing file may be written. An existing one may be replaced only when it is a regular
    file (not a link, not a folder) and either carries the mark of ``kind`` or, written before
    outputs were marked, holds only the sheets or layers ``parts`` this output writes. A
    landplan store is never replaced.

    Parameters
    ----------
    path
        The file about to be written.
    kind
        The output's kind (``match``, ``review``, ``audit``, ``export`` ...).
    parts
        The sheet names (XLSX) or layer names (GeoPackage) the new file will hold.

    Raises
    ------
    OutputError
        Naming the file, what it is, and what to do; nothing has been written.
    """
    path = Path(path)
    if not path.exists() and not path.is_symlink():
        return
    if path.is_symlink() or not path.is_file():
        what = Message("out_is_link" if path.is_symlink() else "out_not_regular")
        raise _refuse(path, kind, what)
    suffix = path.suffix.lower()
    if suffix == ".gpkg":
        mark, names, store = _geopackage_contents(path)
        if store:
            raise _refuse(path, kind, Message("out_is_store"))
    elif suffix in (".xlsx", ".xlsm"):
        mark, names = _workbook_contents(path)
    else:
        return
    wanted = {str(p)[:31] if suffix != ".gpkg" else str(p) for p in parts}
    if mark == kind or (mark is None and names is not None and wanted and set(names) <= wanted):
        return
    what = Message("out_other_output", mark=mark) if mark else Message("out_not_output")
    raise _refuse(path, kind, what)


def _refuse(path: Path, kind: str, what: Message) -> OutputError:
    return OutputError.of("out_refuse_replace", path=path, kind=kind, what=what)


def _geopackage_contents(path: Path) -> tuple[str | None, list[str] | None, bool]:
    """Return (mark, table names, is a landplan store) of a GeoPackage, read without GDAL."""
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error:
        return None, None, False
    try:
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "landplan_meta" in tables:
            return None, None, True
        names = None
        if "gpkg_contents" in tables:
            names = [r[0] for r in con.execute("SELECT table_name FROM gpkg_contents")]
        mark = None
        if "gpkg_metadata" in tables:
            for (text,) in con.execute("SELECT metadata FROM gpkg_metadata"):
                mark = mark or _mark_in_gdal_metadata(text)
        return mark, names, False
    except sqlite3.Error:
        return None, None, False
    finally:
        con.close()


def _mark_in_gdal_metadata(text: str | None) -> str | None:
    try:
        root = ElementTree.fromstring(text or "")
    except ElementTree.ParseError:
        return None
    for item in root.iter("MDI"):
        if item.get("key") == OUTPUT_MARK:
            return item.text
    return None


def _workbook_contents(path: Path) -> tuple[str | None, list[str] | None]:
    """Return (mark, sheet names) of an XLSX file, read from its parts."""
    try:
        with zipfile.ZipFile(path) as book:
            names = book.namelist()
            mark = None
            if "docProps/custom.xml" in names:
                root = ElementTree.fromstring(book.read("docProps/custom.xml"))
                for prop in root:
                    if prop.get("name") == OUTPUT_MARK and len(prop):
                        mark = prop[0].text
            sheets = None
            if "xl/workbook.xml" in names:
                root = ElementTree.fromstring(book.read("xl/workbook.xml"))
                sheets = [e.get("name", "") for e in root.iter() if e.tag.endswith("}sheet")]
            return mark, sheets
    except (zipfile.BadZipFile, ElementTree.ParseError, KeyError, OSError):
        return None, None


@contextmanager
def writing(path: str | os.PathLike, *errors: type[Exception]) -> Iterator[Path]:
    """Write ``path`` inside the block; a failure of the file system becomes a WriteError.

    Parameters
    ----------
    path
        The file being written, named in the error.
    *errors
        Exceptions of a writing library that wrap the file system's (xlsxwriter's
        ``FileCreateError``), turned into a WriteError too.

    Raises
    ------
    WriteError
        Naming the file and the cause (no such folder, no permission, disk full ...).
    """
    target = Path(path)
    caught: tuple[type[Exception], ...] = (OSError, *errors)
    try:
        yield target
    except caught as exc:
        cause = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        raise WriteError.of("out_write_failed", path=target, cause=cause) from exc
