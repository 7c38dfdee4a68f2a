"""Shared hypothesis strategies with bounded alphabets.

``st.text()`` over all of Unicode makes hypothesis build its character tables on
first use (over a second on a loaded 2-core machine, then cached in ``.hypothesis/``),
which tripped the ``too_slow`` health check on a fresh clone. A fixed alphabet avoids
the tables and still holds what matters here: ASCII letters, digits and the URL
punctuation, the marks CS2 names carry (★, ™, |), non-ASCII letters and digits that
look like ASCII ones (Arabic-Indic, fullwidth), whitespace, control characters,
a character outside the BMP, and characters that break encodings.
"""

from __future__ import annotations

import string

from hypothesis import strategies as st

#: Every character the text strategies draw from.
ALPHABET = (
    string.ascii_letters
    + string.digits
    + string.punctuation
    + " \t\n\r\x00\x7f"
    + "★™é中ä"  # CS2 marks and non-ASCII letters
    + "١٢٣０１２"  # Arabic-Indic and fullwidth digits: look like digits, are not ASCII
    + "\u00a0\u200b\ufeff"  # no-break space, zero-width space, byte-order mark
    + "😀"  # outside the Basic Multilingual Plane
)


def text(*, min_size: int = 0, max_size: int | None = None) -> st.SearchStrategy[str]:
    """``st.text`` over ``ALPHABET``."""
    return st.text(alphabet=ALPHABET, min_size=min_size, max_size=max_size)
