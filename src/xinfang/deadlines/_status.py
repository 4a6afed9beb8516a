"""Clock statuses and the one table that decides them (:data:`STATUS_RULES`).

A clock's status follows from a few :class:`Fact` flags by the first row of
:data:`STATUS_RULES` that matches. The per-case path evaluates the rows
compiled to bit sets (:func:`first_match`); the column path evaluates the
same rows with numpy (``status_codes``, in the column engine).
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, Final, NamedTuple

from xinfang.errors import XinfangError

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Collection, Iterable, Sequence

__all__ = [
    "BIT",
    "CALENDAR_FACTS",
    "CLOSING_BITS",
    "CLOSING_RULES",
    "CODE_OF",
    "OPEN_BITS",
    "OPEN_RULES",
    "OTHERWISE",
    "STATUSES",
    "STATUS_RULES",
    "STATUS_ZH",
    "ClockStatus",
    "Fact",
    "StatusRule",
    "first_match",
    "status_label",
    "status_of",
]


class ClockStatus(enum.Enum):
    """Where a clock stands as of a date.

    Open clocks: ``RUNNING``, ``DUE_SOON`` (within the due-soon threshold),
    ``OVERDUE`` (a duty past its due date), ``PAUSED`` (a hearing runs and the
    limit does not count hearing time). Closed clocks: ``MET`` (done in time),
    ``MISSED`` (done late, or made moot only after its due date),
    ``LAPSED`` (a window that closed unused), ``STOPPED`` (made moot by its
    due date: withdrawn, settled, superseded). :data:`STATUS_RULES` says which.
    """

    RUNNING = "running"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    PAUSED = "paused"
    MET = "met"
    MISSED = "missed"
    LAPSED = "lapsed"
    STOPPED = "stopped"

    @property
    def is_open(self) -> bool:
        """Whether the clock still runs (or is paused)."""
        return self in _OPEN


_OPEN: Final = frozenset(
    {ClockStatus.RUNNING, ClockStatus.DUE_SOON, ClockStatus.OVERDUE, ClockStatus.PAUSED}
)

#: Every status, in code order: a status column holds indexes into this tuple.
STATUSES: Final = tuple(ClockStatus)
#: The code of each status: its index in :data:`STATUSES`.
CODE_OF: Final = {s: i for i, s in enumerate(STATUSES)}


STATUS_ZH: Final = {
    ClockStatus.RUNNING: "进行中",
    ClockStatus.DUE_SOON: "即将到期",
    ClockStatus.OVERDUE: "已超期",
    ClockStatus.PAUSED: "暂停(听证)",
    ClockStatus.MET: "按期完成",
    ClockStatus.MISSED: "超期完成",
    ClockStatus.LAPSED: "期限届满未行使",
    ClockStatus.STOPPED: "已终止",
}


def status_label(status: ClockStatus, lang: str = "zh") -> str:
    """A clock status as people read it: ``"已超期"`` (``"zh"``) or ``"overdue"`` (``"en"``)."""
    if lang == "en":
        return status.value.replace("_", " ")
    if lang != "zh":
        raise XinfangError(f"unknown language {lang!r}; use 'zh' or 'en'", path="lang")
    return STATUS_ZH[status]


class Fact(enum.Enum):
    """A fact about one clock as of a date: what :data:`STATUS_RULES` test.

    ``MET``: an end milestone came on or after the start (``met_on``);
    ``MET_IN_TIME``: that was by the due date. ``STOPPED``: a stop
    milestone or the withdrawal came (at any time); ``STOPPED_AFTER_DUE``:
    the first of them came after the due date. ``HEARING_RUNNING``: the limit
    does not count hearing time and a hearing runs. ``WINDOW``: the limit is a
    window for the petitioner, not a duty. ``PAST_DUE``: the as-of date is
    after the due date. ``DUE_SOON``: at most the due-soon threshold of
    working days is left; it needs the calendar, so it is asked only of
    clocks no closing rule decided (:data:`CALENDAR_FACTS`).
    """

    MET = "met"
    MET_IN_TIME = "met_in_time"
    STOPPED = "stopped"
    STOPPED_AFTER_DUE = "stopped_after_due"
    HEARING_RUNNING = "hearing_running"
    WINDOW = "window"
    PAST_DUE = "past_due"
    DUE_SOON = "due_soon"


#: The facts that need the calendar (the working days left): asked only of open clocks.
CALENDAR_FACTS: Final = frozenset({Fact.DUE_SOON})


class StatusRule(NamedTuple):
    """One row of :data:`STATUS_RULES`: when every fact of ``when`` holds and none of ``unless``."""

    when: frozenset[Fact]
    unless: frozenset[Fact]
    status: ClockStatus
    why: str


def _rule(
    when: Iterable[Fact], unless: Iterable[Fact], status: ClockStatus, why: str
) -> StatusRule:
    return StatusRule(frozenset(when), frozenset(unless), status, why)


_F = Fact
_S = ClockStatus

#: How a clock's status follows from its facts: the first row that matches wins.
#: Every row that closes a clock comes before the first that leaves it open, and
#: the last row has no conditions. Both paths evaluate this table and only it:
#: :func:`status_of` (one clock) and :func:`status_codes` (columns).
STATUS_RULES: Final[tuple[StatusRule, ...]] = (
    _rule({_F.MET, _F.MET_IN_TIME}, (), _S.MET, "done by the due date"),
    _rule({_F.MET}, (), _S.MISSED, "done after the due date"),
    _rule(
        {_F.STOPPED, _F.STOPPED_AFTER_DUE, _F.WINDOW},
        {_F.HEARING_RUNNING},
        _S.LAPSED,
        "a window made moot only after it closed: it had lapsed",
    ),
    _rule(
        {_F.STOPPED, _F.STOPPED_AFTER_DUE},
        {_F.HEARING_RUNNING},
        _S.MISSED,
        "a duty made moot only after its due date: the breach came first",
    ),
    _rule({_F.STOPPED}, (), _S.STOPPED, "made moot (withdrawn, superseded) by its due date"),
    _rule({_F.WINDOW, _F.PAST_DUE}, {_F.HEARING_RUNNING}, _S.LAPSED, "a window closed unused"),
    _rule({_F.HEARING_RUNNING}, (), _S.PAUSED, "hearing time is not counted (Art. 36 ¶2)"),
    _rule({_F.PAST_DUE}, (), _S.OVERDUE, "a duty past its due date"),
    _rule({_F.DUE_SOON}, (), _S.DUE_SOON, "few working days left"),
    _rule((), (), _S.RUNNING, "otherwise"),
)

_Bits = tuple[tuple[int, int, ClockStatus], ...]
BIT: Final = {f: 1 << i for i, f in enumerate(Fact)}


def _bits(facts: Iterable[Fact]) -> int:
    return sum(BIT[f] for f in set(facts))


def _compile(rules: Iterable[StatusRule]) -> _Bits:
    """The rows as ``(required bits, forbidden bits, status)``."""
    return tuple((_bits(r.when), _bits(r.unless), r.status) for r in rules)


def _split(rules: tuple[StatusRule, ...]) -> int:
    """Where the rows that leave a clock open begin; checks the table's shape."""
    first_open = next((i for i, r in enumerate(rules) if r.status.is_open), len(rules))
    problems = []
    if any(not r.status.is_open for r in rules[first_open:]):
        problems.append("a closing row follows a row that leaves the clock open")
    if any((r.when | r.unless) & CALENDAR_FACTS for r in rules[:first_open]):
        problems.append("a closing row tests a fact that needs the calendar")
    if not rules or rules[-1].when or rules[-1].unless:
        problems.append("the last row must have no conditions")
    if problems:
        raise XinfangError("; ".join(problems), path="STATUS_RULES", rule="status rule table")
    return first_open


