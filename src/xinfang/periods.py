"""Statutory periods (期间) and the due dates they produce.

A :class:`Period` is an amount of calendar days (日) or working days (工作日).
:func:`due_date` turns a start and a period into a :class:`DueDate`: the last
day of the period under a :class:`CountingRule`, with everything needed to
explain it (which rule, which calendar, whether and why it rolled forward,
whether provisional calendar data was involved).

The default counting rule follows the general rules on periods of the Civil
Code (民法典 Arts. 200-204) and the Civil Procedure Law (民事诉讼法 Art. 85):

* the start day is not counted (Art. 201);
* for a period in calendar days, if the last day is a rest day the period ends
  on the first working day after it (Art. 203 ¶1); whether a plain weekend is a
  "rest day" for that purpose is the common reading, a switch here;
* the period ends at 24:00 of its last day, or at the close of business where
  business is done in hours (Art. 203 ¶2).

Periods in working days count working days only and never roll.
"""

from __future__ import annotations

import datetime as _dt
import enum
import re
import zoneinfo
from typing import TYPE_CHECKING, Any, Final

import attrs

from xinfang.calendar import china_mainland
from xinfang.errors import (
    CalendarRangeError,
    NaiveDatetimeError,
    PeriodError,
    XinfangError,
    quoted,
)

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    import numpy.typing as npt
    import pendulum

    from xinfang.calendar import WorkCalendar

__all__ = [
    "DEFAULT_TIMEZONE",
    "MAX_PERIOD_AMOUNT",
    "CountingRule",
    "DueDate",
    "Period",
    "PeriodUnit",
    "cite",
    "deadline_instant",
    "due_date",
    "local_date",
    "period_end_array",
]

DEFAULT_TIMEZONE: Final = "Asia/Shanghai"
_ONE_DAY: Final = _dt.timedelta(days=1)


class PeriodUnit(enum.Enum):
    """What a period counts: calendar days (日 / 自然日) or working days (工作日)."""

    DAYS = "days"
    WORKING_DAYS = "working_days"


#: The longest period: 36 600 days (or working days), about a century. No statute
#: sets more; a longer one is refused when a :class:`Period` is made, so a rulebook
#: cannot load one and no due date is asked beyond any calendar.
MAX_PERIOD_AMOUNT: Final = 36_600


def _non_negative(_: object, attribute: attrs.Attribute[int], value: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool):
        raise PeriodError(
            f"must be an integer, got {quoted(value)}", path=f"period.{attribute.name}"
        )
    if value < 0:
        raise PeriodError(
            f"must not be negative, got {quoted(value)}",
            path=f"period.{attribute.name}",
            rule="a statutory period is a non-negative number of days",
        )
    if value > MAX_PERIOD_AMOUNT:
        raise PeriodError(
            f"must be at most {MAX_PERIOD_AMOUNT}, got {quoted(value)}",
            path=f"period.{attribute.name}",
            rule=f"a period is at most {MAX_PERIOD_AMOUNT} days or working days",
        )


_PARSE: Final = re.compile(
    r"^\s*(?P<n>\d+)\s*(?:"
    r"(?P<wd>个?工作日|working[ _-]?days?|wd)"
    r"|(?P<d>日|天|个?自然日|calendar[ _-]?days?|days?|d)"
    r")\s*$",
    re.IGNORECASE,
)


