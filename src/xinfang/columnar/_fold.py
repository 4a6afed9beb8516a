"""The fold, column-wise: the journal's events to one milestones row per case.

:func:`fold` makes the checks :func:`xinfang.case.replay` makes (``_start``,
``_step`` and every ``_Refusal`` of the handlers in ``xinfang.case._FOLD``)
with numpy over the rows of a typed journal, and computes what ``replay``
leaves in ``case.on`` and the case attributes the clock engine reads. It
never words an error: a case it cannot *certify* as accepted by ``replay``
with exactly the values computed here is marked suspicious, and the value
path decides it (a false alarm only costs speed).

How: every check is "the state before row i", and the state before row i is
computed as if every earlier row of the case were accepted (if one is not,
the case is suspicious anyway). Each piece of state is the latest (or first)
row of some kinds before i in the same case: a forward fill
(``np.maximum.accumulate``) or a ``searchsorted`` into the sorted row
numbers of those kinds. No Python runs per row or per case.

What a change does (the stage graph, the stage it leaves, the milestones it
sets or clears, the route it needs) is read from the transition spec
(:data:`xinfang.transitions.TRANSITIONS`), as the value fold reads it; its
guards are the spec's (:data:`xinfang.transitions.GUARDS`), by name below, and
each guard's predicate is the spec's one form (:data:`xinfang.transitions.CHECKS`),
called here on the arrays of "the state before row i" as the value fold calls
it on one case's state.

Shapes modelled exactly: the stage graph, order, registration, forwarding /
receipt / notice / objection / approval / return, assignment and report back,
acceptance and its route, categorisation, requests, opinions and delivery,
hearings, settle / agreement / relapse, extensions, plans, roles (assign and
release, one-holder and several-holder). Flagged suspicious (rare): instants
before 1992 (when Asia/Shanghai was not always +08:00), a plan text whose
blankness Arrow and ``str.strip`` might judge differently, an unknown kind or
enum code, a null where a value is needed.

One job over 600 lines: the fold is one pass of checks over the same
"state before row i" (the row bookkeeping is :class:`~xinfang.columnar._case_rows.CaseRows`,
the table :mod:`~xinfang.columnar._milestones`, the column reading
:mod:`~xinfang.columnar._column_arrays`); its guards are kept together so that
every predicate of the spec is called in this one module, as in the value fold
(a test reads the names).
"""

from __future__ import annotations

import datetime as _dt
import functools
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from xinfang.case import MAX_EXTENSION_DAYS, MILESTONE_NAMES
from xinfang.changes import CHANGE_TYPES
from xinfang.columnar._case_rows import CaseRows
from xinfang.columnar._column_arrays import (
    I64,
    bool_values,
    case_starts,
    column_of,
    enum_codes,
    instant_values,
    int_values,
    local_days,
    local_days_exact,
    rows_of,
    take_strings,
    value_codes,
)
from xinfang.columnar._milestones import (
    NO_DAY,
    Folded,
    MilestoneArrays,
    enum_code,
    fixed_days,
    milestones_table,
)
from xinfang.columnar._schema import SINCE_1992_US
from xinfang.transitions import (
    ACCEPTED_ROUTES,
    ALLOWED_FROM,
    ANCHORS,
    DEFAULT_ROUTE,
    ROUTES_BY_CATEGORY,
    TRANSITIONS,
    approval_once_ok,
    deadline_moved_later,
    delivered_after_issue_ok,
    extension_days_ok,
    hearing_ended_ok,
    hearing_not_running_ok,
    hearing_running_ok,
    progress_needs_plan_ok,
    receipt_before_answer_ok,
    receipt_once_ok,
    relapse_after_settle_ok,
    report_back_assigned_ok,
    report_back_date_ok,
    return_after_approval_ok,
    role_held_ok,
    role_not_held_ok,
    route_fits_category,
    setters,
    settle_once_ok,
    step_once_ok,
    steps_ok,
)
from xinfang.vocabulary import (
    Category,
    Channel,
    Outcome,
    Procedure,
    Rating,
    Role,
    Route,
    Stage,
    UnitKind,
)

__all__ = ["fold", "truncate"]

_KINDS: Final = tuple(c.kind for c in CHANGE_TYPES)
_K: Final = {kind: i for i, kind in enumerate(_KINDS)}
_UNKNOWN: Final = len(_KINDS)
_NK: Final = _UNKNOWN + 1
_STAGES: Final = tuple(Stage)
_S: Final = {s: i for i, s in enumerate(_STAGES)}

