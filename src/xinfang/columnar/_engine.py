"""Clocks and campaign counts from a milestones table, through the one clock engine.

:class:`MilestoneColumns` is a :class:`~xinfang.deadlines.ColumnSource` over
an Arrow milestones table (one row per case, :data:`MILESTONES_SCHEMA`): the
engine's int32 columns are made from its Arrow columns without a Python
loop, and :func:`~xinfang.deadlines.clock_parts` computes the clocks exactly
as it does for :class:`~xinfang.deadlines.CaseColumns`. The rare case the
engine needs as a value (hearing pauses, the error of a case outside the
calendar) comes from ``case_of``.
"""

from __future__ import annotations

import datetime as _dt
from typing import TYPE_CHECKING, Any, Final, NamedTuple

import attrs
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from xinfang.calendar import china_mainland
from xinfang.campaign import (
    campaign_unit_index,
    count_columns,
    unknown_unit_problems,
    unplaced_cases,
)
from xinfang.case import MILESTONE_NAMES
from xinfang.columnar._cases import case_offsets
from xinfang.columnar._column_arrays import instant_values, local_days
from xinfang.columnar._schema import SINCE_1992_US
from xinfang.deadlines import (
    CODES,
    ENUM_COLUMNS,
    IS_OPEN,
    STATUSES,
    ClockPart,
    clock_parts,
    part_limits,
    paused_days,
)
from xinfang.errors import XinfangError
from xinfang.rulebook import LimitKind, bundled_rulebook

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Callable, Sequence

    import numpy.typing as npt

    from xinfang.calendar import WorkCalendar
    from xinfang.campaign import Campaign, ReferenceProblem, SnapshotCounts
    from xinfang.case import Case
    from xinfang.responsibility import Organization
    from xinfang.rulebook import Rulebook

__all__ = [
    "CLOCKS_SCHEMA",
    "Campaigned",
    "HearingSpans",
    "MilestoneColumns",
    "run",
    "spans_of",
    "target_ids",
    "unknown_id_rows",
]


#: ``date(1970, 1, 1).toordinal()``: a date32 value plus this is a proleptic ordinal.
_EPOCH: Final = 719163
_MILESTONE_SET: Final = frozenset(MILESTONE_NAMES)
_FLAGS: Final = {
    "beijing_visit": "beijing_visit",
    "skip_level": "skip_level",
    "is_settled": "is_settled",
    "identity_unclear": "identity_unclear",
}
_COUNTS: Final = ("extension_days", "hearings", "plan", "deadline_moves", "plan_steps")
_STATUS_TYPE: Final = pa.dictionary(pa.int8(), pa.string())

#: The clocks table :func:`clocks_of` returns: one row per clock that has started.
CLOCKS_SCHEMA: Final = pa.schema(
    [
        pa.field("case_id", pa.string(), nullable=False),
        pa.field("limit", pa.dictionary(pa.int16(), pa.string()), nullable=False),
        pa.field("started", pa.date32(), nullable=False),
        pa.field("nominal", pa.date32(), nullable=False),
        pa.field("due", pa.date32(), nullable=False),
        pa.field("met_on", pa.date32()),
        pa.field("paused", pa.int32(), nullable=False),
        pa.field("extended", pa.int32(), nullable=False),
        pa.field("status", _STATUS_TYPE, nullable=False),
        pa.field("remaining_days", pa.int32()),
        pa.field("remaining_working_days", pa.int32()),
        pa.field("provisional", pa.bool_(), nullable=False),
        pa.field("last_report", pa.date32()),
    ],
    metadata={"xinfang": "clocks"},
)


def _numpy(column: Any) -> Any:
    """A chunked or plain Arrow array without nulls as one numpy array."""
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    return column.to_numpy(zero_copy_only=False)


def _chunks(column: Any) -> list[Any]:
    """The arrays of a chunked or plain Arrow array."""
    return list(column.chunks) if isinstance(column, pa.ChunkedArray) else [column]


