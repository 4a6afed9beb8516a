"""The errors of sheet import, and the row problem every refused row becomes."""

from __future__ import annotations

from typing import Final

import attrs

from xinfang.errors import XinfangError, quoted

__all__ = ["MAX_LISTED", "RowProblem", "SheetError", "SheetRowsError", "column_letter", "shown"]

#: Row problems an error message lists before it says how many more there are.
MAX_LISTED: Final = 20


def column_letter(index: int) -> str:
    """The column letter Excel shows for the 0-based ``index`` (0 → A, 26 → AA)."""
    letters = ""
    n = index + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


class SheetError(XinfangError):
    """A sheet cannot be read as a 台账: no header row, a column missing, a bad mapping, ..."""


@attrs.frozen(kw_only=True)
class RowProblem:
    """Why one row of a sheet did not become a case.

    ``row`` is the row number as Excel shows it (1 is the first row of the
    sheet, title rows included); ``column`` the header of the column at
    fault (``""`` when the row as a whole is refused); ``value`` a bounded
    prefix of the cell as read; ``expected`` what the cell should hold, or
    the rule the row broke.
    """

    sheet: str
    row: int
    column: str
    cell: str
    value: str
    expected: str

    def __str__(self) -> str:
        where = f"{self.sheet}!{self.cell}" if self.cell else f"{self.sheet} row {self.row}"
        column = f" [{self.column}]" if self.column else ""
        value = f" {self.value}:" if self.value else ""
        return f"{where} (row {self.row}){column}:{value} expected {self.expected}"


def shown(value: object) -> str:
    """A cell's value as a row problem quotes it (bounded)."""
    return quoted(value) if value is not None and value != "" else ""


class SheetRowsError(XinfangError):
    """Rows of a sheet were refused; nothing was imported (``problems``: every one, in order)."""

    problems: tuple[RowProblem, ...]

    def __init__(self, problems: tuple[RowProblem, ...], *, source: str, rows: int) -> None:
        self.problems = problems
        bad = len({p.row for p in problems})
        listed = "; ".join(str(p) for p in problems[:MAX_LISTED])
        more = f"; ... {len(problems) - MAX_LISTED} more" if len(problems) > MAX_LISTED else ""
        super().__init__(
            f"{bad} of {rows} row(s) refused, nothing imported: {listed}{more}",
            path=source,
            rule="every row becomes a case or is refused; a sheet goes in whole",
        )
