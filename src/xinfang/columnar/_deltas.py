"""Delta files in a partitioned Parquet journal and its companion: which are live, merged how.

An update (:func:`~xinfang.columnar.update_milestones`) does not rewrite a
partition: it adds to each partition it touches a small file numbered ``n``
(``delta-0000000n.parquet``: the journal's new events there; in the
companion, the touched cases' new rows), then **commits** ``n`` by replacing
one small file in the journal's folder, ``_committed``, atomically
(``os.replace`` of a file written and flushed beside it). A compaction
merges a partition's files into one base file numbered like an update
(``part-n.parquet``) and commits that number the same way. So in each
partition folder, with ``N`` the committed number (0 without the file):

- the **base** is the ``part-k.parquet`` with the largest ``k <= N``
  (``write_journal``'s ``part-0.parquet``; a file of another name is part of
  base 0);
- the **deltas** are the ``delta-n.parquet`` with ``k < n <= N``, in ``n``
  order;
- every other file is ignored: a number above ``N`` is an update or
  compaction that did not commit (the next writer deletes it), one at or
  below the base's is what a compaction superseded (deleted after its commit).

One commit file for both datasets makes an update all-or-nothing: a writer
that stops anywhere before the rename leaves the state of the last commit
readable, journal and companion alike; after it, both show the update.
Readers merge a partition's live files: a journal's events by case (a case
keeps its place, its events in ``seq`` order; a case first seen in a delta
comes after the base's), a companion's rows newest-wins by case (a row keeps
its case's place). Names starting with ``_`` are invisible to pyarrow's
dataset discovery, so ``_committed`` never reads as data. One writer at a
time, as for any journal in files.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, TypeVar

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from xinfang.errors import InvalidDataError

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Callable, Iterable

__all__ = [
    "COMMIT_FILE",
    "base_name",
    "commit",
    "committed",
    "delta_name",
    "live_groups",
    "merge_events",
    "merge_rows",
    "not_live",
    "numbered",
    "partition_files",
]

#: The file in a journal's folder naming the last committed update or compaction.
COMMIT_FILE: Final = "_committed"
_NAME: Final = re.compile(r"^(part|delta)-(\d{1,18})\.parquet$")

T = TypeVar("T")


def committed(root: str | os.PathLike[str]) -> int:
    """The last committed number of the journal at ``root`` (0: none, or a file journal)."""
    path = Path(root) / COMMIT_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return 0
    except NotADirectoryError:
        return 0
    except OSError as exc:
        raise InvalidDataError(
            [("$", f"cannot read {COMMIT_FILE}: {exc}"[:300])], source=str(root)
        ) from None
    try:
        number = json.loads(text)["committed"]
    except (ValueError, KeyError, TypeError):
        number = None
    if not isinstance(number, int) or isinstance(number, bool) or number < 0:
        raise InvalidDataError(
            [(COMMIT_FILE, f"not a commit record: {text[:60]!r}")], source=str(root)
        )
    return number


def commit(root: Path, number: int) -> None:
    """Make ``number`` the committed one, atomically (written beside, flushed, renamed)."""
    target = root / COMMIT_FILE
    temporary = root / f"{COMMIT_FILE}.{os.getpid()}.tmp"
    try:
        with temporary.open("w", encoding="utf-8") as out:
            out.write(json.dumps({"committed": number}) + "\n")
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, target)
        _sync_folder(root)
    except OSError as exc:
        raise InvalidDataError(
            [("$", f"cannot commit the update: {exc}"[:300])], source=str(root)
        ) from None


def _sync_folder(folder: Path) -> None:
    """Flush a folder's entries (the rename) where the system allows it."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - a system without folder handles
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


def numbered(name: str) -> tuple[str, int]:
    """A data file's role and number: ``("part", k)``, ``("delta", n)``; other names: base 0."""
    found = _NAME.match(name)
    if found is None:
        return "part", 0
    return found.group(1), int(found.group(2))


