"""The store's commands: register a case, apply a change; each one transaction.

Both go through :func:`_command`, the one block that refuses text no
database can store, honours an idempotency key (before the case's lock
where it may, and again under it), locks the case, and turns a lost race
into the first result of a raced key or a :class:`ConcurrencyError`. What
differs (a new id must be free; a stored case must exist, be seen and be at
the expected version) is each command's ``admit`` and ``act``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from xinfang.case import Case, replay
from xinfang.changes import Accept, Assign, Change, Event, Forward, Register
from xinfang.errors import ConfidentialityError, InvalidDataError, XinfangError, quoted
from xinfang.instants import aware
from xinfang.procedure import apply as apply_change
from xinfang.responsibility import DEFAULT_SCOPE, Visibility, visibility
from xinfang.store._arguments import change_arg, command_args, int_arg, key_arg
from xinfang.store._errors import ConcurrencyError
from xinfang.store._journal import (
    INSERT_EVENT,
    StoreBase,
    database_of,
    events,
    journal_row,
    load,
    related,
    unknown,
)
from xinfang.store._projections import project
from xinfang.store._storable import refuse_unstorable

if TYPE_CHECKING:  # pragma: no cover
    import datetime as _dt
    from collections.abc import Callable, Iterable, Mapping

    from xinfang.calendar import WorkCalendar
    from xinfang.responsibility import AccusedScope, Interest, Organization
    from xinfang.rulebook import Rulebook
    from xinfang.store._db import Database, Row

    #: A view's judgement of a case (``None``: a missing case): what the viewer may see.
    Gate = Callable[[Case | None], Visibility]

__all__ = ["SECRECY", "apply_command", "only_full", "register_command", "taken"]

#: The rule that hides a case from those it accuses (and those who must step aside).
SECRECY: Final = "信访工作条例 (2022) 第三十条第三款"


def taken(case_id: str) -> XinfangError:
    """The one answer of a view to a registration whose id is taken, seen or not."""
    return XinfangError(
        f"case {case_id}: this case id is taken (whether or not you may see that case); "
        "register the case under a new id",
        path="change.case_id",
        rule="a case id names one case",
    )


def only_full(seen: Visibility, case_id: str, action: str) -> None:
    """Refuse anything but a case seen in full: hidden as missing, redacted by rule."""
    if seen is Visibility.NONE:
        raise unknown(case_id)
    if seen is Visibility.REDACTED:
        raise ConfidentialityError(
            f"case {case_id}: you may see only that this case exists; you may not {action} it",
            path="case_id",
            rule=SECRECY,
        )


def register_command(
    store: StoreBase,
    change: Register,
    at: _dt.datetime,
    *,
    by: str,
    idempotency_key: str | None,
    gate: Gate | None,
) -> tuple[Case, Event]:
    """:meth:`Store.register`; with ``gate`` (a view's), as the viewer may do it."""
    what = "Store.register"
    db = database_of(store)
    if not isinstance(change, Register):
        raise InvalidDataError(
            [("change", f"expected a Register, got {type(change).__name__} {quoted(change)}")],
            source=what,
        )
    case_id = key_arg(change.case_id, "change.case_id", what)
    command_args(what, by=by, key=idempotency_key)
    at = aware(at)

    def act(row: Row | None, _loaded: Case | None) -> tuple[Case, Event]:
        if row is not None:
            if gate is not None:
                raise taken(case_id)
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
                rule=SECRECY,
            )
        _record(store, case, event, idempotency_key)
        return case, event

    return _command(
        db,
        f"registering case {case_id}",
        (("change.case_id", case_id), ("by", by), ("idempotency_key", idempotency_key)),
        case_id,
        change,
        key=idempotency_key,
        expected=0,
        gate=gate,
        key_first=True,
        admit=lambda _row: None,
        act=act,
    )


def apply_command(
    store: StoreBase,
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
    related_cases: Mapping[str, Case] | None,
    interests: Iterable[Interest],
    scope: AccusedScope | None,
    gate: Gate | None,
) -> tuple[Case, Event]:
    """:meth:`Store.apply`; with ``gate`` (a view's), only on a case the viewer sees in full."""
    what = "Store.apply"
    db = database_of(store)
    key_arg(case_id, "case_id", what)
    change = change_arg(change, what)
    int_arg(expected_version, "expected_version", what, optional=True)
    interests = command_args(
        what, by=by, key=idempotency_key, org=org, related=related_cases, interests=interests
    )
    if isinstance(change, Register):
        raise XinfangError(
            f"case {case_id}: a registration opens a case; use Store.register",
            path="change",
            rule="store commands",
        )
    at = aware(at)

    def admit(row: Row | None) -> Case | None:
        if row is None:
            if gate is not None:
                gate(None)  # a view spends on a missing case what a hidden one costs
            raise unknown(case_id)
        if gate is not None:  # the viewer must see the case in full before anything else
            loaded = load(db, case_id)
            only_full(gate(loaded), case_id, "act on")
            return loaded
        if org is not None:
            # Even unscoped: a command recorded by someone the rule keeps out of
            # the case (the accused, the accused unit, one who must step aside)
            # is refused as for a missing case, before its key or version is read
            # (Art. 30 ¶3, Art. 28 ¶3).
            loaded = load(db, case_id)
            seen = visibility(by, loaded, org, interests=interests, scope=scope or DEFAULT_SCOPE)
            if seen is Visibility.NONE:
                raise unknown(case_id)
            return loaded
        return None

    def act(row: Row | None, loaded: Case | None) -> tuple[Case, Event]:
        assert row is not None  # admit refused a missing case  # noqa: S101
        version = int(row[0])
        if expected_version is not None and expected_version != version:
            raise ConcurrencyError(case_id, expected=expected_version, actual=version)
        case = loaded if loaded is not None else load(db, case_id)
        rel = related_cases
        if rel is None and isinstance(change, Accept | Forward | Assign) and case.repeat_of:
            rel = related(db, case.repeat_of)
        new, event = apply_change(
            case,
            change,
            at,
            by=by,
            rulebook=rulebook if rulebook is not None else store.rulebook,
            calendar=calendar if calendar is not None else store.calendar,
            related=rel,
            org=org,
            interests=interests,
            scope=scope,
        )
        _record(store, new, event, idempotency_key)
        return new, event

    return _command(
        db,
        f"appending {change.kind} to case {case_id}",
        (("case_id", case_id), ("by", by), ("idempotency_key", idempotency_key)),
        case_id,
        change,
        key=idempotency_key,
        expected=expected_version,
        gate=gate,
        key_first=gate is None,
        admit=admit,
        act=act,
    )


