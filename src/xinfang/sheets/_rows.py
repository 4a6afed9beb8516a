"""Rows to cases: every data row becomes a case through ``apply``, or a row problem.

A row's cells are read by the mapping (:mod:`xinfang.sheets._mapping`); its
dates become events in the order the procedure needs (by day, and on one day
in the procedure's order: registration, forwarding or assignment, notice,
acceptance, ownership, plan, opinion, rating, settlement), applied with
:func:`xinfang.procedure.apply_all` (each through :func:`~xinfang.procedure.apply`'s
checks, on one working state) under the organisation, the rulebook and the
calendar, so a sheet obeys the same law as every other input. Every row is
accounted for: a case, a refused row (each problem with its column), a blank
row, or a totals or signature row.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import re
import zoneinfo
from typing import TYPE_CHECKING, Any, Final

import attrs

from xinfang.case import Case
from xinfang.changes import (
    Accept,
    Assign,
    AssignRole,
    Change,
    Claim,
    Forward,
    IssueOpinion,
    Notify,
    PlanMilestone,
    Rate,
    Register,
    ReportProgress,
    SetPlan,
    Settle,
    SettlementPlan,
)
from xinfang.errors import XinfangError
from xinfang.personal import Petitioner
from xinfang.procedure import apply_all
from xinfang.sheets._cells import (
    Cell,
    cell_date,
    cell_int,
    cell_phone,
    cell_resident_id,
    cell_text,
    is_blank,
)
from xinfang.sheets._errors import RowProblem, SheetError, column_letter, shown
from xinfang.sheets._mapping import FIELDS, REQUIRED, FieldKind
from xinfang.sheets._names import Names, names_of
from xinfang.sheets._readers import header_key
from xinfang.vocabulary import Category, Channel, Outcome, Rating, Role

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Sequence

    from xinfang.calendar import WorkCalendar
    from xinfang.responsibility import Organization
    from xinfang.rulebook import Rulebook
    from xinfang.sheets._mapping import SheetMapping
    from xinfang.sheets._readers import Table

__all__ = ["RANKS", "SheetImport", "cases_from_table", "columns_of", "event_at"]

_SH: Final = zoneinfo.ZoneInfo("Asia/Shanghai")
#: A row's first cell that makes it a totals or signature row, not a matter.
_NOT_A_MATTER: Final = re.compile(
    r"^(合计|总计|小计|共计|累计|填表|制表|填报|审核|负责人|单位负责人)"
)
_LIST_SPLIT: Final = re.compile(r"[;；\n]")
#: One plan step: its due day, what, and optionally the day it was done.
_STEP: Final = re.compile(r"^(\S+)\s+(.+?)\s*(?:[(（]\s*完成\s*(\S+?)\s*[)）])?$")
_STEP_FORM: Final = (
    "plan steps as '2026-04-20 走访当事人；2026-06-01 召开听证 (完成 2026-05-28)': "
    "each a due date and what, optionally (完成 DATE), separated by ；"
)
_NAMES_SPLIT: Final = re.compile(r"[、,，;；/]")
_EXPECTED_TEXT: Final = "text (it must not be empty)"
#: The procedure's order of a row's events on one day; also the minute after 09:00 each is at.
RANKS: Final = {
    "received": 0,
    "transferred": 1,
    "notified": 2,
    "accepted": 3,
    "responsible_unit": 4,
    "lead_official": 5,
    "responsible_person": 6,
    "plan_deadline": 7,
    "progress": 8,
    "closed": 9,
    "rating": 10,
    "settled": 11,
}
#: A 办理进展 cell that starts with a date is a progress report of that day.
_DATED: Final = re.compile(
    r"^\s*(\S+?日|\d{4}[-./]\d{1,2}[-./]\d{1,2})\s*[:：,，]?\s*(.+)$", re.DOTALL
)


def event_at(day: _dt.date, step: str) -> _dt.datetime:
    """The instant a sheet's event is recorded at: its day, 09:00 plus its rank in minutes."""
    return _dt.datetime(day.year, day.month, day.day, 9, RANKS[step], tzinfo=_SH)


