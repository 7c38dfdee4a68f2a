"""Sphinx configuration of the assetpay-analytics site.

Built as the pandas ecosystem builds its sites: pydata-sphinx-theme, numpydoc docstrings,
autosummary for the API reference, myst-nb rendering the notebooks from their stored
outputs (never executed here: ``pytest --nbval`` already proves them) and matplotlib's
plot directive drawing the gallery from the sandbox at build time. Strict build::

    python -m sphinx -W --keep-going -n -b html docs docs/_build/html
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent

os.environ.setdefault("TQDM_DISABLE", "1")  # no progress bars in the gallery's build
os.environ.setdefault("MPLBACKEND", "Agg")


def _copy_notebooks() -> None:
    """Copy ``notebooks/*.ipynb`` into ``docs/notebooks/`` (Sphinx reads only its source tree).

    The copies are build inputs, ignored by git; the repository's notebooks stay the one
    place they are edited and validated. A copy is rewritten only when it differs, so
    two builds at once never see a half-written notebook.
    """
    target = DOCS / "notebooks"
    target.mkdir(exist_ok=True)
    sources = {path.name: path for path in (ROOT / "notebooks").glob("*.ipynb")}
    for old in target.glob("*.ipynb"):
        if old.name not in sources:
            old.unlink()
    for name, source in sorted(sources.items()):
        copy = target / name
        if not copy.exists() or copy.read_bytes() != source.read_bytes():
            shutil.copy2(source, copy)


_copy_notebooks()

import assetpay_analytics  # noqa: E402  (after the copies, before the version is read)

project = "assetpay-analytics"
author = "The assetpay-analytics developers"
copyright = "2026, the assetpay-analytics developers"
version = release = assetpay_analytics.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "numpydoc",
    "myst_nb",
    "sphinx_copybutton",
    "sphinx_design",
    "matplotlib.sphinxext.plot_directive",
]

source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}
exclude_patterns = ["_build", "**.ipynb_checkpoints", "notebooks/artifacts"]
templates_path = ["_templates"]

# The API reference: one page per public name, generated at build time (not committed).
autosummary_generate = True
autosummary_imported_members = True
autodoc_typehints = "none"  # as pandas: the numpydoc sections carry the types
autodoc_member_order = "groupwise"
numpydoc_show_class_members = False  # the class template lists members itself
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = False

# No network at build time, so no intersphinx inventories: names from the libraries the
# toolkit builds on are not cross-referenced (they are still shown, as literals).
nitpick_ignore_regex = [
    (
        r"py:.*",
        r"(pd|pandas|np|numpy|pa|pyarrow|matplotlib|mpl|plt|requests|requests_cache"
        r"|ipywidgets|widgets|duckdb|dask|datetime|pathlib|collections|typing|os|io|threading"
        r"|logging|sqlite3|tqdm|http|socketserver|enum)(\..*)?",
    ),
]

# Notebooks: rendered from their stored outputs.
nb_execution_mode = "off"
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

# Gallery: matplotlib's plot directive runs each chart's code against the sandbox.
plot_include_source = True
plot_html_show_source_link = False
plot_html_show_formats = False
plot_formats = [("png", 110)]
plot_rcparams = {"figure.dpi": 110}

html_theme = "pydata_sphinx_theme"
html_title = "assetpay-analytics"
html_static_path: list[str] = []
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}
html_context = {"default_mode": "light"}


def _attribute_comment(name: str) -> list[str] | None:
    """The ``#:`` comment above a constant, looked up in the module that assigns it.

    A wing re-exports its constants (``frame.EXTERIOR_DTYPE`` is assigned in
    ``frame/schema.py``), and autodoc reads ``#:`` comments only in the module it is
    pointed at; without this, a constant would be shown with its type's docstring
    (``CategoricalDtype``'s) instead of its own.
    """
    import importlib
    import pkgutil

    from sphinx.pycode import ModuleAnalyzer

    package_name, _, attribute = name.rpartition(".")
    package = importlib.import_module(package_name)
    candidates = [package_name]
    if hasattr(package, "__path__"):
        prefix = package_name + "."
        candidates += [info.name for info in pkgutil.walk_packages(package.__path__, prefix)]
    for module_name in candidates:
        try:
            docs = ModuleAnalyzer.for_module(module_name).find_attr_docs()
        except Exception:  # a module without source (none here today): look further
            continue
        if ("", attribute) in docs:
            return list(docs[("", attribute)])
    return None


def _constant_docstring(app, what, name, obj, options, lines) -> None:
    if what == "data" and name.startswith("assetpay_analytics."):
        lines[:] = _attribute_comment(name) or []


def setup(app):
    app.connect("autodoc-process-docstring", _constant_docstring)
