"""The text encoding of shapefiles: the ``.cpg``, the DBF code page, else what the bytes are."""

from __future__ import annotations

import codecs
import os
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from landplan.errors import Message, ReadError

if TYPE_CHECKING:
    pass


def file_suffix(path: Path) -> str:
    """Return a file's suffix in lower case."""
    return path.suffix.lower()


def first_line(exc: BaseException) -> str:
    """Return the first line of an error message."""
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


#: DBF language driver ids (byte 29 of the header) and the code page each names. 0x57 is "ANSI":
#: the writer's system code page, which the file does not record, so it is detected like 0x00.
_LDID = {
    0x01: "cp437",
    0x02: "cp850",
    0x03: "cp1252",
    0x4D: "GB18030",
    0x4E: "cp949",
    0x4F: "big5",
    0x50: "cp874",
    0x58: "cp1252",
    0x59: "cp1252",
    0x64: "cp852",
    0x65: "cp866",
    0x78: "big5",
    0x79: "cp949",
    0x7A: "GB18030",
    0x7B: "cp932",
    0xC8: "cp1250",
    0xC9: "cp1251",
    0xCA: "cp1254",
    0xCB: "cp1253",
}


_UNSAID_LDID = (0x00, 0x57)


KNOWN_ENCODINGS = "expected an encoding such as UTF-8, GBK or GB18030"


#: Code page numbers a .cpg may hold instead of a name.
_CODE_PAGES = {"936": "GB18030", "54936": "GB18030", "65001": "UTF-8", "950": "big5"}


def _codec(name: str) -> str | None:
    """Python's codec for an encoding name as .cpg files write it (``UTF-8``, ``GBK``, ``936``)."""
    text = name.strip().strip("\x00").strip()
    key = text.upper().replace("ANSI", "").replace("CP", "").strip(" _-")
    if key in _CODE_PAGES:
        return _CODE_PAGES[key]
    if text.upper() in ("GBK", "GB2312", "GB18030", "CP936"):
        # GB18030 decodes every GBK and GB2312 byte sequence the same way, and more.
        return "GB18030"
    try:
        return codecs.lookup(text).name
    except LookupError:
        try:
            return codecs.lookup(f"cp{key}").name
        except LookupError:
            return None