@attrs.frozen(order=True)
class Period:
    """A statutory period: ``amount`` calendar days or working days.

    ``Period.days(60)`` is "60日"; ``Period.working_days(5)`` is "5个工作日".
    Periods of the same unit add up (``Period.days(60) + Period.days(30)``).
    """

    amount: int = attrs.field(validator=_non_negative)
    unit: PeriodUnit = attrs.field(default=PeriodUnit.DAYS)

    @classmethod
    def days(cls, n: int) -> Period:
        """``n`` calendar days (日)."""
        return cls(n, PeriodUnit.DAYS)

    @classmethod
    def working_days(cls, n: int) -> Period:
        """``n`` working days (工作日)."""
        return cls(n, PeriodUnit.WORKING_DAYS)

    @classmethod
    def parse(cls, text: str) -> Period:
        """Read ``"60日"``, ``"60天"``, ``"5个工作日"``, ``"60 days"``, ``"5 working days"``."""
        m = _PARSE.match(text) if isinstance(text, str) else None
        if m is None:
            raise PeriodError(
                f"cannot read {quoted(text)} as a period; write e.g. '60日', '5个工作日', "
                "'60 days' or '5 working days'",
                path="period",
            )
        unit = PeriodUnit.WORKING_DAYS if m.group("wd") else PeriodUnit.DAYS
        digits = m.group("n").lstrip("0") or "0"
        if len(digits) > len(str(MAX_PERIOD_AMOUNT)):  # before int(): no 5000-digit parse
            raise PeriodError(
                f"{text.strip()[:24]!r} is longer than {MAX_PERIOD_AMOUNT} days or working days",
                path="period",
                rule=f"a period is at most {MAX_PERIOD_AMOUNT} days or working days",
            )
        return cls(int(digits), unit)

    @property
    def is_working_days(self) -> bool:
        """Whether the period counts working days."""
        return self.unit is PeriodUnit.WORKING_DAYS

    def __add__(self, other: object) -> Period:
        if not isinstance(other, Period):
            return NotImplemented
        if other.unit is not self.unit:
            raise PeriodError(f"cannot add {other} to {self}: the units differ", path="period.unit")
        return Period(self.amount + other.amount, self.unit)

    def __str__(self) -> str:
        return f"{self.amount}个工作日" if self.is_working_days else f"{self.amount}日"

    def english(self) -> str:
        """``"60 days"`` / ``"5 working days"``."""
        noun = "working day" if self.is_working_days else "day"
        return f"{self.amount} {noun}{'' if self.amount == 1 else 's'}"


def _cutoff(_: object, attribute: attrs.Attribute[_dt.time | None], value: _dt.time | None) -> None:
    if value is not None and (not isinstance(value, _dt.time) or value.tzinfo is not None):
        raise PeriodError("cutoff must be a naive local time of day or None", path="rule.cutoff")


@attrs.frozen(kw_only=True)
class CountingRule:
    """How a period is counted. Each part is a switch because local practice differs.

    Attributes:
        exclude_start_day: the start day is not counted (民法典 Art. 201).
            When ``False`` the start day is day 1.
        roll_forward: a calendar-day period whose last day is a rest day ends
            on the first working day after it (民法典 Art. 203 ¶1).
        weekend_is_rest_day: whether a plain weekend day counts as a rest day
            for that roll-forward (the common reading; not stated in any
            petition text). When ``False`` only listed holidays roll.
        cutoff: local time at which the last day closes; ``None`` means 24:00
            (民法典 Art. 203 ¶2). Set it where business is done in hours.
        timezone: the zone in which days are counted.
        citation: the law this rule models, shown in explanations.
    """

    exclude_start_day: bool = True
    roll_forward: bool = True
    weekend_is_rest_day: bool = True
    cutoff: _dt.time | None = attrs.field(default=None, validator=_cutoff)
    timezone: str = DEFAULT_TIMEZONE
    citation: str = "民法典 Arts. 201, 203; 民事诉讼法 Art. 85"


# ------------------------------------------------------------- citations
#: The laws citations name, Chinese title → English title (longest first when matched).
LAW_TITLES: Final = {
    "信访工作条例": "Regulations on Petition Work",
    "信访条例": "Regulations on Letters and Visits",
    "信访事项简易办理办法(试行)": (
        "Measures for the Simplified Handling of Petition Matters (trial)"
    ),
    "信访事项简易办理办法": "Measures for the Simplified Handling of Petition Matters",
    "民法典": "Civil Code",
    "民法通则": "General Principles of the Civil Law",
    "民事诉讼法": "Civil Procedure Law",
}
#: The campaign rules a citation may name (not laws), by their English reading.
CAMPAIGN_PHRASES: Final = {
    "攻坚行动讲话": "the campaign speech",
    "明确责任、明确时限、明确措施,紧盯落实": (
        "clear responsibility, clear deadline, clear measures; follow it through"
    ),
}
_ZH_DIGITS: Final = "零一二三四五六七八九"
_ZH_NUM: Final = "[零一二三四五六七八九十百千]+"
# 第二十三条第三款、第四款 | 第二百零一条、第二百零三条 | 第二百条至第二百零四条 | 第二十二条第三项
_ZH_REF: Final = re.compile(rf"第{_ZH_NUM}条(?:(?:、|至)?第{_ZH_NUM}[条款项])*")
_ZH_TOKEN: Final = re.compile(rf"(、|至)?第({_ZH_NUM})([条款项])")
# Art. 23 ¶3, ¶4 | Arts. 201, 203 | Arts. 200-204 | Art. 22 (3)
_EN_REF: Final = re.compile(r"Arts?\. \d+(?:(?:, | and |-| )(?:\d+|¶\d+|\(\d+\)))*")
_EN_TOKEN: Final = re.compile(r"(, | and |-| )?(?:(\d+)|¶(\d+)|\((\d+)\))")


