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
from decimal import Decimal
from fractions import Fraction

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


#: Lone surrogates: legal in a Python ``str``, not encodable as UTF-8 (nor sendable).
SURROGATES = "\ud800\udbff\udc00\udfff"
#: Values that break naive checks: ints no float can hold, ints too long to print
#: (over Python's 4,300-digit limit), infinite and signalling-NaN decimals.
AWKWARD = (
    10**400,
    -(10**400),
    10**5000,
    2**64,
    Decimal("Infinity"),
    Decimal("-Infinity"),
    Decimal("NaN"),
    Decimal("sNaN"),
    Decimal("1E+400"),
    Fraction(10**400, 3),
    float("nan"),
    float("inf"),
    -0.0,
    5e-324,
)


def any_text(*, max_size: int = 20) -> st.SearchStrategy[str]:
    """``text`` with lone surrogates too: text Python holds but UTF-8 cannot encode."""
    return st.text(alphabet=ALPHABET + SURROGATES, max_size=max_size)


def anything() -> st.SearchStrategy[object]:
    """Any value a caller might pass by mistake: numbers of every kind, text, containers."""
    scalars = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.sampled_from(AWKWARD),
        st.floats(),
        st.decimals(allow_nan=True, allow_infinity=True),
        st.fractions(),
        any_text(),
        st.binary(max_size=20),
        st.timedeltas(),
    )
    containers = st.one_of(
        st.lists(scalars, max_size=3),
        st.dictionaries(any_text(max_size=5), scalars, max_size=3),
    )
    return st.one_of(scalars, containers)


def dtype_kinds(df: object) -> list[object]:
    """A frame's dtypes with every Categorical written ``"category"``.

    Two inventory frames of different accounts have the same schema but not the same
    categories (each holds its own names), so their dtypes compare by kind.
    """
    import pandas as pd

    assert isinstance(df, pd.DataFrame)
    return ["category" if isinstance(d, pd.CategoricalDtype) else d for d in df.dtypes]
