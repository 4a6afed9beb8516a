"""Delta files in a partitioned Parquet journal and its companion: which are live, merged how.

An update (:func:`~xinfang.columnar.update_milestones`) does not rewrite a
partition: it adds to each partition it touches a small file numbered ``n``
(``delta-0000000n.parquet``: the journal's new events there; in the
companion, the touched cases' new rows), then **commits** ``n`` by replacing
one small file in the journal's folder, ``_committed``, atomically
(``os.replace`` of a file written and flushed beside it). A compaction
merges a partition's files into one base file numbered like an update
(``base-0000000n.parquet``) and commits that number the same way. So in each
partition folder, with ``N`` the committed number (0 without the file):

- the **base** is the ``base-k.parquet`` with the largest ``k <= N``, or
  base 0: ``write_journal``'s ``part-0.parquet`` and every file of another
  name (pyarrow's ``part-1.parquet`` ... of a dataset a host wrote);
- the **deltas** are the ``delta-n.parquet`` with ``k < n <= N``, in ``n``
  order;
- every other file is ignored: a number above ``N`` is an update or
  compaction that did not commit (the next writer deletes it), one at or
  below the base's is what a compaction superseded (deleted after its commit).

One commit file for both datasets makes an update all-or-nothing: a writer
that stops anywhere before the rename leaves the state of the last commit
readable, journal and companion alike; after it, both show the update.
Readers merge a partition's live files: a journal's events by case (its
events together, in ``seq`` order), a companion's rows newest-wins by case.
Both in one order: the cases no delta touches as the base holds them, then
the cases the deltas touch, in the order the deltas last name them (by the
newest delta naming a case, then its place there). That order is the same
whether or not some deltas were compacted first (a compaction of the
companion alone leaves the journal's deltas), so the clocks of a sweep of
either come in the same order. Names starting with
``_`` are invisible to pyarrow's dataset discovery, so ``_committed`` never
reads as data. One writer at a time, as for any journal in files.
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
    from collections.abc import Callable, Iterable, Sequence

__all__ = [
    "COMMIT_FILE",
    "base_name",
    "commit",
    "committed",
    "delta_name",
    "last_named",
    "live_groups",
    "merge_events",
    "merge_rows",
    "not_live",
    "numbered",
    "partition_files",
    "read_committed",
]

#: The file in a journal's folder naming the last committed update or compaction.
COMMIT_FILE: Final = "_committed"
#: The names this module gives: ``part-0`` (``write_journal``'s first base), a commit's
#: base ``base-0000000n``, an update's ``delta-0000000n``. Every other data file in a
#: partition folder (pyarrow's ``part-1.parquet`` ... of a dataset written by a host)
#: is part of base 0.
_NAME: Final = re.compile(r"^(?:(base|delta)-(\d{1,18})|part-0)\.parquet$")
_TRIES: Final = 3

T = TypeVar("T")


def committed(root: str | os.PathLike[str]) -> int:
    """The last committed number of the journal at ``root`` (0: none, or a file journal).

    ``root`` may be one of its partition folders (``journal/year=2026``, as a
    Dask task reads its own): the commit file is then found above it.
    """
    path = _commit_file(Path(root))
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


def _commit_file(root: Path) -> Path:
    """The commit file of the dataset ``root`` is, or is a partition folder (``key=value``) of."""
    folder = root
    while "=" in folder.name and not (folder / COMMIT_FILE).exists():
        folder = folder.parent
    found = folder / COMMIT_FILE
    return found if found.exists() else root / COMMIT_FILE


def read_committed(root: str | os.PathLike[str] | None, read: Callable[[int | None], T]) -> T:
    """``read(number)`` at the committed number, again if a commit came meanwhile.

    A compaction deletes what it superseded once committed: a read that
    listed the files before may find one gone (an error) or a partition
    missing. So the committed number is read before and after; a read it
    changed under is done again (``root`` ``None``: a file, read once).
    """
    if root is None:
        return read(None)
    for _ in range(_TRIES):
        number = committed(root)
        try:
            out = read(number)
        except InvalidDataError:
            if committed(root) == number:
                raise
            continue
        if committed(root) == number:
            return out
    raise InvalidDataError(
        [("$", f"the journal changed during each of {_TRIES} reads: read it again")],
        source=str(root),
    )


def commit(root: Path, number: int, written: Sequence[Path] = ()) -> None:
    """Make ``number`` the committed one, atomically (written beside, flushed, renamed).

    ``written``: the datasets (the journal's folder, its companion's) whose files
    numbered ``number`` the commit makes live: those files and their folders are
    flushed to disk first, so that no crash leaves a commit naming a file the
    disk does not hold whole (a new file's data may reach the disk after a later
    rename otherwise).
    """
    _flush_numbered(written, number)
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


def _flush_numbered(datasets: Sequence[Path], number: int) -> None:
    """Flush every data file numbered ``number`` under ``datasets``, and its folder."""
    folders: set[Path] = set()
    try:
        for dataset in datasets:
            if not dataset.is_dir():
                continue
            for path in dataset.rglob("*.parquet"):
                if numbered(path.name)[1] != number or _NAME.match(path.name) is None:
                    continue
                with path.open("rb") as data:
                    os.fsync(data.fileno())
                folders.update(path.parents[: len(path.relative_to(dataset).parts)])
    except OSError as exc:
        raise InvalidDataError(
            [("$", f"cannot flush the update's files: {exc}"[:300])], source=str(datasets[0])
        ) from None
    for folder in sorted(folders, key=lambda p: len(p.parts), reverse=True):
        _sync_folder(folder)


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
    if found is None or found.group(1) is None:
        return "part", 0
    return ("part" if found.group(1) == "base" else "delta"), int(found.group(2))


def delta_name(number: int) -> str:
    """The name of update ``number``'s file in a partition folder."""
    return f"delta-{number:08d}.parquet"