_FIRST_OPEN: Final = _split(STATUS_RULES)
#: The rows that close a clock, and those that leave it open (the last one: the default).
CLOSING_RULES: Final = STATUS_RULES[:_FIRST_OPEN]
OPEN_RULES: Final = STATUS_RULES[_FIRST_OPEN:]
CLOSING_BITS: Final = _compile(CLOSING_RULES)
OPEN_BITS: Final = _compile(OPEN_RULES[:-1])
OTHERWISE: Final = STATUS_RULES[-1].status


def first_match(facts: int, rows: _Bits) -> ClockStatus | None:
    """The scalar evaluator: the status of the first row whose facts hold."""
    for need, forbid, status in rows:
        if facts & need == need and not facts & forbid:
            return status
    return None


def status_of(facts: Collection[Fact], rules: Sequence[StatusRule] = STATUS_RULES) -> ClockStatus:
    """The status of a clock with exactly ``facts``: the first row of ``rules`` that matches.

    The per-case :func:`clocks` evaluates :data:`STATUS_RULES` this way (on
    bit sets, asking :data:`CALENDAR_FACTS` only of clocks still open).
    Raises :class:`~xinfang.XinfangError` when no row matches (never for
    :data:`STATUS_RULES`, whose last row has no conditions).
    """
    found = first_match(_bits(facts), _compile(rules))
    if found is None:
        raise XinfangError(
            f"no status rule matches the facts {sorted(f.value for f in facts)}",
            path="rules",
            rule="status rule table",
        )
    return found