@attrs.frozen(kw_only=True)
class SheetImport:
    """What became of every data row of a sheet.

    ``cases`` with ``case_rows`` (the row each came from); ``problems``
    (every problem of every refused row, in row order) and ``refused_rows``;
    ``blank_rows`` (nothing in any mapped column: empty, or only a 序号 of a
    pre-numbered template); ``other_rows`` (totals and signature lines). Each data
    row is in exactly one of ``case_rows``, ``refused_rows``, ``blank_rows``
    and ``other_rows``.
    """

    source: str
    sheet: str
    header_row: int
    headers: tuple[str, ...]
    cases: tuple[Case, ...]
    case_rows: tuple[int, ...]
    problems: tuple[RowProblem, ...]
    refused_rows: tuple[int, ...]
    blank_rows: tuple[int, ...]
    other_rows: tuple[int, ...]

    @property
    def rows(self) -> int:
        """The data rows read (below the header)."""
        return (
            len(self.case_rows)
            + len(self.refused_rows)
            + len(self.blank_rows)
            + len(self.other_rows)
        )

    def reasons(self, row: int) -> tuple[RowProblem, ...]:
        """The problems of one refused row."""
        return tuple(p for p in self.problems if p.row == row)


def columns_of(table: Table, mapping: SheetMapping) -> dict[str, int]:
    """Field → column index of the table (the first header the mapping names that is there).

    A required field without a column is a :class:`SheetError` naming the
    headers it looked for and the headers the sheet has.
    """
    where = {header_key(h): i for i, h in reversed(list(enumerate(table.headers))) if h}
    out: dict[str, int] = {}
    for field, headers in mapping.columns:
        for h in headers:
            index = where.get(header_key(h))
            if index is not None:
                out[field] = index
                break
    missing = [f for f in REQUIRED if f not in out]
    if missing:
        wanted = "; ".join(f"{f}: {' / '.join(mapping.headers(f))}" for f in missing)
        found = ", ".join(h for h in table.headers if h)
        raise SheetError(
            f"no column for {wanted} (the header in row {table.header_row} has: {found}); "
            "map them in the mapping file's [columns]",
            path=f"{table.source}!{table.sheet}",
            rule="a 台账 names the petitioner, the date, the channel and the claim",
        )
    return out


class _Row:
    """The reading of one row: its cells by field, and its problems so far."""

    __slots__ = ("cells", "columns", "headers", "number", "problems", "sheet", "texts")

    def __init__(
        self,
        sheet: str,
        number: int,
        cells: Sequence[Cell],
        columns: dict[str, int],
        headers: Sequence[str],
    ) -> None:
        self.sheet = sheet
        self.number = number
        self.cells = cells
        self.columns = columns
        self.headers = headers
        self.problems: list[RowProblem] = []
        self.texts: dict[str, str] = {}

    def raw(self, field: str) -> Cell:
        index = self.columns.get(field)
        return None if index is None else self.cells[index]

    def problem(self, field: str, expected: str, value: object = None) -> None:
        index = self.columns.get(field)
        cell = "" if index is None else f"{column_letter(index)}{self.number}"
        column = "" if index is None else self.headers[index]
        raw: Any = self.raw(field) if value is None else value
        self.problems.append(
            RowProblem(
                sheet=self.sheet,
                row=self.number,
                column=column or (field if index is None else ""),
                cell=cell,
                value=shown(cell_text(raw) if not isinstance(raw, str) else raw),
                expected=expected,
            )
        )

    def text(self, field: str) -> str:
        found = self.texts.get(field)
        if found is None:
            found = self.texts[field] = cell_text(self.raw(field))
        return found

    def date(self, field: str) -> _dt.date | None:
        raw = self.raw(field)
        if is_blank(raw):
            return None
        day = cell_date(raw)
        if isinstance(day, str):
            self.problem(field, day)
            return None
        return day


def _choice(row: _Row, field: str, words: dict[str, str]) -> str | None:
    text = row.text(field)
    if not text:
        return None
    code = words.get(text)
    if code is None:
        known = ", ".join(dict.fromkeys(w for w in words if not w.isascii()))
        row.problem(field, f"one of {known}")
    return code


