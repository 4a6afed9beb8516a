"""Units and officials by the names a sheet uses: ids, names and the mapping's aliases.

An unknown or ambiguous name is never guessed: the row is refused with the
nearest known names.
"""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING, Final

import attrs

from xinfang.sheets._cells import normal_text
from xinfang.sheets._errors import SheetError

if TYPE_CHECKING:  # pragma: no cover
    from xinfang.responsibility import Organization
    from xinfang.sheets._mapping import SheetMapping

__all__ = ["Names", "names_of"]

_AMBIGUOUS: Final = ""


def _key(text: str) -> str:
    return normal_text(text).replace(" ", "")


@attrs.frozen(kw_only=True)
class Names:
    """Name → id of the units and the officials of one organisation (with aliases)."""

    units: dict[str, str] = attrs.field(eq=False, hash=False)
    officials: dict[str, str] = attrs.field(eq=False, hash=False)
    unit_names: dict[str, str] = attrs.field(eq=False, hash=False)
    official_names: dict[str, str] = attrs.field(eq=False, hash=False)

    def unit(self, text: str) -> str | tuple[str]:
        """The unit's id, or ``(expected,)`` with the nearest known names."""
        return _find(self.units, text, "unit")

    def official(self, text: str) -> str | tuple[str]:
        """The official's id, or ``(expected,)`` with the nearest known names."""
        return _find(self.officials, text, "official")


def _find(table: dict[str, str], text: str, what: str) -> str | tuple[str]:
    key = _key(text)
    found = table.get(key)
    if found is None:
        near = difflib.get_close_matches(key, [k for k, v in table.items() if v], n=3, cutoff=0.4)
        hint = f" (nearest: {', '.join(near)})" if near else ""
        return (f"a {what} of the organisation, by id, name or alias{hint}",)
    if found == _AMBIGUOUS:
        return (f"one {what}: several have this name; write the id or add an alias to the mapping",)
    return found


def _add(table: dict[str, str], name: str, ident: str) -> None:
    key = _key(name)
    if table.get(key, ident) != ident:
        table[key] = _AMBIGUOUS
    else:
        table[key] = ident


def names_of(org: Organization, mapping: SheetMapping) -> Names:
    """The look-up tables of ``org`` with the mapping's aliases (an alias must name something)."""
    units: dict[str, str] = {}
    officials: dict[str, str] = {}
    for u in org.units:
        _add(units, u.name, u.id)
    for o in org.officials:
        _add(officials, o.name, o.id)
    for u in org.units:  # ids win over names
        units[_key(u.id)] = u.id
    for o in org.officials:
        officials[_key(o.id)] = o.id
    for table, aliases, what in (
        (units, mapping.unit_aliases, "units"),
        (officials, mapping.official_aliases, "officials"),
    ):
        base = dict(table)
        for alias, target in aliases:
            ident = base.get(_key(target))
            if not ident:
                raise SheetError(
                    f"alias {alias!r} names {target!r}, which is no one id or name in the "
                    "organisation",
                    path=f"mapping: aliases.{what}",
                    rule="an alias names a unit or official of the organisation",
                )
            table[_key(alias)] = ident
    return Names(
        units=units,
        officials=officials,
        unit_names={u.id: u.name for u in org.units},
        official_names={o.id: o.name for o in org.officials},
    )
