"""What a zone office sends for a project, read whole: no identifier and no English in Chinese.

The outputs a person reads for a match and its allocation on the small sample zone — the match
workbook, the project map's popups, legend and numbered list, the printed lines of
``landplan match``, the allocation's tables and map — are gathered as text and checked for the
vocabularies' identifiers (:func:`landplan.labels.vocabulary_codes`) and for English sentences
(two or more English words in a row). Deliberate exceptions: ids (``PJ-03``, ``P-0001``,
candidate ids ``cutout:P-0001``), units (m², MWh), CRS names, the policy's cited sources
(quoted as the policy words them), the identifier half of a workbook's ``identifier / 中文``
headers, and sheet names.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from functools import cache

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

import pyogrio

from landplan import maps
from landplan.allocate import allocate
from landplan.cli import app
from landplan.io import read_zone
from landplan.labels import vocabulary_codes
from landplan.match import match, prepare_sites
from landplan.match_report import write_match
from landplan.plan_report import write_allocation
from landplan.policy import Policy
from landplan.review import review
from landplan.sample import write_sample

#: Projects whose outputs are read: a cut-out (PJ-03), storage with its substation and fuel
#: station rules (PJ-06) and floor space in a building (PJ-12).
PROJECTS = ("PJ-03", "PJ-06", "PJ-12")

# What is not prose: file paths, candidate ids (kind prefix, colon, parcel or building ids),
# CRS names, and Chinese documents' cited numbers such as 国土资源部令第53号 carry no letters.
_EXEMPT = re.compile(
    r"\S*[/\\]\S*|\S+\.(?:gpkg|xlsx|csv|html|png|pdf|toml)\b"
    r"|\b[a-z]+:[A-Z][\w+;-]*|\bEPSG:\d+|\bCGCS\s?2000\b"
)
_CODE = re.compile(r"(?<![A-Za-z_])[a-z_]{4,}(?![A-Za-z_])")
# Two words of three letters or more, with any words or numbers between them.
_SENTENCE = re.compile(
    r"\b[A-Za-z]{3,}(?:[ ,;:'’()\-]+(?:[A-Za-z]+|[\d.,]+))*[ ,;:'’()\-]+[A-Za-z]{3,}\b"
)


@cache
def _sources() -> tuple[str, ...]:
    """The policy's cited sources, longest first: quoted as the policy words them."""
    cited = {p for s in Policy.default().table()["source"] if s for p in str(s).split("; ")}
    return tuple(sorted(cited, key=len, reverse=True))


def foreign(text: str) -> set[str]:
    """Return the identifiers and English sentences in a Chinese text, its exceptions left out."""
    for source in _sources():
        text = text.replace(source, " ")
    plain = _EXEMPT.sub(" ", text)
    codes = {w for w in _CODE.findall(plain) if w in vocabulary_codes()}
    return codes | set(_SENTENCE.findall(plain))


def test_the_check_finds_english_and_codes_and_spares_ids():
    # The check is checked first: a planted English sentence and a code are found ...
    planted = "面积13.9亩，ready in 0 months；状态 under_construction"
    assert foreign(planted) == {"ready in 0 months", "under_construction"}
    assert foreign("the zone has no substation of 110 kV") == {"the zone has no substation"}
    # ... ids, units, candidate ids, CRS names and paths are not
    fine = "PJ-03 候选 cutout:P-0012 与 assembly:P-0001+P-0002，3,000 m²，EPSG:4546，out/x.xlsx"
    assert foreign(fine) == set()


#: Keys of a map's data that hold drawing instructions, not text: a geometry's or legend
#: symbol's shape (``area``, ``line``), its colours and styles.
_DRAWING = frozenset({"geom", "shape", "color", "fill", "dash", "canvas", "styles", "cat", "xy"})


def strings(value: object) -> Iterator[str]:
    """Every string inside decoded JSON, but for drawing instructions."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            if key not in _DRAWING:
                yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


def map_texts(m) -> list[str]:
    """The texts a map's page shows: its layers' popups and names, legend and numbered notes."""
    out = []
    for child in m._children.values():
        payload = getattr(child, "payload", None)
        if isinstance(payload, str):
            out += [s for s in strings(json.loads(payload)) if not s.startswith("#")]
    return out


def workbook_texts(path) -> list[str]:
    """Every cell of a workbook; of a bilingual header, its Chinese half."""
    book = load_workbook(path, read_only=True)
    out = []
    for sheet in book.worksheets:
        for r, row in enumerate(sheet.iter_rows(values_only=True)):
            for cell in row:
                if isinstance(cell, str):
                    out.append(cell.split(" / ", 1)[-1] if r == 0 else cell)
    return out


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    out = tmp_path_factory.mktemp("outputs_zh")
    paths = write_sample(out / "sample")
    zone = read_zone(paths["gpkg"], projects=paths["csv"])
    return out, paths, zone


@pytest.fixture(scope="module")
def texts(sample) -> dict[str, list[str]]:
    return gather(*sample)


def gather(out, paths, zone) -> dict[str, list[str]]:
    """Where each text a person reads was found -> the texts."""
    found: dict[str, list[str]] = {}
    sites = prepare_sites(zone)
    projects = zone.projects.set_index("project_id", drop=False)
    for pid in PROJECTS:
        row = projects.loc[pid]
        result = match(row, zone, top=10, sites=sites)
        for path in write_match(result, out / "match", zone=zone, review=review(row, zone)):
            if path.suffix == ".xlsx":
                found[f"workbook {pid}"] = workbook_texts(path)
            else:  # the sites for QGIS: their sentences (their codes are for joins)
                shown = pyogrio.read_dataframe(path, layer="candidates", read_geometry=False)
                rejected = pyogrio.read_dataframe(path, layer="rejected", read_geometry=False)
                found[f"geopackage {pid}"] = [
                    *shown["reasons"].dropna(),
                    *shown["steps"],
                    *rejected["reason"],
                ]
        m = maps.project_map(zone, result.sites, row, rejections=result.rejections)
        found[f"project map {pid}"] = map_texts(m)
        found[f"explain {pid}"] = [
            result.explain(str(result.rejections["parcel_id"].dropna().iloc[-1]))
        ]
    plan = allocate(None, zone, time_limit_s=20)
    for path in write_allocation(plan, out / "allocation"):
        if path.suffix == ".xlsx":
            found["allocation workbook"] = workbook_texts(path)
    found["allocation map"] = map_texts(maps.allocation_map(zone, plan.plan))
    printed = CliRunner().invoke(
        app,
        ["match", "PJ-03", "--zone", str(paths["gpkg"]), "--projects", str(paths["csv"])],
        env={"COLUMNS": "200", "LANDPLAN_LANG": "zh"},
    )
    assert printed.exit_code == 0, printed.output
    found["landplan match"] = printed.output.splitlines()
    return found


def test_every_text_of_a_match_and_its_allocation_reads_in_chinese(texts):
    assert all(texts.values()), [k for k, v in texts.items() if not v]
    leaks = {
        where: sorted({f"{hit!r} in {text[:80]!r}" for text in said for hit in foreign(text)})
        for where, said in texts.items()
    }
    assert {k: v for k, v in leaks.items() if v} == {}
