"""JSON in and out: case documents, JSON Lines ledgers, the JSON Schema, TOML export.

The edge over :mod:`xinfang.convert` (the one cattrs converter), shaped like
a ``cattrs.preconf`` module: :func:`configure_converter`,
:func:`make_converter` and the ready-made :data:`converter` come from there,
:func:`dumps` / :func:`loads` are added here. On top of them:
:func:`to_dict` / :func:`from_dict`, :func:`to_json` / :func:`from_json`,
JSON Lines ledgers (:func:`dump_ledger`, :func:`load_ledger`),
:func:`json_schema` and :func:`to_toml`.

Conventions (see :mod:`xinfang.convert`): instants are ISO 8601 with their
offset (``+08:00``), dates ``YYYY-MM-DD``, enums their lowercase codes,
periods ``{"amount", "unit"}``. A case is written as its events (the case is
their fold) under a ``schema_version``. Personal data (resident ID numbers,
phones) is written **masked** unless the caller passes
``reveal_personal_data=True``.

Malformed input raises :class:`~xinfang.InvalidDataError` listing every
problem as ``(field path, message)``; nothing is partly loaded. JSON text is
parsed by orjson where it is installed (``pip install 'xinfang[fast]'``);
text orjson refuses (a lone surrogate, a huge integer, ``NaN``) is read as
the standard library's :mod:`json` reads it.
"""

from __future__ import annotations

import datetime as _dt
import enum
import json
import re
import types
import typing
from typing import TYPE_CHECKING, Any, Final, TypeVar

import attrs
import tomli_w

from xinfang.case import Case
from xinfang.changes import CHANGE_TYPES, Event
from xinfang.convert import (
    SCHEMA_VERSION,
    configure_converter,
    converter,
    make_converter,
    structure,
    unstructure,
)
from xinfang.errors import InvalidDataError
from xinfang.personal import PhoneNumber, ResidentId

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Callable, Iterable

__all__ = [
    "LONE_SURROGATE_OR_NUL",
    "SCHEMA_VERSION",
    "BadLine",
    "configure_converter",
    "converter",
    "dump_ledger",
    "dumps",
    "from_dict",
    "from_json",
    "json_schema",
    "line_problems",
    "load_ledger",
    "loads",
    "make_converter",
    "to_dict",
    "to_json",
    "to_toml",
]

T = TypeVar("T")

#: JSON text that may hold text a database or an Arrow string cannot (not
#: Unicode, or a NUL): an escape of a NUL or of a surrogate (``\u0000``,
#: ``\ud800``-``\udfff``), or either raw. A quick alarm before a walk of the
#: parsed value, which decides: a false alarm (an escaped surrogate pair, which
#: is valid, or a backslash before ``u0000``) costs only that walk. The store
#: checks event payloads and ledger lines with it; the columnar reader, lines.
LONE_SURROGATE_OR_NUL: Final = re.compile(r"\\u0000|\\u[dD][89a-fA-F]|[\x00\ud800-\udfff]")


def _load_parser() -> Callable[[str | bytes], Any]:
    try:  # an optional, faster parser (pip install 'xinfang[fast]')
        import orjson
    except ImportError:  # pragma: no cover - depends on the environment
        return json.loads
    return orjson.loads


_parse: Callable[[str | bytes], Any] = _load_parser()


def to_dict(obj: Any, *, reveal_personal_data: bool = False) -> Any:
    """A JSON-ready structure for any xinfang value (a case document for a ``Case``)."""
    return unstructure(obj, reveal_personal_data=reveal_personal_data)


def from_dict(data: Any, cls: type[T], *, source: str = "") -> T:
    """The value of type ``cls`` from JSON-ready ``data``, or :class:`~xinfang.InvalidDataError`.

    Valid data takes the fast converter; anything it refuses is read again by
    the detailed converter, so the error lists every problem with its path
    (:func:`xinfang.convert.structure`).
    """
    return structure(data, cls, source=source)


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
    if _parse is not json.loads:
        try:  # the fast path: orjson, then the converter
            return structure(_parse(text), cls, source=source)
        except (ValueError, TypeError):  # InvalidDataError too: read again as json reads it
            pass  # (orjson refuses lone surrogates and NaN, and reads huge integers as floats)
    try:
        data = json.loads(text)
    except (ValueError, TypeError) as exc:
        raise InvalidDataError([("$", f"not valid JSON: {exc}"[:200])], source=source) from None
    except RecursionError:
        raise InvalidDataError(
            [("$", "not valid JSON here: nested too deeply to read")], source=source
        ) from None
    return structure(data, cls, source=source)


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
    data = _drop_none(to_dict(obj, reveal_personal_data=reveal_personal_data))
    if not isinstance(data, dict):
        raise InvalidDataError([("$", "only a table (an object) can be written as TOML")])
    return tomli_w.dumps(data)