def _int32(column: Any, fill: int, shift: int = 0) -> npt.NDArray[np.int32]:
    """A column of 32-bit (or smaller) values as int32, ``fill`` where null, plus ``shift``.

    Each chunk is written into the one result (no concatenated copy first);
    a 32-bit chunk is read from its buffers (no cast, no filled copy).
    """
    out = np.empty(len(column), np.int32)
    at = 0
    for chunk in _chunks(column):
        end = at + len(chunk)
        if chunk.type.bit_width == 32 and len(chunk):
            validity, data = chunk.buffers()[:2]
            values = np.frombuffer(data, np.int32, len(chunk), chunk.offset * 4)
            np.add(values, shift, out=out[at:end], casting="unsafe")
            if chunk.null_count:
                bits = np.frombuffer(validity, np.uint8)
                valid = np.unpackbits(bits, count=chunk.offset + len(chunk), bitorder="little")
                out[at:end][valid[chunk.offset :] == 0] = fill + shift
        else:
            values = chunk.cast(pa.int32())
            if values.null_count:
                values = pc.fill_null(values, fill)
            np.add(values.to_numpy(zero_copy_only=False), shift, out=out[at:end], casting="unsafe")
        at = end
    return out


def _enum_codes(column: Any, enum_type: Any) -> npt.NDArray[np.int32]:
    """An enum column (dictionary or string of member values) as engine codes (0: none)."""
    out = np.empty(len(column), np.int32)
    at = 0
    for chunk in _chunks(column):
        coded = chunk if pa.types.is_dictionary(chunk.type) else pc.dictionary_encode(chunk)
        values = coded.dictionary.to_pylist()
        lookup = np.array(
            [0 if v is None else CODES[enum_type(v)] for v in values] + [0], dtype=np.int32
        )
        indices = coded.indices.cast(pa.int32())
        if indices.null_count:
            indices = pc.fill_null(indices, len(values))
        end = at + len(coded)
        np.take(lookup, indices.to_numpy(zero_copy_only=False), out=out[at:end])
        at = end
    return out


class HearingSpans(NamedTuple):
    """The hearings of a journal's cases, as columns (from its hearing events).

    ``case`` (the case's index), ``start`` and ``end`` (local days as
    proleptic ordinals; ``end`` 0 while the hearing runs), in row order;
    ``inexact[k]`` marks a case whose hearing days the columns cannot be sure
    of (an instant before 1992, when Asia/Shanghai was not always +08:00):
    its pauses come from the case as a value.
    """

    case: npt.NDArray[np.int64]
    start: npt.NDArray[np.int64]
    end: npt.NDArray[np.int64]
    inexact: npt.NDArray[np.bool_]


