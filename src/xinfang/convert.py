"""The one cattrs converter of xinfang: typed values from plain data, and back.

Shaped like the ``cattrs.preconf`` modules: :func:`configure_converter`
installs xinfang's hooks on a converter, :func:`make_converter` makes a
configured one, and :data:`converter` is ready-made. :func:`structure` is
what every loader calls (TOML files, JSON documents, ledgers): plain data
(``dict``, ``list``, ``str``, ``int``, TOML dates ...) to a typed value, or
:class:`~xinfang.InvalidDataError` listing every problem with its path.

Conventions: instants are ISO 8601 with their offset (``+08:00``) and come
back in Asia/Shanghai (:func:`xinfang.instants.aware`); dates ``YYYY-MM-DD``;
enums their lowercase codes; collections arrays (tuples come back as tuples;
sets are written sorted); unknown keys are refused. A change is an object
tagged with its ``kind``; a case is written as its events (the case is their
fold) under a ``schema_version``. Personal data (resident ID numbers, phones)
is written **masked** unless the converter was made with
``reveal_personal_data=True``.

One decoding path: the structuring hooks are cattrs' own, generated from the
attrs classes (every class's validators and converters still run). Valid data
takes a converter made with ``detailed_validation=False``; anything it
refuses is read again by the detailed one, whose errors name every problem.
"""

from __future__ import annotations

import datetime as _dt
import enum
import functools
import json
import re
import types
import typing
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Final, TypeVar

import cattrs
from cattrs.errors import (
    BaseValidationError,
    ForbiddenExtraKeysError,
    IterableValidationError,
    IterableValidationNote,
)
from cattrs.v import format_exception

from xinfang.case import Case, replay
from xinfang.changes import CHANGE_BY_KIND, CHANGE_TYPES, Change, Event
from xinfang.deadlines import Clock
from xinfang.errors import InvalidDataError, XinfangError, quoted
from xinfang.instants import LAST_DAY, SHANGHAI, UTC8_SINCE, aware, in_range
from xinfang.personal import PhoneNumber, ResidentId

__all__ = [
    "DATE_FORM",
    "INSTANT_FORM",
    "SCHEMA_VERSION",
    "configure_converter",
    "converter",
    "date_from_text",
    "instant_from_text",
    "make_converter",
    "structure",
    "unstructure",
]

#: The version of the case documents xinfang writes and reads.
SCHEMA_VERSION: Final = 1

T = TypeVar("T")
_Hook = Callable[[Any, Any], Any]


# ------------------------------------------------------------ value hooks
def _type_error(value: Any, expected: str) -> InvalidDataError:
    return InvalidDataError([("", f"expected {expected}, got {type(value).__name__}")])


def _structure_str(value: Any, _: type) -> str:
    if type(value) is not str and not isinstance(value, str):
        raise _type_error(value, "a string")
    return value


def _structure_int(value: Any, _: type) -> int:
    if type(value) is not int and (not isinstance(value, int) or isinstance(value, bool)):
        raise _type_error(value, "an integer")
    return value


def _structure_bool(value: Any, _: type) -> bool:
    if type(value) is not bool:
        raise _type_error(value, "true or false")
    return value


#: How an instant is written, with an example: every message about a bad one shows it.
INSTANT_FORM: Final = "YYYY-MM-DDTHH:MM:SS+08:00, e.g. 2026-12-02T09:30:00+08:00"
#: How a date is written, with an example.
DATE_FORM: Final = "YYYY-MM-DD, e.g. 2026-12-02"
_DAY_ONLY: Final = re.compile(r"\d{4}-?\d{2}-?\d{2}")
_DAY_AND_OFFSET: Final = re.compile(r"\d{4}-?\d{2}-?\d{2}(?:[+-]\d{2}(?::?\d{2})?|Z)")


def _reason(exc: ValueError) -> str:
    """Python's own reason for a bad date or time, when it names a field (never the value)."""
    text = str(exc)
    return f" ({text})" if "must be in" in text or "out of range" in text else ""