REG, CAT, FWD, ASG = _K["registered"], _K["categorized"], _K["forwarded"], _K["assigned"]
DEC, OBJ, ACC, NOT = _K["declined"], _K["remit_objected"], _K["accepted"], _K["notified"]
EXT, HS, HE, OP = _K["extended"], _K["hearing_started"], _K["hearing_ended"], _K["opinion_issued"]
RVQ, RVO = _K["review_requested"], _K["review_opinion_issued"]
RRQ, RRO = _K["rereview_requested"], _K["rereview_opinion_issued"]
SET, REL, WD, RATE = _K["settled"], _K["relapsed"], _K["withdrawn"], _K["rated"]
RA, RR, PLAN = _K["role_assigned"], _K["role_released"], _K["plan_set"]
PROG = _K["progress_reported"]
FR, APP, RET = _K["forward_received"], _K["objection_approved"], _K["materials_returned"]
RB, AGR = _K["reported_back"], _K["agreement_recorded"]

#: kind → the stage it leaves (the spec's ``stage_after``), -1 none.
_STAGE_AFTER: Final = np.full(_NK, -1, np.int8)
for _kind_name, _spec in TRANSITIONS.items():
    if _spec.stage_after is not None:
        _STAGE_AFTER[_K[_kind_name]] = _S[_spec.stage_after]

#: ``ALLOWED_FROM`` as a flat (kind, stage before) table; a registration is never allowed
#: after the first row (``_step``: one registration per case), an unknown kind never.
_ALLOWED: Final = np.zeros(_NK * len(_STAGES), np.bool_)
for _kind_name, (_stages, _) in ALLOWED_FROM.items():
    for _stage in _stages:
        _ALLOWED[_K[_kind_name] * len(_STAGES) + _S[_stage]] = True


_NR: Final = len(Route) + 1
#: ``ACCEPTED_ROUTES`` by code (guard ``route_accepted``).
_ACCEPTED_ROUTE: Final = np.zeros(_NR, np.bool_)
for _route in ACCEPTED_ROUTES:
    _ACCEPTED_ROUTE[enum_code(Route, _route)] = True
#: Guard ``route_fits_category`` as a (category code, route code) table (the spec's
#: predicate over every pair), and ``DEFAULT_ROUTE`` by category code.
_FITS: Final = np.zeros((len(Category) + 1, _NR), np.bool_)
_DEFAULT_ROUTE: Final = np.zeros(len(Category) + 1, np.int16)
for _cat in ROUTES_BY_CATEGORY:
    for _route in Route:
        _FITS[enum_code(Category, _cat), enum_code(Route, _route)] = route_fits_category(
            _route, _cat
        )
    _DEFAULT_ROUTE[enum_code(Category, _cat)] = enum_code(Route, DEFAULT_ROUTE[_cat])
#: (the kinds, the route codes they need) for the kinds whose spec names ``routes``,
#: grouped by the routes (one search per group).
_ROUTE_NEEDS: Final = tuple(
    (
        tuple(_K[k] for k, t in TRANSITIONS.items() if t.routes == _routes),
        np.array(sorted(enum_code(Route, r) for r in _routes), np.int16),
    )
    for _routes in dict.fromkeys(t.routes for t in TRANSITIONS.values() if t.routes is not None)
    if _routes is not None
)


#: milestone → (kinds setting it first, kinds setting it latest, kinds clearing it) by code,
#: for every milestone the spec sets from an event's own day (the rest are computed below).
def _codes(kinds: tuple[str, ...]) -> tuple[int, ...]:
    return tuple(_K[k] for k in kinds)


_SETTERS: Final = tuple(
    (name, _codes(first), _codes(latest), _codes(clears))
    for name, (first, latest, clears) in ((m, setters(m)) for m in MILESTONE_NAMES)
    if first or latest
)
#: Role code (0 none or unknown) → whether the role has one holder at a time.
_SINGLE_ROLE: Final = np.array([False] + [r.single for r in Role], np.bool_)
_ROLE_SLOTS: Final = len(Role) + 1
_RESPONSIBLE_UNIT: Final = enum_code(Role, Role.RESPONSIBLE_UNIT)