class MilestoneColumns:
    """The clock engine's columns (:class:`~xinfang.deadlines.ColumnSource`) of a milestones table.

    ``milestones`` holds the cases as they stood at the end of ``day`` (no
    event after it); ``case_of(k)`` gives case ``k`` as a value, for the
    engine's rare per-case work. Columns are converted on first use. With
    ``days`` (ordinals, one per case, none after ``day``), each case is
    counted as of its own day (the store's projections: each case as of its
    last event).
    """

    __slots__ = ("_case_of", "_columns", "_spans", "day", "days", "spans", "table")

    def __init__(
        self,
        milestones: Any,
        day: _dt.date,
        case_of: Callable[[int], Case],
        spans: Callable[[], HearingSpans] | None = None,
        days: npt.NDArray[np.int32] | None = None,
    ) -> None:
        self.table = milestones
        self.day = day
        self.days = days
        self._case_of = case_of
        self.spans = spans
        self._spans: HearingSpans | None = None
        self._columns: dict[str, npt.NDArray[np.int32]] = {}

    @property
    def as_of(self) -> int | npt.NDArray[np.int32]:
        """The ordinal each case stands as of: ``days``, or ``day``'s for all."""
        return self.day.toordinal() if self.days is None else self.days

    def __len__(self) -> int:
        return int(self.table.num_rows)

    def __contains__(self, name: object) -> bool:
        return name in self._columns

    def __getitem__(self, name: str) -> npt.NDArray[np.int32]:
        found = self._columns.get(name)
        if found is None:
            found = self._columns[name] = self._convert(name)
        return found

    def _convert(self, name: str) -> npt.NDArray[np.int32]:
        table = self.table
        if name in _MILESTONE_SET:  # days since the epoch as ordinals, 0 where null
            return _int32(table.column(name), -_EPOCH, _EPOCH)
        if name.startswith(("step_due_", "step_done_")):  # step N of each case's current plan
            prefix, number = name.rsplit("_", 1)
            return _list_day(table.column(prefix), int(number))
        if name in ENUM_COLUMNS:
            return _enum_codes(table.column(name), ENUM_COLUMNS[name])
        if name in _FLAGS:
            return _int32(table.column(_FLAGS[name]), 0)
        if name in _COUNTS:
            return _int32(table.column(name), 0)
        known = sorted({*_MILESTONE_SET, *ENUM_COLUMNS, *_FLAGS, *_COUNTS})
        raise XinfangError(f"no case column {name!r}; columns are {known}", path="column")

    def read(self, *names: str) -> None:
        """Convert the columns ``names`` now (each is converted once)."""
        for name in names:
            self[name]

    def at(self, rows: npt.NDArray[np.intp], *names: str) -> list[npt.NDArray[np.int32]]:
        """Columns ``names`` at ``rows``."""
        return [self[name][rows] for name in names]

    def case(self, k: int) -> Case:
        """Case ``k`` as a value (from ``case_of``)."""
        return self._case_of(k)

    def pauses(
        self, rows: npt.NDArray[np.intp], since: npt.NDArray[np.integer[Any]]
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
        """Hearing days of cases ``rows`` from ``since`` on, from the hearing spans (vectorised).

        Equal to :func:`xinfang.deadlines.paused_days` on each case; cases
        whose spans are inexact (and every case, without ``spans``) are
        asked as values.
        """
        rows = np.asarray(rows, dtype=np.int64)
        since = np.asarray(since, dtype=np.int64)
        paused = np.zeros(len(rows), dtype=np.int64)
        running = np.zeros(len(rows), dtype=bool)
        if self.spans is None:
            slow = np.arange(len(rows))
        else:
            if self._spans is None:
                self._spans = self.spans()
            sp = self._spans
            slow = np.flatnonzero(sp.inexact[rows])
            fast = np.flatnonzero(~sp.inexact[rows])
            if len(fast) and len(sp.case):
                # Each query row against the spans of its case (spans sorted by case).
                lo = np.searchsorted(sp.case, rows[fast], side="left")
                hi = np.searchsorted(sp.case, rows[fast], side="right")
                count = hi - lo
                query = np.repeat(fast, count)
                first = np.repeat(lo - np.cumsum(count) + count, count)
                span = first + np.arange(len(query))
                start, end = sp.start[span], sp.end[span]
                counted = start >= since[query]
                upto = self.as_of if self.days is None else self.days[rows[query]]
                ends = np.where(end > 0, end, upto)
                days = np.where(counted, ends - start + 1, 0)
                paused += np.bincount(query, weights=days, minlength=len(rows)).astype(np.int64)
                running |= np.bincount(query[counted & (end == 0)], minlength=len(rows)) > 0
        for i in slow.tolist():
            k = int(rows[i])
            then = self.day if self.days is None else _dt.date.fromordinal(int(self.days[k]))
            paused[i], running[i] = paused_days(
                self._case_of(k), _dt.date.fromordinal(int(since[i])), then
            )
        return paused, running


def _list_day(column: Any, number: int) -> npt.NDArray[np.int32]:
    """Item ``number`` (from 1) of each row's list of days, as ordinals (0: none)."""
    lists = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    out = np.zeros(len(lists), np.int32)
    if not len(lists):
        return out
    offsets = _numpy(lists.offsets)
    rows = np.flatnonzero(np.diff(offsets) >= number)
    if len(rows):
        picked = lists.flatten().take(pa.array(offsets[rows] + number - 1 - offsets[0]))
        days = _numpy(pc.fill_null(picked.cast(pa.int32()), -_EPOCH)) + _EPOCH
        out[rows] = days.astype(np.int32)
    return out


def _int32_array(
    kind: Any, values: npt.NDArray[np.int32], valid: npt.NDArray[np.bool_] | None = None
) -> Any:
    """An Arrow array of a 32-bit ``kind`` over ``values`` (no copy), null where not ``valid``."""
    bitmap = None if valid is None else pa.py_buffer(np.packbits(valid, bitorder="little"))
    return pa.Array.from_buffers(kind, len(values), [bitmap, pa.py_buffer(values)])


def _clocks_table(
    milestones: Any, parts: Sequence[ClockPart], rb: Rulebook, cols: MilestoneColumns
) -> Any:
    """The clocks table of the engine's parts.

    ``last_report``: the case's last progress report (``progress_reported``, as the
    milestones stand) on plan rows, null elsewhere (:func:`xinfang.deadlines.last_report`).
    Each column is gathered from the parts into one int32 array made an Arrow
    array without a copy (days since the epoch for the date columns).
    """
    limits = part_limits(rb, parts)
    keys = [lim.key for lim in limits]
    status_names = [s.value for s in STATUSES]
    if not parts:
        return CLOCKS_SCHEMA.empty_table()
    sizes = [len(p.case) for p in parts]
    bounds = np.cumsum([0, *sizes]).tolist()

    def gather(field: str, dtype: Any = np.int32, shift: int = 0) -> Any:
        out = np.empty(bounds[-1], dtype)
        for p, lo, hi in zip(parts, bounds, bounds[1:], strict=False):
            if shift:
                np.subtract(getattr(p, field), shift, out=out[lo:hi], casting="unsafe")
            else:
                out[lo:hi] = getattr(p, field)
        return out

    case = gather("case", np.intp)
    status = gather("status", np.int8)
    opened = IS_OPEN[status]
    met_on = gather("met_on", shift=_EPOCH)
    position = np.repeat(np.array([p.position for p in parts], np.int16), sizes)
    plan = [i for i, lim in enumerate(limits) if lim.kind is LimitKind.PLAN]
    reported = cols["progress_reported"][case]
    has_report = np.isin(position, plan) & (reported > 0)
    reported -= _EPOCH
    ids = milestones.column("case_id")
    if isinstance(ids, pa.ChunkedArray):
        ids = ids.combine_chunks()
    columns = [
        ids.take(pa.array(case)),
        pa.DictionaryArray.from_arrays(pa.array(position), pa.array(keys, pa.string())),
        _int32_array(pa.date32(), gather("started", shift=_EPOCH)),
        _int32_array(pa.date32(), gather("nominal", shift=_EPOCH)),
        _int32_array(pa.date32(), gather("due", shift=_EPOCH)),
        _int32_array(pa.date32(), met_on, met_on > -_EPOCH),
        _int32_array(pa.int32(), gather("paused")),
        _int32_array(pa.int32(), gather("extended")),
        pa.DictionaryArray.from_arrays(pa.array(status), pa.array(status_names, pa.string())),
        _int32_array(pa.int32(), gather("remaining_days"), opened),
        _int32_array(pa.int32(), gather("remaining_working_days"), opened),
        pa.array(gather("provisional", np.bool_), pa.bool_()),
        _int32_array(pa.date32(), reported, has_report),
    ]
    return pa.Table.from_arrays(columns, schema=CLOCKS_SCHEMA)


_UNIT_COLUMNS: Final = ("responsible_unit", "handling_unit", "receiving_unit")


def _units(
    milestones: Any, campaign: Campaign, org: Organization
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int8]]:
    """Each case's campaign unit: the first of responsible, handling, receiving that resolves.

    Also, per row, the column (an index into :data:`_UNIT_COLUMNS`, -1:
    none) of the first unit ``org`` does not know that comes before any unit
    placing the case: the only rows the placement rule can stop at a unit
    (:func:`~xinfang.campaign.unplaced_cases` decides them).
    """
    out = np.full(milestones.num_rows, -1, dtype=np.int64)
    stop = np.full(milestones.num_rows, -1, dtype=np.int8)
    for i, name in enumerate(_UNIT_COLUMNS):
        todo = np.flatnonzero(out < 0)
        if not len(todo):
            break
        column = milestones.column(name)
        few = 2 * len(todo) < len(out)
        if few:  # a later column is read where the earlier ones placed few of the cases
            column = column.take(pa.array(todo))
        column = _dictionary(column)
        values = column.dictionary.to_pylist()
        found = campaign_unit_index(values, campaign, org)
        lookup = np.append(found, -1)
        unknown = np.array([bool(u) and not org.has_unit(u) for u in values] + [False], dtype=bool)
        codes = _numpy(pc.fill_null(column.indices.cast(pa.int32()), len(found)))
        if not few:
            codes = codes[todo]
        stop[todo[unknown[codes] & (stop[todo] < 0)]] = i
        out[todo] = lookup[codes]
    return out, stop


