"""The journal store: cases as their events in SQLite or PostgreSQL.

See ``docs/store.md`` for the schema and the guarantees. In short: every
command is one transaction that appends one journal row and rewrites the
case's projection rows; the journal is append-only by the database's own
triggers; a stale ``expected_version`` or a lost race is a
:class:`ConcurrencyError`; an idempotency key is honoured once.
"""

from __future__ import annotations

import datetime as _dt
import functools
import json
import os
import re
import time
from collections.abc import Mapping
from types import MappingProxyType
from typing import IO, TYPE_CHECKING, Any, Final, NamedTuple, Protocol, TypeVar, overload

import attrs

from xinfang.calendar import china_mainland
from xinfang.campaign import Campaign, check_references
from xinfang.campaign import snapshot as campaign_snapshot
from xinfang.case import Case, replay
from xinfang.changes import Accept, Assign, Change, Event, Forward, Register
from xinfang.convert import SCHEMA_VERSION as DOCUMENT_VERSION
from xinfang.convert import structure, unstructure
from xinfang.deadlines import Clock, ClockStatus, clock_limit, clocks, limit_clock
from xinfang.errors import (
    CalendarRangeError,
    ConfidentialityError,
    InvalidDataError,
    MissingDependencyError,
    XinfangError,
    quoted,
)
from xinfang.instants import aware, in_range, local_day
from xinfang.procedure import apply as apply_change
from xinfang.responsibility import (
    DEFAULT_SCOPE,
    Interest,
    Organization,
    Visibility,
    redact,
    visibility,
)
from xinfang.rulebook import Limit, LimitKind, bundled_rulebook
from xinfang.serialization import line_problems, load_ledger, to_json
from xinfang.store._db import ALLOW_PRIVILEGED, Database, connect
from xinfang.store._errors import ConcurrencyError, StoreError, UnknownCaseError
from xinfang.store._schema import SCHEMA_VERSION

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Callable, Collection, Iterable, Iterator, Sequence

    from xinfang.calendar import WorkCalendar
    from xinfang.campaign import Snapshot
    from xinfang.responsibility import AccusedScope, RedactedCase
    from xinfang.rulebook import Rulebook

__all__ = [
    "BACK_OFFICE",
    "DEFAULT_URL",
    "MAX_ID_LENGTH",
    "CheckReport",
    "ImportResult",
    "Store",
    "ViewerStore",
    "app_role_sql",
    "init_store",
    "open_store",
    "retry",
]

T = TypeVar("T")

#: The store a host gets when it names none.
DEFAULT_URL: Final = "sqlite:///xinfang.db"

#: The most characters a case id, an idempotency key, an actor (``by``) or a
#: viewer may hold in the store, on every backend alike. Checked before any
#: SQL runs: PostgreSQL's indexes cannot hold much more (a 1,000,000-character
#: id failed there with a 1 MB message while SQLite took it).
MAX_ID_LENGTH: Final = 256

#: The public :class:`Store` names with no :class:`ViewerStore` counterpart, and why:
#: back-office work on the whole store, or plain facts about the connection.
BACK_OFFICE: Final[Mapping[str, str]] = MappingProxyType(
    {
        "calendar": "the calendar the projections are computed under (no case data)",
        "rulebook": "the rulebook the projections are computed under (no case data)",
        "close": "closes the connection",
        "schema_version": "the database's schema version (no case data)",
        "import_ledger": "back-office bulk load of whole cases",
        "rebuild": "back-office: recomputes every projection row",
        "check": "back-office: compares every projection row with the journal",
        "for_viewer": "makes the scoped view",
    }
)

#: A store migrated from below this schema version has its journal projected anew in the
#: migration's transaction: version 2 added the projection tables, version 3 the last
#: progress report's day (``xf_case.last_report_on``).
_PROJECTED_SINCE: Final = 3

#: Cases per transaction for bulk work (import, rebuild) and per page for reads.
BATCH: Final = 500

#: ``import_ledger(columnar=None)`` reads a ledger of at least this many lines
#: column-wise (with pyarrow installed): measured, a 480-case ledger imports
#: in about 0.25 s by the value path, and loading pyarrow takes 0.5-1 s.
_COLUMNAR_FROM: Final = 1000

_INSERT_EVENT: Final = (
    "INSERT INTO xf_journal (case_id, seq, at, actor, kind, payload) VALUES (?, ?, ?, ?, ?, ?)"
)
_CASE_COLUMNS: Final = (
    "case_id, version, stage, terminal, unit, receiving_unit, handling_unit, "
    "responsible_unit, category, route, settled, backlog, flags, received_on, "
    "last_event_on, clock_error, last_report_on"
)
#: The case row's column names, in order (``db check`` names the ones that differ).
_CASE_NAMES: Final = tuple(_CASE_COLUMNS.split(", "))
_UPSERT_CASE: Final = (
    f"INSERT INTO xf_case ({_CASE_COLUMNS}) VALUES "  # noqa: S608 - constant column list
    "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (case_id) DO UPDATE SET "
    "version = excluded.version, stage = excluded.stage, terminal = excluded.terminal, "
    "unit = excluded.unit, receiving_unit = excluded.receiving_unit, "
    "handling_unit = excluded.handling_unit, responsible_unit = excluded.responsible_unit, "
    "category = excluded.category, route = excluded.route, settled = excluded.settled, "
    "backlog = excluded.backlog, flags = excluded.flags, received_on = excluded.received_on, "
    "last_event_on = excluded.last_event_on, clock_error = excluded.clock_error, "
    "last_report_on = excluded.last_report_on"
)
_CLOCK_COLUMNS: Final = (
    "case_id, limit_key, started_on, nominal_on, due_on, paused, paused_days, "
    "extended_days, provisional"
)
_INSERT_CLOCK: Final = f"INSERT INTO xf_clock ({_CLOCK_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"  # noqa: S608


@attrs.frozen(kw_only=True)
class ImportResult:
    """What an import did: cases added whole, cases extended, cases already stored."""

    added: int
    extended: int
    unchanged: int
    events: int


@attrs.frozen(kw_only=True)
class CheckReport:
    """What :meth:`Store.check` found: the cases checked and every problem."""

    cases: int
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        """Whether the projections and the journal agree."""
        return not self.problems


class _Incoming(NamedTuple):
    """What an import writes for one case: rows with their parameters ready."""

    case_id: str
    #: The stored version the rows were made against (0: a new case).
    have: int
    events: list[tuple[Any, ...]]
    case_row: tuple[Any, ...]
    clocks: list[tuple[Any, ...]]


class _Ledger(Protocol):
    """A validated ledger, as an import reads it: ids, lines, values, new cases' rows."""

    @property
    def ids(self) -> Sequence[str]:
        """Each case's id, in ledger order."""
        ...

    @property
    def lines(self) -> Sequence[int]:
        """Each case's line number."""
        ...

    def case(self, k: int) -> Case:
        """Case ``k`` as a value."""
        ...

    def incoming(self, ks: Sequence[int]) -> list[_Incoming]:
        """The rows of cases ``ks``, none of them stored yet."""
        ...

    def reference_rows(self) -> Sequence[int]:
        """The cases that may name an id the organisation lacks (every other names none)."""
        ...


class _ValueLedger:
    """A ledger read by the value path (:func:`~xinfang.load_ledger`)."""

    __slots__ = ("_store", "cases", "ids", "lines")

    def __init__(self, store: Store, cases: list[Case], text: str) -> None:
        self._store = store
        self.cases = cases
        self.ids = [c.id for c in cases]
        self.lines = [
            n for n, line in enumerate(text.split("\n"), start=1) if line and not line.isspace()
        ]

    def case(self, k: int) -> Case:
        return self.cases[k]

    def incoming(self, ks: Sequence[int]) -> list[_Incoming]:
        return [self._store._incoming(self.cases[k], 0) for k in ks]

    def reference_rows(self) -> Sequence[int]:
        return range(len(self.cases))  # check_references finds its suspects column-wise itself


#: The payload encoder (an immutable configuration, made once).
_ENCODER: Final = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
_dumps: Final = _ENCODER.encode


#: What may be text a database cannot store, in a payload written by :data:`_dumps`
#: or in ledger text: a NUL (escaped by JSON, or raw) or a surrogate (raw, or
#: escaped). A false alarm (a valid escaped pair, a backslash before "u0000")
#: costs a walk of the parsed value, which decides.
_SUSPECT: Final = re.compile(r"\\u0000|\\u[dD][89a-fA-F]|[\x00\ud800-\udfff]")
#: Its escaped part alone (a quick scan: a literal prefix).
_ESCAPED: Final = re.compile(r"\\u(?:0000|[dD][89a-fA-F])")

#: The rule a text field breaks when a store cannot keep it.
_STORABLE: Final = (
    "a store keeps only text every backend can store (valid Unicode without NUL: "
    "PostgreSQL refuses U+0000, and no database can encode a lone surrogate)"
)


def _text_problem(text: str) -> str | None:
    """Why a database cannot store ``text`` (``None``: it can)."""
    if "\x00" in text:
        return f"holds a NUL character (U+0000): {_STORABLE}"
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as exc:
            code = ord(text[exc.start])
            return f"holds a lone surrogate (U+{code:04X}), which is not Unicode text: {_STORABLE}"
    return None


def _unstorable(value: Any, path: str) -> Iterator[tuple[str, str]]:
    """Every text in plain data ``value`` (dicts, lists, strings) a database cannot store.

    Paths read ``change.claims[0].facts`` below ``path`` (keys included).
    """
    if isinstance(value, str):
        problem = _text_problem(value)
        if problem is not None:
            yield path or "$", problem
    elif isinstance(value, dict):
        for key, item in value.items():
            here = f"{path}.{key}" if path else str(key)
            if isinstance(key, str) and (problem := _text_problem(key)) is not None:
                yield f"{here} (the key)", problem
            yield from _unstorable(item, here)
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            yield from _unstorable(item, f"{path}[{i}]")


