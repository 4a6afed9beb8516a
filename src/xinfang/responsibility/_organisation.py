"""The organisation: one tree of units with their officials and liaison points, read from TOML.

:class:`Organization` is validated whole on construction (one tree, no
cycles, every id known, unit kinds and levels as declared);
:func:`load_organization` reads one, naming the file and key of every problem.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

import attrs

from xinfang._toml import read_toml
from xinfang.convert import structure
from xinfang.errors import InvalidDataError, OrganizationError, XinfangError, quoted
from xinfang.vocabulary import UnitKind

if TYPE_CHECKING:  # pragma: no cover
    from pathlib import Path

__all__ = [
    "Official",
    "Organization",
    "Post",
    "Unit",
    "load_organization",
    "read_data",
    "structure_data",
]


_T = TypeVar("_T")


class Post(enum.Enum):
    """An official's post: the unit head (主官, first responsible), a leadership member, staff."""

    HEAD = "head"
    LEADERSHIP = "leadership"
    STAFF = "staff"


def _tuple(value: Iterable[Any]) -> tuple[Any, ...]:
    return tuple(value)


@attrs.frozen(kw_only=True)
class Unit:
    """A unit (单位) of the organisation; ``parent`` is ``None`` for the root only.

    ``kind`` says what body it is (whom a rulebook limit binds, Arts. 22-23):
    ``other`` (其他机关、单位) unless the file says ``petition_department``,
    ``political_legal`` or ``discipline_inspection``. A unit's kind is its
    own; units under it do not inherit it.
    """

    id: str
    name: str
    level: str
    parent: str | None = None
    kind: UnitKind = UnitKind.OTHER


@attrs.frozen(kw_only=True)
class Official:
    """An official: a head (主官), a leadership member (班子成员) or staff, of one unit.

    ``liaison_units`` are the units a leadership member follows (联系点).
    """

    id: str
    name: str
    unit: str
    post: Post = Post.STAFF
    liaison_units: tuple[str, ...] = attrs.field(default=(), converter=_tuple)


@attrs.frozen(kw_only=True)
class Organization:
    """One tree of units with their officials, validated on construction.

    ``levels`` names the levels from the top (e.g. corps, detachment,
    brigade; or province, city, county); a unit sits deeper than its parent.
    """

    levels: tuple[str, ...] = attrs.field(converter=_tuple)
    units: tuple[Unit, ...] = attrs.field(converter=_tuple)
    officials: tuple[Official, ...] = attrs.field(default=(), converter=_tuple)
    _unit: dict[str, Unit] = attrs.field(init=False, eq=False, hash=False, repr=False)
    _official: dict[str, Official] = attrs.field(init=False, eq=False, hash=False, repr=False)
    _path: dict[str, tuple[str, ...]] = attrs.field(init=False, eq=False, hash=False, repr=False)
    _head: dict[str, Official] = attrs.field(init=False, eq=False, hash=False, repr=False)

    def __attrs_post_init__(self) -> None:
        problems = _validate_org(self)
        if problems:
            path, message = problems[0]
            rest = "".join(f"; {p}: {m}" for p, m in problems[1:])
            raise OrganizationError(message + rest, path=path, rule="one tree, no cycles")
        units = {u.id: u for u in self.units}
        paths: dict[str, tuple[str, ...]] = {}
        for u in self.units:
            chain = [u.id]
            parent = u.parent
            while parent is not None:
                chain.append(parent)
                parent = units[parent].parent
            paths[u.id] = tuple(chain)
        object.__setattr__(self, "_unit", units)
        object.__setattr__(self, "_official", {o.id: o for o in self.officials})
        object.__setattr__(self, "_path", paths)
        object.__setattr__(
            self, "_head", {o.unit: o for o in self.officials if o.post is Post.HEAD}
        )

    @property
    def root(self) -> Unit:
        """The top unit."""
        return next(u for u in self.units if u.parent is None)

    def unit(self, unit_id: str) -> Unit:
        """The unit with this id, or :class:`~xinfang.errors.OrganizationError`."""
        try:
            return self._unit[unit_id]
        except KeyError:
            raise OrganizationError(f"no unit {unit_id!r}", path="unit") from None

    def official(self, official_id: str) -> Official:
        """The official with this id, or :class:`~xinfang.errors.OrganizationError`."""
        try:
            return self._official[official_id]
        except KeyError:
            raise OrganizationError(f"no official {official_id!r}", path="official") from None

    def unit_kind(self, unit_id: str) -> UnitKind | None:
        """The kind of unit ``unit_id``, or ``None`` if the organisation has no such unit."""
        unit = self._unit.get(unit_id)
        return unit.kind if unit is not None else None

    def has_unit(self, unit_id: str) -> bool:
        """Whether the unit exists."""
        return unit_id in self._unit

    def has_official(self, official_id: str) -> bool:
        """Whether the official exists."""
        return official_id in self._official

    def ancestors(self, unit_id: str) -> tuple[str, ...]:
        """The unit's superiors, nearest first, up to the root."""
        return self._path[self.unit(unit_id).id][1:]

    def is_within(self, unit_id: str, ancestor_id: str) -> bool:
        """Whether ``unit_id`` is ``ancestor_id`` or lies under it."""
        return ancestor_id in self._path[self.unit(unit_id).id]

    def head(self, unit_id: str) -> Official | None:
        """The unit's head (主官), its first responsible person (第一责任人)."""
        return self._head.get(self.unit(unit_id).id)

    def officials_of(self, unit_id: str) -> tuple[Official, ...]:
        """The officials of one unit."""
        return tuple(o for o in self.officials if o.unit == unit_id)