_Grouped = list[tuple["ReferenceProblem", "npt.NDArray[np.intp]"]]


def _unplaced(
    milestones: Any,
    stop: npt.NDArray[np.int8],
    officials: npt.NDArray[np.bool_],
    *,
    cases_of: Callable[[Sequence[int]], Sequence[Case]],
    campaign: Campaign,
    org: Organization,
) -> tuple[dict[int, ReferenceProblem], _Grouped]:
    """The rows not placed, each with its problem, by the placement rule (:func:`unplaced_cases`).

    Read as values in one batch: the rows with an unknown official and
    those stopped at their responsible unit (the problem names the role's
    position). The rows stopped at an unknown handling or receiving unit
    (the rule reached it first: ``stop``) need no value: grouped by id, each
    group's problem is the one :func:`~xinfang.campaign.unknown_unit_problems`
    gives that id in that field, under the group's first case (by id).
    """
    read = np.flatnonzero(((stop == 0) & ~officials) | officials).tolist()
    found = unplaced_cases(cases_of(read), org, campaign) if read else {}
    groups: _Grouped = []
    ids = milestones.column("case_id")
    for i, name in enumerate(_UNIT_COLUMNS):
        rows = np.flatnonzero((stop == i) & ~officials)
        if i == 0 or not len(rows):
            continue
        named = _dictionary(milestones.column(name).take(pa.array(rows, pa.int64())))
        problems = unknown_unit_problems(name, named.dictionary.to_pylist(), org)
        codes = _numpy(named.indices)
        for code, problem in enumerate(problems):
            members = rows[codes == code]
            member_ids = ids.take(pa.array(members, pa.int64()))
            first = pc.min(member_ids).as_py()
            at = int(members[pc.index(member_ids, first).as_py()])
            groups.append((attrs.evolve(problem, index=at, case_id=first), members.astype(np.intp)))
    return {read[j]: problem for j, problem in found.items()}, groups


