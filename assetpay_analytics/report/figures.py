"""The document's charts on disk: each drawn in its turn, rendered once per format.

``render_charts`` takes the charts as functions drawing a figure, so only one figure is
open at a time. Each is rendered once per format wanted (``FORMATS``): the PNG (always:
the page embeds it; a file too when ``"png"`` is wanted), an SVG file, a page of
``report.pdf``. A tqdm bar counts the charts on the terminal (or in a notebook) while
they render; it is off when stderr is not a terminal, with ``progress=False`` or with
``TQDM_DISABLE=1``.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Callable, Iterable, Mapping
from contextlib import ExitStack
from pathlib import Path

import matplotlib.pyplot as plt
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure

from ..plots.export import figure_bytes
from .pdf_pages import PAGE_SIZE

__all__ = ["DEFAULT_FORMATS", "FORMATS", "PDF_NAME", "chosen_formats", "render_charts"]

#: The chart formats a document can hold, in the order they are written.
FORMATS = ("png", "svg", "pdf")
#: What ``write_report`` writes by default: the PNGs (also embedded in the page) and the PDF.
DEFAULT_FORMATS = ("png", "pdf")
#: The PDF of the charts, one page each, in ``charts/``.
PDF_NAME = "report.pdf"
#: Resolution of the PNGs (embedded in the page and written to ``charts/``).
PNG_DPI = 110


def chosen_formats(formats: str | Iterable[str]) -> tuple[str, ...]:
    """The formats asked for, checked, without repeats, in ``FORMATS`` order.

    Parameters
    ----------
    formats : str or iterable of str
        ``("png", "pdf")``, or one text ``"png,svg"``; case is ignored.

    Returns
    -------
    tuple of str

    Examples
    --------
    >>> chosen_formats(["PDF", "png", "pdf"]), chosen_formats("svg, png")
    (('png', 'pdf'), ('png', 'svg'))
    >>> chosen_formats(["jpg"])
    Traceback (most recent call last):
    ...
    ValueError: unknown chart format 'jpg': choose from png, svg, pdf
    """
    asked = formats.split(",") if isinstance(formats, str) else list(formats)
    names = {str(name).strip().lower() for name in asked} - {""}
    unknown = sorted(names - set(FORMATS))
    if unknown:
        raise ValueError(f"unknown chart format {unknown[0]!r}: choose from {', '.join(FORMATS)}")
    return tuple(name for name in FORMATS if name in names)


def render_charts(
    charts: Mapping[str, Callable[[], Figure]],
    folder: Path,
    formats: tuple[str, ...],
    *,
    progress: bool = True,
    first_pages: Callable[[], Iterable[Figure]] | None = None,
) -> tuple[list[Path], Path | None, list[str]]:
    """Draw each chart, write it in each format into ``folder``, close it.

    Parameters
    ----------
    charts : mapping of str to callable
        File name (no suffix) -> a function drawing the figure, in the document's order.
    folder : Path
        An existing folder (``charts/``).
    formats : tuple of str
        ``chosen_formats`` output.
    progress : bool
        Show a progress bar over the charts (see the module docstring).
    first_pages : callable, optional
        Draws the PDF's pages before the charts (``pdf_pages.table_pages``); each page
        is saved and closed in turn. Every PDF page is ``pdf_pages.PAGE_SIZE``: a chart
        is laid out again at that size for its page, after its PNG and SVG.

    Returns
    -------
    files : list of Path
        The PNG and SVG files written.
    pdf : Path or None
        ``report.pdf`` (the ``first_pages``, then one page per chart), when ``"pdf"`` is wanted.
    images : list of str
        Each chart's PNG as a ``data:`` URI, for the page.
    """
    from tqdm.auto import tqdm

    files: list[Path] = []
    images: list[str] = []
    pdf_path = folder / PDF_NAME if "pdf" in formats else None
    quiet = not progress or os.environ.get("TQDM_DISABLE", "").lower() in ("1", "true")
    with ExitStack() as stack:
        pdf = None
        if pdf_path is not None:
            metadata = {"Creator": None, "Producer": None, "CreationDate": None}
            pdf = stack.enter_context(PdfPages(pdf_path, metadata=metadata))
            for page in first_pages() if first_pages is not None else ():
                try:
                    pdf.savefig(page)
                finally:
                    plt.close(page)
        # disable=None: tqdm shows the bar only on a terminal
        bar = stack.enter_context(tqdm(charts.items(), total=len(charts), desc="charts",
                                       unit="chart", disable=True if quiet else None))  # fmt: skip
        for name, draw in bar:
            figure = _drawn(draw)
            try:
                png = figure_bytes(figure, "png", dpi=PNG_DPI)
                images.append("data:image/png;base64," + base64.b64encode(png).decode())
                if "png" in formats:
                    files.append(_written(folder / f"{name}.png", png))
                if "svg" in formats:
                    files.append(_written(folder / f"{name}.svg", figure_bytes(figure, "svg")))
                if pdf is not None:
                    figure.set_size_inches(PAGE_SIZE)  # one page size for the whole PDF
                    pdf.savefig(figure)
            finally:
                plt.close(figure)
    return files, pdf_path, images


def _drawn(draw: Callable[[], Figure]) -> Figure:
    """``draw()``; if it fails (or Ctrl-C), the figures it opened are closed."""
    before = set(plt.get_fignums())
    try:
        return draw()
    except BaseException:
        for number in set(plt.get_fignums()) - before:
            plt.close(number)
        raise


def _written(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path