def date_from_text(value: Any, field: str = "") -> _dt.date:
    """A date from its ISO text ``YYYY-MM-DD``, or :class:`~xinfang.InvalidDataError`.

    The message names ``field``, quotes a bounded prefix of ``value`` and shows
    the expected form with an example; a date outside the accepted range
    (:data:`xinfang.instants.FIRST_DAY`..:data:`~xinfang.instants.LAST_DAY`) is refused.
    """
    if type(value) is _dt.date:  # TOML has dates of its own
        return in_range(value, field)
    if not isinstance(value, str):
        raise InvalidDataError(
            [(field, f"expected a date {DATE_FORM}, got {type(value).__name__}")]
        )
    if len(value) != 10:
        raise InvalidDataError([(field, f"expected a date {DATE_FORM}, got {quoted(value)}")])
    try:
        day = _dt.date.fromisoformat(value)
    except ValueError as exc:
        raise InvalidDataError(
            [(field, f"{quoted(value)} is not a date{_reason(exc)}: expected {DATE_FORM}")]
        ) from None
    return in_range(day, field)


def instant_from_text(value: Any, field: str = "") -> _dt.datetime:
    """An instant from its ISO 8601 text with offset, in Asia/Shanghai, or a data error.

    The :class:`~xinfang.InvalidDataError` names ``field``, quotes a bounded
    prefix of ``value`` and says what is wrong with the expected form and an
    example: not text, a date without a time (with or without an offset), no
    offset, not ISO 8601, or outside the accepted range.
    """
    if not isinstance(value, str):
        problem = f"expected an instant {INSTANT_FORM}, got {type(value).__name__}"
        raise InvalidDataError([(field, problem)])
    shown = quoted(value)
    if _DAY_AND_OFFSET.fullmatch(value):
        problem = f"{shown} is a date with an offset but no time: expected {INSTANT_FORM}"
        raise InvalidDataError([(field, problem)])
    if _DAY_ONLY.fullmatch(value):
        problem = f"{shown} is a date without a time or offset: expected {INSTANT_FORM}"
        raise InvalidDataError([(field, problem)])
    try:
        parsed = _dt.datetime.fromisoformat(value)
    except ValueError as exc:
        problem = f"{shown} is not an instant{_reason(exc)}: expected {INSTANT_FORM}"
        raise InvalidDataError([(field, problem)]) from None
    if parsed.tzinfo is None:
        problem = f"{shown} has no offset (e.g. +08:00): expected {INSTANT_FORM}"
        raise InvalidDataError([(field, problem)])
    return aware(parsed, field)


def _structure_date(value: Any, _: type) -> _dt.date:
    return date_from_text(value)


def _structure_time(value: Any, _: type) -> _dt.time:
    try:
        parsed = _dt.time.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is not None:
        raise InvalidDataError(
            [("", f"expected a local time HH:MM, e.g. 17:30, got {quoted(value)}")]
        )
    return parsed


def _structure_instant(value: Any, _: type) -> _dt.datetime:
    if (
        type(value) is str
        and value[-6:] == "+08:00"
        and len(value) >= 22  # YYYY-MM-DDTHH:MM+08:00 at least: a time is there
        and value[10] in "T "
        and value[13] == ":"
    ):
        # The common case: Beijing time, whose fixed offset is Asia/Shanghai's
        # own from 1992 on (what ``aware`` does, without the offset object).
        try:
            local = _dt.datetime.fromisoformat(value[:-6])
        except ValueError:
            local = None
        if local is not None and local.tzinfo is None and local.year in _FAST_YEARS:
            return local.replace(tzinfo=SHANGHAI)
    return instant_from_text(value)


#: Years a +08:00 instant is Asia/Shanghai's own and wholly in the accepted range.
_FAST_YEARS: Final = range(UTC8_SINCE, LAST_DAY.year + 1)


def _is_enum(t: Any) -> bool:
    return isinstance(t, type) and issubclass(t, enum.Enum)


def _enum_hook(cls: type[enum.Enum]) -> _Hook:
    """Members by their code (a dict look-up); anything else as ``cls(value)`` decides."""
    by_code = {m.value: m for m in cls if type(m.value) is str}
    codes = [m.value for m in cls]

    def structure_enum(value: Any, _: Any) -> enum.Enum:
        member = by_code.get(value) if type(value) is str else None
        if member is not None:
            return member
        try:
            return cls(value)
        except (ValueError, TypeError):
            raise InvalidDataError([("", f"{quoted(value)} is not one of {codes}")]) from None

    return structure_enum


def _is_optional(t: Any) -> bool:
    args = typing.get_args(t)
    return (
        typing.get_origin(t) in (typing.Union, types.UnionType)
        and len(args) == 2
        and type(None) in args
    )


def _is_variadic_tuple(t: Any) -> bool:
    args = typing.get_args(t)
    return typing.get_origin(t) is tuple and len(args) == 2 and args[1] is Ellipsis