def _dictionary(column: Any) -> Any:
    """One dictionary-encoded array of a (chunked) string column."""
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    return column if pa.types.is_dictionary(column.type) else pc.dictionary_encode(column)


def unknown_id_rows(milestones: Any, events: Any, org: Organization) -> list[int]:
    """Rows that name an id ``org`` does not know: a unit, or an official given a role.

    The column-wise first step of :func:`~xinfang.campaign.check_references` (and of
    the store's bulk import): the cases of these rows, as values, are what
    it needs to read (``check_references([case_of(k) for k in rows], org)``,
    each problem's ``index`` then a position in ``rows``). Each distinct id
    is looked up once. Officials are read from the role
    assignments of ``events`` (all of them: a released holder makes a row a
    suspect too, and the value rule then decides); without events, only
    units are looked at.
    """
    bad = np.zeros(milestones.num_rows, dtype=bool)
    for name in ("responsible_unit", "handling_unit", "receiving_unit"):
        column = _dictionary(milestones.column(name))
        known = [not u or org.has_unit(u) for u in column.dictionary.to_pylist()]
        lookup = np.append(np.array(known, dtype=bool), True)  # null: not recorded
        codes = _numpy(pc.fill_null(column.indices.cast(pa.int32()), len(known)))
        bad |= ~lookup[codes]
    return np.flatnonzero(bad | _unknown_officials(milestones.num_rows, events, org)).tolist()