class _Reader:
    """What reading a row needs once per sheet: the columns, words and names."""

    def __init__(
        self, table: Table, mapping: SheetMapping, names: Names, columns: dict[str, int]
    ) -> None:
        self.table = table
        self.mapping = mapping
        self.names = names
        self.columns = columns
        self.words = {f: mapping.words(f) for f, k in FIELDS.items() if k is FieldKind.CHOICE}
        self.words["yes_no"] = mapping.words("yes_no")
        self.default_unit = mapping.receiving_unit

    def unit(self, row: _Row, field: str) -> str | None:
        text = row.text(field)
        if not text:
            return None
        found = self.names.unit(text)
        if isinstance(found, tuple):
            row.problem(field, found[0])
            return None
        return found

    def official(self, row: _Row, field: str) -> str | None:
        text = row.text(field)
        if not text:
            return None
        found = self.names.official(text)
        if isinstance(found, tuple):
            row.problem(field, found[0])
            return None
        return found

    def case_id(self, row: _Row) -> str:
        given = row.text("id")
        if given:
            return given
        parts: list[str] = []
        for field in self.mapping.id_from:
            day = cell_date(row.raw(field)) if FIELDS[field] is FieldKind.DATE else None
            parts.append(day.isoformat() if isinstance(day, _dt.date) else row.text(field))
        digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:12].upper()
        return f"{self.mapping.id_prefix}{digest}"

    def plan(
        self, row: _Row, own_day: _dt.date | None, lead: str | None
    ) -> list[tuple[_dt.date, str, str, Change]]:
        """The settlement plan of a row (its day, deadline, measures, steps) and its steps done."""
        deadline = row.date("plan_deadline")
        set_on = row.date("plan_set") or own_day
        measures = tuple(m for m in _LIST_SPLIT.split(row.text("measures")) if m.strip())
        steps_text = row.text("plan_steps")
        milestones: list[PlanMilestone] = []
        done: list[tuple[_dt.date, int, str]] = []
        for k, item in enumerate((i for i in _LIST_SPLIT.split(steps_text) if i.strip()), 1):
            match = _STEP.match(item.strip())
            due = cell_date(match[1]) if match else None
            finished = cell_date(match[3]) if match and match[3] else None
            if match is None or not isinstance(due, _dt.date) or isinstance(finished, str):
                row.problem("plan_steps", _STEP_FORM, item)
                return []
            milestones.append(PlanMilestone(due=due, what=match[2].strip()))
            if finished is not None:
                done.append((finished, k, match[2].strip()))
        if deadline is None and not measures and not milestones:
            return []
        if set_on is None:
            return []
        plan = SettlementPlan(
            owner=lead or "", deadline=deadline, measures=measures, milestones=milestones
        )
        out: list[tuple[_dt.date, str, str, Change]] = [
            (set_on, "plan_set", "plan_deadline", SetPlan(plan=plan))
        ]
        for day, k, what in done:
            report = ReportProgress(done=f"完成: {what}", done_by=lead or "", completes=(k,))
            out.append((day, "plan_steps", "progress", report))
        return out

    def petitioners(self, row: _Row) -> list[Petitioner]:
        names = [n.strip() for n in _NAMES_SPLIT.split(row.text("petitioner")) if n.strip()]
        if not names:
            row.problem("petitioner", "the petitioner's name " + _EXPECTED_TEXT)
            return []
        ident = cell_resident_id(row.raw("id_number"))
        if isinstance(ident, tuple):
            row.problem("id_number", ident[0])
            ident = None
        phone = cell_phone(row.raw("phone"))
        if isinstance(phone, tuple):
            row.problem("phone", phone[0])
            phone = None
        out: list[Petitioner] = []
        for k, name in enumerate(names):
            try:
                if k == 0:
                    out.append(Petitioner(name=name, id_number=ident, phone=phone))
                else:
                    out.append(Petitioner(name=name))
            except XinfangError as exc:
                field = (
                    "id_number"
                    if "id_number" in str(exc)
                    else ("phone" if "phone" in str(exc) else "petitioner")
                )
                row.problem(field, _message(exc))
        return out

    def changes(self, row: _Row) -> tuple[Register | None, list[tuple[_dt.date, str, str, Change]]]:
        """The registration and the dated changes of a row (field, step, change), or problems."""
        m = self.mapping
        received = row.date("received")
        if received is None and not row.problems:
            row.problem("received", "the day the matter came in (a date)")
        channel = _choice(row, "channel", self.words["channel"])
        if channel is None and not row.text("channel"):
            known = ", ".join(w for w in self.words["channel"] if not w.isascii())
            row.problem("channel", f"how it came: one of {known}")
        claim = row.text("claim")
        if not claim:
            row.problem("claim", "the matter raised " + _EXPECTED_TEXT)
        skip_level = _choice(row, "skip_level", self.words["yes_no"]) == "yes"
        beijing = _choice(row, "beijing_visit", self.words["yes_no"]) == "yes"
        accused: list[str] = []
        for name in _NAMES_SPLIT.split(row.text("accused_units")):
            if name.strip():
                found = self.names.unit(name.strip())
                if isinstance(found, tuple):
                    row.problem("accused_units", found[0], name.strip())
                else:
                    accused.append(found)
        category = _choice(row, "category", self.words["category"])
        petitioners = self.petitioners(row)
        group = 1
        if not is_blank(row.raw("group_size")):
            count = cell_int(row.raw("group_size"))
            if isinstance(count, str) or count < 1:
                row.problem("group_size", "a whole number of people, 1 or more")
            else:
                group = count
        backlog = row.date("backlog_since")
        receiving = self.unit(row, "receiving_unit")
        if receiving is None and not row.text("receiving_unit") and self.default_unit:
            default = self.names.unit(self.default_unit)
            receiving = default if isinstance(default, str) else None
        unit = self.unit(row, "unit")
        transferred = row.date("transferred")
        report_back = row.date("report_back_by")
        notified = row.date("notified")
        accepted = row.date("accepted")
        owned = row.date("owned")
        lead = self.official(row, "lead_official")
        person = self.official(row, "responsible_person")
        closed = row.date("closed")
        outcome = _choice(row, "outcome", self.words["outcome"])
        rating = _choice(row, "rating", self.words["rating"])
        settled = _choice(row, "settled", self.words["settled"])
        settled_on = row.date("settled_on")

        steps: list[tuple[_dt.date, str, str, Change]] = []
        if transferred is not None:
            if unit is None:
                if not row.text("unit"):
                    row.problem("unit", "the unit the matter went to, given its 转送交办日期")
            elif m.transfer == "assign":
                if report_back is None:
                    if not row.text("report_back_by"):
                        row.problem("report_back_by", "the report-back date of an assignment")
                else:
                    steps.append(
                        (
                            transferred,
                            "transferred",
                            "transferred",
                            Assign(to_unit=unit, report_back_by=report_back),
                        )
                    )
            else:
                steps.append((transferred, "transferred", "transferred", Forward(to_unit=unit)))
        if notified is not None:
            steps.append((notified, "notified", "notified", Notify()))
        if accepted is not None:
            steps.append((accepted, "accepted", "accepted", Accept()))
        own_day = owned or accepted or transferred or received
        if (lead is not None or person is not None or owned is not None) and own_day is not None:
            if owned is not None and unit is None and lead is None and person is None:
                row.problem("owned", "a 责任单位, 包案领导 or 责任人 for the 包案日期")
            reason = m.role_reason
            roles = (
                ("owned", "responsible_unit", Role.RESPONSIBLE_UNIT, unit),
                ("lead_official", "lead_official", Role.LEAD_OFFICIAL, lead),
                ("responsible_person", "responsible_person", Role.RESPONSIBLE_PERSON, person),
            )
            for field, step, role, holder in roles:
                if holder is not None:
                    change = AssignRole(role=role, holder=holder, reason=reason)
                    steps.append((own_day, field, step, change))
        steps.extend(self.plan(row, own_day, lead))
        progress = _DATED.match(row.text("progress"))
        reported = cell_date(progress[1]) if progress is not None else None
        if progress is not None and isinstance(reported, _dt.date):
            report = ReportProgress(done=progress[2].strip())
            steps.append((reported, "progress", "progress", report))
        if closed is not None:
            if outcome is None:
                if not row.text("outcome"):
                    row.problem(
                        "outcome", "the opinion (支持, 解释说明 or 不予支持) of the 办结日期"
                    )
            else:
                opinion = IssueOpinion(outcome=Outcome(outcome), basis=m.opinion_basis)
                steps.append((closed, "closed", "closed", opinion))
        elif outcome is not None:
            row.problem("closed", "the 办结日期 of the 办理结果")
        if rating is not None:
            if closed is None:
                row.problem("closed", "the 办结日期 the rating (满意度) is of")
            else:
                steps.append((closed, "rating", "rating", Rate(rating=Rating(rating))))
        if settled == "yes" or (settled is None and settled_on is not None):
            settle_day = settled_on or closed
            if settle_day is None:
                row.problem("settled_on", "the day it was settled (化解日期)")
            else:
                settle = Settle(evidence=m.settle_evidence)
                field = "settled_on" if settled_on else "settled"
                steps.append((settle_day, field, "settled", settle))
        elif settled == "no" and settled_on is not None:
            row.problem("settled", "是 (a 化解日期 is given)")

        if row.problems or received is None or channel is None or receiving is None:
            if receiving is None and not row.problems:
                row.problem("receiving_unit", "the registering unit (no default in the mapping)")
            return None, steps
        try:
            register = Register(
                case_id=self.case_id(row),
                received_at=event_at(received, "received"),
                channel=Channel(channel),
                receiving_unit=receiving,
                petitioners=petitioners,
                claims=[Claim(request=claim, facts=row.text("facts"), reasons=row.text("reasons"))],
                category=Category(category) if category else None,
                group_size=group,
                backlog_since=backlog,
                skip_level=skip_level,
                beijing_visit=beijing,
                accused_units=tuple(accused),
            )
        except XinfangError as exc:
            row.problem("id" if row.text("id") else "claim", _message(exc))
            return None, steps
        return register, steps


