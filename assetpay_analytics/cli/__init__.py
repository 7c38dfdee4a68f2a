"""The command line (internal wing): ``assetpay-analytics report | fetch | prices | screen |
sandbox``.

- ``main``: the parser, the commands and the exit statuses (``main()`` is the console script);
- ``catalogue``: ``prices`` (the price book to a file) and ``screen`` (which accounts can be
  read);
- ``source``: the client (real API or a sandbox started for the run) and writing tables;
- ``checks``: arguments checked before anything is fetched (trade URLs, files, ports);
- ``inputs``: the user's files, ``--file`` and ``--labels`` (UTF-8, UTF-16; masked labels);
- ``failures``: the failed accounts, a screenful printed and the full table in a CSV file;
- ``text``: terminal tables and money; ``report``: ``report --out``: labels, history, the
  document.

The top of the house: it may import every wing, lazily where pandas or the client would slow
``--help``. Nothing imports it.
"""

from __future__ import annotations

from .main import main

__all__ = ["main"]
