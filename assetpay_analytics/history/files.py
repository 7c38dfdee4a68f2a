"""Which files of a store are snapshots: the scan, its problems, the id form, stale leftovers.

Only a file the store wrote is a snapshot: a Parquet file under ``game=*/date=*`` whose
footer holds the store's record (``snapshots.RECORD_KEY``, or ``books.PRICE_RECORD_KEY``
for a price book), well formed, with the columns the store writes and as many rows as
the record says, named ``<its id>.parquet``. The rest is sorted out here:

- **foreign**: a Parquet file without the store's record (written by another tool);
- **damaged**: a file that cannot be read (truncated, not Parquet, its record's JSON
  broken, the columns wrong, the rows miscounted, its rows unreadable);
- **duplicate**: a second file of an id already seen (a copy into another partition):
  the first by path order counts.

Each is skipped with one ``SnapshotWarning`` naming the file, once per store, and
listed by ``store.problems()``. A file left by a killed save (``snapshots.write_atomically``
writes under ``.<id>.parquet.<pid>.<hex>.tmp``) is removed once it is older than
``STALE_AFTER`` seconds, so a writer still at work keeps its file.
"""

from __future__ import annotations

import json
import re
import time
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

__all__ = [
    "ID_FORM",
    "ID_PATTERN",
    "PROBLEM_COLUMNS",
    "STALE_AFTER",
    "TEMP_PATTERN",
    "Kind",
    "Scan",
    "SnapshotWarning",
    "check_id",
    "read_checked",
    "remove_stale",
]

#: A snapshot id: its UTC time to the microsecond, then 8 random hex digits.
ID_PATTERN = re.compile(r"[0-9]{8}T[0-9]{12}Z-[0-9a-f]{8}")
#: The id form, as an error message spells it.
ID_FORM = "YYYYMMDDTHHMMSSffffffZ-xxxxxxxx (UTC time to the microsecond, 8 hex digits)"
#: A temporary file of ``write_atomically``: ``.<id>.parquet.<pid>.<8 hex>.tmp``.
TEMP_PATTERN = re.compile(rf"\.{ID_PATTERN.pattern}\.parquet\.[0-9]+\.[0-9a-f]{{8}}\.tmp")
#: Seconds after which a temporary file is a killed save's, not a live writer's.
STALE_AFTER = 60.0
#: The columns of ``store.problems()``.
PROBLEM_COLUMNS = ("path", "kind", "reason")


Records = list[dict[str, Any]]
Problems = list[dict[str, str]]


class SnapshotWarning(UserWarning):
    """A file of the store that is not a snapshot (foreign, damaged, a copy): skipped."""


@dataclass(frozen=True)
class Kind:
    """What a snapshot of one dataset is: its footer key, its fields and columns."""

    what: str  # "snapshot" or "price snapshot"
    key: bytes
    fields: Mapping[str, type | tuple[type, ...]]
    columns: frozenset[str]
    count: str  # the record's field counting the file's rows


def check_id(snapshot: object, what: str = "snapshot") -> str:
    """``snapshot`` when it is of the store's id form, else a ``ValueError`` saying the form.

    Examples
    --------
    >>> check_id("20260601T093000123456Z-3f9a1c2e")
    '20260601T093000123456Z-3f9a1c2e'
    >>> check_id("../outside")
    Traceback (most recent call last):
    ...
    ValueError: '../outside' is not a snapshot id: ids are YYYYMMDDTHHMMSSffffffZ-xxxxxxxx ...
    """
    if not isinstance(snapshot, str) or not ID_PATTERN.fullmatch(snapshot):
        raise ValueError(
            f"{snapshot!r} is not a {what} id: ids are {ID_FORM}, as "
            f"store.{what.replace(' ', '_')}s() lists them"
        )
    return snapshot


def remove_stale(folders: Iterable[Path], now: float | None = None) -> None:
    """Remove the store's own temporary files older than ``STALE_AFTER`` in ``folders``."""
    cutoff = (time.time() if now is None else now) - STALE_AFTER
    for folder in folders:
        for path in folder.glob(".*.tmp"):
            if not TEMP_PATTERN.fullmatch(path.name):
                continue
            try:
                if path.stat().st_mtime < cutoff:
                    path.unlink()
            except OSError:  # gone already, or not ours to remove: left alone
                continue


