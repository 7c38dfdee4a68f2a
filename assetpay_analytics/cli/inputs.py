"""The text files a user hands the command line: ``--file`` (trade URLs) and ``--labels``.

Both are argparse ``type=`` functions, so a bad file is a usage error naming the option
(exit status 2, one ``error: ...`` line, nothing fetched). ``read_text`` decodes what
editors and spreadsheets save: UTF-8 with or without a byte-order mark (Excel and
Notepad write one), UTF-16 and UTF-32 with one (Windows "Unicode" text, PowerShell's
``>``). Anything else (Latin-1, cp1252, UTF-16 without a byte-order mark) is refused
with the fix, "save it as UTF-8", rather than read wrong.

Nothing is dropped silently: in ``--labels`` every line that is not blank, a ``#``
comment or the header is a ``steam_id,label`` row, and a line that is not one is an
error naming it. Labels are masked (``redact.mask``) and put on one line as they are
read: a label holding a trade URL never shows its token in what the command prints or
writes. Nothing here imports pandas.
"""

from __future__ import annotations

import argparse
import codecs
import csv
import io
import re
from pathlib import Path

from ..constants import MAX_ACCOUNT_ID, STEAM_ID64_BASE
from ..redact import mask
from .checks import one_line

__all__ = ["labels_file", "read_text", "url_file"]

#: Byte-order marks and their codecs, longest first (UTF-32 LE starts like UTF-16 LE).
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_SAVE_AS = "save it as UTF-8 (in Excel: CSV UTF-8; in an editor: encoding UTF-8)"
#: First cells of a ``--labels`` header row (lower case, spaces and dashes as ``_``).
_HEADERS = {"steam_id", "steamid", "steam_id64", "steamid64", "id", "account", "account_id"}
_STEAM_ID = re.compile(r"[0-9]{17}")


def _shown(argument: str, width: int | None = 60) -> str:
    """A path (``width=None``: whole) or a cell as it may be echoed: masked, on one line."""
    masked = mask(one_line(argument))
    return masked if width is None or len(masked) <= width else masked[: width - 1] + "…"


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def read_text(value: str) -> str:
    """The text of the file ``value``: UTF-8 (a byte-order mark or not), UTF-16/32 with one.

    Parameters
    ----------
    value : str
        The path as given on the command line (``~`` is expanded).

    Returns
    -------
    str
        The decoded text, without the byte-order mark.

    Raises
    ------
    argparse.ArgumentTypeError
        The file cannot be read, or is not text in one of those encodings: one line
        naming the file and the fix (save it as UTF-8).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "urls.txt"
    >>> _ = path.write_bytes("\\ufeffa\\nb\\n".encode("utf-16-le"))
    >>> read_text(str(path)).splitlines()
    ['a', 'b']
    """
    name = _shown(value, None)
    try:
        data = Path(value).expanduser().read_bytes()
    except OSError as err:
        raise argparse.ArgumentTypeError(f"cannot read {name}: {err.strerror or err}") from None
    encoding = next((codec for bom, codec in _BOMS if data.startswith(bom)), "utf-8")
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as err:
        what = (
            "UTF-8" if encoding == "utf-8" else f"{encoding.upper()} (as its byte-order mark says)"
        )
        raise argparse.ArgumentTypeError(
            f"cannot read {name}: it is not {what} text (byte 0x{data[err.start]:02x} on line "
            f"{_line_of(data, err.start)}, perhaps Latin-1 or Windows-1252): {_SAVE_AS}"
        ) from None
    if "\x00" in text:
        raise argparse.ArgumentTypeError(
            f"cannot read {name}: it holds NUL characters (UTF-16 without a byte-order mark, "
            f"or not a text file): {_SAVE_AS}"
        )
    return text.removeprefix("\ufeff")  # a mark saved twice, or inside a UTF-16 file


def url_file(value: str) -> list[str]:
    """``--file``: trade URLs, one per line; blank lines and ``#`` comments skipped.

    Parameters
    ----------
    value : str
        The path given to ``--file``.

    Returns
    -------
    list of str
        The trade URLs in file order (validated later, with those on the command line).

    Raises
    ------
    argparse.ArgumentTypeError
        The file cannot be read or decoded (``read_text``).
    """
    lines = [line.split("#", 1)[0].strip() for line in read_text(value).splitlines()]
    return [line for line in lines if line]


def _bad_line(value: str, number: int, problem: str) -> argparse.ArgumentTypeError:
    return argparse.ArgumentTypeError(
        f"{_shown(value, None)} line {number}: {problem} (each line: steam_id,label, e.g. "
        "76561198000000001,alice; quote a label holding a comma)"
    )


def _is_header(cells: list[str]) -> bool:
    """A header: its first cell names the SteamID column, or no cell holds a digit."""
    first = re.sub(r"[\s-]+", "_", cells[0].strip().lower())
    return first in _HEADERS or not any(char.isdigit() for cell in cells for char in cell)


def _label_row(value: str, number: int, cells: list[str]) -> tuple[str, str]:
    """One ``steam_id,label`` row checked: the SteamID64 and the label (masked, one line)."""
    steam_id, *rest = (cell.strip() for cell in cells)
    extra = [cell for cell in rest[1:] if cell]
    if not rest or not rest[0]:
        raise _bad_line(value, number, f"no label for {_shown(steam_id)!r}")
    if extra:
        raise _bad_line(value, number, f"{len(cells)} fields, not 2")
    number_ok = _STEAM_ID.fullmatch(steam_id) is not None
    if not number_ok or not 0 < int(steam_id) - STEAM_ID64_BASE <= MAX_ACCOUNT_ID:
        raise _bad_line(value, number, f"{_shown(steam_id)!r} is not a SteamID64 (17 digits)")
    return steam_id, mask(one_line(rest[0]))


def labels_file(value: str) -> dict[str, str]:
    """``report --labels``: a CSV of ``steam_id,label`` rows (a header row is allowed).

    Blank lines and lines starting with ``#`` are skipped; the first other line may be a
    header (its first cell ``steam_id``, ``account``..., or no digit in any cell). Every
    other line must be a row: a SteamID64, a non-empty label, no third non-empty field,
    and no SteamID given two different labels.

    Parameters
    ----------
    value : str
        The path given to ``--labels``.

    Returns
    -------
    dict of str to str
        SteamID64 -> label, the label masked (``redact.mask``) and on one line.

    Raises
    ------
    argparse.ArgumentTypeError
        The file cannot be read or decoded, a line is not a row (the error names it), or
        the file holds no row.
    """
    reader = csv.reader(io.StringIO(read_text(value), newline=""), strict=True)
    labels: dict[str, str] = {}
    seen: dict[str, int] = {}
    first = True
    try:
        for cells in reader:
            number = reader.line_num
            if not any(cell.strip() for cell in cells) or cells[0].lstrip().startswith("#"):
                continue
            if first and _is_header(cells):
                first = False
                continue
            first = False
            steam_id, label = _label_row(value, number, cells)
            if labels.get(steam_id, label) != label:
                raise _bad_line(value, number, f"{steam_id} already has a label on line "
                                               f"{seen[steam_id]}")  # fmt: skip
            labels[steam_id] = label
            seen.setdefault(steam_id, number)
    except csv.Error as err:
        raise _bad_line(value, reader.line_num, one_line(err)) from None
    if not labels:
        raise argparse.ArgumentTypeError(
            f"{_shown(value, None)} holds no steam_id,label row (e.g. 76561198000000001,alice)"
        )
    return labels
