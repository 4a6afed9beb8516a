"""Usage examples that must pass ``mypy --strict`` (checked by .ci/run, not executed)."""

from __future__ import annotations

import datetime as dt

import pendulum

import xinfang
from xinfang import CountingRule, DueDate, Period, WorkCalendar

cal: WorkCalendar = xinfang.china_mainland()
later: WorkCalendar = xinfang.china_mainland(provisional=True, provisional_through=2030)
day: dt.date = cal.add_working_days(dt.date(2026, 2, 12), 5)
count: int = cal.working_days_between(dt.date(2026, 1, 1), dt.date(2026, 2, 1))
flag: bool = cal.is_working_day(day) and not cal.provisional_between(day, day)
many: list[dt.date] = cal.add_working_days_many([day, day], [1, 2])
local: WorkCalendar = cal.with_closures([dt.date(2026, 7, 28)], reason="台风")
both: WorkCalendar = xinfang.combine_calendars(cal, local, name="cn+local")

due: DueDate = xinfang.due_date(dt.date(2025, 8, 8), Period.days(60), cal)
due2: DueDate = xinfang.due_date(
    pendulum.datetime(2025, 8, 8, 9, tz="Asia/Shanghai"),
    Period.parse("5个工作日"),
    rule=CountingRule(cutoff=dt.time(17, 30)),
)
deadline: pendulum.DateTime = due.deadline
text: str = due.explain("en")
last: dt.date = due2.last_day

try:
    cal.is_working_day(dt.date(2027, 1, 1))
except xinfang.CalendarRangeError as exc:
    message: str = str(exc)
    where: str | None = exc.path