def fold(
    journal: Any,
    suspicious: npt.NDArray[np.bool_] | None = None,
    *,
    starts: npt.NDArray[np.int64] | None = None,
) -> Folded:
    """Fold a typed journal to its milestones table, column-wise, flagging what it cannot certify.

    ``journal`` has one row per event, each case's rows contiguous and in
    ``seq`` order; a case starts where ``case_id`` changes or at a seq-1
    registration, unless ``starts`` (the first row of each case, ascending,
    from 0) says where. A case is suspicious when any check below fails or
    cannot be made exactly; its row of the table is then meaningless and the
    value path must decide it.
    """
    n = journal.num_rows
    col = functools.partial(column_of, journal)
    coded = value_codes(col("kind"), _KINDS, n) - 1  # 0-based kind, -1 null, -2 unknown
    kinds = np.where(coded < 0, _UNKNOWN, coded).astype(np.int8)
    seq = int_values(col("seq"), n, 0, out=np.int32)
    if starts is None:
        starts = case_starts(col("case_id"), seq, kinds == REG, n)
    else:
        starts = np.asarray(starts, I64)
    rows = CaseRows(kinds, starts)
    m = rows.m
    if suspicious is not None and len(suspicious) != m:
        raise ValueError(f"{len(suspicious)} suspicious flags for {m} cases")
    bad = np.zeros(n, np.bool_)  # rows whose case the checks cannot certify
    out = MilestoneArrays(m)
    s = rows.starts
    last_row = rows.ends - 1

    at, at_missing = instant_values(col("at"), n)
    bad |= at_missing
    bad |= at < SINCE_1992_US  # local days before 1992 are not a fixed +08:00: the value path's

    # _start: the first event is 'registered' with seq 1, at or after the receipt.
    bad[s[(kinds[s] != REG) | (seq[s] != 1)]] = True
    received_at, received_missing = instant_values(col("received_at"), n, s)
    bad[s[received_missing | (received_at < SINCE_1992_US) | (at[s] < received_at)]] = True
    # _step: seq = n + 1 (numbered without gaps); at not before the previous event.
    # ALLOWED_FROM: the stage before each row is the one the latest stage-setting row left
    # (a registration leaves REGISTERED; a second one is never allowed: one per case).
    stage_set = _STAGE_AFTER[kinds]
    index = np.arange(n, dtype=np.int32 if n < 2**31 else I64)
    last_setter = np.maximum.accumulate(np.where(stage_set >= 0, index, 0))
    stage_after = stage_set[last_setter]
    if n:
        ok = np.diff(seq) == 1
        ok &= at[1:] >= at[:-1]
        ok &= _ALLOWED[kinds[1:].astype(np.int16) * len(_STAGES) + stage_after[:-1]]
        ok[s[1:] - 1] = True  # a case's first row is checked by _start above
        bad[1:] |= ~ok
    out.codes["stage"][:] = stage_after[last_row] + 1

    day = local_days(at).astype(np.int32)  # each row's local day, read by every milestone

    def set_day(
        name: str,
        per_case: npt.NDArray[np.int64],
        sub: npt.NDArray[np.int64] | None = None,
        days: npt.NDArray[np.int64] | None = None,
    ) -> None:
        """Per case, the day of row ``per_case[c]`` (or ``days`` of it among rows ``sub``)."""
        got = per_case >= 0
        src = per_case[got]
        if sub is None or days is None:
            out.days[name][got] = day[src]
        else:
            out.days[name][got] = days[np.searchsorted(sub, src)]

    # The milestones the spec sets from an event's own day (TRANSITIONS: first, latest,
    # clears, ANCHORS): the latest setter after the latest clear, or the first setter
    # after it (an anchored one only once a clear happened).
    cleared: dict[tuple[int, ...], npt.NDArray[np.int64]] = {}
    for name, first, latest, clears in _SETTERS:
        last_clear = None
        if clears:
            last_clear = cleared.get(clears)
            if last_clear is None:
                last_clear = cleared[clears] = rows.last(rows.of(*clears))
        if latest:
            got = rows.last(rows.of(*latest))
            if last_clear is not None:
                got = np.where(got > last_clear, got, -1)
        elif last_clear is not None:
            none = -2 if name in ANCHORS else -1
            got = rows.after(rows.of(*first), np.where(last_clear >= 0, last_clear, none))
        else:
            got = rows.first_of(rows.of(*first))
        set_day(name, got)

    # _start: received; notified_on_the_spot records a notice on the day of receipt.
    received = local_days(received_at)
    out.days["received"][:] = received
    spot = bool_values(col("notified_on_the_spot"), n, s)
    notify = rows.of(NOT)
    out.days["notified"][spot] = received[spot]

    asg = rows.of(ASG)
    fa = rows.of(FWD, ASG)
    recv = rows.of(FR)
    obj = rows.of(OBJ)
    # _receive_forwarded (guards receipt_once, receipt_before_answer): once per forwarding,
    # and before its notice or objection.
    if len(recv):
        lo = rows.since(rows.before(fa, recv), recv)
        answers = rows.between(notify, lo, recv) + rows.between(obj, lo, recv)
        ok = receipt_once_ok(rows.between(recv, lo, recv)) & receipt_before_answer_ok(answers)
        bad[recv[~ok]] = True
    # _approve_objection (guard approval_once): once per forwarding.
    app = rows.of(APP)
    if len(app):
        lo = rows.since(rows.before(fa, app), app)
        bad[app[~approval_once_ok(rows.between(app, lo, app))]] = True
    # _return_materials (guard return_after_approval): only after the approval (since the
    # latest forwarding).
    ret = rows.of(RET)
    if len(ret):
        lo = rows.since(rows.before(fa, ret), ret)
        bad[ret[~return_after_approval_ok(rows.between(app, lo, ret))]] = True
    # _forward (Assign): report_back_due latest (guard report_back_date: not before the
    # assignment); _report_back (guard report_back_assigned): only once assigned.
    last_asg = rows.last(asg)
    due = int_values(col("report_back_by"), n, int(NO_DAY), asg)
    bad[asg[(due == NO_DAY) | ~report_back_date_ok(due, day[asg])]] = True
    set_day("report_back_due", last_asg, asg, due)
    rb = rows.of(RB)
    bad[rb[~report_back_assigned_ok(rows.before(asg, rb) >= 0)]] = True
    dec, acc = rows.of(DEC), rows.of(ACC)

    # _issue (guard delivered_after_issue): delivered on or after the issue day; the outcome of
    # the latest.
    issues = rows.of(OP, RVO, RRO)
    delivered_at, no_delivery = instant_values(col("delivered_at"), n, issues)
    issued = day[issues].astype(I64)
    delivered = np.where(no_delivery, issued, local_days(delivered_at))
    too_early = ~delivered_after_issue_ok(delivered, issued)
    bad[issues[too_early | (~no_delivery & (delivered_at < SINCE_1992_US))]] = True
    for sent, kind in (("opinion_delivered", OP), ("review_delivered", RVO)):
        set_day(sent, rows.last(rows.of(kind)), issues, delivered)
    outcome = enum_codes(col("outcome"), Outcome, n, issues)
    bad[issues[outcome <= 0]] = True
    out.codes["outcome"][:] = _at_pos(rows.last_pos(issues), outcome)

    # _start_hearing / _end_hearing / _issue (guards hearing_not_running, hearing_running,
    # hearing_ended): a hearing runs from a start to the next end.
    hs = rows.of(HS)
    hse = rows.of(HS, HE)
    for q, ok in (
        (hs, hearing_not_running_ok),
        (rows.of(HE), hearing_running_ok),
        (issues, hearing_ended_ok),
    ):
        if len(q):
            prev = rows.before(hse, q)
            running = (prev >= 0) & (kinds[np.maximum(prev, 0)] == HS)
            bad[q[~ok(running)]] = True
    hearings = np.bincount(rows.case[hs], minlength=m).astype(np.int32)

    # _settle / _record_agreement / _relapse (guards settle_once, relapse_after_settle): the
    # flag after each is True, True, False; settle needs it False and relapse True;
    # on["settled"] is the first settle or agreement after the latest relapse (popped by it).
    relapse = rows.of(REL)
    sar = rows.of(SET, AGR, REL)
    for q, ok in ((rows.of(SET), settle_once_ok), (relapse, relapse_after_settle_ok)):
        if len(q):
            prev = rows.before(sar, q)
            flag = (prev >= 0) & (kinds[np.maximum(prev, 0)] != REL)
            bad[q[~ok(flag)]] = True
    last_sar = rows.last(sar)
    settled_flag = (last_sar >= 0) & (kinds[np.maximum(last_sar, 0)] != REL)
    settled_since = rows.after(rows.of(SET, AGR), rows.last(relapse))
    set_day("settled", np.where(settled_flag, settled_since, -1))

    # Categories and routes: _start / _categorize set the category; _accept's route defaults
    # from it and must match it; _decline sets route_told.
    categorize = rows.of(CAT)
    reg_category = enum_codes(col("category"), Category, n, s)
    category = enum_codes(col("category"), Category, n, categorize)
    bad[s[reg_category < 0]] = True
    bad[categorize[category <= 0]] = True

    def category_at(per: npt.NDArray[np.int64], case: npt.NDArray[np.int64]) -> Any:
        """The category a categorize row ``per`` set, else the registration's."""
        return np.where(per >= 0, _at_pos(per, category), reg_category[case])

    out.codes["category"][:] = category_at(rows.last_pos(categorize), np.arange(m))
    routed = rows.of(ACC, DEC)
    route = np.zeros(len(routed), np.int16)
    if len(acc):
        # _accept: the route given, else the category's default (guards route_accepted,
        # route_fits_category).
        explicit = enum_codes(col("route"), Route, n, acc)
        before = category_at(rows.before_pos(categorize, acc), rows.case[acc])
        cat = np.maximum(before, 0)
        chosen = np.where(explicit == 0, _DEFAULT_ROUTE[cat], explicit)
        known = np.maximum(chosen, 0)
        refused = (chosen < 0) | ~_ACCEPTED_ROUTE[known] | ~_FITS[cat, known]
        bad[acc[refused]] = True
        route[np.searchsorted(routed, acc)] = chosen
    if len(dec):
        told = enum_codes(col("route_told"), Route, n, dec)
        bad[dec[told <= 0]] = True
        route[np.searchsorted(routed, dec)] = told
    out.codes["route"][:] = _at_pos(rows.last_pos(routed), route)
    # _categorize (guard route_fits_category): once on a route, the class keeps to it.
    if len(categorize):
        before = _at_pos(rows.before_pos(routed, categorize), route)
        fits = _FITS[np.maximum(category, 0), np.maximum(before, 0)]
        bad[categorize[(before > 0) & ~fits]] = True
    # The spec's route needs (guards review_route, agreement_on_appeal): the route before.
    for needing, needed in _ROUTE_NEEDS:
        q = rows.of(*needing)
        if len(q):
            before = _at_pos(rows.before_pos(routed, q), route)
            bad[q[~np.isin(before, needed)]] = True

    # _start, _forward, _return_materials, _request: the handling unit and its kind (a request
    # clears the kind); _forward: forwarded_unit_kind.
    recv_kind = enum_codes(col("receiving_unit_kind"), UnitKind, n, s)
    bad[s[recv_kind < 0]] = True
    moved = rows.of(FWD, ASG, RET, RVQ, RRQ)
    to_kind = enum_codes(col("to_unit_kind"), UnitKind, n, moved)
    bad[moved[to_kind < 0]] = True
    last_moved_pos = rows.last_pos(moved)
    last_moved = _at_pos(last_moved_pos, moved) if len(moved) else np.full(m, -1, I64)
    last_moved = np.where(last_moved_pos >= 0, last_moved, -1)
    moved_kind = _at_pos(last_moved_pos, to_kind)
    out.codes["handling_unit_kind"][:] = np.where(last_moved_pos >= 0, moved_kind, recv_kind)
    fa_kind = enum_codes(col("to_unit_kind"), UnitKind, n, fa)
    out.codes["forwarded_unit_kind"][:] = _at_pos(rows.last_pos(fa), fa_kind)
    out.codes["receiving_unit_kind"][:] = recv_kind

    # _rate: the latest rating.
    rated = rows.of(RATE)
    rating = enum_codes(col("rating"), Rating, n, rated)
    bad[rated[rating <= 0]] = True
    out.codes["rating"][:] = _at_pos(rows.last_pos(rated), rating)
    # Register: channel and procedure.
    for name, cls in (("channel", Channel), ("procedure", Procedure)):
        codes = enum_codes(col(name), cls, n, s)
        bad[s[codes <= 0]] = True
        out.codes[name][:] = codes

    # _extend (guard extension_days): a positive number of days; Case: extension_days
    # countable on a calendar.
    ext = rows.of(EXT)
    ext_days = int_values(col("days"), n, 0, ext)
    bad[ext[~extension_days_ok(ext_days)]] = True
    extensions = np.bincount(rows.case[ext], minlength=m)
    total_days = np.bincount(rows.case[ext], weights=ext_days.astype(np.float64), minlength=m)
    too_many = total_days > MAX_EXTENSION_DAYS
    bad[s[too_many]] = True

    # _assign_role / _release_role (guards role_not_held, role_held): one-holder roles replace;
    # a holder is not assigned twice.
    responsible = _roles(journal, rows, bad)
    # _set_plan: the latest plan, 0 none / 1 incomplete / 2 complete (SettlementPlan.is_complete);
    # plan_due its deadline (guard plan_deadline_reason: a later deadline gives a reason).
    plan = _plans(col("plan"), col("reason"), rows, bad, out)
    # _report_progress (guards progress_needs_plan, progress_steps): a report follows a plan;
    # the steps it completes are the current plan's (1 to its number of steps), each once.
    _progress(col("plan"), col("completes"), rows, bad)
    _steps(col("plan"), col("completes"), rows, out, day)

    set_day("last_event", last_row)

    flagged = np.logical_or.reduceat(bad, starts) if n else np.zeros(m, np.bool_)
    if suspicious is not None:
        flagged = flagged | suspicious
    counts = {
        "extension_days": np.where(too_many, 0, total_days).astype(np.int32),
        "extensions": extensions.astype(np.int32),
        "hearings": hearings,
        **out.counts,
    }
    flags = {
        "is_settled": settled_flag,
        "beijing_visit": bool_values(col("beijing_visit"), n, s),
        "skip_level": bool_values(col("skip_level"), n, s),
        "identity_unclear": bool_values(col("identity_unclear"), n, s),
    }
    receiving_unit = take_strings(col("receiving_unit"), s)
    strings = {
        "receiving_unit": receiving_unit,
        "handling_unit": pc.coalesce(take_strings(col("to_unit"), last_moved), receiving_unit)
        if len(moved)
        else receiving_unit,
        "responsible_unit": responsible,
    }
    table = milestones_table(
        take_strings(col("case_id"), s),
        rows.ends - s,
        out,
        flags=flags,
        counts=counts,
        plan=plan,
        strings=strings,
    )
    return Folded(milestones=table, suspicious=flagged)


