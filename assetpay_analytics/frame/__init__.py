"""The frame wing: AssetPay JSON -> typed pandas DataFrames (public as ``apa.frame``).

No HTTP and no client here: every builder takes bytes or decoded JSON, so a saved body, a
page the client fetched and a hand-made test payload give the same frame.

- ``build``: the builders (``from_body``, ``from_items``, ``from_pages``, ``from_responses``,
  ``from_accounts``, ``empty_frame``);
- ``arrow`` / ``rows``: the Arrow path (no Python object per item) and the forgiving Python
  path; ``assemble`` turns either's columns into the frame and its ``attrs``;
- ``schema``: ``SCHEMA``, ``conform``, ``concat``; ``names``: CS2 name parsing;
  ``coerce``: API values -> typed values; ``anomalies``: out-of-range values set aside;
- ``book``: the price book frame (``from_price_book``, ``BOOK_SCHEMA``), by Arrow or from
  decoded JSON alike, its names parsed in Arrow (``arrow_names``); ``screening``: the
  screening frame (``SCREEN_SCHEMA``);
- ``payload``: the documented shape of an inventory's ``data``; ``bodies``: response bodies
  -> Python objects, with the GC paused;
- ``provenance``: where and when the data is from, as every output says it (``about``,
  ``data_time``);
- ``cells``: text a spreadsheet must not run as a formula (``csv_safe``); ``records``:
  the records of ``attrs`` (errors, anomalies) as typed frames (``records_frame``);
- ``parquet``: frames to and from Parquet (``read_parquet``, ``write_parquet``), loaded on
  first use (pyarrow's Parquet reader is not needed to build a frame);
- ``excel``: frames as Excel workbooks (``write_excel``: UTC times with the zone in the
  header, ``$`` prices, formula-safe text), loaded on first use (openpyxl);
- ``accessor_hook``: ``df.assetpay`` on every frame built here, the accessor loaded on
  first use (``install`` runs when the wing loads).

May import the ground floor (``constants``, ``errors``, ``tradeurl``) only: never ``fetch``,
``endpoints``, the client, ``analysis`` or the charts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .accessor_hook import install as _install_accessor
from .bodies import read_envelope
from .book import BOOK_SCHEMA, from_price_book
from .build import (
    empty_frame,
    from_accounts,
    from_body,
    from_items,
    from_pages,
    from_responses,
)
from .names import ParsedName, parse_name
from .schema import EXTERIOR_DTYPE, SCHEMA, STICKER_TYPE, concat, conform
from .screening import SCREEN_SCHEMA

if TYPE_CHECKING:
    from .excel import write_excel
    from .parquet import read_parquet, write_parquet

__all__ = [
    "BOOK_SCHEMA",
    "EXTERIOR_DTYPE",
    "SCHEMA",
    "SCREEN_SCHEMA",
    "STICKER_TYPE",
    "ParsedName",
    "concat",
    "conform",
    "empty_frame",
    "from_accounts",
    "from_body",
    "from_items",
    "from_pages",
    "from_price_book",
    "from_responses",
    "parse_name",
    "read_envelope",
    "read_parquet",
    "write_excel",
    "write_parquet",
]

#: Loaded on first use: building a frame needs no Parquet reader.
_PARQUET_NAMES = ("read_parquet", "write_parquet")
#: Loaded on first use too: openpyxl is needed only to write a workbook.
_EXCEL_NAMES = ("write_excel",)

_install_accessor()


def __getattr__(name: str) -> Any:
    if name in _PARQUET_NAMES:
        from . import parquet

        return getattr(parquet, name)
    if name in _EXCEL_NAMES:
        from . import excel

        return getattr(excel, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