def _message(exc: XinfangError) -> str:
    text = getattr(exc, "message", str(exc))
    problems = getattr(exc, "problems", ())
    if problems:
        text = "; ".join(f"{p}: {m}" for p, m in problems)
    return f"a value the library accepts ({text})"


def cases_from_table(
    table: Table,
    mapping: SheetMapping,
    org: Organization,
    *,
    rulebook: Rulebook | None = None,
    calendar: WorkCalendar | None = None,
    by: str = "sheet import",
) -> SheetImport:
    """Every data row of ``table`` as a case (through ``apply``) or a refused row.

    Nothing is raised for a bad row: its problems are in the result (the
    caller decides: refuse the sheet, or import the good rows). A sheet
    without the required columns, or a mapping whose aliases or default
    unit name nothing, is a :class:`SheetError`.
    """
    names = names_of(org, mapping)
    if mapping.receiving_unit and isinstance(names.unit(mapping.receiving_unit), tuple):
        raise SheetError(
            f"receiving_unit {mapping.receiving_unit!r} is no unit of the organisation",
            path="mapping: sheet.receiving_unit",
        )
    if not mapping.receiving_unit:
        mapping = attrs.evolve(mapping, receiving_unit=org.root.id)
    columns = columns_of(table, mapping)
    reader = _Reader(table, mapping, names, columns)
    cases: list[Case] = []
    case_rows: list[int] = []
    problems: list[RowProblem] = []
    refused: list[int] = []
    blank: list[int] = []
    other: list[int] = []
    seen: dict[str, int] = {}
    mapped = sorted(set(columns.values()))
    for number, cells in table.rows:
        if all(is_blank(c) for c in cells):
            blank.append(number)
            continue
        first = next(cell_text(c) for c in cells if not is_blank(c))
        if _NOT_A_MATTER.match(first.replace(" ", "")):
            other.append(number)
            continue
        if all(is_blank(cells[i]) for i in mapped):  # only 序号 (a pre-numbered template row)
            blank.append(number)
            continue
        row = _Row(table.sheet, number, cells, columns, table.headers)
        case = _case(row, reader, seen, rulebook=rulebook, calendar=calendar, org=org, by=by)
        if case is None:
            problems.extend(row.problems)
            refused.append(number)
        else:
            seen[case.id] = number
            cases.append(case)
            case_rows.append(number)
    return SheetImport(
        source=table.source,
        sheet=table.sheet,
        header_row=table.header_row,
        headers=table.headers,
        cases=tuple(cases),
        case_rows=tuple(case_rows),
        problems=tuple(problems),
        refused_rows=tuple(refused),
        blank_rows=tuple(blank),
        other_rows=tuple(other),
    )


