"""A case as one row of the template's layout: what a row carries, and what it cannot.

The inverse of the row reading in :mod:`xinfang.sheets._rows`: the fields a
row holds, from the case's events. A row holds one registration, one
forwarding or assignment, the notice, the acceptance, the three owners and
the current plan's deadline, the first opinion, the rating and the
settlement, the latest progress report; anything else (reviews, extensions, hearings,
 earlier progress reports,
plan revisions and steps, withdrawals, declines, ...) is named by
:func:`not_carried`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from xinfang.changes import (
    Assign,
    AssignRole,
    Forward,
    IssueOpinion,
    Register,
    ReportProgress,
    SetPlan,
)
from xinfang.instants import local_day
from xinfang.sheets._mapping import FIELDS
from xinfang.vocabulary import PetitionerKind, Procedure, Role

if TYPE_CHECKING:  # pragma: no cover
    import datetime as _dt

    from xinfang.case import Case
    from xinfang.sheets._cells import Cell
    from xinfang.sheets._mapping import SheetMapping
    from xinfang.sheets._names import Names

__all__ = ["CARRIED_KINDS", "TEMPLATE_FIELDS", "case_row", "not_carried", "template_headers"]

#: The fields of the template, in its column order (after 序号).
TEMPLATE_FIELDS: Final = tuple(FIELDS)
#: The event kinds a row carries (the first of each; roles: the three single ones).
CARRIED_KINDS: Final = frozenset(
    {
        "registered",
        "forwarded",
        "assigned",
        "notified",
        "accepted",
        "role_assigned",
        "plan_set",
        "opinion_issued",
        "rated",
        "settled",
        "progress_reported",
    }
)
#: The registration's fields a row does not carry, with the value they must have.
_REGISTER_DEFAULTS: Final = (
    ("representatives", ()),
    ("repeat_of", ()),
    ("same_facts", False),
    ("procedure", Procedure.STANDARD),
    ("accused_persons", ()),
    ("identity_unclear", False),
    ("notified_on_the_spot", False),
    ("receiving_unit_kind", None),
)
_ROLES: Final = {
    Role.RESPONSIBLE_UNIT: "unit",
    Role.LEAD_OFFICIAL: "lead_official",
    Role.RESPONSIBLE_PERSON: "responsible_person",
}


def template_headers(mapping: SheetMapping) -> tuple[tuple[str, str], ...]:
    """(field, header) of each template column the mapping names, in template order."""
    return tuple((f, mapping.headers(f)[0]) for f in TEMPLATE_FIELDS if mapping.headers(f))


def not_carried(case: Case) -> tuple[str, ...]:
    """The kinds of the case's events a row cannot carry, each once, in order.

    A row carries the first of each carried kind, the three single roles,
    the first plan (its day, deadline, measures and steps), a progress
    report that completes one step of it, and the latest other progress
    report. Anything else is named here: plan revisions, earlier progress
    reports, reviews, extensions, hearings, withdrawals, ...
    """
    seen: dict[str, None] = {}
    counts: dict[str, int] = {}
    if case.events and isinstance(reg := case.events[0].change, Register):
        for name, default in _REGISTER_DEFAULTS:
            if getattr(reg, name) != default:
                seen[f"registered.{name}"] = None
        if len(reg.claims) > 1:
            seen["registered.claims"] = None
        others = reg.petitioners[1:]
        if any(p.address or p.kind is not PetitionerKind.PERSON for p in reg.petitioners) or any(
            p.id_number or p.phone for p in others
        ):
            seen["registered.petitioners"] = None
    plain = [
        e for e in case.events if isinstance(e.change, ReportProgress) and not e.change.completes
    ]
    for event in case.events:
        kind = event.kind
        counts[kind] = counts.get(kind, 0) + 1
        ch = event.change
        if isinstance(ch, ReportProgress):
            ok = len(ch.completes) == 1 if ch.completes else event is plain[-1]
        elif isinstance(ch, AssignRole):
            ok = ch.role in _ROLES
        else:
            ok = kind in CARRIED_KINDS and counts[kind] == 1
        if not ok:
            seen[kind] = None
    return tuple(seen)


def case_row(
    case: Case, mapping: SheetMapping, names: Names, *, reveal_personal_data: bool = False
) -> dict[str, Cell]:
    """The template row of ``case``: field → cell (dates as dates, words as the mapping's)."""
    first = case.petitioners[0] if case.petitioners else None
    ident = phone = None
    if first is not None and first.id_number is not None:
        ident = first.id_number.reveal() if reveal_personal_data else str(first.id_number)
    if first is not None and first.phone is not None:
        phone = first.phone.reveal() if reveal_personal_data else str(first.phone)
    row: dict[str, Cell] = {
        "id": case.id,
        "petitioner": "、".join(p.name for p in case.petitioners),
        "id_number": ident,
        "phone": phone,
        "received": local_day(case.received_at),
        "channel": mapping.word_for("channel", case.channel.value),
        "claim": "；".join(c.request for c in case.claims),
        "facts": case.claims[0].facts or None if case.claims else None,
        "reasons": case.claims[0].reasons or None if case.claims else None,
        "skip_level": mapping.word_for("yes_no", "yes") if case.skip_level else None,
        "beijing_visit": mapping.word_for("yes_no", "yes") if case.beijing_visit else None,
        "accused_units": "、".join(names.unit_names.get(u, u) for u in case.accused_units) or None,
        "category": mapping.word_for("category", case.category.value) if case.category else None,
        "group_size": case.group_size,
        "backlog_since": case.backlog_since,
        "receiving_unit": names.unit_names.get(case.receiving_unit, case.receiving_unit),
        "notified": case.on.notified,
        "accepted": case.on.accepted,
        "settled": mapping.word_for("settled", "yes" if case.settled else "no"),
        "settled_on": case.on.settled,
        "rating": mapping.word_for("rating", case.rating.value) if case.rating else None,
    }
    owned: _dt.date | None = None
    for event in case.events:
        ch = event.change
        day = local_day(event.at)
        if isinstance(ch, Forward | Assign) and "transferred" not in row:
            row["transferred"] = day
            row["unit"] = names.unit_names.get(ch.to_unit, ch.to_unit)
            if isinstance(ch, Assign):
                row["report_back_by"] = ch.report_back_by
        elif isinstance(ch, AssignRole) and owned is None:
            owned = day
        elif isinstance(ch, SetPlan) and "plan_set" not in row:
            row["plan_set"] = day
        elif isinstance(ch, IssueOpinion) and "closed" not in row:
            row["closed"] = day
            row["outcome"] = mapping.word_for("outcome", ch.outcome.value)
        elif isinstance(ch, ReportProgress) and not ch.completes:
            row["progress"] = f"{day.isoformat()} {ch.done}"
    row["owned"] = owned
    for holding in case.roles:
        field = _ROLES.get(holding.role)
        if field == "unit":
            row["unit"] = names.unit_names.get(holding.holder, holding.holder)
        elif field is not None:
            row[field] = names.official_names.get(holding.holder, holding.holder)
    plan = case.plan
    if plan is not None:
        row["plan_deadline"] = plan.deadline
        row["measures"] = "；".join(plan.measures) or None
        steps = []
        for k, step in enumerate(plan.milestones):
            done = case.steps_done[k] if k < len(case.steps_done) else None
            mark = f" (完成 {done.isoformat()})" if done is not None else ""
            steps.append(f"{step.due.isoformat()} {step.what}{mark}")
        row["plan_steps"] = "；".join(steps) or None
        if owned is None:
            row["owned"] = None
    return {f: row.get(f) for f in TEMPLATE_FIELDS}
