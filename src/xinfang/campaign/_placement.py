"""Placing each case under a campaign unit, and the ids that name nothing (未归属).

One rule resolves the unit ids a case names through the organisation: which
campaign unit a case falls under (:func:`campaign_unit_index`), and which ids
name no unit, official or case, each with the nearest known id
(:func:`check_references`, :func:`unplaced_cases`, :func:`require_references`).
"""

from __future__ import annotations

import difflib
from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from itertools import compress
from operator import attrgetter
from typing import TYPE_CHECKING, Any, Final

import attrs
import numpy as np

from xinfang.errors import InvalidDataError, quoted
from xinfang.vocabulary import Role, Stage

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Collection

    import numpy.typing as npt

    from xinfang.campaign._model import Campaign
    from xinfang.case import Case
    from xinfang.responsibility import Organization

__all__ = [
    "BY_ID",
    "OUTSIDE_REASONS",
    "PROBLEM_CODES",
    "SNAPSHOT_COLUMNS",
    "TERMINAL",
    "ReferenceProblem",
    "campaign_unit_index",
    "campaign_units",
    "check_references",
    "require_references",
    "unknown_unit_problems",
    "unplaced_cases",
]


# ------------------------------------------------------------ reconciliation
#: Why a case of the input is outside the campaign, by the campaign's own rules:
#: registered only after the snapshot date, or no unit of it is (under) a campaign unit.
OUTSIDE_REASONS: Final = ("not_yet_registered", "unit_not_covered")
#: What :func:`check_references` finds: an id a case names that the organisation does
#: not know (a unit, an official), a target with no case, a campaign unit not in the
#: organisation.
PROBLEM_CODES: Final = (
    "unknown_unit",
    "unknown_official",
    "unknown_target",
    "campaign_unit_not_in_organization",
)
_WHAT: Final = {
    "unknown_unit": "unknown unit id",
    "unknown_official": "unknown official id",
    "unknown_target": "target with no case of this id",
    "campaign_unit_not_in_organization": "campaign unit not in the organisation",
}
#: How alike a known id must be to be offered as the nearest (difflib's ratio).
_CLOSE: Final = 0.6
#: Above this many candidates, the nearest id is looked for among the neighbours in sort order.
_NEAR_ALL: Final = 2000
_NEAR_SPAN: Final = 64


@attrs.frozen(kw_only=True)
class ReferenceProblem:
    """An id that names nothing: in a case, or in the campaign.

    Attributes:
        code: one of :data:`PROBLEM_CODES`.
        index: the case's position in the input (0-based; ``None`` for a
            problem of the campaign itself). A ledger's line is the host's
            to map (the command prints it).
        case_id: the case (``""`` for a problem of the campaign).
        field: the field path: ``handling_unit``, ``receiving_unit``,
            ``roles[0].holder``; ``targets[3]`` or ``units[1]`` of the campaign.
        unknown: the id as written.
        nearest: the nearest known id when one is close (a unit or official
            whose *name* is the text written gives its id), else ``None``.
        source: where a ledger line writes the id (``$.events[1].change.to_unit``;
            ``""`` for the campaign's problems).
        unplaced: whether it leaves its case not placed (未归属): the
            campaign's rule reaches the unknown unit before any unit places
            the case, or an official of the case's chain is unknown. An
            unknown id the rule never reaches (a receiving unit, when the
            handling unit places the case) is reported but places nothing.
    """

    code: str
    index: int | None
    case_id: str
    field: str
    unknown: str
    nearest: str | None = None
    source: str = ""
    unplaced: bool = False

    @property
    def path(self) -> str:
        """Where: ``case <id>: <field>``, or the campaign's ``<field>``."""
        return f"case {self.case_id}: {self.field}" if self.case_id else self.field

    @property
    def message(self) -> str:
        """What, in one line: the unknown id (a bounded prefix) and the nearest known one."""
        near = f" (nearest known: {self.nearest})" if self.nearest else ""
        at = f", written at {self.source}" if self.source else ""
        return f"{_WHAT[self.code]} {quoted(self.unknown)}{near}{at}"

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


