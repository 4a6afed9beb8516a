"""One call from a file to cases: read, map, apply; refuse the sheet whole or skip bad rows."""

from __future__ import annotations

from typing import TYPE_CHECKING

from xinfang.sheets._errors import SheetRowsError
from xinfang.sheets._readers import read_sheet
from xinfang.sheets._rows import cases_from_table

if TYPE_CHECKING:  # pragma: no cover
    from pathlib import Path

    from xinfang.calendar import WorkCalendar
    from xinfang.responsibility import Organization
    from xinfang.rulebook import Rulebook
    from xinfang.sheets._mapping import SheetMapping
    from xinfang.sheets._readers import Table
    from xinfang.sheets._rows import SheetImport

__all__ = ["import_sheet"]


def import_sheet(
    path: str | Path,
    mapping: SheetMapping,
    org: Organization,
    *,
    sheet: str | None = None,
    header_row: int | None = None,
    encoding: str | None = None,
    skip_bad_rows: bool = False,
    rulebook: Rulebook | None = None,
    calendar: WorkCalendar | None = None,
) -> tuple[SheetImport, Table]:
    """The sheet's cases and the table read, or :class:`SheetRowsError` if any row fails.

    With ``skip_bad_rows`` the result keeps its refused rows and their
    problems beside the good cases (write them with
    :func:`~xinfang.sheets.write_rejected`); without, one bad row refuses
    the sheet and the error lists every problem of every row.
    """
    table = read_sheet(path, mapping=mapping, sheet=sheet, header_row=header_row, encoding=encoding)
    result = cases_from_table(table, mapping, org, rulebook=rulebook, calendar=calendar)
    if result.problems and not skip_bad_rows:
        raise SheetRowsError(
            result.problems, source=f"{table.source}!{table.sheet}", rows=result.rows
        )
    return result, table
