"""frame.screening: check-tradeurl answers -> one typed row per input, checked strictly."""

from __future__ import annotations

import pandas as pd
import pytest

from assetpay_analytics.constants import SCREENING_STATES
from assetpay_analytics.frame.screening import SCREEN_SCHEMA, screen_frame, screen_problem

ESCROW = {"state": 1, "steamid": "76561198000000001", "message": "Trade hold",
          "canTrade": False, "reason": {"escrowDays": 7, "probation": False},
          "bans": {"vacBanned": False, "gameBans": 0, "economyBan": "none"}}  # fmt: skip
VAC = {"state": 2, "message": "VAC banned", "canTrade": True,
       "bans": {"vacBanned": True, "gameBans": 1, "economyBan": "probation"}}  # fmt: skip


def test_one_row_per_input_in_order_with_nested_fields_flattened():
    df = screen_frame([("76561198000000001", ESCROW), (None, None), ("76561198000000002", VAC)])
    assert list(df.columns) == list(SCREEN_SCHEMA)
    assert {c: str(t) for c, t in df.dtypes.items()} == {c: str(t) for c, t in
                                                         SCREEN_SCHEMA.items()}  # fmt: skip
    rows = df.astype(object).where(df.notna(), None).to_dict("records")
    assert rows[0] == {"input": 0, "steam_id": "76561198000000001", "state": 1,
                       "state_name": "Normal", "can_trade": False, "escrow_days": 7,
                       "probation": False, "vac_banned": False, "game_bans": 0,
                       "economy_ban": "none", "message": "Trade hold"}  # fmt: skip
    assert rows[1] == {name: (1 if name == "input" else None) for name in SCREEN_SCHEMA}
    assert (rows[2]["state_name"], rows[2]["vac_banned"], rows[2]["escrow_days"]) == (
        "CS2Banned", True, None,
    )  # fmt: skip


def test_state_names_are_the_ten_documented_and_a_new_state_keeps_its_number():
    assert list(SCREEN_SCHEMA["state_name"].categories) == list(SCREENING_STATES.values())
    df = screen_frame([(None, {"state": 11, "message": "new"})])
    assert df["state"].tolist() == [11] and pd.isna(df["state_name"].iloc[0])


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ([], "data is list, not an object"),
        ({"message": "x"}, "state must be a whole number"),
        ({"state": True, "message": "x"}, "state must be a whole number"),
        ({"state": 1}, "message must be a string"),
        ({"state": 1, "message": "x", "canTrade": "yes"}, "canTrade must be true or false"),
        ({"state": 1, "message": "x", "reason": []}, "reason must be an object"),
        ({"state": 1, "message": "x", "reason": {"escrowDays": 1.5}},
         "reason.escrowDays must be a whole number"),
        ({"state": 1, "message": "x", "bans": {"economyBan": 3}},
         "bans.economyBan must be a string"),
    ],
)  # fmt: skip
def test_an_ill_typed_answer_is_named(data, problem):
    assert screen_problem(data) == problem


def test_documented_answers_pass():
    assert screen_problem(ESCROW) is None and screen_problem(VAC) is None
    assert screen_problem({"state": 7, "message": "User not found", "bans": None}) is None
