"""What fraction of the cases ``xinfang.strategies.cases()`` generates reaches each shape.

The properties search between the pinned ledgers only where the strategies
go: this prints, per shape (an ended hearing, an accusation on its route, a
forwarded or assigned matter with its report-back date, an agreement, a matter
under the 2005 regulation, ...), the share of generated cases that reach it,
as hypothesis draws them in a property (``@given``, no example database).

    python bench/strategy_shapes.py [--examples 600] [--rulebook xinfang-2005]
"""

from __future__ import annotations

import argparse
import datetime as dt
from collections import Counter
from typing import TYPE_CHECKING

from hypothesis import HealthCheck, given, settings

from xinfang import bundled_rulebook
from xinfang.strategies import cases
from xinfang.vocabulary import Category, Route, Stage

if TYPE_CHECKING:
    from collections.abc import Callable

    from xinfang import Case

#: The day the 2022 regulation took effect: a matter received before it fell under 2005's.
IN_FORCE_2022 = dt.date(2022, 5, 1)

#: shape → the test of a case.
SHAPES: dict[str, Callable[[Case], bool]] = {
    "accepted": lambda c: c.on.accepted is not None,
    "replied (opinion issued)": lambda c: c.on.opinion_issued is not None,
    "review requested": lambda c: c.on.review_requested is not None,
    "final (re-reviewed)": lambda c: c.stage is Stage.FINAL,
    "hearing started": lambda c: bool(c.hearings),
    "hearing ended": lambda c: any(h.end is not None for h in c.hearings),
    "accusation (检举控告类)": lambda c: c.category is Category.ACCUSATION,
    "accusation accepted on its route": lambda c: c.route is Route.ACCUSATION,
    "suggestion accepted on its route": lambda c: c.route is Route.SUGGESTION,
    "forwarded (转送)": lambda c: c.on.forwarded is not None,
    "assigned (交办) with a report-back date": lambda c: c.on.report_back_due is not None,
    "reported back": lambda c: c.on.reported_back is not None,
    "remit objected (ever)": lambda c: any(e.kind == "remit_objected" for e in c.events),
    "objection approved (ever)": lambda c: any(e.kind == "objection_approved" for e in c.events),
    "agreement (调解/和解协议)": lambda c: c.on.agreement_recorded is not None,
    "extended": lambda c: c.extensions > 0,
    "settled": lambda c: c.settled,
    "declined": lambda c: c.stage is Stage.DECLINED,
    "withdrawn": lambda c: c.stage is Stage.WITHDRAWN,
    "received under the 2005 regulation": lambda c: c.received_at.date() < IN_FORCE_2022,
    "repeat with the same facts": lambda c: c.same_facts,
}


def measure(examples: int, rulebook: str | None) -> tuple[int, Counter[str]]:
    """Draw ``examples`` cases as a property does; count the shapes they reach."""
    seen: Counter[str] = Counter()
    drawn = 0
    strategy = cases() if rulebook is None else cases(rulebook_=bundled_rulebook(rulebook))

    @settings(
        max_examples=examples,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def draw(case: Case) -> None:
        nonlocal drawn
        drawn += 1
        seen.update(name for name, test in SHAPES.items() if test(case))

    draw()
    return drawn, seen


def main() -> None:
    """Print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=600)
    parser.add_argument("--rulebook", default=None, help="draw under this bundled rulebook")
    args = parser.parse_args()
    drawn, seen = measure(args.examples, args.rulebook)
    print(f"{drawn} cases drawn by cases(rulebook_={args.rulebook or 'default'})")
    for name in SHAPES:
        print(f"  {seen[name] / drawn:6.1%}  {name}")


if __name__ == "__main__":
    main()
