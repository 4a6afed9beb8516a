"""``xinfang sheet ...``: the office's spreadsheets (the command lives in :mod:`xinfang.sheets`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from xinfang.cli._calendars import counting_calendar
from xinfang.sheets import add_parsers as add_sheet_parsers

if TYPE_CHECKING:  # pragma: no cover
    from xinfang.cli._options import Shared, SubParsers

__all__ = ["add_parsers"]


def add_parsers(sub: SubParsers, shared: Shared) -> None:
    """Add ``sheet check|import|template|export`` with the shared quiet and calendar options."""
    add_sheet_parsers(sub, [shared.common, shared.counting], counting_calendar)
