"""JSON in and out: the one cattrs converter of xinfang.

Shaped like ``cattrs.preconf`` modules: :func:`configure_converter`,
:func:`make_converter`, and ready-made :data:`converter` with :func:`dumps` /
:func:`loads`. On top of it: :func:`to_dict` / :func:`from_dict`,
:func:`to_json` / :func:`from_json`, JSON Lines ledgers
(:func:`dump_ledger`, :func:`load_ledger`) and :func:`json_schema`.

Conventions: instants are ISO 8601 with their offset (``+08:00``), dates
``YYYY-MM-DD``, enums their lowercase codes, periods ``{"amount", "unit"}``.
A case is written as its events (the case is their fold) under a
``schema_version``. Personal data (resident ID numbers, phones) is written
**masked** unless the caller passes ``reveal_personal_data=True``.

Malformed input raises :class:`~xinfang.InvalidDataError` listing every
problem as ``(field path, message)``; nothing is partly loaded.
"""

from __future__ import annotations

import datetime as _dt
import enum
import gc
import json
import types
import typing
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Final, TypeVar

import attrs
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
from xinfang.clocks import Clock
from xinfang.errors import InvalidDataError, XinfangError
from xinfang.instants import _UTC8_SINCE, SHANGHAI, aware
from xinfang.personal import PhoneNumber, ResidentId

__all__ = [
    "SCHEMA_VERSION",
    "configure_converter",
    "converter",
    "dump_ledger",
    "dumps",
    "from_dict",
    "from_json",
    "json_schema",
    "load_ledger",
    "loads",
    "make_converter",
    "to_dict",
    "to_json",
    "to_toml",
]

#: The version of the JSON documents this module writes and reads.
SCHEMA_VERSION: Final = 1

T = TypeVar("T")


def _type_error(value: Any, expected: str) -> InvalidDataError:
    return InvalidDataError([("", f"expected {expected}, got {type(value).__name__}")])


def _structure_str(value: Any, _: type) -> str:
    if not isinstance(value, str):
        raise _type_error(value, "a string")
    return value


def _structure_int(value: Any, _: type) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise _type_error(value, "an integer")
    return value


def _structure_bool(value: Any, _: type) -> bool:
    if not isinstance(value, bool):
        raise _type_error(value, "true or false")
    return value


def _structure_date(value: Any, _: type) -> _dt.date:
    if type(value) is _dt.date:  # TOML has dates of its own
        return value
    if not isinstance(value, str) or len(value) != 10:
        raise InvalidDataError([("", f"expected a date YYYY-MM-DD, got {value!r}"[:120])])
    try:
        return _dt.date.fromisoformat(value)
    except ValueError:
        raise InvalidDataError([("", f"not a date: {value!r}"[:120])]) from None


def _structure_time(value: Any, _: type) -> _dt.time:
    try:
        parsed = _dt.time.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is not None:
        raise InvalidDataError([("", f"expected a local time HH:MM, got {value!r}"[:120])])
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
        if local is not None and local.tzinfo is None and local.year >= _UTC8_SINCE:
            return local.replace(tzinfo=SHANGHAI)
    if not isinstance(value, str):
        raise _type_error(value, "an ISO 8601 instant with offset")
    try:
        parsed = _dt.datetime.fromisoformat(value)
    except ValueError:
        raise InvalidDataError([("", f"not an ISO 8601 instant: {value!r}"[:120])]) from None
    if parsed.tzinfo is None:
        raise InvalidDataError([("", f"instant {value!r} has no offset (e.g. +08:00)"[:120])])
    return aware(parsed)


def _structure_enum(value: Any, cls: type[enum.Enum]) -> enum.Enum:
    try:
        return cls(value)
    except (ValueError, TypeError):
        codes = [m.value for m in cls]
        raise InvalidDataError([("", f"{value!r} is not one of {codes}"[:200])]) from None


