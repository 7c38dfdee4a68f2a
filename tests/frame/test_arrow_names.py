"""frame.arrow_names against frame.names: the Arrow parse gives ``parse_name``'s answers.

Names are generated from the pieces that matter (★ marks, doubled, StatTrak™ and
Souvenir, weapon | skin separators, exterior suffixes, non-skin prefixes) glued with
spaces, control characters and non-ASCII text, and every column is compared with
``parse_name(None, name)`` and ``exterior_suffix(name)`` called on each name.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
from hypothesis import example, given, settings
from hypothesis import strategies as st

from assetpay_analytics.constants import EXTERIORS, NON_SKIN_PREFIXES
from assetpay_analytics.frame.arrow_names import name_columns, sorted_codes
from assetpay_analytics.frame.names import exterior_suffix, parse_name
from tests.strategies import text

_MARKS = ["★ ", "★", "StatTrak™ ", "Souvenir ", " | ", "|", " (", ")"]
_WORDS = ["AK-47", "Karambit", "Redline", "Doppler", "é", "中"]
_SPACES = [" ", "\t", "\x00", "\u00a0", ""]
PIECES = st.sampled_from(
    [*_MARKS, *_WORDS, *(f" ({e})" for e in EXTERIORS), *NON_SKIN_PREFIXES, *_SPACES]
)
NAMES = st.one_of(st.lists(PIECES, max_size=6).map("".join), text(max_size=12))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.none(), NAMES), max_size=25))
@example(["★ StatTrak™ Karambit | Doppler (Factory New)", "★ ★ Karambit", " AK-47 | x "])
@example(["Sticker | Crown (Foil)", "★ Karambit", "", "\u00a0AK-47 | Redline"])
def test_every_column_is_parse_names(names):
    values = pa.array(names, pa.string())
    codes, distinct = sorted_codes(values)
    columns = name_columns(codes, distinct)
    for row, name in enumerate(names):
        expected = parse_name(None, name)
        got = {field: columns[field][row] for field in ("weapon", "skin")}
        got = {k: None if isinstance(v, float) and np.isnan(v) else v for k, v in got.items()}
        assert got == {"weapon": expected.weapon, "skin": expected.skin}, name
        assert bool(columns["star"][row]) == expected.star, name
        assert bool(columns["stattrak"][row]) == expected.stattrak, name
        assert bool(columns["souvenir"][row]) == expected.souvenir, name
        exterior = columns["exterior"][row]
        assert (None if isinstance(exterior, float) else exterior) == exterior_suffix(name), name


def test_categories_are_sorted_as_python_sorts():
    names = ["b", "a", "é", "Z", "★", None, "a"]
    codes, distinct = sorted_codes(pa.array(names, pa.string()))
    assert distinct.to_pylist() == sorted({n for n in names if n is not None})
    assert [None if c < 0 else distinct[c].as_py() for c in codes] == names