def _dbf_text(data: bytes) -> tuple[int, bytes]:
    """Return the DBF's language id and the bytes of its field names and text fields."""
    if len(data) < 32:
        return 0, b""
    ldid = data[29]
    n_records = int.from_bytes(data[4:8], "little")
    header_len = int.from_bytes(data[8:10], "little")
    record_len = int.from_bytes(data[10:12], "little")
    names: list[bytes] = []
    slices: list[tuple[int, int]] = []
    offset = 1  # the deletion flag
    for start in range(32, max(header_len - 1, 32), 32):
        desc = data[start : start + 32]
        if len(desc) < 32 or desc[0] == 0x0D:
            break
        names.append(desc[:11].split(b"\x00")[0])
        kind, length = chr(desc[11]), desc[16]
        if kind in "CM":
            slices.append((offset, offset + length))
        offset += length
    body = np.frombuffer(data, dtype=np.uint8, offset=header_len)
    n = min(n_records, len(body) // record_len) if record_len else 0
    records = body[: n * record_len].reshape(n, record_len) if n else body[:0].reshape(0, 1)
    text = b"\n".join([*names, *(records[:, a:b].tobytes() for a, b in slices)])
    return ldid, text


def _decodes(text: bytes, codec: str) -> bool:
    try:
        text.decode(codec)
    except UnicodeDecodeError:
        return False
    return True


def _detect(text: bytes) -> str | None:
    """UTF-8 or GB18030, whichever the bytes are; None for plain ASCII."""
    if text.isascii():
        return None
    for codec in ("UTF-8", "GB18030"):
        if _decodes(text, codec):
            return codec
    return ""


def _shapefile_parts(path: Path, member: str | None) -> tuple[bytes | None, str | None]:
    """Return the DBF bytes and the .cpg text of a shapefile, in a folder or inside a zip."""
    if file_suffix(path) == ".zip":
        with zipfile.ZipFile(path) as archive:
            names = {n.lower(): n for n in archive.namelist()}
            stems = [n[:-4] for n in names if n.endswith(".dbf")]
            if member is not None:
                stems = [s for s in stems if Path(s).name == member.lower()] or stems
            if not stems:
                return None, None
            dbf = archive.read(names[f"{stems[0]}.dbf"])
            cpg_name = names.get(f"{stems[0]}.cpg")
            cpg = archive.read(cpg_name).decode("ascii", "replace") if cpg_name else None
            return dbf, cpg

    def sibling(ext: str) -> Path | None:
        found = (p for p in (path.with_suffix(ext), path.with_suffix(ext.upper())) if p.exists())
        return next(found, None)

    dbf_path, cpg_path = sibling(".dbf"), sibling(".cpg")
    dbf_bytes = dbf_path.read_bytes() if dbf_path else None
    cpg_text = cpg_path.read_text(encoding="ascii", errors="replace") if cpg_path else None
    return dbf_bytes, cpg_text


def shapefile_encoding(
    path: str | os.PathLike, *, encoding: str | None = None, member: str | None = None
) -> str | None:
    """Choose the encoding of a shapefile's attribute text.

    The ``.cpg`` file wins, then the DBF's code-page byte (language driver id); where neither
    says (no ``.cpg``, id 0 or 0x57 "ANSI", as GBK shapefiles from Chinese Windows carry), the text
    is read as UTF-8 if it is UTF-8, else as GB18030 (which covers GBK and GB2312).

    Parameters
    ----------
    path
        The ``.shp`` file, or a ``.zip`` holding one.
    encoding
        An encoding the user named (``--encoding``); it is checked against the bytes.
    member
        The shapefile's name inside a zip holding several.

    Returns
    -------
    str or None
        A Python codec name, or None where the text is plain ASCII.

    Raises
    ------
    ReadError
        Where the named or declared encoding does not decode the text, naming the one that does.
    """
    path = Path(path)
    dbf, cpg = _shapefile_parts(path, member)
    if dbf is None:
        return encoding
    ldid, text = _dbf_text(dbf)
    found = _detect(text)
    reads_as = Message("enc_reads_as", found=found) if found else Message("enc_neither")
    if encoding is not None:
        codec = _codec(encoding)
        if codec is None:
            raise ReadError.of("unknown_encoding", path=path, encoding=encoding)
        if not _decodes(text, codec):
            raise ReadError.of("enc_not", path=path, encoding=encoding, reads_as=reads_as)
        return codec
    if cpg is not None and cpg.strip():
        codec = _codec(cpg)
        if codec is None:
            raise ReadError.of("enc_cpg_unknown", path=path, cpg=cpg.strip(), reads_as=reads_as)
        if not _decodes(text, codec):
            hint = Message("enc_pass", encoding=f" {found}" if found else "")
            raise ReadError.of(
                "enc_cpg_wrong", path=path, cpg=cpg.strip(), reads_as=reads_as, hint=hint
            )
        return codec
    if ldid not in _UNSAID_LDID and ldid in _LDID:
        codec = _LDID[ldid]
        if _decodes(text, codec):
            return codec
        raise ReadError.of("enc_ldid", path=path, ldid=ldid, codec=codec, reads_as=reads_as)
    if found == "":
        raise ReadError.of("enc_unsaid", path=path)
    return found


def is_shapefile(path: Path) -> bool:
    """Tell whether a path is a shapefile, zipped or not."""
    if file_suffix(path) == ".shp":
        return True
    if file_suffix(path) != ".zip":
        return False
    try:
        with zipfile.ZipFile(path) as archive:
            return any(n.lower().endswith(".dbf") for n in archive.namelist())
    except (zipfile.BadZipFile, OSError):
        return False