def _is_set(t: Any) -> bool:
    return t in (set, frozenset) or typing.get_origin(t) in (set, frozenset)


def _sensitive_unstructure(reveal: bool) -> Callable[[ResidentId | PhoneNumber], str]:
    def sensitive(v: ResidentId | PhoneNumber) -> str:
        if reveal and not v.is_masked:
            return v.reveal()
        return str(v)

    return sensitive


def _structure_sensitive(value: Any, cls: type[ResidentId | PhoneNumber]) -> Any:
    if type(value) is not str and not isinstance(value, str):
        raise _type_error(value, "a string")
    return cls(value)


# ------------------------------------------------------------ the converter
def configure_converter(c: cattrs.Converter, *, reveal_personal_data: bool = False) -> None:
    """Install xinfang's hooks on a cattrs converter.

    Make it with ``forbid_extra_keys=True`` (as :func:`make_converter` does)
    so unknown keys are refused. ``reveal_personal_data`` writes resident ID
    numbers and phones whole; by default they are written masked.
    """
    # Scalars: JSON's own types, checked, never coerced ("1" is not 1).
    c.register_structure_hook(str, _structure_str)
    c.register_structure_hook(int, _structure_int)
    c.register_structure_hook(bool, _structure_bool)
    c.register_structure_hook(_dt.datetime, _structure_instant)
    c.register_structure_hook(_dt.date, _structure_date)
    c.register_structure_hook(_dt.time, _structure_time)
    c.register_unstructure_hook(_dt.datetime, _dt.datetime.isoformat)
    c.register_unstructure_hook(_dt.date, _dt.date.isoformat)
    c.register_unstructure_hook(_dt.time, _dt.time.isoformat)
    c.register_structure_hook_factory(_is_enum, _enum_hook)
    for cls in (ResidentId, PhoneNumber):
        c.register_unstructure_hook(cls, _sensitive_unstructure(reveal_personal_data))
        c.register_structure_hook(cls, _structure_sensitive)

    # Collections: tuples from arrays (any iterable but text or a mapping,
    # for Python callers), sets written sorted so exports are stable.
    detailed = c.detailed_validation

    def structure_optional_factory(t: Any) -> _Hook:
        inner = next(a for a in typing.get_args(t) if a is not type(None))
        hook = c.get_structure_hook(inner)

        def structure_optional(value: Any, _: Any) -> Any:
            return None if value is None else hook(value, inner)

        return structure_optional

    def structure_tuple_factory(t: Any) -> _Hook:
        item = typing.get_args(t)[0]
        hook = c.get_structure_hook(item)

        def structure_tuple(value: Any, _: Any) -> tuple[Any, ...]:
            if type(value) is list:
                if not value:
                    return ()
            elif isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
                raise _type_error(value, "an array")  # not a string's characters, nor keys
            if not detailed:
                return tuple([hook(v, item) for v in value])
            out, errors = [], []
            for i, v in enumerate(value):
                try:
                    out.append(hook(v, item))
                except Exception as exc:  # every problem is collected
                    note = IterableValidationNote(f"Structuring {t} @ index {i}", i, item)
                    exc.__notes__ = [*getattr(exc, "__notes__", []), note]
                    errors.append(exc)
            if errors:
                raise IterableValidationError(f"While structuring {t!r}", errors, t)
            return tuple(out)

        return structure_tuple

    def unstructure_set_factory(_: Any) -> Callable[[Any], list[Any]]:
        return lambda v: sorted((c.unstructure(i) for i in v), key=json.dumps)

    c.register_structure_hook_factory(_is_optional, structure_optional_factory)
    c.register_structure_hook_factory(_is_variadic_tuple, structure_tuple_factory)
    c.register_unstructure_hook_factory(_is_set, unstructure_set_factory)

    _configure_changes(c)
    _configure_case(c)
    _configure_clock(c)