#: A case's id (for ``map`` over cases).
BY_ID: Final = attrgetter("id")
_HANDLING: Final = attrgetter("handling_unit")
_RECEIVING: Final = attrgetter("receiving_unit")
_ROLES: Final = attrgetter("roles")
#: The closed stages (declined, withdrawn, final): a case in one is no longer in handling.
TERMINAL: Final = (Stage.DECLINED, Stage.WITHDRAWN, Stage.FINAL)
#: Columns every case gives the snapshot besides the clocks' (read in the same passes).
SNAPSHOT_COLUMNS: Final = (
    "opinion_issued",
    "review_opinion_issued",
    "is_settled",
    "stage",
    "rating",
)


class _UnitIndex(dict[str | None, int]):
    """Unit id → index into the campaign's units, each id resolved on first sight.

    -1: none (not recorded, or known but under no campaign unit); -2
    (``_UNKNOWN``): an id the organisation does not have. Built per call;
    the rule is :func:`_unit_of`'s.
    """

    __slots__ = ("_index", "_org", "_scope")

    def __init__(self, units: Sequence[str], org: Organization) -> None:
        super().__init__()
        self._scope = {u: u for u in units}
        self._index = {u: i for i, u in enumerate(units)}
        self._org = org

    def __missing__(self, unit: str | None) -> int:
        if unit and not self._org.has_unit(unit):
            code = self[unit] = _UNKNOWN
            return code
        found = _unit_of((unit,), self._org, self._scope)
        code = self[unit] = -1 if found is None else self._index[found]
        return code


_UNKNOWN: Final = -2


def campaign_unit_index(
    unit_ids: Sequence[str | None], campaign: Campaign, org: Organization
) -> npt.NDArray[np.int64]:
    """Each unit id's campaign unit, as an index into ``campaign.units`` (-1: none).

    The unit itself or the nearest unit above it in ``org`` that is in the
    campaign's scope; one lookup per id (pass distinct ids, e.g. an Arrow
    dictionary, and index the result with the codes).
    """
    lookup = _UnitIndex(campaign.units, org)
    found = np.fromiter(map(lookup.__getitem__, unit_ids), dtype=np.int64, count=len(unit_ids))
    return np.maximum(found, -1)


def campaign_units(
    seen: Sequence[Case], units: Sequence[str], org: Organization
) -> tuple[Any, list[int]]:
    """Each case's campaign unit as an index into ``units`` (-1: none), column-wise.

    A case takes the first of its responsible, handling and receiving unit
    that resolves; each distinct unit id is resolved once per call. Only a
    case with roles can have a responsible unit, and the receiving unit is
    read only where neither of the others resolves. Also the rows the
    placement rule may not place (an unknown unit reached first, an unknown
    official in the chain), for :func:`unplaced_cases` to decide.
    """
    lookup = _UnitIndex(units, org)
    n = len(seen)
    out = np.fromiter(map(lookup.__getitem__, map(_HANDLING, seen)), dtype=np.int64, count=n)
    people = []
    has_official = org.has_official
    for k in compress(range(n), map(_ROLES, seen)):
        case = seen[k]
        found = lookup[case.responsible_unit]
        if found >= 0 or found == _UNKNOWN:
            out[k] = found
        if not all(h.role is Role.RESPONSIBLE_UNIT or has_official(h.holder) for h in case.roles):
            people.append(k)
    rest = np.flatnonzero(out == -1)
    if len(rest):
        receiving = map(_RECEIVING, map(seen.__getitem__, rest.tolist()))
        out[rest] = np.fromiter(map(lookup.__getitem__, receiving), dtype=np.int64, count=len(rest))
    stopped = np.flatnonzero(out == _UNKNOWN).tolist()
    suspects = sorted({*stopped, *people}) if people else stopped
    return np.maximum(out, -1), suspects