def _unknown_officials(n: int, events: Any, org: Organization) -> npt.NDArray[np.bool_]:
    """Of ``n`` cases, those whose ``events`` give a role to an official ``org`` does not know."""
    bad = np.zeros(n, dtype=bool)
    if events is not None and events.num_rows and "holder" in events.column_names:
        kind = _dictionary(events.column("kind"))  # compared by code: no string per event
        names = kind.dictionary.to_pylist()
        code = names.index("role_assigned") if "role_assigned" in names else -2
        rows = np.flatnonzero(_numpy(pc.fill_null(kind.indices.cast(pa.int32()), -1)) == code)
        role = events.column("role").take(pa.array(rows)).cast(pa.string())
        person = pc.fill_null(pc.not_equal(role, "responsible_unit"), False)
        rows = rows[_numpy(person).astype(bool)]
        if len(rows):
            held = _dictionary(events.column("holder").take(pa.array(rows)))
            known = [bool(o) and org.has_official(o) for o in held.dictionary.to_pylist()]
            lookup = np.append(np.array(known, dtype=bool), True)
            codes = _numpy(pc.fill_null(held.indices.cast(pa.int32()), len(known)))
            unknown = rows[~lookup[codes]]
            if len(unknown):
                case = np.searchsorted(case_offsets(events), unknown, side="right") - 1
                bad[case] = True
    return bad


def target_ids(milestones: Any, campaign: Campaign) -> list[str]:
    """The campaign's target ids that cases of ``milestones`` have."""
    ids = milestones.column("case_id")
    hit = pc.is_in(ids, value_set=pa.array(sorted(campaign.targets), pa.string()))
    return [str(v) for v in pc.filter(ids, hit).to_pylist()]


class Campaigned(NamedTuple):
    """A campaign to count in a sweep, with its organisation."""

    campaign: Campaign
    org: Organization