def _case(
    row: _Row,
    reader: _Reader,
    seen: dict[str, int],
    *,
    rulebook: Rulebook | None,
    calendar: WorkCalendar | None,
    org: Organization,
    by: str,
) -> Case | None:
    register, steps = reader.changes(row)
    if register is None:
        if not row.problems:  # pragma: no cover - every None comes with a problem
            row.problem("", "a row the mapping can read")
        return None
    if register.case_id in seen:
        row.problem(
            "id",
            f"a case id not used before (row {seen[register.case_id]} has it)",
            register.case_id,
        )
        return None
    ordered = sorted(steps, key=lambda s: (s[0], RANKS[s[2]]))
    script: list[tuple[Change, _dt.datetime]] = [(register, register.received_at)]
    script.extend((change, event_at(day, step)) for day, _, step, change in ordered)
    try:
        case, _ = apply_all(None, script, by=by, rulebook=rulebook, calendar=calendar, org=org)
    except XinfangError as exc:
        if not exc.index:  # the registration (index 0)
            row.problem("received", _message(exc))
        else:
            field = ordered[exc.index - 1][1]
            row.problem(field, f"a step the procedure allows here: {_step_error(exc)}")
        return None
    return case


def _step_error(exc: XinfangError) -> str:
    return str(exc)[:300]