def dump_ledger(cases: Iterable[Case], *, reveal_personal_data: bool = False) -> str:
    """A JSON Lines ledger: one case document per line."""
    return "".join(to_json(c, reveal_personal_data=reveal_personal_data) + "\n" for c in cases)


#: A ledger line's own case id, where the line begins as :func:`dump_ledger` writes it.
_LINE_ID = re.compile(r'\{\s*(?:"schema_version"\s*:\s*-?\d+\s*,\s*)?"id"\s*:\s*"([^"\\]{1,100})"')


@attrs.frozen
class BadLine:
    """A ledger line that was refused: where it is, whose it is, and why.

    ``line`` counts from 1, blank lines included; ``case_id`` is the id the
    line gives (``None`` when it gives none that can be read); ``problems``
    are ``(field path, message)`` pairs with paths inside the line's document
    (``$.events[0].at``), as :class:`~xinfang.InvalidDataError` lists them.
    """

    line: int
    case_id: str | None
    problems: tuple[tuple[str, str], ...]

    @classmethod
    def of(cls, number: int, line: str, problems: Iterable[tuple[str, str]]) -> BadLine:
        """The refusal of line ``number`` (its text ``line``) for ``problems``."""
        found = _LINE_ID.match(line)
        cid: Any = found.group(1) if found else None
        if cid is None:
            try:
                doc = json.loads(line)
            except (ValueError, RecursionError):
                doc = None
            cid = doc.get("id") if isinstance(doc, dict) else None
        if not (isinstance(cid, str) and 0 < len(cid) <= 100 and cid.isprintable()):
            cid = None
        return cls(number, cid, tuple(problems))

    @property
    def where(self) -> str:
        """``line 12 (case XF-A0012)``, or ``line 13`` when the line gives no id."""
        if self.case_id is None:
            return f"line {self.line}"
        return f"line {self.line} (case {self.case_id})"

    def headed(self) -> list[tuple[str, str]]:
        """The problems with paths headed by :attr:`where`, as a ledger's error lists them."""
        return [(f"{self.where}: {path}", message) for path, message in self.problems]


def line_problems(
    number: int, line: str, problems: Iterable[tuple[str, str]]
) -> list[tuple[str, str]]:
    """A bad ledger line's problems, each path headed by its line number and case id.

    The case id is the line's ``"id"`` as written (read from the line's start,
    or from the document when the line is JSON), so an operator can find the
    case in a ledger of millions of lines; a line with no readable id is
    headed by its number alone: ``line 12 (case XF-A0012): $.events[0].at``,
    ``line 13: $``. :func:`load_ledger` and the columnar reader word them
    alike.
    """
    return BadLine.of(number, line, problems).headed()


#: The rule a ledger naming one case on two lines breaks (every reader words it so).
ONE_LINE_PER_CASE = "a ledger names each case once: one line per case id"


def duplicate_id(number: int, case_id: str, first: int) -> BadLine:
    """Line ``number``, which names case ``case_id`` again (first named on line ``first``)."""
    return BadLine(number, case_id, (("$.id", f"already on line {first}: {ONE_LINE_PER_CASE}"),))


def load_ledger(lines: str | Iterable[str], *, source: str = "ledger") -> list[Case]:
    """Every case of a JSON Lines ledger, or one error listing every bad line's problems.

    Blank lines are skipped. Problem paths read ``line 12 (case XF-A0012):
    $.events[0].at``: the line's number, the case id the line gives (when it
    gives one), and the field. A ledger names each case once: a valid line
    naming a case id a line above it named is a problem of its own
    (``line 7 (case XF-1): $.id``, ``already on line 3: ...``), as
    :func:`xinfang.load_journal`, :func:`xinfang.columnar.read_journal` and
    :meth:`xinfang.Store.import_ledger` word it.

    The garbage collector is left alone: a library does not change
    process-wide state. A host loading a large ledger may pause the collector
    itself, in its own process, around the call (the :mod:`gc` module's
    ``disable()`` before and ``enable()`` after, in a ``finally``), or
    ``freeze()`` the cases once loaded to keep later collections off them; the
    cases hold no reference cycles. With it running, its passes over the
    growing result cost a large share of the time at 100,000 cases.
    """
    if isinstance(lines, str):
        # JSON Lines are separated by "\n" only: U+2028 and friends, which
        # str.splitlines() would also split on, may stand unescaped in a string.
        lines = lines.split("\n")
    out: list[Case] = []
    problems: list[tuple[str, str]] = []
    first_line: dict[str, int] = {}
    for number, line in enumerate(lines, start=1):
        if not line or line.isspace():
            continue
        try:
            case: Case = from_json(line)
        except InvalidDataError as exc:
            problems.extend(line_problems(number, line, exc.problems))
            continue
        seen = first_line.setdefault(case.id, number)
        if seen != number:
            problems.extend(duplicate_id(number, case.id, seen).headed())
        out.append(case)
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
        "$id": "urn:xinfang:schema:case:1",
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