def _unit_of(key: Sequence[str | None], org: Organization, scope: dict[str, str]) -> str | None:
    """The campaign unit for (responsible, handling, receiving unit).

    The first of them the organisation knows, or the nearest unit above it,
    that is in scope.
    """
    for candidate in key:
        if candidate and org.has_unit(candidate):
            found = next((u for u in (candidate, *org.ancestors(candidate)) if u in scope), None)
            if found:
                return found
    return None


class _Nearest:
    """The nearest known id to a word: a name written for an id, else a close id or name."""

    __slots__ = ("_ids", "_memo", "_names", "_sorted")

    def __init__(self, ids: Iterable[str], names: Mapping[str, str] | None = None) -> None:
        self._ids = tuple(ids)
        self._sorted = sorted(self._ids)
        self._names = dict(names or {})
        self._memo: dict[str, str | None] = {}

    def __call__(self, word: str) -> str | None:
        if word not in self._memo:
            self._memo[word] = self._find(word)
        return self._memo[word]

    def _find(self, word: str) -> str | None:
        if word in self._names:  # a unit or official written by its name
            return self._names[word]
        pool: Sequence[str] = self._sorted
        if len(pool) > _NEAR_ALL:  # many ids (cases): the neighbours in sort order
            at = bisect_left(pool, word)
            pool = pool[max(at - _NEAR_SPAN, 0) : at + _NEAR_SPAN]
        close = _closest(word, pool)
        if close is not None:
            return close
        by_name = _closest(word, list(self._names))
        return self._names[by_name] if by_name is not None else None


def _closest(word: str, pool: Iterable[str]) -> str | None:
    """The candidate most like ``word`` (difflib ratio ≥ 0.6), or ``None``.

    Ties go to the longer common prefix, then the nearer length, then the
    smaller id: a typo late in an id finds the id it was copied from.
    """
    matcher = difflib.SequenceMatcher()
    matcher.set_seq2(word)
    best: tuple[float, int, int] | None = None
    found: str | None = None
    for cand in pool:
        matcher.set_seq1(cand)
        if matcher.real_quick_ratio() < _CLOSE or matcher.quick_ratio() < _CLOSE:
            continue
        ratio = matcher.ratio()
        if ratio < _CLOSE:
            continue
        pairs = enumerate(zip(cand, word, strict=False))
        prefix = next((i for i, (a, b) in pairs if a != b), min(len(cand), len(word)))
        key = (ratio, prefix, -abs(len(cand) - len(word)))
        if best is None or key > best or (key == best and found is not None and cand < found):
            best, found = key, cand
    return found


def _written_at(case: Case, names: tuple[str, ...], value: str) -> str:
    """The ledger path of the latest event whose change writes ``value`` in one of ``names``."""
    for i in range(len(case.events) - 1, -1, -1):
        change = case.events[i].change
        for name in names:
            if getattr(change, name, None) == value:
                return f"$.events[{i}].change.{name}"
    return ""


_SOURCES: Final = {
    "handling_unit": ("to_unit", "receiving_unit"),
    "receiving_unit": ("receiving_unit",),
}