def _refuse_unstorable(what: str, fields: Iterable[tuple[str, str | None]]) -> None:
    """An :class:`InvalidDataError` naming each field whose text no database can store."""
    problems = [
        (path, problem)
        for path, text in fields
        if text is not None and (problem := _text_problem(text)) is not None
    ]
    if problems:
        raise InvalidDataError(problems, source=what)


def _key_arg(value: object, name: str, what: str) -> str:
    """``value`` if it is text of at most :data:`MAX_ID_LENGTH` characters, else an error."""
    if not isinstance(value, str):
        raise InvalidDataError(
            [(name, f"expected text, got {type(value).__name__} {quoted(value)}")], source=what
        )
    if len(value) > MAX_ID_LENGTH:
        raise InvalidDataError(
            [
                (
                    name,
                    (
                        f"{len(value):,} characters, more than the {MAX_ID_LENGTH} an id or key "
                        f"may hold in a store: {quoted(value)}"
                    ),
                )
            ],
            source=what,
        )
    return value


def _kinds_arg(kinds: Collection[LimitKind] | None, what: str) -> frozenset[LimitKind] | None:
    """The clock kinds asked for (``None``: every kind); anything but kinds is refused."""
    if kinds is None:
        return None
    found = frozenset(kinds) if not isinstance(kinds, str | bytes) else frozenset({kinds})
    bad = [k for k in found if not isinstance(k, LimitKind) or k is LimitKind.CAP]
    if bad:
        raise InvalidDataError(
            [("kinds", f"expected clock kinds (LimitKind), got {quoted(bad[0])}")], source=what
        )
    return found


def _int_arg(value: object, name: str, what: str, *, optional: bool = False) -> int | None:
    """``value`` if it is a whole number of 0 or more (or ``None`` when ``optional``)."""
    if value is None and optional:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        got = type(value).__name__
        raise InvalidDataError(
            [(name, f"expected a whole number of 0 or more, got {got} {quoted(value)}")],
            source=what,
        )
    return value


def _change_arg(value: object, what: str) -> Change:
    """``value`` if it is a change (``Accept()``, ...), else an error naming ``change``."""
    if not isinstance(value, Change):
        raise InvalidDataError(
            [
                (
                    "change",
                    (
                        f"expected a change value (e.g. xinfang.Accept()), got "
                        f"{type(value).__name__} {quoted(value)}; read a dict with "
                        "xinfang.from_dict(data, Change)"
                    ),
                )
            ],
            source=what,
        )
    return value


def _command_args(
    what: str,
    *,
    by: object,
    key: object,
    org: object = None,
    related: object = None,
    interests: object = (),
) -> tuple[Interest, ...]:
    """Check a command's common arguments; the interests as a tuple."""
    _key_arg(by, "by", what)
    if key is not None:
        _key_arg(key, "idempotency_key", what)
    if org is not None and not isinstance(org, Organization):
        raise InvalidDataError(
            [("org", f"expected an Organization, got {type(org).__name__} {quoted(org)}")],
            source=what,
        )
    if related is not None and not isinstance(related, dict | Mapping):
        raise InvalidDataError(
            [("related", f"expected a mapping of case id to Case, got {type(related).__name__}")],
            source=what,
        )
    return _interests_arg(interests, what)


def _interests_arg(interests: object, what: str) -> tuple[Interest, ...]:
    if isinstance(interests, str | bytes | dict) or not hasattr(interests, "__iter__"):
        raise InvalidDataError(
            [("interests", f"expected Interest values, got {type(interests).__name__}")],
            source=what,
        )
    found = tuple(interests)
    for i, item in enumerate(found):
        if not isinstance(item, Interest):
            raise InvalidDataError(
                [(f"interests[{i}]", f"expected an Interest, got {type(item).__name__}")],
                source=what,
            )
    return found


def _unstorable_lines(text: str, *, raw: bool) -> list[tuple[str, str]]:
    """The ledger lines holding text no database can store: ``line 12 (case ..): $.events..``.

    A quick look for escaped NULs and surrogates and raw NULs first (and for
    raw surrogates with ``raw``: only a ``str`` given by the caller can hold
    them, and the columnar reader, which encodes the text, refuses them);
    then only the lines :data:`_SUSPECT` marks are parsed. A line that is not
    JSON is left to the ledger's reader, which reports it.
    """
    suspect = "\x00" in text or ("\\u" in text and _ESCAPED.search(text) is not None)
    if not suspect and raw:
        try:
            text.encode("utf-8")  # quicker than a regular expression
        except UnicodeEncodeError:
            suspect = True
    if not suspect:
        return []
    problems: list[tuple[str, str]] = []
    for number, line in enumerate(text.split("\n"), start=1):
        if not _SUSPECT.search(line):
            continue
        try:
            doc = json.loads(line)
        except (ValueError, RecursionError):
            continue
        found = list(_unstorable(doc, "$"))
        if found:
            problems += line_problems(number, line, found)
    return problems


_SECRECY: Final = "信访工作条例 (2022) 第三十条第三款"
#: The journal row of the one-event case a view reads and judges for a missing id
#: (see :meth:`ViewerStore._judge`).
_DECOY: Final = (
    '{"seq": 1, "at": "2026-01-05T09:00:00+08:00", "by": "decoy", "change": {"kind": '
    '"registered", "case_id": "decoy", "received_at": "2026-01-05T09:00:00+08:00", '
    '"channel": "letter", "receiving_unit": "decoy", "petitioners": [{"name": "decoy"}], '
    '"claims": [{"request": "decoy"}]}}'
)


def _taken(case_id: str) -> XinfangError:
    """The one answer of a view to a registration whose id is taken, seen or not."""
    return XinfangError(
        f"case {case_id}: this case id is taken (whether or not you may see that case); "
        "register the case under a new id",
        path="change.case_id",
        rule="a case id names one case",
    )


def _unknown(case_id: str) -> UnknownCaseError:
    """The one answer for a case that is not stored, or that the viewer may not see."""
    return UnknownCaseError(f"no case {case_id} in the store", path="case_id")


def _only_full(seen: Visibility, case_id: str, action: str) -> None:
    """Refuse anything but a case seen in full: hidden as missing, redacted by rule."""
    if seen is Visibility.NONE:
        raise _unknown(case_id)
    if seen is Visibility.REDACTED:
        raise ConfidentialityError(
            f"case {case_id}: you may see only that this case exists; you may not {action} it",
            path="case_id",
            rule=_SECRECY,
        )


def _case_of(payloads: list[Any], *, source: str = "journal") -> Case:
    case: Case = structure(
        {"schema_version": DOCUMENT_VERSION, "events": payloads}, Case, source=source
    )
    return case


def retry(fn: Callable[[], T], *, attempts: int = 5, delay: float = 0.0) -> T:
    """Call ``fn`` until it does not raise :class:`ConcurrencyError`, at most ``attempts`` times.

    ``fn`` must re-read what it decides on (the case, its version) on every
    call: that is what makes the retry correct. ``delay`` seconds (doubled
    each time) are slept between attempts. The last conflict is re-raised.
    """
    for attempt in range(attempts):
        try:
            return fn()
        except ConcurrencyError:
            if attempt + 1 >= attempts:
                raise
            if delay:
                time.sleep(delay * (2**attempt))
    raise ValueError("retry needs attempts >= 1")


