"""The command line (internal wing): ``assetpay-analytics report | fetch | sandbox``.

- ``main``: the parser, the commands and the exit statuses (``main()`` is the console script);
- ``checks``: arguments checked before anything is fetched (trade URLs, files, ports);
- ``text``: terminal tables and money; ``report``: ``report --out``: labels, history, the
  document.

The top of the house: it may import every wing, lazily where pandas or the client would slow
``--help``. Nothing imports it.
"""

from __future__ import annotations

from .main import main

__all__ = ["main"]