def _at_pos(pos: npt.NDArray[np.int64], values: npt.NDArray[Any]) -> Any:
    """``values[pos]``, 0 where ``pos`` is -1."""
    if not len(values):
        return np.zeros(len(pos), np.int16)
    return np.where(pos >= 0, values[np.maximum(pos, 0)], 0)


def _roles(journal: Any, rows: CaseRows, bad: npt.NDArray[np.bool_]) -> Any:
    """Check role assignments and releases; the responsible unit's holder per case.

    ``_assign_role`` refuses a (role, holder) pair already held, ``_release_role`` one not
    held; assigning a one-holder role replaces its holder. So the state a role row sees is
    the latest earlier row of its group: (case, role) for a one-holder role, (case, role,
    holder) for a several-holder one (their pairs are independent). One stable sort of the
    role rows by that key puts each row right after the row it depends on: the holder
    before it is that row's holder when it assigned, none when it released or there is none.
    An assignment is refused when the holder before is its own holder, a release when not.
    ``Case.responsible_unit`` is the first RESPONSIBLE_UNIT holding: a one-holder role has
    at most one, the holder after the last row of that group.
    """
    m = rows.m
    both = rows.of(RA, RR)
    if not len(both):
        return pa.nulls(m, pa.string())
    role_col = column_of(journal, "role")
    holder_col = column_of(journal, "holder")
    role = enum_codes(role_col, Role, rows.n, both)
    if holder_col is None:
        bad[both] = True
        return pa.nulls(m, pa.string())
    held = holder_col.take(pa.array(both))
    held = held.combine_chunks() if isinstance(held, pa.ChunkedArray) else held
    encoded = pc.dictionary_encode(held.cast(pa.string()))
    holder = pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False).astype(I64)
    bad[both[(role <= 0) | (holder < 0)]] = True
    role = np.maximum(role, 0).astype(I64)
    assigning = rows.kinds[both] == RA
    single = _SINGLE_ROLE[role]
    case = rows.case[both].astype(I64)  # int64: the sort key below needs the room
    width = len(encoded.dictionary) + 1
    group = case * _ROLE_SLOTS + role
    if (m + 1) * _ROLE_SLOTS * width < 2**62:
        order = np.argsort(group * width + np.where(single, 0, holder + 1), kind="stable")
    else:  # pragma: no cover - more (case, holder) pairs than an int64 key holds
        order = np.lexsort((np.where(single, 0, holder + 1), group))
    g = group[order]
    h = holder[order]
    a = assigning[order]
    k = len(order)
    new_group = np.ones(k, np.bool_)
    new_group[1:] = (g[1:] != g[:-1]) | (~single[order][1:] & (h[1:] != h[:-1]))
    after = np.where(a, h, -1)  # the holder after each row, within its group
    before = np.full(k, -1, I64)
    before[1:] = np.where(new_group[1:], -1, after[:-1])
    held = before == h
    refused = ~np.where(a, role_not_held_ok(held), role_held_ok(held))
    bad[both[order[refused]]] = True
    # The responsible unit: the holder after the last RESPONSIBLE_UNIT row of each case.
    last_in_group = np.ones(k, np.bool_)
    last_in_group[:-1] = new_group[1:]
    pick = last_in_group & (role[order] == _RESPONSIBLE_UNIT)
    responsible = np.full(m, -1, I64)
    responsible[case[order[pick]]] = after[pick]
    idx = pa.array(responsible, pa.int64(), mask=responsible < 0)
    return encoded.dictionary.take(idx).cast(pa.string())