def configure_converter(c: cattrs.Converter, *, reveal_personal_data: bool = False) -> None:
    """Install xinfang's hooks on a cattrs converter.

    ``reveal_personal_data`` writes resident ID numbers and phones whole;
    by default they are written masked.
    """
    c.register_structure_hook(str, _structure_str)
    c.register_structure_hook(int, _structure_int)
    c.register_structure_hook(bool, _structure_bool)
    c.register_unstructure_hook(_dt.datetime, lambda v: v.isoformat())
    c.register_structure_hook(_dt.datetime, _structure_instant)
    c.register_unstructure_hook(_dt.date, lambda v: v.isoformat())
    c.register_structure_hook(_dt.date, _structure_date)

    def is_set(t: Any) -> bool:
        return t in (set, frozenset) or typing.get_origin(t) in (set, frozenset)

    c.register_unstructure_hook_factory(
        is_set,
        lambda _: lambda v: sorted((c.unstructure(i) for i in v), key=json.dumps),
    )
    c.register_unstructure_hook(_dt.time, lambda v: v.isoformat())
    c.register_structure_hook(_dt.time, _structure_time)

    def is_variadic_tuple(t: Any) -> bool:
        args = typing.get_args(t)
        return typing.get_origin(t) is tuple and len(args) == 2 and args[1] is Ellipsis

    def structure_tuple_factory(t: Any) -> Any:
        item = typing.get_args(t)[0]

        def structure_tuple(value: Any, _: Any) -> tuple[Any, ...]:
            if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
                raise _type_error(value, "an array")  # not a string's characters, nor keys
            if not c.detailed_validation:
                return tuple(c.structure(v, item) for v in value)
            out, errors = [], []
            for i, v in enumerate(value):
                try:
                    out.append(c.structure(v, item))
                except Exception as exc:
                    note = IterableValidationNote(f"Structuring {t} @ index {i}", i, item)
                    exc.__notes__ = [*getattr(exc, "__notes__", []), note]
                    errors.append(exc)
            if errors:
                raise IterableValidationError(f"While structuring {t!r}", errors, t)
            return tuple(out)

        return structure_tuple

    c.register_structure_hook_factory(is_variadic_tuple, structure_tuple_factory)
    c.register_structure_hook_func(
        lambda t: isinstance(t, type) and issubclass(t, enum.Enum), _structure_enum
    )

    def sensitive(v: ResidentId | PhoneNumber) -> str:
        if reveal_personal_data and not v.is_masked:
            return v.reveal()
        return str(v)

    def structure_sensitive(value: Any, cls: type[Any]) -> Any:
        if not isinstance(value, str):
            raise _type_error(value, "a string")
        return cls(value)

    for cls in (ResidentId, PhoneNumber):
        c.register_unstructure_hook(cls, sensitive)
        c.register_structure_hook(cls, structure_sensitive)

    # Changes: a tagged union on "kind".
    for change_cls in CHANGE_TYPES:
        base = c.get_unstructure_hook(change_cls)

        def unstructure_change(v: Any, _base: Any = base) -> dict[str, Any]:
            return {"kind": v.kind, **_base(v)}

        c.register_unstructure_hook(change_cls, unstructure_change)
        base_structure = c.get_structure_hook(change_cls)

        def structure_one(value: Any, cls: Any, _base: Any = base_structure) -> Any:
            if isinstance(value, Mapping) and "kind" in value:
                if value["kind"] != cls.kind:
                    raise InvalidDataError(
                        [("kind", f"expected {cls.kind!r}, got {value['kind']!r}")]
                    )
                value = {k: v for k, v in value.items() if k != "kind"}
            return _base(value, cls)

        c.register_structure_hook(change_cls, structure_one)

    def structure_change(value: Any, _: Any) -> Change:
        if not isinstance(value, Mapping):
            raise _type_error(value, "an object with a 'kind'")
        kind = value.get("kind")
        cls = CHANGE_BY_KIND.get(kind) if isinstance(kind, str) else None
        if cls is None:
            raise InvalidDataError(
                [("kind", f"unknown change kind {kind!r}; one of {sorted(CHANGE_BY_KIND)}")]
            )
        return c.structure(value, cls)

    change_union = typing.get_type_hints(Event)["change"]
    c.register_structure_hook_func(lambda t: t == change_union, structure_change)

    # A case is its events.
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
        extra = sorted(set(value) - {"schema_version", "id", "events"})
        if extra:
            problems.append(("$", f"unknown key(s) {extra}"))
        version = value.get("schema_version")
        if type(version) is not int or version != SCHEMA_VERSION:  # not true, not 1.0
            problems.append(
                ("$.schema_version", f"expected {SCHEMA_VERSION}, got {version!r}"[:120])
            )
        raw_events = value.get("events")
        if not isinstance(raw_events, list) or not raw_events:
            problems.append(("$.events", "expected a non-empty list of events"))
            raise InvalidDataError(problems)
        events = _collect(c, raw_events, list[Event], "$.events", problems)
        if problems:
            raise InvalidDataError(problems)
        assert events is not None  # noqa: S101 - no problems means it was structured
        try:
            case = replay(events)
        except XinfangError as exc:
            i = getattr(exc, "index", 0)
            raise InvalidDataError([(f"$.events[{i}]", exc.args[0])]) from None
        if "id" in value and value["id"] != case.id:
            raise InvalidDataError([("$.id", f"{value['id']!r} differs from the registered id")])
        return case

    c.register_unstructure_hook(Case, unstructure_case)
    c.register_structure_hook(Case, structure_case)

    def unstructure_clock(clock: Clock) -> dict[str, Any]:
        return {f: c.unstructure(getattr(clock, f)) for f in Clock._fields}

    def structure_clock(value: Any, _: Any) -> Clock:
        if not isinstance(value, Mapping):
            raise _type_error(value, "a clock object")
        hints = typing.get_type_hints(Clock)
        missing = [f for f in Clock._fields if f not in value and f not in Clock._field_defaults]
        if missing:
            raise InvalidDataError([(m, "required field missing") for m in missing])
        return Clock(**{f: c.structure(value[f], hints[f]) for f in Clock._fields if f in value})

    c.register_unstructure_hook(Clock, unstructure_clock)
    c.register_structure_hook(Clock, structure_clock)


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