def _command(
    db: Database,
    doing: str,
    fields: Iterable[tuple[str, str | None]],
    case_id: str,
    change: Change,
    *,
    key: str | None,
    expected: int | None,
    gate: Gate | None,
    key_first: bool,
    admit: Callable[[Row | None], Case | None],
    act: Callable[[Row | None, Case | None], tuple[Case, Event]],
) -> tuple[Case, Event]:
    """Run one command on case ``case_id`` in one transaction: the new case and its event.

    Text in ``fields`` no database can store is refused before any SQL.
    Then, in the transaction: a known ``key`` returns its first result
    (first, when ``key_first``: a view's apply judges the case before it
    reads a key); the case's row is locked; ``admit(row)`` refuses what the
    command may not touch (and may return the case it loaded); under the
    lock the key is read again (another writer may have committed it while
    this one waited: its result is this command's result); ``act`` does
    the rest. A lost race is :func:`_conflict`'s.
    """
    refuse_unstorable(doing, fields)

    def run() -> tuple[Case, Event]:
        if key is not None and key_first:
            found = _idempotent(db, key, case_id, change, gate)
            if found is not None:
                return found
        row = db.lock_case(case_id)
        loaded = admit(row)
        if row is not None and key is not None:
            found = _idempotent(db, key, case_id, change, gate)
            if found is not None:
                return found
        return act(row, loaded)

    return db.write(
        doing,
        run,
        on_conflict=lambda exc: _conflict(db, case_id, expected, key, change, exc, gate),
    )


def _record(store: StoreBase, case: Case, event: Event, key: str | None) -> None:
    """Append ``event`` and rewrite ``case``'s projections (inside a write)."""
    db = database_of(store)
    db.statement(INSERT_EVENT, journal_row(db, case.id, event))
    project(db, [case], store.rulebook, store.calendar)
    if key is not None:
        db.statement(
            "INSERT INTO xf_idempotency (key, case_id, seq) VALUES (?, ?, ?)",
            (key, case.id, event.seq),
        )


def _conflict(  # noqa: PLR0917 - private, called in one place
    db: Database,
    case_id: str,
    expected: int | None,
    key: str | None,
    change: Change,
    exc: BaseException,
    gate: Gate | None,
) -> tuple[Case, Event]:
    """After a unique violation: the first result of a raced key, or the conflict."""
    if key is not None:
        found = _idempotent(db, key, case_id, change, gate)
        if found is not None:
            return found
    if gate is not None and expected == 0 and isinstance(change, Register):
        raise taken(case_id) from exc
    row = db.one("SELECT version FROM xf_case WHERE case_id = ?", (case_id,))
    actual = int(row[0]) if row else 0
    raise ConcurrencyError(
        case_id,
        expected=expected if expected is not None else max(actual - 1, 0),
        actual=actual,
        detail="another writer appended first",
    ) from exc


def _idempotent(
    db: Database, key: str, case_id: str, change: Change, gate: Gate | None
) -> tuple[Case, Event] | None:
    """The first result of ``key``, or ``None`` when it is new.

    The error for a key first used otherwise names neither that case nor
    its event (it may be a case the caller may not know of). Through a
    view (``gate``), a key whose case the viewer may not see now is
    refused as a registration of a taken id is (registrations), or as a
    key used otherwise (other commands, whose case the view has checked).
    """
    row = db.one("SELECT case_id, seq FROM xf_idempotency WHERE key = ?", (key,))
    if row is None:
        return None
    stored_case, seq = str(row[0]), int(row[1])
    found = events(db, stored_case)
    first = found[seq - 1]
    if stored_case != case_id or first.change != change:
        raise XinfangError(
            f"idempotency key {quoted(key)} was first used for a different command",
            path="idempotency_key",
            rule="an idempotency key names one command",
        )
    if gate is not None and gate(replay(found)) is Visibility.NONE:
        raise taken(case_id)
    return replay(found[:seq]), first