def _zh_number(n: int) -> str:
    """``n`` (1-9999) in Chinese numerals as articles are numbered: 201 → 二百零一, 10 → 十."""
    if not 0 < n < 10_000:
        return str(n)
    out = ""
    zero = False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = n // value % 10
        if digit:
            if zero and out:
                out += "零"
            out += ("" if (value == 10 and n < 20) else _ZH_DIGITS[digit]) + unit
            zero = False
        elif out:
            zero = True
    return out


def _from_zh(text: str) -> int:
    """Chinese numerals (as articles are numbered) as an integer: 二百零一 → 201."""
    total, digit = 0, 0
    for ch in text:
        if ch in _ZH_DIGITS:
            digit = _ZH_DIGITS.index(ch)
        else:
            total += (digit or 1) * {"十": 10, "百": 100, "千": 1000}[ch]
            digit = 0
    return total + digit


def _zh_ref_to_en(m: re.Match[str]) -> str:
    out, articles = "", 0
    for sep, number, kind in _ZH_TOKEN.findall(m.group(0)):
        n = _from_zh(number)
        joint = "-" if sep == "至" else ", " if sep else " "
        if kind == "条":
            articles += 1
            out += ("" if not out else joint) + str(n)
        else:
            out += joint + (f"¶{n}" if kind == "款" else f"({n})")
    return ("Arts. " if articles > 1 else "Art. ") + out


def _en_ref_to_zh(m: re.Match[str]) -> str:
    out = ""
    for sep, article, paragraph, item in _EN_TOKEN.findall(m.group(0).split(" ", 1)[1]):
        joint = "至" if sep == "-" else "、" if sep in (", ", " and ") else ""
        if article:
            out += joint + f"第{_zh_number(int(article))}条"
        else:
            kind = "款" if paragraph else "项"
            out += joint + f"第{_zh_number(int(paragraph or item))}{kind}"
    return out


def cite(citation: str, lang: str = "zh") -> str:
    """A citation in one language: the law's title and its article numbers.

    ``"民法典 Arts. 201, 203"`` reads ``"民法典 第二百零一条、第二百零三条"`` in
    Chinese, and ``"信访工作条例 (2022) 第二十三条第三款"`` reads ``"Regulations
    on Petition Work (2022) Art. 23 ¶3"`` in English. The laws named in
    :data:`LAW_TITLES` and article, paragraph (款) and item (项) numbers are
    translated; any other text of the citation (a note, a document's full
    title) is kept as written.
    """
    if lang == "zh":
        text = _EN_REF.sub(_en_ref_to_zh, citation)
        for zh, en in sorted(LAW_TITLES.items(), key=lambda kv: -len(kv[1])):
            text = text.replace(en, zh)
        for zh, en in CAMPAIGN_PHRASES.items():
            text = text.replace(en, zh)
        return text
    if lang != "en":
        raise XinfangError(f"unknown language {quoted(lang)}; use 'zh' or 'en'", path="lang")
    text = _ZH_REF.sub(_zh_ref_to_en, citation)
    for zh, en in sorted(LAW_TITLES.items(), key=lambda kv: -len(kv[0])):
        text = re.sub(rf"(?<![\w《]){re.escape(zh)}(?![\w》])", en, text) if zh in text else text
    for zh, en in CAMPAIGN_PHRASES.items():
        text = text.replace(zh, en)
    return text


