"""Cells as offices fill them: text, dates, resident ID numbers and phones, normalised.

A cell arrives as the reader gives it (text from a CSV; text, a number, a
date or a datetime from a workbook). Each function here turns one cell into
the value a case needs, or returns the sentence that says what was expected
(the row error's ``expected``). Nothing here raises on bad data.
"""

from __future__ import annotations

import datetime as _dt
import re
import unicodedata
from typing import Final

__all__ = [
    "DATE_FORMS",
    "ID_AS_NUMBER",
    "Cell",
    "cell_date",
    "cell_int",
    "cell_phone",
    "cell_resident_id",
    "cell_text",
    "is_blank",
    "normal_text",
]

#: What a reader gives for one cell.
Cell = str | int | float | bool | _dt.date | _dt.datetime | _dt.time | _dt.timedelta | None

#: The date forms accepted, as the row error names them.
DATE_FORMS: Final = (
    "a date: 2025-03-04, 2025.3.4, 2025/3/4, 2025年3月4日, 20250304, or a date cell of Excel"
)
#: What a resident ID number stored as a number gets: the fix, not a guess.
ID_AS_NUMBER: Final = (
    "a resident ID number as text: it is stored as a number, and Excel keeps only 15 "
    "significant digits, so the last digits of an 18-digit number are lost (1.23457E+17). "
    "Format the column as text (设置单元格格式 → 文本) and enter the numbers again from "
    "the source; an ID number is never imported from a number"
)

_EXCEL_EPOCH: Final = _dt.date(1899, 12, 30)
#: Excel serial numbers accepted as dates: 1927-05-18 .. 2119-10-14 (no small counts).
_SERIAL_RANGE: Final = (10_000, 80_000)
_SPACE: Final = re.compile(r"\s+")
_DATE_TEXT: Final = re.compile(
    r"^(\d{4})\s*(?:[-./年]\s*(\d{1,2})\s*[-./月]\s*(\d{1,2})\s*日?|(\d{2})(\d{2}))"
    r"(?:[ T日]?\s*\d{1,2}[:：]\d{2}(?:[:：]\d{2}(?:\.\d+)?)?)?$"
)
_SCIENTIFIC: Final = re.compile(r"^[+-]?\d+(?:\.\d*)?[eE][+-]?\d+$")
_DIGITS_ONLY: Final = re.compile(r"^\d+(?:\.0+)?$")
_ID_TEXT: Final = re.compile(r"^\d{17}[\dX]$|^\d{6}\*{8}\d{3}[\dX]$")  # full, or masked


def normal_text(value: str) -> str:
    """Full-width letters, digits and spaces made plain (NFKC), runs of space made one, trimmed."""
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", value)).strip()


def is_blank(value: Cell) -> bool:
    """Whether a cell holds nothing (``None``, empty or only spaces, full-width ones too)."""
    return value is None or (isinstance(value, str) and not normal_text(value))


def _number_text(value: float | int) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def cell_text(value: Cell) -> str:
    """A cell as normalised text: numbers without a trailing ``.0``, dates as ISO."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int | float):
        return _number_text(value)
    if isinstance(value, _dt.datetime):
        return value.date().isoformat() if value.time() == _dt.time() else value.isoformat(" ")
    if isinstance(value, _dt.date | _dt.time):
        return value.isoformat()
    if isinstance(value, _dt.timedelta):
        return str(value)
    return normal_text(value)


def cell_date(value: Cell) -> _dt.date | str:
    """The day a cell names, or what was expected.

    Accepted: a date or datetime cell; an Excel serial number (a date column
    not formatted as a date); text ``2025-03-04``, ``2025.3.4``, ``2025/3/4``,
    ``2025年3月4日``, ``20250304`` (full-width digits too), optionally
    followed by a time, which is dropped (the sheet records days).
    """
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        low, high = _SERIAL_RANGE
        if low <= value < high:
            return _EXCEL_EPOCH + _dt.timedelta(days=int(value))
        return DATE_FORMS
    if not isinstance(value, str):
        return DATE_FORMS
    text = normal_text(value)
    match = _DATE_TEXT.match(text)
    if match is None:
        return DATE_FORMS
    year = int(match[1])
    month, day = (match[2], match[3]) if match[2] else (match[4], match[5])
    try:
        return _dt.date(year, int(month), int(day))
    except ValueError:
        return f"a real calendar day; {DATE_FORMS}"


def cell_int(value: Cell) -> int | str:
    """A whole number (a count such as 人数), or what was expected."""
    if isinstance(value, bool):
        return "a whole number"
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and _DIGITS_ONLY.match(normal_text(value)):
        return int(float(normal_text(value)))
    return "a whole number"


def cell_resident_id(value: Cell) -> str | tuple[str] | None:
    """A resident ID number's text, ``None`` when blank, or ``(expected,)`` when refused.

    A number (or the text Excel makes of one, ``1.10105E+17``) is refused
    with the fix: its last digits may already be lost, and a wrong number is
    worse than none. The GB 11643 check is the petitioner's own.
    """
    if is_blank(value):
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return (ID_AS_NUMBER,)
    if not isinstance(value, str):
        return ("an 18-character resident ID number (GB 11643) as text",)
    text = normal_text(value).replace(" ", "").upper()
    if _SCIENTIFIC.match(text):
        return (ID_AS_NUMBER,)
    if text.endswith(".0") and _DIGITS_ONLY.match(text):
        return (ID_AS_NUMBER,)
    if not _ID_TEXT.match(text):
        return ("an 18-character resident ID number (17 digits and a digit or X, GB 11643)",)
    return text


def cell_phone(value: Cell) -> str | tuple[str] | None:
    """A phone number's digits, ``None`` when blank, or ``(expected,)``.

    A phone stored as a number is fine (11 digits fit Excel's 15); its
    trailing ``.0`` is dropped. Spaces, dashes and brackets are removed.
    """
    if is_blank(value):
        return None
    if isinstance(value, bool):
        return ("a phone number (5-15 digits)",)
    if isinstance(value, float):
        if not value.is_integer():
            return ("a phone number (5-15 digits)",)
        value = int(value)
    if isinstance(value, int):
        return str(value)
    if not isinstance(value, str):
        return ("a phone number (5-15 digits)",)
    text = re.sub(r"[\s()\-]", "", normal_text(value))
    if _SCIENTIFIC.match(text):
        return ("a phone number as text (it was stored as a number and shown as 1.38E+10)",)
    if not re.fullmatch(r"\+?\d{5,15}|\+?\d{3}\*+\d{4}", text):  # full, or masked
        return ("a phone number (5-15 digits, optionally after +)",)
    return text
