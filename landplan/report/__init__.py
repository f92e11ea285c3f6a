"""The half-year report: projects signed, the pipeline, and the land and floor space left.

The zone's half-year work report ends with numbers: projects signed and their planned investment
and output, land landed (village reserved land leased among it), the pipeline with its framework
agreements, and the supply left. :func:`half_year_report` computes them from a zone and its
status history (the store's events: a project's stage changes are events like a parcel's status
changes), and writes the text around them in the report's own style, Chinese by default.

Every number in the text is a :class:`Figure`: a cell of one of the report's tables (table, row,
column), so each cites where it comes from; :func:`write_report` writes the text as Markdown and
HTML with those citations as notes, and every table behind them to an XLSX workbook.

The computation is pure (a zone, events and reservations in; a :class:`Report` out);
:func:`report_from_store` reads those from a store, and :func:`write_report` writes the files.
"""

from __future__ import annotations

from landplan.errors import ReportError
from landplan.labels import table_title
from landplan.report.document import REPORT_LABELS, Figure, Report
from landplan.report.facts import half_year_report, report_from_store
from landplan.report.files import report_maps, write_report
from landplan.report.period import Period, parse_period
from landplan.result import TOTAL

__all__ = [
    "REPORT_LABELS",
    "TOTAL",
    "Figure",
    "Period",
    "Report",
    "ReportError",
    "half_year_report",
    "parse_period",
    "report_from_store",
    "report_maps",
    "table_title",
    "write_report",
]