@dataclass
class Scan:
    """The files of a store sorted out, with a memory of what it already warned about."""

    where: str
    warned: set[tuple[str, str]] = field(default_factory=set)
    unreadable: dict[Path, str] = field(default_factory=dict)

    def records(self, paths: Iterable[Path], kind: Kind) -> tuple[Records, Problems]:
        """The snapshots' records among ``paths`` (each with its ``path``), and the problems."""
        records: Records = []
        problems: Problems = []
        seen: dict[str, Path] = {}
        for path in sorted(paths):
            problem, record = self._classify(path, kind, seen)
            if problem is None:
                seen[record["id"]] = path
                records.append({"path": path, **record})
            else:
                problems.append(problem)
                self._warn(problem, kind)
        return records, problems

    def damaged(self, path: Path, err: BaseException, kind: Kind) -> None:
        """Remember ``path`` as damaged (its rows failed to read) and warn about it."""
        self.unreadable[path] = f"its rows cannot be read: {_one_line(err)}"
        self._warn({"path": str(path), "kind": "damaged", "reason": self.unreadable[path]}, kind)

    def _classify(
        self, path: Path, kind: Kind, seen: Mapping[str, Path]
    ) -> tuple[dict[str, str] | None, dict[str, Any]]:
        if path in self.unreadable:
            return _problem(path, "damaged", self.unreadable[path]), {}
        try:
            record = read_checked(path, kind)
        except _Foreign as err:
            return _problem(path, "foreign", str(err)), {}
        except Exception as err:  # whatever a broken file raises: pyarrow's, JSON's...
            return _problem(path, "damaged", _one_line(err)), {}
        if record["id"] in seen:
            return _problem(path, "duplicate", f"a copy of {seen[record['id']]}"), {}
        return None, record

    def _warn(self, problem: Mapping[str, str], kind: Kind) -> None:
        token = (problem["path"], problem["kind"])
        if token in self.warned:
            return
        self.warned.add(token)
        what = {"foreign": f"not a {kind.what} of the store", "damaged": "damaged",
                "duplicate": "a duplicate"}[problem["kind"]]  # fmt: skip
        warnings.warn(
            f"{problem['path']} is {what} ({problem['reason']}): skipped; "
            f"{self.where}.problems() lists it",
            SnapshotWarning,
            stacklevel=5,
        )


class _Foreign(Exception):
    """A readable Parquet file that the store did not write."""


def read_checked(path: Path, kind: Kind) -> dict[str, Any]:
    """The record in ``path``'s footer, checked against its columns, rows and name.

    Raises ``_Foreign`` for a Parquet file without the store's record, anything else
    (pyarrow's errors, ``ValueError``) for a damaged one.
    """
    with pq.ParquetFile(path) as parquet:
        schema, rows = parquet.schema_arrow, parquet.metadata.num_rows
    raw = (schema.metadata or {}).get(kind.key)
    if raw is None:
        raise _Foreign(f"its footer has no {kind.key.decode()} record")
    record = json.loads(raw)
    if not isinstance(record, dict):
        raise ValueError(f"its {kind.key.decode()} record is not a JSON object")
    wrong = [name for name, types in kind.fields.items() if not isinstance(record.get(name), types)]
    if wrong:
        raise ValueError(f"its record lacks or mistypes {', '.join(wrong)}")
    if not ID_PATTERN.fullmatch(record["id"]) or path.stem != record["id"]:
        raise ValueError(f"its record's id {record['id']!r} is not its name {path.stem!r}")
    missing = sorted(kind.columns - set(schema.names))
    if missing:
        raise ValueError(f"it lacks the column(s) {', '.join(missing)}")
    if record[kind.count] != rows:
        raise ValueError(f"its record counts {record[kind.count]} rows, the file holds {rows}")
    return record


def _problem(path: Path, kind: str, reason: str) -> dict[str, str]:
    return {"path": str(path), "kind": kind, "reason": reason}


def _one_line(err: BaseException) -> str:
    text = " ".join(str(err).split()) or type(err).__name__
    return text if len(text) <= 200 else f"{text[:197]}..."
