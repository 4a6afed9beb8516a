"""Row bookkeeping of a journal for the column fold: cases, rows by kind, per-case lookups.

Every question the fold asks of "the state before row i" is one of these:
the rows of some kinds, the latest of them before a row in its case, the
first after, how many between (a ``searchsorted`` into sorted row numbers).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from xinfang.columnar._column_arrays import I64

__all__ = ["CaseRows"]


class CaseRows:
    """Row bookkeeping of one journal: cases, rows by kind, and per-case lookups."""

    def __init__(self, kinds: npt.NDArray[np.int8], starts: npt.NDArray[np.int64]) -> None:
        n = len(kinds)
        self.n = n
        self.starts = starts
        self.ends = np.append(starts[1:], n)[: len(starts)].astype(I64)
        self.m = len(starts)
        lengths = self.ends - starts
        small = np.int32 if self.m < 2**31 else I64
        self.case: npt.NDArray[Any] = np.repeat(
            np.arange(self.m, dtype=small), lengths
        )  # each row's case
        self.kinds = kinds
        #: rows by kinds asked for, each found once (a scan of ``kinds``; an absent kind
        #: leaves an empty array and every section on it does nothing)
        self._of: dict[tuple[int, ...], npt.NDArray[np.int64]] = {}

    def of(self, *kinds: int) -> npt.NDArray[np.int64]:
        """The rows of these kinds, ascending."""
        got = self._of.get(kinds)
        if got is not None:
            return got
        mask = self.kinds == kinds[0]
        for k in kinds[1:]:
            mask |= self.kinds == k
        got = np.flatnonzero(mask)
        self._of[kinds] = got
        return got

    def last_pos(self, rows: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        """Per case: the position in ``rows`` (ascending) of its last row in the case, -1 none."""
        out = np.full(self.m, -1, I64)
        if len(rows):
            c = self.case[rows]
            keep = np.ones(len(rows), np.bool_)
            keep[:-1] = c[1:] != c[:-1]
            out[c[keep]] = np.flatnonzero(keep)
        return out

    def last(self, rows: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        """Per case: the last of ``rows`` (ascending) in it, -1 for none."""
        out = np.full(self.m, -1, I64)
        if len(rows):
            c = self.case[rows]
            keep = np.ones(len(rows), np.bool_)
            keep[:-1] = c[1:] != c[:-1]
            out[c[keep]] = rows[keep]
        return out

    def first_of(self, rows: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        """Per case: the first of ``rows`` (ascending) in it, -1 for none."""
        out = np.full(self.m, -1, I64)
        if len(rows):
            c = self.case[rows]
            keep = np.ones(len(rows), np.bool_)
            keep[1:] = c[1:] != c[:-1]
            out[c[keep]] = rows[keep]
        return out

    def before_pos(
        self, rows: npt.NDArray[np.int64], q: npt.NDArray[np.int64]
    ) -> npt.NDArray[np.int64]:
        """For each query row: the position in ``rows`` of the latest before it in its case."""
        if not len(rows) or not len(q):
            return np.full(len(q), -1, I64)
        p = np.searchsorted(rows, q) - 1
        ok = (p >= 0) & (rows[np.maximum(p, 0)] >= self.starts[self.case[q]])
        return np.where(ok, p, -1)

    def before(
        self, rows: npt.NDArray[np.int64], q: npt.NDArray[np.int64]
    ) -> npt.NDArray[np.int64]:
        """For each query row: the latest of ``rows`` before it in its case, -1 for none."""
        p = self.before_pos(rows, q)
        return np.where(p >= 0, rows[np.maximum(p, 0)], -1) if len(rows) else p

    def after(
        self, rows: npt.NDArray[np.int64], lo: npt.NDArray[np.int64]
    ) -> npt.NDArray[np.int64]:
        """Per case: the first of ``rows`` after row ``lo[c]`` (-1: from the start), -1 none.

        Cases with ``lo[c] < -1`` are skipped (-1).
        """
        if not len(rows):
            return np.full(self.m, -1, I64)
        # from the start: the case's first of rows; only the others search
        out = np.where(lo == -1, self.first_of(rows), -1)
        asked = np.flatnonzero(lo >= 0)
        if not len(asked):
            return out
        asked_lo = lo[asked]
        p = np.searchsorted(rows, asked_lo, side="right")
        found = rows[np.minimum(p, len(rows) - 1)]
        out[asked] = np.where((p < len(rows)) & (found < self.ends[asked]), found, -1)
        return out

    def between(
        self, rows: npt.NDArray[np.int64], lo: npt.NDArray[np.int64], hi: npt.NDArray[np.int64]
    ) -> npt.NDArray[np.int64]:
        """How many of ``rows`` lie strictly between ``lo`` and ``hi`` (row numbers)."""
        if not len(rows):
            return np.zeros(len(hi), I64)
        return np.searchsorted(rows, hi) - np.searchsorted(rows, lo, side="right")

    def since(self, prev: npt.NDArray[np.int64], q: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        """``prev`` (a row before each query row, -1 none) with none as the row before its case."""
        return np.where(prev < 0, self.starts[self.case[q]] - 1, prev)
