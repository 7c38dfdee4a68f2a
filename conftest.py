"""Repository-wide pytest setup: the one switch that turns progress bars off.

``TQDM_DISABLE=1`` is tqdm's own switch (the client also honours it for notebook
bars, which tqdm.notebook ignores). Set here, before any test runs, so the kernels
nbval starts for the notebooks inherit it and their outputs hold no progress bar.
"""

import os

os.environ.setdefault("TQDM_DISABLE", "1")