def _configure_changes(c: cattrs.Converter) -> None:
    """Changes: a union tagged by ``kind``; each change object carries its kind."""
    # The generated hooks of each class, taken before the wrappers below replace them.
    structure_by_kind = {cls.kind: (c.get_structure_hook(cls), cls) for cls in CHANGE_TYPES}
    known = sorted(CHANGE_BY_KIND)

    def structure_change(value: Any, _: Any) -> Change:
        """The change the ``kind`` names, structured by that class's own hook."""
        kind = value.get("kind") if isinstance(value, Mapping) else None
        found = structure_by_kind.get(kind) if type(kind) is str else None
        if found is None:
            if not isinstance(value, Mapping):
                raise _type_error(value, "an object with a 'kind'")
            raise InvalidDataError(
                [("kind", f"unknown change kind {quoted(kind)}; one of {known}")]
            )
        hook, cls = found
        fields = dict(value)
        del fields["kind"]
        return hook(fields, cls)  # type: ignore[no-any-return]

    def structure_member(value: Any, cls: Any) -> Any:
        """One change class named as such: its ``kind`` may be there, and must match."""
        if isinstance(value, Mapping) and "kind" in value:
            if value["kind"] != cls.kind:
                raise InvalidDataError(
                    [("kind", f"expected {cls.kind!r}, got {quoted(value['kind'])}")]
                )
            return structure_change(value, cls)
        return structure_by_kind[cls.kind][0](value, cls)

    for cls in CHANGE_TYPES:
        base = c.get_unstructure_hook(cls)

        def unstructure_change(v: Any, _base: Callable[[Any], Any] = base) -> dict[str, Any]:
            return {"kind": v.kind, **_base(v)}

        c.register_unstructure_hook(cls, unstructure_change)
        c.register_structure_hook(cls, structure_member)
    c.register_structure_hook_func(lambda t: t == Change, structure_change)


_CASE_KEYS: Final = frozenset({"schema_version", "id", "events"})


def _configure_case(c: cattrs.Converter) -> None:
    """A case document: ``schema_version``, ``id`` and the events the case is the fold of.

    Configured after every hook an event needs: the event hook is taken once.
    """
    detailed = c.detailed_validation
    structure_event = c.get_structure_hook(Event)

    def unstructure_case(case: Case) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "id": case.id,
            "events": [c.unstructure(e, Event) for e in case.events],
        }

    def structure_case(value: Any, _: Any) -> Case:
        if not isinstance(value, Mapping):
            raise _type_error(value, "a case document (an object)")
        problems: list[tuple[str, str]] = []
        if not value.keys() <= _CASE_KEYS:
            problems.append(("$", f"unknown key(s) {sorted(value.keys() - _CASE_KEYS)}"))
        version = value.get("schema_version")
        if type(version) is not int or version != SCHEMA_VERSION:  # not true, not 1.0
            problems.append(
                ("$.schema_version", f"expected {SCHEMA_VERSION}, got {quoted(version)}")
            )
        raw_events = value.get("events")
        if not isinstance(raw_events, list) or not raw_events:
            problems.append(("$.events", "expected a non-empty list of events"))
            raise InvalidDataError(problems)
        if not detailed:
            if problems:
                raise InvalidDataError(problems)
            events = [structure_event(e, Event) for e in raw_events]
        else:
            events = _collect(c, raw_events, list[Event], "$.events", problems)
            if problems:
                raise InvalidDataError(problems)
        try:
            case = replay(events)
        except XinfangError as exc:
            i = getattr(exc, "index", None)
            where = "$.events" if i is None else f"$.events[{i}]"
            raise InvalidDataError([(where, exc.args[0])]) from None
        if "id" in value and value["id"] != case.id:
            raise InvalidDataError(
                [("$.id", f"{quoted(value['id'])} differs from the registered id")]
            )
        return case

    c.register_unstructure_hook(Case, unstructure_case)
    c.register_structure_hook(Case, structure_case)


def _configure_clock(c: cattrs.Converter) -> None:
    """A clock (a named tuple) as an object of its fields."""
    hints = typing.get_type_hints(Clock)

    def unstructure_clock(clock: Clock) -> dict[str, Any]:
        return {f: c.unstructure(getattr(clock, f)) for f in Clock._fields}

    def structure_clock(value: Any, _: Any) -> Clock:
        if not isinstance(value, Mapping):
            raise _type_error(value, "a clock object")
        missing = [f for f in Clock._fields if f not in value and f not in Clock._field_defaults]
        if missing:
            raise InvalidDataError([(m, "required field missing") for m in missing])
        return Clock(**{f: c.structure(value[f], hints[f]) for f in Clock._fields if f in value})

    c.register_unstructure_hook(Clock, unstructure_clock)
    c.register_structure_hook(Clock, structure_clock)