def base_name(number: int) -> str:
    """The name of the base file commit ``number`` writes in a partition folder.

    ``part-0.parquet`` for 0 (a dataset's first write), ``base-0000000n.parquet``
    after: never a name pyarrow gives the files of a dataset it writes
    (``part-0``, ``part-1`` ...), which all read as base 0.
    """
    return "part-0.parquet" if number == 0 else f"base-{number:08d}.parquet"


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
    """A partition's events from its live files' tables (base first): each case's together.

    The cases no delta touches keep their order; each case a delta touches
    follows them, in the order the deltas last name it (:func:`last_named`),
    its events in ``seq`` order (a delta continues a case's ``seq``). The
    rows that stay are filtered, not moved one by one: reading a partition
    with 1% of its cases in deltas costs a filter of its rows, not a sort.
    """
    first, rest = tables[0], [t for t in tables[1:] if t.num_rows]
    if not rest:
        return first
    later = pa.concat_tables(rest)
    seen = pc.dictionary_encode(_whole(later.column("case_id")))
    hit = pc.is_in(first.column("case_id"), value_set=seen.dictionary)
    moves = first.filter(hit)
    codes = seen.indices.to_numpy(zero_copy_only=False)
    place = last_named(codes)  # per case (code), where the deltas last name it
    rank = np.concatenate(
        (
            place[
                pc.index_in(moves.column("case_id"), value_set=seen.dictionary).to_numpy(
                    zero_copy_only=False
                )
            ],
            place[codes],
        )
    )
    moved = pa.concat_tables([moves, later])
    order = pa.array(np.argsort(rank, kind="stable"), pa.int64())
    return pa.concat_tables([first.filter(pc.invert(hit)), moved.take(order)])


def merge_rows(tables: list[Any]) -> Any:
    """A partition's companion rows from its live files' tables (base first): newest per case.

    The cases no delta touches keep their order; each case a delta touches
    follows them with its newest row, in the order the deltas last name it
    (the order :func:`merge_events` gives the same partition's events).
    """
    first, rest = tables[0], [t for t in tables[1:] if t.num_rows]
    if not rest:
        return first
    later = pa.concat_tables(rest)
    seen = pc.dictionary_encode(_whole(later.column("case_id")))
    codes = seen.indices.to_numpy(zero_copy_only=False)
    newest = later.take(pa.array(np.sort(last_named(codes)), pa.int64()))
    stays = first.filter(pc.invert(pc.is_in(first.column("case_id"), value_set=seen.dictionary)))
    return pa.concat_tables([stays, newest])


def last_named(codes: Any) -> Any:
    """Per case code (``0..k-1``, as ``codes`` first name them), the row that last names it.

    Ordering the cases by it is ordering them by the newest delta naming
    them, then by their place there: what a compaction of some of the deltas
    leaves unchanged (the compacted cases a later delta names move to its
    place; the others keep the place their last naming gave them).
    """
    _, first_from_end = np.unique(codes[::-1], return_index=True)  # codes 0, 1, ... in order
    return len(codes) - 1 - first_from_end


def _whole(ids: Any) -> Any:
    """One array of a column (a chunked one combined)."""
    return ids.combine_chunks() if isinstance(ids, pa.ChunkedArray) else ids