def make_converter(
    *, reveal_personal_data: bool = False, detailed_validation: bool = True
) -> cattrs.Converter:
    """A new converter configured for xinfang (see :func:`configure_converter`).

    ``detailed_validation=False`` gives a faster converter whose errors name
    only the first problem; :func:`from_dict` uses one for the happy path and
    re-reads failures with the detailed one.
    """
    c = cattrs.Converter(forbid_extra_keys=True, detailed_validation=detailed_validation)
    configure_converter(c, reveal_personal_data=reveal_personal_data)
    return c


#: The default converter: personal data written masked; errors list every problem.
converter: Final = make_converter()
_fast: Final = make_converter(detailed_validation=False)
_revealing: Final = make_converter(reveal_personal_data=True)


def _conv(reveal: bool) -> cattrs.Converter:
    return _revealing if reveal else converter


def to_dict(obj: Any, *, reveal_personal_data: bool = False) -> Any:
    """A JSON-ready structure for any xinfang value (a case document for a ``Case``)."""
    return _conv(reveal_personal_data).unstructure(obj)


# -------------------------------------------------- the fast path for cases
# Case documents are read by decoders compiled from the attrs fields (type
# checks inline, then the classes' own constructors, so every validator and
# converter still runs). They accept only what the converter accepts and give
# the same values (a property test holds them to it); on anything unusual they
# give up and the converter reads the document, naming every problem.
def _compile(tp: Any, memo: dict[Any, Any]) -> Any:
    """A function JSON value -> typed value for ``tp``, raising anything to give up."""
    if tp in memo:
        return memo[tp]
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if tp in (str, int, bool):

        def simple(v: Any, _t: type = tp) -> Any:
            if type(v) is not _t:
                raise TypeError(_t)
            return v

        fn: Any = simple
    elif tp in (_dt.datetime, _dt.date):
        hook = _structure_instant if tp is _dt.datetime else _structure_date
        fn = lambda v, _h=hook, _t=tp: _h(v, _t)  # noqa: E731
    elif isinstance(tp, type) and issubclass(tp, enum.Enum):
        members = {m.value: m for m in tp if isinstance(m.value, str)}

        def member(v: Any, _m: dict[str, Any] = members) -> Any:
            if type(v) is not str:
                raise TypeError(v)
            return _m[v]

        fn = member
    elif tp in (ResidentId, PhoneNumber):

        def sensitive(v: Any, _t: type = tp) -> Any:
            if type(v) is not str:
                raise TypeError(v)
            return _t(v)

        fn = sensitive
    elif origin in (typing.Union, types.UnionType) and set(args) == set(CHANGE_TYPES):
        by_kind: dict[str, Any] = {}
        memo[tp] = lambda v: by_kind[v["kind"]](v)
        by_kind.update({cls.kind: _compile(cls, memo) for cls in CHANGE_TYPES})
        return memo[tp]
    elif origin in (typing.Union, types.UnionType) and len(args) == 2 and type(None) in args:
        inner = _compile(next(a for a in args if a is not type(None)), memo)
        fn = lambda v: None if v is None else inner(v)  # noqa: E731
    elif origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        item = _compile(args[0], memo)

        def items(v: Any) -> tuple[Any, ...]:
            if type(v) is not list:
                raise TypeError(list)
            return tuple(map(item, v))

        fn = items
    elif attrs.has(tp):
        fn = _compile_class(tp, memo)
    else:  # pragma: no cover - a model field of a new type: teach the decoder
        raise TypeError(f"no fast decoder for {tp!r}")
    memo[tp] = fn
    return fn


