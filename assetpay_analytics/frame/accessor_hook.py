"""``df.assetpay`` on every frame: a stand-in that loads the accessor on first use.

The accessor (``assetpay_analytics.accessor``) sits above the frame wing: it binds the
analysis functions and charts, which the frame wing must not import. Yet a frame built
here (``from_body``, ``read_parquet``, a snapshot the store loads) is handed to a user,
who expects ``df.assetpay`` in a fresh process. So loading the frame wing puts this
stand-in where pandas looks accessors up (an attribute of ``DataFrame``); the first
``df.assetpay`` removes it, imports the accessor (which registers the real one, with
no warning since the name is then free) and answers with the real accessor. Until
then nothing above the frame wing is imported.
"""

from __future__ import annotations

import importlib
import threading
from typing import Any

import pandas as pd

__all__ = ["ACCESSOR_NAME", "install"]

#: The accessor's name on ``DataFrame``.
ACCESSOR_NAME = "assetpay"
_ACCESSOR_MODULE = "assetpay_analytics.accessor"
_lock = threading.Lock()


class _Pending:
    """Stands in for ``DataFrame.assetpay`` until the accessor is first used."""

    def __get__(self, frame: pd.DataFrame | None, owner: type[pd.DataFrame]) -> Any:
        with _lock:
            if owner.__dict__.get(ACCESSOR_NAME) is self:
                delattr(owner, ACCESSOR_NAME)  # else pandas warns the name is taken
            importlib.import_module(_ACCESSOR_MODULE)  # registers the real accessor
        return getattr(owner if frame is None else frame, ACCESSOR_NAME)


def install() -> None:
    """Put the stand-in on ``DataFrame`` unless an accessor of that name is there.

    Examples
    --------
    >>> import pandas as pd
    >>> install()
    >>> hasattr(pd.DataFrame({"x": [1]}).assetpay, "summary")
    True
    """
    with _lock:
        if ACCESSOR_NAME not in pd.DataFrame.__dict__:
            setattr(pd.DataFrame, ACCESSOR_NAME, _Pending())