def _type_problems(org: Organization) -> list[tuple[str, str]]:
    """Values of the wrong type in the tree (checked first: the rest uses them as keys)."""
    problems: list[tuple[str, str]] = []
    if not all(isinstance(level, str) for level in org.levels):
        problems.append(("levels", "levels must be strings"))
    for i, u in enumerate(org.units):
        if not isinstance(u, Unit):
            problems.append((f"units[{i}]", f"must be a Unit, got {type(u).__name__}"))
            continue
        problems.extend(
            (f"units[{i}].{name}", "must be a string")
            for name in ("id", "name", "level")
            if not isinstance(getattr(u, name), str)
        )
        if u.parent is not None and not isinstance(u.parent, str):
            problems.append((f"units[{i}].parent", "must be a unit id or null"))
        if not isinstance(u.kind, UnitKind):
            problems.append(
                (
                    f"units[{i}].kind",
                    f"unknown unit kind {quoted(u.kind)}; one of {[k.value for k in UnitKind]}",
                )
            )
    for i, o in enumerate(org.officials):
        if not isinstance(o, Official):
            problems.append((f"officials[{i}]", f"must be an Official, got {type(o).__name__}"))
            continue
        problems.extend(
            (f"officials[{i}].{name}", "must be a string")
            for name in ("id", "name", "unit")
            if not isinstance(getattr(o, name), str)
        )
        if not isinstance(o.post, Post):
            problems.append((f"officials[{i}].post", f"unknown post {quoted(o.post)}"))
        if not all(isinstance(u, str) for u in o.liaison_units):
            problems.append((f"officials[{i}].liaison_units", "must be unit ids"))
    return problems


def _validate_org(org: Organization) -> list[tuple[str, str]]:
    problems = _type_problems(org)
    if problems:
        return problems
    if not org.levels or len(set(org.levels)) != len(org.levels):
        problems.append(("levels", "levels must be a non-empty list of distinct names"))
    depth = {name: i for i, name in enumerate(org.levels)}
    units: dict[str, Unit] = {}
    for i, u in enumerate(org.units):
        if u.id in units:
            problems.append((f"units[{i}].id", f"unit id {quoted(u.id)} is given twice"))
        units[u.id] = u
        if u.level not in depth:
            problems.append(
                (f"units[{i}].level", f"unknown level {quoted(u.level)}; one of {org.levels}")
            )
    roots = [u.id for u in org.units if u.parent is None]
    if len(roots) != 1:
        problems.append(("units", f"an organisation has exactly one root unit, found {roots}"))
    for i, u in enumerate(org.units):
        if u.parent is None:
            continue
        parent = units.get(u.parent)
        if parent is None:
            problems.append((f"units[{i}].parent", f"unknown parent unit {quoted(u.parent)}"))
        elif u.level in depth and parent.level in depth and depth[u.level] <= depth[parent.level]:
            problems.append(
                (
                    f"units[{i}].level",
                    f"{quoted(u.id)} ({u.level}) must sit below its parent ({parent.level})",
                )
            )
    # cycles: walk up from each unit
    for i, u in enumerate(org.units):
        seen = {u.id}
        up = u.parent
        while up is not None and up in units:
            if up in seen:
                problems.append((f"units[{i}].parent", f"unit {quoted(u.id)} is its own ancestor"))
                break
            seen.add(up)
            up = units[up].parent
    heads: dict[str, str] = {}
    ids: set[str] = set()
    for i, o in enumerate(org.officials):
        if o.id in ids:
            problems.append((f"officials[{i}].id", f"official id {quoted(o.id)} is given twice"))
        ids.add(o.id)
        if o.unit not in units:
            problems.append((f"officials[{i}].unit", f"unknown unit {quoted(o.unit)}"))
        if o.post is Post.HEAD:
            if o.unit in heads:
                problems.append(
                    (
                        f"officials[{i}].post",
                        f"unit {quoted(o.unit)} already has a head ({heads[o.unit]})",
                    )
                )
            heads[o.unit] = o.id
        if o.liaison_units and o.post is Post.STAFF:
            problems.append(
                (
                    f"officials[{i}].liaison_units",
                    "liaison points (联系点) are for heads and leadership members",
                )
            )
        for j, lu in enumerate(o.liaison_units):
            if lu not in units:
                problems.append(
                    (f"officials[{i}].liaison_units[{j}]", f"unknown unit {quoted(lu)}")
                )
    return problems


# ------------------------------------------------------------ loading
def read_data(path: str | Path, error: type[XinfangError]) -> dict[str, Any]:
    """A TOML file's data; a problem raises ``error`` naming the file."""
    return read_toml(path, error, "file")


def structure_data(data: Any, cls: type[_T], error: type[XinfangError], source: str) -> _T:
    """``data`` as a ``cls`` value; every problem raises one ``error`` naming ``source``."""
    try:
        return structure(data, cls, source=source)
    except InvalidDataError as exc:
        path, message = exc.problems[0] if exc.problems else (source, str(exc))
        rest = "".join(f"; {p}: {m}" for p, m in exc.problems[1:])
        raise error(
            message + rest, path=f"{source}: {path}" if source else path, rule="data format"
        ) from None
    except XinfangError:
        raise


def load_organization(source: str | Path | Mapping[str, Any]) -> Organization:
    """An organisation from a TOML/JSON-ready mapping or a TOML file (levels, units, officials)."""
    if isinstance(source, Mapping):
        return structure_data(dict(source), Organization, OrganizationError, "")
    return structure_data(
        read_data(source, OrganizationError), Organization, OrganizationError, str(source)
    )
