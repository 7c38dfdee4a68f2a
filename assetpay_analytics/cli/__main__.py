"""``python -m assetpay_analytics.cli``: the same as the ``assetpay-analytics`` command."""

from __future__ import annotations

import sys

from .main import main

sys.exit(main())