def delta_name(number: int) -> str:
    """The name of update ``number``'s file in a partition folder."""
    return f"delta-{number:08d}.parquet"


def base_name(number: int) -> str:
    """The name of the base file compaction ``number`` writes in a partition folder."""
    return f"part-{number}.parquet"


def live_groups(
    items: Iterable[T], path_of: Callable[[T], str], number: int | None
) -> list[list[T]]:
    """The live files of each partition folder (base first, deltas in order), folders in order.

    Folders are ordered as their files' paths sort (a folder's path and a
    separator), so a dataset without deltas reads in the order it always did.
    ``number`` ``None`` (a journal in one file): each file alone, as named.
    """
    if number is None:
        return [[item] for item in sorted(items, key=path_of)]
    folders: dict[str, list[tuple[str, int, T]]] = {}
    for item in items:
        path = path_of(item)
        head, _, name = path.replace(os.sep, "/").rpartition("/")
        role, k = numbered(name)
        folders.setdefault(head, []).append((role, k, item))
    groups = []
    for head in sorted(folders, key=lambda h: h + "/"):
        files = folders[head]
        base = max((k for role, k, _ in files if role == "part" and k <= number), default=0)
        bases = sorted(
            ((k, path_of(item), item) for role, k, item in files if role == "part" and k == base),
            key=lambda t: t[1],
        )
        deltas = sorted(
            (k, path_of(item), item)
            for role, k, item in files
            if role == "delta" and base < k <= number
        )
        groups.append([item for _, _, item in (*bases, *deltas)])
    return [g for g in groups if g]


def partition_files(root: Path, number: int) -> list[list[Path]]:
    """The live files of the folder dataset at ``root``, by partition (:func:`live_groups`)."""
    return live_groups(sorted(root.rglob("*.parquet")), str, number)


def not_live(root: Path, number: int, *, above_only: bool = False) -> list[Path]:
    """Files under ``root`` no reader reads at ``number``: superseded, or not committed.

    ``above_only``: only those numbered above ``number`` (what a writer that
    did not commit left behind).
    """
    if not root.is_dir():
        return []
    every = sorted(root.rglob("*.parquet"))
    live = {p for group in live_groups(every, str, number) for p in group}
    out = []
    for p in every:
        role, k = numbered(p.name)
        if p in live or (role == "part" and k == 0 and _NAME.match(p.name) is None):
            continue  # a foreign name in a folder compacted since is kept: not ours to delete
        if not above_only or k > number:
            out.append(p)
    return out


def merge_events(tables: list[Any]) -> Any:
    """A partition's events from its live files' tables: each case's together, in ``seq`` order.

    A case keeps the place it has in the first file holding it; its events
    in later files (deltas continue its ``seq``) follow its earlier ones.
    """
    kept = [t for t in tables if t.num_rows]
    if len(kept) <= 1:
        return kept[0] if kept else tables[0]
    both = pa.concat_tables(kept)
    first_seen = _first_seen(both.column("case_id"))
    order = np.argsort(first_seen, kind="stable")
    return both.take(pa.array(order, pa.int64()))


def merge_rows(tables: list[Any]) -> Any:
    """A partition's companion rows from its live files' tables: the newest row of each case.

    A case keeps the place of its first row; a case first seen in a delta
    comes after the base's, in the delta's order.
    """
    kept = [t for t in tables if t.num_rows]
    if len(kept) <= 1:
        return kept[0] if kept else tables[0]
    both = pa.concat_tables(kept)
    codes = _first_seen(both.column("case_id"))
    n = len(codes)
    _, first_from_end = np.unique(codes[::-1], return_index=True)  # codes in order: 0, 1, ...
    newest = n - 1 - first_from_end
    return both.take(pa.array(newest, pa.int64()))


def _first_seen(ids: Any) -> Any:
    """Per row, the rank of its case id's first appearance (0 for the first id seen, ...)."""
    if isinstance(ids, pa.ChunkedArray):
        ids = ids.combine_chunks()
    return pc.dictionary_encode(ids).indices.to_numpy(zero_copy_only=False)