_LETTER: Final = r"[\p{L}\p{N}\p{P}\p{S}\p{M}]"
_ASCII_BLANK: Final = r"^[ \t\n\r\x0b\x0c]*$"


def _blank(texts: Any) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    """(Surely not blank, unsure) for ``str.strip``: a letter-like char, or only ASCII space."""
    solid = pc.fill_null(pc.match_substring_regex(texts, _LETTER), False)
    empty = pc.fill_null(pc.match_substring_regex(texts, _ASCII_BLANK), False)
    solid_np = solid.to_numpy(zero_copy_only=False)
    return solid_np, ~solid_np & ~empty.to_numpy(zero_copy_only=False)


def _plans(
    column: Any, reason: Any, rows: CaseRows, bad: npt.NDArray[np.bool_], out: MilestoneArrays
) -> npt.NDArray[np.int8]:
    """0 no plan, 1 incomplete, 2 complete (SettlementPlan.is_complete), of each case's latest.

    Also ``plan_due`` (the latest plan's deadline) and guard ``plan_deadline_reason``.
    """
    plan = np.zeros(rows.m, np.int8)
    set_rows = rows.of(PLAN)
    if not len(set_rows):
        return plan
    if column is None:
        bad[set_rows] = True
        return plan
    chunks_all = column.chunks if isinstance(column, pa.ChunkedArray) else [column]
    deadlines = (
        pa.chunked_array([c.field("deadline") for c in chunks_all], pa.date32())
        .take(pa.array(set_rows))
        .combine_chunks()
    )
    due = fixed_days(deadlines)
    prev = rows.before_pos(set_rows, set_rows)
    old = np.where(prev >= 0, due[np.maximum(prev, 0)], NO_DAY)
    moved = deadline_moved_later(due, old, NO_DAY)
    if moved.any():
        if reason is None:
            bad[set_rows[moved]] = True
        else:
            texts = take_strings(reason, set_rows[moved])
            solid, unsure = _blank(texts)
            bad[set_rows[moved][~solid | unsure]] = True
    last_pos = rows.last_pos(set_rows)
    has = last_pos >= 0
    out.days["plan_due"][has] = due[last_pos[has]]
    out.counts["deadline_moves"][:] = np.bincount(rows.case[set_rows[moved]], minlength=rows.m)
    last = rows.last(set_rows)
    got = last >= 0
    src = last[got]
    idx = pa.array(src)
    chunks = column.chunks if isinstance(column, pa.ChunkedArray) else [column]

    def field(name: str) -> Any:
        """The plan's field ``name`` at ``src`` (only that child is copied, not the plan)."""
        got = pa.chunked_array([c.field(name) for c in chunks], column.type.field(name).type)
        return got.take(idx).combine_chunks()

    missing = column.is_null().take(idx).to_numpy(zero_copy_only=False)
    owner_solid, owner_unsure = _blank(field("owner"))
    deadline = ~field("deadline").is_null().to_numpy(zero_copy_only=False)
    measures = field("measures")
    measures_missing = measures.is_null().to_numpy(zero_copy_only=False)
    flat = pc.list_flatten(measures)
    parents = pc.list_parent_indices(measures).to_numpy(zero_copy_only=False)
    m_solid, m_unsure = _blank(flat)
    any_measure = np.bincount(parents[m_solid], minlength=len(src)) > 0
    unsure = np.bincount(parents[m_unsure], minlength=len(src)) > 0
    bad[src[missing | owner_unsure | unsure | measures_missing]] = True
    steps = pc.fill_null(pc.list_value_length(field("milestones")), 0)
    out.counts["plan_steps"][got] = steps.to_numpy(zero_copy_only=False)
    plan[got] = np.where(owner_solid & deadline & any_measure, 2, 1)
    return plan


