"""Usage examples that must pass ``mypy --strict`` (checked by .ci/run, not executed)."""

from __future__ import annotations

import datetime as dt

import pendulum

import xinfang
from xinfang import WorkCalendar
from xinfang import responsibility as resp
from xinfang.periods import CountingRule, DueDate, Period

cal: WorkCalendar = xinfang.china_mainland()
later: WorkCalendar = xinfang.china_mainland(provisional=True, provisional_through=2030)
day: dt.date = cal.add_working_days(dt.date(2026, 2, 12), 5)
count: int = cal.working_days_between(dt.date(2026, 1, 1), dt.date(2026, 2, 1))
flag: bool = cal.is_working_day(day) and not cal.provisional_between(day, day)
many: list[dt.date] = cal.add_working_days_many([day, day], [1, 2])
local: WorkCalendar = cal.with_closures([dt.date(2026, 7, 28)], reason="台风")
both: WorkCalendar = xinfang.calendar.combine_calendars(cal, local, name="cn+local")

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
except xinfang.errors.CalendarRangeError as exc:
    message: str = str(exc)
    where: str | None = exc.path

# Cases, clocks, serialization
from xinfang import serialization  # noqa: E402

SH = dt.timezone(dt.timedelta(hours=8))
reg = xinfang.changes.Register(
    case_id="XF-1",
    received_at=dt.datetime(2025, 8, 8, 9, tzinfo=SH),
    channel=xinfang.vocabulary.Channel.LETTER,
    receiving_unit="市信访局",
    petitioners=[xinfang.personal.Petitioner(name="张三", id_number="11010519491231002X")],
    claims=[xinfang.changes.Claim(request="补发工资")],
)
case, event = xinfang.open_case(reg, dt.datetime(2025, 8, 8, 9, tzinfo=SH))
case, event = xinfang.apply(case, xinfang.changes.Accept(), dt.datetime(2025, 8, 8, 10, tzinfo=SH))
stage: xinfang.vocabulary.Stage = xinfang.deadlines.stage_as_of(case, dt.date(2025, 9, 1))
all_clocks: tuple[xinfang.Clock, ...] = xinfang.clocks(case, as_of=dt.date(2025, 9, 1))
table: xinfang.deadlines.ClockTable = xinfang.clock_table([case], as_of=dt.date(2025, 9, 1))
rows: list[xinfang.Clock] = table.to_clocks()
book: xinfang.Rulebook = xinfang.bundled_rulebook("simplified-2016")
text2: str = serialization.to_json(case)
back: xinfang.Case = serialization.from_json(text2)
again: xinfang.Case = xinfang.replay(case.events)

# Responsibility
org = xinfang.Organization(
    levels=["corps", "detachment"],
    units=[
        resp.Unit(id="HQ", name="总队", level="corps"),
        resp.Unit(id="D1", name="支队", level="detachment", parent="HQ"),
    ],
    officials=[resp.Official(id="h", name="甲", unit="D1", post=resp.Post.HEAD)],
)
case2, _ = xinfang.apply(
    case,
    xinfang.changes.AssignRole(
        role=xinfang.vocabulary.Role.LEAD_OFFICIAL, holder="h", reason="包案"
    ),
    dt.datetime(2025, 8, 9, 9, tzinfo=SH),
    org=org,
    interests=[resp.Interest(official="x", petitioner="李四")],
)
view: resp.Visibility = resp.visibility("h", case2, org)
gaps: tuple[str, ...] = resp.policy_gaps(case2, org, resp.load_assignment_policy())
told, skipped = resp.escalations(case2, all_clocks, org, as_of=dt.date(2025, 9, 1))
first: resp.Official | None = resp.first_responsible(case2, org)
toml_text: str = serialization.to_toml(org)

# The journal store: an official's reads go through the viewer-scoped view
from xinfang.store import BACK_OFFICE, MAX_ID_LENGTH, ViewerStore, app_role_sql  # noqa: E402

with xinfang.open_store("sqlite:///xinfang.db") as store:
    viewer: ViewerStore = store.for_viewer("h", org)
    visible: list[str] = viewer.case_ids()
    seen: xinfang.Case | resp.RedactedCase = viewer.case("XF-1")
    open_by_unit: dict[str, int] = viewer.open_cases_by_unit()
    ledger_text: str = viewer.export_ledger()
    imported: int = store.import_ledger(ledger_text, org=org).added
    grants: list[str] = app_role_sql(store, "xinfang_app")
    # A store's milestones swept with the store as the source of the cases read whole
    from xinfang.columnar import CaseSource, Sweep, sweep_store

    sources: list[CaseSource] = [viewer, store]  # a plain Store refuses unless unscoped
    swept: Sweep = sweep_store(viewer, dt.date(2026, 1, 31))
    every: Sweep = sweep_store(store, dt.date(2026, 1, 31), unscoped=True)
back_office: bool = "import_ledger" in BACK_OFFICE
longest: int = MAX_ID_LENGTH
