"""Re-execute the notebooks in place and store their outputs (what nbval checks).

Run after changing a notebook or anything its outputs show:

    .venv/bin/python tools/execute_notebooks.py [notebooks/01_quickstart.ipynb ...]

Progress bars are turned off (TQDM_DISABLE=1, as under pytest) and the widget state
metadata is dropped: it holds random model ids, and JupyterLab rebuilds the widgets
when the cells run.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


def execute(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(notebook, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()  # fmt: skip
    notebook.metadata.pop("widgets", None)
    nbformat.write(notebook, path)
    print(f"executed {path.name}")


def main(paths: list[str]) -> None:
    os.environ["TQDM_DISABLE"] = "1"
    for path in [Path(p) for p in paths] or sorted(NOTEBOOKS.glob("*.ipynb")):
        execute(path.resolve())


if __name__ == "__main__":
    main(sys.argv[1:])