def run(
    milestones: Any,
    *,
    day: _dt.date,
    case_of: Callable[[int], Case],
    spans: Callable[[], HearingSpans] | None = None,
    rulebook: Rulebook | None = None,
    calendar: WorkCalendar | None = None,
    due_soon: int = 3,
    clocks: bool = True,
    count: Campaigned | None = None,
    cases_of: Callable[[Sequence[int]], Sequence[Case]] | None = None,
    events: Any = None,
    not_yet: tuple[int, int] = (0, 0),
    targets_found: Sequence[str] | None = None,
    officials: npt.NDArray[np.bool_] | None = None,
    owner: Callable[[int], str] | None = None,
) -> tuple[Any | None, SnapshotCounts | None]:
    """One run of the clock engine over ``milestones`` as of ``day``.

    Returns the clocks table (:data:`CLOCKS_SCHEMA`; rows grouped by limit in
    the rulebook's order, each group in the table's case order, as
    :func:`~xinfang.clock_table` orders them) unless ``clocks`` is false, and
    the campaign's :class:`~xinfang.campaign.SnapshotCounts` when ``count`` names one
    (from the same clocks: ``due_soon`` must then be 3, the snapshot's).
    The counts reconcile as :func:`~xinfang.campaign.snapshot_counts`' do: a case that
    names an id the organisation does not know (a unit in ``milestones``
    reached before any unit that places it, an official in the role
    assignments of ``events``, the journal's events) is decided by the value
    rule (:func:`~xinfang.campaign.unplaced_cases` on those cases, read in one
    call of ``cases_of`` when given, else one ``case_of`` each); ``not_yet``
    is how many cases (and targets among them) the journal had that were
    registered only after ``day``, ``targets_found`` the target ids of the
    whole journal (default: those of ``milestones``). ``officials`` marks the
    rows naming an unknown official, where no ``events`` are given (a
    milestones companion keeps each case's officials); ``owner(k)`` gives
    case ``k``'s plan owner ("" without a plan) where the companion keeps
    it, so the agenda reads no case as a value for it.
    """
    rb = rulebook if rulebook is not None else bundled_rulebook()
    cal = calendar if calendar is not None else china_mainland()
    cols = MilestoneColumns(milestones, day, case_of, spans)
    parts = clock_parts(cols, rulebook=rb, calendar=cal, due_soon=due_soon)
    counts = None
    if count is not None:
        campaign, org = count
        ids = milestones.column("case_id")
        targets = pa.array(sorted(campaign.targets), pa.string())
        unit, stop = _units(milestones, campaign, org)
        unplaced, grouped = _unplaced(
            milestones,
            stop,
            (
                _unknown_officials(milestones.num_rows, events, org)
                if officials is None
                else officials
            ),
            cases_of=cases_of if cases_of is not None else lambda ks: [case_of(k) for k in ks],
            campaign=campaign,
            org=org,
        )
        hit = pc.is_in(ids, value_set=targets)
        counts = count_columns(
            campaign,
            cols,
            unit=unit,
            target=_numpy(hit).astype(bool),
            case_id=lambda k: str(ids[k].as_py()),
            rulebook=rb,
            calendar=cal,
            parts=parts,
            unplaced=unplaced,
            unplaced_groups=grouped,
            not_yet=not_yet,
            targets_found=(
                [str(v) for v in ids.filter(hit).to_pylist()]
                if targets_found is None
                else targets_found
            ),
            case_owner=owner,
        )
    return (_clocks_table(milestones, parts, rb, cols) if clocks else None), counts


def spans_of(events: Any, offsets: npt.NDArray[np.int64]) -> HearingSpans:
    """The :class:`HearingSpans` of a journal table whose cases ``offsets`` bound.

    A hearing runs from a ``hearing_started`` event to the next event of the
    case if that is its ``hearing_ended`` (the fold allows no other order).
    """
    m = len(offsets) - 1
    kind = events.column("kind")
    if isinstance(kind, pa.ChunkedArray):
        kind = kind.combine_chunks()
    if pa.types.is_dictionary(kind.type):
        kind = kind.dictionary_decode()
    hit = pc.is_in(kind, value_set=pa.array(["hearing_started", "hearing_ended"]))
    rows = np.flatnonzero(_numpy(pc.fill_null(hit, False)))
    inexact = np.zeros(m, dtype=bool)
    if not len(rows):
        empty = np.zeros(0, dtype=np.int64)
        return HearingSpans(empty, empty, empty, inexact)
    case = np.searchsorted(offsets, rows, side="right") - 1
    us, missing = instant_values(events.column("at"), events.num_rows, rows.astype(np.int64))
    inexact[case[missing | (us < SINCE_1992_US)]] = True
    day = local_days(us) + _EPOCH
    is_start = _numpy(pc.equal(kind.take(pa.array(rows)), pa.scalar("hearing_started"))).astype(
        bool
    )
    first = np.flatnonzero(is_start)
    after = first + 1
    inside = after < len(rows)
    ended = np.zeros(len(first), dtype=bool)
    ended[inside] = (case[after[inside]] == case[first[inside]]) & ~is_start[after[inside]]
    end = np.zeros(len(first), dtype=np.int64)
    end[ended] = day[after[ended]]
    return HearingSpans(case[first].astype(np.int64), day[first].astype(np.int64), end, inexact)
