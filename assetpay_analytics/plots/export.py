"""Figures out of the notebook: files for a review deck, images for a notebook cell.

``save_figure`` writes PNG, SVG or PDF with no dates or versions inside, so a re-run
writes the same bytes (``figure_bytes`` gives those bytes without a file); ``to_image``
shows a chart as a PNG without leaving a ``<Figure ...>`` line or an open figure behind.
Re-exported by ``plots``.
"""

from __future__ import annotations

from io import BytesIO
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure

__all__ = ["SAVE_FORMATS", "figure_bytes", "save_figure", "to_image"]

#: The file types ``save_figure`` writes.
SAVE_FORMATS = (".png", ".svg", ".pdf")


def save_figure(figure: Figure, path: str | Path, *, dpi: int = 300) -> Path:
    """Write a figure as PNG, SVG or PDF (for a review deck) at print resolution.

    Parameters
    ----------
    figure : Figure
        The figure, e.g. from ``pricing_review``.
    path : str or Path
        Ends in ``.png``, ``.svg`` or ``.pdf``; parent folders are created.
    dpi : int
        Resolution of a PNG (default 300).

    Returns
    -------
    Path
        Where it was written.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from assetpay_analytics.frame import from_items
    >>> from assetpay_analytics.plots import pricing_review
    >>> fig = pricing_review(from_items([]))
    >>> save_figure(fig, pathlib.Path(tempfile.mkdtemp()) / "review.svg").suffix
    '.svg'
    """
    path = Path(path)
    if path.suffix.lower() not in SAVE_FORMATS:
        allowed = ", ".join(SAVE_FORMATS[:-1]) + " or " + SAVE_FORMATS[-1]
        raise ValueError(f"save_figure writes {allowed} files, not {path.suffix or path.name!r}")
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=dpi, bbox_inches="tight", metadata=_metadata(path))
    return path


def figure_bytes(figure: Figure, kind: str, *, dpi: int = 300) -> bytes:
    """The bytes ``save_figure`` would write to a ``.png``, ``.svg`` or ``.pdf`` file.

    One render in one format, kept in memory (the review document embeds its PNGs in the
    page and writes the same bytes to a file).

    Parameters
    ----------
    figure : Figure
        The figure.
    kind : str
        ``"png"``, ``"svg"`` or ``"pdf"``.
    dpi : int
        Resolution of a PNG (default 300).

    Returns
    -------
    bytes

    Examples
    --------
    >>> from assetpay_analytics.frame import from_items
    >>> from assetpay_analytics.plots import payout_by_exterior
    >>> figure = payout_by_exterior(from_items([])).get_figure(root=True)
    >>> figure_bytes(figure, "png", dpi=50)[:4], figure_bytes(figure, "pdf")[:4]
    (b'\\x89PNG', b'%PDF')
    """
    suffix = f".{kind.lower()}"
    if suffix not in SAVE_FORMATS:
        raise ValueError(f"figure_bytes renders png, svg or pdf, not {kind!r}")
    buffer = BytesIO()
    figure.savefig(buffer, format=suffix[1:], dpi=dpi, bbox_inches="tight",
                   metadata=_metadata(Path(f"x{suffix}")))  # fmt: skip
    return buffer.getvalue()


def to_image(chart: Figure | Axes, *, dpi: int = 90) -> Any:
    """A chart as an ``IPython.display.Image`` (PNG); the figure is closed.

    For notebooks: the image displays like the figure would, without the
    ``<Figure size ... with N Axes>`` text a figure leaves in the output, and without
    figures piling up in pyplot.

    Examples
    --------
    >>> from assetpay_analytics.frame import from_items
    >>> from assetpay_analytics.plots import payout_by_exterior
    >>> image = to_image(payout_by_exterior(from_items([])))
    >>> image.data[:4]
    b'\\x89PNG'
    """
    from IPython.display import Image

    figure = chart if isinstance(chart, Figure) else chart.get_figure(root=True)
    assert isinstance(figure, Figure), "an Axes drawn by plots always belongs to a Figure"
    buffer = BytesIO()
    figure.savefig(
        buffer, format="png", dpi=dpi, bbox_inches="tight", metadata=_metadata(Path("x.png"))
    )
    plt.close(figure)
    return Image(data=buffer.getvalue(), format="png")  # type: ignore[no-untyped-call]  # IPython has no annotations


def _metadata(path: Path) -> dict[str, Any]:
    # No creation date or software version in the file, so a re-run writes the same bytes.
    if path.suffix.lower() == ".svg":
        return {"Date": None, "Creator": None}
    if path.suffix.lower() == ".pdf":
        return {"Creator": None, "Producer": None, "CreationDate": None}
    return {"Software": None}