def _unique_names(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Name → id, for names that belong to one id only."""
    found: dict[str, set[str]] = {}
    for name, id_ in pairs:
        found.setdefault(name, set()).add(id_)
    return {name: next(iter(ids)) for name, ids in found.items() if len(ids) == 1}


class _References:
    """The one rule for what a case names that the organisation does not know (per call)."""

    __slots__ = ("_lookup", "_near_official", "_near_unit", "org")

    def __init__(self, org: Organization, scope: Sequence[str] | None) -> None:
        self.org = org
        self._lookup = _UnitIndex(scope, org) if scope is not None else None
        self._near_unit: _Nearest | None = None
        self._near_official: _Nearest | None = None

    def nearest_unit(self, word: str) -> str | None:
        if self._near_unit is None:
            units = self.org.units
            names = _unique_names((u.name, u.id) for u in units)
            self._near_unit = _Nearest((u.id for u in units), names)
        return self._near_unit(word)

    def nearest_official(self, word: str) -> str | None:
        if self._near_official is None:
            people = self.org.officials
            names = _unique_names((o.name, o.id) for o in people)
            self._near_official = _Nearest((o.id for o in people), names)
        return self._near_official(word)

    def _places(self, unit: str) -> bool:
        return self._lookup is None or self._lookup[unit] >= 0

    def unknown_unit(
        self,
        field: str,
        unit: str,
        *,
        index: int | None = None,
        case_id: str = "",
        source: str = "",
        unplaced: bool = True,
    ) -> ReferenceProblem:
        """The problem of ``unit``, a unit id the organisation lacks, met in ``field``."""
        return ReferenceProblem(
            code="unknown_unit",
            index=index,
            case_id=case_id,
            field=field,
            unknown=unit,
            nearest=self.nearest_unit(unit),
            source=source,
            unplaced=unplaced,
        )

    def of(self, index: int, case: Case) -> list[ReferenceProblem]:
        """The case's unknown ids, each saying whether it leaves the case not placed.

        The campaign's rule reads the responsible, handling and receiving
        unit in turn until one is (under) a campaign unit (without a
        campaign: until one is known). An unknown unit it reaches first
        leaves the case not placed: which unit it meant cannot be known.
        An unknown official of the chain leaves it not placed too.
        """
        org, out = self.org, []
        roles = case.roles
        units: list[tuple[str, str]] = [
            (f"roles[{i}].holder", h.holder)
            for i, h in enumerate(roles)
            if h.role is Role.RESPONSIBLE_UNIT
        ][:1]
        units += [("handling_unit", case.handling_unit), ("receiving_unit", case.receiving_unit)]
        decided = False
        for field, unit in units:
            if not unit:
                continue
            if not org.has_unit(unit):
                out.append(
                    self.unknown_unit(
                        field,
                        unit,
                        index=index,
                        case_id=case.id,
                        source=_written_at(case, _SOURCES.get(field, ("holder",)), unit),
                        unplaced=not decided,
                    )
                )
                decided = True
            elif not decided and self._places(unit):
                decided = True
        out += [
            ReferenceProblem(
                code="unknown_official",
                index=index,
                case_id=case.id,
                field=f"roles[{i}].holder",
                unknown=h.holder,
                nearest=self.nearest_official(h.holder),
                source=_written_at(case, ("holder",), h.holder),
                unplaced=True,
            )
            for i, h in enumerate(roles)
            if h.role is not Role.RESPONSIBLE_UNIT and not org.has_official(h.holder)
        ]
        return out

    def suspects(self, seen: Sequence[Case]) -> list[int]:
        """The rows that name an id the organisation does not know (column-wise, ids once)."""
        known = _Known(self.org)
        n = len(seen)
        good = np.fromiter(map(known.__getitem__, map(_HANDLING, seen)), bool, n)
        good &= np.fromiter(map(known.__getitem__, map(_RECEIVING, seen)), bool, n)
        org = self.org
        for k in compress(range(n), map(_ROLES, seen)):
            for h in seen[k].roles:
                ok = (
                    known[h.holder]
                    if h.role is Role.RESPONSIBLE_UNIT
                    else org.has_official(h.holder)
                )
                if not ok:
                    good[k] = False
                    break
        return np.flatnonzero(~good).tolist()


class _Known(dict[str, bool]):
    """Unit id → whether the organisation has it ("" counts as known: not recorded)."""

    __slots__ = ("_org",)

    def __init__(self, org: Organization) -> None:
        super().__init__()
        self._org = org

    def __missing__(self, unit: str) -> bool:
        ok = self[unit] = not unit or self._org.has_unit(unit)
        return ok


def check_references(
    cases: Iterable[Case],
    org: Organization | None,
    campaign: Campaign | None = None,
    *,
    case_ids: Collection[str] | None = None,
) -> tuple[ReferenceProblem, ...]:
    """Every id the cases and the campaign name that names nothing, with the nearest known id.

    Per case (with ``org``): its responsible, handling and receiving unit and
    the officials of its chain (``roles``), in the input's order; each
    problem says whether it leaves the case not placed (``unplaced``), by
    the rule :func:`snapshot` places cases with (with ``campaign``: scoped
    to its units). Then the campaign's own: units the organisation does not
    have (with ``org``), targets no case has. Pure; no problem means every
    case of a snapshot of these files is placed or outside for a stated
    reason (see :class:`Reconciliation`).

    ``case_ids``: the case ids a target may name (default: the ids of
    ``cases``), for a caller that checks only some cases (the store's import
    passes the rows that name an unknown id, and every id of the ledger and
    the store).
    """
    listed = cases if isinstance(cases, Sequence) else list(cases)
    out: list[ReferenceProblem] = []
    if org is not None:
        refs = _References(org, campaign.units if campaign is not None else None)
        for k in refs.suspects(listed):
            out += refs.of(k, listed[k])
    if campaign is None:
        return tuple(out)
    if org is not None:
        out += [
            ReferenceProblem(
                code="campaign_unit_not_in_organization",
                index=None,
                case_id="",
                field=f"units[{i}]",
                unknown=unit,
                nearest=refs.nearest_unit(unit),
            )
            for i, unit in enumerate(campaign.units)
            if not org.has_unit(unit)
        ]
    ids = set(map(BY_ID, listed)) if case_ids is None else set(case_ids)
    missing = [(i, t) for i, t in enumerate(campaign.targets) if t not in ids]
    if missing:
        near = _Nearest(ids)
        out += [
            ReferenceProblem(
                code="unknown_target",
                index=None,
                case_id="",
                field=f"targets[{i}]",
                unknown=target,
                nearest=near(target),
            )
            for i, target in missing
        ]
    return tuple(out)


def unplaced_cases(
    cases: Sequence[Case],
    org: Organization,
    campaign: Campaign,
    *,
    rows: Iterable[int] | None = None,
) -> dict[int, ReferenceProblem]:
    """The cases not placed (未归属), by position, each with the first problem that stops it.

    The rule of :func:`check_references` (``unplaced`` problems), scoped to
    the campaign. ``rows``: only these positions (a caller that already
    knows which cases name an unknown id, e.g. from a column's distinct
    values); by default every case is looked at (unknown ids column-wise first).
    """
    refs = _References(org, campaign.units)
    out: dict[int, ReferenceProblem] = {}
    for k in refs.suspects(cases) if rows is None else rows:
        stop = next((p for p in refs.of(k, cases[k]) if p.unplaced), None)
        if stop is not None:
            out[k] = stop
    return out


def unknown_unit_problems(
    field: str, units: Sequence[str], org: Organization
) -> list[ReferenceProblem]:
    """The problem that stops a case at each of ``units`` (ids ``org`` lacks) in ``field``.

    What :func:`unplaced_cases` gives a case whose campaign rule reaches the
    unknown unit first in its ``handling_unit`` or ``receiving_unit`` (the
    nearest known id included), for a caller that found those cases
    column-wise: one problem per id, the caller setting each case's
    ``index`` and ``case_id``. ``source`` (where a ledger writes the id)
    needs the case's events: it stays empty.
    """
    refs = _References(org, None)
    return [refs.unknown_unit(field, unit) for unit in units]


def require_references(
    cases: Iterable[Case],
    org: Organization,
    campaign: Campaign | None = None,
    *,
    source: str = "",
) -> None:
    """Raise :class:`~xinfang.InvalidDataError` naming every problem :func:`check_references` finds.

    For an import that must take whole files or nothing: the error's
    ``problems`` are ``(path, message)`` pairs, each path naming the case
    and field (``case XF-1: handling_unit``), each message the unknown id
    and the nearest known one.
    """
    found = check_references(cases, org, campaign)
    if found:
        raise InvalidDataError([(p.path, p.message) for p in found], source=source)