class Store:
    """Cases kept as their events in a database (see :func:`open_store`): **unscoped**.

    Every read and command here sees every case, accusations included: this
    is the store for trusted back-office code (imports, rebuilds, checks,
    nightly jobs that publish nothing case by case). Whatever answers an
    official goes through :meth:`for_viewer`, which applies the
    confidentiality rule (信访工作条例 Art. 30 ¶3) to every read and command.

    One ``Store`` holds one connection: use it from one thread; give each
    process and thread its own. Close it (or use it as a context manager).
    ``rulebook`` and ``calendar`` are the defaults for commands and the ones
    the clock projections are computed under.
    """

    def __init__(
        self,
        db: Database,
        *,
        rulebook: Rulebook | None = None,
        calendar: WorkCalendar | None = None,
    ) -> None:
        self._db = db
        self.rulebook: Rulebook = rulebook if rulebook is not None else bundled_rulebook()
        self.calendar: WorkCalendar = calendar if calendar is not None else china_mainland()

    # ------------------------------------------------------------ basics
    @property
    def url(self) -> str:
        """The store's URL (without a password)."""
        return self._db.url

    @property
    def dialect(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return self._db.dialect

    def close(self) -> None:
        """Close the connection."""
        self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def schema_version(self) -> int:
        """The schema version of the database."""
        return self._db.schema_version()

    def for_viewer(
        self,
        viewer: str,
        org: Organization,
        *,
        interests: Iterable[Interest] = (),
        scope: AccusedScope | None = None,
    ) -> ViewerStore:
        """What official ``viewer`` of ``org`` may see and do here: a :class:`ViewerStore`.

        Every read and command of the view applies :func:`xinfang.visibility`;
        a case the viewer may not see is, to the view, a case that does not
        exist. The view shares this store's connection.
        """
        return ViewerStore(self, viewer, org, interests=interests, scope=scope)

    def version(self, case_id: str) -> int:
        """The case's version (its number of events); 0 when it is not stored."""
        _key_arg(case_id, "case_id", "Store.version")
        row = self._db.one("SELECT version FROM xf_case WHERE case_id = ?", (case_id,))
        return int(row[0]) if row else 0

    def count(self) -> int:
        """The number of cases stored (every case: see :meth:`for_viewer`)."""
        row = self._db.one("SELECT COUNT(*) FROM xf_case")
        return int(row[0]) if row else 0

    # ------------------------------------------------------------ commands
    def register(
        self,
        change: Register,
        at: _dt.datetime,
        *,
        by: str = "system",
        idempotency_key: str | None = None,
    ) -> tuple[Case, Event]:
        """Register a new case (its id must be new): the case and its first event.

        A second registration of the same id is a :class:`ConcurrencyError`
        (expected version 0); a repeated ``idempotency_key`` returns the first
        result and writes nothing. Arguments are checked before any SQL: a
        wrong type, an id, key or actor longer than :data:`MAX_ID_LENGTH`,
        an ``at`` outside 1949-10-01..2199-12-31 (:mod:`xinfang.instants`)
        is an :class:`~xinfang.InvalidDataError` naming the argument.
        """
        return self._register(change, at, by=by, idempotency_key=idempotency_key, gate=None)

    def _register(
        self,
        change: Register,
        at: _dt.datetime,
        *,
        by: str,
        idempotency_key: str | None,
        gate: Callable[[Case | None], Visibility] | None,
    ) -> tuple[Case, Event]:
        """:meth:`register`; with ``gate`` (a view's), as the viewer may do it."""
        what = "Store.register"
        if not isinstance(change, Register):
            raise InvalidDataError(
                [
                    (
                        "change",
                        f"expected a Register, got {type(change).__name__} {quoted(change)}",
                    )
                ],
                source=what,
            )
        case_id = _key_arg(change.case_id, "change.case_id", what)
        _command_args(what, by=by, key=idempotency_key)
        at = aware(at)

        _refuse_unstorable(
            f"registering case {case_id}",
            (("change.case_id", case_id), ("by", by), ("idempotency_key", idempotency_key)),
        )

        def run() -> tuple[Case, Event]:
            if idempotency_key is not None:
                found = self._idempotent(idempotency_key, case_id, change, gate)
                if found is not None:
                    return found
            row = self._db.lock_case(case_id)
            if row is not None and idempotency_key is not None:
                # Another writer may have used the key and committed while this
                # one waited (PostgreSQL): its result is this command's result.
                found = self._idempotent(idempotency_key, case_id, change, gate)
                if found is not None:
                    return found
            if row is not None:
                if gate is not None:
                    raise _taken(case_id)
                raise ConcurrencyError(
                    case_id, expected=0, actual=int(row[0]), detail="already registered"
                )
            case, event = apply_change(None, change, at, by=by)
            if gate is not None and gate(case) is Visibility.NONE:
                raise ConfidentialityError(
                    f"case {case_id}: {by} may not see this case once registered (an official "
                    "of the accused unit, or one who must step aside): register it as another "
                    "official",
                    path="by",
                    rule="信访工作条例 (2022) 第三十条第三款",
                )
            self._record(case, event, idempotency_key)
            return case, event

        return self._db.write(
            f"registering case {case_id}",
            run,
            on_conflict=lambda exc: self._conflict(case_id, 0, idempotency_key, change, exc, gate),
        )

    def apply(
        self,
        case_id: str,
        change: Change,
        *,
        at: _dt.datetime,
        by: str = "system",
        expected_version: int | None = None,
        idempotency_key: str | None = None,
        org: Organization | None = None,
        rulebook: Rulebook | None = None,
        calendar: WorkCalendar | None = None,
        related: Mapping[str, Case] | None = None,
        interests: Iterable[Interest] = (),
        scope: AccusedScope | None = None,
    ) -> tuple[Case, Event]:
        """Apply a command to a stored case in one transaction: the new case and the event.

        Loads the case, runs :func:`xinfang.apply` (every check: windows, the
        extension cap, finality, recusal, confidentiality), then appends the
        event and rewrites the case's projections, all in one transaction.
        ``expected_version`` (the version the caller read) must match or a
        :class:`ConcurrencyError` names the case and both versions; ``None``
        applies to the current version. A repeated ``idempotency_key``
        returns the first result and writes nothing. For the finality check
        of a repeat petition, the earlier cases are read from the store
        unless ``related`` is given. A refused command writes nothing.
        Arguments are checked before any SQL as :meth:`register` says
        (``expected_version`` a whole number of 0 or more, ``change`` a
        change value, not a dict). With ``org``, a command recorded ``by``
        someone :func:`xinfang.visibility` keeps out of the case entirely
        (the accused, an official of the accused unit, one who must step
        aside) is refused with the :class:`UnknownCaseError` of a missing
        case, even here; :meth:`for_viewer` scopes everything else.
        """
        return self._apply(
            case_id,
            change,
            at=at,
            by=by,
            expected_version=expected_version,
            idempotency_key=idempotency_key,
            org=org,
            rulebook=rulebook,
            calendar=calendar,
            related=related,
            interests=interests,
            scope=scope,
            gate=None,
        )

    def _apply(
        self,
        case_id: str,
        change: Change,
        *,
        at: _dt.datetime,
        by: str,
        expected_version: int | None,
        idempotency_key: str | None,
        org: Organization | None,
        rulebook: Rulebook | None,
        calendar: WorkCalendar | None,
        related: Mapping[str, Case] | None,
        interests: Iterable[Interest],
        scope: AccusedScope | None,
        gate: Callable[[Case | None], Visibility] | None,
    ) -> tuple[Case, Event]:
        """:meth:`apply`; with ``gate`` (a view's), only on a case the viewer sees in full."""
        what = "Store.apply"
        _key_arg(case_id, "case_id", what)
        change = _change_arg(change, what)
        _int_arg(expected_version, "expected_version", what, optional=True)
        interests = _command_args(
            what, by=by, key=idempotency_key, org=org, related=related, interests=interests
        )
        if isinstance(change, Register):
            raise XinfangError(
                f"case {case_id}: a registration opens a case; use Store.register",
                path="change",
                rule="store commands",
            )
        at = aware(at)
        _refuse_unstorable(
            f"appending {change.kind} to case {case_id}",
            (("case_id", case_id), ("by", by), ("idempotency_key", idempotency_key)),
        )

        def run() -> tuple[Case, Event]:
            if idempotency_key is not None and gate is None:
                found = self._idempotent(idempotency_key, case_id, change, gate)
                if found is not None:
                    return found
            row = self._db.lock_case(case_id)
            if row is None:
                if gate is not None:
                    gate(None)  # a view spends on a missing case what a hidden one costs
                raise UnknownCaseError(f"no case {case_id} in the store", path="case_id")
            loaded = None
            if gate is not None:  # the viewer must see the case in full before anything else
                loaded = self._load(case_id)
                _only_full(gate(loaded), case_id, "act on")
            elif org is not None:
                # Even unscoped: a command recorded by someone the rule keeps out of
                # the case (the accused, the accused unit, one who must step aside)
                # is refused as for a missing case, before its key or version is read
                # (Art. 30 ¶3, Art. 28 ¶3).
                loaded = self._load(case_id)
                seen = visibility(
                    by, loaded, org, interests=interests, scope=scope or DEFAULT_SCOPE
                )
                if seen is Visibility.NONE:
                    raise _unknown(case_id)
            if idempotency_key is not None:
                # Read again under the case lock: on PostgreSQL an identical
                # command may have committed while this one waited for the lock.
                found = self._idempotent(idempotency_key, case_id, change, gate)
                if found is not None:
                    return found
            version = int(row[0])
            if expected_version is not None and expected_version != version:
                raise ConcurrencyError(case_id, expected=expected_version, actual=version)
            case = loaded if loaded is not None else self._load(case_id)
            rel = related
            if rel is None and isinstance(change, Accept | Forward | Assign) and case.repeat_of:
                rel = self._related(case.repeat_of)
            new, event = apply_change(
                case,
                change,
                at,
                by=by,
                rulebook=rulebook if rulebook is not None else self.rulebook,
                calendar=calendar if calendar is not None else self.calendar,
                related=rel,
                org=org,
                interests=interests,
                scope=scope,
            )
            self._record(new, event, idempotency_key)
            return new, event

        seen = expected_version
        return self._db.write(
            f"appending {change.kind} to case {case_id}",
            run,
            on_conflict=lambda exc: self._conflict(
                case_id, seen, idempotency_key, change, exc, gate
            ),
        )

    def _conflict(  # noqa: PLR0917 - private, called in two places
        self,
        case_id: str,
        expected: int | None,
        key: str | None,
        change: Change,
        exc: BaseException,
        gate: Callable[[Case | None], Visibility] | None = None,
    ) -> tuple[Case, Event]:
        """After a unique violation: the first result of a raced key, or the conflict."""
        if key is not None:
            found = self._idempotent(key, case_id, change, gate)
            if found is not None:
                return found
        if gate is not None and expected == 0 and isinstance(change, Register):
            raise _taken(case_id) from exc
        actual = self.version(case_id)
        raise ConcurrencyError(
            case_id,
            expected=expected if expected is not None else max(actual - 1, 0),
            actual=actual,
            detail="another writer appended first",
        ) from exc

    def _idempotent(
        self,
        key: str,
        case_id: str,
        change: Change,
        gate: Callable[[Case | None], Visibility] | None = None,
    ) -> tuple[Case, Event] | None:
        """The first result of ``key``, or ``None`` when it is new.

        The error for a key first used otherwise names neither that case nor
        its event (it may be a case the caller may not know of). Through a
        view (``gate``), a key whose case the viewer may not see now is
        refused as a registration of a taken id is (registrations), or as a
        key used otherwise (other commands, whose case the view has checked).
        """
        row = self._db.one("SELECT case_id, seq FROM xf_idempotency WHERE key = ?", (key,))
        if row is None:
            return None
        stored_case, seq = str(row[0]), int(row[1])
        events = self._events(stored_case)
        first = events[seq - 1]
        if stored_case != case_id or first.change != change:
            raise XinfangError(
                f"idempotency key {quoted(key)} was first used for a different command",
                path="idempotency_key",
                rule="an idempotency key names one command",
            )
        if gate is not None and gate(replay(events)) is Visibility.NONE:
            raise _taken(case_id)
        return replay(events[:seq]), first

    def _related(self, ids: Iterable[str]) -> dict[str, Case]:
        out = {}
        for cid in ids:
            payloads = self._payloads(cid)
            if payloads:
                out[cid] = _case_of(payloads)
        return out

    def _record(self, case: Case, event: Event, key: str | None) -> None:
        """Append ``event`` and rewrite ``case``'s projections (inside a write)."""
        db = self._db
        db.statement(_INSERT_EVENT, self._journal_row(case.id, event))
        self._project([case])
        if key is not None:
            db.statement(
                "INSERT INTO xf_idempotency (key, case_id, seq) VALUES (?, ?, ?)",
                (key, case.id, event.seq),
            )

    def _journal_row(self, case_id: str, event: Event, *, check: bool = True) -> tuple[Any, ...]:
        """The journal row of ``event`` (:data:`_INSERT_EVENT`'s parameters).

        With ``check`` (an import checks its ledger's text beforehand), text
        no database can store is an :class:`~xinfang.InvalidDataError` naming
        the field.
        """
        doc = unstructure(event, reveal_personal_data=True)
        payload = _dumps(doc)
        if check and _SUSPECT.search(payload):  # rare: find the field (or a false alarm)
            problems = list(_unstorable(doc, ""))
            if problems:
                raise InvalidDataError(problems, source=f"event {event.seq} of case {case_id}")
        return (case_id, event.seq, self._db.param_instant(event.at), event.by, event.kind, payload)

    # ------------------------------------------------------------ projections
    def _rows(self, case: Case) -> tuple[tuple[Any, ...], list[tuple[Any, ...]]]:
        """The case row and clock rows of ``case`` (plain Python values)."""
        last = case.on.last_event or case.on.received
        error = None
        open_clocks: list[Clock] = []
        try:
            found = clocks(case, as_of=last, rulebook=self.rulebook, calendar=self.calendar)
            open_clocks = [c for c in found if c.status.is_open]
        except CalendarRangeError as exc:
            error = str(exc)[:500]
        row = (
            case.id,
            len(case.events),
            case.stage.value,
            case.is_terminal,
            case.responsible_unit or case.handling_unit or case.receiving_unit,
            case.receiving_unit,
            case.handling_unit,
            case.responsible_unit,
            case.category.value if case.category else None,
            case.route.value if case.route else None,
            case.settled,
            case.is_backlog,
            ",".join(code for code, _ in case.flags),
            case.on.received,
            last,
            error,
            case.on.progress_reported,
        )
        clock_rows = [
            (
                case.id,
                c.key,
                c.started_on,
                c.nominal,
                c.due,
                c.status is ClockStatus.PAUSED,
                c.paused_days,
                c.extended_days,
                c.provisional,
            )
            for c in open_clocks
        ]
        return row, clock_rows

    def _param_rows(self, case: Case) -> tuple[tuple[Any, ...], list[tuple[Any, ...]]]:
        """:meth:`_rows` with the dates as this dialect's parameters."""
        d = self._db.param_date
        row, crows = self._rows(case)
        return (
            (*row[:13], d(row[13]), d(row[14]), row[15], None if row[16] is None else d(row[16])),
            [(*r[:2], d(r[2]), d(r[3]), d(r[4]), *r[5:]) for r in crows],
        )

    def _project(self, cases: Iterable[Case]) -> None:
        """Rewrite the projection rows of ``cases`` (inside a write; ids in sorted order)."""
        db = self._db
        case_rows = []
        clock_rows: list[tuple[Any, ...]] = []
        ids = []
        for case in sorted(cases, key=lambda c: c.id):
            row, crows = self._param_rows(case)
            case_rows.append(row)
            clock_rows += crows
            ids.append((case.id,))
        db.many(_UPSERT_CASE, case_rows)
        db.many("DELETE FROM xf_clock WHERE case_id = ?", ids)
        db.many(_INSERT_CLOCK, clock_rows)

    def rebuild(self) -> int:
        """Recompute every projection row from the journal; the number of cases.

        Each batch of cases is read and rewritten in one transaction, its case
        rows locked first (in case id order, on PostgreSQL), so a command
        running meanwhile is either read here or waits and projects itself.
        """
        return self._project_batches(
            lambda last: self._db.write(
                "rebuilding projections", functools.partial(self._rebuild_batch, last, BATCH)
            )
        )

    @staticmethod
    def _project_batches(step: Callable[[str], list[str]]) -> int:
        """Run ``step(last id)`` until it projects no more cases; how many it projected."""
        total = 0
        last = ""
        while done := step(last):
            total += len(done)
            last = done[-1]
        return total

    def _rebuild_batch(self, after: str, batch: int) -> list[str]:
        """Project the next ``batch`` cases after id ``after`` (inside a write); their ids."""
        db = self._db
        ids = [
            str(r[0])
            for r in db.run(
                "SELECT DISTINCT case_id FROM xf_journal WHERE case_id > ? "
                "ORDER BY case_id LIMIT ?",
                (after, batch),
            )
        ]
        if not ids:
            return ids
        db.lock_cases(ids)
        marks = ",".join("?" * len(ids))
        payloads: dict[str, list[Any]] = {}
        for cid, payload in db.run(
            f"SELECT case_id, payload FROM xf_journal WHERE case_id IN ({marks}) "  # noqa: S608
            "ORDER BY case_id, seq",
            ids,
        ):
            payloads.setdefault(str(cid), []).append(db.payload(payload))
        self._project([_case_of(p) for p in payloads.values()])
        return ids

    def _project_journal(self) -> int:
        """Project every case of the journal (inside a write: the migration's); the number."""
        return self._project_batches(lambda last: self._rebuild_batch(last, BATCH))

    def _after_migration(self, found: int) -> None:
        """Inside the migration's transaction: project a journal from before the projections."""
        if 0 < found < _PROJECTED_SINCE:
            self._project_journal()

    def check(self) -> CheckReport:
        """Compare every projection row with a recomputation from the journal."""
        db = self._db
        problems: list[str] = []
        total = 0
        for batch in self._journal_pages():
            ids = [cid for cid, _ in batch]
            stored = self._stored_rows(ids)
            for cid, payloads in batch:
                total += 1
                try:
                    case = _case_of(payloads)
                except XinfangError as exc:
                    problems.append(f"case {cid}: the journal does not replay: {exc}")
                    continue
                row, crows = self._rows(case)
                got_row, got_clocks = stored.get(cid, (None, []))
                if not got_row:
                    problems.append(f"case {cid}: case row missing != recomputed {row}")
                elif got_row != row:
                    differ = "; ".join(
                        f"{name} {got!r} != recomputed {want!r}"
                        for name, got, want in zip(_CASE_NAMES, got_row, row, strict=True)
                        if got != want
                    )
                    problems.append(f"case {cid}: case row {differ}")
                if sorted(got_clocks) != sorted(crows):
                    problems.append(f"case {cid}: clock rows {got_clocks} != recomputed {crows}")
        orphans = db.run(
            "SELECT c.case_id FROM xf_case c WHERE NOT EXISTS "
            "(SELECT 1 FROM xf_journal j WHERE j.case_id = c.case_id)"
        )
        problems += [f"case {r[0]}: a case row without journal rows" for r in orphans]
        return CheckReport(cases=total, problems=tuple(problems))

    def _stored_rows(
        self, ids: list[str]
    ) -> dict[str, tuple[tuple[Any, ...], list[tuple[Any, ...]]]]:
        db = self._db
        marks = ",".join("?" * len(ids))
        out: dict[str, tuple[tuple[Any, ...], list[tuple[Any, ...]]]] = {}
        for r in db.run(
            f"SELECT {_CASE_COLUMNS} FROM xf_case WHERE case_id IN ({marks})",  # noqa: S608
            ids,
        ):
            row = (
                r[0],
                int(r[1]),
                r[2],
                bool(r[3]),
                *r[4:10],
                bool(r[10]),
                bool(r[11]),
                r[12],
                db.date(r[13]),
                db.date(r[14]),
                r[15],
                None if r[16] is None else db.date(r[16]),
            )
            out[r[0]] = (row, [])
        for r in db.run(
            f"SELECT {_CLOCK_COLUMNS} FROM xf_clock WHERE case_id IN ({marks})",  # noqa: S608
            ids,
        ):
            clock = (
                r[0],
                r[1],
                db.date(r[2]),
                db.date(r[3]),
                db.date(r[4]),
                bool(r[5]),
                int(r[6]),
                int(r[7]),
                bool(r[8]),
            )
            out.setdefault(r[0], ((), []))[1].append(clock)
        return out

    # ------------------------------------------------------------ reads
    def _payloads(self, case_id: str) -> list[Any]:
        db = self._db
        rows = db.run("SELECT payload FROM xf_journal WHERE case_id = ? ORDER BY seq", (case_id,))
        return [db.payload(r[0]) for r in rows]

    def _payloads_of(self, ids: Sequence[str]) -> dict[str, list[Any]]:
        """The journal payloads of cases ``ids`` (one query), by case id."""
        db = self._db
        marks = ",".join("?" * len(ids))
        out: dict[str, list[Any]] = {}
        for cid, payload in db.run(
            f"SELECT case_id, payload FROM xf_journal WHERE case_id IN ({marks}) "  # noqa: S608
            "ORDER BY case_id, seq",
            list(ids),
        ):
            out.setdefault(str(cid), []).append(db.payload(payload))
        return out

    def _load(self, case_id: str) -> Case:
        payloads = self._payloads(case_id)
        if not payloads:
            raise UnknownCaseError(f"no case {case_id} in the store", path="case_id")
        return _case_of(payloads, source=f"journal of case {case_id}")

    def _events(self, case_id: str) -> tuple[Event, ...]:
        return tuple(structure(p, Event) for p in self._payloads(case_id))

    def events(self, case_id: str) -> tuple[Event, ...]:
        """The case's events in order (:class:`UnknownCaseError` if it is not stored)."""
        _key_arg(case_id, "case_id", "Store.events")
        found = self._events(case_id)
        if not found:
            raise UnknownCaseError(f"no case {case_id} in the store", path="case_id")
        return found

    @overload
    def case(
        self,
        case_id: str,
        *,
        as_of: _dt.date | None = None,
        viewer: None = None,
        org: Organization | None = None,
        interests: Iterable[Interest] = (),
        scope: AccusedScope | None = None,
    ) -> Case: ...

    @overload
    def case(
        self,
        case_id: str,
        *,
        as_of: _dt.date | None = None,
        viewer: str,
        org: Organization,
        interests: Iterable[Interest] = (),
        scope: AccusedScope | None = None,
    ) -> Case | RedactedCase: ...

    def case(
        self,
        case_id: str,
        *,
        as_of: _dt.date | None = None,
        viewer: str | None = None,
        org: Organization | None = None,
        interests: Iterable[Interest] = (),
        scope: AccusedScope | None = None,
    ) -> Case | RedactedCase:
        """The case, replayed from its events; as it stood at ``as_of`` if given.

        ``as_of`` is an aware instant (events after it are left out) or a
        date (events after that local day are left out). With ``viewer`` (an
        official's id) and ``org``, the answer is what
        :func:`xinfang.visibility` allows on the case as it stands now (also
        when ``as_of`` asks for the past): the case, its redacted form, or
        :class:`UnknownCaseError` exactly as for a case that does not exist,
        whatever ``as_of`` is (so the accused cannot learn of an accusation,
        nor of when it was made).
        """
        _key_arg(case_id, "case_id", "Store.case")
        if viewer is not None:
            _key_arg(viewer, "viewer", "Store.case")
        if viewer is not None and org is None:
            raise XinfangError(
                "a viewer needs the organisation (org=) to decide what they may see",
                path="org",
                rule="信访工作条例 (2022) 第三十条第三款",
            )
        if org is not None and not isinstance(org, Organization):
            raise InvalidDataError(
                [("org", f"expected an Organization, got {type(org).__name__} {quoted(org)}")],
                source="Store.case",
            )
        if as_of is not None and not isinstance(as_of, _dt.date):
            raise InvalidDataError(
                [("as_of", f"expected a date or an aware datetime, got {type(as_of).__name__}")],
                source="Store.case",
            )
        case = self._load(case_id)
        seen = Visibility.FULL
        if viewer is not None and org is not None:
            # Judged on the case as it stands now: a case categorised as an
            # accusation later is hidden from the accused in every past too.
            seen = visibility(
                viewer,
                case,
                org,
                interests=tuple(interests),
                scope=scope if scope is not None else DEFAULT_SCOPE,
            )
            if seen is Visibility.NONE:
                raise UnknownCaseError(f"no case {case_id} in the store", path="case_id")
        if as_of is not None:
            if isinstance(as_of, _dt.datetime):
                cut = aware(as_of, "as_of")
                kept = [e for e in case.events if e.at <= cut]
            else:
                kept = [e for e in case.events if local_day(e.at) <= as_of]
            if not kept:
                raise UnknownCaseError(
                    f"case {case_id} was not yet registered as of {as_of.isoformat()}",
                    path="as_of",
                )
            if len(kept) < len(case.events):
                case = replay(kept)
        if seen is Visibility.REDACTED:
            return redact(case)
        return case

    def _journal_pages(self, batch: int = BATCH) -> Iterator[list[tuple[str, list[Any]]]]:
        """Whole cases from the journal, ``batch`` at a time, in case id order."""
        db = self._db
        last = ""
        while True:
            rows = db.run(
                "SELECT case_id, payload FROM xf_journal WHERE case_id IN "
                "(SELECT DISTINCT case_id FROM xf_journal WHERE case_id > ? "
                "ORDER BY case_id LIMIT ?) ORDER BY case_id, seq",
                (last, batch),
            )
            if not rows:
                return
            page: list[tuple[str, list[Any]]] = []
            for cid, payload in rows:
                if not page or page[-1][0] != cid:
                    page.append((cid, []))
                page[-1][1].append(db.payload(payload))
            yield page
            last = page[-1][0]

    def iter_cases(self, *, batch: int = BATCH) -> Iterator[Case]:
        """Every stored case, in id order, reading ``batch`` cases at a time (bounded memory)."""
        for page in self._journal_pages(batch):
            for cid, payloads in page:
                yield _case_of(payloads, source=f"journal of case {cid}")

    def case_ids(self) -> list[str]:
        """The ids of every stored case, sorted."""
        return [str(r[0]) for r in self._db.run("SELECT case_id FROM xf_case ORDER BY case_id")]

    def due(
        self,
        as_of: _dt.date,
        within: int = 5,
        *,
        overdue: bool = True,
        due_soon: int = 3,
        kinds: Collection[LimitKind] | None = None,
    ) -> tuple[Clock, ...]:
        """Open clocks with at most ``within`` working days left as of ``as_of``.

        With ``overdue`` (the default) clocks past their due date are
        included; without, only those due from ``as_of`` on. ``kinds``: only
        clocks of these kinds (e.g. ``{LimitKind.PLAN}``, the settlement plans'
        deadlines; default every kind, statutory and plan clocks together). The answer is
        what :func:`xinfang.clocks` gives on every stored case for the same
        date, under the store's rulebook and calendar, provided ``as_of`` is
        not before a case's last event (the projections describe each case
        as its journal stands). It reads the clock index (``due_on``) and
        replays only cases whose clock is paused by a running hearing or
        could not be projected. Sorted by due date, case and limit.
        """
        what = "Store.due"
        if not isinstance(as_of, _dt.date):
            raise InvalidDataError(
                [("as_of", f"expected a date, got {type(as_of).__name__} {quoted(as_of)}")],
                source=what,
            )
        in_range(as_of, "as_of")  # the one range of xinfang.instants, before any SQL
        _int_arg(within, "within", what)
        _int_arg(due_soon, "due_soon", what)
        wanted = _kinds_arg(kinds, what)
        db = self._db
        rb, cal = self.rulebook, self.calendar
        day = local_day(aware(as_of, "as_of")) if isinstance(as_of, _dt.datetime) else as_of
        hi = cal.add_working_days(day, within + 1)
        # A clock that starts after the day is not open on it: left out in SQL.
        # Each clock row with its case's last progress report (xf_case.last_report_on).
        listed = (
            f"SELECT {_CLOCK_COLUMNS}, last_report_on FROM xf_clock JOIN xf_case USING (case_id) "  # noqa: S608
        )
        if overdue:
            rows = db.run(
                f"{listed}WHERE due_on < ? AND started_on <= ?",
                (db.param_date(hi), db.param_date(day)),
            )
        else:
            rows = db.run(
                f"{listed}WHERE due_on >= ? AND due_on < ? AND started_on <= ?",
                (db.param_date(day), db.param_date(hi), db.param_date(day)),
            )
        replayed = {str(r[0]) for r in db.run("SELECT case_id FROM xf_clock WHERE paused")}
        replayed |= {
            str(r[0]) for r in db.run("SELECT case_id FROM xf_case WHERE clock_error IS NOT NULL")
        }
        out: list[Clock] = []
        row_clock = self._row_clocks(day, due_soon)
        for r in rows:
            if r[0] in replayed:
                continue
            clock = row_clock(r)
            if clock is not None:
                out.append(clock)
        for cid in sorted(replayed):
            case = self._load(cid)
            for c in clocks(case, as_of=day, rulebook=rb, calendar=cal, due_soon=due_soon):
                left = c.remaining_working_days
                if not c.status.is_open or left is None or left > within:
                    continue
                if overdue or c.due >= day:
                    out.append(c)
        if wanted is not None:
            out = [c for c in out if c.kind in wanted]
        out.sort(key=lambda c: (c.due, c.case_id, c.key))
        return tuple(out)

    def _row_clocks(
        self, day: _dt.date, due_soon: int
    ) -> Callable[[tuple[Any, ...]], Clock | None]:
        """A builder of the open :class:`Clock` of a clock row as of ``day`` (``None``: not open).

        What each limit contributes is looked up once per call, not per row.
        """
        db, rb, cal = self._db, self.rulebook, self.calendar
        as_date, between = db.date, cal.working_days_between
        statics: dict[str, tuple[Limit, bool]] = {}
        calendar_name, counting = cal.name, rb.counting

        def limit_of(key: str) -> tuple[Limit, bool]:
            limit = clock_limit(rb, key)
            if limit is None:
                raise StoreError(
                    f"{self.url}: the clock projection names limit {key!r}, which rulebook "
                    f"{rb.id!r} lacks; rebuild the projections under this rulebook",
                    rule="projections",
                )
            found = statics[key] = (limit, limit.kind is LimitKind.WINDOW)
            return found

        def row_clock(r: tuple[Any, ...]) -> Clock | None:
            key = str(r[1])
            lim, window = statics.get(key) or limit_of(key)
            started = as_date(r[2])
            if started > day:
                return None
            due = as_date(r[4])
            past = day > due
            if past and window:
                return None  # a window closed unused: lapsed, not open
            left = between(day, due)
            reported = None if r[9] is None else as_date(r[9])
            if past:
                status = ClockStatus.OVERDUE
            elif left <= due_soon:
                status = ClockStatus.DUE_SOON
            else:
                status = ClockStatus.RUNNING
            return limit_clock(
                lim,
                str(r[0]),
                started=started,
                nominal=as_date(r[3]),
                due=due,
                paused=int(r[6]),
                extended=int(r[7]),
                status=status,
                met_on=None,
                remaining=(due - day).days,
                remaining_wd=left,
                provisional=bool(r[8]),
                calendar=calendar_name,
                rule=counting,
                # The projection holds the report as the journal stands (as_of is not before
                # the last event), so it is on or before the day (what deadlines.last_report gives).
                last_report=reported if reported is not None and reported <= day else None,
            )

        return row_clock

    def open_cases_by_unit(self, case_ids: Collection[str] | None = None) -> dict[str, int]:
        """Open (not terminal) cases per unit; only among ``case_ids`` if given (a target list).

        A case's unit is its responsible unit, else its handling unit, else
        its receiving unit.
        """
        db = self._db
        counts: dict[str, int] = {}
        if case_ids is not None:
            case_ids = _ids_arg(case_ids, "Store.open_cases_by_unit")
        if case_ids is None:
            for unit, n in db.run(
                "SELECT unit, COUNT(*) FROM xf_case WHERE NOT terminal GROUP BY unit"
            ):
                counts[str(unit)] = int(n)
            return dict(sorted(counts.items()))
        ids = sorted(set(case_ids))
        for i in range(0, len(ids), BATCH):
            chunk = ids[i : i + BATCH]
            marks = ",".join("?" * len(chunk))
            for unit, n in db.run(
                f"SELECT unit, COUNT(*) FROM xf_case WHERE NOT terminal "  # noqa: S608
                f"AND case_id IN ({marks}) GROUP BY unit",
                chunk,
            ):
                counts[str(unit)] = counts.get(str(unit), 0) + int(n)
        return dict(sorted(counts.items()))

    def snapshot(
        self,
        campaign: Campaign,
        org: Organization,
        *,
        as_of: _dt.date,
        rulebook: Rulebook | None = None,
        calendar: WorkCalendar | None = None,
    ) -> Snapshot:
        """The campaign's snapshot (:func:`xinfang.snapshot`) over every stored case."""
        return campaign_snapshot(
            campaign,
            list(self.iter_cases()),
            org,
            as_of=as_of,
            rulebook=rulebook if rulebook is not None else self.rulebook,
            calendar=calendar if calendar is not None else self.calendar,
        )

    # ------------------------------------------------------------ ledgers
    def import_ledger(
        self,
        source: str | os.PathLike[str],
        *,
        batch: int = BATCH,
        columnar: bool | None = None,
        org: Organization | None = None,
        campaign: Campaign | None = None,
    ) -> ImportResult:
        """Import a JSON Lines ledger (text, or a path): idempotent, never half a case.

        A ``str`` is the ledger's text when it holds a line break, is blank or
        starts with ``{`` (after leading whitespace), else the path of a
        UTF-8 file; a file that cannot be read or decoded is an
        :class:`~xinfang.InvalidDataError` naming it.

        The rule: the whole ledger is validated first (every line parsed and
        replayed, no case id twice, every case that is already stored agreeing
        with its stored journal); any problem raises one
        :class:`~xinfang.InvalidDataError` listing every bad line by number
        (a line holding text no database can store, a NUL or a lone
        surrogate, is one), and nothing is written. Then the cases are written in case id order,
        ``batch`` cases per transaction, each case whole in one transaction.
        A case already stored is skipped when the ledger holds no event it
        lacks, and extended by the events it lacks otherwise. So re-importing
        a ledger changes nothing, and re-running an interrupted import
        completes it.

        ``columnar``: ``True`` reads, validates and projects new cases
        column-wise (:mod:`xinfang.columnar`, ``xinfang[columnar]``: the same
        verdict and the same words as :func:`xinfang.load_ledger`, the same
        rows as the value path; :class:`~xinfang.MissingDependencyError`
        without pyarrow); ``False`` reads every case as a value; ``None``
        (the default) reads column-wise when pyarrow is installed and the
        ledger has at least 1,000 lines (below that, loading
        pyarrow costs more than it saves).

        ``org`` and ``campaign``: the ledger is also checked against them
        before anything is written, by :func:`xinfang.check_references` (the
        one rule), and refused when a problem would keep a count from
        reconciling: a case naming a unit or official the organisation lacks
        where that stops its placement (``ReferenceProblem.unplaced``: the
        cases a bulletin would list as not placed, 未归属), and, with a
        campaign, its units missing from the organisation (with ``org``) and
        its targets that no case of the ledger or of the store has. Each is
        one problem of the one :class:`~xinfang.InvalidDataError` (path
        ``line N (case ID): field`` or ``campaign: targets[i]``, message the
        unknown id, the nearest known one and where the line writes it), with
        the ledger's other problems. An unknown id that places nothing (a
        receiving unit, when the handling unit places the case) does not
        refuse the import: ``check_references`` lists it. Both reading paths
        check the same cases: the column-wise one reads as values only the
        rows that name an unknown id.
        """
        for arg, value, kind in (("org", org, Organization), ("campaign", campaign, Campaign)):
            if value is not None and not isinstance(value, kind):
                got = f"{type(value).__name__} {quoted(value)}"
                raise InvalidDataError(
                    [(arg, f"expected a {kind.__name__}, got {got}")],
                    source="Store.import_ledger",
                )
        name, text = _ledger_text(source)
        # Text no database can store (a NUL, a lone surrogate) is a bad line
        # like any other: such a ledger is refused, and is read by the value
        # path for its other problems.
        unstorable = _unstorable_lines(text, raw=False)
        try:
            ledger = self._read_ledger(text, name, False if unstorable else columnar, org)
        except InvalidDataError as exc:
            unstorable = _unstorable_lines(text, raw=True)
            if not unstorable:
                raise
            raise InvalidDataError([*exc.problems, *unstorable], source=name) from exc
        if isinstance(ledger, _ValueLedger):  # the columnar reader refuses raw surrogates itself
            unstorable = _unstorable_lines(text, raw=True)
        ids = ledger.ids
        problems: list[tuple[str, str]] = list(unstorable)
        long_ids = [
            (
                f"line {number} (case {quoted(cid)}): $.id",
                (
                    f"{len(cid):,} characters, more than the {MAX_ID_LENGTH} a case id may hold "
                    "in a store"
                ),
            )
            for number, cid in zip(ledger.lines, ids, strict=True)
            if len(cid) > MAX_ID_LENGTH
        ]
        if long_ids:  # refused before any SQL, with the ledger's other problems
            raise InvalidDataError([*problems, *long_ids], source=name)
        first_line: dict[str, int] = {}
        for number, cid in zip(ledger.lines, ids, strict=True):
            if cid in first_line:
                problems.append(
                    (f"line {number} (case {cid}): $.id", f"already on line {first_line[cid]}")
                )
            else:
                first_line[cid] = number
        if org is not None or campaign is not None:
            problems += self._reference_problems(ledger, org, campaign)
        plan: list[tuple[int, int]] = []  # (case's position in the ledger, stored version)
        unchanged = 0
        for i in range(0, len(ids), batch):
            chunk = range(i, min(len(ids), i + batch))
            stored = self._versions([ids[k] for k in chunk])
            for k in chunk:
                have = stored.get(ids[k], 0)
                if have:
                    case = ledger.case(k)
                    old = self._events(case.id)
                    n = min(len(old), len(case.events))
                    differs = next((j for j in range(n) if old[j] != case.events[j]), None)
                    if differs is not None:
                        problems.append(
                            (
                                f"line {first_line[case.id]} (case {case.id}): $.events[{differs}]",
                                f"differs from the stored journal at event {differs + 1}",
                            )
                        )
                        continue
                    if len(case.events) <= have:
                        unchanged += 1
                        continue
                plan.append((k, have))
        if problems:
            raise InvalidDataError(problems, source=name)
        plan.sort(key=lambda p: ids[p[0]])
        added = extended = events = 0
        for i in range(0, len(plan), batch):
            part = plan[i : i + batch]
            incoming = ledger.incoming([k for k, have in part if not have])
            incoming += [self._incoming(ledger.case(k), have) for k, have in part if have]
            incoming.sort(key=lambda r: r.case_id)
            self._db.write(
                f"importing {len(incoming)} cases from {name}",
                functools.partial(self._write_incoming, incoming),
                on_conflict=functools.partial(self._import_conflict, incoming),
            )
            added += sum(1 for r in incoming if not r.have)
            extended += sum(1 for r in incoming if r.have)
            events += sum(len(r.events) for r in incoming)
        return ImportResult(added=added, extended=extended, unchanged=unchanged, events=events)

    def _reference_problems(
        self, ledger: _Ledger, org: Organization | None, campaign: Campaign | None
    ) -> list[tuple[str, str]]:
        """What refuses ``ledger`` against ``org`` and ``campaign`` (see :meth:`import_ledger`)."""
        rows = ledger.reference_rows() if org is not None else ()
        ids = ledger.ids
        known: set[str] = set()
        if campaign is not None:
            known.update(ids)
            elsewhere = sorted(
                t for t in set(campaign.targets) - known if len(t) <= MAX_ID_LENGTH
            )  # a longer id cannot be stored: no case has it
            for i in range(0, len(elsewhere), BATCH):
                known.update(self._versions(elsewhere[i : i + BATCH]))
        found = check_references([ledger.case(k) for k in rows], org, campaign, case_ids=known)
        lines = ledger.lines
        return [
            (
                f"line {lines[rows[p.index]]} (case {p.case_id}): {p.field}"
                if p.index is not None
                else f"campaign: {p.field}",
                p.message,
            )
            for p in found
            if p.unplaced or p.index is None
        ]

    def _read_ledger(
        self, text: str, name: str, columnar: bool | None, org: Organization | None = None
    ) -> _Ledger:
        """The ledger validated whole: column-wise when pyarrow is there (and allowed)."""
        if columnar is None and text.count("\n") < _COLUMNAR_FROM:
            columnar = False  # a small ledger: the value path is quicker than importing pyarrow
        if columnar is not False:
            try:
                from xinfang.store import _bulk
            except ModuleNotFoundError as exc:
                if columnar or not (exc.name or "").startswith("pyarrow"):
                    raise MissingDependencyError(
                        f"a columnar import needs pyarrow ({exc.name} is not installed): "
                        "pip install 'xinfang[columnar]'",
                        path="columnar",
                        rule="optional dependency",
                    ) from exc
            else:
                try:
                    return _bulk.read_ledger(self, text, name, org)
                except UnicodeEncodeError:
                    pass  # raw surrogates in the text: the value path reads it (and reports them)
        return _ValueLedger(self, load_ledger(text, source=name), text)

    def _incoming(self, case: Case, have: int) -> _Incoming:
        """What importing ``case`` writes when ``have`` of its events are stored (a value)."""
        rows = [self._journal_row(case.id, e, check=False) for e in case.events[have:]]
        case_row, clock_rows = self._param_rows(case)
        return _Incoming(case.id, have, rows, case_row, clock_rows)

    def _versions(self, ids: list[str]) -> dict[str, int]:
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        rows = self._db.run(
            f"SELECT case_id, version FROM xf_case WHERE case_id IN ({marks})",  # noqa: S608
            ids,
        )
        return {str(r[0]): int(r[1]) for r in rows}

    def _write_incoming(self, incoming: list[_Incoming]) -> None:
        """Write one batch of an import (inside a write; ``incoming`` in case id order)."""
        db = self._db
        now = self._versions([r.case_id for r in incoming if not r.have])
        for r in incoming:
            found = now.get(r.case_id, 0)
            if r.have:
                row = db.lock_case(r.case_id)
                found = int(row[0]) if row else 0
            if found != r.have:
                raise ConcurrencyError(
                    r.case_id, expected=r.have, actual=found, detail="during import"
                )
        db.many(_INSERT_EVENT, [e for r in incoming for e in r.events])
        db.many(_UPSERT_CASE, [r.case_row for r in incoming])
        db.many(
            "DELETE FROM xf_clock WHERE case_id = ?", [(r.case_id,) for r in incoming if r.have]
        )
        db.many(_INSERT_CLOCK, [c for r in incoming for c in r.clocks])

    def _import_conflict(self, incoming: list[_Incoming], exc: BaseException) -> None:
        stored = self._versions([r.case_id for r in incoming])
        for r in incoming:
            if stored.get(r.case_id, 0) != r.have:
                raise ConcurrencyError(
                    r.case_id,
                    expected=r.have,
                    actual=stored.get(r.case_id, 0),
                    detail="during import",
                ) from exc
        raise StoreError(f"{self.url}: import conflict: {exc}", rule="database") from exc

    def write_ledger(self, out: IO[str], *, reveal_personal_data: bool = False) -> int:
        """Write every case as a JSON Lines ledger to ``out``; the number of cases.

        Personal data is masked unless ``reveal_personal_data``.
        """
        n = 0
        for case in self.iter_cases():
            out.write(to_json(case, reveal_personal_data=reveal_personal_data))
            out.write("\n")
            n += 1
        return n

    def export_ledger(self, *, reveal_personal_data: bool = False) -> str:
        """Every case as a JSON Lines ledger (masked unless ``reveal_personal_data``)."""
        return "".join(
            to_json(c, reveal_personal_data=reveal_personal_data) + "\n" for c in self.iter_cases()
        )


class ViewerStore:
    """One official's view of a :class:`Store`: every read and command is scoped.

    Made by :meth:`Store.for_viewer`. Every answer has passed
    :func:`xinfang.visibility` (信访工作条例 Art. 30 ¶3, Art. 28 ¶3) for
    ``viewer`` in ``org``, judged on each case as it stands now:

    - a case the viewer may not see (``Visibility.NONE``: the accused, an
      official of an accused unit or a unit under it, one who must step
      aside) does not exist for the view: it is in no count, id list,
      iteration, due row, per-unit count, snapshot or export; reading it or
      acting on it raises the :class:`UnknownCaseError` a missing case
      raises, with the same words;
    - a case the viewer may see only exists (``REDACTED``) is counted and
      listed by :meth:`count`, :meth:`case_ids` and :meth:`iter_cases`
      (as :func:`xinfang.redact` gives it) and read by :meth:`case`; its
      events, version, clocks and whole ledger line are refused
      (:class:`~xinfang.ConfidentialityError`), and it is left out of
      :meth:`due`, :meth:`open_cases_by_unit`, :meth:`snapshot` and the
      exports, which are made of what the viewer sees in full;
    - commands are recorded as the viewer's (``by=viewer``), checked against
      the view's organisation, and allowed only on cases the viewer sees in
      full.

    The view shares the store's connection (close the store). It remembers
    each case's visibility per version (the journal is append-only), so a
    second read of an unchanged store replays nothing.
    """

    def __init__(
        self,
        store: Store,
        viewer: str,
        org: Organization,
        *,
        interests: Iterable[Interest] = (),
        scope: AccusedScope | None = None,
    ) -> None:
        what = "Store.for_viewer"
        if not isinstance(store, Store):
            raise InvalidDataError(
                [("store", f"expected a Store, got {type(store).__name__}")], source=what
            )
        _key_arg(viewer, "viewer", what)
        if not isinstance(org, Organization):
            raise InvalidDataError(
                [("org", f"expected an Organization, got {type(org).__name__} {quoted(org)}")],
                source=what,
            )
        self._store = store
        self.viewer: str = viewer
        self.org: Organization = org
        self.interests: tuple[Interest, ...] = _interests_arg(interests, what)
        self.scope: AccusedScope = scope if scope is not None else DEFAULT_SCOPE
        self._seen: dict[str, tuple[int, Visibility]] = {}

    def __repr__(self) -> str:
        return f"ViewerStore({self._store.url!r}, viewer={self.viewer!r})"

    # ------------------------------------------------------------ visibility
    def _judge(self, case: Case | None) -> Visibility:
        """What the viewer may see of ``case`` (a command's gate: nothing remembered).

        ``None`` (a missing case): a one-event decoy is read and judged, so
        a missing case costs about what a hidden one does (the same order of
        magnitude: ``docs/store.md``), and ``NONE`` is the answer.
        """
        if case is None:
            decoy = _case_of([json.loads(_DECOY)])
            visibility(self.viewer, decoy, self.org, interests=self.interests, scope=self.scope)
            return Visibility.NONE
        return visibility(self.viewer, case, self.org, interests=self.interests, scope=self.scope)

    def _visibility(self, case: Case) -> Visibility:
        """:meth:`_judge` of a stored case, remembered for its version."""
        seen = self._judge(case)
        self._seen[case.id] = (len(case.events), seen)
        return seen

    def _seen_map(self) -> dict[str, Visibility]:
        """Every case the viewer may know of (in case id order) and how much they see."""
        store = self._store
        rows = [
            (str(r[0]), int(r[1]))
            for r in store._db.run("SELECT case_id, version FROM xf_case ORDER BY case_id")
        ]
        stale = [cid for cid, v in rows if self._seen.get(cid, (-1,))[0] != v]
        for i in range(0, len(stale), BATCH):
            for cid, payloads in store._payloads_of(stale[i : i + BATCH]).items():
                self._visibility(_case_of(payloads, source=f"journal of case {cid}"))
        out: dict[str, Visibility] = {}
        for cid, _ in rows:
            found = self._seen.get(cid)
            if found is not None and found[1] is not Visibility.NONE:
                out[cid] = found[1]
        return out

    def _full_ids(self) -> set[str]:
        return {cid for cid, seen in self._seen_map().items() if seen is Visibility.FULL}

    def _full_case(self, case_id: str, action: str) -> Case:
        """The case, if the viewer sees it in full (else as :func:`_only_full` says)."""
        store = self._store
        payloads = store._payloads(case_id)
        if not payloads:
            self._judge(None)
            raise _unknown(case_id)
        case = _case_of(payloads, source=f"journal of case {case_id}")
        _only_full(self._visibility(case), case_id, action)
        return case

    # ------------------------------------------------------------ basics
    @property
    def url(self) -> str:
        """The store's URL (without a password)."""
        return self._store.url

    @property
    def dialect(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return self._store.dialect

    # ------------------------------------------------------------ reads
    def count(self) -> int:
        """The number of cases the viewer may know of (seen in full or redacted)."""
        return len(self._seen_map())

    def case_ids(self) -> list[str]:
        """The ids of the cases the viewer may know of, sorted."""
        return list(self._seen_map())

    def version(self, case_id: str) -> int:
        """The case's version; 0 when it is not stored or hidden from the viewer.

        A case the viewer sees only redacted: :class:`~xinfang.ConfidentialityError`.
        """
        _key_arg(case_id, "case_id", "ViewerStore.version")
        try:
            case = self._full_case(case_id, "read the version of")
        except UnknownCaseError:
            return 0
        return len(case.events)

    def events(self, case_id: str) -> tuple[Event, ...]:
        """The case's events, if the viewer sees it in full (else unknown, or refused)."""
        _key_arg(case_id, "case_id", "ViewerStore.events")
        return self._full_case(case_id, "read the events of").events

    def case(self, case_id: str, *, as_of: _dt.date | None = None) -> Case | RedactedCase:
        """:meth:`Store.case` with the view's viewer: the case, its redacted form, or unknown."""
        _key_arg(case_id, "case_id", "ViewerStore.case")
        if not self._store._db.one("SELECT 1 FROM xf_journal WHERE case_id = ?", (case_id,)):
            self._judge(None)
            raise _unknown(case_id)
        return self._store.case(
            case_id,
            as_of=as_of,
            viewer=self.viewer,
            org=self.org,
            interests=self.interests,
            scope=self.scope,
        )

    def iter_cases(self, *, batch: int = BATCH) -> Iterator[Case | RedactedCase]:
        """The cases the viewer may know of, in id order: whole, or redacted."""
        _int_arg(batch, "batch", "ViewerStore.iter_cases")
        for page in self._store._journal_pages(max(batch, 1)):
            for cid, payloads in page:
                case = _case_of(payloads, source=f"journal of case {cid}")
                seen = self._visibility(case)
                if seen is Visibility.FULL:
                    yield case
                elif seen is Visibility.REDACTED:
                    yield redact(case)

    def _full_cases(self) -> Iterator[Case]:
        for case in self.iter_cases():
            if isinstance(case, Case):
                yield case

    def due(
        self,
        as_of: _dt.date,
        within: int = 5,
        *,
        overdue: bool = True,
        due_soon: int = 3,
        kinds: Collection[LimitKind] | None = None,
    ) -> tuple[Clock, ...]:
        """:meth:`Store.due` over the cases the viewer sees in full."""
        rows = self._store.due(as_of, within, overdue=overdue, due_soon=due_soon, kinds=kinds)
        if not rows:
            return rows
        full = self._full_ids()
        return tuple(c for c in rows if c.case_id in full)

    def open_cases_by_unit(self, case_ids: Collection[str] | None = None) -> dict[str, int]:
        """:meth:`Store.open_cases_by_unit` over the cases the viewer sees in full."""
        wanted = None
        if case_ids is not None:
            wanted = set(_ids_arg(case_ids, "ViewerStore.open_cases_by_unit"))
        full = self._full_ids()
        counts: dict[str, int] = {}
        for cid, unit in self._store._db.run(
            "SELECT case_id, unit FROM xf_case WHERE NOT terminal"
        ):
            if cid in full and (wanted is None or cid in wanted):
                counts[str(unit)] = counts.get(str(unit), 0) + 1
        return dict(sorted(counts.items()))

    def snapshot(
        self,
        campaign: Campaign,
        *,
        as_of: _dt.date,
        rulebook: Rulebook | None = None,
        calendar: WorkCalendar | None = None,
    ) -> Snapshot:
        """The campaign's snapshot over the cases the viewer sees in full (the view's org)."""
        store = self._store
        return campaign_snapshot(
            campaign,
            list(self._full_cases()),
            self.org,
            as_of=as_of,
            rulebook=rulebook if rulebook is not None else store.rulebook,
            calendar=calendar if calendar is not None else store.calendar,
        )

    def write_ledger(self, out: IO[str], *, reveal_personal_data: bool = False) -> int:
        """The cases the viewer sees in full as a JSON Lines ledger; how many were written.

        A ledger line is a whole case, so a case the viewer sees only
        redacted is not written (:meth:`case_ids` lists it).
        """
        n = 0
        for case in self._full_cases():
            out.write(to_json(case, reveal_personal_data=reveal_personal_data))
            out.write("\n")
            n += 1
        return n

    def export_ledger(self, *, reveal_personal_data: bool = False) -> str:
        """:meth:`write_ledger` as text."""
        return "".join(
            to_json(c, reveal_personal_data=reveal_personal_data) + "\n" for c in self._full_cases()
        )

    # ------------------------------------------------------------ commands
    def register(
        self,
        change: Register,
        at: _dt.datetime,
        *,
        idempotency_key: str | None = None,
    ) -> tuple[Case, Event]:
        """Register a new case as the viewer (``by=viewer``).

        Refused (:class:`~xinfang.ConfidentialityError`, nothing written) when
        the viewer could not see the case once registered. An id already
        taken is refused with one message, whether or not the viewer may see
        that case (an id the caller chooses cannot hide that it is taken:
        give cases ids that carry no meaning).
        """
        return self._store._register(
            change, at, by=self.viewer, idempotency_key=idempotency_key, gate=self._judge
        )

    def apply(
        self,
        case_id: str,
        change: Change,
        *,
        at: _dt.datetime,
        expected_version: int | None = None,
        idempotency_key: str | None = None,
        rulebook: Rulebook | None = None,
        calendar: WorkCalendar | None = None,
        related: Mapping[str, Case] | None = None,
    ) -> tuple[Case, Event]:
        """:meth:`Store.apply` as the viewer, on a case the viewer sees in full.

        A case the viewer may not see raises the :class:`UnknownCaseError` of
        a missing case (checked under the case's lock, before the
        idempotency key and the version); a redacted one a
        :class:`~xinfang.ConfidentialityError`. The view's organisation,
        interests and scope are the command's.
        """
        return self._store._apply(
            case_id,
            change,
            at=at,
            by=self.viewer,
            expected_version=expected_version,
            idempotency_key=idempotency_key,
            org=self.org,
            rulebook=rulebook,
            calendar=calendar,
            related=related,
            interests=self.interests,
            scope=self.scope,
            gate=self._judge,
        )


def _ids_arg(case_ids: object, what: str) -> list[str]:
    """A collection of case ids, each checked as :func:`_key_arg` does."""
    if isinstance(case_ids, str | bytes) or not hasattr(case_ids, "__iter__"):
        raise InvalidDataError(
            [("case_ids", f"expected a collection of case ids, got {type(case_ids).__name__}")],
            source=what,
        )
    return [_key_arg(cid, f"case_ids[{i}]", what) for i, cid in enumerate(case_ids)]


def _ledger_text(source: str | os.PathLike[str]) -> tuple[str, str]:
    """The ledger's name and text: ``source`` itself, or the file it names.

    A string is the ledger's text when it holds a line break, is blank, or
    starts with ``{`` after leading whitespace; otherwise it names a file
    (read as UTF-8: a file that cannot be read, or is not UTF-8 text, is an
    :class:`~xinfang.InvalidDataError` naming it).
    """
    if not isinstance(source, os.PathLike):
        head = source.lstrip()
        if "\n" in source or not head or head.startswith("{"):
            return "ledger", source
    name = os.fspath(source)
    try:
        with open(name, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise InvalidDataError(
            [("$", f"the ledger file cannot be read: {reason}")], source=name
        ) from exc
    try:
        return name, data.decode("utf-8")
    except UnicodeDecodeError as exc:  # headed as every bad line is: number and case id
        start = data.rfind(b"\n", 0, exc.start) + 1
        end = data.find(b"\n", exc.start)
        line = data[start : end if end >= 0 else len(data)].decode("utf-8", "replace")
        number = data.count(b"\n", 0, exc.start) + 1
        raise InvalidDataError(
            line_problems(number, line, [("$", f"not UTF-8 text: {exc}"[:200])]), source=name
        ) from exc


def open_store(
    url: str = DEFAULT_URL,
    *,
    rulebook: Rulebook | None = None,
    calendar: WorkCalendar | None = None,
    migrate: bool = True,
    allow_privileged_role: bool = False,
) -> Store:
    """Open (and, by default, create or migrate) the store at ``url``: the unscoped store.

    ``sqlite:///relative/path.db``, ``sqlite:////absolute/path.db`` (options:
    ``?synchronous=normal``, ``?busy_timeout=seconds``) or
    ``postgresql://user@host/db`` (needs ``xinfang[postgres]``). With
    ``migrate=False`` a database not at the current schema version is refused.

    On PostgreSQL the store refuses (:class:`StoreError`) to run under a role
    that could rewrite the journal, its triggers notwithstanding: a
    superuser, the journal's owner (who may drop the triggers), or a role
    with ``UPDATE``, ``DELETE`` or ``TRUNCATE`` on it. Run the application
    as the role :func:`init_store` (``app_role=``) sets up; or say
    ``allow_privileged_role=True`` (or ``?allow_privileged_role=true`` in
    the URL) to run anyway. SQLite has no roles (see ``docs/store.md``).

    Hand what an official asks for through :meth:`Store.for_viewer`.
    """
    if not isinstance(url, str):
        raise InvalidDataError(
            [("url", f"expected a store URL, got {type(url).__name__}")], source="open_store"
        )
    db = connect(url)
    try:
        store = Store(db, rulebook=rulebook, calendar=calendar)
        # A journal from before the projections is projected in the migration's
        # own transaction: the schema bump and the projections commit together.
        version = db.migrate(then=store._after_migration) if migrate else db.schema_version()
        if version != SCHEMA_VERSION:
            raise StoreError(
                f"{db.url}: schema version {version}, this xinfang needs {SCHEMA_VERSION} "
                "(open with migrate=True, or run `xinfang db init`)",
                rule="schema",
            )
        powers = db.journal_powers()
        if powers and not (allow_privileged_role or db.allow_privileged_role):
            raise StoreError(
                f"{db.url}: refusing to run under a role that can rewrite the journal: "
                f"{'; '.join(powers)}. Connect as an application role (`xinfang db init "
                "--app-role NAME` grants one only SELECT and INSERT on the journal), or "
                f"allow it: open_store(..., allow_privileged_role=True) or "
                f"?{ALLOW_PRIVILEGED}=true in the URL",
                path="url",
                rule="the journal is append-only (docs/store.md: roles)",
            )
    except BaseException:
        db.close()
        raise
    return store


def init_store(
    url: str = DEFAULT_URL,
    *,
    rulebook: Rulebook | None = None,
    calendar: WorkCalendar | None = None,
    app_role: str | None = None,
) -> int:
    """Create the schema at ``url`` or bring it forward; the schema version reached.

    Run it as the schema's owner (it is not refused for being privileged).
    A journal from before the projections is projected (under ``rulebook``
    and ``calendar``: by default the bundled rulebook and the mainland
    calendar) in the migration's transaction. On PostgreSQL, ``app_role``
    names a role to create (if missing) and grant exactly what the
    application needs: ``SELECT`` and ``INSERT`` on the journal, and the
    projections' rights (:func:`app_role_sql` gives the statements).
    """
    db = connect(url)
    try:
        version = db.migrate(
            then=lambda found: Store(db, rulebook=rulebook, calendar=calendar)._after_migration(
                found
            )
        )
        if app_role is not None:
            statements = _grants(db, app_role)

            def grant() -> None:
                for sql in statements:
                    db.statement(sql)

            db.write(f"granting role {app_role}", grant)
        return version
    finally:
        db.close()


def app_role_sql(store: Store | str, role: str) -> list[str]:
    """The SQL statements that make ``role`` the application's role of a PostgreSQL store.

    ``store`` is an open store, or a URL (its schema, ``search_path``'s
    first, is read). What they grant is described in ``docs/store.md``
    (roles); a DBA may run them by hand instead of :func:`init_store`.
    """
    if isinstance(store, Store):
        return _grants(store._db, role)
    db = connect(store)
    try:
        return _grants(db, role)
    finally:
        db.close()


def _grants(db: Database, role: str) -> list[str]:
    """:func:`app_role_sql` on an open connection."""
    if db.dialect != "postgresql":
        raise StoreError(
            f"{db.url}: SQLite has no roles; whoever can write the file can change it "
            "(see docs/store.md)",
            path="app_role",
            rule="roles are PostgreSQL's",
        )
    return db.grant_sql(role)
