"""The report wing: the pricing-review document (public as ``apa.report``).

- ``document``: ``write_report`` (HTML, charts as PNG/SVG, the PDF, CSV tables, the
  workbook);
- ``folder``: the document written in a new folder beside its target and swapped in when
  complete (no stale files, no symlink followed, Ctrl-C keeps the previous document);
- ``figures``: the charts drawn one at a time and rendered once per format asked for,
  under a progress bar;
- ``pdf_pages``: the PDF's first pages (the headline and the tables, as the page shows
  them), every page A4 landscape;
- ``html``: the self-contained page and the definitions it prints;
- ``workbook``: ``tables.xlsx``, the tables a sheet each, numbers formatted as the page;
- ``book``: the "Price book" section (spread, coverage, offers that differ from the book).

A pure function of frames: it may import the ground floor, ``frame``, ``analysis`` and
``plots``; never ``fetch``, ``endpoints`` or the client. ``document`` (and matplotlib)
loads on first use of its names, so the command line prints ``book``'s tables without
loading the charts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .document import DEFINITIONS, ReportFiles, write_report

__all__ = [
    "DEFINITIONS",
    "ReportFiles",
    "write_report",
]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from . import document

        return getattr(document, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
