"""The mapping file: how a sheet's columns become a case's fields and events (TOML).

A mapping is data: the column header(s) of each field, the office's words for
the library's codes, other names of units and officials, and a few settings
(the sheet, the header row, how an id is made when the sheet has none). The
default mapping (``default_mapping.toml``, the template's layout) is the base;
an office's file names only what differs and is laid over it.
"""

from __future__ import annotations

import difflib
import enum
import tomllib
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import attrs

from xinfang.sheets._cells import normal_text
from xinfang.sheets._errors import SheetError
from xinfang.vocabulary import Category, Channel, Outcome, Rating

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Mapping

__all__ = [
    "CARRIED",
    "FIELDS",
    "REQUIRED",
    "FieldKind",
    "SheetMapping",
    "default_mapping",
    "load_mapping",
]


class FieldKind(enum.Enum):
    """What a column holds, and so how its cells are read."""

    TEXT = "text"
    DATE = "date"
    COUNT = "count"
    RESIDENT_ID = "resident_id"
    PHONE = "phone"
    CHOICE = "choice"
    UNIT = "unit"
    UNITS = "units"
    OFFICIAL = "official"
    FLAG = "flag"


#: Every field a sheet may hold, and what kind of cell it is.
FIELDS: Final[Mapping[str, FieldKind]] = {
    "id": FieldKind.TEXT,
    "petitioner": FieldKind.TEXT,
    "id_number": FieldKind.RESIDENT_ID,
    "phone": FieldKind.PHONE,
    "received": FieldKind.DATE,
    "channel": FieldKind.CHOICE,
    "claim": FieldKind.TEXT,
    "facts": FieldKind.TEXT,
    "reasons": FieldKind.TEXT,
    "category": FieldKind.CHOICE,
    "group_size": FieldKind.COUNT,
    "skip_level": FieldKind.FLAG,
    "beijing_visit": FieldKind.FLAG,
    "accused_units": FieldKind.UNITS,
    "backlog_since": FieldKind.DATE,
    "receiving_unit": FieldKind.UNIT,
    "unit": FieldKind.UNIT,
    "transferred": FieldKind.DATE,
    "report_back_by": FieldKind.DATE,
    "notified": FieldKind.DATE,
    "accepted": FieldKind.DATE,
    "owned": FieldKind.DATE,
    "lead_official": FieldKind.OFFICIAL,
    "responsible_person": FieldKind.OFFICIAL,
    "plan_set": FieldKind.DATE,
    "plan_deadline": FieldKind.DATE,
    "measures": FieldKind.TEXT,
    "plan_steps": FieldKind.TEXT,
    "closed": FieldKind.DATE,
    "outcome": FieldKind.CHOICE,
    "rating": FieldKind.CHOICE,
    "settled": FieldKind.CHOICE,
    "settled_on": FieldKind.DATE,
    "progress": FieldKind.TEXT,
    "note": FieldKind.TEXT,
}
#: Fields a mapping must give a column for.
REQUIRED: Final = ("petitioner", "received", "channel", "claim")
#: Fields read but not carried into any event (kept in the sheet for people); 办理进展
#: is carried only when it starts with a date (the latest progress report).
NOT_CARRIED: Final = frozenset({"note"})
#: Fields that become part of a case (everything but ``NOT_CARRIED``).
CARRIED: Final = tuple(f for f in FIELDS if f not in NOT_CARRIED)

#: The codes each choice field accepts.
_CODES: Final[Mapping[str, tuple[str, ...]]] = {
    "channel": tuple(c.value for c in Channel),
    "category": tuple(c.value for c in Category),
    "outcome": tuple(c.value for c in Outcome),
    "rating": tuple(c.value for c in Rating),
    "settled": ("yes", "no"),
    "yes_no": ("yes", "no"),
}
_SETTINGS: Final = (
    "sheet",
    "header_row",
    "id_prefix",
    "id_from",
    "transfer",
    "receiving_unit",
    "opinion_basis",
    "settle_evidence",
    "role_reason",
)
_TRANSFERS: Final = ("forward", "assign")

_Pairs = tuple[tuple[str, str], ...]


