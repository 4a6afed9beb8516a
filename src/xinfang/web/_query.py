"""Reading a page's query parameters (every problem a 400 naming the field) and writing links."""

from __future__ import annotations

import datetime as _dt
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

from xinfang.errors import InvalidDataError, quoted

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["href", "parse_choice", "parse_date", "parse_flag", "parse_int"]


def _bad(field: str, message: str) -> InvalidDataError:
    return InvalidDataError([(field, message)], source="query")


def parse_date(value: str | None, field: str, default: _dt.date) -> _dt.date:
    """A query date (``YYYY-MM-DD``), or ``default`` when absent."""
    if value is None or value == "":
        return default
    try:
        return _dt.date.fromisoformat(value)
    except ValueError:
        raise _bad(field, f"expected a date YYYY-MM-DD, got {quoted(value)}") from None


def parse_int(value: str | None, field: str, default: int, lo: int, hi: int) -> int:
    """A whole number of a query, within ``lo``..``hi``, or ``default`` when absent."""
    if value is None or value == "":
        return default
    if not (value.isascii() and value.isdigit()) or not lo <= int(value) <= hi:
        raise _bad(field, f"expected a whole number {lo}..{hi}, got {quoted(value)}")
    return int(value)


def parse_choice(value: str | None, field: str, choices: Sequence[str]) -> str | None:
    """One of ``choices``, or ``None`` when absent."""
    if value is None or value == "":
        return None
    if value not in choices:
        raise _bad(field, f"expected one of {', '.join(choices)}, got {quoted(value)}")
    return value


def parse_flag(value: str | None, field: str) -> bool | None:
    """``yes``/``no`` (also ``1``/``0``, ``true``/``false``), or ``None`` when absent."""
    if value is None or value == "":
        return None
    if value in ("1", "yes", "true"):
        return True
    if value in ("0", "no", "false"):
        return False
    raise _bad(field, f"expected yes or no, got {quoted(value)}")


def href(path: str, **params: Any) -> str:
    """A link with its query (values percent-encoded; empty ones left out)."""
    query = urlencode(
        [
            (k, v.isoformat() if isinstance(v, _dt.date) else str(v))
            for k, v in params.items()
            if v not in (None, "")
        ]
    )
    return quote(path, safe="/") + (f"?{query}" if query else "")