def _compile_class(cls: type, memo: dict[Any, Any]) -> Any:
    """Generated code: check the keys, decode each field, call the constructor."""
    hints = typing.get_type_hints(cls)
    fields = [f for f in attrs.fields(cls) if f.init]
    is_change = cls in CHANGE_TYPES
    allowed = frozenset(f.name for f in fields) | ({"kind"} if is_change else set())
    env: dict[str, Any] = {"cls": cls, "allowed": allowed, "KIND": getattr(cls, "kind", None)}
    body = [
        "def decode(v):",
        "    if type(v) is not dict or not v.keys() <= allowed:",
        "        raise TypeError(cls)",
    ]
    if is_change:
        body += ["    if v['kind'] != KIND:", "        raise TypeError(cls)"]
    body.append("    kw = {}")
    for f in fields:
        tp = hints[f.name]
        if tp in (str, int, bool):
            check = f"type(x) is not {tp.__name__}"
            env[tp.__name__] = tp
            store = [f"if {check}:", "    raise TypeError(cls)", f"kw[{f.alias!r}] = x"]
        else:
            env[f"h_{f.name}"] = memo.get(tp) or _compile(tp, memo)
            store = [f"kw[{f.alias!r}] = h_{f.name}(x)"]
        if f.default is attrs.NOTHING:
            body.append(f"    x = v[{f.name!r}]")
            body += [f"    {line}" for line in store]
        else:
            body.append(f"    if {f.name!r} in v:")
            body.append(f"        x = v[{f.name!r}]")
            body += [f"        {line}" for line in store]
    body.append("    return cls(**kw)")
    exec("\n".join(body), env)  # noqa: S102 - code built from the model's own field names
    return env["decode"]


_EVENT: Final = _compile(Event, {})


def _fast_case(value: Any) -> Case:
    """A case document read by the compiled decoders; raises anything to give up."""
    if type(value) is not dict or not value.keys() <= {"schema_version", "id", "events"}:
        raise TypeError(value)
    raw = value.get("events")
    version = value.get("schema_version")
    if type(version) is not int or version != SCHEMA_VERSION or type(raw) is not list or not raw:
        raise TypeError(value)
    case = replay(map(_EVENT, raw))
    if "id" in value and value["id"] != case.id:
        raise TypeError(value)
    return case


_parse: Callable[[str | bytes], Any] = json.loads
try:  # an optional, faster parser (pip install 'xinfang[fast]')
    import orjson

    _parse = orjson.loads
except ImportError:  # pragma: no cover - depends on the environment
    pass


def from_dict(data: Any, cls: type[T], *, source: str = "") -> T:
    """The value of type ``cls`` from JSON-ready ``data``, or :class:`~xinfang.InvalidDataError`.

    Valid data takes the fast converter; anything it refuses is read again by
    the detailed converter, so the error lists every problem with its path.
    """
    try:
        return _fast_case(data) if cls is Case else _fast.structure(data, cls)  # type: ignore[return-value]
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


def to_json(obj: Any, *, reveal_personal_data: bool = False, indent: int | None = None) -> str:
    """JSON text for any xinfang value (UTF-8 friendly: Chinese is written as is)."""
    return json.dumps(
        to_dict(obj, reveal_personal_data=reveal_personal_data),
        ensure_ascii=False,
        indent=indent,
        separators=None if indent else (",", ":"),
    )


def from_json(text: str | bytes, cls: type[T] = Case, *, source: str = "") -> T:  # type: ignore[assignment]
    """The value of type ``cls`` (default: :class:`~xinfang.Case`) from JSON text."""
    if cls is Case and _parse is not json.loads:
        try:  # the fast path: orjson and the compiled decoders
            return _fast_case(_parse(text))  # type: ignore[return-value]
        except Exception:  # noqa: S110 - read again below, exactly as json reads it
            pass
    try:
        data = json.loads(text)
    except (ValueError, TypeError) as exc:
        raise InvalidDataError([("$", f"not valid JSON: {exc}"[:200])], source=source) from None
    return from_dict(data, cls, source=source)


dumps = to_json
loads = from_json


def _drop_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_none(v) for v in value]
    return value