@attrs.frozen(kw_only=True)
class SheetMapping:
    """How a sheet becomes cases: columns per field, words per code, aliases, settings.

    Build it with :func:`load_mapping` or :func:`default_mapping`; it is
    validated there. ``columns`` pairs each mapped field with its headers
    (the first is the one the template writes); ``values`` pairs each choice
    field with its (word, code) pairs in file order.
    """

    sheet: str = ""
    header_row: int = 0
    id_prefix: str = "TZ-"
    id_from: tuple[str, ...] = ("petitioner", "received", "claim")
    transfer: str = "forward"
    receiving_unit: str = ""
    opinion_basis: str = "台账登记的办理结果"
    settle_evidence: str = "台账登记: 已化解"
    role_reason: str = "台账登记: 包案"
    columns: tuple[tuple[str, tuple[str, ...]], ...] = ()
    values: tuple[tuple[str, _Pairs], ...] = ()
    unit_aliases: _Pairs = ()
    official_aliases: _Pairs = ()

    def headers(self, field: str) -> tuple[str, ...]:
        """The headers that may hold ``field`` (empty: not mapped)."""
        for name, headers in self.columns:
            if name == field:
                return headers
        return ()

    def words(self, field: str) -> dict[str, str]:
        """Office word (normalised) → code for a choice field; the codes map to themselves."""
        out = {code: code for code in _CODES.get(field, ())}
        for name, pairs in self.values:
            if name == field:
                out.update((normal_text(word), code) for word, code in pairs)
        return out

    def word_for(self, field: str, code: str) -> str:
        """The word the sheet writes for ``code`` (the first the mapping gives, else the code)."""
        for name, pairs in self.values:
            if name == field:
                for word, value in pairs:
                    if value == code:
                        return word
        return code


def _nearest(word: str, choices: Any) -> str:
    near = difflib.get_close_matches(word, list(choices), n=3, cutoff=0.5)
    return f" (nearest: {', '.join(near)})" if near else ""


def _strings(value: Any, where: str) -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(v, str) for v in items):
        raise SheetError("expected a header or a list of headers", path=where, rule="mapping")
    return tuple(normal_text(v) for v in items if normal_text(v))


def _pairs(table: Any, where: str) -> dict[str, str]:
    if not isinstance(table, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in table.items()
    ):
        raise SheetError("expected a table of text = text", path=where, rule="mapping")
    return {normal_text(k): v.strip() for k, v in table.items()}


def _merge(base: dict[str, Any], data: Mapping[str, Any], source: str) -> dict[str, Any]:
    """``data`` laid over ``base``: settings and columns replace, words and aliases add."""
    known = {"sheet", "columns", "values", "aliases"}
    for key in data:
        if key not in known:
            raise SheetError(
                f"unknown table [{key}]{_nearest(key, known)}", path=source, rule="mapping"
            )
    out = {
        "sheet": dict(base.get("sheet", {})),
        "columns": dict(base.get("columns", {})),
        "values": {k: dict(v) for k, v in base.get("values", {}).items()},
        "aliases": {k: dict(v) for k, v in base.get("aliases", {}).items()},
    }
    for name in ("sheet", "columns", "values", "aliases"):
        table = data.get(name, {})
        if not isinstance(table, dict):
            raise SheetError(f"[{name}] must be a table", path=source, rule="mapping")
        for key, value in table.items():
            if name in {"values", "aliases"}:
                out[name].setdefault(key, {}).update(_pairs(value, f"{source}: {name}.{key}"))
            else:
                out[name][key] = value
    return out


