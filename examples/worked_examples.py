"""The worked examples of the calendar and period rules, computed and explained.

Run it with ``python examples/worked_examples.py``. Every line below is
computed by xinfang; the tests pin the same answers.
"""

from __future__ import annotations

import datetime as dt

import xinfang
from xinfang import china_mainland, due_date
from xinfang.errors import CalendarRangeError
from xinfang.periods import Period


def main() -> None:
    """Print each worked example with its explanation."""
    cn = china_mainland()
    print(f"xinfang {xinfang.__version__}: calendar {cn.name!r} covers {cn.first}..{cn.last}")
    print()
    print("Working days on the mainland calendar (调休 make-up days count, holidays do not):")
    for day in (dt.date(2025, 1, 26), dt.date(2025, 2, 8), dt.date(2025, 2, 3)):
        kind = "working day" if cn.is_working_day(day) else "rest day"
        label = cn.label(day) or ""
        print(f"  {day} {day:%a}: {kind} {label}".rstrip())
    print()

    examples = [
        ("Remit objection, Art. 23 ¶3", dt.date(2026, 2, 12), Period.working_days(5)),
        ("Handling an Art. 31(6) matter, Art. 34", dt.date(2025, 8, 8), Period.days(60)),
        ("A 30-day limit across National Day 2026", dt.date(2026, 9, 1), Period.days(30)),
    ]
    for title, start, period in examples:
        due = due_date(start, period, cn)
        print(f"{title}: {period} from {start} → due {due.last_day}")
        print(f"  {due.explain()}")
        print(f"  {due.explain('en')}")
        print(f"  deadline instant: {due.deadline.isoformat()}")
        print()

    start = dt.date(2026, 11, 27)
    print(f"A 60-day limit started {start} ends in 2027, which has no published arrangement:")
    try:
        due_date(start, Period.days(60), china_mainland(strict=True))
    except CalendarRangeError as exc:
        print(f"  strict calendar (strict=True): {type(exc).__name__}: {exc}")
    provisional = due_date(start, Period.days(60))  # the default calendar
    flag = "PROVISIONAL" if provisional.provisional else "exact"
    print(f"  default calendar (provisional past the data): due {provisional.last_day} ({flag})")
    print(f"  {provisional.explain('en')}")


if __name__ == "__main__":
    main()