def make_converter(
    *, reveal_personal_data: bool = False, detailed_validation: bool = True, **kw: Any
) -> cattrs.Converter:
    """A new converter configured for xinfang (see :func:`configure_converter`).

    Unknown keys are refused (``forbid_extra_keys=True``) unless ``kw`` says
    otherwise; other keyword arguments go to :class:`cattrs.Converter`.
    ``detailed_validation=False`` gives a faster converter whose errors name
    only the first problem; :func:`structure` uses one for valid data and
    re-reads failures with a detailed one.
    """
    kw.setdefault("forbid_extra_keys", True)
    c = cattrs.Converter(detailed_validation=detailed_validation, **kw)
    configure_converter(c, reveal_personal_data=reveal_personal_data)
    return c


@functools.cache
def _converters() -> tuple[cattrs.Converter, cattrs.Converter, cattrs.Converter]:
    """The three converters, built the first time one is needed (not at import: ~60 ms).

    The default one (personal data masked, errors list every problem), the
    same hooks without detailed validation (the happy path of
    :func:`structure`), and the one that writes personal data revealed.
    """
    return (
        make_converter(),
        make_converter(detailed_validation=False),
        make_converter(reveal_personal_data=True),
    )


if TYPE_CHECKING:  # pragma: no cover
    #: The default converter: personal data written masked; errors list every problem.
    converter: cattrs.Converter


def __getattr__(name: str) -> Any:
    """``converter``, the default converter, built on first use."""
    if name == "converter":
        return _converters()[0]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def unstructure(value: Any, *, reveal_personal_data: bool = False) -> Any:
    """Plain data (JSON- and TOML-ready but for ``None``) for any xinfang value."""
    default, _, revealing = _converters()
    return (revealing if reveal_personal_data else default).unstructure(value)


def structure(data: Any, cls: type[T], *, source: str = "") -> T:
    """The value of type ``cls`` from plain ``data``, or :class:`~xinfang.InvalidDataError`.

    Valid data takes the fast converter; anything it refuses is read again by
    the detailed converter, so the error lists every problem with its path
    (``$.events[0].at``). ``source`` (a file name, ``"ledger"``) heads the
    error's message.
    """
    converter, fast, _ = _converters()
    try:
        return fast.structure(data, cls)
    except Exception:  # noqa: S110 - re-read below for the full list of problems
        pass
    try:
        value = converter.structure(data, cls)
    except InvalidDataError as exc:
        if exc.source == source or not source:
            raise
        raise InvalidDataError(exc.problems, source=source) from None
    except Exception as exc:  # every failure becomes InvalidDataError
        raise InvalidDataError(_problems(exc), source=source) from None
    return value  # pragma: no cover - the fast converter refused what the detailed one read


# ------------------------------------------------------------ problems
def _collect(
    c: cattrs.Converter, raw: Any, cls: Any, path: str, problems: list[tuple[str, str]]
) -> Any:
    """Structure ``raw``; on failure append every problem under ``path`` and return None."""
    try:
        return c.structure(raw, cls)
    except (BaseValidationError, XinfangError, ValueError, TypeError, KeyError) as exc:
        problems.extend(_problems(exc, path))
        return None


def _format(exc: BaseException, type_: type | None) -> str:
    if isinstance(exc, InvalidDataError):
        return "; ".join(f"{p}: {m}" if p else m for p, m in exc.problems)
    if isinstance(exc, XinfangError):
        return exc.message
    if isinstance(exc, KeyError):
        return "required field missing"
    if isinstance(exc, ForbiddenExtraKeysError):
        return f"unknown key(s) {sorted(exc.extra_fields)}"
    return format_exception(exc, type_)


def _problems(exc: BaseException, path: str = "$") -> list[tuple[str, str]]:
    if isinstance(exc, InvalidDataError) and not isinstance(exc, BaseValidationError):
        return [
            (f"{path}.{p}" if p and not p.startswith("$") else (p or path), m)
            for p, m in exc.problems
        ]
    if isinstance(exc, BaseValidationError):
        own = [
            e
            for e in exc.exceptions
            if isinstance(e, XinfangError) and e.path and not getattr(e, "__notes__", None)
        ]
        if own and len(own) == len(exc.exceptions):
            # Raised by the value's own validation (not by one field): keep its path.
            return [(f"{path}.{e.path}", e.message) for e in own]
        out = []
        for line in cattrs.transform_error(exc, path=path, format_exception=_format):
            msg, _, where = line.rpartition(" @ ")
            out.append((where or path, msg or line))
        return out
    if isinstance(exc, XinfangError):
        return [(exc.path or path, exc.message)]
    return [(path, f"{type(exc).__name__}: {exc}"[:200])]