def _build(data: Mapping[str, Any], source: str) -> SheetMapping:
    sheet, columns = data["sheet"], data["columns"]
    for key in sheet:
        if key not in _SETTINGS:
            where = f"{source}: sheet.{key}"
            raise SheetError(
                f"unknown setting{_nearest(key, _SETTINGS)}", path=where, rule="mapping"
            )
    for key in columns:
        if key not in FIELDS:
            raise SheetError(
                f"unknown field{_nearest(key, FIELDS)}; the fields are {', '.join(FIELDS)}",
                path=f"{source}: columns.{key}",
                rule="mapping",
            )
    mapped = tuple(
        (f, headers) for f in FIELDS if (headers := _strings(columns.get(f, []), f"columns.{f}"))
    )
    missing = [f for f in REQUIRED if not any(name == f for name, _ in mapped)]
    if missing:
        raise SheetError(
            f"no column for {', '.join(missing)}", path=f"{source}: columns", rule="mapping"
        )
    values: list[tuple[str, _Pairs]] = []
    for field, table in data["values"].items():
        if field not in _CODES:
            raise SheetError(
                f"not a choice field{_nearest(field, _CODES)}; choices: {', '.join(_CODES)}",
                path=f"{source}: values.{field}",
                rule="mapping",
            )
        for word, code in table.items():
            if code not in _CODES[field]:
                raise SheetError(
                    f"{word!r} = {code!r}: the codes are {', '.join(_CODES[field])}",
                    path=f"{source}: values.{field}",
                    rule="mapping",
                )
        values.append((field, tuple(table.items())))
    aliases = data["aliases"]
    for key in aliases:
        if key not in {"units", "officials"}:
            raise SheetError(
                "aliases are [aliases.units] and [aliases.officials]",
                path=f"{source}: aliases.{key}",
                rule="mapping",
            )
    settings: dict[str, Any] = {}
    for key in _SETTINGS:
        if key in sheet:
            settings[key] = sheet[key]
    try:
        return _checked(
            SheetMapping(
                **settings,
                columns=mapped,
                values=tuple(values),
                unit_aliases=tuple(aliases.get("units", {}).items()),
                official_aliases=tuple(aliases.get("officials", {}).items()),
            ),
            source,
        )
    except TypeError as exc:  # pragma: no cover - attrs names the argument
        raise SheetError(str(exc), path=f"{source}: sheet", rule="mapping") from None


def _checked(m: SheetMapping, source: str) -> SheetMapping:
    where = f"{source}: sheet"
    if not isinstance(m.header_row, int) or isinstance(m.header_row, bool) or m.header_row < 0:
        raise SheetError("header_row must be a row number (0: find it)", path=where)
    for name in ("sheet", "id_prefix", "receiving_unit", "transfer"):
        if not isinstance(getattr(m, name), str):
            raise SheetError(f"{name} must be text", path=where, rule="mapping")
    for name in ("opinion_basis", "settle_evidence", "role_reason"):
        value = getattr(m, name)
        if not isinstance(value, str) or not value.strip():
            raise SheetError(f"{name} must be non-empty text", path=where, rule="mapping")
    if m.transfer not in _TRANSFERS:
        raise SheetError("transfer is 'forward' or 'assign'", path=where, rule="mapping")
    id_from = m.id_from
    if not isinstance(id_from, list | tuple) or not id_from:
        raise SheetError("id_from lists the fields an id is made from", path=where)
    for f in id_from:
        if f not in FIELDS or not m.headers(f):
            raise SheetError(f"id_from names {f!r}, which has no column", path=where)
    return attrs.evolve(m, id_from=tuple(id_from))


def _default_data() -> dict[str, Any]:
    text = resources.files("xinfang.sheets").joinpath("default_mapping.toml").read_text("utf-8")
    return tomllib.loads(text)


def default_mapping() -> SheetMapping:
    """The mapping of the template's layout (``default_mapping.toml``)."""
    data = _default_data()
    return _build(_merge({}, data, "default mapping"), "default mapping")


def load_mapping(source: str | Path | Mapping[str, Any] | None = None) -> SheetMapping:
    """A mapping from a TOML file (or its parsed tables), laid over the default.

    ``[sheet]`` settings and ``[columns]`` entries replace the default's
    (``field = []`` unmaps a field); ``[values.*]`` words and
    ``[aliases.*]`` names add to them. Every problem is a
    :class:`SheetError` naming the file and key.
    """
    if source is None:
        return default_mapping()
    if isinstance(source, str | Path):
        name = str(source)
        try:
            data = tomllib.loads(Path(source).read_text("utf-8-sig"))
        except OSError as exc:
            raise SheetError(f"cannot read the mapping: {exc.strerror}", path=name) from exc
        except UnicodeDecodeError as exc:
            raise SheetError("the mapping file is not UTF-8", path=name, rule="TOML") from exc
        except tomllib.TOMLDecodeError as exc:
            raise SheetError(f"not valid TOML: {exc}", path=name, rule="TOML") from exc
    else:
        name, data = "mapping", dict(source)
    return _build(_merge(_merge({}, _default_data(), "default"), data, name), name)
