"""A text-only command loads no matplotlib: charts are imported only to draw one."""

from __future__ import annotations

import subprocess
import sys

import pytest

CODE = """
import sys
from assetpay_analytics.cli import main
status = main({argv!r})
print("STATUS", status, "MATPLOTLIB", "matplotlib" in sys.modules)
"""


def _loaded(argv: list[str]) -> tuple[str, str]:
    done = subprocess.run(
        [sys.executable, "-c", CODE.format(argv=argv)],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    last = done.stdout.strip().splitlines()[-1].split()
    return last[1], last[3]


@pytest.mark.parametrize(
    "argv",
    [
        ["report", "--sandbox"],
        ["report", "--sandbox", "--prices", "--screen"],
        ["fetch", "--sandbox", "--out", "{tmp}/inventory.csv"],
        ["prices", "--sandbox", "--out", "{tmp}/book.parquet"],
        ["screen", "--sandbox"],
    ],
    ids=lambda argv: " ".join(a for a in argv if not a.startswith("{")),
)
def test_a_text_command_loads_no_matplotlib(argv, tmp_path):
    status, matplotlib = _loaded([a.format(tmp=tmp_path) for a in argv])
    assert status in ("0", "1")  # 1: the demo's failing accounts
    assert matplotlib == "False"


def test_a_chart_loads_it(tmp_path):
    status, matplotlib = _loaded(["report", "--sandbox", "--chart", f"{tmp_path}/r.png"])
    assert (status, matplotlib) == ("0", "True")
