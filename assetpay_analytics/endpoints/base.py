"""What every endpoint of the house declares beyond ``fetch``'s contract: the frame that reads it.

``fetch.endpoint.Endpoint`` says how an endpoint is asked and answered; a
``FramedEndpoint`` adds ``frame(pages, query)``, the builder (in the ``frame`` wing) that
turns one query's pages into its typed DataFrame. The client's methods are thin calls of
it: ``reader.read(endpoint, query)`` then ``endpoint.frame(pages, query)``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ..fetch.endpoint import Endpoint
from ..fetch.page import Page

__all__ = ["FramedEndpoint"]


@dataclass(frozen=True, repr=False)
class FramedEndpoint(Endpoint):
    """An ``Endpoint`` with the frame builder that reads it (``frame(pages, query)``)."""

    frame: Callable[[Sequence[Page], Any], pd.DataFrame] = field(kw_only=True)