def local_date(
    value: _dt.date, timezone: str = DEFAULT_TIMEZONE, *, path: str = "start"
) -> _dt.date:
    """The calendar day of ``value`` in ``timezone``.

    A ``date`` is returned as a plain ``datetime.date``. An aware ``datetime``
    (pendulum's included) is converted to ``timezone`` first. A naive
    ``datetime`` is rejected: it does not say which day it is. ``path`` names
    the argument in the error (``start``, ``as_of``, ...).
    """
    if isinstance(value, _dt.datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise NaiveDatetimeError(
                f"{value.isoformat()} has no time zone; pass an aware datetime "
                f"(e.g. pendulum.datetime(..., tz={quoted(timezone)})) or a date",
                path=path,
                rule="instants must be aware",
            )
        try:
            local = value.astimezone(zoneinfo.ZoneInfo(timezone))
        except OverflowError:
            raise CalendarRangeError(
                f"{value.isoformat()} has no local day in {timezone}", path=path
            ) from None
        return _dt.date(local.year, local.month, local.day)
    if type(value) is _dt.date:
        return value
    if isinstance(value, _dt.date):
        return _dt.date(value.year, value.month, value.day)
    raise PeriodError(
        f"expected a date or an aware datetime, got {type(value).__name__}", path=path
    )


@attrs.frozen(kw_only=True)
class DueDate:
    """The end of a period, with its explanation.

    Attributes:
        start: the day the period was counted from (local date).
        period: the period.
        rule: the counting rule applied.
        calendar: the name of the calendar used.
        nominal: the last day before any roll-forward.
        last_day: the last day of the period (the due date).
        rolled_past: the rest days skipped by the roll-forward, with labels.
        provisional: whether a provisional calendar day decided the result.
    """

    start: _dt.date
    period: Period
    rule: CountingRule
    calendar: str
    nominal: _dt.date
    last_day: _dt.date
    rolled_past: tuple[tuple[_dt.date, str], ...] = ()
    provisional: bool = False

    @property
    def rolled(self) -> bool:
        """Whether the last day was moved forward off a rest day."""
        return self.last_day != self.nominal

    @property
    def deadline(self) -> pendulum.DateTime:
        """The last instant of the period: 24:00 (or the cutoff) of ``last_day``, aware.

        24:00 is shown as 23:59:59.999999 of the last day.
        """
        return deadline_instant(self.last_day, self.rule)

    def is_met_by(self, when: _dt.date) -> bool:
        """Whether an act on ``when`` (a date, or an aware instant) is within the period."""
        if isinstance(when, _dt.datetime):
            return when <= self.deadline
        return local_date(when) <= self.last_day

    def explain(self, lang: str = "zh") -> str:
        """A one-paragraph explanation, Chinese (``"zh"``) or English (``"en"``)."""
        r = self.rule
        s, n, last = self.start.isoformat(), self.nominal.isoformat(), self.last_day.isoformat()
        skipped = "、".join(sorted({label for _, label in self.rolled_past}))
        if lang == "en":
            counted = "start day not counted" if r.exclude_start_day else "start day counted"
            text = f"{self.period.english()} from {s} ({counted})"
            if self.rolled:
                why = f" ({skipped})" if skipped else ""
                text += f" fall on {n}, a rest day{why}; rolled forward to {last}"
                text += ", the first working day after."
            else:
                text += f" end on {last}."
            end = r.cutoff.isoformat(timespec="minutes") if r.cutoff else "24:00"
            text += f" Deadline {last} {end} {r.timezone}. Calendar: {self.calendar}."
            text += f" Rule: {cite(r.citation, 'en')}."
            if self.provisional:
                text += " PROVISIONAL: the calendar data for this period is not yet published."
            return text
        if lang != "zh":
            raise XinfangError(f"unknown language {quoted(lang)}; use 'zh' or 'en'", path="lang")
        text = f"{self.period},自{s}起算({'起算日不计入' if r.exclude_start_day else '起算日计入'})"
        if self.rolled:
            why = f"({skipped})" if skipped else ""
            text += f",期间届满日{n}为休息日{why},顺延至其后第一个工作日{last}"
        else:
            text += f",届满日为{last}"
        end = r.cutoff.isoformat(timespec="minutes") if r.cutoff else "24时"
        text += f";截止于{last} {end}({r.timezone});日历:{self.calendar};依据:{cite(r.citation)}。"
        if self.provisional:
            text += "注意:所涉日期的放假安排尚未公布,结果为暂定。"
        return text


DEFAULT_RULE: Final = CountingRule()


def deadline_instant(day: _dt.date, rule: CountingRule = DEFAULT_RULE) -> pendulum.DateTime:
    """The last instant of ``day`` under ``rule``: 24:00 (as 23:59:59.999999) or the cutoff.

    An aware pendulum DateTime in the rule's time zone (民法典 Art. 203 ¶2).
    """
    import pendulum

    c = rule.cutoff or _END_OF_DAY
    return pendulum.datetime(
        day.year,
        day.month,
        day.day,
        c.hour,
        c.minute,
        c.second,
        c.microsecond,
        tz=rule.timezone,
    )


_END_OF_DAY: Final = _dt.time(23, 59, 59, 999999)


def period_end(
    day: _dt.date,
    period: Period,
    cal: WorkCalendar,
    rule: CountingRule,
    extra_days: int = 0,
) -> tuple[_dt.date, _dt.date, bool]:
    """The core of :func:`due_date` on plain dates: ``(nominal, last_day, provisional)``.

    ``extra_days`` calendar days (an extension, paused hearing time) are added
    to the nominal end before rolling. O(1) on the calendar's index; no
    pendulum objects. Hot paths (clocks over a million cases) call this.
    """
    try:
        return _period_end(day, period, cal, rule, extra_days)
    except OverflowError:
        raise CalendarRangeError(
            f"{period} from {day.isoformat()} (+{extra_days} days) ends after the last "
            "day a date can name",
            path="due",
        ) from None


def _period_end(
    day: _dt.date,
    period: Period,
    cal: WorkCalendar,
    rule: CountingRule,
    extra_days: int,
) -> tuple[_dt.date, _dt.date, bool]:
    n = period.amount
    provisional = False
    if period.unit is PeriodUnit.WORKING_DAYS:
        if n == 0:
            nominal = day
        else:
            origin = day if rule.exclude_start_day else day - _ONE_DAY
            nominal = cal.add_working_days(origin, n)
            provisional = cal.provisional_between(origin + _ONE_DAY, nominal)
        if not extra_days:
            return nominal, nominal, provisional
        nominal += _dt.timedelta(days=extra_days)
    elif rule.exclude_start_day or n == 0:
        nominal = day + _dt.timedelta(days=n + extra_days)
    else:
        nominal = day + _dt.timedelta(days=n - 1 + extra_days)
    if not rule.roll_forward:
        return nominal, nominal, provisional
    if rule.weekend_is_rest_day:
        last = cal.roll_forward(nominal)
    else:
        last = nominal
        while cal.is_holiday(last) and not cal.is_makeup_workday(last):
            last += _ONE_DAY
    return nominal, last, provisional or cal.provisional_between(nominal, last)


def period_end_array(
    days: npt.ArrayLike,
    period: Period,
    cal: WorkCalendar,
    rule: CountingRule,
    extra_days: npt.ArrayLike = 0,
    *,
    outside: npt.NDArray[np.bool_] | None = None,
) -> tuple[npt.NDArray[np.integer[Any]], npt.NDArray[np.integer[Any]], npt.NDArray[np.bool_]]:
    """:func:`period_end` over many start days at once, with numpy.

    ``days`` are proleptic ordinals (``date.toordinal()``); ``extra_days`` is
    one integer or one per day. Returns ``(nominal, last_day, provisional)``:
    ordinals, ordinals and flags, element by element what :func:`period_end`
    returns (a property test holds them equal). Raises what
    :func:`period_end` raises for the first element it raises on. The
    arithmetic is :func:`period_end`'s, on the calendar's index as arrays,
    in the integer type of ``days`` (int32 halves the memory; others: int64).
    With ``outside`` (a boolean array, one per day), an element that needs a
    day the calendar does not cover is marked there instead (its results are
    meaningless), and nothing is raised. numpy is imported on the first call.
    """
    import numpy as np

    start = np.asarray(days)
    if start.dtype not in (np.int32, np.int64):
        start = start.astype(np.int64)
    given = np.asarray(extra_days)
    if given.dtype not in (np.int32, np.int64):
        given = given.astype(np.int64)
    some_extra = given.ndim > 0 or bool(given.any())
    extra = np.broadcast_to(given, start.shape)

    def each() -> list[tuple[_dt.date, _dt.date, bool]]:
        found = []
        for i, (d, e) in enumerate(zip(start.tolist(), extra.tolist(), strict=True)):
            day = _dt.date.fromordinal(d)
            try:
                found.append(period_end(day, period, cal, rule, e))
            except CalendarRangeError:
                if outside is None:
                    raise
                outside[i] = True
                found.append((day, day, False))
        return found

    arrays = cal.arrays
    if (rule.roll_forward and not rule.weekend_is_rest_day) or (
        outside is not None and not arrays.count
    ):
        # Rolling past listed holidays only (a rare setting), or a calendar
        # without a working day: element by element.
        found = each()
        nominal = np.fromiter((f[0].toordinal() for f in found), np.int64, len(found))
        last = np.fromiter((f[1].toordinal() for f in found), np.int64, len(found))
        return nominal, last, np.fromiter((f[2] for f in found), bool, len(found))
    base, size, count = arrays.first, arrays.size, arrays.count
    # The calendar's index in the days' type (its values are small): gathers keep it.
    cum = arrays.cumulative.astype(start.dtype)
    nth = arrays.working_days.astype(start.dtype)  # the k-th working day
    prov = arrays.provisional.astype(start.dtype)

    def index(
        offsets: npt.NDArray[np.integer[Any]], end: int, where: Any = None
    ) -> npt.NDArray[np.integer[Any]]:
        # Every offset must lie in 0..end-1; else period_end raises on some element.
        if len(offsets) and (offsets.min() < 0 or offsets.max() >= end):
            if outside is None:
                each()
                raise CalendarRangeError(  # pragma: no cover - each() raised
                    f"{period}: outside the calendar {cal.name!r}", path="date"
                )
            bad = (offsets < 0) | (offsets >= end)
            if where is None:
                outside[bad] = True
            else:  # offsets of the rows ``where`` marks
                outside[np.flatnonzero(where)[bad]] = True
            clipped: npt.NDArray[np.integer[Any]] = np.clip(offsets, 0, end - 1)
            return clipped
        return offsets

    provisional = np.zeros(start.shape, dtype=bool)
    n = period.amount
    roll: npt.NDArray[np.bool_] | None = None  # None: every row rolls
    if period.unit is PeriodUnit.WORKING_DAYS:
        if n == 0:
            nominal = start.copy()
        else:
            # nominal = cal.add_working_days(origin, n), provisional from origin + 1 to it
            origin = start if rule.exclude_start_day else start - 1
            i = index(origin - base, size)
            nominal = nth[index(cum[i + 1] + (n - 1), count)]
            provisional = prov[nominal - base + 1] != prov[i + 1]
        if not some_extra:  # without extra days, a working-day period does not roll
            return nominal, nominal, provisional
        roll = extra > 0
        nominal = nominal + extra
    else:
        offset = n if (rule.exclude_start_day or n == 0) else n - 1
        nominal = start + offset + extra if some_extra else start + offset
    if not rule.roll_forward or (roll is not None and not roll.any()):
        return nominal, nominal, provisional
    # last = cal.roll_forward(nominal): the first working day on or after it
    shifted = nominal if roll is None else nominal[roll]
    i = index(shifted - base, size, roll)
    rolled = nth[index(cum[i], count, roll)]
    touched = prov[rolled - base + 1] != prov[i]
    if roll is None:
        return nominal, rolled, provisional | touched
    last = nominal.copy()
    last[roll] = rolled
    provisional[roll] |= touched
    return nominal, last, provisional


def due_date(
    start: _dt.date,
    period: Period,
    calendar: WorkCalendar | None = None,
    rule: CountingRule = DEFAULT_RULE,
) -> DueDate:
    """The last day of ``period`` counted from ``start`` under ``rule``.

    ``start`` is a date, or an aware datetime (converted to the rule's time
    zone; a naive one raises :class:`~xinfang.errors.NaiveDatetimeError`).
    ``calendar`` defaults to :func:`~xinfang.china_mainland`. A calendar-day
    period consults the calendar only to roll forward; a working-day period
    counts on it. Either raises :class:`~xinfang.errors.CalendarRangeError` when it
    needs a day the calendar does not cover.
    """
    cal = calendar if calendar is not None else china_mainland()
    day = start if type(start) is _dt.date else local_date(start, rule.timezone)
    if not isinstance(period, Period):
        raise PeriodError(f"expected a Period, got {type(period).__name__}", path="period")
    nominal, last, provisional = period_end(day, period, cal, rule)
    return DueDate(
        start=day,
        period=period,
        rule=rule,
        calendar=cal.name,
        nominal=nominal,
        last_day=last,
        rolled_past=_rolled_past(cal, nominal, last),
        provisional=provisional,
    )


def _rolled_past(
    cal: WorkCalendar, nominal: _dt.date, last: _dt.date
) -> tuple[tuple[_dt.date, str], ...]:
    days = (nominal + _dt.timedelta(days=i) for i in range((last - nominal).days))
    return tuple(
        (d, cal.label(d) or ("周末" if d.weekday() in cal.weekend else "休息日")) for d in days
    )
