"""The reconciliation (事项核对): where every case of the input went, as an additive value."""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Iterable


__all__ = [
    "Reconciliation",
    "UnplacedGroup",
]


@attrs.frozen(kw_only=True)
class UnplacedGroup:
    """Cases not placed (未归属) for one unknown id in one field: how many, which first."""

    code: str
    field: str
    unknown: str
    nearest: str | None
    cases: int
    targets: int
    first_case: str


def _groups(rows: Iterable[UnplacedGroup]) -> tuple[UnplacedGroup, ...]:
    """Groups with the same code, field, unknown id and nearest id merged; sorted."""
    merged: dict[tuple[str, str, str, str], UnplacedGroup] = {}
    for g in rows:
        key = (g.code, g.field, g.unknown, g.nearest or "")
        seen = merged.get(key)
        merged[key] = (
            g
            if seen is None
            else attrs.evolve(
                seen,
                cases=seen.cases + g.cases,
                targets=seen.targets + g.targets,
                first_case=min(seen.first_case, g.first_case),
            )
        )
    return tuple(merged[k] for k in sorted(merged))


@attrs.frozen(kw_only=True)
class Reconciliation:
    """Where every case of the input went: cases in = placed + outside + not placed.

    ``placed``: counted under a campaign unit (``placed_targets`` of them
    targets, ``placed_new`` new intake, the rest earlier cases that count in
    the unit's rates and clocks only); ``not_yet_registered`` and
    ``unit_not_covered``: outside the campaign by its rules
    (:data:`OUTSIDE_REASONS`); ``unplaced``: the not placed (未归属) cases,
    grouped by the unknown id that stopped them. The same for the targets:
    ``targets`` (the campaign's) = placed + outside + not placed + ``unknown_targets``
    (target ids no case of the input has). ``missing_units``: campaign units
    the organisation does not have (no case can be placed under them).

    Additive (``a + b``) before a snapshot is finished, like
    :class:`SnapshotCounts` (``targets_found``: the target ids the input
    has); :func:`finish_snapshot` fills ``targets``, ``unknown_targets``
    and ``missing_units`` (and empties ``targets_found``).
    """

    cases: int = 0
    placed: int = 0
    placed_targets: int = 0
    placed_new: int = 0
    not_yet_registered: int = 0
    not_yet_registered_targets: int = 0
    unit_not_covered: int = 0
    unit_not_covered_targets: int = 0
    unplaced: tuple[UnplacedGroup, ...] = attrs.field(default=(), converter=_groups)
    targets_found: frozenset[str] = attrs.field(default=frozenset(), repr=False)
    targets: int = 0
    unknown_targets: tuple[str, ...] = ()
    missing_units: tuple[str, ...] = ()

    @property
    def placed_earlier(self) -> int:
        """Placed cases that are neither targets nor new intake (rates and clocks only)."""
        return self.placed - self.placed_targets - self.placed_new

    @property
    def outside(self) -> int:
        """Cases outside the campaign, every reason."""
        return self.not_yet_registered + self.unit_not_covered

    @property
    def not_placed(self) -> int:
        """Cases not placed (未归属)."""
        return sum(g.cases for g in self.unplaced)

    @property
    def not_placed_targets(self) -> int:
        """Target cases not placed (未归属)."""
        return sum(g.targets for g in self.unplaced)

    @property
    def outside_by_reason(self) -> tuple[tuple[str, int], ...]:
        """``(reason, cases)`` for each of :data:`OUTSIDE_REASONS`."""
        return (
            ("not_yet_registered", self.not_yet_registered),
            ("unit_not_covered", self.unit_not_covered),
        )

    @property
    def balanced(self) -> bool:
        """Whether cases in = placed + outside + not placed (always, by construction)."""
        return self.cases == self.placed + self.outside + self.not_placed

    @property
    def complete(self) -> bool:
        """Whether every case is placed or outside and the campaign's ids all resolve."""
        return not (self.unplaced or self.unknown_targets or self.missing_units)

    def __add__(self, other: Reconciliation) -> Reconciliation:
        if not isinstance(other, Reconciliation):
            return NotImplemented
        return Reconciliation(
            cases=self.cases + other.cases,
            placed=self.placed + other.placed,
            placed_targets=self.placed_targets + other.placed_targets,
            placed_new=self.placed_new + other.placed_new,
            not_yet_registered=self.not_yet_registered + other.not_yet_registered,
            not_yet_registered_targets=(
                self.not_yet_registered_targets + other.not_yet_registered_targets
            ),
            unit_not_covered=self.unit_not_covered + other.unit_not_covered,
            unit_not_covered_targets=self.unit_not_covered_targets + other.unit_not_covered_targets,
            unplaced=(*self.unplaced, *other.unplaced),
            targets_found=self.targets_found | other.targets_found,
        )
