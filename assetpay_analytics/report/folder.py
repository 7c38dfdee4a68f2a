"""The document's folder: written beside its target and swapped in when complete.

``staged(target)`` yields a new, empty folder beside ``target`` (hidden:
``.NAME.XXXXXXXX.tmp``). When the block ends, the new folder takes ``target``'s place:
the previous document is renamed aside, the new one renamed in, the previous one removed.
When the block raises (an error, a full disk, Ctrl-C), the new folder is removed and the
previous document is left as it was. So a document never mixes two runs (a chart of the
last CS2 review inside today's Rust review), and a half-written one is never seen under
``target``'s name. Between the two renames ``target`` is briefly absent (POSIX has no
portable atomic exchange of two folders); an error in that instant puts the previous
document back.

Links: the new folder is made fresh, so a symlink planted inside the previous document
(``report.html -> somewhere``, ``charts -> elsewhere``) is never followed: its target is
neither written nor removed, and the link goes away with the previous document.
``target`` itself being a symlink to a folder is the caller's own choice of place
(``latest -> reviews/2026-06-01``): ``document_folder`` follows it once, so the document
replaces the folder the link points to and the link keeps pointing at it.

A folder holding anything but a document's files is never replaced (``FileExistsError``):
``--out ~/Documents`` must not delete someone's documents.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["DOCUMENT_NAMES", "document_folder", "staged"]

#: What a review document's folder holds; a folder holding anything else is not replaced.
DOCUMENT_NAMES = frozenset({"report.html", "charts", "tables", "tables.xlsx"})


def document_folder(out: str | Path) -> Path:
    """The folder a document for ``out`` replaces: absolute, a symlink followed once.

    Raises ``NotADirectoryError`` if it is a file, ``FileExistsError`` if it is a folder
    holding anything other than a document's files (``DOCUMENT_NAMES``).

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> (folder / "latest").symlink_to(folder / "2026-06-01")
    >>> document_folder(folder / "latest") == (folder / "2026-06-01").resolve()
    True
    """
    target = Path(os.path.abspath(out))
    if target.is_symlink():
        target = target.resolve()
    if target.exists() and not target.is_dir():
        raise NotADirectoryError(f"{target} is a file, not a folder for the document")
    if target.is_dir():
        foreign = sorted(entry.name for entry in target.iterdir()
                         if entry.name not in DOCUMENT_NAMES)  # fmt: skip
        if foreign:
            shown = ", ".join(foreign[:3]) + (", ..." if len(foreign) > 3 else "")
            raise FileExistsError(
                f"{target} holds files that are not a review document ({shown}): "
                "choose an empty or new folder"
            )
    return target


@contextmanager
def staged(target: Path) -> Iterator[Path]:
    """A new folder beside ``target``, swapped in for it when the block ends without error.

    Parameters
    ----------
    target : Path
        The document's folder (``document_folder``); its parents are created.

    Yields
    ------
    Path
        The new, empty folder to write into.

    Examples
    --------
    >>> import tempfile
    >>> target = Path(tempfile.mkdtemp()) / "review"
    >>> with staged(target) as folder:
    ...     _ = (folder / "report.html").write_text("new")
    >>> (target / "report.html").read_text(), folder.exists()
    ('new', False)
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    stage = _new_folder(target, "tmp")
    try:
        yield stage
        _swap(stage, target)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise


def _new_folder(target: Path, kind: str) -> Path:
    """A new hidden folder beside ``target``, made with the user's umask."""
    while True:
        path = target.with_name(f".{target.name}.{secrets.token_hex(4)}.{kind}")
        try:
            path.mkdir()
        except FileExistsError:
            continue
        return path


def _swap(stage: Path, target: Path) -> None:
    """Rename ``stage`` to ``target``; a previous ``target`` aside first, then removed."""
    if not target.exists():
        os.replace(stage, target)
        return
    aside = target.with_name(f".{target.name}.{secrets.token_hex(4)}.old")
    os.replace(target, aside)
    try:
        os.replace(stage, target)
    except BaseException:
        os.replace(aside, target)
        raise
    shutil.rmtree(aside, ignore_errors=True)  # links inside are removed, never followed
