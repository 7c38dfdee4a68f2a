"""The report wing: the pricing-review document (public as ``apa.report``).

- ``document``: ``write_report`` (HTML, charts as PNG/SVG, a PDF page per chart, CSV tables,
  the workbook);
- ``html``: the self-contained page and the definitions it prints;
- ``workbook``: ``tables.xlsx``, the tables a sheet each, numbers formatted as the page;
- ``book``: the "Price book" section (spread, coverage, offers that differ from the book).

A pure function of frames: it may import the ground floor, ``frame``, ``analysis`` and
``plots``; never ``fetch``, ``endpoints`` or the client.
"""

from __future__ import annotations

from .document import (
    DEFINITIONS,
    ReportFiles,
    write_report,
)

__all__ = [
    "DEFINITIONS",
    "ReportFiles",
    "write_report",
]