def _progress(plan: Any, completes: Any, rows: CaseRows, bad: npt.NDArray[np.bool_]) -> None:
    """Guards ``progress_needs_plan`` and ``progress_steps`` over the progress reports."""
    prog = rows.of(PROG)
    if not len(prog):
        return
    q = rows.before(rows.of(PLAN), prog)  # the plan each report is on (-1: none)
    bad[prog[~progress_needs_plan_ok(q >= 0)]] = True
    if completes is None or plan is None:
        bad[prog] = True
        return
    lists = rows_of(completes, prog)
    bad[prog[lists.is_null().to_numpy(zero_copy_only=False)]] = True
    parents = pc.list_parent_indices(lists).to_numpy(zero_copy_only=False)
    if not len(parents):
        return
    numbers = pc.fill_null(pc.list_flatten(lists), 0).to_numpy(zero_copy_only=False)
    numbers = numbers.astype(I64)
    steps = np.zeros(len(prog), I64)
    on_plan = np.flatnonzero(q >= 0)
    if len(on_plan):
        milestones = rows_of(plan, q[on_plan]).field("milestones")
        steps[on_plan] = pc.fill_null(pc.list_value_length(milestones), 0).to_numpy(
            zero_copy_only=False
        )
    within = steps_ok(numbers, steps[parents]) & (q[parents] >= 0)
    bad[prog[parents[~within]]] = True
    # each step once per plan: (plan row, number) pairs seen twice mark the later report
    key = q[parents].astype(I64) * (2**31) + np.clip(numbers, 0, 2**31 - 1)
    order = np.lexsort((prog[parents], key))
    again = np.zeros(len(order), np.bool_)
    again[1:] = key[order][1:] == key[order][:-1]
    bad[prog[parents[order[~step_once_ok(again)]]]] = True