def to_toml(obj: Any, *, reveal_personal_data: bool = False) -> str:
    """TOML text for a value whose fields TOML can hold (an organisation, a policy).

    ``None`` fields are left out (TOML has no null); reading the file back
    gives them their defaults.
    """
    import tomli_w

    data = _drop_none(to_dict(obj, reveal_personal_data=reveal_personal_data))
    if not isinstance(data, dict):
        raise InvalidDataError([("$", "only a table (an object) can be written as TOML")])
    return tomli_w.dumps(data)


def dump_ledger(cases: Iterable[Case], *, reveal_personal_data: bool = False) -> str:
    """A JSON Lines ledger: one case document per line."""
    return "".join(to_json(c, reveal_personal_data=reveal_personal_data) + "\n" for c in cases)


def load_ledger(
    lines: str | Iterable[str], *, source: str = "ledger", pause_gc: bool = True
) -> list[Case]:
    """Every case of a JSON Lines ledger, or one error listing every bad line's problems.

    Blank lines are skipped. Problem paths read ``line 12: $.events[0].at``.

    While it builds the cases, the cyclic garbage collector is paused and then
    restored as it was (the values built hold no reference cycles; with it
    running, collections over the growing result cost 20-45% at 100,000
    cases). From the first bad line on it runs again (failures leave cyclic
    garbage). ``pause_gc=False`` leaves the collector alone.
    """
    if isinstance(lines, str):
        # JSON Lines are separated by "\n" only: U+2028 and friends, which
        # str.splitlines() would also split on, may stand unescaped in a string.
        lines = lines.split("\n")
    out: list[Case] = []
    problems: list[tuple[str, str]] = []
    paused = pause_gc and gc.isenabled()
    if paused:
        gc.disable()
    try:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                out.append(from_json(line))
            except InvalidDataError as exc:
                problems.extend((f"line {number}: {p}", m) for p, m in exc.problems)
                if paused:  # failures leave cyclic garbage: let the collector run again
                    gc.enable()
                    paused = False
    finally:
        if paused:
            gc.enable()
    if problems:
        raise InvalidDataError(problems, source=source)
    return out


# ------------------------------------------------------------- JSON Schema
def _schema_for(tp: Any, defs: dict[str, Any]) -> dict[str, Any]:
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if tp is str:
        return {"type": "string"}
    if tp is bool:
        return {"type": "boolean"}
    if tp is int:
        return {"type": "integer"}
    if tp is _dt.datetime:
        return {"type": "string", "format": "date-time"}
    if tp is _dt.date:
        return {"type": "string", "format": "date"}
    if tp in (ResidentId, PhoneNumber):
        return {"type": "string"}
    if tp is type(None):
        return {"type": "null"}
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return {"enum": [m.value for m in tp]}
    if origin in (typing.Union, types.UnionType):
        if set(args) == set(CHANGE_TYPES):
            return {"oneOf": [_schema_for(a, defs) for a in args]}
        return {"anyOf": [_schema_for(a, defs) for a in args]}
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        return {"type": "array", "items": _schema_for(args[0], defs)}
    if origin is list:
        return {"type": "array", "items": _schema_for(args[0], defs)}
    if attrs.has(tp):
        name = tp.__name__
        if name not in defs:
            defs[name] = {}
            hints = typing.get_type_hints(tp)
            props: dict[str, Any] = {}
            required: list[str] = []
            if hasattr(tp, "kind") and tp in CHANGE_TYPES:
                props["kind"] = {"const": tp.kind}
                required.append("kind")
            for f in attrs.fields(tp):
                if not f.init:
                    continue
                props[f.name] = _schema_for(hints[f.name], defs)
                if f.default is attrs.NOTHING:
                    required.append(f.name)
            defs[name] = {
                "type": "object",
                "properties": props,
                "required": required,
                "additionalProperties": False,
            }
        return {"$ref": f"#/$defs/{name}"}
    raise TypeError(f"no JSON Schema for {tp!r}")  # pragma: no cover


def json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a case document, for hosts' validators."""
    defs: dict[str, Any] = {}
    event = _schema_for(Event, defs)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://xinfang.invalid/schema/case-v1.json",
        "title": "xinfang case document",
        "description": "A petition matter (信访事项) as its events; schema_version 1.",
        "type": "object",
        "properties": {
            "schema_version": {"const": SCHEMA_VERSION},
            "id": {"type": "string"},
            "events": {"type": "array", "items": event, "minItems": 1},
        },
        "required": ["schema_version", "events"],
        "additionalProperties": False,
        "$defs": defs,
    }