def _steps(plan: Any, completes: Any, rows: CaseRows, out: MilestoneArrays, day: Any) -> None:
    """``step_due`` and ``step_done`` of each case's current plan (Case.plan, Case.steps_done).

    A step is done on the day of the report after the latest plan that completes it.
    """
    set_rows = rows.of(PLAN)
    if plan is None or not len(set_rows):
        return
    last = rows.last(set_rows)
    got = np.flatnonzero(last >= 0)
    milestones = rows_of(plan, last[got]).field("milestones")
    lengths = np.zeros(rows.m, np.int64)
    lengths[got] = pc.fill_null(pc.list_value_length(milestones), 0).to_numpy(zero_copy_only=False)
    offsets = np.zeros(rows.m + 1, np.int32)
    np.cumsum(lengths, out=offsets[1:])
    dues = pc.list_flatten(milestones).field("due")
    out.lists["step_due"] = pa.ListArray.from_arrays(pa.array(offsets), dues.cast(pa.date32()))
    done = np.zeros(int(offsets[-1]), np.int32)
    valid = np.zeros(int(offsets[-1]), np.bool_)
    prog = rows.of(PROG)
    if completes is not None and len(prog):
        q = rows.before(set_rows, prog)
        case = rows.case[prog]
        current = (q >= 0) & (q == last[case])
        prog, case = prog[current], case[current]
        if len(prog):
            lists = rows_of(completes, prog)
            parents = pc.list_parent_indices(lists).to_numpy(zero_copy_only=False)
            numbers = pc.fill_null(pc.list_flatten(lists), 0).to_numpy(zero_copy_only=False)
            c = case[parents]
            inside = (numbers >= 1) & (numbers <= lengths[c])
            at = offsets[c[inside]] + numbers[inside].astype(np.int64) - 1
            done[at] = day[prog[parents[inside]]]
            valid[at] = True
    out.lists["step_done"] = pa.ListArray.from_arrays(
        pa.array(offsets), pa.array(done, pa.date32(), mask=~valid)
    )


def truncate(journal: Any, day: _dt.date) -> tuple[Any, int]:
    """The journal as it stood at the end of ``day`` (Asia/Shanghai), and how many cases it drops.

    Events whose local day is after ``day`` are dropped (``xinfang.deadlines._replayed``);
    a case left with no event is dropped and counted.
    """
    n = journal.num_rows
    if n == 0:
        return journal, 0
    days = local_days_exact(column_of(journal, "at"), n)
    keep = days <= day.toordinal() - _dt.date(1970, 1, 1).toordinal()
    if keep.all():
        return journal, 0
    kinds = value_codes(column_of(journal, "kind"), _KINDS, n) - 1
    seq = int_values(column_of(journal, "seq"), n, 0)
    starts = case_starts(column_of(journal, "case_id"), seq, kinds == REG, n)
    gone = int((~np.logical_or.reduceat(keep, starts)).sum())
    return journal.filter(pa.array(keep)), gone
